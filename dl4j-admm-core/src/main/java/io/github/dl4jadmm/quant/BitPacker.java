package io.github.dl4jadmm.quant;

import java.nio.ByteBuffer;

/**
 * Packs unsigned codes of {@code b} bits ({@code 1 <= b <= 16}) densely into bytes and back.
 *
 * <p>Bit order: the codes form one little-endian bit stream. Code {@code i} occupies stream bits
 * {@code [i*b, (i+1)*b)}, least significant bit first, and stream bit {@code k} is bit {@code k % 8} of byte
 * {@code k / 8}. For {@code b = 8} this is one code per byte; for {@code b = 16} one little-endian {@code uint16}
 * per code. Unused high bits of the last byte are zero. {@code n} codes take exactly {@code ceil(n*b/8)} bytes.
 *
 * <p>Both directions move whole bytes through a 64-bit accumulator (at most two byte moves per code), never
 * single bits.
 */
public final class BitPacker {

    /** Smallest supported code width. */
    public static final int MIN_BITS = 1;
    /** Largest supported code width (grid indices of up to 65536 levels). */
    public static final int MAX_BITS = 16;

    private BitPacker() {
    }

    /**
     * Exact number of bytes that {@code count} codes of {@code bits} bits occupy: {@code ceil(count*bits/8)}.
     *
     * @throws IllegalArgumentException if {@code bits} is outside 1..16, {@code count} is negative, or the result
     *                                  does not fit an {@code int}
     */
    public static int packedBytes(long count, int bits) {
        checkBits(bits);
        if (count < 0) {
            throw new IllegalArgumentException("code count must be >= 0, got " + count);
        }
        long bytes = (count * bits + 7) / 8;
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(count + " codes of " + bits + " bits do not fit one message");
        }
        return (int) bytes;
    }

    /** Packs all of {@code codes} into a new array of exactly {@link #packedBytes}{@code (codes.length, bits)} bytes. */
    public static byte[] pack(int[] codes, int bits) {
        byte[] packed = new byte[packedBytes(codes.length, bits)];
        pack(codes, codes.length, bits, packed, 0);
        return packed;
    }

    /**
     * Packs the first {@code count} codes at the position of {@code out} and advances it by
     * {@link #packedBytes}{@code (count, bits)}.
     *
     * @throws IllegalArgumentException if a code does not fit {@code bits} bits
     * @throws java.nio.BufferOverflowException if {@code out} has too little room
     */
    public static void pack(int[] codes, int count, int bits, ByteBuffer out) {
        int size = packedBytes(count, bits);
        if (out.remaining() < size) {
            throw new java.nio.BufferOverflowException();
        }
        if (out.hasArray() && !out.isReadOnly()) {
            pack(codes, count, bits, out.array(), out.arrayOffset() + out.position());
        } else {
            byte[] packed = new byte[size];
            pack(codes, count, bits, packed, 0);
            out.duplicate().put(packed);
        }
        out.position(out.position() + size);
    }

    /**
     * Packs the first {@code count} codes into {@code dst} starting at {@code offset}; writes exactly
     * {@link #packedBytes}{@code (count, bits)} bytes.
     *
     * @throws IllegalArgumentException if a code is negative or does not fit {@code bits} bits
     */
    public static void pack(int[] codes, int count, int bits, byte[] dst, int offset) {
        checkBits(bits);
        if (count < 0 || count > codes.length) {
            throw new IllegalArgumentException("count " + count + " outside 0.." + codes.length);
        }
        long acc = 0;
        int fill = 0;
        int out = offset;
        for (int i = 0; i < count; i++) {
            int code = codes[i];
            if (code >>> bits != 0) {
                throw new IllegalArgumentException("code " + code + " at index " + i + " does not fit " + bits
                        + " bits (allowed 0.." + ((1 << bits) - 1) + ")");
            }
            acc |= (long) code << fill;
            fill += bits;
            while (fill >= 8) {
                dst[out++] = (byte) acc;
                acc >>>= 8;
                fill -= 8;
            }
        }
        if (fill > 0) {
            dst[out] = (byte) acc;
        }
    }

    /** Unpacks {@code count} codes of {@code bits} bits from the start of {@code packed}. */
    public static int[] unpack(byte[] packed, int count, int bits) {
        int[] codes = new int[count];
        unpack(ByteBuffer.wrap(packed), count, bits, codes);
        return codes;
    }

    /**
     * Reads {@code count} codes from the position of {@code in} into {@code codes[0..count)} and advances the
     * buffer by {@link #packedBytes}{@code (count, bits)}.
     *
     * @throws IllegalArgumentException if {@code in} holds fewer bytes than the codes need
     */
    public static void unpack(ByteBuffer in, int count, int bits, int[] codes) {
        int size = packedBytes(count, bits);
        if (count > codes.length) {
            throw new IllegalArgumentException("output array of " + codes.length + " cannot hold " + count + " codes");
        }
        if (in.remaining() < size) {
            throw new IllegalArgumentException("truncated code payload: " + count + " codes of " + bits + " bits need "
                    + size + " bytes, only " + in.remaining() + " left");
        }
        byte[] src;
        int pos;
        if (in.hasArray()) {
            src = in.array();
            pos = in.arrayOffset() + in.position();
        } else {
            src = new byte[size];
            in.duplicate().get(src);
            pos = 0;
        }
        int mask = (1 << bits) - 1;
        long acc = 0;
        int fill = 0;
        for (int i = 0; i < count; i++) {
            while (fill < bits) {
                acc |= (src[pos++] & 0xFFL) << fill;
                fill += 8;
            }
            codes[i] = (int) acc & mask;
            acc >>>= bits;
            fill -= bits;
        }
        in.position(in.position() + size);
    }

    static void checkBits(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("bit width must be in " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
        }
    }
}
