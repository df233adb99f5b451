package io.github.dl4jadmm.distributed;

/** A peer did not connect, or did not send an expected message, within the allowed time. */
public class TransportTimeoutException extends TransportException {

    public TransportTimeoutException(String message) {
        super(message);
    }
}
