package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.linalg.CholeskyFactor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
    private CholeskyFactor cachedFactor;
    private double cachedNu = Double.NaN;
    private double cachedMu = Double.NaN;

    /** Buffers shaped like {@code W} and like {@code z}. */
    public WUpdate(INDArray wLike, INDArray zLike) {
        this.residual = zLike.ulike();
        this.gradient = wLike.ulike();
    }

    /** Its scratch buffers, for {@link LayerBlock#release()}. */
    List<INDArray> buffers() {
        return List.of(residual, gradient);
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

    /**
     * The exact minimiser of {@code psi} instead of one linearised step (our extension, {@link WStep#EXACT}),
     * by a Cholesky solve:
     * {@code (nu p^T p + mu I) W = nu p^T (z - b)}, solved on the smaller side of {@code p}: directly when
     * {@code nIn <= N}, else as {@code W = p^T C} with {@code (nu p p^T + mu I) C = nu (z - b)}. A ridge of
     * {@code 1e-6} times the mean diagonal keeps the system positive definite when {@code mu = 0}. The result is
     * kept only if {@code psi} does not increase (rounding), so the step is always a descent step.
     *
     * @param inputFixed whether {@code p} never changes between calls (layer 1, whose input is the data): the
     *                   Cholesky factor is then cached for as long as {@code nu} and {@code mu} stay the same
     */
    public StepOutcome exact(INDArray p, INDArray w, INDArray pW, INDArray b, INDArray z, double nu, double mu,
                             boolean inputFixed, INDArray wOut, INDArray pWOut) {
        double before = value(pW, b, z, w, nu, mu);
        INDArray target = z.subRowVector(b);
        long samples = p.rows();
        long inputs = p.columns();
        boolean primal = inputs <= samples;
        CholeskyFactor factor = inputFixed && nu == cachedNu && mu == cachedMu ? cachedFactor : null;
        if (factor == null) {
            long side = primal ? inputs : samples;
            INDArray gram = Nd4j.create(p.dataType(), side, side);
            Linalg.gemm(p, primal, p, !primal, nu, gram);
            factor = regularised(gram, mu);
            if (inputFixed) {
                cachedFactor = factor;
                cachedNu = nu;
                cachedMu = mu;
            }
        }
        if (primal) {
            INDArray rhs = Nd4j.create(p.dataType(), inputs, target.columns());
            Linalg.gemm(p, true, target, false, nu, rhs);
            wOut.assign(factor.solve(rhs));
        } else {
            INDArray c = factor.solve(target).muli(nu);
            Linalg.gemm(p, true, c, false, 1, wOut);
        }
        Linalg.gemm(p, false, wOut, false, 1, pWOut);
        double after = value(pWOut, b, z, wOut, nu, mu);
        if (!(after <= before + PUpdate.tolerance(w) * Math.max(1, Math.abs(before)))) {
            wOut.assign(w);
            pWOut.assign(pW);
            return new StepOutcome(before, before, Double.NaN, 0, false);
        }
        return new StepOutcome(before, after, Double.NaN, 0, true);
    }

    /** Cholesky factor of {@code gram + (mu + ridge) I}, the ridge 1e-6 of the mean diagonal (at least 1e-12). */
    private static CholeskyFactor regularised(INDArray gram, double mu) {
        double ridge = 1e-6 * Math.max(trace(gram) / gram.rows(), 1e-6);
        return CholeskyFactor.of(gram, mu + ridge);
    }

    private static double trace(INDArray a) {
        double t = 0;
        for (long i = 0; i < a.rows(); i++) {
            t += a.getDouble(i, i);
        }
        return t;
    }

    /** {@code psi(W)} given {@code pW = p W}; leaves {@code pW + b - z} in the residual buffer. */
    private double value(INDArray pW, INDArray b, INDArray z, INDArray w, double nu, double mu) {
        residual.assign(pW).addiRowVector(b).subi(z);
        double v = nu / 2 * Linalg.sumSquares(residual);
        return mu == 0 ? v : v + mu / 2 * Linalg.sumSquares(w);
    }
}
