package io.github.dl4jadmm.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that is damaged: missing, truncated, with changed bits (its checksum does not match), or not the
 * JSON or array it should be. The message names the file, what is wrong with it and what the user can do.
 */
public final class CorruptCheckpointException extends IOException {

    private final transient Path file;
    private final String problem;

    /**
     * @param file    the damaged file
     * @param problem what is wrong with it, e.g. "it is 12 bytes long but 4096 were written: it is truncated"
     * @param advice  what the user can do, e.g. which older checkpoint to resume from
     * @param cause   the error that found the damage, or null
     */
    public CorruptCheckpointException(Path file, String problem, String advice, Throwable cause) {
        super("checkpoint file " + file + " is damaged: " + problem + ". " + advice, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** What is wrong with the file, without the advice (a caller that knows better advice gives its own). */
    public String problem() {
        return problem;
    }
}
