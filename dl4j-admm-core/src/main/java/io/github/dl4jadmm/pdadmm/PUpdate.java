package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.quant.QuantizationGrid;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 1 of algorithms.md §1.1, the input of layer {@code l >= 2}: one linearised step on
 * <pre>
 *   phi(p) = nu/2 ||z_l - p W_l - b_l||^2 + &lt;u_{l-1}, p - q_{l-1}&gt; + rho/2 ||p - q_{l-1}||^2
 *   g      = nu (p W_l + b_l - z_l) W_l^T + u_{l-1} + rho (p - q_{l-1})
 *   p+     = p - g / tau,   accepted when phi(p+) &lt;= phi(p) - ||g||^2 / (2 tau), else tau doubles.
 * </pre>
 * The acceptance test is the standard sufficient-decrease form of
 * {@code phi(p+) <= phi(p) + <g, p+ - p> + tau/2 ||p+ - p||^2} for {@code p+ - p = -g/tau}. In pdADMM-G-Q
 * (algorithms.md §2) {@code p} is constrained to a grid {@code Delta}: the step becomes
 * {@code p+ = Proj_Delta(p - g/tau)} with the same acceptance test in its general form. Buffers are owned by the
 * instance so the hot loop allocates nothing of size {@code N x n}.
 */
public final class PUpdate {

    private final INDArray residual;
    private final INDArray gradient;
    private final INDArray difference;

    /** Buffers for {@code rows x nIn} inputs of a layer with {@code nOut} outputs, in {@code like}'s type. */
    public PUpdate(INDArray pLike, INDArray zLike) {
        this.residual = zLike.ulike();
        this.gradient = pLike.ulike();
        this.difference = pLike.ulike();
    }

    /** Its scratch buffers, for {@link LayerBlock#release()}. */
    List<INDArray> buffers() {
        return List.of(residual, gradient, difference);
    }

    /**
     * Performs the step.
     *
     * @param p            current input {@code p_l} ({@code N x nIn}), not modified
     * @param pW           {@code p W_l}, the cached product for the current {@code p} and {@code W}
     * @param w            {@code W_l}
     * @param b            {@code b_l}, a row {@code 1 x nOut}
     * @param z            {@code z_l}
     * @param qLeft        {@code q_{l-1}}, the left neighbour's output
     * @param uLeft        {@code u_{l-1}}, the dual of the left boundary
     * @param tau          initial curvature estimate (e.g. {@code nu ||W||_2^2 + rho}); doubled until accepted
     * @param maxDoublings cap on doublings; when hit, {@code pOut} and {@code pWOut} get the old values
     * @param pOut         receives {@code p+}
     * @param pWOut        receives {@code p+ W_l}
     */
    public StepOutcome apply(INDArray p, INDArray pW, INDArray w, INDArray b, INDArray z, INDArray qLeft,
                             INDArray uLeft, double nu, double rho, double tau, int maxDoublings,
                             INDArray pOut, INDArray pWOut) {
        return apply(p, pW, w, b, z, qLeft, uLeft, nu, rho, tau, maxDoublings, null, pOut, pWOut);
    }

    /**
     * The projected step {@code p+ = Proj_grid(p - g/tau)} of pdADMM-G-Q; with {@code grid == null} the plain
     * step. Parameters as in the other overload.
     */
    public StepOutcome apply(INDArray p, INDArray pW, INDArray w, INDArray b, INDArray z, INDArray qLeft,
                             INDArray uLeft, double nu, double rho, double tau, int maxDoublings,
                             QuantizationGrid grid, INDArray pOut, INDArray pWOut) {
        double before = value(pW, b, z, p, qLeft, uLeft, nu, rho);
        // g = nu r W^T + u + rho (p - q); residual and difference still hold r and p - q from value(..)
        Linalg.gemm(residual, false, w, true, nu, gradient);
        gradient.addi(uLeft);
        Linalg.axpy(rho, difference, gradient);
        double gradientSquared = Linalg.sumSquares(gradient);
        double slack = tolerance(p) * Math.max(1, Math.abs(before));
        for (int doublings = 0; doublings <= maxDoublings; doublings++, tau *= 2) {
            pOut.assign(p);
            Linalg.axpy(-1 / tau, gradient, pOut);
            // model decrease <g, p+ - p> + tau/2 ||p+ - p||^2, which is -||g||^2 / (2 tau) without projection
            double modelDecrease = -gradientSquared / (2 * tau);
            if (grid != null) {
                grid.projectInPlace(pOut);
                difference.assign(pOut).subi(p);
                modelDecrease = Linalg.dot(gradient, difference) + tau / 2 * Linalg.sumSquares(difference);
            }
            Linalg.gemm(pOut, false, w, false, 1, pWOut);
            double after = value(pWOut, b, z, pOut, qLeft, uLeft, nu, rho);
            if (after <= before + modelDecrease + slack) {
                return new StepOutcome(before, after, tau, doublings, true);
            }
        }
        pOut.assign(p);
        pWOut.assign(pW);
        return new StepOutcome(before, before, tau / 2, maxDoublings, false);
    }

    /**
     * {@code phi(p)} given {@code pW = p W}; leaves {@code pW + b - z} in the residual buffer and {@code p - q}
     * in the difference buffer.
     */
    private double value(INDArray pW, INDArray b, INDArray z, INDArray p, INDArray qLeft, INDArray uLeft,
                         double nu, double rho) {
        residual.assign(pW).addiRowVector(b).subi(z);
        difference.assign(p).subi(qLeft);
        return nu / 2 * Linalg.sumSquares(residual) + Linalg.dot(uLeft, difference)
                + rho / 2 * Linalg.sumSquares(difference);
    }

    /** Relative rounding slack of the acceptance test: a few ulps of the array's type, accumulated over sums. */
    static double tolerance(INDArray like) {
        return like.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? 1e-12 : 1e-5;
    }
}
