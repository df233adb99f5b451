package io.github.dl4jadmm.comm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The common header of every tensor message: {@code magic (2 bytes) | version (1) | kind (1) | rank (1) |
 * shape (rank x int32)}, little-endian. The codec-specific part (element type, bit width, ranges, codes) follows
 * it. Byte accounting counts the header too.
 *
 * @param kind  codec identifier, one of the {@code KIND_*} constants
 * @param shape tensor shape; every dimension is at least 1 and fits an {@code int}
 */
public record WireHeader(byte kind, long[] shape) {

    /** First two bytes of every message. */
    public static final short MAGIC = (short) 0xAD4A;
    /** Wire format version written by this library. */
    public static final byte VERSION = 1;
    /** Raw IEEE-754 values in the tensor's own floating-point type ({@link RawTensorCodec}). */
    public static final byte KIND_RAW = 1;
    /** Uniform-grid codes, bit-packed (quantisation codecs). */
    public static final byte KIND_GRID = 2;
    /** Stochastic delta codes, bit-packed (quantisation codecs). */
    public static final byte KIND_DELTA = 3;
    /**
     * One worker's model in Q-GADMM: stochastic delta codes with one range per parameter segment, bit-packed
     * ({@code io.github.dl4jadmm.gadmm.BroadcastDeltaCodec}).
     */
    public static final byte KIND_SEGMENTED_DELTA = 4;

    public WireHeader {
        shape = shape.clone();
        for (long d : shape) {
            if (d < 1 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("every dimension must be in 1.." + Integer.MAX_VALUE
                        + ", got shape " + Arrays.toString(shape));
            }
        }
    }

    /** Number of elements of the tensor. */
    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size of this header on the wire. */
    public int sizeInBytes() {
        return 5 + 4 * shape.length;
    }

    /** Allocates a little-endian buffer of {@code sizeInBytes() + payloadBytes} and writes this header into it. */
    public ByteBuffer allocateWithPayload(int payloadBytes) {
        ByteBuffer buf = ByteBuffer.allocate(sizeInBytes() + payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putShort(MAGIC).put(VERSION).put(kind).put((byte) shape.length);
        for (long d : shape) {
            buf.putInt((int) d);
        }
        return buf;
    }

    /**
     * Reads a header from {@code message} (which must be little-endian) and advances its position past it.
     *
     * @throws IllegalArgumentException on a wrong magic number, unknown version or truncated header
     */
    public static WireHeader read(ByteBuffer message) {
        if (message.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("tensor messages are little-endian; call order(LITTLE_ENDIAN) first");
        }
        if (message.remaining() < 5) {
            throw new IllegalArgumentException("truncated tensor message: " + message.remaining()
                    + " bytes, the header alone needs at least 5");
        }
        short magic = message.getShort();
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format(
                    "not a dl4j-admm tensor message: magic 0x%04X, expected 0x%04X", magic & 0xFFFF, MAGIC & 0xFFFF));
        }
        byte version = message.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported tensor message version " + version
                    + "; this library reads version " + VERSION);
        }
        byte kind = message.get();
        int rank = message.get();
        if (rank < 0 || message.remaining() < 4 * rank) {
            throw new IllegalArgumentException("truncated tensor message: rank " + rank + " but only "
                    + message.remaining() + " bytes left for the shape");
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = message.getInt();
        }
        return new WireHeader(kind, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireHeader h && h.kind == kind && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * kind + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "WireHeader[kind=" + kind + ", shape=" + Arrays.toString(shape) + "]";
    }
}
