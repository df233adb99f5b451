package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.cli.DatasetOptions.LoadedDataset;
import io.github.dl4jadmm.examples.report.BenchmarkReport;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.examples.report.ProgressBar;
import io.github.dl4jadmm.examples.report.RunPlots;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@code train} run leaves behind: {@value #METRICS} (one row per iteration), {@value #SUMMARY} (the command,
 * every setting, the engine's full configuration, the data set, the machine and the results) and the PNG plots of
 * {@link RunPlots}; and the few lines printed at the end.
 */
final class RunSummary {

    static final String METRICS = "metrics.csv";
    static final String SUMMARY = "summary.json";

    /** Accuracy of the trained model on each part of the split. */
    record FinalAccuracy(double train, double validation, double test) {
    }

    /** The evaluated iteration with the highest validation accuracy (model selection on validation). */
    record BestValidation(int iteration, double validation, double test) {
    }

    private final Algorithm algorithm;
    private final String started;
    private final String command;
    private final Map<String, Object> settings;
    private final LoadedDataset dataset;
    private final MlpArchitecture architecture;
    private final PdAdmmConfig config;
    private final List<GrowthStage> stages;
    private final Double adamLearningRate;
    private final Checkpoint checkpoint;
    private final int checkpointEvery;
    private final Integer resumedFrom;
    private final List<IterationRecord> history;
    private final FinalAccuracy accuracy;
    private final Exception failure;

    RunSummary(Algorithm algorithm, String started, String command, Map<String, Object> settings,
               LoadedDataset dataset, MlpArchitecture architecture, PdAdmmConfig config, List<GrowthStage> stages,
               Double adamLearningRate,
               Checkpoint checkpoint, int checkpointEvery, Integer resumedFrom, List<IterationRecord> history,
               FinalAccuracy accuracy, Exception failure) {
        this.algorithm = algorithm;
        this.started = started;
        this.command = command;
        this.settings = settings;
        this.dataset = dataset;
        this.architecture = architecture;
        this.config = config;
        this.stages = stages == null ? List.of() : List.copyOf(stages);
        this.adamLearningRate = adamLearningRate;
        this.checkpoint = checkpoint;
        this.checkpointEvery = checkpointEvery;
        this.resumedFrom = resumedFrom;
        this.history = history;
        this.accuracy = accuracy;
        this.failure = failure;
    }

    /**
     * Writes the CSV, the plots (unless {@code plots} is false) and the JSON summary into {@code directory}.
     *
     * @return the files written
     * @throws IOException if a file cannot be written; the CSV and the JSON are written before a plot error is
     *                     reported
     */
    List<Path> write(Path directory, boolean plots, String title) throws IOException {
        List<Path> files = new ArrayList<>();
        Path csv = directory.resolve(METRICS);
        MetricsCsv.write(history, csv);
        files.add(csv);
        IOException plotError = null;
        if (plots) {
            try {
                files.addAll(RunPlots.write(history, title, directory));
            } catch (IOException | RuntimeException | Error e) {
                plotError = e instanceof IOException io ? io
                        : new IOException("cannot draw the plots: " + e.getMessage(), e);
            }
        }
        Path json = directory.resolve(SUMMARY);
        files.add(json);
        Json.write(toJsonMap(files, plotError), json);
        if (plotError != null) {
            throw plotError;
        }
        return files;
    }

    /** The summary as a JSON-ready map. */
    Map<String, Object> toJsonMap(List<Path> files, Exception plotError) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("version", new AdmmCli.Version().getVersion()[0]);
        m.put("started", started);
        m.put("finished", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        m.put("algorithm", algorithm.label());
        m.put("settings", settings);
        m.put("dataset", dataset.describe());
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("widths", Arrays.stream(architecture.widths()).boxed().toList());
        net.put("activation", architecture.activation().toString());
        net.put("risk", architecture.risk().name());
        m.put("architecture", net);
        if (config != null) {
            m.put("pdAdmmConfig", Json.readObject(config.toJson()));
        }
        if (!stages.isEmpty()) {
            List<Map<String, Object>> growth = new ArrayList<>();
            int first = 0;
            for (GrowthStage stage : stages) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("layers", stage.layers());
                g.put("mu", stage.mu());
                g.put("iterations", stage.iterations());
                g.put("firstIteration", first);
                first += stage.iterations();
                growth.add(g);
            }
            m.put("stages", growth);
        }
        if (adamLearningRate != null) {
            Map<String, Object> adam = new LinkedHashMap<>();
            adam.put("learningRate", adamLearningRate);
            adam.put("epochs", settings.get("--iterations"));
            adam.put("batch", "full (all training nodes)");
            m.put("adam", adam);
        }
        Map<String, Object> cp = new LinkedHashMap<>();
        cp.put("directory", checkpoint == null ? null : checkpoint.directory().toAbsolutePath().toString());
        cp.put("every", checkpoint == null ? null : checkpointEvery);
        cp.put("resumedFromIteration", resumedFrom);
        m.put("checkpoint", cp);
        m.put("environment", BenchmarkReport.thisMachine());
        m.put("results", results());
        m.put("failure", failure == null ? null : failure.getMessage());
        m.put("plotError", plotError == null ? null : plotError.getMessage());
        m.put("files", files.stream().map(f -> f.getFileName().toString()).toList());
        return m;
    }

    private Map<String, Object> results() {
        Map<String, Object> r = new LinkedHashMap<>();
        IterationRecord last = history.isEmpty() ? null : history.get(history.size() - 1);
        r.put("iterations", last == null ? 0 : last.iteration() + 1);
        r.put("seconds", last == null ? null : Json.number(last.elapsedSeconds()));
        r.put("bytesSent", last == null ? 0 : last.bytesSent());
        r.put("trainAccuracy", accuracy == null ? null : Json.number(accuracy.train()));
        r.put("validationAccuracy", accuracy == null ? null : Json.number(accuracy.validation()));
        r.put("testAccuracy", accuracy == null ? null : Json.number(accuracy.test()));
        BestValidation best = bestValidation();
        if (best != null) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("iteration", best.iteration());
            b.put("validationAccuracy", best.validation());
            b.put("testAccuracy", Json.number(best.test()));
            r.put("bestValidation", b);
        }
        return r;
    }

    /**
     * The first iteration of the full-depth stage, where the iterate is chosen on validation (0 without growth: the
     * result is a network of the full depth trained at that depth, as in the benchmarks' protocol).
     */
    int selectionStart() {
        int start = 0;
        for (int s = 0; s < stages.size() - 1; s++) {
            start += stages.get(s).iterations();
        }
        return start;
    }

    /**
     * The first evaluated iteration of the full-depth stage with the highest validation accuracy, or null if none
     * was evaluated.
     */
    BestValidation bestValidation() {
        BestValidation best = null;
        int from = selectionStart();
        for (IterationRecord r : history) {
            if (r.iteration() >= from && !Double.isNaN(r.valAccuracy())
                    && (best == null || r.valAccuracy() > best.validation())) {
                best = new BestValidation(r.iteration(), r.valAccuracy(), r.testAccuracy());
            }
        }
        return best;
    }

    /** The closing lines on standard output. */
    void print(PrintWriter out, List<Path> files) {
        IterationRecord last = history.isEmpty() ? null : history.get(history.size() - 1);
        if (last != null) {
            out.printf(Locale.ROOT, "%d %s in %.1f s%s%n", last.iteration() + 1,
                    algorithm.admm() ? "iterations" : "epochs", last.elapsedSeconds(),
                    last.bytesSent() > 0 ? ", " + ProgressBar.bytes(last.bytesSent()) + " sent between layer blocks"
                            : "");
        }
        if (failure != null) {
            out.println("stopped: " + failure.getMessage());
        }
        if (accuracy != null) {
            out.printf(Locale.ROOT, "accuracy: train %.4f, validation %.4f, test %.4f%n", accuracy.train(),
                    accuracy.validation(), accuracy.test());
        }
        BestValidation best = bestValidation();
        if (best != null) {
            out.printf(Locale.ROOT, "best validation %.4f at iteration %d (test %.4f there)%s%n", best.validation(),
                    best.iteration(), best.test(), stages.size() > 1 ? "; chosen in the " + architecture.layers()
                            + "-layer stage, from iteration " + selectionStart() : "");
        }
        Path dir = files.isEmpty() ? null : files.get(0).getParent();
        out.println("wrote " + (dir == null ? "" : dir + "/: ") + String.join(", ",
                files.stream().map(f -> f.getFileName().toString()).toList()));
    }
}
