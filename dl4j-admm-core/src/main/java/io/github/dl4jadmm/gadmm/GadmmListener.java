package io.github.dl4jadmm.gadmm;

/** Called by {@link GadmmTrainer} after every iteration, on the thread that drives the training. */
@FunctionalInterface
public interface GadmmListener {

    /** One iteration finished; the trainer's models and duals are those after the iteration. */
    void iterationDone(GadmmTrainer trainer, GadmmIterationMetrics metrics);
}
