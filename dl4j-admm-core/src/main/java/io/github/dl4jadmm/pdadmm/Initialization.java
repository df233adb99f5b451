package io.github.dl4jadmm.pdadmm;

/** How the ADMM variables are initialised from the weights (algorithms.md §1.1, Initialisation). */
public enum Initialization {
    /**
     * A forward pass: {@code z_l = p_l W_l + b_l}, {@code q_l = f(z_l)}, {@code p_{l+1} = q_l}, {@code u = 0},
     * {@code z_L = p_L W_L + b_L}.
     */
    FORWARD_PASS,
    /** The paper's warm start: the same forward pass, but {@code z_L} is +1 on the true class and -1 elsewhere. */
    WARM_START
}
