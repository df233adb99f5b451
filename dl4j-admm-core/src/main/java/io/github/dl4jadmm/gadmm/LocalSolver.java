package io.github.dl4jadmm.gadmm;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The primal step of one worker (algorithms.md §3.1). Expanding the dual and penalty terms of worker {@code n}'s
 * local augmented Lagrangian,
 *
 * <pre>
 *   f_n(theta) + &lt;lambda_{n-1}, theta_hat_{n-1} - theta&gt; + &lt;lambda_n, theta - theta_hat_{n+1}&gt;
 *              + rho/2 ||theta_hat_{n-1} - theta||^2 + rho/2 ||theta - theta_hat_{n+1}||^2
 *   = f_n(theta) + penalty/2 ||theta||^2 - &lt;linear, theta&gt; + constant,
 *
 *   penalty = c_n rho,   linear = lambda_{n-1} - lambda_n + rho (theta_hat_{n-1} + theta_hat_{n+1})
 * </pre>
 *
 * ({@code c_n} is the number of neighbours; missing neighbours drop out). The trainer computes {@code penalty} and
 * {@code linear}; a solver only minimises {@code f_n(theta) + penalty/2 ||theta||^2 - <linear, theta>}: exactly
 * ({@link LinearRegressionSolver}), by Newton steps ({@link LogisticRegressionSolver}), or approximately by a few
 * optimizer steps (Q-SGADMM, {@link NetworkSolver}), whose gradient is {@code grad f_n + penalty theta - linear}.
 *
 * <p>One solver belongs to one worker and is only called from that worker's task, never concurrently.
 */
public interface LocalSolver {

    /** Number of model parameters {@code d}. */
    int dimension();

    /**
     * Lengths of the parameter tensors, in flat order, summing to {@link #dimension()}. A quantised message has one
     * range per segment (32 bits each). Default: one segment.
     */
    default int[] segments() {
        return new int[]{dimension()};
    }

    /**
     * The model every worker starts from, known to all workers without communication, so it is also the initial
     * value of every {@code theta_hat}. Default: zeros (algorithms.md §3).
     */
    default double[] initialModel() {
        return new double[dimension()];
    }

    /**
     * Element type of the models on the wire: DOUBLE (default, convex models) or FLOAT (DL4J networks). The
     * reconstructions {@code theta_hat} are rounded to it on both ends of every link.
     */
    default DataType wireType() {
        return DataType.DOUBLE;
    }

    /**
     * Overwrites {@code theta} (the worker's current model on entry, a warm start) with the minimiser, or an
     * approximation of it, of {@code f_n(theta) + penalty/2 ||theta||^2 - <linear, theta>}.
     *
     * @param theta   model, length {@link #dimension()}; read and overwritten
     * @param linear  {@code lambda_{n-1} - lambda_n + rho (theta_hat_{n-1} + theta_hat_{n+1})}; not modified
     * @param penalty {@code c_n rho > 0}
     */
    void solve(double[] theta, double[] linear, double penalty);

    /** The local loss {@code f_n(theta)} (for the objective {@code F = sum_n f_n(theta_n)} in the metrics). */
    double loss(double[] theta);
}
