package io.github.dl4jadmm.pdadmm;

/** Called by {@link PdAdmmEngine} after every iteration, on the thread that drives the training. */
@FunctionalInterface
public interface PdAdmmListener {

    /** One iteration finished; {@code engine}'s weights are those after the iteration. */
    void iterationDone(PdAdmmEngine engine, IterationMetrics metrics);
}
