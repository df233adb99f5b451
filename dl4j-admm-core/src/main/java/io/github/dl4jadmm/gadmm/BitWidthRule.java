package io.github.dl4jadmm.gadmm;

/** How a Q-GADMM worker chooses the code width {@code b} of each message segment (algorithms.md §3.2). */
public enum BitWidthRule {

    /** Every message uses the configured width. The default: it needs the fewest bits in total. */
    FIXED,

    /**
     * The paper's "non-increasing step" rule: the first message uses the configured width; afterwards each segment
     * takes the smallest {@code b} in 1..16 with {@code 2R / (2^b - 1) <= Delta_previous}, so the quantisation step
     * never grows (16 bits if even that is not enough). A segment whose range is 0 sends no codes and keeps its
     * previous step. In practice this drives {@code b} up to 13-16 bits and costs more bits in total than a fixed
     * small width; offered for reproducing the paper, not as a default.
     */
    NON_INCREASING_STEP
}
