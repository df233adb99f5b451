package io.github.dl4jadmm.pdadmm;

/** The timed pieces of one iteration of a layer block (the updates of algorithms.md §1.1 and the transfers). */
public enum BlockPhase {
    /** Receiving {@code q_{l-1}} and the right-hand copy of the dual update of the left boundary. */
    RECEIVE_Q,
    P_STEP,
    /** Encoding and sending {@code p_l} backward. */
    SEND_P,
    W_STEP,
    B_STEP,
    Z_STEP,
    /** Receiving {@code p_{l+1}}. */
    RECEIVE_P,
    Q_STEP,
    /** Encoding and sending {@code q_l} forward. */
    SEND_Q,
    U_STEP,
    /** Computing this block's terms of the objective and augmented Lagrangian. */
    METRICS
}
