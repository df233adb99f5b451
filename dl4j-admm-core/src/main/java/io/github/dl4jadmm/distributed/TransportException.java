package io.github.dl4jadmm.distributed;

/** A message could not be sent or received; the message says which rank, which peer and why. */
public class TransportException extends RuntimeException {

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
