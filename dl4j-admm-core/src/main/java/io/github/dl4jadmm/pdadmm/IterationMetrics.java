package io.github.dl4jadmm.pdadmm;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one pdADMM-G iteration reports.
 *
 * @param iteration           0-based iteration index
 * @param augmentedLagrangian {@code L_rho} after the iteration (algorithms.md §1)
 * @param objective           the relaxed objective {@code F}, weight decay included
 * @param risk                {@code R(z_L; Y)} on the relaxed output
 * @param residual            {@code sum_l ||p_{l+1} - q_l||^2}
 * @param dualResidual        {@code rho * sqrt(sum_l ||q_l - q_l_previous||^2)}
 * @param trainLoss           risk of a real forward pass on the training data per sample, NaN if not evaluated
 * @param trainAccuracy       accuracy of that forward pass, NaN if not evaluated
 * @param bytesSent           cumulative bytes of encoded messages over all boundaries
 * @param bytesThisIteration  bytes sent during this iteration
 * @param rho                 penalty used in this iteration
 * @param nu                  relaxation weight used in this iteration
 * @param seconds             wall time of the iteration (forward-pass evaluation excluded)
 * @param phaseSecondsMax     per phase, the slowest block's time (the critical path of that phase)
 * @param phaseSecondsTotal   per phase, the time summed over blocks
 * @param stepRejections      cumulative p- and W-steps that hit the doubling cap and kept the old value
 */
public record IterationMetrics(int iteration, double augmentedLagrangian, double objective, double risk,
                               double residual, double dualResidual, double trainLoss, double trainAccuracy,
                               long bytesSent, long bytesThisIteration, double rho, double nu, double seconds,
                               Map<BlockPhase, Double> phaseSecondsMax, Map<BlockPhase, Double> phaseSecondsTotal,
                               int stepRejections) {

    public IterationMetrics {
        phaseSecondsMax = Collections.unmodifiableMap(new EnumMap<>(phaseSecondsMax));
        phaseSecondsTotal = Collections.unmodifiableMap(new EnumMap<>(phaseSecondsTotal));
    }

    /** Whether a forward-pass evaluation was made in this iteration. */
    public boolean evaluated() {
        return !Double.isNaN(trainAccuracy);
    }

    /** A one-line summary for logs and progress output. */
    public String summary() {
        String eval = evaluated() ? String.format(" loss=%.4f acc=%.4f", trainLoss, trainAccuracy) : "";
        return String.format("it=%d L_rho=%.6g F=%.6g residual=%.3g%s bytes=%d rho=%.3g %.3fs", iteration,
                augmentedLagrangian, objective, residual, eval, bytesSent, rho, seconds);
    }
}
