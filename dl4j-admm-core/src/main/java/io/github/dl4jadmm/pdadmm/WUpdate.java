package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 2 of algorithms.md §1.1, the weights of layer {@code l}: one linearised step on
 * <pre>
 *   psi(W) = nu/2 ||z_l - p_l W - b_l||^2 + mu/2 ||W||^2
 *   G      = nu p_l^T (p_l W + b_l - z_l) + mu W
 *   W+     = W - G / theta,   accepted when psi(W+) &lt;= psi(W) - ||G||^2 / (2 theta), else theta doubles.
 * </pre>
 * The curvature of {@code psi} is {@code nu ||p_l||_2^2 + mu}; a {@code theta} at least that large is always
 * accepted. {@code mu} is the weight decay that decides generalisation (algorithms.md §1.1, last paragraph).
 */
public final class WUpdate {

    private final INDArray residual;
    private final INDArray gradient;

    /** Buffers shaped like {@code W} and like {@code z}. */
    public WUpdate(INDArray wLike, INDArray zLike) {
        this.residual = zLike.ulike();
        this.gradient = wLike.ulike();
    }

    /**
     * Performs the step.
     *
     * @param p     the layer input {@code p_l}
     * @param w     current {@code W_l}, not modified
     * @param pW    {@code p_l W_l} for the current values
     * @param theta initial curvature estimate, doubled until accepted
     * @param wOut  receives {@code W+}
     * @param pWOut receives {@code p_l W+}
     */
    public StepOutcome apply(INDArray p, INDArray w, INDArray pW, INDArray b, INDArray z, double nu, double mu,
                             double theta, int maxDoublings, INDArray wOut, INDArray pWOut) {
        double before = value(pW, b, z, w, nu, mu);
        Linalg.gemm(p, true, residual, false, nu, gradient);
        if (mu != 0) {
            Linalg.axpy(mu, w, gradient);
        }
        double gradientSquared = Linalg.sumSquares(gradient);
        double slack = PUpdate.tolerance(w) * Math.max(1, Math.abs(before));
        for (int doublings = 0; doublings <= maxDoublings; doublings++, theta *= 2) {
            wOut.assign(w);
            Linalg.axpy(-1 / theta, gradient, wOut);
            Linalg.gemm(p, false, wOut, false, 1, pWOut);
            double after = value(pWOut, b, z, wOut, nu, mu);
            if (after <= before - gradientSquared / (2 * theta) + slack) {
                return new StepOutcome(before, after, theta, doublings, true);
            }
        }
        wOut.assign(w);
        pWOut.assign(pW);
        return new StepOutcome(before, before, theta / 2, maxDoublings, false);
    }

    /** {@code psi(W)} given {@code pW = p W}; leaves {@code pW + b - z} in the residual buffer. */
    private double value(INDArray pW, INDArray b, INDArray z, INDArray w, double nu, double mu) {
        residual.assign(pW).addiRowVector(b).subi(z);
        double v = nu / 2 * Linalg.sumSquares(residual);
        return mu == 0 ? v : v + mu / 2 * Linalg.sumSquares(w);
    }
}
