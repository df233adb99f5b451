package io.github.dl4jadmm.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The size and CRC32C of a file, as a checkpoint's manifest records them for every file it holds: a file that was
 * truncated, or whose bits changed after it was written, no longer matches its digest. CRC32C is hardware-accelerated
 * on current JVMs, so checking a checkpoint costs about one read of it.
 *
 * @param bytes  the file's size in bytes
 * @param crc32c the CRC32C of its contents, as 8 lower-case hex digits
 */
public record FileDigest(long bytes, String crc32c) {

    private static final int BUFFER = 1 << 16;

    /**
     * @throws IllegalArgumentException if {@code bytes} is negative or {@code crc32c} is not 8 hex digits
     */
    public FileDigest {
        if (bytes < 0) {
            throw new IllegalArgumentException("a file size must be >= 0, got " + bytes);
        }
        if (crc32c == null || !crc32c.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("a CRC32C is 8 lower-case hex digits, got " + crc32c);
        }
    }

    /** The digest of a file's contents. */
    public static FileDigest of(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
                size += n;
            }
        }
        return new FileDigest(size, hex(crc.getValue()));
    }

    /** Writes the contents of a file to a stream. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes a file that must not exist yet, forces it to disk and returns its digest, computed from the bytes as
     * they are written (the file is not read back).
     */
    public static FileDigest writeNew(Path file, Contents contents) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Digesting out = new Digesting(Channels.newOutputStream(channel));
            contents.writeTo(out);
            out.flush();
            channel.force(true);
            return new FileDigest(out.size, hex(out.crc.getValue()));
        }
    }

    /** Counts and checksums what passes through, buffered (ND4J writes arrays a few bytes at a time). */
    private static final class Digesting extends FilterOutputStream {
        private final CRC32C crc = new CRC32C();
        private final byte[] buffer = new byte[BUFFER];
        private int used;
        private long size;

        Digesting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                drain();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len >= buffer.length) {
                drain();
                crc.update(b, off, len);
                out.write(b, off, len);
                size += len;
                return;
            }
            if (len > buffer.length - used) {
                drain();
            }
            System.arraycopy(b, off, buffer, used, len);
            used += len;
        }

        @Override
        public void flush() throws IOException {
            drain();
            out.flush();
        }

        private void drain() throws IOException {
            if (used > 0) {
                crc.update(buffer, 0, used);
                out.write(buffer, 0, used);
                size += used;
                used = 0;
            }
        }
    }

    /** The digest of {@code contents}. */
    public static FileDigest of(byte[] contents) {
        CRC32C crc = new CRC32C();
        crc.update(contents);
        return new FileDigest(contents.length, hex(crc.getValue()));
    }

    /** The digest as a JSON-ready map: {@code {"bytes": 1234, "crc32c": "1a2b3c4d"}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes);
        m.put("crc32c", crc32c);
        return m;
    }

    /**
     * A digest read back from JSON ({@link #toJson()}).
     *
     * @throws IllegalArgumentException if {@code json} is not such a map
     */
    public static FileDigest fromJson(Object json) {
        if (!(json instanceof Map<?, ?> m) || !(m.get("bytes") instanceof Number size)
                || !(m.get("crc32c") instanceof String crc)) {
            throw new IllegalArgumentException("not a file digest {\"bytes\": N, \"crc32c\": \"8 hex digits\"}: "
                    + json);
        }
        return new FileDigest(size.longValue(), crc);
    }

    /**
     * What is wrong with {@code file} against this digest, or null if it matches: missing, truncated, longer than
     * written, or with other contents.
     */
    public String mismatch(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return "it is missing";
        }
        if (size < bytes) {
            return "it is " + size + " bytes long but " + bytes + " were written: it is truncated";
        }
        if (size > bytes) {
            return "it is " + size + " bytes long but " + bytes + " were written";
        }
        FileDigest actual = of(file);
        if (!actual.crc32c.equals(crc32c)) {
            return "its CRC32C is " + actual.crc32c + " but " + crc32c + " was written: its contents changed after "
                    + "it was written (disk or copy error)";
        }
        return null;
    }

    static String hex(long crc) {
        return String.format(Locale.ROOT, "%08x", crc);
    }
}
