package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The few allocation-free BLAS calls the hot loop uses; each works on whole contiguous arrays. */
final class Linalg {

    private Linalg() {
    }

    /** {@code y += alpha * x}. */
    static void axpy(double alpha, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
    }

    /** {@code <x, y>} over all elements. */
    static double dot(INDArray x, INDArray y) {
        return Nd4j.getBlasWrapper().dot(x, y);
    }

    /** {@code ||x||^2} (Frobenius), as a BLAS dot product: several times cheaper per call than a reduction op. */
    static double sumSquares(INDArray x) {
        return Nd4j.getBlasWrapper().dot(x, x);
    }

    /** {@code c = alpha * op(a) op(b)}, written into the preallocated {@code c}, no transpose copies. */
    static void gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB, double alpha, INDArray c) {
        Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, 0.0);
    }

    /**
     * Estimate of {@code ||a||_2^2}, the largest eigenvalue of {@code a^T a}, by power iteration warm-started from
     * {@code v} (a column of length {@code a.columns()}, updated in place to the new estimate of the leading
     * right singular vector). The Rayleigh quotient never exceeds the true value; the steps that use it guard
     * against the shortfall with their acceptance tests.
     */
    static double spectralNormSquared(INDArray a, INDArray v, int iterations) {
        double estimate = 0;
        for (int i = 0; i < iterations; i++) {
            double norm = v.norm2Number().doubleValue();
            if (!(norm > 0) || !Double.isFinite(norm)) {
                v.assign(1.0);
                norm = v.norm2Number().doubleValue();
            }
            v.divi(norm);
            INDArray av = a.mmul(v);
            estimate = sumSquares(av);
            INDArray next = a.transpose().mmul(av);
            v.assign(next);
        }
        return estimate;
    }
}
