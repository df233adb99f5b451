package io.github.dl4jadmm.examples.cli;

/** What {@code train} runs. */
public enum Algorithm {
    /** pdADMM-G with float transfers between layer blocks. */
    PDADMM_G,
    /** pdADMM-G-Q: quantised transfers (a grid of 8 bits on p and q unless set otherwise). */
    PDADMM_G_Q,
    /** DL4J's own fit with Adam on the same GA-MLP, for comparison. */
    ADAM;

    /** The name as typed on the command line, e.g. {@code pdadmm-g-q}. */
    public String label() {
        return DashedNames.of(this);
    }

    /** Whether this is one of the ADMM methods. */
    public boolean admm() {
        return this != ADAM;
    }
}
