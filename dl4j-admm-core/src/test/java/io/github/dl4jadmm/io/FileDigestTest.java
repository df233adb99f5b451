package io.github.dl4jadmm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestTest {

    @TempDir
    Path dir;

    @Test
    void theDigestComputedWhileWritingIsTheDigestOfTheFile() throws IOException {
        byte[] contents = new byte[200_000];
        new Random(3).nextBytes(contents);
        // small writes, large writes and single bytes, as ND4J's serialiser mixes them
        FileDigest written = FileDigest.writeNew(dir.resolve("a.bin"), out -> {
            out.write(contents, 0, 7);
            out.write(contents[7]);
            out.write(contents, 8, 100_000);
            out.write(contents, 100_008, contents.length - 100_008);
        });
        assertEquals(FileDigest.of(dir.resolve("a.bin")), written);
        assertEquals(FileDigest.of(contents), written);
        assertEquals(contents.length, written.bytes());
        assertNull(written.mismatch(dir.resolve("a.bin")));
        assertEquals(written, FileDigest.fromJson(written.toJson()));
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> FileDigest.writeNew(dir.resolve("a.bin"), out -> { }), "never overwrites");
    }

    @Test
    void mismatchSaysWhatIsWrong() throws IOException {
        Path file = Files.write(dir.resolve("b.bin"), new byte[]{1, 2, 3, 4});
        FileDigest digest = FileDigest.of(file);
        Files.write(file, new byte[]{1, 2, 3, 5});
        assertTrue(digest.mismatch(file).startsWith("its CRC32C is "), digest.mismatch(file));
        Files.write(file, new byte[]{1, 2});
        assertEquals("it is 2 bytes long but 4 were written: it is truncated", digest.mismatch(file));
        Files.delete(file);
        assertEquals("it is missing", digest.mismatch(file));
    }

    @Test
    void sealedJsonFindsAnyChangedCharacter() {
        String sealed = SealedJson.seal("{\"rho\": \"5.0\", \"checksum\": \"" + SealedJson.PLACEHOLDER + "\"}");
        String value = sealed.substring(sealed.indexOf("crc32c:"), sealed.lastIndexOf('"'));
        assertNull(SealedJson.mismatch(sealed, value));
        String edited = sealed.replace("5.0", "6.0");
        assertTrue(SealedJson.mismatch(edited, value).startsWith("its CRC32C is "), SealedJson.mismatch(edited, value));
        assertTrue(SealedJson.mismatch(sealed, 7).contains("not crc32c: and 8 hex digits"));
    }

    @Test
    void reasonsAreTheOperatingSystemsInPlainWords() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class,
                () -> DurableFiles.requireWritableDirectory(file.resolve("sub")));
        assertEquals("cannot create the directory " + file.resolve("sub") + ": " + file.toAbsolutePath()
                + " is a regular file, not a directory", e.getMessage());
        e = assertThrows(IOException.class, () -> DurableFiles.requireWritableDirectory(file));
        assertTrue(e.getMessage().endsWith("is a regular file, not a directory"), e.getMessage());
        DurableFiles.requireWritableDirectory(dir.resolve("new").resolve("deeper"));
        assertTrue(Files.isDirectory(dir.resolve("new").resolve("deeper")));
    }
}
