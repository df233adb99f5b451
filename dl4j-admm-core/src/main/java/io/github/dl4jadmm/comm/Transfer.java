package io.github.dl4jadmm.comm;

/**
 * One directed link of the layer chain: boundary {@code l} sits between layer {@code l} and layer {@code l+1}
 * (layers are numbered from 1, as in algorithms.md). Per boundary and iteration exactly two transfers happen:
 * {@code p_{l+1}} {@link Direction#BACKWARD} and {@code q_l} {@link Direction#FORWARD}.
 *
 * @param boundary  index {@code l >= 1} of the boundary
 * @param direction which way the tensor travels
 */
public record Transfer(int boundary, Direction direction) {

    public Transfer {
        if (boundary < 1) {
            throw new IllegalArgumentException("boundary must be >= 1 (boundary l joins layers l and l+1), got " + boundary);
        }
        if (direction == null) {
            throw new IllegalArgumentException("direction must not be null");
        }
    }

    /** The transfer of {@code p_{l+1}} from layer {@code l+1} to layer {@code l}. */
    public static Transfer backward(int boundary) {
        return new Transfer(boundary, Direction.BACKWARD);
    }

    /** The transfer of {@code q_l} from layer {@code l} to layer {@code l+1}. */
    public static Transfer forward(int boundary) {
        return new Transfer(boundary, Direction.FORWARD);
    }

    /** The layer (1-based) that sends on this link. */
    public int sender() {
        return direction == Direction.FORWARD ? boundary : boundary + 1;
    }

    /** The layer (1-based) that receives on this link. */
    public int receiver() {
        return direction == Direction.FORWARD ? boundary + 1 : boundary;
    }
}
