package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.quant.QuantizerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutable configuration of a pdADMM-G run. Build it with {@link #builder()}; {@link Builder#build()} validates
 * every value and explains what to change. The defaults follow algorithms.md: {@code nu = 1}, {@code rho = 5}
 * (so {@code rho > 4 nu}, the condition under which the augmented Lagrangian decreases), no weight decay,
 * a fixed {@code rho}, float32, layer blocks in parallel.
 */
public final class PdAdmmConfig {

    private static final Logger log = LoggerFactory.getLogger(PdAdmmConfig.class);
    private static final AtomicBoolean WARNED_RHO = new AtomicBoolean();
    private static final AtomicBoolean WARNED_ONE_BIT = new AtomicBoolean();
    /**
     * The warning of a 1-bit pdADMM-G-Q configuration: what 1 bit did, and the setting to change. Measured with
     * {@code dl4j-admm train --algorithm pdadmm-g-q --quantization grid|delta --bits 1|2|8 --iterations 60} on the
     * embedded synthetic graph (greedy growth 2 -> 4 layers, 60 + 60 iterations, the default {@code --seed 1}):
     * test accuracy with grid transfers 0.326 (1 bit), 0.568 (2 bits), 0.946 (8 bits); with delta coding 1 bit
     * diverged at iteration 23 ({@code u} of layer 1 at 1.5e18), 2 bits 0.220, 8 bits 0.948. With the default
     * {@code --iterations 200}, grid transfers gave 0.356 (1 bit) against 0.946 (8 bits).
     */
    static final String ONE_BIT_WARNING = "pdADMM-G-Q with 1 bit per element codes every transferred value (grid)"
            + " or change (delta) with 2 levels: on the embedded synthetic graph (dl4j-admm train --algorithm"
            + " pdadmm-g-q --bits 1 --iterations 60) grid transfers reached a test accuracy of 0.33 against 0.95 with"
            + " 8 bits, and delta coding diverged. Use more bits: --bits 8 (the default) on the command line,"
            + " QuantizerConfig.Builder.bits(8) in code";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final double nu;
    private final double rho;
    private final double mu;
    private final int iterations;
    private final double residualTolerance;
    private final long seed;
    private final RhoSchedule rhoSchedule;
    private final int stallPatience;
    private final double stallFactor;
    private final int balancingInterval;
    private final double balancingRatio;
    private final DataType dataType;
    private final ExecutionMode executionMode;
    private final int threads;
    private final int nd4jThreads;
    private final double fistaStep;
    private final int fistaIterations;
    private final double fistaTolerance;
    private final int maxDoublings;
    private final int powerIterations;
    private final Initialization initialization;
    private final int evaluationFrequency;
    private final int[] devicePlacement;
    private final WStep wStep;
    private final QuantizerConfig quantizer;
    private final boolean projectQ;
    private final List<String> warnings;

    private PdAdmmConfig(Builder b, List<String> warnings) {
        this.warnings = List.copyOf(warnings);
        nu = b.nu;
        rho = b.rho;
        mu = b.mu;
        iterations = b.iterations;
        residualTolerance = b.residualTolerance;
        seed = b.seed;
        rhoSchedule = b.rhoSchedule;
        stallPatience = b.stallPatience;
        stallFactor = b.stallFactor;
        balancingInterval = b.balancingInterval;
        balancingRatio = b.balancingRatio;
        dataType = b.dataType;
        executionMode = b.executionMode;
        threads = b.threads;
        nd4jThreads = b.nd4jThreads;
        fistaStep = b.fistaStep;
        fistaIterations = b.fistaIterations;
        fistaTolerance = b.fistaTolerance;
        maxDoublings = b.maxDoublings;
        powerIterations = b.powerIterations;
        initialization = b.initialization;
        evaluationFrequency = b.evaluationFrequency;
        devicePlacement = b.devicePlacement == null ? null : b.devicePlacement.clone();
        quantizer = b.quantizer;
        projectQ = b.projectQ;
        wStep = b.wStep;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nu = nu;
        b.rho = rho;
        b.mu = mu;
        b.iterations = iterations;
        b.residualTolerance = residualTolerance;
        b.seed = seed;
        b.rhoSchedule = rhoSchedule;
        b.stallPatience = stallPatience;
        b.stallFactor = stallFactor;
        b.balancingInterval = balancingInterval;
        b.balancingRatio = balancingRatio;
        b.dataType = dataType;
        b.executionMode = executionMode;
        b.threads = threads;
        b.nd4jThreads = nd4jThreads;
        b.fistaStep = fistaStep;
        b.fistaIterations = fistaIterations;
        b.fistaTolerance = fistaTolerance;
        b.maxDoublings = maxDoublings;
        b.powerIterations = powerIterations;
        b.initialization = initialization;
        b.evaluationFrequency = evaluationFrequency;
        b.devicePlacement = devicePlacement == null ? null : devicePlacement.clone();
        b.quantizer = quantizer;
        b.projectQ = projectQ;
        b.wStep = wStep;
        return b;
    }

    /**
     * Warnings raised by {@link Builder#build()}, e.g. for 1-bit pdADMM-G-Q. Each is logged once per JVM, so the
     * configurations derived from one run's (growth stages, a resumed engine) do not repeat it; this list holds it
     * for every configuration it applies to.
     */
    public List<String> warnings() {
        return warnings;
    }

    /** Weight {@code nu} of the relaxation terms {@code ||z - pW - b||^2} and {@code ||q - f(z)||^2}. */
    public double nu() {
        return nu;
    }

    /** Penalty {@code rho} of the coupling constraints {@code p_{l+1} = q_l}. */
    public double rho() {
        return rho;
    }

    /** Weight decay {@code mu} ({@code mu/2 ||W||^2} on every layer). */
    public double mu() {
        return mu;
    }

    /** Number of ADMM iterations. */
    public int iterations() {
        return iterations;
    }

    /** Stop early once the residual {@code sum ||p_{l+1} - q_l||^2} falls below this (0: never stop early). */
    public double residualTolerance() {
        return residualTolerance;
    }

    /** Seed of every random choice (weight initialisation when the engine makes the weights). */
    public long seed() {
        return seed;
    }

    public RhoSchedule rhoSchedule() {
        return rhoSchedule;
    }

    /** Iterations without improvement of the training loss before {@link RhoSchedule#STALL_X10} raises rho. */
    public int stallPatience() {
        return stallPatience;
    }

    /** Factor applied to rho and nu by {@link RhoSchedule#STALL_X10}. */
    public double stallFactor() {
        return stallFactor;
    }

    /** Iterations between two adjustments of {@link RhoSchedule#RESIDUAL_BALANCING}. */
    public int balancingInterval() {
        return balancingInterval;
    }

    /** Ratio between primal and dual residual that triggers an adjustment of residual balancing. */
    public double balancingRatio() {
        return balancingRatio;
    }

    /** Floating-point type of every variable (FLOAT by default, DOUBLE selectable). */
    public DataType dataType() {
        return dataType;
    }

    public ExecutionMode executionMode() {
        return executionMode;
    }

    /** Threads of the block executor in parallel mode; 0 means one per block, at most the number of cores. */
    public int threads() {
        return threads;
    }

    /**
     * Threads ND4J and BLAS may use inside one operation while the engine iterates; 0 means automatic: all cores
     * in serial mode, {@code cores / executor threads} (at least 1) in parallel mode, so that parallel blocks do
     * not oversubscribe the cores. The previous ND4J setting is restored after each iteration.
     */
    public int nd4jThreads() {
        return nd4jThreads;
    }

    /** FISTA step {@code eta} of the softmax output update ({@code <= 2}). */
    public double fistaStep() {
        return fistaStep;
    }

    public int fistaIterations() {
        return fistaIterations;
    }

    public double fistaTolerance() {
        return fistaTolerance;
    }

    /** Cap on curvature doublings in the p- and W-steps; at the cap the old value is kept (and counted). */
    public int maxDoublings() {
        return maxDoublings;
    }

    /** Power iterations per step to estimate {@code ||W||_2^2} and {@code ||p||_2^2} (warm-started). */
    public int powerIterations() {
        return powerIterations;
    }

    public Initialization initialization() {
        return initialization;
    }

    /** Compute training loss and accuracy by a forward pass every this many iterations (0: never). */
    public int evaluationFrequency() {
        return evaluationFrequency;
    }

    /** Explicit device of each layer (index 0 is layer 1), or null for round-robin over the visible devices. */
    public int[] devicePlacement() {
        return devicePlacement == null ? null : devicePlacement.clone();
    }

    /**
     * How boundary tensors travel (pdADMM-G-Q, algorithms.md §2): {@code NONE} (raw float, the default),
     * {@code GRID} ({@code p} constrained to a grid per boundary, built from the first forward pass, and sent as
     * bit-packed grid indices) or {@code DELTA} (stochastic delta coding of both {@code p} and {@code q}).
     */
    public QuantizerConfig quantizer() {
        return quantizer;
    }

    /** The weight update: the contract's linearised step (default) or the exact ridge solve. */
    public WStep wStep() {
        return wStep;
    }

    /** In GRID mode, whether {@code q} is projected onto the boundary's grid too (the paper's variant). */
    public boolean projectQ() {
        return projectQ;
    }

    /** The configuration as a JSON object, for saving next to a checkpoint or a result. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nu", nu);
        m.put("rho", rho);
        m.put("mu", mu);
        m.put("iterations", iterations);
        m.put("residualTolerance", residualTolerance);
        m.put("seed", seed);
        m.put("rhoSchedule", rhoSchedule.name());
        m.put("stallPatience", stallPatience);
        m.put("stallFactor", stallFactor);
        m.put("balancingInterval", balancingInterval);
        m.put("balancingRatio", balancingRatio);
        m.put("dataType", dataType.name());
        m.put("executionMode", executionMode.name());
        m.put("threads", threads);
        m.put("nd4jThreads", nd4jThreads);
        m.put("fistaStep", fistaStep);
        m.put("fistaIterations", fistaIterations);
        m.put("fistaTolerance", fistaTolerance);
        m.put("maxDoublings", maxDoublings);
        m.put("powerIterations", powerIterations);
        m.put("initialization", initialization.name());
        m.put("evaluationFrequency", evaluationFrequency);
        m.put("devicePlacement", devicePlacement);
        m.put("projectQ", projectQ);
        m.put("wStep", wStep.name());
        try {
            m.put("quantizer", JSON.readValue(quantizer.toJson(), Map.class));
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise configuration", e);
        }
    }

    /** Reads a configuration written by {@link #toJson()}; missing keys take their defaults. */
    public static PdAdmmConfig fromJson(String json) {
        Map<?, ?> m;
        try {
            m = JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a pdADMM-G configuration: " + e.getOriginalMessage(), e);
        }
        Builder b = builder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            String key = String.valueOf(e.getKey());
            switch (key) {
                case "nu" -> b.nu(num(v));
                case "rho" -> b.rho(num(v));
                case "mu" -> b.mu(num(v));
                case "iterations" -> b.iterations((int) num(v));
                case "residualTolerance" -> b.residualTolerance(num(v));
                case "seed" -> b.seed(((Number) v).longValue());
                case "rhoSchedule" -> b.rhoSchedule(RhoSchedule.valueOf(String.valueOf(v)));
                case "stallPatience" -> b.stallPatience((int) num(v));
                case "stallFactor" -> b.stallFactor(num(v));
                case "balancingInterval" -> b.balancingInterval((int) num(v));
                case "balancingRatio" -> b.balancingRatio(num(v));
                case "dataType" -> b.dataType(DataType.valueOf(String.valueOf(v)));
                case "executionMode" -> b.executionMode(ExecutionMode.valueOf(String.valueOf(v)));
                case "threads" -> b.threads((int) num(v));
                case "nd4jThreads" -> b.nd4jThreads((int) num(v));
                case "fistaStep" -> b.fistaStep(num(v));
                case "fistaIterations" -> b.fistaIterations((int) num(v));
                case "fistaTolerance" -> b.fistaTolerance(num(v));
                case "maxDoublings" -> b.maxDoublings((int) num(v));
                case "powerIterations" -> b.powerIterations((int) num(v));
                case "initialization" -> b.initialization(Initialization.valueOf(String.valueOf(v)));
                case "evaluationFrequency" -> b.evaluationFrequency((int) num(v));
                case "devicePlacement" -> b.devicePlacement(v == null ? null
                        : ((java.util.List<?>) v).stream().mapToInt(x -> ((Number) x).intValue()).toArray());
                case "projectQ" -> b.projectQ((Boolean) v);
                case "wStep" -> b.wStep(WStep.valueOf(String.valueOf(v)));
                case "quantizer" -> {
                    try {
                        b.quantizer(QuantizerConfig.fromJson(JSON.writeValueAsString(v)));
                    } catch (JsonProcessingException e2) {
                        throw new IllegalArgumentException("malformed quantizer configuration: " + v, e2);
                    }
                }
                default -> throw new IllegalArgumentException("unknown pdADMM-G configuration key '" + key + "'");
            }
        }
        return b.build();
    }

    private static double num(Object v) {
        return ((Number) v).doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PdAdmmConfig c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "PdAdmmConfig" + toJson().replaceAll("\\s+", " ");
    }

    /** Validating builder; every setter returns the builder. */
    public static final class Builder {
        private double nu = 1.0;
        private double rho = 5.0;
        private double mu = 0.0;
        private int iterations = 100;
        private double residualTolerance = 0.0;
        private long seed = 12345L;
        private RhoSchedule rhoSchedule = RhoSchedule.FIXED;
        private int stallPatience = 10;
        private double stallFactor = 10.0;
        private int balancingInterval = 10;
        private double balancingRatio = 10.0;
        private DataType dataType = DataType.FLOAT;
        private ExecutionMode executionMode = ExecutionMode.PARALLEL;
        private int threads = 0;
        private int nd4jThreads = 0;
        private double fistaStep = 2.0;
        private int fistaIterations = 50;
        private double fistaTolerance = 1e-5;
        private int maxDoublings = 30;
        private int powerIterations = 3;
        private Initialization initialization = Initialization.FORWARD_PASS;
        private int evaluationFrequency = 1;
        private int[] devicePlacement;
        private QuantizerConfig quantizer = QuantizerConfig.none();
        private boolean projectQ;
        private WStep wStep = WStep.LINEARIZED;

        private Builder() {
        }

        /** The weight update; see {@link WStep}. */
        public Builder wStep(WStep wStep) {
            this.wStep = wStep;
            return this;
        }

        /** How boundary tensors travel; see {@link PdAdmmConfig#quantizer()}. */
        public Builder quantizer(QuantizerConfig quantizer) {
            this.quantizer = quantizer;
            return this;
        }

        /** In GRID mode, also project {@code q} onto the grid; see {@link PdAdmmConfig#projectQ()}. */
        public Builder projectQ(boolean projectQ) {
            this.projectQ = projectQ;
            return this;
        }

        public Builder nu(double nu) {
            this.nu = nu;
            return this;
        }

        public Builder rho(double rho) {
            this.rho = rho;
            return this;
        }

        public Builder mu(double mu) {
            this.mu = mu;
            return this;
        }

        public Builder iterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        public Builder residualTolerance(double residualTolerance) {
            this.residualTolerance = residualTolerance;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder rhoSchedule(RhoSchedule rhoSchedule) {
            this.rhoSchedule = rhoSchedule;
            return this;
        }

        public Builder stallPatience(int stallPatience) {
            this.stallPatience = stallPatience;
            return this;
        }

        public Builder stallFactor(double stallFactor) {
            this.stallFactor = stallFactor;
            return this;
        }

        public Builder balancingInterval(int balancingInterval) {
            this.balancingInterval = balancingInterval;
            return this;
        }

        public Builder balancingRatio(double balancingRatio) {
            this.balancingRatio = balancingRatio;
            return this;
        }

        public Builder dataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        public Builder executionMode(ExecutionMode executionMode) {
            this.executionMode = executionMode;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Threads per ND4J operation while iterating (0: automatic); see {@link PdAdmmConfig#nd4jThreads()}. */
        public Builder nd4jThreads(int nd4jThreads) {
            this.nd4jThreads = nd4jThreads;
            return this;
        }

        public Builder fistaStep(double fistaStep) {
            this.fistaStep = fistaStep;
            return this;
        }

        public Builder fistaIterations(int fistaIterations) {
            this.fistaIterations = fistaIterations;
            return this;
        }

        public Builder fistaTolerance(double fistaTolerance) {
            this.fistaTolerance = fistaTolerance;
            return this;
        }

        public Builder maxDoublings(int maxDoublings) {
            this.maxDoublings = maxDoublings;
            return this;
        }

        public Builder powerIterations(int powerIterations) {
            this.powerIterations = powerIterations;
            return this;
        }

        public Builder initialization(Initialization initialization) {
            this.initialization = initialization;
            return this;
        }

        public Builder evaluationFrequency(int evaluationFrequency) {
            this.evaluationFrequency = evaluationFrequency;
            return this;
        }

        /** Device of each layer (entry 0 is layer 1); null for round-robin. */
        public Builder devicePlacement(int... devicePlacement) {
            this.devicePlacement = devicePlacement == null ? null : devicePlacement.clone();
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the offending setting and what to use instead
         */
        public PdAdmmConfig build() {
            positive("nu", nu, "e.g. nu(1.0)");
            positive("rho", rho, "e.g. rho(5.0), and keep rho > 4 nu");
            if (!(mu >= 0) || Double.isInfinite(mu)) {
                throw new IllegalArgumentException("mu (weight decay) must be >= 0 and finite, got " + mu);
            }
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            if (!(residualTolerance >= 0)) {
                throw new IllegalArgumentException("residualTolerance must be >= 0 (0 disables early stopping), got "
                        + residualTolerance);
            }
            if (rhoSchedule == null || dataType == null || executionMode == null || initialization == null) {
                throw new IllegalArgumentException("rhoSchedule, dataType, executionMode and initialization must "
                        + "not be null");
            }
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
                throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
            }
            if (stallPatience < 1) {
                throw new IllegalArgumentException("stallPatience must be >= 1, got " + stallPatience);
            }
            if (!(stallFactor > 1)) {
                throw new IllegalArgumentException("stallFactor must be > 1, got " + stallFactor);
            }
            if (balancingInterval < 1 || !(balancingRatio > 1)) {
                throw new IllegalArgumentException("residual balancing needs balancingInterval >= 1 and "
                        + "balancingRatio > 1, got " + balancingInterval + " and " + balancingRatio);
            }
            if (threads < 0 || nd4jThreads < 0) {
                throw new IllegalArgumentException("threads and nd4jThreads must be >= 0 (0: automatic), got "
                        + threads + " and " + nd4jThreads);
            }
            if (!(fistaStep > 0 && fistaStep <= 2)) {
                throw new IllegalArgumentException("fistaStep (eta) must be in (0, 2]: the softmax cross-entropy "
                        + "gradient is 1/2-Lipschitz, so larger steps are unsafe; got " + fistaStep);
            }
            if (fistaIterations < 1 || !(fistaTolerance >= 0)) {
                throw new IllegalArgumentException("fistaIterations must be >= 1 and fistaTolerance >= 0, got "
                        + fistaIterations + " and " + fistaTolerance);
            }
            if (maxDoublings < 0 || maxDoublings > 200) {
                throw new IllegalArgumentException("maxDoublings must be in 0..200, got " + maxDoublings);
            }
            if (powerIterations < 1) {
                throw new IllegalArgumentException("powerIterations must be >= 1, got " + powerIterations);
            }
            if (evaluationFrequency < 0) {
                throw new IllegalArgumentException("evaluationFrequency must be >= 0 (0: never), got "
                        + evaluationFrequency);
            }
            if (devicePlacement != null) {
                for (int d : devicePlacement) {
                    if (d < 0) {
                        throw new IllegalArgumentException("device ids must be >= 0, got "
                                + Arrays.toString(devicePlacement));
                    }
                }
            }
            if (wStep == null) {
                throw new IllegalArgumentException("wStep must not be null; use WStep.LINEARIZED or WStep.EXACT");
            }
            if (quantizer == null) {
                throw new IllegalArgumentException("quantizer must not be null; use QuantizerConfig.none() for raw "
                        + "float transfers");
            }
            if (projectQ && quantizer.mode() != QuantizerConfig.Mode.GRID) {
                throw new IllegalArgumentException("projectQ needs a GRID quantizer (q is projected onto the "
                        + "boundary's grid), but the quantizer mode is " + quantizer.mode());
            }
            if (rho <= 4 * nu && WARNED_RHO.compareAndSet(false, true)) {
                log.warn("rho = {} <= 4 nu = {}: the augmented Lagrangian is only guaranteed to decrease for "
                        + "rho > 4 nu; expect oscillation or divergence", rho, 4 * nu);
            }
            List<String> warnings = new ArrayList<>();
            if (quantizer.mode() != QuantizerConfig.Mode.NONE && quantizer.bits() == 1) {
                warnings.add(ONE_BIT_WARNING);
            }
            if (!warnings.isEmpty() && WARNED_ONE_BIT.compareAndSet(false, true)) {
                log.warn(ONE_BIT_WARNING);
            }
            return new PdAdmmConfig(this, warnings);
        }

        private static void positive(String name, double value, String hint) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(name + " must be positive and finite, got " + value + "; " + hint);
            }
        }
    }
}
