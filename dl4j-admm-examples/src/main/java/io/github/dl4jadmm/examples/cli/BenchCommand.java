package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.DistributedBenchmark;
import io.github.dl4jadmm.examples.EngineBenchmark;
import io.github.dl4jadmm.examples.FashionMnist;
import io.github.dl4jadmm.examples.GraphBenchmarks;
import io.github.dl4jadmm.examples.GraphExperiment.Outcome;
import io.github.dl4jadmm.examples.ScaleBenchmark;
import io.github.dl4jadmm.examples.report.BenchmarkReport;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.graph.io.Benchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dl4j-admm bench <suite>}: runs a benchmark suite and prints its tables as markdown, headed by the date and
 * the machine; {@code --json FILE} also writes them as JSON and {@code --markdown FILE} the markdown to a file.
 */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a benchmark suite; print its tables as markdown (with date and machine), and write them "
                + "as JSON with --json.",
                "Suites: engine (seconds and GFLOP/s per pdADMM-G iteration, serial and parallel blocks), "
                        + "distributed (the same shapes with the blocks over ranks: threads, and JVMs over Aeron), "
                        + "quantization (bytes and accuracy per transfer mode), accuracy (pdADMM-G, pdADMM-G-Q and "
                        + "Adam over seeds), gadmm (GADMM against Q-GADMM on synthetic linear regression: "
                        + "iterations and bits to converge) and q-sgadmm (Q-SGADMM against exact SGADMM and Adam on "
                        + "Fashion-MNIST, MLP 784-128-64-10) and scale (the whole pipeline on generated graphs of "
                        + "--nodes N: loading, memory per layer and rank, seconds per iteration, and time to a "
                        + "validation accuracy of pdADMM-G through train, DL4J Adam and the linear model)."})
public final class BenchCommand implements Callable<Integer> {

    /** The suites, in the order of the help text. */
    static final List<String> SUITES = List.of("engine", "distributed", "quantization", "accuracy", "gadmm",
            "q-sgadmm", "scale");

    /** Options of the scale suite only. */
    private static final List<String> SCALE_OPTIONS = List.of("--nodes", "--graph", "--scratch-dir", "--layers",
            "--hops", "--target", "--stage-iterations", "--train-iterations");

    /** Options of the accuracy suite only. */
    private static final List<String> ACCURACY_OPTIONS = List.of("--first-seed", "--methods", "--outcomes", "--merge",
            "--adam-lrs", "--adam-l2s");

    /** Options of the Q-GADMM suites, refused by the others. */
    private static final List<String> GADMM_OPTIONS = List.of("--workers", "--rhos", "--dims", "--samples", "--bits",
            "--adaptive", "--max-iterations", "--tolerance", "--alpha", "--adam-epochs", "--lr", "--seed");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SUITE",
            description = "engine, distributed, quantization, accuracy, gadmm, q-sgadmm or scale.")
    String suite;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON to FILE.")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the markdown to FILE.")
    Path markdown;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DatasetOptions.DEFAULT_DATA_DIR,
            description = "quantization, accuracy: directory of the benchmark graphs; q-sgadmm: the folder of the "
                    + "Fashion-MNIST .gz files or the one holding fashion-mnist/ (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--datasets", paramLabel = "NAME", split = ",",
            description = "quantization, accuracy: graphs to run (default: cora,citeseer,amazon_computers for "
                    + "quantization; cora,citeseer,amazon_computers,amazon_photo,coauthor_cs for accuracy).")
    List<String> datasets;

    @Option(names = "--seeds", paramLabel = "N",
            description = "quantization, accuracy: seeds per configuration (default: 1 for quantization, 5 for "
                    + "accuracy).")
    Integer seeds;

    @Option(names = "--iterations-per-stage", paramLabel = "T", defaultValue = "200",
            description = "quantization, accuracy: ADMM iterations per growth stage 2 -> 5 -> 10 "
                    + "(default: ${DEFAULT-VALUE}).")
    int iterationsPerStage;

    @Option(names = "--widths", paramLabel = "N", split = ",", defaultValue = "100",
            description = "accuracy: hidden widths (default: ${DEFAULT-VALUE}); scale: the one hidden width.")
    int[] widths;

    @Option(names = "--first-seed", paramLabel = "S", defaultValue = "1",
            description = "accuracy: seeds S .. S + seeds - 1, so that a long reproduction can run in pieces "
                    + "(default: ${DEFAULT-VALUE}).")
    int firstSeed;

    @Option(names = "--methods", paramLabel = "NAME", split = ",",
            description = "accuracy: train (pdADMM-G through dl4j-admm train), train-q8 (pdADMM-G-Q, 8 bits), "
                    + "adam-tuned, adam-tuned-2 (DL4J's Adam at 10 and 2 layers, lr x L2 grid, early stopping), "
                    + "linear (softmax regression on the augmented input), the default set; also exact, linearized, "
                    + "quantized (the harness's growth protocol) and adam (two learning rates, fixed epochs). scale: "
                    + "train, adam, linear (the default set), train-q8 and train-no-growth (train --growth none).")
    List<String> methods;

    @Option(names = "--adam-lrs", paramLabel = "LR", split = ",",
            description = "accuracy: the tuned baselines' learning rates (default: 1e-4,3e-4,1e-3,1e-2); give the "
                    + "one chosen on a first seed to run the other seeds with it.")
    double[] adamLearningRates;

    @Option(names = "--adam-l2s", paramLabel = "L2", split = ",",
            description = "accuracy: the tuned baselines' L2 weight decays (default: 0,5e-4).")
    double[] adamL2s;

    @Option(names = "--outcomes", paramLabel = "FILE",
            description = "accuracy: append every finished run to FILE as an Outcome[...] line, as it finishes "
                    + "(what --merge reads).")
    Path outcomes;

    @Option(names = "--merge", paramLabel = "FILE", split = ",",
            description = "accuracy: run nothing, make the table of the runs in these files (--outcomes files, or "
                    + "the standard error of GraphBenchmarks); a run found twice is refused.")
    List<Path> merge;

    @Option(names = "--shapes", paramLabel = "WHICH", defaultValue = "all",
            description = "engine, distributed: small (the paper's N=140, 7165 inputs, 10 x 100), large (N=10000, "
                    + "10 x 1000), all (default), or ROWSxINPUTSxHIDDENxOUTPUTSxLAYERS, e.g. 50000x500x100x10x10 "
                    + "(the 10^6-node graph's training rows).")
    String shapes;

    @Option(names = "--ranks", paramLabel = "R", defaultValue = "2",
            description = "distributed: ranks the blocks are split over (default: ${DEFAULT-VALUE}); scale: the same "
                    + "timing on each graph's shape, 0 for none (default: 2).")
    int ranks;

    @Option(names = "--iterations", paramLabel = "T", defaultValue = "3",
            description = "engine, distributed, scale: timed iterations after one warm-up (default: ${DEFAULT-VALUE}); q-sgadmm: "
                    + "Q-SGADMM iterations (default: 60).")
    int iterations;

    @Option(names = "--workers", paramLabel = "N",
            description = "gadmm, q-sgadmm: workers on the chain (default: 50 for gadmm, 10 for q-sgadmm).")
    Integer workers;

    @Option(names = "--rhos", paramLabel = "RHO", split = ",",
            description = "gadmm, q-sgadmm: penalties (default: 3,24 for gadmm, 20,1 for q-sgadmm).")
    List<Double> rhos;

    @Option(names = "--dims", paramLabel = "D", split = ",",
            description = "gadmm: model dimensions d (default: 10,13).")
    List<Integer> dims;

    @Option(names = "--samples", paramLabel = "N", description = "gadmm: rows per worker (default: 5).")
    Integer samples;

    @Option(names = "--bits", paramLabel = "B", split = ",",
            description = "gadmm: fixed code widths of the Q-GADMM runs, 1..16 (default: 2,3,8).")
    List<Integer> bits;

    @Option(names = "--adaptive", paramLabel = "B", split = ",",
            description = "gadmm: first widths of runs with the paper's non-increasing-step rule (default: none).")
    List<Integer> adaptive;

    @Option(names = "--max-iterations", paramLabel = "T",
            description = "gadmm: a run not converged after T iterations is reported as such (default: 20000).")
    Integer maxIterations;

    @Option(names = "--tolerance", paramLabel = "EPS",
            description = "gadmm: converged when |F - F*| < EPS for 50 iterations in a row (default: 1e-4).")
    Double tolerance;

    @Option(names = "--alpha", paramLabel = "A", description = "q-sgadmm: dual step factor (default: 0.01).")
    Double alpha;

    @Option(names = "--adam-epochs", paramLabel = "N",
            description = "q-sgadmm: epochs of the Adam baseline on all data, 0 for none (default: 3); scale: epochs "
                    + "of DL4J Adam and of the linear model (default: 100).")
    Integer adamEpochs;

    @Option(names = "--lr", paramLabel = "RATE", description = "q-sgadmm: Adam's learning rate (default: 0.001); "
            + "scale: (default: 0.01).")
    Double lr;

    @Option(names = "--seed", paramLabel = "SEED", description = "q-sgadmm, scale: seed of the models (default: 1).")
    Long seed;

    @Option(names = "--nodes", paramLabel = "N", split = ",",
            description = "scale: generate a contextual-SBM graph of N nodes for each N (10 classes, 100 features, "
                    + "mean degree 16, homophily 0.7, 5% each for training, validation and test, at most 50,000; "
                    + "seed 1) into --scratch-dir, or reuse the one generated there before (default: 100000 unless "
                    + "--graph is given).")
    List<Integer> nodes;

    @Option(names = "--graph", paramLabel = "DIR", split = ",",
            description = "scale: also run on these .npy graph folders.")
    List<Path> graphs;

    @Option(names = "--scratch-dir", paramLabel = "DIR",
            description = "scale: where the generated graphs are kept (default: ${java.io.tmpdir}/dl4j-admm-scale).")
    Path scratchDir;

    @Option(names = "--layers", paramLabel = "L", description = "scale: layers of the GA-MLP (default: 10).")
    Integer layers;

    @Option(names = "--hops", paramLabel = "K", description = "scale: propagation steps of [S^K H .. H] "
            + "(default: 4).")
    Integer hops;

    @Option(names = "--target", paramLabel = "ACC",
            description = "scale: the validation accuracy each method is timed to (default: 0.95).")
    Double target;

    @Option(names = "--stage-iterations", paramLabel = "T",
            description = "scale: iterations of each shallow growth stage of train (default: 20).")
    Integer stageIterations;

    @Option(names = "--train-iterations", paramLabel = "T",
            description = "scale: iterations of train's full-depth stage (its --iterations; default: 150; with "
                    + "10 + 10 + 30 the 10^6-node graph stopped 1.2 points below the linear model).")
    Integer trainIterations;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        String name = suite.toLowerCase(Locale.ROOT).replace("quantisation", "quantization");
        if (!SUITES.contains(name)) {
            throw new ParameterException(cmd, "unknown suite '" + suite + "'; use one of " + String.join(", ", SUITES));
        }
        BenchmarkReport report = switch (name) {
            case "engine" -> engine(cmd);
            case "distributed" -> distributed(cmd);
            case "quantization", "accuracy" -> graph(cmd, name);
            case "scale" -> scale(cmd);
            default -> gadmm(cmd, name);
        };
        String md = report.toMarkdown();
        PrintWriter out = cmd.getOut();
        out.print(md);
        out.flush();
        if (markdown != null) {
            write(cmd, markdown, md);
        }
        if (json != null) {
            write(cmd, json, Json.write(report.toJsonMap()) + System.lineSeparator());
        }
        return 0;
    }

    private BenchmarkReport engine(CommandLine cmd) {
        onlyFor(cmd, "engine", "--data-dir", "--datasets", "--seeds", "--iterations-per-stage", "--widths");
        onlyFor(cmd, "engine", GADMM_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, "engine", ACCURACY_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, "engine", SCALE_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, "engine", "--ranks");
        if (iterations < 1) {
            throw new ParameterException(cmd, "--iterations must be >= 1, got " + iterations);
        }
        List<EngineBenchmark.Shape> chosen;
        try {
            chosen = EngineBenchmark.shapes(shapes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--shapes: " + e.getMessage());
        }
        List<ResultTable> tables = new ArrayList<>();
        for (EngineBenchmark.Shape shape : chosen) {
            progress("engine: " + shape.name());
            tables.addAll(EngineBenchmark.tables(EngineBenchmark.measure(shape, iterations)));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("shapes", shapes);
        settings.put("timedIterations", iterations);
        return BenchmarkReport.now("engine", settings, tables);
    }

    private BenchmarkReport distributed(CommandLine cmd) throws Exception {
        onlyFor(cmd, "distributed", "--data-dir", "--datasets", "--seeds", "--iterations-per-stage", "--widths");
        onlyFor(cmd, "distributed", GADMM_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, "distributed", ACCURACY_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, "distributed", SCALE_OPTIONS.toArray(String[]::new));
        if (iterations < 1) {
            throw new ParameterException(cmd, "--iterations must be >= 1, got " + iterations);
        }
        List<EngineBenchmark.Shape> chosen;
        try {
            chosen = EngineBenchmark.shapes(shapes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--shapes: " + e.getMessage());
        }
        for (EngineBenchmark.Shape shape : chosen) {
            if (ranks < 2 || ranks > shape.layers()) {
                throw new ParameterException(cmd, "--ranks must be in 2.." + shape.layers() + ", got " + ranks);
            }
        }
        List<ResultTable> tables = new ArrayList<>();
        for (EngineBenchmark.Shape shape : chosen) {
            progress("distributed: " + shape.name());
            tables.add(DistributedBenchmark.table(shape, DistributedBenchmark.measure(shape, iterations, ranks), ranks,
                    iterations));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("shapes", shapes);
        settings.put("ranks", ranks);
        settings.put("timedIterations", iterations);
        return BenchmarkReport.now("distributed", settings, tables);
    }

    private BenchmarkReport graph(CommandLine cmd, String name) throws Exception {
        onlyFor(cmd, name, "--shapes", "--iterations", "--ranks");
        onlyFor(cmd, name, GADMM_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, name, SCALE_OPTIONS.toArray(String[]::new));
        if (name.equals("quantization")) {
            onlyFor(cmd, name, "--widths");
            onlyFor(cmd, name, ACCURACY_OPTIONS.toArray(String[]::new));
        }
        if (merge != null) {
            return merged(cmd);
        }
        if (!Files.isDirectory(dataDir)) {
            throw new ParameterException(cmd, "data directory " + dataDir + " does not exist; pass the directory "
                    + "holding the benchmark folders with --data-dir DIR (or -Ddl4jadmm.data.dir=DIR)");
        }
        List<String> names = datasets != null ? datasets : name.equals("quantization")
                ? List.of("cora", "citeseer", "amazon_computers")
                : List.of("cora", "citeseer", "amazon_computers", "amazon_photo", "coauthor_cs");
        for (String dataset : names) {
            try {
                Benchmark.fromName(dataset);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cmd, "--datasets: " + e.getMessage());
            }
        }
        int seedCount = seeds != null ? seeds : name.equals("quantization") ? 1 : 5;
        if (seedCount < 1 || iterationsPerStage < 1 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
            throw new ParameterException(cmd, "--seeds, --iterations-per-stage and --widths must be >= 1");
        }
        List<String> chosenMethods = methods != null ? methods : GraphBenchmarks.DEFAULT_METHODS;
        try {
            GraphBenchmarks.checkMethods(chosenMethods); // before any data is loaded
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--" + e.getMessage());
        }
        double[] lrs = grid("--adam-lrs", adamLearningRates, GraphBenchmarks.ADAM_LRS, false);
        double[] l2s = grid("--adam-l2s", adamL2s, GraphBenchmarks.ADAM_L2S, true);
        List<String> traces = new ArrayList<>();
        Consumer<Outcome> log = o -> {
            progress(String.format(Locale.ROOT, "%s, %s, %d x %d, seed %d: test %.4f, %.1f s", o.dataset(),
                    o.method(), o.layers(), o.hidden(), o.seed(), o.testAccuracy(), o.seconds()));
            if (outcomes != null) {
                append(outcomes, o + System.lineSeparator());
            }
        };
        ResultTable table = name.equals("quantization")
                ? GraphBenchmarks.quantizationTable(GraphBenchmarks.quantization(dataDir, names, seedCount,
                iterationsPerStage, log), seedCount, iterationsPerStage)
                : GraphBenchmarks.accuracyTable(GraphBenchmarks.accuracy(dataDir, names, firstSeed, seedCount,
                iterationsPerStage, widths, chosenMethods, lrs, l2s, log,
                line -> {
                    traces.add(line);
                    if (outcomes != null) {
                        append(outcomes, line + System.lineSeparator());
                    }
                }), iterationsPerStage);
        List<ResultTable> tables = new ArrayList<>(List.of(table));
        List<GraphBenchmarks.TimeRow> times = GraphBenchmarks.timeToAccuracyOf(traces);
        if (!times.isEmpty()) {
            tables.add(GraphBenchmarks.timeTable(times));
        }
        Map<String, Object> settings = graphSettings(name);
        settings.put("datasets", names);
        settings.put("seeds", seedCount);
        if (name.equals("accuracy")) {
            settings.put("firstSeed", firstSeed);
            settings.put("methods", chosenMethods);
        }
        return BenchmarkReport.now(name, settings, tables);
    }

    /** The grid {@code given} on the command line, or {@code standard}; refuses values Adam cannot use. */
    private double[] grid(String option, double[] given, double[] standard, boolean zeroAllowed) {
        if (given == null) {
            return standard;
        }
        for (double v : given) {
            if (!Double.isFinite(v) || v < 0 || (v == 0 && !zeroAllowed)) {
                throw new ParameterException(spec.commandLine(), option + " takes " + (zeroAllowed
                        ? "finite values >= 0" : "finite values > 0") + ", got " + v);
            }
        }
        return given.clone();
    }

    /** {@code bench accuracy --merge}: the table of runs made earlier, from their Outcome lines. */
    private BenchmarkReport merged(CommandLine cmd) {
        UsageErrors.refuse(cmd, "does not apply with --merge (it runs nothing)", "--data-dir", "--datasets", "--seeds",
                "--first-seed", "--methods", "--widths", "--outcomes");
        List<GraphBenchmarks.AccuracyRow> rows;
        try {
            rows = GraphBenchmarks.merge(merge);
        } catch (IOException e) {
            throw new ParameterException(cmd, "--merge: cannot read " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--merge: " + e.getMessage());
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("merged", merge.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
        settings.put("iterationsPerStage", iterationsPerStage);
        List<ResultTable> tables = new ArrayList<>(List.of(GraphBenchmarks.accuracyTable(rows, iterationsPerStage)));
        try {
            List<GraphBenchmarks.TimeRow> times = GraphBenchmarks.timeToAccuracy(merge);
            if (!times.isEmpty()) {
                tables.add(GraphBenchmarks.timeTable(times));
            }
        } catch (IOException e) {
            throw new ParameterException(cmd, "--merge: cannot read " + e.getMessage());
        }
        return BenchmarkReport.now("accuracy", settings, tables);
    }

    /** {@code bench scale}: {@link ScaleBenchmark} on each generated or given graph. */
    private BenchmarkReport scale(CommandLine cmd) throws Exception {
        onlyFor(cmd, "scale", "--data-dir", "--datasets", "--seeds", "--iterations-per-stage", "--shapes");
        onlyFor(cmd, "scale", "--first-seed", "--outcomes", "--merge");
        onlyFor(cmd, "scale", "--workers", "--rhos", "--dims", "--samples", "--bits", "--adaptive",
                "--max-iterations", "--tolerance", "--alpha");
        if (widths.length != 1) {
            throw new ParameterException(cmd, "--widths: the scale suite takes one hidden width, got "
                    + Arrays.toString(widths));
        }
        ScaleBenchmark.Settings d = ScaleBenchmark.Settings.defaults();
        boolean ranksGiven = cmd.getParseResult().hasMatchedOption("--ranks");
        int layerCount = layers != null ? layers : d.layers();
        ScaleBenchmark.Settings settings;
        try {
            settings = new ScaleBenchmark.Settings(layerCount, widths[0], hops != null ? hops : d.hops(),
                    target != null ? target : d.target(), iterations, ranksGiven ? ranks : Math.min(d.ranks(),
                    layerCount), stageIterations != null ? stageIterations : d.stageIterations(),
                    trainIterations != null ? trainIterations : d.iterations(),
                    adamEpochs != null ? adamEpochs : d.adamEpochs(), lr != null ? lr : d.adamLearningRate(),
                    seed != null ? seed : d.seed(), methods != null ? methods : ScaleBenchmark.DEFAULT_METHODS);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage() + " (options --layers, --widths, --hops, --target, "
                    + "--iterations, --ranks, --stage-iterations, --train-iterations, --adam-epochs, --lr, "
                    + "--methods)");
        }
        List<Integer> sizes = nodes != null ? nodes : graphs == null ? List.of(100_000) : List.of();
        for (int n : sizes) {
            if (n < 200) {
                throw new ParameterException(cmd, "--nodes must be at least 200 (each split takes 5% of the nodes), "
                        + "got " + n);
            }
        }
        for (Path g : graphs == null ? List.<Path>of() : graphs) {
            if (!Files.isDirectory(g)) {
                throw new ParameterException(cmd, "--graph: " + g + " is not a directory; pass a folder in the .npy "
                        + "graph layout (see README)");
            }
        }
        Path scratch = scratchDir != null ? scratchDir
                : Path.of(System.getProperty("java.io.tmpdir"), "dl4j-admm-scale");
        List<Path> folders = new ArrayList<>();
        for (int n : sizes) {
            folders.add(ScaleBenchmark.generate(n, 1, scratch, this::progress));
        }
        if (graphs != null) {
            folders.addAll(graphs);
        }
        List<ResultTable> tables = new ArrayList<>();
        for (Path folder : folders) {
            tables.addAll(ScaleBenchmark.measure(folder, settings, this::progress));
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("graphs", folders.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
        recorded.put("layers", settings.layers());
        recorded.put("hidden", settings.hidden());
        recorded.put("hops", settings.hops());
        recorded.put("target", settings.target());
        recorded.put("timedIterations", settings.timedIterations());
        recorded.put("ranks", settings.ranks());
        recorded.put("stageIterations", settings.stageIterations());
        recorded.put("trainIterations", settings.iterations());
        recorded.put("adamEpochs", settings.adamEpochs());
        recorded.put("lr", settings.adamLearningRate());
        recorded.put("seed", settings.seed());
        recorded.put("methods", settings.methods());
        return BenchmarkReport.now("scale", recorded, tables);
    }

    /** The Q-GADMM suites through the {@link GadmmBackend}; settings as {@code GadmmBenchmark} names them. */
    private BenchmarkReport gadmm(CommandLine cmd, String name) throws Exception {
        onlyFor(cmd, name, "--datasets", "--seeds", "--iterations-per-stage", "--widths", "--shapes", "--ranks");
        onlyFor(cmd, name, ACCURACY_OPTIONS.toArray(String[]::new));
        onlyFor(cmd, name, SCALE_OPTIONS.toArray(String[]::new));
        Map<String, String> options = new LinkedHashMap<>();
        if (workers != null && workers < 2) {
            throw new ParameterException(cmd, "--workers must be >= 2 (workers form a chain), got " + workers);
        }
        if (rhos != null && rhos.stream().anyMatch(r -> !(r > 0))) {
            throw new ParameterException(cmd, "--rhos must be positive, got " + rhos);
        }
        put(options, "fashionRhos", name.equals("q-sgadmm") ? rhos : null);
        put(options, "rhos", name.equals("gadmm") ? rhos : null);
        if (name.equals("gadmm")) {
            onlyFor(cmd, name, "--data-dir", "--iterations", "--alpha", "--adam-epochs", "--lr", "--seed");
            for (List<Integer> widths : java.util.Arrays.asList(bits, adaptive)) {
                if (widths != null && widths.stream().anyMatch(b -> b < 1 || b > 16)) {
                    throw new ParameterException(cmd, "--bits and --adaptive must be in 1..16, got " + widths);
                }
            }
            if ((dims != null && dims.stream().anyMatch(d -> d < 1)) || (samples != null && samples < 1)
                    || (maxIterations != null && maxIterations < 1)) {
                throw new ParameterException(cmd, "--dims, --samples and --max-iterations must be >= 1");
            }
            if (tolerance != null && !(tolerance > 0)) {
                throw new ParameterException(cmd, "--tolerance must be positive, got " + tolerance);
            }
            put(options, "workers", workers);
            put(options, "dims", dims);
            put(options, "samples", samples);
            put(options, "bits", bits);
            put(options, "adaptive", adaptive);
            put(options, "maxIterations", maxIterations);
            put(options, "tolerance", tolerance);
        } else {
            onlyFor(cmd, name, "--dims", "--samples", "--bits", "--adaptive", "--max-iterations", "--tolerance");
            Path fashion = FashionMnist.find(dataDir).orElseThrow(() -> new ParameterException(cmd, "Fashion-MNIST "
                    + "is not in " + dataDir + ": neither it nor " + dataDir.resolve(FashionMnist.FOLDER) + " holds "
                    + String.join(", ", FashionMnist.FILES) + "; pass the folder with --data-dir DIR"));
            if (cmd.getParseResult().hasMatchedOption("--iterations") && iterations < 1) {
                throw new ParameterException(cmd, "--iterations must be >= 1, got " + iterations);
            }
            if ((adamEpochs != null && adamEpochs < 0) || (alpha != null && !(alpha > 0))
                    || (lr != null && !(lr > 0))) {
                throw new ParameterException(cmd, "--alpha and --lr must be positive and --adam-epochs >= 0");
            }
            options.put("data", fashion.toString());
            put(options, "fashionWorkers", workers);
            put(options, "iterations", cmd.getParseResult().hasMatchedOption("--iterations") ? iterations : null);
            put(options, "alpha", alpha);
            put(options, "adamEpochs", adamEpochs);
            put(options, "lr", lr);
            put(options, "seed", seed);
        }
        GadmmBackend backend = GadmmBackend.require("bench " + name);
        return backend.benchmark(name, options, this::progress);
    }

    private static void put(Map<String, String> options, String key, Object value) {
        if (value instanceof List<?> list) {
            options.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
        } else if (value != null) {
            options.put(key, String.valueOf(value));
        }
    }

    private Map<String, Object> graphSettings(String name) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("dataDir", dataDir.toAbsolutePath().normalize().toString());
        settings.put("datasets", datasets);
        settings.put("seeds", seeds);
        settings.put("iterationsPerStage", iterationsPerStage);
        if (name.equals("accuracy")) {
            settings.put("widths", Arrays.stream(widths).boxed().toList());
        }
        return settings;
    }

    /** Refuses options that the suite does not use, rather than ignoring them. */
    private static void onlyFor(CommandLine cmd, String suite, String... options) {
        UsageErrors.refuse(cmd, "does not apply to the " + suite + " suite", options);
    }

    private void progress(String line) {
        if (!common.quiet) {
            spec.commandLine().getErr().println(line);
            spec.commandLine().getErr().flush();
        }
    }

    private static void append(Path file, String text) {
        try {
            createParent(file);
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(CommandLine cmd, Path file, String text) {
        try {
            createParent(file);
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(cmd, "cannot write " + file + ": " + e.getMessage());
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
