package io.github.dl4jadmm.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that is damaged: missing, truncated, with changed bits (its checksum does not match), or not the
 * JSON or array it should be. The message names the file, what is wrong with it and what the user can do.
 */
public final class CorruptCheckpointException extends IOException {

    private final transient Path file;

    /**
     * @param file    the damaged file
     * @param message what is wrong and what to do, naming the file
     * @param cause   the error that found the damage, or null
     */
    public CorruptCheckpointException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }
}
