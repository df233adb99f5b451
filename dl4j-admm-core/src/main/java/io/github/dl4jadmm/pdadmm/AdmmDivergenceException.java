package io.github.dl4jadmm.pdadmm;

/**
 * Thrown when a variable becomes NaN or infinite. The message names the iteration, the layer and the variable,
 * and suggests what to change.
 */
public class AdmmDivergenceException extends RuntimeException {

    private final int iteration;
    private final int layer;
    private final String variable;

    public AdmmDivergenceException(int iteration, int layer, String variable) {
        this(iteration, layer, variable, "contains NaN or Inf");
    }

    /**
     * @param what what is wrong with the variable, e.g. "contains NaN or Inf" or "grew to 3.1e+19"
     */
    public AdmmDivergenceException(int iteration, int layer, String variable, String what) {
        super("pdADMM-G diverged at iteration " + iteration + ": variable " + variable + " of layer " + layer
                + " " + what + ". Check the input for NaN/Inf, scale the features, keep rho > 4 nu, use more "
                + "quantisation bits, or add weight decay mu");
        this.iteration = iteration;
        this.layer = layer;
        this.variable = variable;
    }

    /** Iteration (0-based) at which the non-finite value was found. */
    public int iteration() {
        return iteration;
    }

    /** Layer (1-based) that holds the variable. */
    public int layer() {
        return layer;
    }

    /** Name of the variable: p, W, b, z, q or u. */
    public String variable() {
        return variable;
    }
}
