package io.github.dl4jadmm.graph.augment;

/** How the propagation operator {@code S} is built from the adjacency {@code A} and degrees {@code D} of {@code A+I}. */
public enum AdjacencyNormalization {
    /**
     * {@code S = D^-1/2 (A+I) D^-1/2}: the GCN normalisation (PyG {@code gcn_norm} with self-loops), the one the
     * pdADMM-G papers use. Symmetric.
     */
    SYMMETRIC,
    /** {@code S = D^-1 (A+I)}: each node averages itself and its neighbours (rows sum to 1). */
    RANDOM_WALK
}
