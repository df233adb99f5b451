package io.github.dl4jadmm.comm;

/** Which way a tensor crosses a layer boundary (algorithms.md §1.2). */
public enum Direction {
    /** {@code p_{l+1}} travels from layer {@code l+1} back to layer {@code l}, after the p-step. */
    BACKWARD,
    /** {@code q_l} travels from layer {@code l} forward to layer {@code l+1}, after the q-step. */
    FORWARD
}
