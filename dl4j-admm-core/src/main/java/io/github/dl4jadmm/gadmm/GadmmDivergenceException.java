package io.github.dl4jadmm.gadmm;

/**
 * Thrown when a worker's model becomes NaN, infinite or larger than {@code 1e30} in magnitude. The message names the
 * worker and suggests what to change.
 */
public class GadmmDivergenceException extends RuntimeException {

    private final int worker;

    public GadmmDivergenceException(int worker, int parameter, double value) {
        super("GADMM diverged: worker " + worker + "'s model has " + value + " at parameter " + parameter
                + ". Quantised runs with 1 or 2 bits can diverge (use bits >= 3, especially with a large rho on "
                + "ill-conditioned data); otherwise check the data for NaN/Inf, scale the features, or lower rho "
                + "and alpha");
        this.worker = worker;
    }

    /** The 1-based worker whose model diverged. */
    public int worker() {
        return worker;
    }
}
