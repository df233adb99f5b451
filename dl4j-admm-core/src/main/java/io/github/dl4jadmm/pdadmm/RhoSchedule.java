package io.github.dl4jadmm.pdadmm;

/** How the penalty {@code rho} evolves during training (algorithms.md §1, the Decision on nu and rho). */
public enum RhoSchedule {
    /** {@code rho} and {@code nu} stay as configured: the setting under which the augmented Lagrangian decreases. */
    FIXED,
    /**
     * The published code's rule: when the training loss has not improved for {@code stallPatience} iterations,
     * multiply {@code rho} (and {@code nu}, which the published code ties to it, so {@code rho/nu} is kept) by
     * {@code stallFactor}. Reproduces the paper; the augmented Lagrangian jumps at each increase.
     */
    STALL_X10,
    /**
     * Residual balancing: every {@code balancingInterval} iterations, double {@code rho} when the primal residual
     * exceeds {@code balancingRatio} times the dual residual, halve it (never below {@code 4 nu}) in the opposite
     * case.
     */
    RESIDUAL_BALANCING
}
