package io.github.dl4jadmm.pdadmm;

/** How the layer blocks of one phase are executed. Both give the same iterates. */
public enum ExecutionMode {
    /** One task per block on an executor, blocks of a phase run concurrently (the layer-parallel mode). */
    PARALLEL,
    /** Blocks run one after another on the calling thread; ND4J's own threading parallelises each product. */
    SERIAL
}
