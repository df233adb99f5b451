package io.github.dl4jadmm.gadmm;

/** Which model {@link SgadmmTrainer} writes back into the user's network (algorithms.md §3.3). */
public enum ConsensusModel {

    /** The mean of the workers' models (default). */
    MEAN,

    /** Worker 1's model, as a deployed worker would use its own. */
    FIRST_WORKER
}
