package io.github.dl4jadmm.quant;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A finite, strictly increasing set of values {@code Delta} onto which pdADMM-G-Q projects {@code p_l}
 * (algorithms.md §2: {@code p+ = Proj_Delta(p - g/tau)}), and whose indices travel on the wire.
 *
 * <p><b>Projection</b> maps each value to the nearest grid element. Evenly spaced grids ({@link Kind#UNIFORM},
 * {@link Kind#INTEGER}) find it by arithmetic rounding and clamping; {@link Kind#EXPLICIT} grids by binary search.
 * Both cost {@code O(log |grid|)} or {@code O(1)} per element and never build a {@code |grid| x numel} table.
 * Values below the smallest (above the largest) element clamp to it.
 *
 * <p><b>Ties</b>: a value exactly half way between two neighbouring elements (distances compared in double
 * precision) goes to the <em>larger</em> element, for every kind of grid.
 *
 * <p>Values are held in double precision; a FLOAT tensor receives each grid value rounded to float. NaN cannot be
 * projected and raises an {@link IllegalArgumentException}; infinities clamp to the ends. Instances are immutable
 * and thread-safe.
 */
public final class QuantizationGrid {

    /** How the grid is defined, which is also how it is described on the wire. */
    public enum Kind {
        /** {@code 2^bits} evenly spaced levels from {@code min} to {@code max}, both included (the default grid). */
        UNIFORM,
        /** All integers from {@code min} to {@code max}; the paper's preset is {@code {-1, 0, ..., 20}}. */
        INTEGER,
        /** An explicit sorted list of values. */
        EXPLICIT
    }

    /** Most levels a grid may have: its indices must fit {@link BitPacker#MAX_BITS} bits. */
    public static final int MAX_LEVELS = 1 << BitPacker.MAX_BITS;

    private final Kind kind;
    private final double[] values;
    /** Spacing of an evenly spaced grid ({@code UNIFORM}, {@code INTEGER}); NaN for {@code EXPLICIT}. */
    private final double step;
    private final int bitsPerIndex;

    private QuantizationGrid(Kind kind, double[] values, double step) {
        this.kind = kind;
        this.values = values;
        this.step = step;
        this.bitsPerIndex = Math.max(1, 32 - Integer.numberOfLeadingZeros(values.length - 1));
    }

    /**
     * The uniform grid of {@code 2^bits} levels {@code min + i (max - min) / (2^bits - 1)}, the last one being
     * exactly {@code max}.
     *
     * @throws IllegalArgumentException if {@code bits} is outside 1..16 or the range is not finite with
     *                                  {@code min < max}
     */
    public static QuantizationGrid uniform(int bits, double min, double max) {
        BitPacker.checkBits(bits);
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException("a uniform grid needs a finite range with min < max, got [" + min
                    + ", " + max + "]");
        }
        int levels = 1 << bits;
        double step = (max - min) / (levels - 1);
        if (!(step > 0) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] is too narrow or too wide for "
                    + levels + " levels");
        }
        double[] values = new double[levels];
        for (int i = 0; i < levels - 1; i++) {
            values[i] = min + i * step;
        }
        values[levels - 1] = max;
        checkIncreasing(values);
        return new QuantizationGrid(Kind.UNIFORM, values, step);
    }

    /**
     * The uniform grid of {@code 2^bits} levels over the range of {@code sample}, widened on each side by
     * {@code margin} times its width: {@code [min - margin w, max + margin w]} with {@code w = max - min}. This is
     * the default grid of algorithms.md §2 (e.g. the first forward pass's activations with a 10% margin).
     *
     * <p>A constant sample ({@code w = 0}) gets the grid {@code [c, c + max(|c|, 1)]}, on which {@code c} itself is
     * the first level, so a constant tensor is represented exactly.
     *
     * @param margin fraction of the width added on each side, {@code >= 0}
     * @throws IllegalArgumentException if the sample is empty or holds NaN or infinities, or the margin is negative
     */
    public static QuantizationGrid uniformFromStatistics(INDArray sample, int bits, double margin) {
        if (!(margin >= 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("margin must be a finite fraction >= 0, got " + margin);
        }
        double[] data = TensorData.read(sample, "grid statistics sample");
        TensorData.requireFinite(data, "grid statistics sample");
        if (data.length == 0) {
            throw new IllegalArgumentException("cannot take grid statistics from an empty tensor");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : data) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return uniformOverRange(bits, min, max, margin);
    }

    /** {@link #uniformFromStatistics} given the sample's {@code [min, max]} directly. */
    public static QuantizationGrid uniformOverRange(int bits, double min, double max, double margin) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("grid statistics need finite values with min <= max, got [" + min + ", "
                    + max + "]");
        }
        double width = max - min;
        if (width == 0) {
            return uniform(bits, min, min + Math.max(Math.abs(min), 1.0));
        }
        return uniform(bits, min - margin * width, max + margin * width);
    }

    /**
     * The integers {@code from, from + 1, ..., to}.
     *
     * @throws IllegalArgumentException unless {@code from < to} and there are at most {@link #MAX_LEVELS} of them
     */
    public static QuantizationGrid integers(int from, int to) {
        long levels = (long) to - from + 1;
        if (levels < 2 || levels > MAX_LEVELS) {
            throw new IllegalArgumentException("an integer grid needs 2.." + MAX_LEVELS + " values, got [" + from + ", "
                    + to + "]");
        }
        double[] values = new double[(int) levels];
        for (int i = 0; i < values.length; i++) {
            values[i] = (double) from + i;
        }
        return new QuantizationGrid(Kind.INTEGER, values, 1.0);
    }

    /** The paper's grid {@code {-1, 0, 1, ..., 20}} (22 levels, 5 bits per index). */
    public static QuantizationGrid paperIntegers() {
        return integers(-1, 20);
    }

    /**
     * An explicit grid.
     *
     * @param sortedValues strictly increasing finite values, 2 to {@link #MAX_LEVELS} of them
     * @throws IllegalArgumentException otherwise, naming the first offending position
     */
    public static QuantizationGrid of(double... sortedValues) {
        if (sortedValues.length < 2 || sortedValues.length > MAX_LEVELS) {
            throw new IllegalArgumentException("a grid needs 2.." + MAX_LEVELS + " values, got " + sortedValues.length);
        }
        double[] values = sortedValues.clone();
        checkIncreasing(values);
        return new QuantizationGrid(Kind.EXPLICIT, values, Double.NaN);
    }

    private static void checkIncreasing(double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("grid value " + i + " is " + values[i] + "; grid values must be finite");
            }
            if (i > 0 && !(values[i - 1] < values[i])) {
                throw new IllegalArgumentException("grid values must be strictly increasing, but value " + (i - 1)
                        + " = " + values[i - 1] + " and value " + i + " = " + values[i]);
            }
        }
    }

    /** How this grid is defined. */
    public Kind kind() {
        return kind;
    }

    /** Number of levels {@code |Delta|}. */
    public int size() {
        return values.length;
    }

    /** Bits per index on the wire: {@code ceil(log2 |Delta|)} (a 2-level grid needs 1). */
    public int bitsPerIndex() {
        return bitsPerIndex;
    }

    /** The smallest level. */
    public double min() {
        return values[0];
    }

    /** The largest level. */
    public double max() {
        return values[values.length - 1];
    }

    /** Level {@code index}, counted from 0 at the smallest. */
    public double value(int index) {
        return values[index];
    }

    /** A copy of all levels in increasing order. */
    public double[] values() {
        return values.clone();
    }

    /** Whether the levels are evenly spaced ({@code UNIFORM} or {@code INTEGER}). */
    public boolean isEvenlySpaced() {
        return kind != Kind.EXPLICIT;
    }

    /**
     * Index of the level nearest to {@code x}; ties go to the larger level; out-of-range values clamp.
     *
     * @throws IllegalArgumentException if {@code x} is NaN
     */
    public int nearestIndex(double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("cannot project NaN onto a grid");
        }
        int last = values.length - 1;
        if (x <= values[0]) {
            return 0;
        }
        if (x >= values[last]) {
            return last;
        }
        int upper;
        if (kind == Kind.EXPLICIT) {
            int found = Arrays.binarySearch(values, x);
            if (found >= 0) {
                return found;
            }
            upper = -found - 1;
        } else {
            // Arithmetic guess of the bracketing pair; the exact comparison below settles rounding errors.
            upper = (int) Math.ceil((x - values[0]) / step);
            upper = Math.max(1, Math.min(last, upper));
            while (values[upper] < x) {
                upper++;
            }
            while (values[upper - 1] >= x) {
                upper--;
            }
        }
        // Now values[upper - 1] < x <= values[upper] (the clamps above guarantee 1 <= upper <= last).
        return values[upper] - x <= x - values[upper - 1] ? upper : upper - 1;
    }

    /** The level nearest to {@code x} (same rules as {@link #nearestIndex}). */
    public double nearest(double x) {
        return values[nearestIndex(x)];
    }

    /**
     * Nearest-level indices of every element of {@code x}, in C (row-major) order.
     *
     * @throws IllegalArgumentException if {@code x} holds NaN (the message names the first flat index) or is not a
     *                                  FLOAT or DOUBLE tensor
     */
    public int[] indices(INDArray x) {
        return indicesOf(TensorData.read(x, "projected tensor"));
    }

    int[] indicesOf(double[] data) {
        int[] indices = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            if (Double.isNaN(data[i])) {
                throw new IllegalArgumentException("cannot project NaN onto a grid (flat index " + i + ")");
            }
            indices[i] = nearestIndex(data[i]);
        }
        return indices;
    }

    /**
     * {@code Proj_Delta(x)}: a new C-ordered array of {@code x}'s shape and data type whose elements are the
     * nearest levels. {@code x} is not modified.
     */
    public INDArray project(INDArray x) {
        return valuesAt(indices(x), x.shape(), x.dataType());
    }

    /**
     * Projects {@code x} onto the grid in place (works on views too) and returns {@code x}, for the engine's
     * preallocated buffers.
     */
    public INDArray projectInPlace(INDArray x) {
        return x.assign(project(x));
    }

    /**
     * The tensor whose elements are the levels {@code indices} (C order), of the given shape and type.
     *
     * @param type FLOAT or DOUBLE
     * @throws IllegalArgumentException if an index is out of range or the count does not match the shape
     */
    public INDArray valuesAt(int[] indices, long[] shape, DataType type) {
        long n = TensorData.length(shape);
        if (n != indices.length) {
            throw new IllegalArgumentException(indices.length + " indices for shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= values.length) {
                throw new IllegalArgumentException("grid index " + indices[i] + " at position " + i
                        + " is outside 0.." + (values.length - 1));
            }
        }
        if (type == DataType.FLOAT) {
            float[] out = new float[indices.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) values[indices[i]];
            }
            return Nd4j.create(out, shape, 'c');
        }
        if (type == DataType.DOUBLE) {
            double[] out = new double[indices.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = values[indices[i]];
            }
            return Nd4j.create(out, shape, 'c');
        }
        throw new IllegalArgumentException("grid values can be written as FLOAT or DOUBLE, not " + type);
    }

    /**
     * A 64-bit fingerprint of the levels, used on the wire to check that both ends of a link hold the same
     * explicit grid.
     */
    public long fingerprint() {
        long h = 0x9E3779B97F4A7C15L ^ values.length;
        for (double v : values) {
            h = StochasticQuantizer.mix64(h ^ Double.doubleToLongBits(v));
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizationGrid g && g.kind == kind && Arrays.equals(g.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UNIFORM -> "QuantizationGrid[UNIFORM, " + values.length + " levels over [" + min() + ", " + max() + "]]";
            case INTEGER -> "QuantizationGrid[INTEGER, {" + (long) min() + ", ..., " + (long) max() + "}]";
            case EXPLICIT -> "QuantizationGrid[EXPLICIT, " + values.length + " levels in [" + min() + ", " + max() + "]]";
        };
    }
}
