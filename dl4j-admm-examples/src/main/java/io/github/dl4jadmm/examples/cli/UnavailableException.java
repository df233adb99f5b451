package io.github.dl4jadmm.examples.cli;

/**
 * A command or suite that this build does not contain (its implementation is not on the class path). The command
 * line reports the message and exits with {@link AdmmCli#EXIT_UNAVAILABLE}.
 */
public final class UnavailableException extends RuntimeException {

    public UnavailableException(String message) {
        super(message);
    }
}
