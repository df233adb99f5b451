package io.github.dl4jadmm.distributed;

/** A peer stopped the run (it failed and called {@link MessageTransport#abort}), or sent a corrupt message. */
public class PeerFailedException extends TransportException {

    private final int peer;

    public PeerFailedException(int peer, String message) {
        super(message);
        this.peer = peer;
    }

    /** The rank that failed or sent the corrupt message. */
    public int peer() {
        return peer;
    }
}
