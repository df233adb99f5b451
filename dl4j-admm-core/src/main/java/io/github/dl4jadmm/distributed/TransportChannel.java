package io.github.dl4jadmm.distributed;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.Direction;
import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.LinkCodecs;
import io.github.dl4jadmm.comm.Transfer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link Channel} of one rank of a distributed run: tensors are encoded by the codec exactly as in the single-JVM
 * {@link io.github.dl4jadmm.comm.LocalChannel}; a link whose two ends live on this rank keeps its message in a local
 * mailbox, a link to another rank hands the encoded bytes to the {@link MessageTransport}, and
 * {@link #receive} waits for them. The byte counters count the same encoded messages as the local channel, so the
 * counts of all ranks add up to those of the single-JVM run.
 *
 * <p>A link's ends are units numbered from 1 (layers for pdADMM-G, workers for Q-GADMM); {@code owner} maps a unit
 * to the rank that holds it.
 */
public final class TransportChannel implements Channel {

    private final LinkCodecs links;
    private final MessageTransport transport;
    private final IntUnaryOperator owner;
    private final Duration timeout;
    private final Map<Transfer, ByteBuffer> mailboxes = new ConcurrentHashMap<>();
    private final AtomicLong forwardBytes = new AtomicLong();
    private final AtomicLong backwardBytes = new AtomicLong();
    private final AtomicLong remoteBytes = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();

    /**
     * @param codec     the wire format of every link
     * @param transport carries the messages to other ranks
     * @param owner     the rank holding unit {@code u} (1-based)
     * @param timeout   how long {@link #receive} waits for a message from another rank
     */
    public TransportChannel(TensorCodec codec, MessageTransport transport, IntUnaryOperator owner, Duration timeout) {
        if (codec == null || transport == null || owner == null || timeout == null) {
            throw new IllegalArgumentException("codec, transport, owner and timeout must not be null");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.links = new LinkCodecs(codec);
        this.transport = transport;
        this.owner = owner;
        this.timeout = timeout;
    }

    /** The message tag of a link: two per boundary, one per direction. */
    static int tag(Transfer link) {
        return 2 * link.boundary() + (link.direction() == Direction.FORWARD ? 0 : 1);
    }

    @Override
    public INDArray send(Transfer link, INDArray value) {
        int from = owner.applyAsInt(link.sender());
        if (from != transport.rank()) {
            throw new IllegalStateException("rank " + transport.rank() + " sends on " + link + " but its sender, unit "
                    + link.sender() + ", lives on rank " + from);
        }
        EncodedTensor encoded = links.encoder(link).encode(value);
        ByteBuffer message = encoded.message().asReadOnlyBuffer();
        int length = message.remaining();
        int to = owner.applyAsInt(link.receiver());
        if (to == transport.rank()) {
            if (mailboxes.put(link, message) != null) {
                throw new IllegalStateException("link " + link + " already holds an unread message: "
                        + "a unit sent twice in one iteration");
            }
        } else {
            transport.send(to, tag(link), message);
            remoteBytes.addAndGet(length);
        }
        (link.direction() == Direction.FORWARD ? forwardBytes : backwardBytes).addAndGet(length);
        messages.incrementAndGet();
        return encoded.reconstruction();
    }

    @Override
    public INDArray receive(Transfer link) {
        int from = owner.applyAsInt(link.sender());
        ByteBuffer message;
        if (from == transport.rank()) {
            message = mailboxes.remove(link);
            if (message == null) {
                throw new IllegalStateException("nothing was sent on link " + link + " before it was read");
            }
        } else {
            message = transport.receive(from, tag(link), timeout);
        }
        return links.decode(link, message);
    }

    @Override
    public long bytesSent() {
        return forwardBytes.get() + backwardBytes.get();
    }

    @Override
    public long bytesSent(Direction direction) {
        return (direction == Direction.FORWARD ? forwardBytes : backwardBytes).get();
    }

    /** Bytes of the messages that went to other ranks (what the transport was handed). */
    public long remoteBytesSent() {
        return remoteBytes.get();
    }

    @Override
    public long messagesSent() {
        return messages.get();
    }

    @Override
    public Map<String, byte[]> codecStates() {
        return links.states();
    }

    @Override
    public void restoreCodecStates(Map<String, byte[]> states) {
        links.restore(states);
    }

    /** The transport underneath; closing the channel does not close it (its owner does). */
    public MessageTransport transport() {
        return transport;
    }
}
