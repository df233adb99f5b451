package io.github.dl4jadmm.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * File operations for checkpoints that survive a crash or a power cut: files forced to disk before anything points
 * to them, atomic replacement, and directories checked for writing before a long run starts, with the operating
 * system's reason when they cannot be written ("permission denied", "read-only file system", a file in the way).
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** Forces a regular file's contents to disk. */
    public static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /**
     * Forces a directory's entries (names, renames) to disk, where the platform allows it (Linux and macOS do;
     * Windows cannot open a directory, and its renames are durable without).
     */
    public static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort by design: there is nothing a caller could do differently
        }
    }

    /** Forces every file and directory under {@code directory} (itself included) to disk. */
    public static void forceTree(Path directory) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(directory)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                force(p);
            } else if (Files.isDirectory(p)) {
                forceDirectory(p);
            }
        }
    }

    /**
     * Creates {@code directory} if needed and checks that a file can be written into it.
     *
     * @throws IOException with a message naming the directory and the reason ({@link #reason}) if not
     */
    public static void requireWritableDirectory(Path directory) throws IOException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IOException("cannot create the directory " + directory + ": " + reason(e), e);
        }
        try {
            Path probe = Files.createTempFile(directory, ".write-test-", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("cannot write into " + directory + ": " + reason(e), e);
        }
    }

    /**
     * Why a file operation failed, in the operating system's words where Java hides them behind an exception type:
     * "permission denied", "read-only file system", "no space left on device", "X is a regular file, not a
     * directory".
     */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f && f.getFile() != null) {
            Path path = Path.of(f.getFile());
            return Files.isDirectory(path) ? path + " already exists" : notADirectory(path);
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            if (f.getReason().equalsIgnoreCase("Not a directory") && f.getFile() != null) {
                // the path itself does not exist: one of its parents is a file
                for (Path p = Path.of(f.getFile()).toAbsolutePath(); p != null; p = p.getParent()) {
                    if (Files.exists(p) && !Files.isDirectory(p)) {
                        return notADirectory(p);
                    }
                }
            }
            return f.getReason().toLowerCase(Locale.ROOT);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String notADirectory(Path path) {
        return path + (Files.isRegularFile(path) ? " is a regular file" : " exists") + ", not a directory";
    }
}
