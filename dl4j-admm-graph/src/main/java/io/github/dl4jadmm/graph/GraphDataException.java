package io.github.dl4jadmm.graph;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Graph data on disk could not be read: a file is missing, corrupt, fails its checksum, or holds values that do not
 * form a valid graph. The message names the file and the problem; {@link #file()} gives the file when there is one.
 */
public class GraphDataException extends IOException {

    private final transient Path file;

    /**
     * @param file    the file at fault, or {@code null} when the problem is not about one file
     * @param message what is wrong and what to do about it
     */
    public GraphDataException(Path file, String message) {
        super(message);
        this.file = file;
    }

    /**
     * @param file    the file at fault, or {@code null} when the problem is not about one file
     * @param message what is wrong and what to do about it
     * @param cause   the underlying error
     */
    public GraphDataException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file at fault, if the problem is about one file. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}
