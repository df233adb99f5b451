package io.github.dl4jadmm.graph.augment;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Immutable settings of the GA-MLP feature augmentation {@code X = [S^k1 H, S^k2 H, ...]}.
 *
 * <p><b>Column order.</b> The blocks appear in the order of {@link #powers()}: block {@code b} occupies columns
 * {@code b*F .. (b+1)*F - 1} (F = number of raw features) and holds {@code S^powers[b] H}. The default
 * {@code 0,1,2,3,4} gives the published input {@code [H, SH, S^2H, S^3H, S^4H]}; {@link #paperCodeOrder()} gives
 * {@code 4,3,2,1,0}, the {@code cat(S^4X, S^3X, S^2X, SX, X)} of the pdADMM-G code. For an MLP the two differ only
 * by a permutation of the first layer's input rows.
 *
 * <p>Defaults: powers {@code 0..4}, {@link AdjacencyNormalization#SYMMETRIC}, raw features (no row normalisation),
 * chunk width chosen so that one dense {@code N x chunk} block takes at most 32 MiB, one thread, {@code FLOAT}
 * output.
 */
public final class AugmentationConfig {

    /** Byte budget of one dense working block when the chunk width is chosen automatically. */
    public static final long DEFAULT_CHUNK_BYTES = 32L << 20;

    private final int[] powers;
    private final AdjacencyNormalization normalization;
    private final boolean rowNormalizeFeatures;
    private final int chunkColumns;
    private final int threads;
    private final DataType dataType;

    private AugmentationConfig(Builder builder) {
        this.powers = builder.powers.clone();
        this.normalization = builder.normalization;
        this.rowNormalizeFeatures = builder.rowNormalizeFeatures;
        this.chunkColumns = builder.chunkColumns;
        this.threads = builder.threads;
        this.dataType = builder.dataType;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: {@code [H, SH, S^2H, S^3H, S^4H]}. */
    public static AugmentationConfig defaults() {
        return builder().build();
    }

    /** The pdADMM-G code's order {@code [S^4H, S^3H, S^2H, SH, H]}, otherwise the defaults. */
    public static AugmentationConfig paperCodeOrder() {
        return builder().powers(4, 3, 2, 1, 0).build();
    }

    /** Powers of {@code S}, one per block, in column order (an unmodifiable list). */
    public List<Integer> powers() {
        return Arrays.stream(powers).boxed().collect(Collectors.toUnmodifiableList());
    }

    /** The largest power, i.e. the number of propagation steps per chunk. */
    public int maxPower() {
        return Arrays.stream(powers).max().orElseThrow();
    }

    /** How {@code S} is normalised. */
    public AdjacencyNormalization normalization() {
        return normalization;
    }

    /** Whether each feature row is divided by its L1 norm before propagation (default false: raw features). */
    public boolean rowNormalizeFeatures() {
        return rowNormalizeFeatures;
    }

    /** Feature columns processed per chunk; 0 means automatic (see {@link #chunkColumnsFor}). */
    public int chunkColumns() {
        return chunkColumns;
    }

    /**
     * The chunk width used for a graph: the configured one, or the widest whose dense {@code numNodes x chunk}
     * float block fits {@link #DEFAULT_CHUNK_BYTES}; never more than {@code numFeatures}, never less than 1.
     */
    public int chunkColumnsFor(int numNodes, int numFeatures) {
        long width = chunkColumns > 0 ? chunkColumns : DEFAULT_CHUNK_BYTES / (4L * Math.max(1, numNodes));
        return (int) Math.max(1, Math.min(width, Math.max(1, numFeatures)));
    }

    /** Threads used for the sparse products (default 1). */
    public int threads() {
        return threads;
    }

    /** Data type of the output arrays (default {@code FLOAT}). */
    public DataType dataType() {
        return dataType;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AugmentationConfig other)) {
            return false;
        }
        return Arrays.equals(powers, other.powers) && normalization == other.normalization
                && rowNormalizeFeatures == other.rowNormalizeFeatures && chunkColumns == other.chunkColumns
                && threads == other.threads && dataType == other.dataType;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(powers), normalization, rowNormalizeFeatures, chunkColumns, threads,
                dataType);
    }

    @Override
    public String toString() {
        return "AugmentationConfig[powers=" + Arrays.toString(powers) + ", normalization=" + normalization
                + ", rowNormalizeFeatures=" + rowNormalizeFeatures + ", chunkColumns="
                + (chunkColumns == 0 ? "auto" : chunkColumns) + ", threads=" + threads + ", dataType=" + dataType
                + "]";
    }

    /** Validating builder of {@link AugmentationConfig}. */
    public static final class Builder {
        private int[] powers = {0, 1, 2, 3, 4};
        private AdjacencyNormalization normalization = AdjacencyNormalization.SYMMETRIC;
        private boolean rowNormalizeFeatures;
        private int chunkColumns;
        private int threads = 1;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /**
         * The powers of {@code S}, one block each, in column order (default {@code 0,1,2,3,4}).
         *
         * @throws IllegalArgumentException if empty, negative, or repeated
         */
        public Builder powers(int... powers) {
            if (powers == null || powers.length == 0) {
                throw new IllegalArgumentException("powers must name at least one power of S, e.g. powers(0, 1, 2)");
            }
            for (int i = 0; i < powers.length; i++) {
                if (powers[i] < 0) {
                    throw new IllegalArgumentException("powers of S must be >= 0, got " + powers[i]);
                }
                for (int j = 0; j < i; j++) {
                    if (powers[j] == powers[i]) {
                        throw new IllegalArgumentException("power " + powers[i] + " is listed twice in "
                                + Arrays.toString(powers) + "; each block must be a different power of S");
                    }
                }
            }
            this.powers = powers.clone();
            return this;
        }

        /** How {@code S} is normalised (default {@link AdjacencyNormalization#SYMMETRIC}). */
        public Builder normalization(AdjacencyNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Divide each feature row by its L1 norm (its sum for non-negative features, as in Kipf and Welling's
         * preprocessing) before propagating; rows of zeros stay zero. Default false: the pdADMM-G input uses raw
         * features.
         */
        public Builder rowNormalizeFeatures(boolean rowNormalizeFeatures) {
            this.rowNormalizeFeatures = rowNormalizeFeatures;
            return this;
        }

        /**
         * Feature columns per chunk; the heap holds two dense {@code numNodes x chunkColumns} float blocks at a time.
         * Default: automatic ({@link AugmentationConfig#DEFAULT_CHUNK_BYTES} per block).
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder chunkColumns(int chunkColumns) {
            if (chunkColumns < 1) {
                throw new IllegalArgumentException("chunkColumns must be >= 1, got " + chunkColumns);
            }
            this.chunkColumns = chunkColumns;
            return this;
        }

        /**
         * Threads for the sparse products (default 1; the products split by rows).
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Data type of the output arrays (default {@code FLOAT}).
         *
         * @throws IllegalArgumentException if not a floating-point type
         */
        public Builder dataType(DataType dataType) {
            if (dataType == null || !dataType.isFPType()) {
                throw new IllegalArgumentException("the output data type must be a floating-point type (FLOAT,"
                        + " DOUBLE, HALF, ...), got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /** The configuration. */
        public AugmentationConfig build() {
            return new AugmentationConfig(this);
        }
    }
}
