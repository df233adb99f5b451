package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.examples.GraphExperiment.Outcome;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.examples.report.ResultTable.Column;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.pdadmm.AdmmDivergenceException;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The graph benchmark suites, returning their rows and tables ({@code dl4j-admm bench accuracy|quantization} writes
 * them as markdown and JSON; {@link #main} prints markdown):
 * <ul>
 *   <li>{@code accuracy}: GA-MLP test accuracy (mean +/- std over seeds) and wall time of pdADMM-G,
 *       pdADMM-G-Q (8-bit grid on p and q) and DL4J's Adam on the paper's splits (issue #5);</li>
 *   <li>{@code quantization}: bytes per iteration, total bytes and test accuracy of every transfer mode on
 *       Cora, Citeseer and Amazon Computers, 10 layers x 100 (issue #4).</li>
 * </ul>
 * <pre>
 * GraphBenchmarks accuracy|quantization DATA_DIR [datasets=cora,citeseer,...] [seeds=5] [firstSeed=1]
 *                 [iterationsPerStage=200] [methods=train,train-q8,adam-tuned,adam-tuned-2,linear] [widths=100]
 *                 [adamLrs=1e-4,3e-4,1e-3,1e-2] [adamL2s=0,5e-4,5e-3]
 * GraphBenchmarks merge LOG... [iterationsPerStage=200]
 * </pre>
 * Each run prints an {@code Outcome[...]} line on standard error; {@code merge} makes the accuracy table of the
 * outcomes in the given logs, so that a long reproduction can run in pieces (seeds, datasets, methods).
 */
public final class GraphBenchmarks {

    private GraphBenchmarks() {
    }

    /** A transfer mode of the quantisation suite. */
    public record Mode(String name, QuantizerConfig quantizer, boolean projectQ) {
    }

    /** The transfer modes of the quantisation suite, float32 first (the reference of the byte reduction). */
    public static final List<Mode> MODES = List.of(
            new Mode("float32", QuantizerConfig.none(), false),
            new Mode("p-grid 8 bits", grid(8), false),
            new Mode("p-and-q grid 8 bits", grid(8), true),
            new Mode("p-and-q grid 6 bits", grid(6), true),
            new Mode("delta 6 bits", delta(6), false),
            new Mode("delta 4 bits", delta(4), false),
            new Mode("delta 2 bits", delta(2), false));

    static QuantizerConfig grid(int bits) {
        return QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(bits).build();
    }

    static QuantizerConfig delta(int bits) {
        return QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(bits).build();
    }

    /** One row of the accuracy suite: a method on a dataset and width, over seeds. */
    public record AccuracyRow(String dataset, int neurons, String method, double testMean, double testStd,
                              double validationMean, double validationStd, double secondsPerRun,
                              double megabytesPerRun, int runs) {
    }

    /** One row of the quantisation suite: a transfer mode on a dataset, or why it failed. */
    public record QuantizationRow(String dataset, String mode, double bytesPerIteration, double totalMegabytes,
                                  double reductionVsFloat32, double testAccuracy, double changeVsFloat32Points,
                                  String failure) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GraphBenchmarks accuracy|quantization DATA_DIR [key=value ...]\n"
                    + "       GraphBenchmarks merge LOG... [iterationsPerStage=200]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length == 2) {
                options.put(kv[0], kv[1]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (args[0].equals("merge")) {
            System.out.println(accuracyTable(merge(files),
                    Integer.parseInt(options.getOrDefault("iterationsPerStage", "200"))).toMarkdown());
            List<TimeRow> times = timeToAccuracy(files);
            if (!times.isEmpty()) {
                System.out.println(timeTable(times).toMarkdown());
            }
            return;
        }
        Path dataDir = Path.of(args[1]);
        int seeds = Integer.parseInt(options.getOrDefault("seeds", args[0].equals("accuracy") ? "5" : "1"));
        int firstSeed = Integer.parseInt(options.getOrDefault("firstSeed", "1"));
        int iterations = Integer.parseInt(options.getOrDefault("iterationsPerStage", "200"));
        Consumer<Outcome> log = o -> System.err.println(o);
        switch (args[0]) {
            case "accuracy" -> System.out.println(accuracyTable(accuracy(dataDir, list(options.getOrDefault("datasets",
                    "cora,citeseer,amazon_computers,amazon_photo,coauthor_cs")), firstSeed, seeds, iterations,
                    Arrays.stream(options.getOrDefault("widths", "100").split(",")).mapToInt(Integer::parseInt)
                            .toArray(), list(options.getOrDefault("methods", String.join(",", DEFAULT_METHODS))),
                    doubles(options.get("adamLrs"), ADAM_LRS), doubles(options.get("adamL2s"), ADAM_L2S), log,
                    System.err::println), iterations).toMarkdown());
            case "quantization" -> System.out.println(quantizationTable(quantization(dataDir,
                    list(options.getOrDefault("datasets", "cora,citeseer,amazon_computers")), seeds, iterations, log),
                    seeds, iterations).toMarkdown());
            default -> {
                System.err.println("unknown suite '" + args[0] + "'; use accuracy, quantization or merge");
                System.exit(2);
            }
        }
    }

    private static double[] doubles(String csv, double[] otherwise) {
        return csv == null ? otherwise : Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Test accuracy of pdADMM-G (exact and linearised W-step), pdADMM-G-Q (8-bit p and q) and DL4J's Adam on
     * 10-layer GA-MLPs, over
     * {@code seeds} seeds per dataset and width.
     *
     * @param onRun told about every finished run (for progress output), may be null
     */
    public static List<AccuracyRow> accuracy(Path dataDir, List<String> datasets, int seeds, int iterations,
                                             int[] widths, Consumer<Outcome> onRun) throws Exception {
        return accuracy(dataDir, datasets, 1, seeds, iterations, widths, onRun);
    }

    /**
     * As {@link #accuracy(Path, List, int, int, int[], Consumer)} for the seeds {@code firstSeed ..
     * firstSeed + seeds - 1}, so that a long reproduction can be split over several runs and merged from the
     * {@code Outcome} lines.
     */
    public static List<AccuracyRow> accuracy(Path dataDir, List<String> datasets, int firstSeed, int seeds,
                                             int iterations, int[] widths, Consumer<Outcome> onRun) throws Exception {
        return accuracy(dataDir, datasets, firstSeed, seeds, iterations, widths, ALL_METHODS, onRun);
    }

    /**
     * The methods of the accuracy suite, by their option names: through {@code dl4j-admm train} with its defaults
     * ({@code train}: pdADMM-G, {@code train-q8}: pdADMM-G-Q with 8-bit grids), the tuned DL4J Adam baselines at 10
     * and 2 layers and the linear model on the augmented input ({@code adam-tuned}, {@code adam-tuned-2},
     * {@code linear}), and the harness's own protocol ({@code exact}, {@code linearized}, {@code quantized}:
     * {@link GraphExperiment#pdAdmm}; {@code adam}: two learning rates, fixed epochs).
     */
    public static final List<String> ALL_METHODS = List.of("train", "train-q8", "adam-tuned", "adam-tuned-2", "linear",
            "exact", "linearized", "quantized", "adam");

    /** What {@code bench accuracy} runs without {@code --methods}: the product's entry point and fair baselines. */
    public static final List<String> DEFAULT_METHODS = List.of("train", "train-q8", "adam-tuned", "adam-tuned-2",
            "linear");

    /** Learning rates of the tuned Adam baselines (each with every {@link #ADAM_L2S}). */
    public static final double[] ADAM_LRS = {1e-4, 3e-4, 1e-3, 1e-2};
    /** L2 weight decays of the tuned Adam baselines. */
    public static final double[] ADAM_L2S = {0, 5e-4};
    /** Early stopping of the tuned baselines: at most this many epochs, ... */
    public static final int ADAM_MAX_EPOCHS = 600;
    /** ... and no more than this many epochs without a better validation accuracy (checked every 5). */
    public static final int ADAM_PATIENCE = 50;

    /** Refuses an empty list or a name outside {@link #ALL_METHODS}, naming what was given. */
    public static void checkMethods(List<String> methods) {
        if (methods.isEmpty() || !ALL_METHODS.containsAll(methods)) {
            throw new IllegalArgumentException("methods must be among " + String.join(",", ALL_METHODS) + ", got "
                    + String.join(",", methods));
        }
    }

    /**
     * As above for a subset of {@link #ALL_METHODS}: {@code exact} and {@code linearized} pdADMM-G, {@code quantized}
     * pdADMM-G-Q (8-bit p and q) and {@code adam}.
     */
    public static List<AccuracyRow> accuracy(Path dataDir, List<String> datasets, int firstSeed, int seeds,
                                             int iterations, int[] widths, List<String> methods,
                                             Consumer<Outcome> onRun) throws Exception {
        return accuracy(dataDir, datasets, firstSeed, seeds, iterations, widths, methods, ADAM_LRS, ADAM_L2S, onRun,
                line -> System.err.println(line));
    }

    /**
     * As above with the tuned baselines' grid given (e.g. the setting chosen on the first seed, for the others) and
     * every {@code Trace[...]} (validation accuracy against seconds) and {@code Chosen[...]} line told to
     * {@code onLine}.
     */
    public static List<AccuracyRow> accuracy(Path dataDir, List<String> datasets, int firstSeed, int seeds,
                                             int iterations, int[] widths, List<String> methods,
                                             double[] adamLearningRates, double[] adamL2s, Consumer<Outcome> onRun,
                                             Consumer<String> onLine) throws Exception {
        checkMethods(methods);
        List<AccuracyRow> rows = new ArrayList<>();
        for (String name : datasets) {
            GraphExperiment experiment = GraphExperiment.load(Benchmark.fromName(name), dataDir);
            for (int width : widths) {
                Map<String, List<Outcome>> byMethod = new LinkedHashMap<>();
                for (int seed = firstSeed; seed < firstSeed + seeds; seed++) {
                    if (methods.contains("train")) {
                        add(byMethod, GraphExperiment.train(dataDir, name, 10, width, seed, TRAIN), onRun, onLine);
                    }
                    if (methods.contains("train-q8")) {
                        add(byMethod, GraphExperiment.train(dataDir, name, 10, width, seed, TRAIN_Q8, "--algorithm",
                                "pdadmm-g-q", "--bits", "8"), onRun, onLine);
                    }
                    if (methods.contains("adam-tuned")) {
                        add(byMethod, experiment.adamTuned(10, width, seed, adamLearningRates, adamL2s,
                                ADAM_MAX_EPOCHS, ADAM_PATIENCE, 5, ADAM_10), onRun, onLine);
                    }
                    if (methods.contains("adam-tuned-2")) {
                        add(byMethod, experiment.adamTuned(2, width, seed, adamLearningRates, adamL2s,
                                ADAM_MAX_EPOCHS, ADAM_PATIENCE, 5, ADAM_2), onRun, onLine);
                    }
                    if (methods.contains("linear")) {
                        add(byMethod, experiment.adamTuned(1, width, seed, adamLearningRates, adamL2s,
                                ADAM_MAX_EPOCHS, ADAM_PATIENCE, 5, LINEAR), onRun, onLine);
                    }
                    if (methods.contains("exact")) {
                        add(byMethod, experiment.pdAdmm(10, width, seed, iterations, 10, QuantizerConfig.none(),
                                false, WStep.EXACT, "pdADMM-G (exact W-step)"), onRun);
                    }
                    if (methods.contains("linearized")) {
                        add(byMethod, experiment.pdAdmm(10, width, seed, iterations, 10, QuantizerConfig.none(),
                                false, WStep.LINEARIZED, "pdADMM-G (linearised W-step, as published)"), onRun);
                    }
                    if (methods.contains("quantized")) {
                        add(byMethod, experiment.pdAdmm(10, width, seed, iterations, 10, grid(8), true,
                                WStep.EXACT, "pdADMM-G-Q (8-bit p and q, exact W-step)"), onRun);
                    }
                    if (methods.contains("adam")) {
                        add(byMethod, experiment.adam(10, width, seed, 3 * iterations, 10,
                                new double[]{1e-3, 1e-2}), onRun);
                    }
                }
                byMethod.forEach((method, outcomes) -> rows.add(row(outcomes)));
            }
        }
        return rows;
    }

    /** The row of runs of one method on one dataset and width (one run per seed). */
    static AccuracyRow row(List<Outcome> outcomes) {
        Outcome first = outcomes.get(0);
        double[] test = outcomes.stream().mapToDouble(Outcome::testAccuracy).toArray();
        double[] val = outcomes.stream().mapToDouble(Outcome::validationAccuracy).toArray();
        return new AccuracyRow(first.dataset(), first.hidden(), first.method(), mean(test), std(test), mean(val),
                std(val), outcomes.stream().mapToDouble(Outcome::seconds).average().orElse(Double.NaN),
                outcomes.stream().mapToDouble(Outcome::bytesSent).average().orElse(0) / 1e6, outcomes.size());
    }

    /**
     * The accuracy suite's rows from the {@code Outcome} lines that runs of it printed (their standard error, one
     * file or many, e.g. one per seed or dataset), so that a reproduction split over several runs gives the table
     * that one run would have. Rows are grouped by dataset, width and method, in order of first appearance.
     *
     * @throws IllegalArgumentException if the same run (dataset, width, method, seed) appears twice, naming both
     *                                  places, or if the lines hold no outcome at all
     */
    public static List<AccuracyRow> merge(List<Path> logs) throws IOException {
        Map<List<Object>, List<Outcome>> groups = new LinkedHashMap<>();
        Map<List<Object>, String> seen = new HashMap<>();
        for (Path log : logs) {
            List<String> lines = Files.readAllLines(log);
            for (int i = 0; i < lines.size(); i++) {
                Optional<Outcome> parsed = Outcome.parse(lines.get(i));
                if (parsed.isEmpty()) {
                    continue;
                }
                Outcome o = parsed.get();
                String here = log + ":" + (i + 1);
                String before = seen.putIfAbsent(List.of(o.dataset(), o.hidden(), o.method(), o.seed()), here);
                if (before != null) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "%s on %s (%d neurons), seed %d, appears twice: %s and %s; pass each run once",
                            o.method(), o.dataset(), o.hidden(), o.seed(), before, here));
                }
                groups.computeIfAbsent(List.of(o.dataset(), o.hidden(), o.method()), k -> new ArrayList<>()).add(o);
            }
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("no Outcome[...] lines in " + logs
                    + "; pass the standard error of GraphBenchmarks accuracy runs");
        }
        return groups.values().stream().map(GraphBenchmarks::row).toList();
    }

    /** One row of the time-to-accuracy table: a dataset, the target validation accuracy, seconds per method. */
    public record TimeRow(String dataset, int seeds, double target, Map<String, Double> seconds,
                          Map<String, Integer> reached) {
    }

    /**
     * Time to accuracy from the {@code Trace[...]} lines in {@code logs}: for every dataset and seed, the target is
     * the lowest of the methods' best validation accuracies, and each method's time is the wall time of its run
     * until its validation accuracy first reached the target; rows average the seeds.
     */
    public static List<TimeRow> timeToAccuracy(List<Path> logs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path log : logs) {
            lines.addAll(Files.readAllLines(log));
        }
        return timeToAccuracyOf(lines);
    }

    /** As {@link #timeToAccuracy(List)} from the lines themselves. */
    public static List<TimeRow> timeToAccuracyOf(List<String> lines) {
        Map<String, Map<Long, Map<String, GraphExperiment.Trace>>> traces = new LinkedHashMap<>();
        for (String line : lines) {
            GraphExperiment.Trace.parse(line).ifPresent(t -> traces.computeIfAbsent(t.dataset(),
                    k -> new LinkedHashMap<>()).computeIfAbsent(t.seed(), k -> new LinkedHashMap<>())
                    .put(t.method(), t));
        }
        List<TimeRow> rows = new ArrayList<>();
        traces.forEach((dataset, bySeed) -> {
            Map<String, List<Double>> seconds = new LinkedHashMap<>();
            List<Double> targets = new ArrayList<>();
            bySeed.forEach((seed, byMethod) -> {
                double target = byMethod.values().stream().mapToDouble(GraphExperiment.Trace::best).min()
                        .orElse(Double.NaN);
                targets.add(target);
                byMethod.forEach((method, t) -> seconds.computeIfAbsent(method, k -> new ArrayList<>())
                        .add(t.secondsTo(target)));
            });
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, Integer> reached = new LinkedHashMap<>();
            seconds.forEach((method, values) -> {
                mean.put(method, values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
                reached.put(method, values.size());
            });
            rows.add(new TimeRow(dataset, bySeed.size(), targets.stream().mapToDouble(Double::doubleValue).average()
                    .orElse(Double.NaN), mean, reached));
        });
        return rows;
    }

    /** The time-to-accuracy rows as a table, with the ratio of pdADMM-G (through train) to the 10-layer Adam. */
    public static ResultTable timeTable(List<TimeRow> rows) {
        List<String> methods = rows.stream().flatMap(r -> r.seconds().keySet().stream()).distinct().toList();
        List<Column> columns = new ArrayList<>(List.of(Column.text("dataset"), Column.number("seeds", "%d"),
                Column.number("target validation accuracy", "%.3f")));
        methods.forEach(m -> columns.add(Column.number("s: " + m, "%.1f")));
        columns.add(Column.number("pdADMM-G / Adam 10 layers", "%.2f"));
        List<List<Object>> cells = new ArrayList<>();
        for (TimeRow r : rows) {
            List<Object> row = new ArrayList<>(List.of(r.dataset(), r.seeds(), r.target()));
            methods.forEach(m -> row.add(r.seconds().getOrDefault(m, Double.NaN)));
            row.add(r.seconds().getOrDefault(TRAIN, Double.NaN) / r.seconds().getOrDefault(ADAM_10, Double.NaN));
            cells.add(row);
        }
        return new ResultTable("Time to accuracy: seconds until the validation accuracy first reaches the lowest of "
                + "the methods' best (mean over seeds)", List.of("Each method's own run, timed in the same process, "
                + "evaluation included (every 5 iterations or epochs); for the tuned baselines the chosen setting's "
                + "run, without the time of the grid search; pdADMM-G counts every growth stage (a stage's network is "
                + "the 10-layer network with identity layers). NaN: a seed never reached the target."), columns, cells);
    }

    /** The accuracy suite's rows as a table. */
    public static ResultTable accuracyTable(List<AccuracyRow> rows, int iterations) {
        List<List<Object>> cells = new ArrayList<>();
        for (AccuracyRow r : rows) {
            cells.add(List.of(r.dataset(), r.neurons(), r.method(), r.runs(),
                    meanStd(r.testMean(), r.testStd()), meanStd(r.validationMean(), r.validationStd()),
                    r.secondsPerRun(), r.megabytesPerRun()));
        }
        List<Integer> seeds = rows.stream().map(AccuracyRow::runs).distinct().toList();
        return new ResultTable(String.format(Locale.ROOT,
                "GA-MLP test accuracy, 10 layers, %s (iterate chosen on validation)",
                seeds.size() == 1 ? seeds.get(0) + (seeds.get(0) == 1 ? " seed" : " seeds") : "seeds as counted"),
                List.of("pdADMM-G through dl4j-admm train with its defaults (greedy growth 2 -> 5 -> 10 layers, "
                        + "200 iterations per stage, nu = 1, rho = 5, mu = 10 / 1 / 0.01, exact W-step, input "
                        + "[S^4H .. H] on raw features, iterate of the 10-layer stage chosen on validation); the "
                        + "harness's protocol (exact, linearized, quantized) the same with " + iterations
                        + " iterations per stage. Tuned baselines: DL4J fit with Adam, full batch, lr in "
                        + "{1e-4, 3e-4, 1e-3, 1e-2} x L2 in {0, 5e-4} (unless a run was given its setting), "
                        + "early stopping (patience " + ADAM_PATIENCE + " epochs, at most " + ADAM_MAX_EPOCHS
                        + "), setting and epoch chosen on validation; seconds are the whole grid's. adam: lr in "
                        + "{1e-3, 1e-2}, " + 3 * iterations + " epochs each."),
                List.of(Column.text("dataset"), Column.number("neurons", "%d"), Column.text("method"),
                        Column.number("seeds", "%d"), Column.text("test accuracy"), Column.text("validation accuracy"),
                        Column.number("seconds / run", "%.1f"), Column.number("MB sent / run", "%.1f")),
                cells);
    }

    /** Method names of the accuracy table for the methods run through {@code train} and the tuned baselines. */
    static final String TRAIN = "pdADMM-G (dl4j-admm train, default recipe)";
    static final String TRAIN_Q8 = "pdADMM-G-Q 8-bit p and q (dl4j-admm train)";
    static final String ADAM_10 = "Adam tuned (DL4J fit), 10 layers";
    static final String ADAM_2 = "Adam tuned (DL4J fit), 2 layers";
    static final String LINEAR = "linear softmax on [S^4H .. H] (SGC; Adam tuned)";

    private static void add(Map<String, List<Outcome>> byMethod, GraphExperiment.Run run, Consumer<Outcome> onRun,
                            Consumer<String> onLine) {
        if (run.trace() != null) {
            onLine.accept(run.trace().toString());
        }
        if (run.chosen() != null) {
            Outcome o = run.outcome();
            onLine.accept("Chosen[dataset=" + o.dataset() + ", method=" + o.method() + ", seed=" + o.seed() + ", "
                    + run.chosen() + "]");
        }
        add(byMethod, run.outcome(), onRun);
    }

    private static void add(Map<String, List<Outcome>> byMethod, Outcome o, Consumer<Outcome> onRun) {
        byMethod.computeIfAbsent(o.method(), k -> new ArrayList<>()).add(o);
        if (onRun != null) {
            onRun.accept(o);
        }
    }

    /**
     * Bytes per iteration, total bytes and test accuracy of every transfer mode in {@link #MODES} on 10 layers x
     * 100 with growth 2 -> 5 -> 10; a mode that diverges gets a row saying where.
     *
     * @param onRun told about every finished run, may be null
     */
    public static List<QuantizationRow> quantization(Path dataDir, List<String> datasets, int seeds, int iterations,
                                                     Consumer<Outcome> onRun) throws Exception {
        List<QuantizationRow> rows = new ArrayList<>();
        for (String name : datasets) {
            GraphExperiment experiment = GraphExperiment.load(Benchmark.fromName(name), dataDir);
            double baseBytes = Double.NaN;
            double baseAccuracy = Double.NaN;
            for (Mode mode : MODES) {
                List<Outcome> outcomes = new ArrayList<>();
                String failure = null;
                for (int seed = 1; seed <= seeds; seed++) {
                    try {
                        Outcome o = experiment.pdAdmm(10, 100, seed, iterations, 10, mode.quantizer(),
                                mode.projectQ(), mode.name());
                        outcomes.add(o);
                        if (onRun != null) {
                            onRun.accept(o);
                        }
                    } catch (AdmmDivergenceException e) {
                        failure = "diverged (iteration " + e.iteration() + ", layer " + e.layer() + ", " + e.variable() + ")";
                    }
                }
                if (failure != null) {
                    rows.add(new QuantizationRow(name, mode.name(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, failure));
                    continue;
                }
                double perIteration = outcomes.stream().mapToDouble(Outcome::bytesPerIteration).average().orElse(0);
                double total = outcomes.stream().mapToDouble(Outcome::bytesSent).average().orElse(0);
                double accuracy = outcomes.stream().mapToDouble(Outcome::testAccuracy).average().orElse(0);
                if (mode.quantizer().mode() == QuantizerConfig.Mode.NONE) {
                    baseBytes = total;
                    baseAccuracy = accuracy;
                }
                rows.add(new QuantizationRow(name, mode.name(), perIteration, total / 1e6, baseBytes / total, accuracy,
                        100 * (accuracy - baseAccuracy), null));
            }
        }
        return rows;
    }

    /** The quantisation suite's rows as a table. */
    public static ResultTable quantizationTable(List<QuantizationRow> rows, int seeds, int iterations) {
        List<List<Object>> cells = new ArrayList<>();
        for (QuantizationRow r : rows) {
            cells.add(Arrays.asList(r.dataset(), r.mode(), r.bytesPerIteration(), r.totalMegabytes(),
                    r.reductionVsFloat32(), r.failure() != null ? r.failure() : r.testAccuracy(),
                    r.changeVsFloat32Points()));
        }
        return new ResultTable(String.format(Locale.ROOT, "Quantised transfers, 10 layers x 100, growth 2 -> 5 -> 10, "
                + "%d iterations per stage, exact W-step, %d seed(s)", iterations, seeds), List.of(),
                List.of(Column.text("dataset"), Column.text("mode"),
                        Column.number("bytes / iteration (10 layers)", "%.0f"), Column.number("total MB", "%.1f"),
                        Column.number("times fewer bytes than float32", "%.2f"),
                        Column.number("test accuracy", "%.4f"),
                        Column.number("change vs float32 (points)", "%+.1f")),
                cells);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double std(double[] values) {
        double mean = mean(values);
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.length - 1);
        return Math.sqrt(var);
    }

    static String meanStd(double mean, double std) {
        return String.format(Locale.ROOT, "%.3f +/- %.3f", mean, std);
    }

}
