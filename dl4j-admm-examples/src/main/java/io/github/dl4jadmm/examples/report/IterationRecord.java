package io.github.dl4jadmm.examples.report;

import io.github.dl4jadmm.pdadmm.IterationMetrics;

/**
 * One row of a training run's history, whatever trained it: the metrics of one ADMM iteration (or one epoch of a
 * gradient method), plus the accuracies on the validation and test nodes where they were evaluated. Quantities a
 * method does not have (the residual of Adam, accuracies between evaluations) are NaN; in the CSV they are empty.
 *
 * @param iteration           0-based iteration (or epoch) counted over the whole run, resumed parts included
 * @param seconds             wall time of this iteration
 * @param elapsedSeconds      wall time of the run up to and including this iteration
 * @param augmentedLagrangian {@code L_rho} after the iteration
 * @param objective           the relaxed objective {@code F}
 * @param residual            primal residual {@code sum_l ||p_{l+1} - q_l||^2}
 * @param dualResidual        dual residual
 * @param trainLoss           loss of a real forward pass on the training data (per sample)
 * @param trainAccuracy       accuracy on the training data
 * @param valAccuracy         accuracy on the validation data
 * @param testAccuracy        accuracy on the test data
 * @param bytesSent           bytes sent between layer blocks (or workers) so far
 * @param bytesThisIteration  bytes sent during this iteration
 * @param rho                 penalty used in this iteration
 * @param nu                  relaxation weight used in this iteration
 */
public record IterationRecord(int iteration, double seconds, double elapsedSeconds, double augmentedLagrangian,
                              double objective, double residual, double dualResidual, double trainLoss,
                              double trainAccuracy, double valAccuracy, double testAccuracy, long bytesSent,
                              long bytesThisIteration, double rho, double nu) {

    /**
     * The record of one pdADMM-G iteration.
     *
     * @param offset      iterations run before this engine started (a resumed run)
     * @param bytesOffset bytes sent before this engine started
     */
    public static IterationRecord of(IterationMetrics m, int offset, long bytesOffset, double elapsedSeconds,
                                     double valAccuracy, double testAccuracy) {
        return new IterationRecord(offset + m.iteration(), m.seconds(), elapsedSeconds, m.augmentedLagrangian(),
                m.objective(), m.residual(), m.dualResidual(), m.trainLoss(), m.trainAccuracy(), valAccuracy,
                testAccuracy, bytesOffset + m.bytesSent(), m.bytesThisIteration(), m.rho(), m.nu());
    }

    /** The record of one epoch of a gradient method, which has no ADMM quantities and sends nothing. */
    public static IterationRecord ofEpoch(int epoch, double seconds, double elapsedSeconds, double trainLoss,
                                          double trainAccuracy, double valAccuracy, double testAccuracy) {
        return new IterationRecord(epoch, seconds, elapsedSeconds, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                trainLoss, trainAccuracy, valAccuracy, testAccuracy, 0, 0, Double.NaN, Double.NaN);
    }

    /** Whether the accuracies were evaluated in this iteration. */
    public boolean evaluated() {
        return !Double.isNaN(valAccuracy) || !Double.isNaN(trainAccuracy);
    }
}
