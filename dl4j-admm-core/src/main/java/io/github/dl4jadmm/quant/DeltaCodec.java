package io.github.dl4jadmm.quant;

import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.TensorDecoder;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.comm.WireHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Delta coding (algorithms.md §2, "our extension", with the quantiser of §3.2): per link, the encoder and the decoder
 * both keep the last reconstruction {@code last} (zeros of the first message's shape to begin with). The encoder
 * quantises {@code value - last} with a {@link StochasticQuantizer} of {@code b} bits and range {@code R} chosen per
 * message; both ends then set {@code last += Delta * code - R} and return {@code last}. The two copies never
 * disagree: they apply the same codes with the same arithmetic (in double precision, rounded to the tensor's type
 * after each update). As the iterates settle {@code R} shrinks and the same bits buy finer resolution.
 *
 * <p>Message layout (little-endian), after the common {@link WireHeader} with kind {@link WireHeader#KIND_DELTA}:
 *
 * <pre>
 *   element width (1 byte: 4 = float32, 8 = float64)
 *   bits          (1 byte, 1..16)
 *   R             (float32; 0 means "no change" and then nothing follows)
 *   codes         ceil(n * bits / 8) bytes, {@link BitPacker} order, C order of elements
 * </pre>
 *
 * So a message of {@code d} elements is the paper's {@code b * d + 32} bits plus 2 bytes and the common header
 * ({@link #expectedMessageBytes}).
 *
 * <p>Reproducible: the encoder of link {@code t} draws from a generator seeded with {@link #linkSeed}{@code (seed, t)}.
 * Every link must carry one tensor of constant shape and type; messages must be decoded in the order they were
 * encoded (the {@link io.github.dl4jadmm.comm.Channel} contract guarantees both). Encoders and decoders are
 * stateful and belong to one link each; they are not thread-safe. Their {@code state()} (the last reconstruction,
 * and the encoder's generator) goes into checkpoints, and {@code restoreState} continues a link from it.
 */
public final class DeltaCodec implements TensorCodec {

    /** Size of the codec part of the header: width, bits, range. */
    static final int DELTA_HEADER_BYTES = 1 + 1 + 4;

    private final int bits;
    private final long seed;
    private final boolean stochastic;

    /**
     * Stochastic (unbiased) rounding.
     *
     * @param bits code width {@code b}, 1..16
     * @param seed base seed; each link derives its own with {@link #linkSeed}
     */
    public DeltaCodec(int bits, long seed) {
        this(bits, seed, true);
    }

    /**
     * @param stochastic unbiased stochastic rounding (true) or rounding to the nearest code (false)
     */
    public DeltaCodec(int bits, long seed, boolean stochastic) {
        BitPacker.checkBits(bits);
        this.bits = bits;
        this.seed = seed;
        this.stochastic = stochastic;
    }

    /** The code width {@code b}. */
    public int bits() {
        return bits;
    }

    /** The base seed. */
    public long seed() {
        return seed;
    }

    @Override
    public String name() {
        return "delta-" + bits + "bit" + (stochastic ? "" : "-nearest");
    }

    @Override
    public TensorEncoder newEncoder(Transfer link) {
        return new Encoder(stochastic ? new StochasticQuantizer(bits, linkSeed(seed, link))
                : StochasticQuantizer.nearest(bits));
    }

    @Override
    public TensorDecoder newDecoder(Transfer link) {
        return new Decoder();
    }

    /** The seed of the stochastic rounding on {@code link}: a SplitMix64 mix of the base seed, boundary and direction. */
    public static long linkSeed(long seed, Transfer link) {
        long key = 2L * link.boundary() + link.direction().ordinal();
        return StochasticQuantizer.mix64(seed ^ StochasticQuantizer.mix64(key + 0x9E3779B97F4A7C15L));
    }

    /** Exact size of a message of {@code shape} with a non-zero range: header + 6 + {@code ceil(n * bits / 8)}. */
    public static int expectedMessageBytes(long[] shape, int bits) {
        return expectedZeroRangeMessageBytes(shape) + BitPacker.packedBytes(TensorData.length(shape), bits);
    }

    /** Exact size of a message whose range is 0 (the value did not change): header + 6. */
    public static int expectedZeroRangeMessageBytes(long[] shape) {
        return new WireHeader(WireHeader.KIND_DELTA, shape).sizeInBytes() + DELTA_HEADER_BYTES;
    }

    /**
     * The range {@code R} carried by a delta message (for metrics and tests).
     *
     * @throws IllegalArgumentException if it is not a well-formed delta message header
     */
    public static float messageRange(ByteBuffer message) {
        ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        readDeltaHeader(in);
        return in.getFloat(in.position() - 4);
    }

    /** The state both ends share: the last reconstruction, its shape and type. */
    private abstract static class LinkState {
        long[] shape;
        DataType type;
        double[] last;

        void checkOrInit(long[] newShape, DataType newType, String side) {
            if (last == null) {
                shape = newShape.clone();
                type = newType;
                last = new double[Math.toIntExact(TensorData.length(newShape))];
            } else if (!Arrays.equals(shape, newShape) || type != newType) {
                throw new IllegalArgumentException("delta-coded link changed its tensor from " + type + " "
                        + Arrays.toString(shape) + " to " + newType + " " + Arrays.toString(newShape) + " at the "
                        + side + "; a link must carry one shape and type");
            }
        }

        /** {@code last += Delta * code - R}, rounded to the tensor's type; identical on both ends. */
        double[] advance(StochasticQuantizer.Quantized q) {
            double[] next = last.clone();
            q.addTo(next);
            if (type == DataType.FLOAT) {
                for (int i = 0; i < next.length; i++) {
                    next[i] = (float) next[i];
                }
            }
            return next;
        }

        INDArray lastAsTensor() {
            return StochasticQuantizer.toTensor(last, shape, type);
        }

        /**
         * The end ({@code kind}), the tensor's type and shape, {@code last} and {@code extra} longs, little-endian;
         * empty before the first message (a fresh end is in the same state).
         */
        byte[] state(byte kind, long... extra) {
            if (last == null) {
                return new byte[0];
            }
            ByteBuffer b = ByteBuffer.allocate(2 + 4 + 8 * shape.length + 4 + 8 * last.length + 8 * extra.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.put(kind).put(GridCodec.width(type)).putInt(shape.length);
            for (long d : shape) {
                b.putLong(d);
            }
            b.putInt(last.length);
            for (double v : last) {
                b.putDouble(v);
            }
            for (long v : extra) {
                b.putLong(v);
            }
            return b.array();
        }

        /** Reads {@link #state(byte, long...)} back; returns the {@code extra} longs. */
        long[] restore(byte[] state, byte kind, int extra) {
            String side = kind == ENCODER_STATE ? "encoder" : "decoder";
            String what = "delta " + side + " state of " + state.length + " bytes: ";
            try {
                ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
                if (b.get() != kind) {
                    throw new IllegalArgumentException("not the state of a delta " + side);
                }
                byte width = b.get();
                if (width != 4 && width != 8) {
                    throw new IllegalArgumentException(what + "element width " + width + ", expected 4 or 8");
                }
                long[] savedShape = new long[checkedCount(b, b.getInt(), what)];
                for (int i = 0; i < savedShape.length; i++) {
                    savedShape[i] = b.getLong();
                }
                double[] savedLast = new double[checkedCount(b, b.getInt(), what)];
                if (savedLast.length != TensorData.length(savedShape)) {
                    throw new IllegalArgumentException(what + savedLast.length + " values for shape "
                            + Arrays.toString(savedShape));
                }
                for (int i = 0; i < savedLast.length; i++) {
                    savedLast[i] = b.getDouble();
                }
                long[] longs = new long[extra];
                for (int i = 0; i < extra; i++) {
                    longs[i] = b.getLong();
                }
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException(what + b.remaining() + " bytes too many");
                }
                shape = savedShape;
                type = width == 4 ? DataType.FLOAT : DataType.DOUBLE;
                last = savedLast;
                return longs;
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException(what + "truncated", e);
            }
        }

        /** A count of 8-byte values read from a state, refused if the bytes left cannot hold them. */
        private static int checkedCount(ByteBuffer b, int count, String what) {
            if (count < 0 || 8L * count > b.remaining()) {
                throw new IllegalArgumentException(what + "truncated (" + count + " values announced, "
                        + b.remaining() + " bytes left)");
            }
            return count;
        }
    }

    private static final byte ENCODER_STATE = 'E';
    private static final byte DECODER_STATE = 'D';

    private static final class Encoder extends LinkState implements TensorEncoder {
        private final StochasticQuantizer quantizer;

        Encoder(StochasticQuantizer quantizer) {
            this.quantizer = quantizer;
        }

        @Override
        public EncodedTensor encode(INDArray value) {
            double[] data = TensorData.read(value, "delta-coded tensor");
            TensorData.requireFinite(data, "delta-coded tensor");
            WireHeader header = new WireHeader(WireHeader.KIND_DELTA, value.shape());
            checkOrInit(value.shape(), value.dataType(), "sender");
            double[] delta = new double[data.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = data[i] - last[i];
            }
            StochasticQuantizer.Quantized q = quantizer.quantize(delta);
            int payload = DELTA_HEADER_BYTES + (q.isZero() ? 0 : BitPacker.packedBytes(delta.length, q.bits()));
            ByteBuffer buf = header.allocateWithPayload(payload);
            buf.put(GridCodec.width(type)).put((byte) q.bits()).putFloat(q.range());
            if (!q.isZero()) {
                BitPacker.pack(q.codes(), delta.length, q.bits(), buf);
            }
            buf.flip();
            last = advance(q);
            return new EncodedTensor(buf, lastAsTensor());
        }

        /** The last reconstruction and the rounding generator's state. */
        @Override
        public byte[] state() {
            return state(ENCODER_STATE, quantizer.randomState());
        }

        @Override
        public void restoreState(byte[] state) {
            quantizer.restoreRandomState(restore(state, ENCODER_STATE, 1)[0]);
        }
    }

    private static final class Decoder extends LinkState implements TensorDecoder {

        @Override
        public INDArray decode(ByteBuffer message) {
            ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            WireHeader header = readDeltaHeader(in);
            byte width = in.get(in.position() - 6);
            int codeBits = in.get(in.position() - 5);
            float range = in.getFloat(in.position() - 4);
            long n = header.length();
            int[] codes = null;
            if (range != 0) {
                int expected = BitPacker.packedBytes(n, codeBits);
                if (in.remaining() != expected) {
                    throw new IllegalArgumentException((in.remaining() < expected ? "truncated" : "oversized")
                            + " delta message: " + in.remaining() + " payload bytes, expected " + expected + " for "
                            + n + " codes of " + codeBits + " bits, shape " + Arrays.toString(header.shape()));
                }
                codes = new int[(int) n];
                BitPacker.unpack(in, (int) n, codeBits, codes);
            } else if (in.hasRemaining()) {
                throw new IllegalArgumentException("oversized delta message: range 0 but " + in.remaining()
                        + " payload bytes follow");
            }
            checkOrInit(header.shape(), width == 4 ? DataType.FLOAT : DataType.DOUBLE, "receiver");
            last = advance(new StochasticQuantizer.Quantized(codeBits, range, codes));
            return lastAsTensor();
        }

        /** The last reconstruction. */
        @Override
        public byte[] state() {
            return state(DECODER_STATE);
        }

        @Override
        public void restoreState(byte[] state) {
            restore(state, DECODER_STATE, 0);
        }
    }

    /** Reads and checks the common and the delta header; leaves {@code in} at the first code byte. */
    private static WireHeader readDeltaHeader(ByteBuffer in) {
        WireHeader header = WireHeader.read(in);
        if (header.kind() != WireHeader.KIND_DELTA) {
            throw new IllegalArgumentException("delta codec cannot decode a message of kind " + header.kind()
                    + " (expected " + WireHeader.KIND_DELTA + ")");
        }
        if (in.remaining() < DELTA_HEADER_BYTES) {
            throw new IllegalArgumentException("truncated delta message: " + in.remaining()
                    + " bytes after the common header, the delta header needs " + DELTA_HEADER_BYTES);
        }
        byte width = in.get();
        if (width != 4 && width != 8) {
            throw new IllegalArgumentException("delta message has element width " + width + ", expected 4 or 8");
        }
        int codeBits = in.get();
        if (codeBits < BitPacker.MIN_BITS || codeBits > BitPacker.MAX_BITS) {
            throw new IllegalArgumentException("delta message has bit width " + codeBits + ", expected "
                    + BitPacker.MIN_BITS + ".." + BitPacker.MAX_BITS);
        }
        float range = in.getFloat();
        if (!(range >= 0) || Float.isInfinite(range)) {
            throw new IllegalArgumentException("delta message has range " + range + ", expected a finite value >= 0");
        }
        return header;
    }
}
