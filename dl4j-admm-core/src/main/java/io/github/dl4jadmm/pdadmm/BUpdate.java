package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        apply(z, pW, Nd4j.ones(z.dataType(), 1, z.rows()), b);
    }

    /**
     * The same with a caller-owned row of ones ({@code 1 x N}): {@code b = (1/N) 1^T z - (1/N) 1^T pW} as two
     * BLAS products into {@code b}, no {@code N x n} temporary (a column reduction of a C-ordered array is several
     * times slower).
     */
    public static void apply(INDArray z, INDArray pW, INDArray onesRow, INDArray b) {
        double scale = 1.0 / z.rows();
        INDArray row = b.reshape(1, b.length());
        Nd4j.gemm(onesRow, z, row, false, false, scale, 0.0);
        Nd4j.gemm(onesRow, pW, row, false, false, -scale, 1.0);
    }
}
