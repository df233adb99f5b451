package io.github.dl4jadmm.comm;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The only way a layer block sees its neighbours: tensors are encoded to bytes, delivered, decoded on the other
 * side and counted. The single-JVM path and a multi-process transport implement the same interface.
 *
 * <p>Ordering contract: within one iteration a link carries exactly one message; {@link #send} for a link happens
 * before the matching {@link #receive} (the engine separates them with a phase barrier).
 */
public interface Channel extends AutoCloseable {

    /**
     * Encodes {@code value} and delivers it on {@code link}.
     *
     * @return the reconstruction the receiver will decode; the sender should adopt it as its own copy
     */
    INDArray send(Transfer link, INDArray value);

    /**
     * Decodes the message last delivered on {@code link}. The array returned is the receiver's until the next
     * receive on the same link, which may write the next message into it (a channel over a transport reuses it,
     * see {@link TensorDecoder#decode(ByteBuffer, INDArray)}): keep a copy of anything needed for longer.
     *
     * @throws IllegalStateException if nothing was sent on the link since the last receive
     */
    INDArray receive(Transfer link);

    /** Total bytes of encoded messages sent so far, over all links. */
    long bytesSent();

    /** Bytes of encoded messages sent so far in one direction. */
    long bytesSent(Direction direction);

    /** Number of messages sent so far, over all links. */
    long messagesSent();

    /**
     * The state that this channel's link encoders and decoders carry between messages, by link end (see
     * {@link LinkCodecs#states()}), for checkpoints: taken between iterations, when no message is in flight.
     */
    default Map<String, byte[]> codecStates() {
        return Map.of();
    }

    /** Puts back {@link #codecStates()} of a channel of the same codec, before its first message. */
    default void restoreCodecStates(Map<String, byte[]> states) {
        if (!states.isEmpty()) {
            throw new UnsupportedOperationException(getClass().getName() + " cannot restore codec states");
        }
    }

    @Override
    default void close() {
    }
}
