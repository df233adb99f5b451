package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.cli.DatasetOptions.LoadedDataset;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.ProgressBar;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.io.CorruptCheckpointException;
import io.github.dl4jadmm.pdadmm.AdmmDivergenceException;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
 * {@code dl4j-admm train}: trains a GA-MLP on a graph with pdADMM-G, pdADMM-G-Q or DL4J's Adam, shows progress,
 * and writes {@code metrics.csv}, {@code summary.json} and PNG plots into the output directory. With no options it
 * trains pdADMM-G on the embedded synthetic graph in a few seconds.
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Train a GA-MLP on a graph with pdADMM-G, pdADMM-G-Q or (for comparison) DL4J's Adam.",
                "Writes metrics.csv (one row per iteration), summary.json (the full configuration and the results) "
                        + "and PNG plots into the output directory.",
                "With no options: pdADMM-G on the embedded synthetic graph, a few seconds, no download."})
public final class TrainCommand implements Callable<Integer> {

    /**
     * Settings that define the model and its inputs: a resumed run must use the same. Where the data are read from
     * ({@code --dataset}, {@code --data-dir}) is not among them: the checkpoint records the data's
     * {@link GraphDataset#fingerprint() fingerprint}, and a copy of the same data elsewhere resumes.
     */
    private static final List<String> RESUME_MUST_MATCH = List.of("--hops", "--csv-header-lines", "--algorithm",
            "--layers", "--neurons", "--quantization", "--bits", "--project-q", "--seed");
    /** Where the data were read from: compared only for a checkpoint without {@link #DATA_FINGERPRINT}. */
    private static final List<String> DATA_LOCATION = List.of("--dataset", "--data-dir");
    /**
     * Key of the graph's {@link GraphDataset#fingerprint() SHA-256} in the settings saved with a checkpoint (and in
     * {@code summary.json}): a resumed run must read the same data, from wherever.
     */
    static final String DATA_FINGERPRINT = "dataSha256";
    /**
     * Settings of pdADMM-G's recipe for depth: a resumed run must use the same (a checkpoint written before growth
     * existed was made without growth).
     */
    private static final List<String> GROWTH_MUST_MATCH = List.of("--growth", "--stage-mu", "--stage-iterations");
    /**
     * Settings that an exact pdADMM-G resume takes from the checkpoint (the engine continues with its saved
     * configuration): a resumed run must give the same, or leave them out.
     */
    private static final List<String> EXACT_RESUME_MUST_MATCH = List.of("--nu", "--rho", "--mu", "--schedule",
            "--w-step", "--eval-every", "--execution", "--threads", "--device-placement");

    @Spec
    CommandSpec spec;

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "pdadmm-g",
            converter = DashedNames.Algorithms.class,
            description = "pdadmm-g (default), pdadmm-g-q (quantised transfers) or adam (DL4J's fit).")
    Algorithm algorithm;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--iterations", paramLabel = "T", defaultValue = "200",
            description = "ADMM iterations of the full-depth network (with growth, each earlier stage runs "
                    + "--stage-iterations more), or Adam epochs (full batch) (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--quantization", paramLabel = "MODE", converter = DashedNames.QuantizationModes.class,
            description = "pdADMM-G-Q: grid (default; p on a per-boundary grid, sent as bit-packed indices) or delta "
                    + "(stochastic delta coding of p and q).")
    QuantizerConfig.Mode quantization;

    @Option(names = "--bits", paramLabel = "B",
            description = "pdADMM-G-Q: bits per transferred element, 1..16 (default: 8).")
    Integer bits;

    @Option(names = "--project-q", negatable = true,
            description = "pdADMM-G-Q, grid mode: project q onto the grid too, so both directions are quantised "
                    + "(default: on for grid).")
    Boolean projectQ;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Adam: learning rate (default: 0.01).")
    Double learningRate;

    @Option(names = "--eval-every", paramLabel = "K", defaultValue = "5",
            description = "Evaluate train, validation and test accuracy every K iterations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--execution", paramLabel = "MODE", defaultValue = "parallel",
            converter = DashedNames.ExecutionModes.class,
            description = "pdADMM-G: parallel (one task per layer block, default) or serial (same iterates).")
    ExecutionMode execution;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "pdADMM-G: threads running layer blocks; 0 = one per block, at most the cores (default).")
    int threads;

    @Option(names = "--device-placement", paramLabel = "D", split = ",",
            description = "pdADMM-G: device of each layer block, e.g. 0,0,1,1 (default: round-robin over the "
                    + "visible devices; CPU has one).")
    int[] devicePlacement;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Save a checkpoint here every --checkpoint-every iterations and at the end: pdADMM-G's "
                    + "whole ADMM state (and W_l.npy, b_l.npy), or DL4J's model with its updater (Adam), with the "
                    + "metrics and settings; delta-coded transfers save their link coders' state too, so every mode "
                    + "resumes exactly. With growth, every stage checkpoints as it runs.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "10",
            description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume",
            description = "Continue from the checkpoint in --checkpoint-dir up to --iterations in total, with the "
                    + "same iterates as an uninterrupted run (pdADMM-G in every transfer mode, Adam). A "
                    + "weights-only checkpoint (from an older version) restarts the ADMM variables from the weights "
                    + "by a forward pass: close to, not equal to, an uninterrupted run.")
    boolean resume;

    @Option(names = "--overwrite-checkpoints",
            description = "Start a fresh run in a --checkpoint-dir that holds another run's checkpoint, replacing "
                    + "it (it is deleted only once this run's first checkpoint is saved). Without it such a run is "
                    + "refused.")
    boolean overwriteCheckpoints;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Output directory (default: runs/<algorithm>-<dataset>-<date-time>). One that holds "
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
        PrintWriter out = cmd.getOut();
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        validate(cmd);
        QuantizerConfig quantizer = quantizer(cmd);
        List<GrowthStage> stages = algorithm.admm() ? model.stages(cmd, iterations) : null;
        int total = stages == null ? iterations : stages.stream().mapToInt(GrowthStage::iterations).sum();
        // the directories first: a run that cannot save its results fails now, not after loading and training
        Checkpoint checkpoint = checkpointDir == null ? null : new Checkpoint(checkpointDir);
        if (checkpoint != null && !resume && !overwriteCheckpoints && checkpoint.inUse()) {
            throw new ParameterException(cmd, "--checkpoint-dir " + checkpointDir + " holds "
                    + describeCheckpoint(checkpoint) + ": add --resume to continue it, --overwrite-checkpoints to "
                    + "start afresh and replace it (it is deleted once this run's first checkpoint is saved), or "
                    + "choose another --checkpoint-dir");
        }
        if (output != null) {
            RunDirectories.checkOutput(cmd, output, overwriteOutput, "--overwrite-output");
        }
        if (checkpoint != null) {
            RunDirectories.requireWritable(cmd, "--checkpoint-dir", checkpointDir);
        }
        Checkpoint.State resumeFrom = resume ? resumeState(cmd, checkpoint, total) : null;
        LoadedDataset dataset = data.load(cmd);
        Map<String, Object> settings = settings();
        settings.put(DATA_FINGERPRINT, dataset.graph().fingerprint());
        if (resumeFrom != null) {
            checkResumeData(cmd, checkpoint, resumeFrom, settings);
        }
        PdAdmmConfig config = algorithm.admm() ? pdAdmmConfig(cmd, quantizer) : null;
        Path outputDir = outputDirectory(cmd, dataset);
        MlpArchitecture architecture = MlpArchitecture.uniform(dataset.splits().numFeatures(), model.neurons,
                dataset.splits().numClasses(), model.layers);

        out.printf(Locale.ROOT, "%s on %s: %s, %s%n", algorithm.label(), describe(dataset), architecture,
                algorithm.admm() ? transfers(config) : "Adam lr " + learningRate());
        if (stages != null) {
            out.printf(Locale.ROOT, "%s%n", model.growthPolicy(cmd).describe(model.layers, iterations, model.mu));
        }
        if (resumeFrom != null) {
            String how = !algorithm.admm() ? "DL4J's model and updater state"
                    : TrainingLoop.exactCheckpoint(checkpoint, resumeFrom) ? "the whole ADMM state"
                    : "the weights only; p, z, q and u restart from a forward pass";
            out.printf(Locale.ROOT, "resuming from %s at iteration %d of %d (%s)%n", checkpoint.directory(),
                    resumeFrom.iterationsDone(), total, how);
        }
        out.flush();

        List<IterationRecord> history = resumeFrom != null ? new ArrayList<>(checkpoint.history(resumeFrom))
                : new ArrayList<>();
        int startAt = resumeFrom != null ? resumeFrom.iterationsDone() : 0;
        ProgressBar progress = new ProgressBar(cmd.getErr(), algorithm.label(), total, startAt,
                common.progressStyle());
        RunSummary.FinalAccuracy accuracy = null;
        Exception failure = null;
        try {
            TrainingLoop loop = new TrainingLoop(dataset.splits(), total, evalEvery, history, progress::update,
                    checkpoint, checkpointEvery, settings, resumeFrom);
            accuracy = algorithm.admm() ? loop.pdAdmm(architecture, config, stages)
                    : loop.adam(model.layers, model.neurons, learningRate(), model.seed);
        } catch (AdmmDivergenceException | TrainingLoop.AdamDivergenceException e) {
            failure = e;
        } catch (CorruptCheckpointException e) {
            // found by the engine's own checks of its files: the advice is about this checkpoint directory
            throw checkpoint.damaged(e);
        } finally {
            progress.finish();
        }

        RunSummary summary = new RunSummary(algorithm, started, commandText(), settings, dataset, architecture,
                config, stages, algorithm.admm() ? null : learningRate(), checkpoint, checkpointEvery,
                resumeFrom == null ? null : resumeFrom.iterationsDone(), history, accuracy, failure);
        List<Path> files = summary.write(outputDir, !noPlots, algorithm.label() + " on " + dataset.name());
        summary.print(out, files);
        out.flush();
        if (failure != null) {
            throw failure;
        }
        return 0;
    }

    private void validate(CommandLine cmd) {
        positive(cmd, "--layers", model.layers, 1);
        positive(cmd, "--neurons", model.neurons, 1);
        positive(cmd, "--iterations", iterations, 0);
        positive(cmd, "--eval-every", evalEvery, 1);
        positive(cmd, "--checkpoint-every", checkpointEvery, 1);
        positive(cmd, "--threads", threads, 0);
        if (algorithm.admm() && model.layers < 2) {
            throw new ParameterException(cmd, "--layers must be >= 2 for pdADMM-G (one block per layer), got "
                    + model.layers);
        }
        if (algorithm.admm()) {
            refuse(cmd, "adam", "--lr");
        } else {
            refuse(cmd, "pdadmm-g and pdadmm-g-q", "--nu", "--rho", "--mu", "--schedule", "--quantization", "--bits",
                    "--project-q", "--execution", "--threads", "--device-placement", "--growth", "--stage-mu",
                    "--stage-iterations");
            if (learningRate != null && !(learningRate > 0)) {
                throw new ParameterException(cmd, "--lr must be positive, got " + learningRate);
            }
        }
        if (algorithm == Algorithm.PDADMM_G) {
            refuse(cmd, "pdadmm-g-q (quantised transfers); add --algorithm pdadmm-g-q", "--quantization", "--bits",
                    "--project-q");
        }
        if (devicePlacement != null && devicePlacement.length != model.layers) {
            throw new ParameterException(cmd, "--device-placement needs one device per layer (" + model.layers
                    + "), got " + devicePlacement.length);
        }
        if (resume && checkpointDir == null) {
            throw new ParameterException(cmd, "--resume needs --checkpoint-dir DIR (where the checkpoint is)");
        }
        if (overwriteCheckpoints && (resume || checkpointDir == null)) {
            throw new ParameterException(cmd, "--overwrite-checkpoints starts a fresh run in --checkpoint-dir: "
                    + (resume ? "it cannot be used with --resume, which continues the checkpoint there"
                    : "give the --checkpoint-dir DIR it applies to"));
        }
    }

    private static void positive(CommandLine cmd, String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(cmd, option + " must be >= " + min + ", got " + value);
        }
    }

    /** Refuses options that only {@code appliesTo} uses. */
    private void refuse(CommandLine cmd, String appliesTo, String... options) {
        UsageErrors.refuse(cmd, "applies to " + appliesTo + ", not to --algorithm " + algorithm.label(), options);
    }

    /** The transfer configuration; a bad value (bits out of range, ...) is a usage error. */
    private QuantizerConfig quantizer(CommandLine cmd) {
        if (algorithm != Algorithm.PDADMM_G_Q) {
            return QuantizerConfig.none();
        }
        QuantizerConfig.Mode mode = quantization == null ? QuantizerConfig.Mode.GRID : quantization;
        if (mode == QuantizerConfig.Mode.NONE) {
            throw new ParameterException(cmd, "--quantization none sends raw floats: use --algorithm pdadmm-g");
        }
        if (Boolean.TRUE.equals(projectQ) && mode != QuantizerConfig.Mode.GRID) {
            throw new ParameterException(cmd, "--project-q applies to --quantization grid only (delta coding "
                    + "quantises both directions already)");
        }
        try {
            return QuantizerConfig.builder().mode(mode).bits(bits == null ? QuantizerConfig.DEFAULT_BITS : bits)
                    .seed(model.seed).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--bits: " + e.getMessage(), e);
        }
    }

    /** The engine's configuration for the whole run; a bad value is a usage error naming the setting. */
    private PdAdmmConfig pdAdmmConfig(CommandLine cmd, QuantizerConfig quantizer) {
        boolean project = quantizer.mode() == QuantizerConfig.Mode.GRID && !Boolean.FALSE.equals(projectQ);
        try {
            return PdAdmmConfig.builder().nu(model.nu).rho(model.rho).mu(model.mu).iterations(iterations)
                    .seed(model.seed).rhoSchedule(model.schedule).executionMode(execution).threads(threads).evaluationFrequency(evalEvery)
                    .devicePlacement(devicePlacement).quantizer(quantizer).projectQ(project).wStep(model.wStep).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage(), e);
        }
    }

    private double learningRate() {
        return learningRate == null ? 0.01 : learningRate;
    }

    private Checkpoint.State resumeState(CommandLine cmd, Checkpoint checkpoint, int total) throws IOException {
        if (!checkpoint.exists()) {
            throw new ParameterException(cmd, "--resume: no checkpoint in " + checkpoint.directory() + " (no "
                    + Checkpoint.INDEX + ")");
        }
        Checkpoint.State state = checkpoint.load();
        Map<String, Object> now = settings();
        for (String key : RESUME_MUST_MATCH) {
            String saved = String.valueOf(state.settings().get(key));
            String current = String.valueOf(now.get(key));
            if (!saved.equals(current)) {
                throw new ParameterException(cmd, "--resume: the checkpoint in " + checkpoint.directory()
                        + " was made with " + key + " " + saved + ", this run has " + current
                        + "; resume with the same model and data");
            }
        }
        if (algorithm.admm()) {
            for (String key : GROWTH_MUST_MATCH) {
                // a checkpoint from before growth existed was made without it
                Object savedValue = state.settings().containsKey(key) ? state.settings().get(key)
                        : key.equals("--growth") ? "none" : null;
                String saved = String.valueOf(savedValue);
                String current = String.valueOf(now.get(key));
                if (!saved.equals(current)) {
                    throw new ParameterException(cmd, "--resume: the checkpoint in " + checkpoint.directory()
                            + " was made with " + key + " " + saved + ", this run has " + current
                            + "; resume with the same recipe for depth (add " + key + " " + saved + ")");
                }
            }
        }
        if (algorithm.admm() && TrainingLoop.exactCheckpoint(checkpoint, state)) {
            for (String key : EXACT_RESUME_MUST_MATCH) {
                String saved = String.valueOf(state.settings().get(key));
                String current = String.valueOf(now.get(key));
                if (!saved.equals(current)) {
                    throw new ParameterException(cmd, "--resume: the checkpoint in " + checkpoint.directory()
                            + " was made with " + key + " " + saved + ", this run has " + current + "; an exact "
                            + "resume continues the saved run's settings, so give the same (or delete the "
                            + "checkpoint to start afresh)");
                }
            }
        }
        if (state.iterationsDone() > total) {
            throw new ParameterException(cmd, "--resume: the checkpoint has " + state.iterationsDone()
                    + " iterations done, more than the " + total + " of this run (--iterations " + iterations
                    + (total != iterations ? " and the growth stages before it" : "") + ")");
        }
        return state;
    }

    /**
     * Refuses to resume on other data than the checkpoint's: the graphs' fingerprints must agree, wherever the data
     * are read from. A checkpoint of an older version, without a fingerprint, must name the same
     * {@code --dataset} and {@code --data-dir}.
     */
    private static void checkResumeData(CommandLine cmd, Checkpoint checkpoint, Checkpoint.State state,
                                        Map<String, Object> now) {
        Map<String, Object> saved = state.settings();
        String where = "--dataset " + saved.get("--dataset") + " --data-dir " + saved.get("--data-dir");
        String here = "--dataset " + now.get("--dataset") + " --data-dir " + now.get("--data-dir");
        Object savedFingerprint = saved.get(DATA_FINGERPRINT);
        if (savedFingerprint != null) {
            if (!savedFingerprint.equals(now.get(DATA_FINGERPRINT))) {
                throw new ParameterException(cmd, "--resume: the checkpoint in " + checkpoint.directory()
                        + " was made on other data (" + where + ", SHA-256 " + savedFingerprint + ") than this run "
                        + "reads (" + here + ", SHA-256 " + now.get(DATA_FINGERPRINT) + "); resume with the data it "
                        + "was made on (a copy anywhere will do), or start afresh without --resume in another "
                        + "--checkpoint-dir");
            }
            return;
        }
        for (String key : DATA_LOCATION) {
            String before = String.valueOf(saved.get(key));
            String current = String.valueOf(now.get(key));
            if (!before.equals(current)) {
                throw new ParameterException(cmd, "--resume: the checkpoint in " + checkpoint.directory()
                        + " was made with " + key + " " + before + ", this run has " + current + "; it records no "
                        + "fingerprint of its data (an older version wrote it), so resume with the same " + where);
            }
        }
    }

    private Path outputDirectory(CommandLine cmd, LoadedDataset dataset) {
        Path dir = output;
        if (dir == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            dir = Path.of("runs", algorithm.label() + "-" + dataset.name() + "-" + stamp);
            // a given --output was checked (and created) before the data were read
            RunDirectories.requireWritable(cmd, "--output", dir);
        }
        return dir;
    }

    /** What a used checkpoint directory holds, for the message that refuses to overwrite it. */
    private static String describeCheckpoint(Checkpoint checkpoint) {
        try {
            Checkpoint.State state = checkpoint.load();
            return "the checkpoint of another run (" + state.algorithm() + ", " + state.iterationsDone()
                    + " iterations done)";
        } catch (IOException | RuntimeException e) {
            return "another run's checkpoint files";
        }
    }

    /** Every option's value, by its longest name (help and output options left out). */
    Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || name.equals("--verbose") || name.equals("--quiet")) {
                continue;
            }
            Object value = option.getValue();
            if (value instanceof Enum<?> e) {
                value = DashedNames.of(e);
            } else if (value instanceof int[] a) {
                value = Arrays.stream(a).boxed().toList();
            } else if (value instanceof double[] a) {
                value = Arrays.stream(a).boxed().toList();
            } else if (value instanceof Path p) {
                value = p.toString();
            }
            m.put(name, value);
        }
        if (algorithm == Algorithm.PDADMM_G_Q) {
            m.put("--quantization", DashedNames.of(Objects.requireNonNullElse(quantization,
                    QuantizerConfig.Mode.GRID)));
            m.put("--bits", bits == null ? QuantizerConfig.DEFAULT_BITS : bits);
        }
        if (algorithm == Algorithm.ADAM) {
            m.put("--lr", learningRate());
            GROWTH_MUST_MATCH.forEach(m::remove);
        }
        return m;
    }

    private String commandText() {
        // the parse result of a subcommand holds the whole command line
        return "dl4j-admm " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    private static String transfers(PdAdmmConfig config) {
        QuantizerConfig q = config.quantizer();
        return switch (q.mode()) {
            case NONE -> "float32 transfers";
            case GRID -> q.bits() + "-bit grid transfers of p" + (config.projectQ() ? " and q" : " (q as float32)");
            case DELTA -> q.bits() + "-bit delta-coded transfers of p and q";
        };
    }

    private static String describe(LoadedDataset d) {
        return String.format(Locale.ROOT, "%s (%d nodes, %d classes; %d train / %d val / %d test nodes)", d.name(),
                d.graph().numNodes(), d.graph().numClasses(), d.graph().split().train().length,
                d.graph().split().val().length, d.graph().split().test().length);
    }
}
