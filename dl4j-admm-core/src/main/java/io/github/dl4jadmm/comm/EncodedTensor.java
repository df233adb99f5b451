package io.github.dl4jadmm.comm;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of encoding one tensor: the bytes that travel, and the value that the receiver will reconstruct
 * from them. The sender adopts {@code reconstruction} as its own copy so that both ends of a link hold the
 * same value (for a lossless codec it is the input itself).
 *
 * @param message        the encoded message, positioned at its first byte; {@code remaining()} is its size
 * @param reconstruction what {@link TensorDecoder#decode} will return for {@code message}
 */
public record EncodedTensor(ByteBuffer message, INDArray reconstruction) {

    /** Size of the message on the wire, in bytes. */
    public int sizeInBytes() {
        return message.remaining();
    }
}
