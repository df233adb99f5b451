package io.github.dl4jadmm.comm;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Receiving end of one link; the mirror of {@link TensorEncoder}, with its own copy of any per-link state. */
public interface TensorDecoder extends LinkEndState {

    /**
     * Decodes one message produced by the matching encoder.
     *
     * @throws IllegalArgumentException if the message is malformed (wrong magic, truncated, unknown kind)
     */
    INDArray decode(ByteBuffer message);

    /**
     * Decodes one message, writing the values into {@code reuse} instead of a new array where this decoder can:
     * {@code reuse} is the array this decoder returned for the previous message on the same link, which its
     * receiver no longer needs (see {@link Channel#receive}). A large tensor arriving every iteration then costs
     * no allocation, no zeroing of fresh pages and no garbage for the collector. The default decodes into a new
     * array.
     *
     * @param reuse the previous result on this link, or null
     * @return {@code reuse} holding the new values, or a new array
     */
    default INDArray decode(ByteBuffer message, INDArray reuse) {
        return decode(message);
    }
}
