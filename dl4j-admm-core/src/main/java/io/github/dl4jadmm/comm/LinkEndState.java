package io.github.dl4jadmm.comm;

/**
 * What one end of a link (a {@link TensorEncoder} or {@link TensorDecoder}) carries from one message to the next,
 * for checkpoints: nothing for stateless codecs; delta coding's last reconstruction, and the encoder's random
 * generator. {@link LinkCodecs#states()} collects them for a channel.
 */
public interface LinkEndState {

    /** The carried state, or an empty array if this end carries none (or has not been used yet). */
    default byte[] state() {
        return new byte[0];
    }

    /**
     * Puts back a {@link #state()} of the same end (encoder or decoder) of the same codec and link: the next message
     * is encoded or decoded as that end would have done it.
     *
     * @throws IllegalArgumentException if {@code state} is not such a state
     */
    default void restoreState(byte[] state) {
        if (state.length > 0) {
            throw new IllegalArgumentException(getClass().getName() + " carries no state, but a state of "
                    + state.length + " bytes was given: it belongs to another codec");
        }
    }
}
