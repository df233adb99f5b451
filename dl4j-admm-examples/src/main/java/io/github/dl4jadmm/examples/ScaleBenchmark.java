package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import io.github.dl4jadmm.graph.model.GaMlp;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.PdAdmmListener;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import io.github.dl4jadmm.trainer.MemoryEstimate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@code bench scale}: the whole pipeline on a large graph (a {@link io.github.dl4jadmm.graph.ContextualSbm} folder
 * or any {@code .npy} graph): load and augmentation seconds and peak resident memory, the engine's memory per layer
 * ({@link MemoryEstimate}), seconds per pdADMM-G iteration (parallel blocks, serial blocks, 8-bit delta coding), and
 * the iterations and seconds each method needs to reach a fixed validation accuracy: pdADMM-G with {@code layers}
 * layers from a random initialisation (what {@code train --layers L} runs), pdADMM-G grown greedily 2 -> {@code
 * layers}, DL4J's Adam on the same GA-MLP and a linear softmax model (Adam) on the augmented input.
 *
 * <p>{@code ScaleBenchmark DIR [layers=4] [hidden=100] [hops=4] [target=0.9] [iterations=60] [timed=3]
 * [epochs=300] [lr=0.01] [mu=3]}; prints markdown tables.
 */
public final class ScaleBenchmark {

    /** One method's way to the target validation accuracy. */
    public record Convergence(String method, int iterationsToTarget, double secondsToTarget, int iterations,
                              double seconds, double bestValidation, double testAtBest, double finalTrainLoss) {
    }

    private ScaleBenchmark() {
    }

    /** Peak resident memory of this process (Linux {@code VmHWM}), in bytes; -1 where unknown. */
    static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Runs the suite and returns its markdown. */
    public static String run(Path dir, int layers, int hidden, int hops, double target, int iterations, int timed,
                             int epochs, double lr, double mu) throws IOException {
        StringBuilder out = new StringBuilder();
        long start = System.nanoTime();
        GraphDataset graph = NpyGraphLoader.builder().build().load(dir);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        int[] powers = new int[hops + 1];
        for (int i = 0; i <= hops; i++) {
            powers[i] = hops - i;
        }
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(powers).build())
                .augment(graph);
        double augmentSeconds = (System.nanoTime() - start) / 1e9 - loadSeconds;
        long peakAfterLoad = peakResidentBytes();
        INDArray x = splits.features(SplitPart.TRAIN);
        INDArray y = splits.labels(SplitPart.TRAIN);
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        int n = (int) x.rows();
        MlpArchitecture net = MlpArchitecture.uniform((int) x.columns(), hidden, (int) y.columns(), layers);
        out.append(String.format(Locale.ROOT, "graph %s: %d nodes, %d directed edges, %d features -> %d augmented "
                        + "(hops %d); train/val/test %d/%d/%d; MLP %d x %d%n%n", dir, graph.numNodes(),
                graph.numDirectedEdges(), graph.numFeatures(), x.columns(), hops, n, xVal.rows(), xTest.rows(),
                layers, hidden));
        out.append("| load s | augmentation s | peak resident after augmentation |\n|---|---|---|\n");
        out.append(String.format(Locale.ROOT, "| %.1f | %.1f | %s |%n%n", loadSeconds, augmentSeconds,
                MemoryEstimate.format(peakAfterLoad)));

        MemoryEstimate estimate = MemoryEstimate.of(net, n, DataType.FLOAT);
        out.append("| engine memory (float32) | bytes |\n|---|---|\n");
        for (int l = 1; l <= layers; l++) {
            out.append("| layer ").append(l).append(" | ").append(MemoryEstimate.format(estimate.layerBytes(l)))
                    .append(" |\n");
        }
        out.append("| data copies | ").append(MemoryEstimate.format(estimate.dataBytes())).append(" |\n");
        out.append("| whole engine | ").append(MemoryEstimate.format(estimate.bytes())).append(" |\n\n");

        PdAdmmConfig base = PdAdmmConfig.builder().nu(1).rho(5).mu(mu).wStep(WStep.EXACT).evaluationFrequency(0)
                .seed(1).build();
        out.append("| pdADMM-G, timed iterations | s / iteration |\n|---|---|\n");
        out.append(timing("parallel blocks", net, base.toBuilder().executionMode(ExecutionMode.PARALLEL)
                .iterations(timed + 1).build(), x, y));
        out.append(timing("serial blocks", net, base.toBuilder().executionMode(ExecutionMode.SERIAL)
                .iterations(timed + 1).build(), x, y));
        out.append(timing("8-bit delta coding, parallel", net, base.toBuilder().iterations(timed + 1)
                .quantizer(QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8).build()).build(),
                x, y));
        out.append(String.format(Locale.ROOT, "%npeak resident so far: %s%n%n",
                MemoryEstimate.format(peakResidentBytes())));

        List<Convergence> runs = new ArrayList<>();
        runs.add(pdAdmmPlain(net, base.toBuilder().iterations(iterations).build(), x, y, xVal, yVal, xTest, yTest,
                target));
        if (layers > 2) {
            runs.add(pdAdmmIdentityHidden(net, base.toBuilder().iterations(iterations).build(), x, y, xVal, yVal,
                    xTest, yTest, target));
        }
        if (layers > 2) {
            runs.add(pdAdmmGrown(net, base, iterations, mu, x, y, xVal, yVal, xTest, yTest, target));
        }
        if (epochs > 0) {
            runs.add(adam("DL4J Adam, same GA-MLP (lr " + lr + ", full batch)", splits, layers, hidden, epochs, lr,
                target));
            runs.add(adam("linear softmax on the augmented input (Adam lr " + lr + ", full batch)", splits, 1,
                    hidden, epochs, lr, target));
        }
        out.append(String.format(Locale.ROOT, "target validation accuracy %.3f%n%n", target));
        out.append("| method | iterations to target | s to target | iterations run | s | best val | test at best "
                + "val | final train loss |\n|---|---|---|---|---|---|---|---|\n");
        for (Convergence c : runs) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.1f | %.4f | %.4f | %.4f |%n", c.method(),
                    c.iterationsToTarget() < 0 ? "not reached" : Integer.toString(c.iterationsToTarget()),
                    c.iterationsToTarget() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", c.secondsToTarget()),
                    c.iterations(), c.seconds(), c.bestValidation(), c.testAtBest(), c.finalTrainLoss()));
        }
        out.append(String.format(Locale.ROOT, "%npeak resident: %s%n", MemoryEstimate.format(peakResidentBytes())));
        return out.toString();
    }

    private static String timing(String label, MlpArchitecture net, PdAdmmConfig config, INDArray x, INDArray y) {
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, x, y)) {
            engine.iterate();
            long start = System.nanoTime();
            for (int i = 1; i < config.iterations(); i++) {
                engine.iterate();
            }
            double perIteration = (System.nanoTime() - start) / 1e9 / (config.iterations() - 1);
            return String.format(Locale.ROOT, "| %s | %.3f |%n", label, perIteration);
        }
    }

    /** Tracks validation accuracy after each iteration, with the evaluation time left out of the seconds. */
    private static final class Tracker implements PdAdmmListener {
        private final INDArray xVal;
        private final INDArray yVal;
        private final INDArray xTest;
        private final INDArray yTest;
        private final double target;
        private final long start = System.nanoTime();
        private long evaluationNanos;
        int count;
        int reachedAt = -1;
        double reachedSeconds;
        double best = -1;
        double testAtBest = Double.NaN;

        Tracker(INDArray xVal, INDArray yVal, INDArray xTest, INDArray yTest, double target) {
            this.xVal = xVal;
            this.yVal = yVal;
            this.xTest = xTest;
            this.yTest = yTest;
            this.target = target;
        }

        @Override
        public void iterationDone(PdAdmmEngine engine, io.github.dl4jadmm.pdadmm.IterationMetrics metrics) {
            long before = System.nanoTime();
            count++;
            double val = engine.accuracy(xVal, yVal);
            if (val > best) {
                best = val;
                testAtBest = engine.accuracy(xTest, yTest);
            }
            evaluationNanos += System.nanoTime() - before;
            if (reachedAt < 0 && val >= target) {
                reachedAt = count;
                reachedSeconds = seconds();
            }
        }

        double seconds() {
            return (System.nanoTime() - start - evaluationNanos) / 1e9;
        }
    }

    private static Convergence pdAdmmPlain(MlpArchitecture net, PdAdmmConfig config, INDArray x, INDArray y,
                                           INDArray xVal, INDArray yVal, INDArray xTest, INDArray yTest,
                                           double target) {
        Tracker tracker = new Tracker(xVal, yVal, xTest, yTest, target);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, x, y)) {
            engine.addListener(tracker);
            engine.fit();
            double seconds = tracker.seconds();
            return new Convergence("pdADMM-G, " + net.layers() + " layers from random weights (train --layers "
                    + net.layers() + ")", tracker.reachedAt, tracker.reachedSeconds, tracker.count, seconds,
                    tracker.best, tracker.testAtBest, trainLoss(engine, x, y));
        }
    }

    /**
     * {@code layers} layers whose hidden layers 2..L-1 start as the identity (zero bias), the first and last as
     * Xavier: at the start the network computes what its 2-layer part computes, as after a growth step, but without
     * training the 2-layer part first.
     */
    private static Convergence pdAdmmIdentityHidden(MlpArchitecture net, PdAdmmConfig config, INDArray x,
                                                    INDArray y, INDArray xVal, INDArray yVal, INDArray xTest,
                                                    INDArray yTest, double target) {
        InitialWeights xavier = InitialWeights.xavier(net, config.seed());
        List<INDArray> weights = new ArrayList<>(xavier.weights());
        for (int l = 2; l < net.layers(); l++) {
            weights.set(l - 1, org.nd4j.linalg.factory.Nd4j.eye(net.outputsOf(l)).castTo(weights.get(l - 1)
                    .dataType()));
        }
        Tracker tracker = new Tracker(xVal, yVal, xTest, yTest, target);
        try (PdAdmmEngine engine = new PdAdmmEngine(net, config, x, y, weights, xavier.biases())) {
            engine.addListener(tracker);
            engine.fit();
            double seconds = tracker.seconds();
            return new Convergence("pdADMM-G, " + net.layers() + " layers, hidden layers 2.." + (net.layers() - 1)
                    + " initialised to the identity", tracker.reachedAt, tracker.reachedSeconds, tracker.count,
                    seconds, tracker.best, tracker.testAtBest, trainLoss(engine, x, y));
        }
    }

    private static Convergence pdAdmmGrown(MlpArchitecture net, PdAdmmConfig base, int iterations, double mu,
                                           INDArray x, INDArray y, INDArray xVal, INDArray yVal, INDArray xTest,
                                           INDArray yTest, double target) {
        Tracker tracker = new Tracker(xVal, yVal, xTest, yTest, target);
        int first = iterations / 2;
        List<GrowthStage> stages = List.of(new GrowthStage(2, first, mu),
                new GrowthStage(net.layers(), iterations - first, mu));
        MlpArchitecture two = MlpArchitecture.uniform(net.inputsOf(1), net.outputsOf(1),
                net.outputsOf(net.layers()), 2);
        InitialWeights initial = InitialWeights.xavier(two, base.seed());
        try (PdAdmmEngine engine = new GreedyLayerGrowth(stages).fit(two, base, x, y, initial.weights(),
                initial.biases(), LocalChannel::new, tracker)) {
            double seconds = tracker.seconds();
            return new Convergence("pdADMM-G, grown 2 -> " + net.layers() + " layers (" + first + " + "
                    + (iterations - first) + " iterations)", tracker.reachedAt, tracker.reachedSeconds,
                    tracker.count, seconds, tracker.best, tracker.testAtBest, trainLoss(engine, x, y));
        }
    }

    private static double trainLoss(PdAdmmEngine engine, INDArray x, INDArray y) {
        return engine.architecture().risk().value(engine.preActivation(x), y.castTo(DataType.FLOAT)) / x.rows();
    }

    private static Convergence adam(String method, AugmentedSplits splits, int layers, int hidden, int epochs,
                                    double lr, double target) {
        MultiLayerNetwork net = GaMlp.builder().forSplits(splits).numLayers(layers).hiddenWidth(hidden)
                .updater(new Adam(lr)).seed(1).build().createNetwork();
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        long start = System.nanoTime();
        long evaluationNanos = 0;
        int reachedAt = -1;
        double reachedSeconds = Double.NaN;
        double best = -1;
        double testAtBest = Double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            net.fit(splits.dataSet(SplitPart.TRAIN));
            long before = System.nanoTime();
            double val = GraphExperiment.accuracy(net, xVal, yVal);
            if (val > best) {
                best = val;
                testAtBest = GraphExperiment.accuracy(net, xTest, yTest);
            }
            evaluationNanos += System.nanoTime() - before;
            if (reachedAt < 0 && val >= target) {
                reachedAt = epoch;
                reachedSeconds = (System.nanoTime() - start - evaluationNanos) / 1e9;
            }
        }
        double seconds = (System.nanoTime() - start - evaluationNanos) / 1e9;
        return new Convergence(method, reachedAt, reachedSeconds, epochs, seconds, best, testAtBest, net.score());
    }

    /** {@code ScaleBenchmark DIR [key=value ...]}; see the class comment. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ScaleBenchmark DIR [layers=4] [hidden=100] [hops=4] [target=0.9] "
                    + "[iterations=60] [timed=3] [epochs=300] [lr=0.01] [mu=3]");
            System.exit(2);
        }
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments after DIR are key=value, got " + args[i]);
            }
            o.put(kv[0], kv[1]);
        }
        System.out.print(run(Path.of(args[0]), Integer.parseInt(o.getOrDefault("layers", "4")),
                Integer.parseInt(o.getOrDefault("hidden", "100")), Integer.parseInt(o.getOrDefault("hops", "4")),
                Double.parseDouble(o.getOrDefault("target", "0.9")),
                Integer.parseInt(o.getOrDefault("iterations", "60")), Integer.parseInt(o.getOrDefault("timed", "3")),
                Integer.parseInt(o.getOrDefault("epochs", "300")), Double.parseDouble(o.getOrDefault("lr", "0.01")),
                Double.parseDouble(o.getOrDefault("mu", "3"))));
    }
}
