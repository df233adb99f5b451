package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 3 of algorithms.md §1.1: the exact minimiser of {@code nu/2 ||z_l - p_l W_l - b||^2} over the bias,
 * {@code b_l = column mean of (z_l - p_l W_l)}. (The paper's printed linearised b-step sums over samples and
 * diverges; it is deliberately not used.)
 */
public final class BUpdate {

    private BUpdate() {
    }

    /** Writes the minimiser into {@code b} (a {@code 1 x nOut} row) from {@code z} and {@code pW = p W}. */
    public static void apply(INDArray z, INDArray pW, INDArray b) {
        // mean(z - pW) = mean(z) - mean(pW): two column reductions, no N x n temporary
        b.assign(z.mean(0).reshape(b.shape())).subi(pW.mean(0).reshape(b.shape()));
    }
}
