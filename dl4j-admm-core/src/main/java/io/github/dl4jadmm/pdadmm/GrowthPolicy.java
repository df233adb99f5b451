package io.github.dl4jadmm.pdadmm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a deep network is trained: the one recipe for depth that every entry point uses ({@code PdAdmmTrainer}, the
 * graph trainer, the command line's {@code train} and {@code worker}, Spark). A network of more than two layers
 * trained from a random initialisation does not generalise (algorithms.md §1.1: every 10-layer setting tried on
 * Cora stayed at 0.20-0.32), so by default ({@link #standard()}) it is grown greedily: a 2-layer network first, then
 * identity-initialised hidden layers inserted before the output layer (5 layers, then the full depth), each stage
 * with its own, shrinking, weight decay.
 *
 * <p>The stages for a network of {@code L} layers are the growth depths below {@code L}, then {@code L}; stage
 * {@code i} uses the {@code i}-th weight decay. The standard policy (depths 2, 5; decays 10, 1, 0.01) thus gives
 * 2 -> 5 -> L with decays 10 / 1 / 0.01 for {@code L > 5}, 2 -> L with 10 / 1 for {@code 3 <= L <= 5}, and no growth
 * for {@code L <= 2}. Every stage before the last runs {@link #stageIterations()} iterations (0: as many as the last
 * stage, the benchmarks' protocol); the last stage runs the iterations the run was configured with.
 *
 * <p>Growth needs equal hidden widths and a ReLU or identity activation (an inserted identity layer leaves the
 * function unchanged only if its input is non-negative or it is linear): {@link #whyNotApplicable} says why not.
 *
 * <p>Immutable; {@link #parse} reads what {@link #toString()} writes.
 */
public final class GrowthPolicy {

    /** The standard growth depths before the full depth. */
    private static final int[] STANDARD_DEPTHS = {2, 5};
    /**
     * The standard weight decays of the stages, from the validation search across the five benchmark graphs (README
     * "Depth"), first measured on Cora in algorithms.md §1.1.
     */
    private static final double[] STANDARD_DECAYS = {10, 1, 0.01};

    private static final GrowthPolicy NONE = new GrowthPolicy(new int[0], new double[0], 0);
    private static final GrowthPolicy STANDARD = new GrowthPolicy(STANDARD_DEPTHS, STANDARD_DECAYS, 0);

    private final int[] depths;
    private final double[] weightDecays;
    private final int stageIterations;

    private GrowthPolicy(int[] depths, double[] weightDecays, int stageIterations) {
        this.depths = depths.clone();
        this.weightDecays = weightDecays.clone();
        this.stageIterations = stageIterations;
    }

    /** No growth: the network is trained at its full depth from the weights it has. */
    public static GrowthPolicy none() {
        return NONE;
    }

    /** Growth 2 -> 5 -> L with weight decays 10 / 1 / 0.01, each earlier stage as long as the last. */
    public static GrowthPolicy standard() {
        return STANDARD;
    }

    /**
     * A growth policy of its own.
     *
     * @param depths          the depths of the stages before the full depth, strictly increasing, each >= 2
     * @param weightDecays    the weight decay of each stage, the full-depth stage included, so one more than
     *                        {@code depths}: stage {@code i} uses {@code weightDecays[i]}
     * @param stageIterations iterations of each stage before the last (0: as many as the last)
     * @throws IllegalArgumentException naming the bad value
     */
    public static GrowthPolicy of(int[] depths, double[] weightDecays, int stageIterations) {
        if (depths == null || depths.length == 0) {
            throw new IllegalArgumentException("give at least one growth depth (use GrowthPolicy.none() for no "
                    + "growth)");
        }
        for (int i = 0; i < depths.length; i++) {
            if (depths[i] < 2 || (i > 0 && depths[i] <= depths[i - 1])) {
                throw new IllegalArgumentException("growth depths must be >= 2 and strictly increasing, got "
                        + Arrays.toString(depths));
            }
        }
        if (weightDecays == null || weightDecays.length != depths.length + 1) {
            throw new IllegalArgumentException("give one weight decay per growth stage, the full-depth stage "
                    + "included: " + (depths.length + 1) + " for the depths " + Arrays.toString(depths) + ", got "
                    + (weightDecays == null ? "none" : Arrays.toString(weightDecays)));
        }
        for (double mu : weightDecays) {
            if (!(mu >= 0) || Double.isInfinite(mu)) {
                throw new IllegalArgumentException("growth weight decays must be finite and >= 0, got "
                        + Arrays.toString(weightDecays));
            }
        }
        if (stageIterations < 0) {
            throw new IllegalArgumentException("stage iterations must be >= 0 (0: as many as the last stage), got "
                    + stageIterations);
        }
        return new GrowthPolicy(depths, weightDecays, stageIterations);
    }

    /** The standard depths and decays with {@code stageIterations} iterations for each stage before the last. */
    public GrowthPolicy withStageIterations(int stageIterations) {
        return depths.length == 0 ? this : of(depths, weightDecays, stageIterations);
    }

    /** This policy's depths with other weight decays (one per stage, the full depth included). */
    public GrowthPolicy withWeightDecays(double... decays) {
        if (depths.length == 0) {
            throw new IllegalArgumentException("growth is off: there are no stages to give weight decays to");
        }
        return of(depths, decays, stageIterations);
    }

    /** Whether this policy grows at all ({@code false} for {@link #none()}). */
    public boolean enabled() {
        return depths.length > 0;
    }

    /** The depths of the stages before the full depth. */
    public int[] depths() {
        return depths.clone();
    }

    /** The weight decay of each stage, the full-depth stage included. */
    public double[] weightDecays() {
        return weightDecays.clone();
    }

    /** Iterations of each stage before the last (0: as many as the last). */
    public int stageIterations() {
        return stageIterations;
    }

    /**
     * The stages that train a network of {@code layers} layers for {@code iterations} iterations at full depth: a
     * single stage (with {@code mu}) when this policy does not grow a network of that depth.
     *
     * @param mu the weight decay of the single stage when there is no growth
     */
    public List<GrowthStage> stages(int layers, int iterations, double mu) {
        List<GrowthStage> stages = new ArrayList<>();
        int before = 0;
        while (before < depths.length && depths[before] < layers) {
            before++;
        }
        if (before == 0) {
            stages.add(new GrowthStage(layers, iterations, mu));
            return stages;
        }
        int each = stageIterations > 0 ? stageIterations : iterations;
        for (int i = 0; i < before; i++) {
            stages.add(new GrowthStage(depths[i], each, weightDecays[i]));
        }
        // a network shallower than the deepest growth depth takes the next decay, so the last stage's decay always
        // belongs to a depth at least as great as the policy's
        stages.add(new GrowthStage(layers, iterations, weightDecays[before]));
        return stages;
    }

    /** Whether this policy grows {@code architecture}: it is enabled, deep enough, and {@link #whyNotApplicable} is null. */
    public boolean grows(MlpArchitecture architecture) {
        return enabled() && architecture.layers() > depths[0] && whyNotApplicable(architecture) == null;
    }

    /**
     * Why greedy growth cannot train {@code architecture}, or null when it can (or when it is too shallow to grow,
     * which needs no explanation).
     */
    public static String whyNotApplicable(MlpArchitecture architecture) {
        int[] widths = architecture.widths();
        for (int i = 2; i < widths.length - 1; i++) {
            if (widths[i] != widths[1]) {
                return "greedy layer growth needs equal hidden widths (it inserts identity layers), but the network "
                        + "has hidden widths " + Arrays.toString(Arrays.copyOfRange(widths, 1, widths.length - 1));
            }
        }
        HiddenActivation.Kind kind = architecture.activation().kind();
        if (kind != HiddenActivation.Kind.RELU && kind != HiddenActivation.Kind.IDENTITY) {
            return "greedy layer growth needs ReLU or identity hidden layers (an inserted identity layer keeps the "
                    + "function only then), but the network uses " + architecture.activation();
        }
        return null;
    }

    /**
     * What a user can do when a deep network cannot be grown: said once per run, beside the reason from
     * {@link #whyNotApplicable}.
     */
    public static String advice(int layers) {
        return "the " + layers + " layers are trained from their initial weights, which generalises poorly for deep "
                + "networks on small training sets (algorithms.md 1.1); for greedy growth give every hidden layer the "
                + "same width and ReLU, or train with growth none to say that this is intended";
    }

    /**
     * Reads {@code none}, {@code standard}, or {@code DEPTHS:DECAYS[:ITERATIONS]} as {@link #toString()} writes it,
     * e.g. {@code 2,5:10,1,0.01} or {@code 2,5:10,1,0.01:100}.
     *
     * @throws IllegalArgumentException naming what could not be read
     */
    public static GrowthPolicy parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return none();
        }
        if (t.equals("standard")) {
            return standard();
        }
        String[] parts = t.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("a growth policy is none, standard or DEPTHS:DECAYS[:ITERATIONS] "
                    + "(e.g. 2,5:10,1,0.01), got '" + text + "'");
        }
        try {
            int[] depths = Arrays.stream(parts[0].split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            double[] decays = Arrays.stream(parts[1].split(",")).map(String::trim).mapToDouble(Double::parseDouble)
                    .toArray();
            int iterations = parts.length == 3 ? Integer.parseInt(parts[2].trim()) : 0;
            return of(depths, decays, iterations);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a growth policy is none, standard or DEPTHS:DECAYS[:ITERATIONS] "
                    + "(e.g. 2,5:10,1,0.01), got '" + text + "': " + e.getMessage(), e);
        }
    }

    /** A one-line description of the stages for a network of {@code layers} layers, e.g. {@code 2 -> 5 -> 10 layers, mu 10 / 1 / 0.01}. */
    public String describe(int layers, int iterations, double mu) {
        List<GrowthStage> stages = stages(layers, iterations, mu);
        if (stages.size() == 1) {
            return "no growth, " + layers + " layers, mu " + format(mu) + ", " + iterations + " iterations";
        }
        int total = stages.stream().mapToInt(GrowthStage::iterations).sum();
        return "greedy growth " + stages.stream().map(s -> String.valueOf(s.layers())).collect(Collectors.joining(
                " -> ")) + " layers, mu " + stages.stream().map(s -> format(s.mu())).collect(Collectors.joining(" / "))
                + ", " + stages.stream().map(s -> String.valueOf(s.iterations())).collect(Collectors.joining(" + "))
                + " = " + total + " iterations";
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public String toString() {
        if (this.equals(NONE)) {
            return "none";
        }
        if (this.equals(STANDARD)) {
            return "standard";
        }
        return Arrays.stream(depths).mapToObj(String::valueOf).collect(Collectors.joining(",")) + ":"
                + Arrays.stream(weightDecays).mapToObj(GrowthPolicy::format).collect(Collectors.joining(","))
                + (stageIterations > 0 ? ":" + stageIterations : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrowthPolicy p && Arrays.equals(p.depths, depths)
                && Arrays.equals(p.weightDecays, weightDecays) && p.stageIterations == stageIterations;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(depths) + Arrays.hashCode(weightDecays)) + stageIterations;
    }
}
