package io.github.dl4jadmm.quant;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * How the tensors that cross a layer boundary are quantised (algorithms.md §2). Immutable; build it with
 * {@link #builder()}, whose {@link Builder#build()} validates and explains a bad value. Turn it into a codec with
 * {@link Quantizers#codecFor(QuantizerConfig)}.
 *
 * <ul>
 *   <li>{@link Mode#NONE}: lossless float transfers. Takes no other setting.</li>
 *   <li>{@link Mode#GRID}: grid indices (pdADMM-G-Q). {@link GridKind#UNIFORM} (default) uses {@code 2^bits} levels
 *       over a range from the activation statistics widened by {@code margin} on each side;
 *       {@link GridKind#INTEGER} is the paper's {@code {-1, 0, ..., 20}} (22 levels, so always 5 bits; setting another
 *       bit width or a margin for it is an error).</li>
 *   <li>{@link Mode#DELTA}: delta coding with the stochastic quantiser, {@code bits} per element, seeded.</li>
 * </ul>
 *
 * Settings that the chosen mode would not use are rejected rather than ignored, except the seed, which every
 * configuration carries (only DELTA draws random numbers). One bit per element is allowed; what it does depends on
 * the algorithm, so the algorithm's configuration warns about it ({@code GadmmConfig} for Q-GADMM,
 * {@code PdAdmmConfig} for pdADMM-G-Q).
 */
public final class QuantizerConfig {

    /** What travels. */
    public enum Mode {
        /** Raw float values. */
        NONE,
        /** Indices into a quantisation grid. */
        GRID,
        /** Stochastically quantised differences from the last reconstruction. */
        DELTA
    }

    /** The grid of {@link Mode#GRID}. */
    public enum GridKind {
        /** {@code 2^bits} levels over the activation range, widened by the margin. */
        UNIFORM,
        /** The paper's integer grid {@code {-1, 0, ..., 20}}. */
        INTEGER
    }

    /** Bits per element unless set. */
    public static final int DEFAULT_BITS = 8;
    /** Margin of a uniform grid unless set: 10% of the range on each side. */
    public static final double DEFAULT_MARGIN = 0.1;
    /** Seed unless set. */
    public static final long DEFAULT_SEED = 42L;
    /** Bits per index of the integer grid {@code {-1, ..., 20}}. */
    public static final int INTEGER_GRID_BITS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mode mode;
    private final int bits;
    private final GridKind gridKind;
    private final double margin;
    private final long seed;
    private final boolean stochasticRounding;

    private QuantizerConfig(Mode mode, int bits, GridKind gridKind, double margin, long seed,
                            boolean stochasticRounding) {
        this.mode = mode;
        this.bits = bits;
        this.gridKind = gridKind;
        this.margin = margin;
        this.seed = seed;
        this.stochasticRounding = stochasticRounding;
    }

    /** DELTA mode: unbiased stochastic rounding (default) or deterministic rounding to the nearest code. */
    public boolean stochasticRounding() {
        return stochasticRounding;
    }

    /** A builder starting from mode NONE and the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Lossless transfers. */
    public static QuantizerConfig none() {
        return builder().build();
    }

    /** The mode. */
    public Mode mode() {
        return mode;
    }

    /**
     * Bits per element on the wire: the configured width for a uniform grid and for delta coding, 5 for the integer
     * grid, 32 for NONE (float32 values).
     */
    public int bits() {
        return bits;
    }

    /** The grid kind; meaningful for {@link Mode#GRID} only ({@code UNIFORM} otherwise). */
    public GridKind gridKind() {
        return gridKind;
    }

    /** Margin of the uniform grid, as a fraction of the range on each side; 0 where unused. */
    public double margin() {
        return margin;
    }

    /** Seed of the stochastic rounding (delta coding derives one seed per link from it). */
    public long seed() {
        return seed;
    }

    /** A builder holding this configuration's settings (only those the mode uses, plus the seed). */
    public Builder toBuilder() {
        Builder b = builder().mode(mode).seed(seed);
        if (mode == Mode.GRID) {
            b.gridKind(gridKind);
            if (gridKind == GridKind.UNIFORM) {
                b.bits(bits).margin(margin);
            }
        } else if (mode == Mode.DELTA) {
            b.bits(bits);
            if (!stochasticRounding) {
                b.stochasticRounding(false);
            }
        }
        return b;
    }

    /** JSON of the settings the mode uses, e.g. {@code {"mode":"DELTA","bits":8,"seed":42}}. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("mode", mode.name());
        if (mode == Mode.GRID) {
            node.put("gridKind", gridKind.name());
        }
        if (mode == Mode.DELTA || (mode == Mode.GRID && gridKind == GridKind.UNIFORM)) {
            node.put("bits", bits);
        }
        if (mode == Mode.GRID && gridKind == GridKind.UNIFORM) {
            node.put("margin", margin);
        }
        if (mode == Mode.DELTA && !stochasticRounding) {
            node.put("stochasticRounding", false);
        }
        node.put("seed", seed);
        return node.toString();
    }

    /**
     * Reads {@link #toJson()} output.
     *
     * @throws IllegalArgumentException on malformed JSON, unknown fields or invalid settings
     */
    public static QuantizerConfig fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed quantizer configuration JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("quantizer configuration JSON must be an object, got " + json);
        }
        Builder b = builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "mode" -> b.mode(parseEnum(Mode.class, v, "mode"));
                case "gridKind" -> b.gridKind(parseEnum(GridKind.class, v, "gridKind"));
                case "bits" -> b.bits(requireInt(v, "bits"));
                case "margin" -> {
                    if (!v.isNumber()) {
                        throw new IllegalArgumentException("quantizer configuration: margin must be a number, got " + v);
                    }
                    b.margin(v.asDouble());
                }
                case "seed" -> {
                    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                        throw new IllegalArgumentException("quantizer configuration: seed must be a long, got " + v);
                    }
                    b.seed(v.asLong());
                }
                case "stochasticRounding" -> {
                    if (!v.isBoolean()) {
                        throw new IllegalArgumentException("quantizer configuration: stochasticRounding must be a "
                                + "boolean, got " + v);
                    }
                    b.stochasticRounding(v.asBoolean());
                }
                default -> throw new IllegalArgumentException("unknown quantizer configuration field '"
                        + field.getKey() + "' (known: mode, gridKind, bits, margin, seed, stochasticRounding)");
            }
        }
        return b.build();
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, JsonNode v, String field) {
        try {
            return Enum.valueOf(type, v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quantizer configuration: unknown " + field + " " + v + " (known: "
                    + java.util.Arrays.toString(type.getEnumConstants()) + ")", e);
        }
    }

    private static int requireInt(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("quantizer configuration: " + field + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizerConfig c && c.mode == mode && c.bits == bits && c.gridKind == gridKind
                && Double.compare(c.margin, margin) == 0 && c.seed == seed
                && c.stochasticRounding == stochasticRounding;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, bits, gridKind, margin, seed, stochasticRounding);
    }

    @Override
    public String toString() {
        return switch (mode) {
            case NONE -> "QuantizerConfig[NONE]";
            case GRID -> gridKind == GridKind.INTEGER ? "QuantizerConfig[GRID, INTEGER {-1..20}, 5 bits]"
                    : "QuantizerConfig[GRID, UNIFORM, " + bits + " bits, margin " + margin + "]";
            case DELTA -> "QuantizerConfig[DELTA, " + bits + " bits, "
                    + (stochasticRounding ? "stochastic rounding, seed " + seed : "nearest rounding") + "]";
        };
    }

    /** Validating builder; every setter rejects an invalid value at once, {@link #build()} checks combinations. */
    public static final class Builder {
        private Mode mode = Mode.NONE;
        private Integer bits;
        private GridKind gridKind;
        private Double margin;
        private long seed = DEFAULT_SEED;
        private Boolean stochasticRounding;

        private Builder() {
        }

        /** DELTA mode only: stochastic, unbiased rounding (default true) or rounding to the nearest code. */
        public Builder stochasticRounding(boolean stochasticRounding) {
            this.stochasticRounding = stochasticRounding;
            return this;
        }

        /** NONE (default), GRID or DELTA. */
        public Builder mode(Mode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("mode must not be null (use Mode.NONE for lossless transfers)");
            }
            this.mode = mode;
            return this;
        }

        /** Bits per element, 1..16 (default 8) for a uniform grid or delta coding. */
        public Builder bits(int bits) {
            if (bits < BitPacker.MIN_BITS || bits > BitPacker.MAX_BITS) {
                throw new IllegalArgumentException("bits must be in " + BitPacker.MIN_BITS + ".." + BitPacker.MAX_BITS
                        + " (codes are packed into at most 16 bits), got " + bits);
            }
            this.bits = bits;
            return this;
        }

        /** UNIFORM (default) or INTEGER; GRID mode only. */
        public Builder gridKind(GridKind gridKind) {
            if (gridKind == null) {
                throw new IllegalArgumentException("grid kind must not be null");
            }
            this.gridKind = gridKind;
            return this;
        }

        /** Fraction of the range added on each side of a uniform grid, finite and >= 0 (default 0.1). */
        public Builder margin(double margin) {
            if (!(margin >= 0) || !Double.isFinite(margin)) {
                throw new IllegalArgumentException("margin must be a finite fraction >= 0, got " + margin);
            }
            this.margin = margin;
            return this;
        }

        /** Seed of the stochastic rounding (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Checks the combination and builds.
         *
         * @throws IllegalArgumentException naming the setting that the chosen mode cannot use
         */
        public QuantizerConfig build() {
            if (mode != Mode.GRID && gridKind != null) {
                throw new IllegalArgumentException("gridKind " + gridKind + " only applies to mode GRID, not " + mode);
            }
            if (mode == Mode.NONE && bits != null) {
                throw new IllegalArgumentException("bits " + bits + " does not apply to mode NONE (raw float32); "
                        + "choose mode GRID or DELTA to quantise");
            }
            GridKind kind = gridKind == null ? GridKind.UNIFORM : gridKind;
            boolean uniformGrid = mode == Mode.GRID && kind == GridKind.UNIFORM;
            if (margin != null && !uniformGrid) {
                throw new IllegalArgumentException("margin only applies to a UNIFORM grid (mode GRID), not to "
                        + (mode == Mode.GRID ? "the INTEGER grid" : "mode " + mode));
            }
            if (mode == Mode.GRID && kind == GridKind.INTEGER && bits != null && bits != INTEGER_GRID_BITS) {
                throw new IllegalArgumentException("the INTEGER grid {-1, ..., 20} has 22 levels and always uses "
                        + INTEGER_GRID_BITS + " bits; do not set bits (got " + bits + ") or use the UNIFORM grid");
            }
            int effectiveBits = switch (mode) {
                case NONE -> 32;
                case GRID -> kind == GridKind.INTEGER ? INTEGER_GRID_BITS : bitsOrDefault();
                case DELTA -> bitsOrDefault();
            };
            if (stochasticRounding != null && mode != Mode.DELTA) {
                throw new IllegalArgumentException("stochasticRounding only applies to mode DELTA, not " + mode);
            }
            return new QuantizerConfig(mode, effectiveBits, kind, uniformGrid ? marginOrDefault() : 0.0, seed,
                    stochasticRounding == null || stochasticRounding);
        }

        private int bitsOrDefault() {
            return bits == null ? DEFAULT_BITS : bits;
        }

        private double marginOrDefault() {
            return margin == null ? DEFAULT_MARGIN : margin;
        }
    }
}
