package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.TensorCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Greedy layer growth, the way the paper reached its 10-layer accuracies (algorithms.md §1.1): train a shallow
 * network, insert identity-initialised hidden layers just before the output layer (they leave the function
 * unchanged, since ReLU of a non-negative input is itself), re-initialise the ADMM variables by a forward pass,
 * continue with the next stage's weight decay, and grow again. Needs equal hidden widths.
 *
 * <pre>{@code
 * GreedyLayerGrowth growth = new GreedyLayerGrowth(List.of(
 *         new GrowthStage(2, 200, 10), new GrowthStage(5, 200, 1), new GrowthStage(10, 200, 0.01)));
 * try (PdAdmmEngine engine = growth.fit(MlpArchitecture.uniform(nIn, 100, classes, 2), config, x, y,
 *         weights, biases, LocalChannel::new, listener)) { ... }
 * }</pre>
 */
public final class GreedyLayerGrowth {

    private final List<GrowthStage> stages;

    /**
     * @param stages stages with strictly increasing depth
     * @throws IllegalArgumentException if the list is empty or the depths do not increase
     */
    public GreedyLayerGrowth(List<GrowthStage> stages) {
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("greedy layer growth needs at least one stage");
        }
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).layers() <= stages.get(i - 1).layers()) {
                throw new IllegalArgumentException("growth stages must have strictly increasing depth, got "
                        + stages.stream().map(GrowthStage::layers).toList());
            }
        }
        this.stages = List.copyOf(stages);
    }

    public List<GrowthStage> stages() {
        return stages;
    }

    /**
     * Runs every stage.
     *
     * @param initial  the first stage's network; its depth must equal the first stage's
     * @param config   base configuration; each stage overrides {@code iterations} and {@code mu}
     * @param weights  initial weights of the first stage's network
     * @param biases   initial biases
     * @param transport builds a fresh channel for each stage around the engine's codec (e.g. {@code LocalChannel::new})
     * @param listener called after every iteration of every stage (may be null)
     * @return the engine of the last stage, still open (the caller closes it)
     */
    public PdAdmmEngine fit(MlpArchitecture initial, PdAdmmConfig config, INDArray features, INDArray labels,
                            List<INDArray> weights, List<INDArray> biases, Function<TensorCodec, Channel> transport,
                            PdAdmmListener listener) {
        if (initial.layers() != stages.get(0).layers()) {
            throw new IllegalArgumentException("the initial network has " + initial.layers()
                    + " layers but the first growth stage expects " + stages.get(0).layers());
        }
        MlpArchitecture architecture = initial;
        List<INDArray> w = weights;
        List<INDArray> b = biases;
        PdAdmmEngine engine = null;
        for (GrowthStage stage : stages) {
            if (engine != null) {
                w = engine.weights();
                b = engine.biases();
                engine.close();
                architecture = grow(architecture, stage.layers());
                List<INDArray>[] grown = insertIdentityLayers(w, b, stage.layers());
                w = grown[0];
                b = grown[1];
            }
            PdAdmmConfig stageConfig = config.toBuilder().iterations(stage.iterations()).mu(stage.mu()).build();
            engine = new PdAdmmEngine(architecture, stageConfig, features, labels, w, b, transport);
            if (listener != null) {
                engine.addListener(listener);
            }
            engine.fit();
        }
        return engine;
    }

    /**
     * Trains every stage but the last and returns the weights and biases that the last stage starts from: the
     * weights of the stage before it, grown by identity layers to the full depth. This is how a runner that trains
     * the full-depth stage elsewhere (ranks in other processes, Spark tasks) takes part in the recipe: the shallow
     * stages are cheap and run here, in one engine. With a single stage it returns {@code weights} and
     * {@code biases} unchanged.
     *
     * @param full     the network of the last stage
     * @param config   base configuration; each stage overrides {@code iterations} and {@code mu}
     * @param weights  initial weights of the first stage's network
     * @param biases   initial biases of the first stage's network
     * @param listener called after every iteration of every stage run here (may be null)
     * @return {@code [weights, biases]} of the full-depth network
     */
    @SuppressWarnings("unchecked")
    public List<INDArray>[] fitAllButLast(MlpArchitecture full, PdAdmmConfig config, INDArray features,
                                          INDArray labels, List<INDArray> weights, List<INDArray> biases,
                                          PdAdmmListener listener) {
        GrowthStage last = stages.get(stages.size() - 1);
        if (last.layers() != full.layers()) {
            throw new IllegalArgumentException("the last growth stage has " + last.layers() + " layers but the "
                    + "network " + full.layers());
        }
        if (stages.size() == 1) {
            return new List[]{weights, biases};
        }
        GreedyLayerGrowth before = new GreedyLayerGrowth(stages.subList(0, stages.size() - 1));
        try (PdAdmmEngine engine = before.fit(grow(full, stages.get(0).layers()), config, features, labels, weights,
                biases, LocalChannel::new, listener)) {
            return insertIdentityLayers(engine.weights(), engine.biases(), full.layers());
        }
    }

    /**
     * The weights a growth stage of {@code stageLayers} layers starts from, taken from a network of more layers:
     * its first layer and its last {@code stageLayers - 1} layers (the output layer among them), so that a user's
     * initialisation of the input and output layers is kept and the layers between begin as identities.
     *
     * @return {@code [weights, biases]}, copies
     */
    @SuppressWarnings("unchecked")
    public static List<INDArray>[] firstStageWeights(List<INDArray> weights, List<INDArray> biases, int stageLayers) {
        int layers = weights.size();
        if (stageLayers < 2 || stageLayers > layers) {
            throw new IllegalArgumentException("a first growth stage of " + stageLayers + " layers cannot start from "
                    + "a network of " + layers);
        }
        List<INDArray> w = new ArrayList<>(List.of(weights.get(0).dup()));
        List<INDArray> b = new ArrayList<>(List.of(biases.get(0).dup()));
        for (int l = layers - stageLayers + 1; l < layers; l++) {
            w.add(weights.get(l).dup());
            b.add(biases.get(l).dup());
        }
        return new List[]{w, b};
    }

    /**
     * The stages of {@code policy} for a network of {@code layers} layers trained {@code iterations} iterations at
     * full depth ({@link GrowthPolicy#stages}).
     */
    public static GreedyLayerGrowth of(GrowthPolicy policy, int layers, int iterations, double mu) {
        return new GreedyLayerGrowth(policy.stages(layers, iterations, mu));
    }

    /**
     * The architecture {@code a} with {@code layers} layers (more or fewer), every hidden layer of its hidden width.
     *
     * @throws IllegalArgumentException if {@code a} has no hidden layer or unequal hidden widths
     */
    public static MlpArchitecture grow(MlpArchitecture a, int layers) {
        int[] widths = a.widths();
        int hidden = checkEqualHiddenWidths(widths);
        int[] grown = new int[layers + 1];
        Arrays.fill(grown, hidden);
        grown[0] = widths[0];
        grown[layers] = widths[widths.length - 1];
        return new MlpArchitecture(grown, a.activation(), a.risk());
    }

    /**
     * Inserts identity hidden layers ({@code W = I}, {@code b = 0}) just before the output layer until there are
     * {@code layers} layers. For ReLU the network's function is unchanged.
     */
    @SuppressWarnings("unchecked")
    public static List<INDArray>[] insertIdentityLayers(List<INDArray> weights, List<INDArray> biases, int layers) {
        int current = weights.size();
        if (current < 2 || layers <= current) {
            throw new IllegalArgumentException("can only grow a network of at least 2 layers to more layers; have "
                    + current + ", asked for " + layers);
        }
        int hidden = (int) weights.get(current - 1).rows();
        for (int l = 1; l < current; l++) {
            if (weights.get(l).rows() != hidden || weights.get(l - 1).columns() != hidden) {
                throw new IllegalArgumentException("greedy layer growth needs equal hidden widths; layer " + (l + 1)
                        + " has input width " + weights.get(l).rows() + " and the output layer " + hidden);
            }
        }
        List<INDArray> w = new ArrayList<>(weights.subList(0, current - 1));
        List<INDArray> b = new ArrayList<>(biases.subList(0, current - 1));
        INDArray like = weights.get(0);
        for (int i = current; i < layers; i++) {
            w.add(Nd4j.eye(hidden).castTo(like.dataType()));
            b.add(Nd4j.zeros(like.dataType(), 1, hidden));
        }
        w.add(weights.get(current - 1));
        b.add(biases.get(current - 1));
        return new List[]{w, b};
    }

    private static int checkEqualHiddenWidths(int[] widths) {
        if (widths.length < 3) {
            throw new IllegalArgumentException("greedy layer growth needs at least one hidden layer, got widths "
                    + Arrays.toString(widths));
        }
        int hidden = widths[1];
        for (int i = 1; i < widths.length - 1; i++) {
            if (widths[i] != hidden) {
                throw new IllegalArgumentException("greedy layer growth needs equal hidden widths, got "
                        + Arrays.toString(widths));
            }
        }
        return hidden;
    }
}
