package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Step 5 of algorithms.md §1.1, the output pre-activation: {@code z_L = argmin_z R(z; Y) + nu/2 ||z - m||^2}
 * with {@code m = p_L W_L + b_L}.
 * <ul>
 *   <li>Squared error {@code R = 1/2 ||z - Y||^2}: {@code z = (Y + nu m) / (1 + nu)}.</li>
 *   <li>Softmax cross-entropy: FISTA that keeps the quadratic exact and linearises the risk,
 *       {@code zeta = (nu m + (y - eta (softmax(y) - Y)) / eta) / (nu + 1/eta)}, with the usual momentum.
 *       The softmax-CE gradient is 1/2-Lipschitz per sample, so {@code eta <= 2} is safe (the published
 *       {@code eta = 4} is not). Warm-started from the previous {@code z_L}; stops when the relative change
 *       falls below the tolerance or after the iteration cap; never returns a point worse than the start.</li>
 * </ul>
 */
public final class ZOutputUpdate {

    private ZOutputUpdate() {
    }

    /**
     * Replaces {@code z} (the previous {@code z_L} on entry) by the minimiser.
     *
     * @return the number of FISTA iterations taken (0 for the closed form)
     */
    public static int apply(OutputRisk risk, INDArray m, INDArray labels, INDArray z, double nu,
                            double eta, int maxIterations, double tolerance) {
        if (risk == OutputRisk.SQUARED_ERROR) {
            z.assign(m).muli(nu).addi(labels).divi(1 + nu);
            return 0;
        }
        return fista(m, labels, z, nu, eta, maxIterations, tolerance);
    }

    /** Value of the output subproblem {@code R(z; Y) + nu/2 ||z - m||^2}. */
    public static double objective(OutputRisk risk, INDArray m, INDArray labels, INDArray z, double nu) {
        double d = z.distance2(m);
        return risk.value(z, labels) + nu / 2 * d * d;
    }

    private static int fista(INDArray m, INDArray labels, INDArray z, double nu, double eta, int maxIterations,
                             double tolerance) {
        double startValue = objective(OutputRisk.SOFTMAX_CROSS_ENTROPY, m, labels, z, nu);
        INDArray start = z.dup();
        INDArray extrapolated = z.dup();
        INDArray previous = z.dup();
        double t = 1;
        double denominator = nu * eta + 1;
        int it = 0;
        while (it < maxIterations) {
            it++;
            // zeta = (nu eta m + y - eta (softmax(y) - Y)) / (nu eta + 1)
            INDArray gradient = Transforms.softmax(extrapolated, true).subi(labels);
            previous.assign(z);
            z.assign(m).muli(nu * eta).addi(extrapolated).subi(gradient.muli(eta)).divi(denominator);
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            double momentum = (t - 1) / tNext;
            t = tNext;
            // y = z + momentum (z - previous)
            extrapolated.assign(z).subi(previous).muli(momentum).addi(z);
            double change = z.distance2(previous);
            double scale = Math.max(z.norm2Number().doubleValue(), 1e-12);
            if (change <= tolerance * scale) {
                break;
            }
        }
        if (objective(OutputRisk.SOFTMAX_CROSS_ENTROPY, m, labels, z, nu) > startValue) {
            z.assign(start);
        }
        return it;
    }
}
