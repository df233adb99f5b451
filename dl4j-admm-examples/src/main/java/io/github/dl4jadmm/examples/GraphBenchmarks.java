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
 *                 [iterationsPerStage=200] [methods=exact,linearized,quantized,adam] [widths=100,500]
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
                    Arrays.stream(options.getOrDefault("widths", "100,500").split(",")).mapToInt(Integer::parseInt)
                            .toArray(), list(options.getOrDefault("methods", String.join(",", ALL_METHODS))), log),
                    iterations).toMarkdown());
            case "quantization" -> System.out.println(quantizationTable(quantization(dataDir,
                    list(options.getOrDefault("datasets", "cora,citeseer,amazon_computers")), seeds, iterations, log),
                    seeds, iterations).toMarkdown());
            default -> {
                System.err.println("unknown suite '" + args[0] + "'; use accuracy, quantization or merge");
                System.exit(2);
            }
        }
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

    /** The methods of the accuracy suite, by their option names. */
    public static final List<String> ALL_METHODS = List.of("exact", "linearized", "quantized", "adam");

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
        checkMethods(methods);
        List<AccuracyRow> rows = new ArrayList<>();
        for (String name : datasets) {
            GraphExperiment experiment = GraphExperiment.load(Benchmark.fromName(name), dataDir);
            for (int width : widths) {
                Map<String, List<Outcome>> byMethod = new LinkedHashMap<>();
                for (int seed = firstSeed; seed < firstSeed + seeds; seed++) {
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
                List.of("pdADMM-G: greedy growth 2 -> 5 -> 10 layers, " + iterations + " iterations per stage, "
                        + "nu = 1, rho = 5, mu = 10 / 1 / 0.01, input [S^4H .. H] on raw features. "
                        + "Adam: DL4J fit, full batch, " + 3 * iterations
                        + " epochs (the same number of passes), lr in {1e-3, 1e-2} chosen on validation."),
                List.of(Column.text("dataset"), Column.number("neurons", "%d"), Column.text("method"),
                        Column.number("seeds", "%d"), Column.text("test accuracy"), Column.text("validation accuracy"),
                        Column.number("seconds / run", "%.1f"), Column.number("MB sent / run", "%.1f")),
                cells);
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
