package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 4 of algorithms.md §1.1, the pre-activation of a hidden layer. With {@code m = p_l W_l + b_l} and
 * {@code z0} the previous {@code z_l}, every element solves
 * <pre>   min_z  h(z) = (z - m)^2 + (q_l - f(z))^2 + (z - z0)^2 </pre>
 * (the proximal term makes the augmented Lagrangian decrease; its weight equals the others').
 * <ul>
 *   <li>ReLU: candidates {@code z- = min((m + z0)/2, 0)} and {@code z+ = max((m + q + z0)/3, 0)}; the one with
 *       the smaller {@code h} wins.</li>
 *   <li>Leaky ReLU (slope a): {@code z- = min((m + a q + z0)/(2 + a^2), 0)} and the same {@code z+}.</li>
 *   <li>Identity: {@code (m + q + z0)/3}.</li>
 *   <li>tanh, sigmoid: safeguarded Newton from {@code z0} and from {@code (m + q + z0)/3} (curvature floored at
 *       the Gauss-Newton value {@code 4 + 2 f'^2}, step halved until {@code h} decreases); the better end point
 *       wins, so {@code h} never exceeds {@code h(z0)}.</li>
 * </ul>
 */
public final class ZHiddenUpdate {

    /** Newton iterations for tanh and sigmoid. */
    static final int NEWTON_ITERATIONS = 12;

    private ZHiddenUpdate() {
    }

    /**
     * Replaces every element of {@code z} (which holds {@code z0} on entry) by the minimiser of {@code h}.
     *
     * @param f the hidden activation
     * @param m {@code p_l W_l + b_l}
     * @param q the layer's output {@code q_l}
     * @param z on entry {@code z0}, on exit the new {@code z_l}; contiguous C order
     */
    public static void apply(HiddenActivation f, INDArray m, INDArray q, INDArray z) {
        apply(f, m, null, q, z);
    }

    /**
     * The same with {@code m = pW + b} formed on the fly, one pass over the data instead of three.
     *
     * @param pW   {@code p_l W_l} ({@code N x n})
     * @param bias {@code b_l} ({@code 1 x n}), or null when {@code pW} already is {@code m}
     */
    public static void apply(HiddenActivation f, INDArray pW, INDArray bias, INDArray q, INDArray z) {
        Elements me = Elements.of(pW);
        Elements qe = Elements.of(q);
        Elements ze = Elements.of(z);
        Elements.readOnHost(pW, q, z);
        int n = ze.size();
        int width = Math.toIntExact(z.columns());
        double[] b = new double[width];
        if (bias != null) {
            Elements.readOnHost(bias);
            Elements be = Elements.of(bias);
            for (int j = 0; j < width; j++) {
                b[j] = be.get(j);
            }
        }
        switch (f.kind()) {
            case RELU, LEAKY_RELU -> {
                double a = f.alpha();
                for (int i = 0, j = 0; i < n; i++, j = j + 1 == width ? 0 : j + 1) {
                    ze.set(i, piecewiseLinear(a, me.get(i) + b[j], qe.get(i), ze.get(i)));
                }
            }
            case IDENTITY -> {
                for (int i = 0, j = 0; i < n; i++, j = j + 1 == width ? 0 : j + 1) {
                    ze.set(i, (me.get(i) + b[j] + qe.get(i) + ze.get(i)) / 3);
                }
            }
            case TANH, SIGMOID -> {
                for (int i = 0, j = 0; i < n; i++, j = j + 1 == width ? 0 : j + 1) {
                    ze.set(i, smooth(f, me.get(i) + b[j], qe.get(i), ze.get(i)));
                }
            }
        }
        Elements.writtenOnHost(z);
    }

    /** The two-branch closed form for ReLU ({@code a = 0}) and leaky ReLU. */
    static double piecewiseLinear(double a, double m, double q, double z0) {
        double zNeg = Math.min((m + a * q + z0) / (2 + a * a), 0);
        double zPos = Math.max((m + q + z0) / 3, 0);
        double rNeg = q - a * zNeg;
        double rPos = q - zPos;
        double hNeg = sq(zNeg - m) + rNeg * rNeg + sq(zNeg - z0);
        double hPos = sq(zPos - m) + rPos * rPos + sq(zPos - z0);
        return hPos <= hNeg ? zPos : zNeg;
    }

    /** Safeguarded Newton for smooth activations. */
    static double smooth(HiddenActivation f, double m, double q, double z0) {
        double fromPrevious = newton(f, m, q, z0, z0);
        double fromAverage = newton(f, m, q, z0, (m + q + z0) / 3);
        return objective(f, m, q, z0, fromAverage) < objective(f, m, q, z0, fromPrevious) ? fromAverage : fromPrevious;
    }

    private static double newton(HiddenActivation f, double m, double q, double z0, double start) {
        double z = start;
        double h = objective(f, m, q, z0, z);
        for (int it = 0; it < NEWTON_ITERATIONS; it++) {
            double fz = f.value(z);
            double d1 = f.derivative(z);
            double gradient = 2 * (z - m) + 2 * (z - z0) - 2 * (q - fz) * d1;
            double gaussNewton = 4 + 2 * d1 * d1;
            double curvature = Math.max(gaussNewton - 2 * (q - fz) * f.secondDerivative(z), gaussNewton);
            double step = gradient / curvature;
            boolean improved = false;
            for (int halvings = 0; halvings < 30; halvings++, step /= 2) {
                double candidate = z - step;
                double hc = objective(f, m, q, z0, candidate);
                if (hc < h) {
                    z = candidate;
                    h = hc;
                    improved = true;
                    break;
                }
            }
            if (!improved || Math.abs(step) < 1e-12 * (1 + Math.abs(z))) {
                break;
            }
        }
        return z;
    }

    /** {@code h(z)} for one element. */
    static double objective(HiddenActivation f, double m, double q, double z0, double z) {
        double r = q - f.value(z);
        return sq(z - m) + r * r + sq(z - z0);
    }

    private static double sq(double x) {
        return x * x;
    }
}
