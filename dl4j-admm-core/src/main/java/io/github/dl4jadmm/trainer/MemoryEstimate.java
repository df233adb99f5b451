package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalInt;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a pdADMM-G run will allocate, before it allocates it. Every block holds several {@code N}-row arrays
 * (algorithms.md §1: {@code p, z, q, u}, the received neighbour tensors, the cached product {@code pW} and the
 * buffers of the steps), so memory grows with {@code N x (sum of widths)}; the weights are negligible next to them.
 * Per layer {@code l} with input width {@code n_{l-1}} and output width {@code n_l}, counted in {@code N}-row arrays:
 * <ul>
 *   <li>of width {@code n_l}: {@value #OUTPUT_WIDTH_ARRAYS} always ({@code pW} and its scratch, {@code z}, the
 *       pre-activation {@code m}, the W-step residual), 1 more for layers {@code l >= 2} (the p-step residual),
 *       {@value #HIDDEN_EXTRA_ARRAYS} more on hidden layers ({@code f(z)}, {@code q} and its scratch, {@code u}, the
 *       received {@code p_{l+1}}, the message in flight), {@value #OUTPUT_EXTRA_ARRAYS} more on the output layer
 *       (labels, the FISTA iterates);</li>
 *   <li>of width {@code n_{l-1}}, layers {@code l >= 2}: {@value #INPUT_WIDTH_ARRAYS} ({@code p} and its scratch, the
 *       received {@code q_{l-1}}, this block's copy of {@code u_{l-1}}, the p-step gradient and difference);</li>
 *   <li>the engine's copy of the input {@code X} ({@code n_0} wide) and the caller's data: {@value #DATA_COPIES}
 *       more arrays of widths {@code n_0} and {@code n_L} (the concatenated features and labels).</li>
 * </ul>
 * It mirrors the engine's buffers as of this writing; it is an estimate (ND4J temporaries come and go), meant to
 * refuse a hopeless run with a clear message rather than to account for every byte.
 *
 * @param rows     number of training rows {@code N}
 * @param widths   {@code n_0 .. n_L}
 * @param dataType the type of the ADMM variables
 * @param elements number of array elements in all
 * @param bytes    {@code elements} times the size of {@code dataType}
 */
public record MemoryEstimate(long rows, int[] widths, DataType dataType, long elements, long bytes) {

    /** N-row arrays of the layer's output width that every block holds. */
    public static final int OUTPUT_WIDTH_ARRAYS = 5;
    /** Extra N-row arrays of the output width on a hidden block. */
    public static final int HIDDEN_EXTRA_ARRAYS = 6;
    /** Extra N-row arrays of the output width on the output block. */
    public static final int OUTPUT_EXTRA_ARRAYS = 5;
    /** N-row arrays of the layer's input width on blocks 2..L. */
    public static final int INPUT_WIDTH_ARRAYS = 6;
    /** Copies of the data (features and labels) beside the engine's own. */
    public static final int DATA_COPIES = 1;

    public MemoryEstimate {
        widths = widths.clone();
    }

    /** The estimate for {@code rows} training rows of {@code architecture} in {@code dataType}. */
    public static MemoryEstimate of(MlpArchitecture architecture, long rows, DataType dataType) {
        int[] n = architecture.widths();
        long elements = dataElements(n, rows);
        for (int l = 1; l <= architecture.layers(); l++) {
            elements = Math.addExact(elements, layerElements(n, rows, l));
        }
        return new MemoryEstimate(rows, n, dataType, elements, Math.multiplyExact(elements, dataType.width()));
    }

    /** Elements of the engine's and the caller's copies of the data (every rank holds them). */
    private static long dataElements(int[] n, long rows) {
        long perRow = (long) n[0] * (1 + DATA_COPIES) + (long) n[n.length - 1] * DATA_COPIES;
        return Math.multiplyExact(perRow, rows);
    }

    /** Elements of layer {@code l}'s block: its N-row arrays and its weights. */
    private static long layerElements(int[] n, long rows, int l) {
        int layers = n.length - 1;
        long arraysOfOutputWidth = OUTPUT_WIDTH_ARRAYS + (l >= 2 ? 1 : 0)
                + (l < layers ? HIDDEN_EXTRA_ARRAYS : OUTPUT_EXTRA_ARRAYS);
        long perRow = arraysOfOutputWidth * n[l] + (l >= 2 ? (long) INPUT_WIDTH_ARRAYS * n[l - 1] : 0);
        long weights = 4L * ((long) n[l - 1] * n[l] + n[l]);
        return Math.addExact(Math.multiplyExact(perRow, rows), weights);
    }

    /** Bytes of layer {@code layer}'s block alone (1-based), without the data: the "engine memory per layer". */
    public long layerBytes(int layer) {
        if (layer < 1 || layer >= widths.length) {
            throw new IllegalArgumentException("layer " + layer + " is not in 1.." + (widths.length - 1));
        }
        return Math.multiplyExact(layerElements(widths, rows, layer), dataType.width());
    }

    /** Bytes of the data copies that every engine (and every rank) holds. */
    public long dataBytes() {
        return Math.multiplyExact(dataElements(widths, rows), dataType.width());
    }

    /**
     * Bytes that the rank holding layers {@code firstLayer .. lastLayer} (1-based, inclusive) needs: its blocks
     * and its copy of the whole training set (every rank is given all of it).
     */
    public long rankBytes(int firstLayer, int lastLayer) {
        if (firstLayer < 1 || lastLayer >= widths.length || firstLayer > lastLayer) {
            throw new IllegalArgumentException("layers " + firstLayer + ".." + lastLayer + " are not a range within 1.."
                    + (widths.length - 1));
        }
        long bytes = dataBytes();
        for (int l = firstLayer; l <= lastLayer; l++) {
            bytes = Math.addExact(bytes, layerBytes(l));
        }
        return bytes;
    }

    /** The largest {@link #rankBytes} over the ranks of {@code partition}. */
    public long largestRankBytes(LayerPartition partition) {
        long largest = 0;
        for (int r = 0; r < partition.ranks(); r++) {
            largest = Math.max(largest, rankBytes(partition.firstLayer(r), partition.lastLayer(r)));
        }
        return largest;
    }

    /**
     * The fewest ranks, each on its own machine with {@code budget} bytes, that hold this run with the layers split
     * evenly ({@link LayerPartition#even}); empty if even one layer per rank needs more (then only fewer rows or
     * narrower layers help, since every rank holds all {@code N} rows).
     */
    public OptionalInt ranksToFit(long budget) {
        int layers = widths.length - 1;
        for (int ranks = 1; ranks <= layers; ranks++) {
            if (largestRankBytes(LayerPartition.even(layers, ranks)) <= budget) {
                return OptionalInt.of(ranks);
            }
        }
        return OptionalInt.empty();
    }

    /** System property that sets the default budget in bytes, e.g. {@code -Ddl4jadmm.memoryBudget=12000000000}. */
    public static final String BUDGET_PROPERTY = "dl4jadmm.memoryBudget";

    /**
     * The default budget: the bytes of {@code -D}{@value #BUDGET_PROPERTY} if set, else 80% of the smaller of JavaCPP's limits on off-heap memory
     * ({@code -Dorg.bytedeco.javacpp.maxbytes}, {@code maxphysicalbytes}), or of the JVM's heap limit when JavaCPP
     * sets none.
     */
    public static long defaultBudget() {
        String set = System.getProperty(BUDGET_PROPERTY);
        if (set != null && !set.isBlank()) {
            try {
                long bytes = Long.parseLong(set.trim());
                if (bytes > 0) {
                    return bytes;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("-D" + BUDGET_PROPERTY + " must be a positive number of bytes, got "
                    + set);
        }
        long limit = Long.MAX_VALUE;
        if (Pointer.maxBytes() > 0) {
            limit = Pointer.maxBytes();
        }
        if (Pointer.maxPhysicalBytes() > 0) {
            limit = Math.min(limit, Pointer.maxPhysicalBytes());
        }
        if (limit == Long.MAX_VALUE) {
            limit = Runtime.getRuntime().maxMemory();
        }
        return (long) (0.8 * limit);
    }

    /**
     * Refuses the run if the estimate exceeds {@code budget}.
     *
     * @throws MemoryBudgetExceededException with the estimate, the budget and the remedies
     */
    public void requireWithin(long budget) {
        if (bytes > budget) {
            throw new MemoryBudgetExceededException(this, budget);
        }
    }

    /** A one-line description, e.g. {@code 1.2 GiB (N = 10000 rows, widths [..], FLOAT)}. */
    public String describe() {
        return format(bytes) + " (N = " + rows + " rows, widths " + Arrays.toString(widths) + ", " + dataType + ")";
    }

    /** Bytes in binary units, e.g. {@code 1.5 GiB}. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryEstimate m && m.rows == rows && Arrays.equals(m.widths, widths)
                && m.dataType == dataType && m.elements == elements;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(elements) * 31 + Arrays.hashCode(widths);
    }

    @Override
    public String toString() {
        return "MemoryEstimate[" + describe() + "]";
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }
}
