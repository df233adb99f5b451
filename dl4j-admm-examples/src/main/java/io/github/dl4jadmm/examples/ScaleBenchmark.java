package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.examples.GraphExperiment.Run;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.examples.report.ResultTable.Column;
import io.github.dl4jadmm.graph.ContextualSbm;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import io.github.dl4jadmm.trainer.MemoryEstimate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bench scale}: the whole pipeline on a large graph, a generated {@link ContextualSbm} of {@code N} nodes or
 * any {@code .npy} graph folder. For each graph it reports load and augmentation seconds and the peak resident
 * memory; the engine's memory per layer, for the whole engine and per rank ({@link MemoryEstimate}) beside the
 * resident memory an engine really added; seconds per pdADMM-G iteration on the graph's training rows (parallel
 * blocks, serial blocks, 8-bit delta coding) and, with {@code ranks >= 2}, the {@link DistributedBenchmark} of the
 * same shape (ranks as threads and as JVMs over Aeron); and the iterations and seconds each method needs to first
 * reach a fixed validation accuracy, measured side by side in one run: pdADMM-G through {@code dl4j-admm train}
 * with its defaults (the recipe for depth included, {@code --stage-iterations} and {@code --iterations} as given),
 * optionally pdADMM-G-Q 8-bit and {@code train --growth none}, DL4J's Adam on the same GA-MLP and the linear softmax
 * model on the augmented input (Adam, full batch), each evaluated on validation after every iteration or epoch.
 */
public final class ScaleBenchmark {

    /** Methods of the time-to-accuracy table. */
    public static final List<String> METHODS = List.of("train", "train-q8", "train-no-growth", "adam", "linear");
    /** The methods run when none are named. */
    public static final List<String> DEFAULT_METHODS = List.of("train", "adam", "linear");
    /** Name of the file that records the spec and seed a generated graph folder was written from. */
    static final String SPEC_FILE = "contextual-sbm.txt";

    /**
     * What to run.
     *
     * @param layers          layers of the GA-MLP
     * @param hidden          hidden width
     * @param hops            propagation steps of the input {@code [S^K H .. H]}
     * @param target          validation accuracy of the time-to-accuracy table
     * @param timedIterations timed pdADMM-G iterations after one warm-up, per arrangement
     * @param ranks           ranks of the distributed timing, or 0 for none
     * @param stageIterations iterations of each shallow growth stage of {@code train}
     * @param iterations      iterations of {@code train}'s full-depth stage
     * @param adamEpochs      epochs of DL4J Adam and of the linear model
     * @param adamLearningRate Adam's learning rate
     * @param seed            seed of the models
     * @param methods         methods of the time-to-accuracy table, from {@link #METHODS}
     */
    public record Settings(int layers, int hidden, int hops, double target, int timedIterations, int ranks,
                           int stageIterations, int iterations, int adamEpochs, double adamLearningRate, long seed,
                           List<String> methods) {

        public Settings {
            if (layers < 2 || hidden < 1 || hops < 0 || timedIterations < 1 || stageIterations < 1 || iterations < 1
                    || adamEpochs < 0) {
                throw new IllegalArgumentException("bench scale needs layers >= 2, hidden >= 1, hops >= 0 and "
                        + "timed, stage and full-depth iterations >= 1, epochs >= 0; got layers " + layers
                        + ", hidden " + hidden + ", hops " + hops + ", timed " + timedIterations + ", stage "
                        + stageIterations + ", iterations " + iterations + ", epochs " + adamEpochs);
            }
            if (!(target > 0 && target <= 1) || !(adamLearningRate > 0)) {
                throw new IllegalArgumentException("the target validation accuracy must be in (0, 1] and the "
                        + "learning rate positive, got " + target + " and " + adamLearningRate);
            }
            if (ranks != 0 && (ranks < 2 || ranks > layers)) {
                throw new IllegalArgumentException("ranks must be 0 (no distributed timing) or in 2.." + layers
                        + ", got " + ranks);
            }
            methods = List.copyOf(methods);
            for (String m : methods) {
                if (!METHODS.contains(m)) {
                    throw new IllegalArgumentException("unknown method '" + m + "'; use " + String.join(", ",
                            METHODS));
                }
            }
        }

        /** The defaults of {@code bench scale}: 10 x 100, 4 hops, target 0.95, 2 ranks, 10 + 30 iterations. */
        public static Settings defaults() {
            return new Settings(10, 100, 4, 0.95, 3, 2, 20, 150, 100, 0.01, 1, DEFAULT_METHODS);
        }
    }

    /** One method's way to the target validation accuracy. */
    public record Convergence(String method, int stepsToTarget, double secondsToTarget, int steps, double seconds,
                              double bestValidation, double testAtBest) {
    }

    private ScaleBenchmark() {
    }

    /**
     * The folder of the generated graph {@link ContextualSbm.Spec#large(int) large(nodes)} with {@code seed} under
     * {@code scratch}, written there unless an earlier call wrote the same spec and seed.
     */
    public static Path generate(int nodes, long seed, Path scratch, Consumer<String> progress) throws IOException {
        ContextualSbm.Spec spec = ContextualSbm.Spec.large(nodes);
        Path dir = scratch.resolve(String.format(Locale.ROOT, "sbm-%d-seed%d", nodes, seed));
        String stamp = spec + " seed " + seed;
        Path specFile = dir.resolve(SPEC_FILE);
        if (Files.isRegularFile(specFile) && Files.readString(specFile, StandardCharsets.UTF_8).equals(stamp)) {
            progress.accept("scale: reusing " + dir);
            return dir;
        }
        progress.accept("scale: generating " + dir);
        Files.deleteIfExists(specFile); // a folder half rewritten must not pass for the old one
        ContextualSbm.Summary summary = ContextualSbm.write(spec, seed, dir);
        Files.writeString(specFile, stamp, StandardCharsets.UTF_8);
        progress.accept(String.format(Locale.ROOT, "scale: %d nodes, mean degree %.2f, edge homophily %.3f, %.1f s",
                summary.nodes(), summary.meanDegree(), summary.edgeHomophily(), summary.seconds()));
        return dir;
    }

    /** Runs the suite on the graph in {@code graphDir}. */
    public static List<ResultTable> measure(Path graphDir, Settings s, Consumer<String> progress) throws Exception {
        long start = System.nanoTime();
        GraphDataset graph = NpyGraphLoader.builder().build().load(graphDir);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder()
                .powers(IntStream.iterate(s.hops(), k -> k - 1).limit(s.hops() + 1L).toArray()).build())
                .augment(graph);
        double augmentSeconds = (System.nanoTime() - start) / 1e9 - loadSeconds;
        long peakAfterAugmentation = peakResidentBytes();
        INDArray x = splits.features(SplitPart.TRAIN);
        INDArray y = splits.labels(SplitPart.TRAIN);
        int n = (int) x.rows();
        MlpArchitecture net = MlpArchitecture.uniform((int) x.columns(), s.hidden(), (int) y.columns(), s.layers());
        String name = String.format(Locale.ROOT, "%s (%,d nodes, %,d directed edges, %d features; train/val/test "
                        + "%,d/%,d/%,d; %d x %d on %d augmented columns)", graphDir.getFileName(), graph.numNodes(),
                graph.numDirectedEdges(), graph.numFeatures(), n, splits.features(SplitPart.VAL).rows(),
                splits.features(SplitPart.TEST).rows(), s.layers(), s.hidden(), x.columns());
        List<ResultTable> tables = new ArrayList<>();
        tables.add(new ResultTable("scale: " + name + ", loading", List.of("peak resident: the process's VmHWM "
                + "after augmentation"), List.of(Column.number("load s", "%.1f"),
                Column.number("augmentation s", "%.1f"), Column.text("peak resident")),
                List.of(List.of(loadSeconds, augmentSeconds, MemoryEstimate.format(peakAfterAugmentation)))));

        progress.accept("scale: timing pdADMM-G iterations on " + n + " rows");
        PdAdmmConfig base = PdAdmmConfig.builder().nu(1).rho(5).mu(0.01).wStep(WStep.EXACT).evaluationFrequency(0)
                .seed(s.seed()).iterations(s.timedIterations() + 1).build();
        List<List<Object>> timing = new ArrayList<>();
        long before = residentBytes();
        timing.add(timing("parallel blocks (the default)", net, base.toBuilder()
                .executionMode(ExecutionMode.PARALLEL).build(), x, y, true, before));
        timing.add(timing("serial blocks", net, base.toBuilder().executionMode(ExecutionMode.SERIAL).build(), x, y,
                false, 0));
        timing.add(timing("8-bit delta coding, parallel", net, base.toBuilder().quantizer(QuantizerConfig.builder()
                .mode(QuantizerConfig.Mode.DELTA).bits(8).build()).build(), x, y, false, 0));
        tables.add(new ResultTable("scale: " + name + ", seconds per pdADMM-G iteration", List.of(s.timedIterations()
                + " timed iterations after a warm-up, on the graph's training rows; resident added: the growth of the "
                + "process's resident memory (VmRSS) from before the engine was built to after its last iteration"),
                List.of(Column.text("arrangement"), Column.number("s / iteration", "%.3f"),
                        Column.text("resident added")), timing));

        MemoryEstimate estimate = MemoryEstimate.of(net, n, DataType.FLOAT);
        List<List<Object>> memory = new ArrayList<>();
        for (int l = 1; l <= s.layers(); l++) {
            memory.add(List.of("layer " + l, MemoryEstimate.format(estimate.layerBytes(l))));
        }
        memory.add(List.of("the training data (one copy)", MemoryEstimate.format(estimate.dataBytes())));
        memory.add(List.of("whole engine", MemoryEstimate.format(estimate.bytes())));
        if (s.ranks() >= 2) {
            LayerPartition partition = LayerPartition.even(s.layers(), s.ranks());
            for (int r = 0; r < partition.ranks(); r++) {
                memory.add(List.of(String.format(Locale.ROOT, "rank %d of %d (layers %d..%d, with all the data)", r,
                        s.ranks(), partition.firstLayer(r), partition.lastLayer(r)),
                        MemoryEstimate.format(estimate.rankBytes(partition.firstLayer(r), partition.lastLayer(r)))));
            }
        }
        tables.add(new ResultTable("scale: " + name + ", engine memory (float32)", List.of("the arrays the "
                + "algorithm keeps (MemoryEstimate: what the engine checks against its budget before allocating)"),
                List.of(Column.text("part"), Column.text("bytes")), memory));

        if (s.ranks() >= 2) {
            progress.accept("scale: " + s.ranks() + " ranks");
            EngineBenchmark.Shape shape = new EngineBenchmark.Shape(String.format(Locale.ROOT, "shape of %s (N=%d, "
                    + "%d in, %d x %d, random values)", graphDir.getFileName(), n, x.columns(), s.layers(),
                    s.hidden()), n, (int) x.columns(), s.hidden(), (int) y.columns(), s.layers());
            tables.add(DistributedBenchmark.table(shape, DistributedBenchmark.measure(shape, s.timedIterations(),
                    s.ranks()), s.ranks(), s.timedIterations()));
        }

        List<Convergence> runs = new ArrayList<>();
        String dataset = graphDir.toAbsolutePath().toString();
        Path dataDir = graphDir.toAbsolutePath().getParent();
        String[] common = {"--eval-every", "1", "--iterations", String.valueOf(s.iterations()),
                "--hops", String.valueOf(s.hops())};
        for (String method : s.methods()) {
            progress.accept("scale: " + method);
            switch (method) {
                case "train" -> runs.add(convergence(GraphExperiment.train(dataDir, dataset, s.layers(), s.hidden(),
                        s.seed(), "pdADMM-G (dl4j-admm train, default recipe, --stage-iterations "
                                + s.stageIterations() + ")", concat(common, "--stage-iterations",
                                String.valueOf(s.stageIterations()))), s.target()));
                case "train-q8" -> runs.add(convergence(GraphExperiment.train(dataDir, dataset, s.layers(),
                        s.hidden(), s.seed(), "pdADMM-G-Q 8-bit (train --algorithm pdadmm-g-q --bits 8)",
                        concat(common, "--stage-iterations", String.valueOf(s.stageIterations()), "--algorithm",
                                "pdadmm-g-q", "--bits", "8")), s.target()));
                case "train-no-growth" -> runs.add(convergence(GraphExperiment.train(dataDir, dataset, s.layers(),
                        s.hidden(), s.seed(), "pdADMM-G from random weights (train --growth none)",
                        concat(common, "--growth", "none")), s.target()));
                case "adam" -> runs.add(convergence(GraphExperiment.of(splits).adamTuned(s.layers(), s.hidden(),
                        s.seed(), new double[]{s.adamLearningRate()}, new double[]{0}, s.adamEpochs(),
                        s.adamEpochs(), 1, "DL4J Adam, same GA-MLP (lr " + s.adamLearningRate() + ", full batch)"),
                        s.target()));
                case "linear" -> runs.add(convergence(GraphExperiment.of(splits).adamTuned(1, s.hidden(), s.seed(),
                        new double[]{s.adamLearningRate()}, new double[]{0}, s.adamEpochs(), s.adamEpochs(), 1,
                        "linear softmax on the augmented input (Adam lr " + s.adamLearningRate() + ")"),
                        s.target()));
                default -> throw new IllegalStateException(method);
            }
        }
        if (!runs.isEmpty()) {
            List<List<Object>> rows = new ArrayList<>();
            for (Convergence c : runs) {
                rows.add(List.of(c.method(), c.stepsToTarget() < 0 ? "not reached" : String.valueOf(c.stepsToTarget()),
                        c.stepsToTarget() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", c.secondsToTarget()),
                        c.steps(), c.seconds(), c.bestValidation(), c.testAtBest()));
            }
            tables.add(new ResultTable(String.format(Locale.ROOT, "scale: %s, time to validation accuracy %.3f",
                    name, s.target()), List.of("steps: pdADMM-G iterations over all growth stages, or epochs; "
                    + "seconds from the start of training, evaluation on validation after every step included; test "
                    + "accuracy of the step with the best validation accuracy"),
                    List.of(Column.text("method"), Column.text("steps to target"), Column.text("s to target"),
                            Column.number("steps run", "%d"), Column.number("s", "%.1f"),
                            Column.number("best val", "%.4f"), Column.number("test at best val", "%.4f")), rows));
        }
        tables.add(new ResultTable("scale: " + name + ", peak resident memory", List.of(),
                List.of(Column.text("peak resident of the whole suite (VmHWM)")),
                List.of(List.of(MemoryEstimate.format(peakResidentBytes())))));
        return tables;
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Steps (trace points) and seconds until {@code target}, from a run evaluated after every step. */
    static Convergence convergence(Run run, double target) {
        GraphExperiment.Trace trace = run.trace();
        int reached = -1;
        for (int i = 0; i < trace.validation().length; i++) {
            if (trace.validation()[i] >= target - 1e-12) {
                reached = i;
                break;
            }
        }
        int steps = trace.seconds().length;
        return new Convergence(run.outcome().method(), reached < 0 ? -1 : reached + 1,
                reached < 0 ? Double.NaN : trace.seconds()[reached], steps,
                steps == 0 ? 0 : trace.seconds()[steps - 1], run.outcome().validationAccuracy(),
                run.outcome().testAccuracy());
    }

    private static List<Object> timing(String label, MlpArchitecture net, PdAdmmConfig config, INDArray x, INDArray y,
                                       boolean measureResident, long residentBefore) {
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, x, y)) {
            engine.iterate();
            long start = System.nanoTime();
            for (int i = 1; i < config.iterations(); i++) {
                engine.iterate();
            }
            double perIteration = (System.nanoTime() - start) / 1e9 / (config.iterations() - 1);
            String added = measureResident && residentBefore > 0
                    ? MemoryEstimate.format(Math.max(0, residentBytes() - residentBefore)) : "-";
            return List.of(label, perIteration, added);
        }
    }

    /** Peak resident memory of this process (Linux {@code VmHWM}), in bytes; -1 where unknown. */
    static long peakResidentBytes() {
        return procStatus("VmHWM:");
    }

    /** Resident memory of this process now (Linux {@code VmRSS}), in bytes; -1 where unknown. */
    static long residentBytes() {
        return procStatus("VmRSS:");
    }

    private static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * {@code ScaleBenchmark DIR|nodes=N [scratch=DIR] [layers=10] [hidden=100] [hops=4] [target=0.95] [timed=3]
     * [ranks=2] [stageIterations=20] [iterations=150] [epochs=100] [lr=0.01] [seed=1] [methods=train,adam,linear]};
     * prints the tables as markdown (what {@code dl4j-admm bench scale} runs).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ScaleBenchmark DIR|nodes=N [scratch=DIR] [layers=10] [hidden=100] [hops=4] "
                    + "[target=0.95] [timed=3] [ranks=2] [stageIterations=20] [iterations=150] [epochs=100] "
                    + "[lr=0.01] [seed=1] [methods=train,adam,linear]");
            System.exit(2);
        }
        java.util.Map<String, String> o = new java.util.HashMap<>();
        int first = args[0].contains("=") ? 0 : 1;
        for (int i = first; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments after DIR are key=value, got " + args[i]);
            }
            o.put(kv[0], kv[1]);
        }
        Settings d = Settings.defaults();
        Settings s = new Settings(Integer.parseInt(o.getOrDefault("layers", "" + d.layers())),
                Integer.parseInt(o.getOrDefault("hidden", "" + d.hidden())),
                Integer.parseInt(o.getOrDefault("hops", "" + d.hops())),
                Double.parseDouble(o.getOrDefault("target", "" + d.target())),
                Integer.parseInt(o.getOrDefault("timed", "" + d.timedIterations())),
                Integer.parseInt(o.getOrDefault("ranks", "" + d.ranks())),
                Integer.parseInt(o.getOrDefault("stageIterations", "" + d.stageIterations())),
                Integer.parseInt(o.getOrDefault("iterations", "" + d.iterations())),
                Integer.parseInt(o.getOrDefault("epochs", "" + d.adamEpochs())),
                Double.parseDouble(o.getOrDefault("lr", "" + d.adamLearningRate())),
                Long.parseLong(o.getOrDefault("seed", "" + d.seed())),
                List.of(o.getOrDefault("methods", String.join(",", d.methods())).split(",")));
        Path dir = first == 1 ? Path.of(args[0]) : generate(Integer.parseInt(o.get("nodes")), 1,
                Path.of(o.getOrDefault("scratch", System.getProperty("java.io.tmpdir") + "/dl4j-admm-scale")),
                System.err::println);
        for (ResultTable table : measure(dir, s, System.err::println)) {
            System.out.println(table.toMarkdown());
        }
    }
}
