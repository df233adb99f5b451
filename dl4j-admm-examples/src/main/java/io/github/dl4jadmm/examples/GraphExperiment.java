package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.examples.cli.AdmmCli;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.graph.download.DataDirectories;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import io.github.dl4jadmm.graph.model.GaMlp;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine;

/**
 * One GA-MLP node-classification run on a benchmark graph: pdADMM-G (optionally quantised) with greedy layer
 * growth and model selection on the validation split, or DL4J's own Adam on the same network. The building block
 * of the graph and quantisation benchmarks.
 */
public final class GraphExperiment {

    /** Outcome of one run. */
    public record Outcome(String dataset, String method, int layers, int hidden, long seed, double testAccuracy,
                          double validationAccuracy, double finalTestAccuracy, double seconds, long bytesSent,
                          long bytesPerIteration, int iterations) {

        private static final Pattern LINE = Pattern.compile("Outcome\\[dataset=(.*?), method=(.*?), layers=(\\d+), "
                + "hidden=(\\d+), seed=(-?\\d+), testAccuracy=([^,]+), validationAccuracy=([^,]+), "
                + "finalTestAccuracy=([^,]+), seconds=([^,]+), bytesSent=(\\d+), bytesPerIteration=(\\d+), "
                + "iterations=(\\d+)]");

        /**
         * The outcome that {@link #toString()} printed in {@code line} (a benchmark's progress output, which may
         * carry a prefix such as a log file's name), or empty if the line holds none.
         */
        public static Optional<Outcome> parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new Outcome(m.group(1), m.group(2), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Long.parseLong(m.group(5)), Double.parseDouble(m.group(6)),
                    Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8)), Double.parseDouble(m.group(9)),
                    Long.parseLong(m.group(10)), Long.parseLong(m.group(11)), Integer.parseInt(m.group(12))));
        }
    }

    private final AugmentedSplits splits;

    private GraphExperiment(AugmentedSplits splits) {
        this.splits = splits;
    }

    /** Loads {@code benchmark} (the paper's split) from {@code dataDir} and augments it with {@code [S^4H .. H]}. */
    public static GraphExperiment load(Benchmark benchmark, Path dataDir) throws GraphDataException {
        GraphDataset graph = NpyGraphLoader.loadBenchmark(benchmark, dataDir);
        return new GraphExperiment(new FeatureAugmenter(AugmentationConfig.paperCodeOrder()).augment(graph));
    }

    /** An experiment on splits augmented elsewhere (a graph that is not one of the benchmarks). */
    public static GraphExperiment of(AugmentedSplits splits) {
        return new GraphExperiment(splits);
    }

    public AugmentedSplits splits() {
        return splits;
    }

    /**
     * pdADMM-G with greedy growth 2 -> 5 -> {@code layers} (per-stage weight decay 10, 1, 0.01, as measured in
     * algorithms.md §1.1), {@code iterationsPerStage} iterations each, and the test accuracy of the iterate of the
     * last stage with the best validation accuracy (evaluated every {@code evalEvery} iterations). The weights are
     * updated by the exact ridge solve ({@link WStep#EXACT}): on the validation splits it matched the linearised
     * step on Cora (0.764 both) and far exceeded it on Amazon Computers (0.82 against 0.39 with 2 layers), whose raw
     * bag-of-words input makes the linearised step crawl.
     */
    public Outcome pdAdmm(int layers, int hidden, long seed, int iterationsPerStage, int evalEvery,
                          QuantizerConfig quantizer, boolean projectQ, String method) {
        return pdAdmm(layers, hidden, seed, iterationsPerStage, evalEvery, quantizer, projectQ, WStep.EXACT, method);
    }

    /** As above, with the weight update chosen ({@link WStep#EXACT} is the default of the graph experiments). */
    public Outcome pdAdmm(int layers, int hidden, long seed, int iterationsPerStage, int evalEvery,
                          QuantizerConfig quantizer, boolean projectQ, WStep wStep, String method) {
        return pdAdmm(layers, hidden, seed, iterationsPerStage, evalEvery, quantizer, projectQ, wStep,
                DEFAULT_STAGE_MUS, method);
    }

    /**
     * The weight decay of the growth stages 2 -> 5 -> L layers (algorithms.md §1.1: it must shrink as the network
     * deepens; measured on Cora).
     */
    private static final double[] DEFAULT_STAGE_MUS = {10, 1, 0.01};

    /**
     * As above with the weight decay of each growth stage given: {@code stageMus[0]} for 2 layers, {@code [1]} for
     * 5, {@code [2]} for the last stage ({@code [1]} when {@code layers} is 5 or less).
     */
    public Outcome pdAdmm(int layers, int hidden, long seed, int iterationsPerStage, int evalEvery,
                          QuantizerConfig quantizer, boolean projectQ, WStep wStep, double[] stageMus,
                          String method) {
        if (stageMus.length != 3) {
            throw new IllegalArgumentException("give the weight decay of the three growth stages, got "
                    + stageMus.length + " values");
        }
        INDArray x = splits.features(SplitPart.TRAIN);
        INDArray y = splits.labels(SplitPart.TRAIN);
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        // the product's recipe for depth (GrowthPolicy), with these stage decays
        List<GrowthStage> stages = GrowthPolicy.standard().withWeightDecays(stageMus).stages(layers,
                iterationsPerStage, stageMus[0]);
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).seed(seed).evaluationFrequency(0)
                .quantizer(quantizer).projectQ(projectQ).wStep(wStep).build();
        MlpArchitecture first = MlpArchitecture.uniform((int) x.columns(), hidden,
                (int) y.columns(), 2);
        InitialWeights initial = InitialWeights.xavier(first, seed);
        int lastStageLayers = stages.get(stages.size() - 1).layers();
        double[] best = {-1, Double.NaN};
        long[] bytes = {0, 0};
        int[] count = {0};
        // bytes sent per stage (each stage has its own channel, initial forward pass included)
        Map<PdAdmmEngine, Long> bytesPerStage = new IdentityHashMap<>();
        long start = System.nanoTime();
        PdAdmmEngine engine = new GreedyLayerGrowth(stages).fit(first, config, x, y, initial.weights(), initial.biases(), LocalChannel::new,
                (e, m) -> {
                    count[0]++;
                    bytes[1] = m.bytesThisIteration();
                    bytesPerStage.put(e, m.bytesSent());
                    if (e.architecture().layers() == lastStageLayers
                            && (m.iteration() % evalEvery == evalEvery - 1 || m.iteration() == iterationsPerStage - 1)) {
                        double val = e.accuracy(xVal, yVal);
                        if (val > best[0]) {
                            best[0] = val;
                            best[1] = e.accuracy(xTest, yTest);
                        }
                    }
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        bytes[0] = bytesPerStage.values().stream().mapToLong(Long::longValue).sum();
        double finalTest = engine.accuracy(xTest, yTest);
        engine.close();
        return new Outcome(splits.datasetName(), method, layers, hidden, seed, best[1], best[0], finalTest, seconds,
                bytes[0], bytes[1], count[0]);
    }

    /**
     * The same GA-MLP trained by DL4J's own {@code fit} with Adam, full batch, for {@code epochs} passes; the
     * learning rate is chosen among {@code learningRates} on the validation split, and within a run the epoch with
     * the best validation accuracy (checked every {@code evalEvery} epochs) is reported.
     */
    public Outcome adam(int layers, int hidden, long seed, int epochs, int evalEvery, double[] learningRates) {
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        double bestVal = -1;
        double bestTest = Double.NaN;
        double finalTest = Double.NaN;
        long start = System.nanoTime();
        for (double lr : learningRates) {
            MultiLayerNetwork net = GaMlp.builder().forSplits(splits).numLayers(layers).hiddenWidth(hidden)
                    .updater(new Adam(lr)).seed(seed).build().createNetwork();
            for (int epoch = 0; epoch < epochs; epoch++) {
                net.fit(splits.dataSet(SplitPart.TRAIN));
                if (epoch % evalEvery == evalEvery - 1) {
                    double val = accuracy(net, xVal, yVal);
                    if (val > bestVal) {
                        bestVal = val;
                        bestTest = accuracy(net, xTest, yTest);
                        finalTest = Double.NaN;
                    }
                }
            }
            if (Double.isNaN(finalTest)) {
                finalTest = accuracy(net, xTest, yTest);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(splits.datasetName(), "Adam (DL4J fit)", layers, hidden, seed, bestTest, bestVal, finalTest,
                seconds, 0, 0, epochs * learningRates.length);
    }

    /**
     * A run's validation accuracy against wall time (seconds from its start, at each evaluation), from which the
     * time to a given accuracy is read.
     */
    public record Trace(String dataset, String method, long seed, double[] seconds, double[] validation) {

        private static final Pattern LINE = Pattern.compile("Trace\\[dataset=(.*?), method=(.*?), seed=(-?\\d+), "
                + "points=(.*?)]");

        /** Seconds until the validation accuracy first reached {@code target}, or NaN if it never did. */
        public double secondsTo(double target) {
            for (int i = 0; i < validation.length; i++) {
                if (validation[i] >= target - 1e-12) {
                    return seconds[i];
                }
            }
            return Double.NaN;
        }

        /** The highest validation accuracy of the run. */
        public double best() {
            return Arrays.stream(validation).max().orElse(Double.NaN);
        }

        @Override
        public String toString() {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < seconds.length; i++) {
                points.append(i == 0 ? "" : ";").append(String.format(Locale.ROOT, "%.3f:%.4f", seconds[i],
                        validation[i]));
            }
            return "Trace[dataset=" + dataset + ", method=" + method + ", seed=" + seed + ", points=" + points + "]";
        }

        /** The trace that {@link #toString()} printed in {@code line}, or empty. */
        public static Optional<Trace> parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                return Optional.empty();
            }
            String[] points = m.group(4).isEmpty() ? new String[0] : m.group(4).split(";");
            double[] seconds = new double[points.length];
            double[] validation = new double[points.length];
            for (int i = 0; i < points.length; i++) {
                String[] sv = points[i].split(":");
                seconds[i] = Double.parseDouble(sv[0]);
                validation[i] = Double.parseDouble(sv[1]);
            }
            return Optional.of(new Trace(m.group(1), m.group(2), Long.parseLong(m.group(3)), seconds, validation));
        }
    }

    /** A finished run: its outcome, its validation trace, and (for tuned baselines) the setting chosen. */
    public record Run(Outcome outcome, Trace trace, String chosen) {
    }

    /**
     * pdADMM-G the way a user runs it: {@code dl4j-admm train --dataset NAME --layers L --neurons H --seed S} with
     * the defaults (the recipe for depth included) plus {@code extra} options, in this JVM, reading the result from
     * the files it writes. The accuracy is that of the iterate {@code train} chose on validation; the trace is its
     * validation accuracy every 5 iterations (evaluation time included), over every growth stage (a stage's network
     * is the full network with identity layers).
     *
     * @throws IllegalStateException with what {@code train} printed if it fails
     */
    public static Run train(Path dataDir, String dataset, int layers, int hidden, long seed, String method,
                            String... extra) throws IOException {
        Path output = Files.createTempDirectory("dl4j-admm-bench-train");
        try {
            List<String> args = new ArrayList<>(List.of("train", "--dataset", dataset, "--data-dir",
                    dataDir.toString(), "--layers", String.valueOf(layers), "--neurons", String.valueOf(hidden),
                    "--seed", String.valueOf(seed), "-o", output.toString(), "--no-plots", "-q"));
            args.addAll(List.of(extra));
            CommandLine cmd = AdmmCli.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            int code = cmd.execute(args.toArray(String[]::new));
            if (code != 0) {
                throw new IllegalStateException("dl4j-admm " + String.join(" ", args) + " exited with " + code + ": "
                        + err + out);
            }
            Map<String, Object> summary = Json.readObject(output.resolve("summary.json"));
            Map<?, ?> results = (Map<?, ?>) summary.get("results");
            Map<?, ?> best = (Map<?, ?>) results.get("bestValidation");
            List<IterationRecord> history = MetricsCsv.read(output.resolve("metrics.csv"));
            List<double[]> points = new ArrayList<>();
            for (IterationRecord r : history) {
                if (!Double.isNaN(r.valAccuracy())) {
                    points.add(new double[]{r.elapsedSeconds(), r.valAccuracy()});
                }
            }
            IterationRecord last = history.get(history.size() - 1);
            Outcome outcome = new Outcome(dataset, method, layers, hidden, seed,
                    Json.toDouble(best.get("testAccuracy")), Json.toDouble(best.get("validationAccuracy")),
                    Json.toDouble(results.get("testAccuracy")), last.elapsedSeconds(), last.bytesSent(),
                    last.bytesThisIteration(), history.size());
            return new Run(outcome, new Trace(dataset, method, seed, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray()), null);
        } finally {
            try (var files = Files.walk(output)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * DL4J's own {@code fit} with Adam, full batch, tuned as a practitioner would: every learning rate in
     * {@code learningRates} with every L2 weight decay in {@code l2s}, each run stopped early once the validation
     * accuracy (checked every {@code evalEvery} epochs) has not improved for {@code patience} epochs or after
     * {@code maxEpochs}, its best-validation epoch kept; the setting with the best validation accuracy is chosen.
     * {@code layers = 1} is the linear model on the augmented input (softmax regression on {@code [S^K H .. H]}, the
     * SGC baseline). The outcome's seconds are those of the whole grid; the trace is the chosen setting's own run.
     */
    public Run adamTuned(int layers, int hidden, long seed, double[] learningRates, double[] l2s, int maxEpochs,
                         int patience, int evalEvery, String method) {
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        long gridStart = System.nanoTime();
        double bestVal = -1;
        double bestTest = Double.NaN;
        double bestFinalTest = Double.NaN;
        Trace bestTrace = null;
        String chosen = null;
        int epochsRun = 0;
        for (double lr : learningRates) {
            for (double l2 : l2s) {
                MultiLayerNetwork net = GaMlp.builder().forSplits(splits).numLayers(layers).hiddenWidth(hidden)
                        .updater(new Adam(lr)).l2(l2).seed(seed).build().createNetwork();
                List<double[]> points = new ArrayList<>();
                double runBestVal = -1;
                double runBestTest = Double.NaN;
                int runBestEpoch = 0;
                long start = System.nanoTime();
                int epoch = 0;
                while (epoch < maxEpochs && epoch - runBestEpoch < patience) {
                    net.fit(splits.dataSet(SplitPart.TRAIN));
                    epoch++;
                    if (epoch % evalEvery == 0 || epoch == maxEpochs) {
                        double val = accuracy(net, xVal, yVal);
                        points.add(new double[]{(System.nanoTime() - start) / 1e9, val});
                        if (val > runBestVal) {
                            runBestVal = val;
                            runBestTest = accuracy(net, xTest, yTest);
                            runBestEpoch = epoch;
                        }
                    }
                }
                epochsRun += epoch;
                if (runBestVal > bestVal) {
                    bestVal = runBestVal;
                    bestTest = runBestTest;
                    bestFinalTest = accuracy(net, xTest, yTest);
                    bestTrace = new Trace(splits.datasetName(), method, seed,
                            points.stream().mapToDouble(p -> p[0]).toArray(),
                            points.stream().mapToDouble(p -> p[1]).toArray());
                    chosen = String.format(Locale.ROOT, "lr %s, l2 %s, best epoch %d of %d", lr, l2, runBestEpoch,
                            epoch);
                }
            }
        }
        double seconds = (System.nanoTime() - gridStart) / 1e9;
        Outcome outcome = new Outcome(splits.datasetName(), method, layers, hidden, seed, bestTest, bestVal,
                bestFinalTest, seconds, 0, 0, epochsRun);
        return new Run(outcome, bestTrace, chosen);
    }

    static double accuracy(MultiLayerNetwork net, INDArray x, INDArray y) {
        INDArray out = net.output(x);
        return Nd4j.argMax(out, 1).eq(Nd4j.argMax(y, 1)).castTo(DataType.FLOAT).meanNumber().doubleValue();
    }

    /** Quick manual check: {@code GraphExperiment <dataDir> <dataset> <layers> <hidden> <iterationsPerStage>}. */
    public static void main(String[] args) throws Exception {
        Path dataDir = DataDirectories.resolve(args.length > 0 ? Path.of(args[0]) : null);
        Benchmark benchmark = Benchmark.fromName(args.length > 1 ? args[1] : "cora");
        int layers = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int hidden = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int iterations = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        GraphExperiment experiment = load(benchmark, dataDir);
        System.out.println(experiment.pdAdmm(layers, hidden, 1, iterations, 10, QuantizerConfig.none(), false,
                "pdADMM-G"));
    }
}
