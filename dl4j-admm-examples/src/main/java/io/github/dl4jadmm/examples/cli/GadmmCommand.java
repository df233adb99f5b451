package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.cli.DatasetOptions.LoadedDataset;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.examples.report.ProgressBar;
import io.github.dl4jadmm.examples.report.RunPlots;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dl4j-admm gadmm}: a Q-GADMM or Q-SGADMM run (decentralised data-parallel training over a chain of workers
 * with quantised model exchange), through the {@link GadmmBackend} found on the class path. Writes the same files
 * as {@code train}: {@code metrics.csv}, {@code summary.json} and the plots.
 */
@Command(name = "gadmm", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Q-GADMM / Q-SGADMM: decentralised data-parallel training over a chain of workers that "
                + "exchange stochastically quantised models.",
                "Needs the Q-GADMM trainer in the build (exit code 3 says it is missing)."})
public final class GadmmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
            description = "Workers in the chain (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "2",
            description = "Dense layers of each worker's model, the output layer included (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--neurons", paramLabel = "N", defaultValue = "100",
            description = "Neurons per hidden layer (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--bits", paramLabel = "B", defaultValue = "8",
            description = "Bits per transmitted model element, 1..16, or 32 for full precision "
                    + "(default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--stochastic", description = "Q-SGADMM: each worker uses a minibatch per iteration.")
    boolean stochastic;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Q-SGADMM: minibatch rows per worker (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rho", paramLabel = "RHO", defaultValue = "1",
            description = "ADMM penalty (default: ${DEFAULT-VALUE}).")
    double rho;

    @Option(names = "--iterations", paramLabel = "T", defaultValue = "100",
            description = "Iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Output directory (default: runs/gadmm-<dataset>-<date-time>).")
    Path output;

    @Option(names = "--no-plots", description = "Do not draw the PNG plots.")
    boolean noPlots;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (workers < 2) {
            throw new ParameterException(cmd, "--workers must be >= 2 (a chain), got " + workers);
        }
        if (!(bits >= 1 && bits <= 16) && bits != 32) {
            throw new ParameterException(cmd, "--bits must be in 1..16, or 32 for full precision, got " + bits);
        }
        if (layers < 1 || neurons < 1 || iterations < 0 || batchSize < 1) {
            throw new ParameterException(cmd, "--layers, --neurons and --batch-size must be >= 1 and --iterations "
                    + ">= 0");
        }
        if (!(rho > 0)) {
            throw new ParameterException(cmd, "--rho must be positive, got " + rho);
        }
        GadmmBackend backend = GadmmBackend.require("gadmm");
        LoadedDataset dataset = data.load(cmd);
        String label = stochastic ? "q-sgadmm" : "q-gadmm";
        Path dir = output != null ? output : Path.of("runs", "gadmm-" + dataset.name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        PrintWriter out = cmd.getOut();
        out.printf(Locale.ROOT, "%s (%s) on %s, %d workers, %s%n", label, backend.name(), dataset.name(), workers,
                bits == 32 ? "full precision" : bits + " bits");
        List<IterationRecord> history = new ArrayList<>();
        ProgressBar progress = new ProgressBar(cmd.getErr(), label, iterations, 0, common.progressStyle());
        GadmmBackend.Result result;
        try {
            result = backend.train(new GadmmBackend.Request(dataset.splits(), workers, layers, neurons, bits,
                    stochastic, batchSize, rho, iterations, seed), r -> {
                        history.add(r);
                        progress.update(r);
                    });
        } finally {
            progress.finish();
        }
        MetricsCsv.write(history, dir.resolve(RunSummary.METRICS));
        if (!noPlots) {
            RunPlots.write(history, label + " on " + dataset.name(), dir);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", "dl4j-admm " + String.join(" ", cmd.getParseResult().originalArgs()));
        summary.put("algorithm", label);
        summary.put("backend", backend.name());
        summary.put("dataset", dataset.describe());
        summary.put("configuration", result.configuration());
        summary.put("trainAccuracy", Json.number(result.trainAccuracy()));
        summary.put("testAccuracy", Json.number(result.testAccuracy()));
        Json.write(summary, dir.resolve(RunSummary.SUMMARY));
        out.printf(Locale.ROOT, "accuracy: train %.4f, test %.4f%nwrote %s%n", result.trainAccuracy(),
                result.testAccuracy(), dir);
        return 0;
    }
}
