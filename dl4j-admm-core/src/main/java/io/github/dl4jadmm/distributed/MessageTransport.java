package io.github.dl4jadmm.distributed;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Moves byte messages between the ranks of a distributed run (blocks of pdADMM-G, or chain workers of Q-GADMM), the
 * layer under {@link TransportChannel}. A rank talks only to the peers it was connected to (its chain neighbours).
 * Messages from one peer under one tag arrive in the order they were sent, none is dropped or duplicated: a
 * transport that cannot deliver throws.
 *
 * <p>Implementations: {@link InJvmTransport} (ranks are threads of one JVM; the default and the reference) and
 * {@code AeronTransport} (ranks are processes, messages travel over Aeron UDP).
 *
 * <p>Thread-safety: {@link #send} and {@link #receive} may be called from several threads at once, for different
 * (peer, tag) pairs.
 */
public interface MessageTransport extends AutoCloseable {

    /** Tags below this value are reserved for the transport's own collectives ({@link ChainCollective}). */
    int FIRST_USER_TAG = 0;

    /** This process's rank, {@code 0 .. size()-1}. */
    int rank();

    /** Number of ranks of the run. */
    int size();

    /**
     * Sends {@code message} (its remaining bytes; any length) to {@code peer} under {@code tag}. Returns once the
     * bytes are handed to the transport; the caller may reuse the buffer afterwards.
     *
     * @throws TransportException if the message cannot be delivered (peer gone, deadline passed, transport closed
     *                            or aborted); the message is never dropped silently
     */
    void send(int peer, int tag, ByteBuffer message);

    /**
     * The next message from {@code peer} under {@code tag}, waiting at most {@code timeout}.
     *
     * @throws TransportTimeoutException if nothing arrived in time (names the peer, the tag and the wait)
     * @throws PeerFailedException       if the peer aborted ({@link #abort}) or a message from it was corrupt
     */
    ByteBuffer receive(int peer, int tag, Duration timeout);

    /**
     * Tells every connected peer that this rank stops because of {@code reason}; their pending and later
     * {@link #receive} calls on this rank fail fast with a {@link PeerFailedException} naming this rank and the
     * reason. Never throws; idempotent.
     */
    void abort(String reason);

    /** Bytes of messages handed to {@link #send} so far (the codec's encoded bytes, framing excluded). */
    long bytesSent();

    /** Bytes put on the wire so far, framing included (equal to {@link #bytesSent()} in memory). */
    long wireBytesSent();

    /**
     * Ends the run with every peer (a closing handshake, so that no message still in flight is lost) and releases
     * the transport's resources. Idempotent.
     */
    @Override
    void close();
}
