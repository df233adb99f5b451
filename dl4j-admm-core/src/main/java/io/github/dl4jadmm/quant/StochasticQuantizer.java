package io.github.dl4jadmm.quant;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The unbiased stochastic quantiser of Q-GADMM (algorithms.md §3.2), applied to a difference {@code delta}:
 *
 * <pre>
 *   R = max_i |delta_i|,   Delta = 2R / (2^b - 1),   c_i = (delta_i + R) / Delta
 *   code_i = ceil(c_i) with probability c_i - floor(c_i), else floor(c_i)        (so E[code_i] = c_i)
 *   reconstruction_i = Delta * code_i - R                                          (so E[...] = delta_i)
 * </pre>
 *
 * <p>Codes lie in {@code 0 .. 2^b - 1} and every reconstruction is within {@code Delta} of {@code delta_i}. The range
 * travels as a float32: {@code R} is rounded <em>up</em> to the next float so that it still bounds every
 * {@code |delta_i|}, and both ends then compute {@code Delta} and the reconstruction from that float with the same
 * double arithmetic, so they agree bit for bit. When {@code R = 0} no codes are produced (a message carries only
 * its header). A message costs {@code b * d + 32} bits ({@link #messageBits}).
 *
 * <p>The random draws come from a SplitMix64 generator seeded at construction (the draws of
 * {@code java.util.SplittableRandom} with the same seed), so a run is reproducible; its state is one {@code long}
 * ({@link #randomState()}), which a checkpoint saves and {@link #restoreRandomState} puts back. One instance belongs
 * to one sender; it is not thread-safe.
 */
public final class StochasticQuantizer {

    /** SplitMix64's increment (SplittableRandom's default gamma). */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private final int bits;
    private final int maxCode;
    private final boolean stochastic;
    /** SplitMix64 state: the seed advanced by {@link #GOLDEN_GAMMA} per draw. */
    private long randomState;

    /**
     * @param bits code width {@code b}, 1..16 (1 bit diverged in every Q-GADMM measurement, see {@code GadmmConfig})
     * @param seed seed of the rounding draws
     */
    public StochasticQuantizer(int bits, long seed) {
        this(bits, true, seed);
    }

    private StochasticQuantizer(int bits, boolean stochastic, long seed) {
        BitPacker.checkBits(bits);
        this.bits = bits;
        this.maxCode = (1 << bits) - 1;
        this.stochastic = stochastic;
        this.randomState = seed;
    }

    /**
     * The deterministic variant: every value goes to the nearest code (ties up). Biased, but without the
     * stochastic variant's extra variance; the same message format and sizes.
     */
    public static StochasticQuantizer nearest(int bits) {
        return new StochasticQuantizer(bits, false, 0);
    }

    /** Whether rounding is stochastic (unbiased) rather than to the nearest code. */
    public boolean isStochastic() {
        return stochastic;
    }

    /** The generator's state: the draws to come are fixed by it (for checkpoints). */
    public long randomState() {
        return randomState;
    }

    /** Puts back a state read with {@link #randomState()}: the draws continue from there. */
    public void restoreRandomState(long state) {
        this.randomState = state;
    }

    /** A uniform double in {@code [0, 1)}: SplitMix64's next 64 bits, the top 53 of them. */
    private double nextDouble() {
        return (mix64(randomState += GOLDEN_GAMMA) >>> 11) * 0x1.0p-53;
    }

    /**
     * SplitMix64's finaliser (Stafford's variant 13): a bijective mix of 64 bits, the output function of this
     * quantiser's generator and the hash behind the per-link and per-worker seeds and grid fingerprints.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The code width {@code b}. */
    public int bits() {
        return bits;
    }

    /**
     * Bits of one quantised message of {@code d} values as counted by the paper: {@code b * d + 32} (codes plus the
     * float32 range). A zero-range message carries only the 32-bit range.
     */
    public static long messageBits(long d, int bits) {
        BitPacker.checkBits(bits);
        return (long) bits * d + 32;
    }

    /**
     * Quantises {@code delta} (C order), drawing the rounding directions from this quantiser's generator.
     *
     * @throws IllegalArgumentException if {@code delta} holds NaN or infinities, or its range overflows a float
     */
    public Quantized quantize(double[] delta) {
        double maxAbs = 0;
        for (int i = 0; i < delta.length; i++) {
            double v = delta[i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("cannot quantise " + v + " (flat index " + i + ")");
            }
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        float range = rangeAsFloat(maxAbs);
        if (range == 0) {
            return new Quantized(bits, 0f, null);
        }
        double step = step(range, bits);
        int[] codes = new int[delta.length];
        for (int i = 0; i < delta.length; i++) {
            double c = (delta[i] + range) / step;
            double floor = Math.floor(c);
            double fraction = c - floor;
            boolean roundUp = stochastic ? nextDouble() < fraction : fraction >= 0.5;
            int code = (int) floor + (roundUp ? 1 : 0);
            // c can exceed 2^b - 1 by a rounding error when |delta_i| = R; the clamp keeps the code valid.
            codes[i] = Math.max(0, Math.min(maxCode, code));
        }
        return new Quantized(bits, range, codes);
    }

    /** {@link #quantize(double[])} of a FLOAT or DOUBLE tensor, in C order. */
    public Quantized quantize(INDArray delta) {
        return quantize(TensorData.read(delta, "quantised difference"));
    }

    /**
     * Quantises and immediately dequantises {@code delta}: the value the receiver will add, as a new C-ordered
     * tensor of {@code delta}'s shape and type. Q-GADMM's {@code theta_hat += roundTrip(theta - theta_hat)}.
     */
    public INDArray roundTrip(INDArray delta) {
        double[] data = TensorData.read(delta, "quantised difference");
        return toTensor(quantize(data).dequantize(data.length), delta.shape(), delta.dataType());
    }

    static float rangeAsFloat(double maxAbs) {
        float range = (float) maxAbs;
        if (range < maxAbs) {
            range = Math.nextUp(range);
        }
        if (Float.isInfinite(range)) {
            throw new IllegalArgumentException("range " + maxAbs + " of the quantised difference overflows a float32");
        }
        return range;
    }

    static double step(float range, int bits) {
        return 2.0 * range / ((1 << bits) - 1);
    }

    static INDArray toTensor(double[] values, long[] shape, DataType type) {
        if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return Nd4j.create(f, shape, 'c');
        }
        return Nd4j.create(values.clone(), shape, 'c');
    }

    /**
     * One quantised difference: the range {@code R} (as sent) and the codes.
     *
     * @param bits  code width {@code b}
     * @param range {@code R >= 0}, as the float32 that travels
     * @param codes codes in {@code 0 .. 2^b - 1}, C order; {@code null} when {@code range == 0}
     */
    public record Quantized(int bits, float range, int[] codes) {

        /** The quantisation step {@code Delta = 2R / (2^b - 1)}. */
        public double step() {
            return StochasticQuantizer.step(range, bits);
        }

        /** Whether the message is the header alone ({@code R = 0}: nothing changed). */
        public boolean isZero() {
            return range == 0;
        }

        /** Reconstruction {@code Delta * code_i - R} of element {@code i}. */
        public double value(int i) {
            return codes == null ? 0.0 : step() * codes[i] - range;
        }

        /** All reconstructions, C order; {@code length} is needed because a zero message has no codes. */
        public double[] dequantize(int length) {
            double[] out = new double[length];
            addTo(out);
            return out;
        }

        /** All reconstructions (requires codes, i.e. {@code R > 0}; otherwise use {@link #dequantize(int)}). */
        public double[] dequantize() {
            if (codes == null) {
                throw new IllegalStateException("a zero-range message has no codes; call dequantize(length)");
            }
            return dequantize(codes.length);
        }

        /** Adds the reconstructions to {@code target} in place ({@code theta_hat += Delta * code - R}). */
        public void addTo(double[] target) {
            if (codes == null) {
                return;
            }
            if (codes.length != target.length) {
                throw new IllegalArgumentException(codes.length + " codes for a target of " + target.length);
            }
            double step = step();
            for (int i = 0; i < target.length; i++) {
                target[i] += step * codes[i] - range;
            }
        }
    }
}
