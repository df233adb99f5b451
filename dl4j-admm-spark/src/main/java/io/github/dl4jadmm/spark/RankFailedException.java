package io.github.dl4jadmm.spark;

/** A {@link RankTask} threw a checked exception; the message names the rank and the stage attempt. */
public class RankFailedException extends RuntimeException {

    public RankFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
