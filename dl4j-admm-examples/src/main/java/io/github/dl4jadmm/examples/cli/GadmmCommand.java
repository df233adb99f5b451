package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.FashionMnist;
import io.github.dl4jadmm.examples.cli.GadmmBackend.Problem;
import io.github.dl4jadmm.examples.report.BenchmarkReport;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.examples.report.ProgressBar;
import io.github.dl4jadmm.examples.report.RunPlots;
import io.github.dl4jadmm.gadmm.BitWidthRule;
import io.github.dl4jadmm.gadmm.GadmmDivergenceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dl4j-admm gadmm}: a Q-GADMM / GADMM run on synthetic linear or logistic regression, or a Q-SGADMM / SGADMM
 * run training the MLP 784-128-64-10 on Fashion-MNIST: decentralised data-parallel training over a chain of workers
 * that exchange (stochastically quantised) models. Runs through the {@link GadmmBackend} on the class path, shows
 * progress, and writes the same files as {@code train}: {@code metrics.csv}, {@code summary.json} and the plots.
 */
@Command(name = "gadmm", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Q-GADMM / Q-SGADMM: decentralised data-parallel training over a chain of workers that "
                + "exchange stochastically quantised models (--exact: plain GADMM / SGADMM).",
                "Problems: linear-regression and logistic-regression (seeded synthetic shards, no download; the run "
                        + "reports its relative error from the centralised optimum) and fashion-mnist (Q-SGADMM on "
                        + "an MLP 784-128-64-10, data from --data-dir).",
                "Writes metrics.csv (one row per iteration: objective, consensus residual as 'residual', loss, "
                        + "accuracies, bytes sent between workers), summary.json and PNG plots into the output "
                        + "directory.",
                "Defaults marked 'linear / logistic / fashion' depend on --problem."})
public final class GadmmCommand implements Callable<Integer> {

    /** Options that apply to the regression problems only. */
    private static final List<String> REGRESSION_ONLY = List.of("--dimension", "--samples");
    /** Options that apply to linear regression only. */
    private static final List<String> LINEAR_ONLY = List.of("--condition", "--noise");
    /** Options that apply to Fashion-MNIST only. */
    private static final List<String> FASHION_ONLY = List.of("--data-dir", "--train-rows", "--local-steps",
            "--batch-size", "--lr");

    @Spec
    CommandSpec spec;

    @Option(names = "--problem", paramLabel = "NAME", defaultValue = "linear-regression",
            converter = Problems.class,
            description = "linear-regression (default), logistic-regression or fashion-mnist.")
    Problem problem;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "10",
            description = "Workers on the chain, at least 2 (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--exact", description = "Send exact models (GADMM / SGADMM) instead of quantised ones.")
    boolean exact;

    @Option(names = "--bits", paramLabel = "B",
            description = "Bits per transmitted model element, 1..16 (default: 3 / 4 / 8). 1 bit diverges.")
    Integer bits;

    @Option(names = "--bit-width-rule", paramLabel = "RULE", converter = BitWidthRules.class,
            defaultValue = "fixed",
            description = "fixed (default) or non-increasing-step (the paper's adaptive width: the first message "
                    + "uses --bits, later ones the smallest width whose step is not larger).")
    BitWidthRule bitWidthRule;

    @Option(names = "--rho", paramLabel = "RHO",
            description = "Penalty of the consensus constraints (default: 10 / 2 / 20).")
    Double rho;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Dual step factor (default: 1 / 1 / 0.01, the authors' damped step for Q-SGADMM).")
    Double alpha;

    @Option(names = "--iterations", paramLabel = "T",
            description = "Iterations (default: 300 / 300 / 60).")
    Integer iterations;

    @Option(names = "--eval-every", paramLabel = "K",
            description = "Evaluate the loss and accuracy of the workers' mean model every K iterations and after "
                    + "the last (default: 1 / 1 / 5).")
    Integer evalEvery;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the data, the network, the minibatches and the stochastic rounding "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Worker threads; 0 = one per worker, at most the cores (default). Fashion-MNIST then runs "
                    + "ND4J with one thread per worker.")
    int threads;

    @Option(names = "--dimension", paramLabel = "D",
            description = "Regression: model parameters d (default: 13 / 5).")
    Integer dimension;

    @Option(names = "--samples", paramLabel = "N",
            description = "Regression: rows per worker (default: 20 / 50).")
    Integer samples;

    @Option(names = "--condition", paramLabel = "C", defaultValue = "10",
            description = "Linear regression: condition number of the feature covariance (default: ${DEFAULT-VALUE}).")
    double condition;

    @Option(names = "--noise", paramLabel = "S", defaultValue = "0.1",
            description = "Linear regression: standard deviation of the target noise (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DatasetOptions.DEFAULT_DATA_DIR,
            description = "Fashion-MNIST: the folder of its four .gz files, or a folder holding fashion-mnist/ "
                    + "(default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--train-rows", paramLabel = "N", defaultValue = "0",
            description = "Fashion-MNIST: use the first N training images; 0 = all 60,000 (default).")
    int trainRows;

    @Option(names = "--local-steps", paramLabel = "N", defaultValue = "10",
            description = "Fashion-MNIST: Adam steps per primal step (default: ${DEFAULT-VALUE}).")
    int localSteps;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Fashion-MNIST: minibatch rows of a local step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001",
            description = "Fashion-MNIST: Adam's learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Output directory (default: runs/<algorithm>-<problem>-<date-time>). One that holds "
                    + "another run's summary.json or metrics.csv is refused unless --overwrite-output.")
    Path output;

    @Option(names = "--overwrite-output", description = "Replace the files of another run in --output.")
    boolean overwriteOutput;

    @Option(names = "--no-plots", description = "Do not draw the PNG plots.")
    boolean noPlots;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        GadmmBackend.Request request = request(cmd);
        GadmmBackend backend = GadmmBackend.require("gadmm");
        String algorithm = QGadmmBackend.algorithm(request);
        Path dir = outputDirectory(cmd, algorithm);
        PrintWriter out = cmd.getOut();
        out.println(backend.describe(request));
        out.flush();

        List<IterationRecord> history = new ArrayList<>();
        // made when the first iteration is done, so that reading or generating the data and starting ND4J do not
        // count towards the time per iteration of the ETA
        ProgressBar[] progress = new ProgressBar[1];
        GadmmBackend.Result result = null;
        GadmmDivergenceException failure = null;
        try {
            result = backend.train(request, r -> {
                history.add(r);
                if (progress[0] == null) {
                    progress[0] = new ProgressBar(cmd.getErr(), algorithm, request.iterations(), 0,
                            common.progressStyle());
                }
                progress[0].update(r);
            });
        } catch (GadmmDivergenceException e) {
            failure = e;
        } finally {
            if (progress[0] != null) {
                progress[0].finish();
            }
        }

        List<Path> files = new ArrayList<>();
        Path csv = dir.resolve(RunSummary.METRICS);
        MetricsCsv.write(history, csv);
        files.add(csv);
        IOException plotError = null;
        if (!noPlots) {
            try {
                files.addAll(RunPlots.write(history, algorithm + " on " + request.problem().words(), dir,
                        RunPlots.Labels.GADMM));
            } catch (IOException | RuntimeException | Error e) {
                plotError = e instanceof IOException io ? io
                        : new IOException("cannot draw the plots: " + e.getMessage(), e);
            }
        }
        Path json = dir.resolve(RunSummary.SUMMARY);
        files.add(json);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", "dl4j-admm " + String.join(" ", cmd.getParseResult().originalArgs()));
        summary.put("version", new AdmmCli.Version().getVersion()[0]);
        summary.put("started", started);
        summary.put("finished", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        summary.put("algorithm", algorithm);
        summary.put("backend", backend.name());
        summary.put("problem", DashedNames.of(problem));
        summary.put("settings", settings(request));
        summary.put("run", result == null ? null : result.headline());
        summary.put("configuration", result == null ? null : result.configuration());
        summary.put("environment", BenchmarkReport.thisMachine());
        summary.put("results", result == null ? null : result.results());
        summary.put("failure", failure == null ? null : failure.getMessage());
        summary.put("plotError", plotError == null ? null : plotError.getMessage());
        summary.put("files", files.stream().map(f -> f.getFileName().toString()).toList());
        Json.write(summary, json);

        if (result != null) {
            out.println(result.headline());
            result.report().forEach(out::println);
        } else if (!history.isEmpty()) {
            out.printf(Locale.ROOT, "%d iterations before it stopped%n", history.size());
        }
        if (failure != null) {
            out.println("stopped: " + failure.getMessage());
        }
        out.println("wrote " + dir + "/: " + String.join(", ",
                files.stream().map(f -> f.getFileName().toString()).toList()));
        out.flush();
        if (failure != null) {
            throw failure;
        }
        if (plotError != null) {
            throw plotError;
        }
        return 0;
    }

    /** The validated request with the problem's defaults filled in; a bad value is a usage error. */
    GadmmBackend.Request request(CommandLine cmd) {
        boolean linear = problem == Problem.LINEAR_REGRESSION;
        boolean fashion = problem == Problem.FASHION_MNIST;
        refuse(cmd, fashion ? "the regression problems" : "--problem fashion-mnist",
                fashion ? concat(REGRESSION_ONLY, LINEAR_ONLY) : FASHION_ONLY);
        if (problem == Problem.LOGISTIC_REGRESSION) {
            refuse(cmd, "--problem linear-regression", LINEAR_ONLY);
        }
        if (exact && bits != null) {
            throw new ParameterException(cmd, "--bits and --exact exclude each other: --exact sends full-precision "
                    + "models");
        }
        if (exact && bitWidthRule != BitWidthRule.FIXED) {
            throw new ParameterException(cmd, "--bit-width-rule applies to quantised models, not to --exact");
        }
        int b = bits != null ? bits : linear ? 3 : fashion ? 8 : 4;
        if (b < 1 || b > 16) {
            throw new ParameterException(cmd, "--bits must be in 1..16, got " + b + " (or use --exact for "
                    + "full-precision models)");
        }
        if (workers < 2) {
            throw new ParameterException(cmd, "--workers must be >= 2 (workers form a chain), got " + workers);
        }
        double r = rho != null ? rho : linear ? 10 : fashion ? 20 : 2;
        double a = alpha != null ? alpha : fashion ? 0.01 : 1;
        int t = iterations != null ? iterations : fashion ? 60 : 300;
        int every = evalEvery != null ? evalEvery : fashion ? 5 : 1;
        int d = dimension != null ? dimension : linear ? 13 : 5;
        int n = samples != null ? samples : linear ? 20 : 50;
        positive(cmd, "--rho", r);
        positive(cmd, "--alpha", a);
        atLeast(cmd, "--iterations", t, 1);
        atLeast(cmd, "--eval-every", every, 1);
        atLeast(cmd, "--threads", threads, 0);
        Path data = dataDir;
        if (fashion) {
            atLeast(cmd, "--train-rows", trainRows, 0);
            atLeast(cmd, "--local-steps", localSteps, 1);
            atLeast(cmd, "--batch-size", batchSize, 1);
            positive(cmd, "--lr", learningRate);
            if (trainRows > 0 && trainRows < workers) {
                throw new ParameterException(cmd, "--train-rows " + trainRows + " cannot feed " + workers
                        + " workers");
            }
            data = FashionMnist.find(dataDir).orElseThrow(() -> new ParameterException(cmd, "Fashion-MNIST is not "
                    + "in " + dataDir + ": neither it nor " + dataDir.resolve(FashionMnist.FOLDER) + " holds "
                    + String.join(", ", FashionMnist.FILES) + "; pass the folder with --data-dir DIR"));
        } else {
            atLeast(cmd, "--dimension", d, 1);
            atLeast(cmd, "--samples", n, 1);
            if ((long) workers * n < d) {
                throw new ParameterException(cmd, workers + " workers x " + n + " samples are fewer rows than the "
                        + d + " parameters: the centralised optimum is not unique; raise --samples or --workers");
            }
            if (linear) {
                if (!(condition >= 1)) {
                    throw new ParameterException(cmd, "--condition must be >= 1, got " + condition);
                }
                if (!(noise >= 0)) {
                    throw new ParameterException(cmd, "--noise must be >= 0, got " + noise);
                }
            }
        }
        return new GadmmBackend.Request(problem, workers, d, n, condition, noise, data, trainRows, localSteps,
                batchSize, learningRate, r, a, exact, b, bitWidthRule, t, every, threads, seed);
    }

    /** Refuses options that only {@code appliesTo} uses. */
    private void refuse(CommandLine cmd, String appliesTo, List<String> options) {
        UsageErrors.refuse(cmd, "applies to " + appliesTo + ", not to --problem " + DashedNames.of(problem),
                options.toArray(String[]::new));
    }

    private static void positive(CommandLine cmd, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(cmd, option + " must be positive, got " + value);
        }
    }

    private static void atLeast(CommandLine cmd, String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(cmd, option + " must be >= " + min + ", got " + value);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private Path outputDirectory(CommandLine cmd, String algorithm) {
        Path dir = output;
        if (dir == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            dir = Path.of("runs", algorithm + "-" + DashedNames.of(problem) + "-" + stamp);
        }
        if (output != null) {
            RunDirectories.checkOutput(cmd, dir, overwriteOutput, "--overwrite-output");
        } else {
            RunDirectories.requireWritable(cmd, "--output", dir);
        }
        return dir;
    }

    /** The options as given, with the problem's defaults filled in (help and output options left out). */
    private Map<String, Object> settings(GadmmBackend.Request request) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || name.equals("--verbose") || name.equals("--quiet")) {
                continue;
            }
            Object value = option.getValue();
            if (value instanceof Enum<?> e) {
                value = DashedNames.of(e);
            } else if (value instanceof Path p) {
                value = p.toString();
            }
            m.put(name, value);
        }
        m.put("--bits", request.exact() ? null : request.bits());
        m.put("--rho", request.rho());
        m.put("--alpha", request.alpha());
        m.put("--iterations", request.iterations());
        m.put("--eval-every", request.evalEvery());
        if (request.problem().network()) {
            m.put("--data-dir", request.dataDir().toString());
            List.of("--dimension", "--samples", "--condition", "--noise").forEach(m::remove);
        } else {
            m.put("--dimension", request.dimension());
            m.put("--samples", request.samples());
            FASHION_ONLY.forEach(m::remove);
            if (request.problem() != Problem.LINEAR_REGRESSION) {
                LINEAR_ONLY.forEach(m::remove);
            }
        }
        return m;
    }

    static final class Problems extends DashedNames<Problem> {
        Problems() {
            super(Problem.class);
        }
    }

    static final class BitWidthRules extends DashedNames<BitWidthRule> {
        BitWidthRules() {
            super(BitWidthRule.class);
        }
    }
}
