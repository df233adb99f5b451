package io.github.dl4jadmm.distributed;

import java.time.Duration;

/** A peer did not connect, or did not send an expected message, within the allowed time. */
public class TransportTimeoutException extends TransportException {

    public TransportTimeoutException(String message) {
        super(message);
    }

    /**
     * Rank {@code rank} waited {@code timeout} for the message with {@code tag} from {@code peer}; none came. The
     * message says that the peer may have died and how to go on: restart every rank with the same command, which
     * resumes from the newest checkpoint that all ranks have.
     */
    public static TransportTimeoutException noMessage(int rank, int peer, int tag, Duration timeout) {
        return new TransportTimeoutException("rank " + rank + " waited " + timeout.toMillis()
                + " ms for a message (tag " + tag + ") from rank " + peer + "; none came. Rank " + peer + " may have died "
                + "or be stalled: check its output, then restart every rank with the same command (with "
                + "--checkpoint-dir they resume from the newest checkpoint all ranks have), or raise --timeout if it "
                + "is only slow");
    }
}
