package io.github.dl4jadmm.trainer;

/**
 * Thrown, before any work is done, when a network cannot be trained by pdADMM-G as it is. The message names the
 * layer or vertex and the reason, and says what to change; {@link #culprit()} names the layer or vertex alone.
 */
public class UnsupportedNetworkException extends IllegalArgumentException {

    private final String culprit;

    /**
     * @param culprit the offending layer or vertex, as the message names it (e.g. {@code layer 1 "dense1"})
     * @param reason  what is wrong with it and what to do instead
     */
    public UnsupportedNetworkException(String culprit, String reason) {
        super("pdADMM-G cannot train this network: " + culprit + " " + reason);
        this.culprit = culprit;
    }

    /** The offending layer or vertex, e.g. {@code layer 1 "dense1"} or {@code vertex "add"}. */
    public String culprit() {
        return culprit;
    }
}
