package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.IterationMetrics;
import java.io.Serializable;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the ADMM metrics of every {@code frequency}-th iteration ({@link IterationMetrics#summary()}: augmented
 * Lagrangian, objective, residual, training loss and accuracy, bytes sent, rho), the ADMM counterpart of DL4J's
 * {@code ScoreIterationListener}.
 */
public final class AdmmLoggingListener implements AdmmTrainingListener, Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(AdmmLoggingListener.class);

    private final int frequency;

    /** Logs every iteration. */
    public AdmmLoggingListener() {
        this(1);
    }

    /** Logs every {@code frequency}-th iteration (counted from the first of the run). */
    public AdmmLoggingListener(int frequency) {
        if (frequency < 1) {
            throw new IllegalArgumentException("frequency must be >= 1, got " + frequency);
        }
        this.frequency = frequency;
    }

    @Override
    public void onAdmmIteration(Model model, IterationMetrics metrics) {
        if (metrics.iteration() % frequency == 0) {
            log.info("pdADMM-G {}", metrics.summary());
        }
    }

    @Override
    public String toString() {
        return "AdmmLoggingListener(" + frequency + ")";
    }
}
