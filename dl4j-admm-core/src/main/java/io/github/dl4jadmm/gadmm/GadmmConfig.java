package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.quant.QuantizerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutable configuration of a (Q-)GADMM run (algorithms.md §3). Build it with {@link #builder()};
 * {@link Builder#build()} validates every value and explains what to change.
 *
 * <p>Defaults: {@code rho = 1}, dual step {@code alpha = 1}, 100 iterations, quantised models with
 * {@link QuantizerConfig#DEFAULT_BITS} bits and a {@link BitWidthRule#FIXED} width, the objective evaluated every
 * iteration, workers on {@code min(workers, cores)} threads. Exact GADMM is {@link Builder#exact()}.
 *
 * <p>Two seeds: {@code quantizer().seed()} seeds the stochastic rounding (each worker derives its own generator
 * from it); {@link #seed()} seeds everything else (the minibatch order of Q-SGADMM). Equal configurations on equal
 * data give bit-identical runs whatever the number of worker threads: exactly so for the convex solvers (plain Java
 * arithmetic); DL4J networks additionally need the same ND4J thread settings, since ND4J's parallel reductions may
 * sum in a different order.
 */
public final class GadmmConfig {

    private static final Logger log = LoggerFactory.getLogger(GadmmConfig.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final double rho;
    private final double alpha;
    private final int iterations;
    private final QuantizerConfig quantizer;
    private final BitWidthRule bitWidthRule;
    private final int threads;
    private final int objectiveFrequency;
    private final long seed;
    private final int[] devicePlacement;
    private final List<String> warnings;

    private GadmmConfig(Builder b, List<String> warnings) {
        rho = b.rho;
        alpha = b.alpha;
        iterations = b.iterations;
        quantizer = b.quantizer;
        bitWidthRule = b.bitWidthRule;
        threads = b.threads;
        objectiveFrequency = b.objectiveFrequency;
        seed = b.seed;
        devicePlacement = b.devicePlacement == null ? null : b.devicePlacement.clone();
        this.warnings = Collections.unmodifiableList(warnings);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rho = rho;
        b.alpha = alpha;
        b.iterations = iterations;
        b.quantizer = quantizer;
        b.bitWidthRule = bitWidthRule;
        b.threads = threads;
        b.objectiveFrequency = objectiveFrequency;
        b.seed = seed;
        b.devicePlacement = devicePlacement == null ? null : devicePlacement.clone();
        return b;
    }

    /** Penalty {@code rho} of the consensus constraints {@code theta_n = theta_{n+1}}. */
    public double rho() {
        return rho;
    }

    /** Dual step factor: {@code lambda_n += alpha * rho * (theta_hat_n - theta_hat_{n+1})}. */
    public double alpha() {
        return alpha;
    }

    /** Number of iterations {@link GadmmTrainer#fit()} runs. */
    public int iterations() {
        return iterations;
    }

    /** How models travel: {@link QuantizerConfig.Mode#NONE} (exact GADMM) or {@link QuantizerConfig.Mode#DELTA}. */
    public QuantizerConfig quantizer() {
        return quantizer;
    }

    /** Whether models travel quantised (Q-GADMM) rather than exactly (GADMM). */
    public boolean quantized() {
        return quantizer.mode() == QuantizerConfig.Mode.DELTA;
    }

    /** Code width of a quantised message (the first one, under {@link BitWidthRule#NON_INCREASING_STEP}). */
    public int bits() {
        return quantizer.bits();
    }

    public BitWidthRule bitWidthRule() {
        return bitWidthRule;
    }

    /** Worker threads: 0 means {@code min(workers, cores)}, 1 runs every worker on the calling thread. */
    public int threads() {
        return threads;
    }

    /** Evaluate {@code sum_n f_n(theta_n)} every this many iterations (and after the last); 0 never. */
    public int objectiveFrequency() {
        return objectiveFrequency;
    }

    /** Seed of everything random except the stochastic rounding (see the class comment). */
    public long seed() {
        return seed;
    }

    /** Device of each worker (index 0 is worker 1), or null for round-robin over the visible devices. */
    public int[] devicePlacement() {
        return devicePlacement == null ? null : devicePlacement.clone();
    }

    /** Warnings raised by {@link Builder#build()} (also logged), e.g. for 1-bit quantisation. */
    public List<String> warnings() {
        return warnings;
    }

    /** The configuration as a JSON object, for saving next to a result. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rho", rho);
        m.put("alpha", alpha);
        m.put("iterations", iterations);
        try {
            m.put("quantizer", JSON.readValue(quantizer.toJson(), Map.class));
            m.put("bitWidthRule", bitWidthRule.name());
            m.put("threads", threads);
            m.put("objectiveFrequency", objectiveFrequency);
            m.put("seed", seed);
            m.put("devicePlacement", devicePlacement);
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise configuration", e);
        }
    }

    /** Reads a configuration written by {@link #toJson()}; missing keys take their defaults. */
    public static GadmmConfig fromJson(String json) {
        Map<?, ?> m;
        try {
            m = JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a GADMM configuration: " + e.getOriginalMessage(), e);
        }
        Builder b = builder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            String key = String.valueOf(e.getKey());
            try {
                switch (key) {
                    case "rho" -> b.rho(((Number) v).doubleValue());
                    case "alpha" -> b.alpha(((Number) v).doubleValue());
                    case "iterations" -> b.iterations(((Number) v).intValue());
                    case "quantizer" -> b.quantizer(QuantizerConfig.fromJson(JSON.writeValueAsString(v)));
                    case "bitWidthRule" -> b.bitWidthRule(BitWidthRule.valueOf(String.valueOf(v)));
                    case "threads" -> b.threads(((Number) v).intValue());
                    case "objectiveFrequency" -> b.objectiveFrequency(((Number) v).intValue());
                    case "seed" -> b.seed(((Number) v).longValue());
                    case "devicePlacement" -> b.devicePlacement(v == null ? null
                            : ((List<?>) v).stream().mapToInt(x -> ((Number) x).intValue()).toArray());
                    default -> throw new IllegalArgumentException("unknown GADMM configuration key '" + key + "'");
                }
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("cannot read GADMM configuration key '" + key + "'", ex);
            }
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GadmmConfig c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "GadmmConfig" + toJson().replaceAll("\\s+", " ");
    }

    /** Validating builder; every setter returns the builder, {@link #build()} checks everything. */
    public static final class Builder {
        private double rho = 1.0;
        private double alpha = 1.0;
        private int iterations = 100;
        private QuantizerConfig quantizer = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).build();
        private BitWidthRule bitWidthRule = BitWidthRule.FIXED;
        private int threads = 0;
        private int objectiveFrequency = 1;
        private long seed = 12345L;
        private int[] devicePlacement;

        private Builder() {
        }

        /** Penalty {@code rho > 0} (the paper's linear regression: 3 or 24; Q-SGADMM: 20). */
        public Builder rho(double rho) {
            this.rho = rho;
            return this;
        }

        /** Dual step factor {@code alpha > 0} (1 for GADMM; the authors damp it to 0.01 for Q-SGADMM). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder iterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        /** Mode NONE (exact GADMM) or DELTA (Q-GADMM with the stochastic quantiser of §3.2). */
        public Builder quantizer(QuantizerConfig quantizer) {
            this.quantizer = quantizer;
            return this;
        }

        /**
         * Q-GADMM with {@code bits} per element (1..16), keeping the quantiser's seed.
         *
         * @throws IllegalArgumentException if {@code bits} is outside 1..16
         */
        public Builder bits(int bits) {
            long quantizerSeed = quantizer == null ? QuantizerConfig.DEFAULT_SEED : quantizer.seed();
            this.quantizer = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(bits)
                    .seed(quantizerSeed).build();
            return this;
        }

        /** Exact GADMM: models travel as raw floats ({@code theta_hat = theta}). */
        public Builder exact() {
            long quantizerSeed = quantizer == null ? QuantizerConfig.DEFAULT_SEED : quantizer.seed();
            this.quantizer = QuantizerConfig.builder().seed(quantizerSeed).build();
            return this;
        }

        public Builder bitWidthRule(BitWidthRule bitWidthRule) {
            this.bitWidthRule = bitWidthRule;
            return this;
        }

        /** 0 (default): {@code min(workers, cores)} threads; 1: serial on the calling thread. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Evaluate the objective every this many iterations; 0 never (for networks, where it is a full pass). */
        public Builder objectiveFrequency(int objectiveFrequency) {
            this.objectiveFrequency = objectiveFrequency;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Device of each worker (entry 0 is worker 1); null for round-robin. */
        public Builder devicePlacement(int... devicePlacement) {
            this.devicePlacement = devicePlacement == null ? null : devicePlacement.clone();
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the offending setting and what to use instead
         */
        public GadmmConfig build() {
            if (!(rho > 0) || Double.isInfinite(rho)) {
                throw new IllegalArgumentException("rho must be positive and finite, got " + rho
                        + "; e.g. rho(3.0) for linear regression or rho(20.0) for Q-SGADMM");
            }
            if (!(alpha > 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha (dual step factor) must be positive and finite, got "
                        + alpha + "; use alpha(1.0) for GADMM, a damped alpha(0.01) for Q-SGADMM");
            }
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            if (quantizer == null) {
                throw new IllegalArgumentException("quantizer must not be null; use exact() or bits(b)");
            }
            if (quantizer.mode() == QuantizerConfig.Mode.GRID) {
                throw new IllegalArgumentException("Q-GADMM quantises model differences with the stochastic delta "
                        + "quantiser: use a quantizer of mode DELTA (or bits(b)), or mode NONE (exact()) for GADMM; "
                        + "mode GRID is the pdADMM-G-Q grid and does not apply");
            }
            if (bitWidthRule == null) {
                throw new IllegalArgumentException("bitWidthRule must not be null (FIXED or NON_INCREASING_STEP)");
            }
            if (bitWidthRule != BitWidthRule.FIXED && quantizer.mode() == QuantizerConfig.Mode.NONE) {
                throw new IllegalArgumentException("bitWidthRule " + bitWidthRule + " needs quantised models; "
                        + "set bits(b) or keep BitWidthRule.FIXED for exact GADMM");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0: automatic, 1: serial), got " + threads);
            }
            if (objectiveFrequency < 0) {
                throw new IllegalArgumentException("objectiveFrequency must be >= 0 (0: never), got "
                        + objectiveFrequency);
            }
            if (devicePlacement != null) {
                for (int d : devicePlacement) {
                    if (d < 0) {
                        throw new IllegalArgumentException("device ids must be >= 0, got "
                                + Arrays.toString(devicePlacement));
                    }
                }
            }
            List<String> warnings = new ArrayList<>();
            if (quantizer.mode() == QuantizerConfig.Mode.DELTA && quantizer.bits() == 1) {
                warnings.add("Q-GADMM with 1 bit per element diverged in every measurement (algorithms.md 3.2); "
                        + "use bits(2) or more (--bits 2 on the command line), bits(3) or more on ill-conditioned "
                        + "data with a large rho");
            }
            for (String w : warnings) {
                log.warn(w);
            }
            return new GadmmConfig(this, warnings);
        }
    }
}
