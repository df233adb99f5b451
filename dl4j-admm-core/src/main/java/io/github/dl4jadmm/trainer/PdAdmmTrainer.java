package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int l = 1; l <= architecture.layers(); l++) {
            weights.add(network.weightView(l));
            biases.add(network.biasView(l));
        }
        try (PdAdmmEngine engine = PdAdmmEngine.withMemoryBudget(architecture, runConfig, features, labels, weights,
                biases, LocalChannel::new, memoryBudget())) {
            return run(network, engine, features, labels, validationFeatures, validationLabels, 0);
        }
    }

    /** Continues a checkpointed run on the adapted network; see {@link #resume(MultiLayerNetwork, DataSet, Path)}. */
    public PdAdmmTrainingResult resume(NetworkAdapter network, INDArray features, INDArray labels, Path checkpoint) {
        MlpArchitecture architecture = network.architecture();
        validateData(architecture, features, labels, null, null);
        PdAdmmCheckpoint.Info info;
        try {
            info = PdAdmmCheckpoint.info(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint at " + checkpoint + ": " + e.getMessage(), e);
        }
        if (!info.architecture().equals(architecture)) {
            throw new IllegalArgumentException("checkpoint " + info.directory() + " trained " + info.architecture()
                    + " but the network is " + architecture);
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
        try (engine) {
            // the resumed engine's set-up sent a forward pass of its own, which the original run had already counted
            long offset = info.bytesSent() - engine.channel().bytesSent();
            return run(network, engine, features, labels, null, null, offset);
        }
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

    private void requireNoCheckpoints() {
        try {
            List<Path> existing = PdAdmmCheckpoint.list(checkpointDirectory);
            if (!existing.isEmpty()) {
                throw new IllegalStateException("the checkpoint directory " + checkpointDirectory + " already holds "
                        + "checkpoints (newest: " + existing.get(existing.size() - 1).getFileName() + "); continue "
                        + "that run with resume(...), or give a fresh run an empty directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the loop ----

    private PdAdmmTrainingResult run(NetworkAdapter network, PdAdmmEngine engine, INDArray features, INDArray labels,
                                     INDArray validationFeatures, INDArray validationLabels, long bytesOffset) {
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
                    lastCheckpoint = checkpoint(engine);
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
                    bestIteration, bestAccuracy, lastCheckpoint);
        } finally {
            if (notify) {
                network.clearInputAndLabels();
            }
        }
    }

    private Path checkpoint(PdAdmmEngine engine) {
        try {
            return PdAdmmCheckpoint.save(engine, checkpointDirectory, keepCheckpoints);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint to " + checkpointDirectory + " (the earlier "
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
        for (int l = 1; l <= engine.architecture().layers(); l++) {
            assignInto(network.weightView(l), engine.weight(l));
            assignInto(network.biasView(l), engine.bias(l));
        }
    }

    private static void writeWeights(NetworkAdapter network, List<INDArray> weights, List<INDArray> biases) {
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

        /** A builder with the defaults. */
        public Builder() {
        }

        /** Takes every ADMM setting, the data type included, from {@code config}. */
        public Builder config(PdAdmmConfig config) {
            this.config = config.toBuilder();
            this.dataTypeSet = true;
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
