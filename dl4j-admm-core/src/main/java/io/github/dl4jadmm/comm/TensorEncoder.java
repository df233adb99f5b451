package io.github.dl4jadmm.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sending end of one link. Stateful codecs (delta coding keeps the last reconstruction) keep their per-link
 * state here (see {@link LinkEndState}), so one instance serves exactly one {@link Transfer}.
 */
public interface TensorEncoder extends LinkEndState {

    /** Encodes {@code value} to bytes; the value itself is not modified. */
    EncodedTensor encode(INDArray value);
}
