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
}
