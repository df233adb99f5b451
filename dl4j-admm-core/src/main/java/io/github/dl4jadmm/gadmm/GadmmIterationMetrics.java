package io.github.dl4jadmm.gadmm;

/**
 * What one (Q-)GADMM iteration reports.
 *
 * <p>A rank-local trainer ({@link GadmmTrainer#forWorkers}, one rank of a distributed run) reports over its own
 * workers only: {@code objective} and {@code quantizationError} sum over them, {@code consensusResidual} over the
 * edges whose two workers it holds (the edges between ranks are in nobody's sum), and the bit and byte counts are
 * those of its workers' transmissions. Summed over all ranks, objective, quantisation error, bits and bytes give the
 * single-JVM values (up to the order of the floating-point additions); {@code seconds} includes the time spent
 * waiting for neighbouring ranks.
 *
 * @param iteration             0-based iteration index
 * @param objective             {@code F = sum_n f_n(theta_n)} after the iteration, NaN when not evaluated
 * @param consensusResidual     {@code sum_n ||theta_n - theta_{n+1}||^2} over the chain's edges
 * @param quantizationError     {@code sum_n ||theta_n - theta_hat_n||^2} (0 for exact GADMM)
 * @param paperBits             cumulative bits as the paper counts them: each worker transmission once,
 *                              {@code b d + 32} per segment quantised, {@code 32 d} exact
 * @param paperBitsThisIteration paper bits of this iteration
 * @param wireBytes             cumulative bytes of encoded messages over every link (a worker with two neighbours
 *                              is counted twice), headers included
 * @param wireBytesThisIteration wire bytes of this iteration
 * @param widestCode            the widest code width sent in this iteration (32 for exact models)
 * @param seconds               wall time of the iteration (objective evaluation excluded)
 */
public record GadmmIterationMetrics(int iteration, double objective, double consensusResidual,
                                    double quantizationError, long paperBits, long paperBitsThisIteration,
                                    long wireBytes, long wireBytesThisIteration, int widestCode, double seconds) {

    /** Whether the objective was evaluated in this iteration. */
    public boolean evaluated() {
        return !Double.isNaN(objective);
    }

    /** A one-line summary for logs and progress output. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "it=%d F=%.8g consensus=%.3g qerr=%.3g bits=%d (+%d, b<=%d) wireBytes=%d %.4fs", iteration,
                objective, consensusResidual, quantizationError, paperBits, paperBitsThisIteration, widestCode,
                wireBytes, seconds);
    }
}
