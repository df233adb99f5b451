package io.github.dl4jadmm.pdadmm;

/** How the weights are updated (algorithms.md §1.1, step 2). */
public enum WStep {
    /** One linearised step with backtracking on {@code psi(W)}: the contract of algorithms.md. */
    LINEARIZED,
    /**
     * Our extension: the exact minimiser of {@code psi(W)} by a ridge solve on the smaller side of {@code p_l}
     * ({@code min(N, n_{l-1})} unknowns per column). It decreases the augmented Lagrangian at least as much as
     * the linearised step and does not crawl when the layer input is ill-conditioned (raw bag-of-words features
     * with a large common component); it costs one extra product and a small dense inverse per layer.
     */
    EXACT
}
