package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.Initialization;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import io.github.dl4jadmm.pdadmm.PdAdmmCheckpoint;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.RhoSchedule;
import io.github.dl4jadmm.pdadmm.ValidationTracker;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a user's existing DL4J network with pdADMM-G (gradient-free, layer-parallel ADMM, algorithms.md §1) and
 * leaves a normal network behind: the weights go into the network's own parameter views, so {@code net.output},
 * {@code net.evaluate}, {@code ModelSerializer} and a later {@code net.fit(...)} with any DL4J updater work as
 * usual. Like DL4J's {@code EarlyStoppingTrainer} it is a separate class that takes the network.
 *
 * <pre>{@code
 * MultiLayerNetwork net = ...;                       // Dense layers + OutputLayer(MCXENT, SOFTMAX), net.init()
 * net.setListeners(new ScoreIterationListener(10), new AdmmLoggingListener(10));
 * PdAdmmTrainer trainer = new PdAdmmTrainer.Builder().nu(1).rho(5).mu(1).iterations(200).build();
 * trainer.fit(net, trainData);                       // full batch: all rows at once
 * Evaluation eval = net.evaluate(testIterator);
 * }</pre>
 *
 * <p>Depth: a network of more than two layers is trained by greedy layer growth ({@link GrowthPolicy#standard()},
 * algorithms.md §1.1), since a deep network trained from its random initialisation does not generalise: the
 * network's input and output layers alone first (weight decay 10), then identity-initialised hidden layers inserted
 * before the output layer (5 layers, weight decay 1), then the full depth (weight decay 0.01), each earlier stage as
 * many iterations as the last. While a shallower stage trains, the network holds its weights with identity layers
 * between, which computes the stage's function, so listeners and scores stay meaningful; with validation data the
 * iterate of the full-depth stage is chosen. {@link Builder#growth} changes or turns off the recipe; a network it
 * cannot grow (unequal hidden widths, an activation other than ReLU or identity, a network trained before) is
 * trained at its full depth with one warning that says why ({@link #growthWarning}).
 *
 * <p>What is checked before any work: the network (every layer a {@code DenseLayer} with one shared supported
 * activation, the last an {@code OutputLayer} with SOFTMAX + MCXENT/NEGATIVELOGLIKELIHOOD or IDENTITY + MSE; no
 * dropout, layer norm, preprocessors, bias-free layers, weight noise or constraints; see {@link DenseLayerSpec}),
 * the data ({@link TrainingData#validate}) and the memory ({@link MemoryEstimate}).
 *
 * <p>Listeners: the network's own listeners ({@code net.getListeners()}) are called as DL4J's {@code fit} calls
 * them: {@code onEpochStart}, then per ADMM iteration {@code iterationDone(net, iterationCount, epochCount)} after
 * the network's input, labels, score and gradient were set, then {@code onEpochEnd}; the network's iteration and
 * epoch counters advance as in DL4J. Each ADMM iteration passes over all training rows, so by default it counts as
 * one epoch ({@link Builder#iterationsPerEpoch}). The score is the network's loss on the training rows as its output
 * layer defines it (MCXENT: mean cross-entropy; MSE: mean squared error per output), without regularisation terms;
 * the gradient holds, per parameter, the step just taken in DL4J's sign convention ({@code old - new}, the update
 * DL4J subtracts). {@link AdmmTrainingListener}s in the same list also get the ADMM metrics.
 *
 * <p>Instances are immutable and can train several networks, one after another or at once.
 */
public final class PdAdmmTrainer {

    private static final Logger log = LoggerFactory.getLogger(PdAdmmTrainer.class);

    private final PdAdmmConfig config;
    private final boolean followNetworkDataType;
    private final int weightSyncFrequency;
    private final int iterationsPerEpoch;
    private final long memoryBudget;
    private final Path checkpointDirectory;
    private final int checkpointFrequency;
    private final int keepCheckpoints;
    private final int validationFrequency;
    private final GrowthPolicy growth;
    private final boolean muSet;

    private PdAdmmTrainer(Builder b, PdAdmmConfig config) {
        this.config = config;
        this.followNetworkDataType = !b.dataTypeSet;
        this.weightSyncFrequency = b.weightSyncFrequency;
        this.iterationsPerEpoch = b.iterationsPerEpoch;
        this.memoryBudget = b.memoryBudget;
        this.checkpointDirectory = b.checkpointDirectory;
        this.checkpointFrequency = b.checkpointFrequency;
        this.keepCheckpoints = b.keepCheckpoints;
        this.validationFrequency = b.validationFrequency;
        this.growth = b.growth;
        this.muSet = b.muSet;
    }

    /** The recipe for depth: {@link GrowthPolicy#standard()} unless {@link Builder#growth} set another. */
    public GrowthPolicy growth() {
        return growth;
    }

    /**
     * The stages a fresh run on {@code network} trains: the growth stages of {@link #growth()} when they apply to
     * the network (more layers than the first growth depth, equal hidden widths, ReLU or identity, never trained
     * before), else the network at its full depth with {@code mu}. The last stage runs {@code iterations}.
     */
    public List<GrowthStage> stagesFor(NetworkAdapter network) {
        return growthDecision(network).stages;
    }

    /**
     * What a run on {@code network} warns about, once, before it starts: why the growth policy does not apply to a
     * deep network (and what the user can do), or that {@code mu} is not used because the stages' weight decays
     * are; empty when there is nothing to say.
     */
    public Optional<String> growthWarning(NetworkAdapter network) {
        return Optional.ofNullable(growthDecision(network).warning());
    }

    /** The stages, and what to tell the user when growth was asked for but does not apply. */
    private record GrowthDecision(List<GrowthStage> stages, String warning) {
    }

    private GrowthDecision growthDecision(NetworkAdapter network) {
        MlpArchitecture architecture = network.architecture();
        int layers = architecture.layers();
        List<GrowthStage> single = List.of(new GrowthStage(layers, config.iterations(), config.mu()));
        if (!growth.enabled() || layers <= growth.depths()[0]) {
            return new GrowthDecision(single, null);
        }
        String why = GrowthPolicy.whyNotApplicable(architecture);
        if (why != null) {
            return new GrowthDecision(single, why + "; " + GrowthPolicy.advice(layers));
        }
        if (network.iterationCount() > 0) {
            return new GrowthDecision(single, "the network has been trained before (iteration count "
                    + network.iterationCount() + "), so pdADMM-G continues from its weights instead of growing it "
                    + "greedily, which would replace its hidden layers by identities; to grow it, build a fresh "
                    + "network (net.init()), or set growth(GrowthPolicy.none()) to say that continuing is intended");
        }
        List<GrowthStage> stages = growth.stages(layers, config.iterations(), config.mu());
        String warning = null;
        if (muSet) {
            warning = "mu(" + config.mu() + ") is not used: greedy growth trains " + growth.describe(layers,
                    config.iterations(), config.mu()) + "; give the stages' weight decays with "
                    + "growth(GrowthPolicy.standard().withWeightDecays(...)), or growth(GrowthPolicy.none()) to train "
                    + "the " + layers + " layers at once with mu";
        }
        return new GrowthDecision(stages, warning);
    }

    /** The ADMM configuration as built; its data type is replaced by the network's unless one was set. */
    public PdAdmmConfig config() {
        return config;
    }

    /**
     * The configuration a run on {@code network} uses: the built one, with the network's data type (DOUBLE for a
     * DOUBLE network, FLOAT otherwise) unless {@link Builder#dataType} was set.
     */
    public PdAdmmConfig configFor(NetworkAdapter network) {
        if (!followNetworkDataType) {
            return config;
        }
        DataType type = network.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        return type == config.dataType() ? config : config.toBuilder().dataType(type).build();
    }

    /** The memory budget runs are checked against: the one set, or {@link MemoryEstimate#defaultBudget()}. */
    public long memoryBudget() {
        return memoryBudget > 0 ? memoryBudget : MemoryEstimate.defaultBudget();
    }

    /** The estimate a run on {@code rows} training rows of {@code network} is checked against. */
    public MemoryEstimate estimateMemory(NetworkAdapter network, long rows) {
        return MemoryEstimate.of(network.architecture(), rows, configFor(network).dataType());
    }

    // ---- MultiLayerNetwork ----

    /**
     * Trains {@code network} on all rows of {@code data}.
     *
     * @throws UnsupportedNetworkException   if the network has a layer pdADMM-G cannot train (before any work)
     * @throws IllegalArgumentException      if the data do not fit the network (before any work)
     * @throws MemoryBudgetExceededException if the run would not fit the memory budget (before any work)
     */
    public PdAdmmTrainingResult fit(MultiLayerNetwork network, DataSet data) {
        return fit(network, data, null);
    }

    /**
     * Trains {@code network} on {@code train} and keeps the iterate with the best accuracy on {@code validation}
     * (evaluated every {@link Builder#validationFrequency} iterations): model selection by validation,
     * algorithms.md §1.1.
     */
    public PdAdmmTrainingResult fit(MultiLayerNetwork network, DataSet train, DataSet validation) {
        NetworkAdapter adapter = new MultiLayerNetworkAdapter(network);
        TrainingData.requireNoMasks(train, "training data");
        if (validation != null) {
            TrainingData.requireNoMasks(validation, "validation data");
        }
        return fit(adapter, train.getFeatures(), train.getLabels(), validation == null ? null : validation.getFeatures(),
                validation == null ? null : validation.getLabels());
    }

    /** Trains {@code network} on all batches of {@code data} at once (ADMM is full batch). */
    public PdAdmmTrainingResult fit(MultiLayerNetwork network, DataSetIterator data) {
        NetworkAdapter adapter = new MultiLayerNetworkAdapter(network);
        DataSet all = TrainingData.concatenate(data);
        return fit(adapter, all.getFeatures(), all.getLabels(), null, null);
    }

    /**
     * Continues the run checkpointed under {@code checkpoint} (a checkpoint directory, or a directory of them: the
     * newest is taken) on {@code network}, which must have the checkpointed architecture; the checkpoint's
     * configuration is used, this trainer's own ADMM settings are not. The iterates are those of a run that was
     * never interrupted. Not carried over: the best iterate of validation-based selection, and checkpoints of later
     * iterations than the resumed one that are still in the directory are overwritten as the run reaches them.
     */
    public PdAdmmTrainingResult resume(MultiLayerNetwork network, DataSet data, Path checkpoint) {
        TrainingData.requireNoMasks(data, "training data");
        return resume(new MultiLayerNetworkAdapter(network), data.getFeatures(), data.getLabels(), checkpoint);
    }

    // ---- any adapted network ----

    /** Trains the adapted network on {@code features} and {@code labels}; see {@link #fit(MultiLayerNetwork, DataSet)}. */
    public PdAdmmTrainingResult fit(NetworkAdapter network, INDArray features, INDArray labels) {
        return fit(network, features, labels, null, null);
    }

    /**
     * Trains the adapted network, selecting the iterate by validation accuracy when validation data are given.
     *
     * @param validationFeatures validation inputs, or null for no model selection
     * @param validationLabels   one-hot validation labels, or null
     */
    public PdAdmmTrainingResult fit(NetworkAdapter network, INDArray features, INDArray labels,
                                    INDArray validationFeatures, INDArray validationLabels) {
        MlpArchitecture architecture = network.architecture();
        validateData(architecture, features, labels, validationFeatures, validationLabels);
        PdAdmmConfig runConfig = configFor(network);
        requireMemory(architecture, features.rows(), runConfig.dataType());
        if (checkpointDirectory != null) {
            requireNoCheckpoints();
        }
        GrowthDecision decision = growthDecision(network);
        if (decision.warning() != null) {
            log.warn("pdADMM-G: {}", decision.warning());
        }
        List<GrowthStage> stages = decision.stages();
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        if (stages.size() == 1) {
            for (int l = 1; l <= architecture.layers(); l++) {
                weights.add(network.weightView(l));
                biases.add(network.biasView(l));
            }
        } else {
            // the first stage keeps the network's own first and output layers; the layers between start as identities
            log.info("pdADMM-G trains {} layers by {}", architecture.layers(), growth.describe(architecture.layers(),
                    runConfig.iterations(), runConfig.mu()));
            List<INDArray> fullWeights = new ArrayList<>();
            List<INDArray> fullBiases = new ArrayList<>();
            for (int l = 1; l <= architecture.layers(); l++) {
                fullWeights.add(network.weightView(l));
                fullBiases.add(network.biasView(l));
            }
            List<INDArray>[] first = GreedyLayerGrowth.firstStageWeights(fullWeights, fullBiases,
                    stages.get(0).layers());
            weights = first[0];
            biases = first[1];
        }
        return runStages(network, stages, 0, runConfig, features, labels, validationFeatures, validationLabels,
                weights, biases, null, 0);
    }

    /**
     * Runs {@code stages} from index {@code first}: the first of them on {@code resumed} (an engine restored from a
     * checkpoint) or on a new engine with {@code weights}, every later one on the weights of the stage before, grown
     * by identity layers. Validation selects the iterate of the last stage only (the benchmarks' protocol: the
     * result is a network of the full depth that was trained at that depth).
     */
    private PdAdmmTrainingResult runStages(NetworkAdapter network, List<GrowthStage> stages, int first,
                                           PdAdmmConfig runConfig, INDArray features, INDArray labels,
                                           INDArray validationFeatures, INDArray validationLabels,
                                           List<INDArray> weights, List<INDArray> biases, PdAdmmEngine resumed,
                                           long bytesOffset) {
        MlpArchitecture full = network.architecture();
        List<IterationMetrics> history = new ArrayList<>();
        int iterationsBefore = 0;
        long bytes = bytesOffset;
        PdAdmmTrainingResult result = null;
        for (int s = first; s < stages.size(); s++) {
            GrowthStage stage = stages.get(s);
            boolean last = s == stages.size() - 1;
            if (result != null) {
                List<INDArray>[] grown = GreedyLayerGrowth.insertIdentityLayers(result.weights(), result.biases(),
                        stage.layers());
                weights = grown[0];
                biases = grown[1];
            }
            PdAdmmEngine engine = resumed;
            resumed = null;
            if (engine == null) {
                MlpArchitecture architecture = stage.layers() == full.layers() ? full
                        : GreedyLayerGrowth.grow(full, stage.layers());
                PdAdmmConfig stageConfig = stages.size() == 1 ? runConfig
                        : runConfig.toBuilder().iterations(stage.iterations()).mu(stage.mu()).build();
                engine = PdAdmmEngine.withMemoryBudget(architecture, stageConfig, features, labels, weights, biases,
                        LocalChannel::new, memoryBudget());
            } else if (stages.size() > 1) {
                log.info("pdADMM-G resumes growth stage {} of {} ({} layers)", s + 1, stages.size(), stage.layers());
            }
            try (PdAdmmEngine stageEngine = engine) {
                result = run(network, stageEngine, features, labels, last ? validationFeatures : null,
                        last ? validationLabels : null, bytes, last ? checkpointDirectory
                                : stageCheckpointDirectory(stage.layers()));
            }
            history.addAll(result.history());
            if (!result.history().isEmpty()) {
                bytes = result.last().bytesSent();
            }
            if (!last) {
                iterationsBefore += result.history().size();
                if (result.stoppedEarly()) {
                    log.info("pdADMM-G: growth stage {} ({} layers) met the residual tolerance", s + 1,
                            stage.layers());
                }
            }
        }
        int best = result.bestValidationIteration() < 0 ? -1 : result.bestValidationIteration() + iterationsBefore;
        return new PdAdmmTrainingResult(result.config(), result.architecture(), history, result.weights(),
                result.biases(), result.stoppedEarly(), best, result.bestValidationAccuracy(), result.lastCheckpoint(),
                stages.subList(first, stages.size()));
    }

    /** Continues a checkpointed run on the adapted network; see {@link #resume(MultiLayerNetwork, DataSet, Path)}. */
    public PdAdmmTrainingResult resume(NetworkAdapter network, INDArray features, INDArray labels, Path checkpoint) {
        MlpArchitecture architecture = network.architecture();
        validateData(architecture, features, labels, null, null);
        PdAdmmCheckpoint.Info info;
        try {
            info = PdAdmmCheckpoint.info(newestStageDirectory(checkpoint));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint at " + checkpoint + ": " + e.getMessage(), e);
        }
        List<GrowthStage> stages;
        int first;
        if (info.architecture().equals(architecture)) {
            stages = List.of(new GrowthStage(architecture.layers(), info.config().iterations(), info.config().mu()));
            first = 0;
        } else {
            // a checkpoint of an earlier growth stage: continue it, then the later stages of this trainer's policy
            stages = growth.stages(architecture.layers(), configFor(network).iterations(), config.mu());
            first = -1;
            for (int s = 0; s < stages.size() - 1; s++) {
                if (stages.get(s).layers() == info.architecture().layers()
                        && GreedyLayerGrowth.grow(architecture, stages.get(s).layers()).equals(info.architecture())) {
                    first = s;
                }
            }
            if (first < 0) {
                throw new IllegalArgumentException("checkpoint " + info.directory() + " trained "
                        + info.architecture() + " but the network is " + architecture + ", and it is not a stage of "
                        + "this trainer's growth " + growth + "; resume with the network (and growth policy) that "
                        + "wrote it");
            }
        }
        requireMemory(architecture, features.rows(), info.config().dataType());
        PdAdmmEngine engine;
        try {
            engine = PdAdmmEngine.resume(info.directory(), features, labels);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint at " + info.directory() + ": "
                    + e.getMessage(), e);
        }
        log.info("pdADMM-G resumes from iteration {} of {} ({})", info.iteration(), info.config().iterations(),
                info.directory());
        // the resumed engine's set-up sent a forward pass of its own, which the original run had already counted
        long offset = info.bytesSent() - engine.channel().bytesSent();
        return runStages(network, stages, first, info.config(), features, labels, null, null, null, null, engine,
                offset);
    }

    private void validateData(MlpArchitecture architecture, INDArray features, INDArray labels,
                              INDArray validationFeatures, INDArray validationLabels) {
        TrainingData.validate(architecture, features, labels, "training data");
        if ((validationFeatures == null) != (validationLabels == null)) {
            throw new IllegalArgumentException("give both validation features and labels, or neither");
        }
        if (validationFeatures != null) {
            TrainingData.validate(architecture, validationFeatures, validationLabels, "validation data");
        }
    }

    private void requireMemory(MlpArchitecture architecture, long rows, DataType type) {
        MemoryEstimate estimate = MemoryEstimate.of(architecture, rows, type);
        estimate.requireWithin(memoryBudget());
        log.debug("pdADMM-G memory estimate {}", estimate.describe());
    }

    /** Prefix of the sub-directories that hold the checkpoints of the growth stages before the full depth. */
    public static final String GROWTH_STAGE_PREFIX = "growth-stage-";

    /**
     * Where the checkpoints of the growth stage of {@code layers} layers go: a sub-directory of the checkpoint
     * directory (each stage counts its iterations from 0); the full-depth stage writes into the directory itself.
     */
    private Path stageCheckpointDirectory(int layers) {
        return checkpointDirectory == null ? null
                : checkpointDirectory.resolve(String.format(Locale.ROOT, "%s%03d-layers", GROWTH_STAGE_PREFIX, layers));
    }

    /**
     * The directory holding the newest checkpoints under {@code root}: {@code root} itself when it holds checkpoints
     * (the full-depth stage) or is one, else its deepest growth stage with checkpoints; {@code root} when there
     * are none.
     */
    static Path newestStageDirectory(Path root) throws IOException {
        if (!PdAdmmCheckpoint.list(root).isEmpty() || !Files.isDirectory(root)) {
            return root;
        }
        try (Stream<Path> children = Files.list(root)) {
            List<Path> stages = children.filter(p -> p.getFileName().toString().startsWith(GROWTH_STAGE_PREFIX))
                    .sorted().toList();
            for (int i = stages.size() - 1; i >= 0; i--) {
                if (!PdAdmmCheckpoint.list(stages.get(i)).isEmpty()) {
                    return stages.get(i);
                }
            }
        }
        return root;
    }

    private void requireNoCheckpoints() {
        try {
            Path stage = newestStageDirectory(checkpointDirectory);
            List<Path> existing = PdAdmmCheckpoint.list(stage);
            if (!existing.isEmpty()) {
                throw new IllegalStateException("the checkpoint directory " + checkpointDirectory + " already holds "
                        + "checkpoints (newest: " + checkpointDirectory.relativize(existing.get(existing.size() - 1))
                        + "); continue that run with resume(...), or give a fresh run an empty directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the loop ----

    private PdAdmmTrainingResult run(NetworkAdapter network, PdAdmmEngine engine, INDArray features, INDArray labels,
                                     INDArray validationFeatures, INDArray validationLabels, long bytesOffset,
                                     Path checkpointRoot) {
        Model model = network.network();
        PdAdmmConfig runConfig = engine.config();
        ValidationTracker validation = null;
        if (validationFeatures != null) {
            validation = new ValidationTracker(validationFeatures.castTo(runConfig.dataType()),
                    validationLabels.castTo(runConfig.dataType()), validationFrequency);
            engine.addListener(validation);
        }
        List<TrainingListener> listeners = network.listeners() == null ? List.of()
                : new ArrayList<>(network.listeners());
        boolean notify = !listeners.isEmpty();
        writeWeights(engine, network);
        StepRecorder steps = notify ? new StepRecorder(network) : null;
        ScoreFunction score = notify ? new ScoreFunction(engine, features, labels) : null;
        List<IterationMetrics> history = new ArrayList<>();
        Path lastCheckpoint = null;
        boolean stoppedEarly = false;
        int inEpoch = 0;
        if (notify) {
            network.setInputAndLabels(features, labels);
        }
        try {
            while (engine.iterationCount() < runConfig.iterations() && !stoppedEarly) {
                if (notify && inEpoch == 0) {
                    listeners.forEach(l -> l.onEpochStart(model));
                }
                IterationMetrics metrics = countingFrom(engine.iterate(), bytesOffset);
                history.add(metrics);
                boolean done = engine.iterationCount() >= runConfig.iterations();
                stoppedEarly = !done && runConfig.residualTolerance() > 0
                        && metrics.residual() < runConfig.residualTolerance();
                boolean end = done || stoppedEarly;
                // listeners always see the current weights; without listeners, every k-th iteration is enough
                if (notify || end || engine.iterationCount() % weightSyncFrequency == 0) {
                    writeWeights(engine, network);
                }
                if (notify) {
                    network.setScore(score.of(metrics));
                    network.setGradient(steps.step());
                    for (TrainingListener listener : listeners) {
                        if (listener instanceof AdmmTrainingListener admm) {
                            admm.onAdmmIteration(model, metrics);
                        }
                        listener.iterationDone(model, network.iterationCount(), network.epochCount());
                    }
                }
                BaseOptimizer.incrementIterationCount(model, 1);
                if (++inEpoch == iterationsPerEpoch || end) {
                    if (notify) {
                        listeners.forEach(l -> l.onEpochEnd(model));
                    }
                    network.incrementEpochCount();
                    inEpoch = 0;
                }
                if (checkpointDirectory != null && (end || engine.iterationCount() % checkpointFrequency == 0)) {
                    lastCheckpoint = checkpoint(engine, checkpointRoot);
                }
            }
            engine.synchronizeBoundaries();
            int bestIteration = -1;
            double bestAccuracy = Double.NaN;
            List<INDArray> weights = engine.weights();
            List<INDArray> biases = engine.biases();
            if (validation != null && validation.bestWeights() != null) {
                bestIteration = validation.bestIteration() + (engine.iterationCount() - history.size());
                bestAccuracy = validation.bestAccuracy();
                weights = validation.bestWeights();
                biases = validation.bestBiases();
            }
            writeWeights(network, weights, biases);
            return new PdAdmmTrainingResult(runConfig, engine.architecture(), history, weights, biases, stoppedEarly,
                    bestIteration, bestAccuracy, lastCheckpoint, List.of(new GrowthStage(engine.architecture().layers(),
                    runConfig.iterations(), runConfig.mu())));
        } finally {
            if (notify) {
                network.clearInputAndLabels();
            }
        }
    }

    private Path checkpoint(PdAdmmEngine engine, Path root) {
        try {
            return PdAdmmCheckpoint.save(engine, root, keepCheckpoints);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint to " + root + " (the earlier "
                    + "checkpoints there are intact): " + e.getMessage(), e);
        }
    }

    /** The metrics with {@code bytesSent} counted over the whole run, across resumes. */
    private static IterationMetrics countingFrom(IterationMetrics m, long bytesOffset) {
        if (bytesOffset == 0) {
            return m;
        }
        return new IterationMetrics(m.iteration(), m.augmentedLagrangian(), m.objective(), m.risk(), m.residual(),
                m.dualResidual(), m.trainLoss(), m.trainAccuracy(), m.bytesSent() + bytesOffset,
                m.bytesThisIteration(), m.rho(), m.nu(), m.seconds(), m.phaseSecondsMax(), m.phaseSecondsTotal(),
                m.stepRejections());
    }

    private static void writeWeights(PdAdmmEngine engine, NetworkAdapter network) {
        if (engine.architecture().layers() < network.architecture().layers()) {
            writeWeights(network, engine.weights(), engine.biases());
            return;
        }
        for (int l = 1; l <= engine.architecture().layers(); l++) {
            assignInto(network.weightView(l), engine.weight(l));
            assignInto(network.biasView(l), engine.bias(l));
        }
    }

    /**
     * Writes the weights of a network of {@code weights.size()} layers into the network; a growth stage shallower than
     * the network fills the layers between its last hidden layer and the output layer with identities, which give
     * the network the stage's function (ReLU of a non-negative input is itself).
     */
    private static void writeWeights(NetworkAdapter network, List<INDArray> weights, List<INDArray> biases) {
        int layers = network.architecture().layers();
        if (weights.size() < layers) {
            List<INDArray>[] grown = GreedyLayerGrowth.insertIdentityLayers(weights, biases, layers);
            weights = grown[0];
            biases = grown[1];
        }
        for (int l = 1; l <= weights.size(); l++) {
            assignInto(network.weightView(l), weights.get(l - 1));
            assignInto(network.biasView(l), biases.get(l - 1));
        }
    }

    /** Writes into the network's own view (never replacing it: every view lies in the network's flat buffer). */
    private static void assignInto(INDArray view, INDArray value) {
        INDArray typed = value.dataType() == view.dataType() ? value : value.castTo(view.dataType());
        view.assign(typed.length() == view.length() && typed.rank() != view.rank() ? typed.reshape(view.shape())
                : typed);
    }

    /** The step of each parameter since the last call, as DL4J's update ({@code old - new}). */
    private static final class StepRecorder {
        private final NetworkAdapter network;
        private final List<INDArray> previousWeights = new ArrayList<>();
        private final List<INDArray> previousBiases = new ArrayList<>();

        StepRecorder(NetworkAdapter network) {
            this.network = network;
            for (int l = 1; l <= network.architecture().layers(); l++) {
                previousWeights.add(network.weightView(l).dup());
                previousBiases.add(network.biasView(l).dup());
            }
        }

        Gradient step() {
            DefaultGradient gradient = new DefaultGradient();
            for (int l = 1; l <= previousWeights.size(); l++) {
                INDArray w = network.weightView(l);
                INDArray b = network.biasView(l);
                gradient.setGradientFor(network.weightKey(l), previousWeights.get(l - 1).sub(w));
                gradient.setGradientFor(network.biasKey(l), previousBiases.get(l - 1).sub(b));
                previousWeights.get(l - 1).assign(w);
                previousBiases.get(l - 1).assign(b);
            }
            return gradient;
        }
    }

    /** The network's training loss in DL4J's convention, from the engine's forward pass. */
    private static final class ScoreFunction {
        private final PdAdmmEngine engine;
        private final INDArray features;
        private final INDArray labels;
        private INDArray typedLabels;

        ScoreFunction(PdAdmmEngine engine, INDArray features, INDArray labels) {
            this.engine = engine;
            this.features = features;
            this.labels = labels;
        }

        double of(IterationMetrics metrics) {
            OutputRisk risk = engine.architecture().risk();
            double perSample = metrics.trainLoss();
            if (!metrics.evaluated()) {
                if (typedLabels == null) {
                    typedLabels = labels.castTo(engine.config().dataType());
                }
                perSample = risk.value(engine.preActivation(features), typedLabels) / features.rows();
            }
            // the engine's squared error is 1/2 ||z - Y||^2; DL4J's MSE averages (z - y)^2 over the outputs
            return risk == OutputRisk.SQUARED_ERROR
                    ? 2 * perSample / engine.architecture().outputsOf(engine.architecture().layers())
                    : perSample;
        }
    }

    @Override
    public String toString() {
        return "PdAdmmTrainer[" + config + ", weightSyncFrequency=" + weightSyncFrequency + ", iterationsPerEpoch="
                + iterationsPerEpoch + ", checkpoints=" + checkpointDirectory + "]";
    }

    /**
     * Builds a {@link PdAdmmTrainer}. The ADMM settings are those of {@link PdAdmmConfig.Builder} (same defaults:
     * {@code nu = 1}, {@code rho = 5}, no weight decay, 100 iterations), with the data type taken from the network
     * unless set; {@link #build()} validates everything and explains a bad value.
     */
    public static final class Builder {
        private PdAdmmConfig.Builder config = PdAdmmConfig.builder();
        private boolean dataTypeSet;
        private int weightSyncFrequency = 1;
        private int iterationsPerEpoch = 1;
        private long memoryBudget;
        private boolean memoryBudgetSet;
        private Path checkpointDirectory;
        private int checkpointFrequency;
        private int keepCheckpoints = PdAdmmCheckpoint.DEFAULT_KEEP;
        private int validationFrequency = 1;
        private GrowthPolicy growth = GrowthPolicy.standard();
        private boolean muSet;

        /** A builder with the defaults. */
        public Builder() {
        }

        /** Takes every ADMM setting, the data type included, from {@code config}. */
        public Builder config(PdAdmmConfig config) {
            this.config = config.toBuilder();
            this.dataTypeSet = true;
            this.muSet = config.mu() != 0;
            return this;
        }

        /** Weight {@code nu} of the relaxation terms; see {@link PdAdmmConfig#nu()}. */
        public Builder nu(double nu) {
            config.nu(nu);
            return this;
        }

        /** Penalty {@code rho}; keep {@code rho > 4 nu}. See {@link PdAdmmConfig#rho()}. */
        public Builder rho(double rho) {
            config.rho(rho);
            return this;
        }

        /** Weight decay {@code mu}, which decides generalisation; see {@link PdAdmmConfig#mu()}. */
        public Builder mu(double mu) {
            config.mu(mu);
            muSet = true;
            return this;
        }

        /** Number of ADMM iterations (each uses all training rows). */
        public Builder iterations(int iterations) {
            config.iterations(iterations);
            return this;
        }

        /** Stop once the residual falls below this (0: never). */
        public Builder residualTolerance(double residualTolerance) {
            config.residualTolerance(residualTolerance);
            return this;
        }

        public Builder seed(long seed) {
            config.seed(seed);
            return this;
        }

        public Builder rhoSchedule(RhoSchedule rhoSchedule) {
            config.rhoSchedule(rhoSchedule);
            return this;
        }

        /** Type of the ADMM variables (FLOAT or DOUBLE); by default the network's (FLOAT unless it is DOUBLE). */
        public Builder dataType(DataType dataType) {
            config.dataType(dataType);
            dataTypeSet = true;
            return this;
        }

        public Builder executionMode(ExecutionMode executionMode) {
            config.executionMode(executionMode);
            return this;
        }

        /** Threads of the block executor (0: one per block, at most the number of cores). */
        public Builder threads(int threads) {
            config.threads(threads);
            return this;
        }

        public Builder initialization(Initialization initialization) {
            config.initialization(initialization);
            return this;
        }

        /** Forward-pass evaluation of training loss and accuracy every this many iterations (0: never). */
        public Builder evaluationFrequency(int evaluationFrequency) {
            config.evaluationFrequency(evaluationFrequency);
            return this;
        }

        /** Quantised transfers (pdADMM-G-Q); see {@link PdAdmmConfig#quantizer()}. */
        public Builder quantizer(QuantizerConfig quantizer) {
            config.quantizer(quantizer);
            return this;
        }

        /** In GRID mode, project {@code q} onto the grid too, so both directions travel quantised. */
        public Builder projectQ(boolean projectQ) {
            config.projectQ(projectQ);
            return this;
        }

        /** The weight update: the published linearised step (default) or the exact ridge solve; see {@link WStep}. */
        public Builder wStep(WStep wStep) {
            config.wStep(wStep);
            return this;
        }

        /** Write the weights into the network every {@code k} iterations (and always at the end and whenever
         * listeners are called); default 1. */
        public Builder weightSyncFrequency(int k) {
            this.weightSyncFrequency = k;
            return this;
        }

        /** How many ADMM iterations make one epoch for listeners and the epoch counter; default 1. */
        public Builder iterationsPerEpoch(int iterations) {
            this.iterationsPerEpoch = iterations;
            return this;
        }

        /** Refuse runs whose {@link MemoryEstimate} exceeds this many bytes (default {@link MemoryEstimate#defaultBudget()}). */
        public Builder memoryBudget(long bytes) {
            this.memoryBudget = bytes;
            this.memoryBudgetSet = true;
            return this;
        }

        /**
         * Writes a crash-safe checkpoint of the whole ADMM state under {@code directory} every {@code everyIterations}
         * iterations and at the end ({@link PdAdmmCheckpoint}); continue a run with {@code resume(...)}.
         */
        public Builder checkpoints(Path directory, int everyIterations) {
            if (directory == null) {
                throw new IllegalArgumentException("checkpoint directory must not be null");
            }
            this.checkpointDirectory = directory;
            this.checkpointFrequency = everyIterations;
            return this;
        }

        /** How many checkpoints to keep (default {@value PdAdmmCheckpoint#DEFAULT_KEEP}). */
        public Builder keepCheckpoints(int keep) {
            this.keepCheckpoints = keep;
            return this;
        }

        /**
         * The recipe for depth (default {@link GrowthPolicy#standard()}: a network of more than 2 layers is grown
         * 2 -> 5 -> L with weight decays 10 / 1 / 0.01, each earlier stage as long as the last); {@link
         * GrowthPolicy#none()} trains the network at its full depth from its initial weights with {@link #mu}.
         * A network that cannot be grown (unequal hidden widths, an activation other than ReLU or identity, or one
         * trained before) is trained at full depth, with a warning that says why and what to do.
         */
        public Builder growth(GrowthPolicy growth) {
            if (growth == null) {
                throw new IllegalArgumentException("growth must not be null; use GrowthPolicy.none() for no growth");
            }
            this.growth = growth;
            return this;
        }

        /** With validation data: evaluate every this many iterations (default 1). */
        public Builder validationFrequency(int frequency) {
            this.validationFrequency = frequency;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the bad setting
         */
        public PdAdmmTrainer build() {
            PdAdmmConfig built = config.build();
            if (weightSyncFrequency < 1) {
                throw new IllegalArgumentException("weightSyncFrequency must be >= 1, got " + weightSyncFrequency);
            }
            if (iterationsPerEpoch < 1) {
                throw new IllegalArgumentException("iterationsPerEpoch must be >= 1, got " + iterationsPerEpoch);
            }
            if (validationFrequency < 1) {
                throw new IllegalArgumentException("validationFrequency must be >= 1, got " + validationFrequency);
            }
            if (memoryBudgetSet && memoryBudget <= 0) {
                throw new IllegalArgumentException("memoryBudget must be positive (bytes), got " + memoryBudget);
            }
            if (keepCheckpoints < 1) {
                throw new IllegalArgumentException("keepCheckpoints must be >= 1, got " + keepCheckpoints);
            }
            if (checkpointDirectory != null) {
                if (checkpointFrequency < 1) {
                    throw new IllegalArgumentException("checkpoints(directory, everyIterations) needs everyIterations "
                            + ">= 1, got " + checkpointFrequency);
                }
            }
            return new PdAdmmTrainer(this, built);
        }
    }
}
