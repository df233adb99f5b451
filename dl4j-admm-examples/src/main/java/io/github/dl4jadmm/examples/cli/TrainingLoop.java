package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.examples.cli.RunSummary.FinalAccuracy;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.model.GaMlp;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The training loops behind {@code train}: pdADMM-G(-Q) through {@link PdAdmmEngine}, and DL4J's own fit with Adam,
 * each appending one {@link IterationRecord} per iteration to the history, evaluating validation and test accuracy
 * every {@code evalEvery} iterations, and saving checkpoints.
 *
 * <p>A pdADMM-G checkpoint holds the engine's whole state ({@link PdAdmmEngine#saveCheckpoint}, in the folder
 * {@value #ENGINE_CHECKPOINT}): resuming continues with the same iterates, rho schedule and quantisation grids as a
 * run that was never interrupted (DELTA-coded transfers included: their link codecs' state is in it). The weights
 * and biases are always written too ({@code W_l.npy}, {@code b_l.npy}, readable with numpy); from a checkpoint
 * written before exact checkpoints existed, which holds only those, resuming restarts the engine from them with the
 * saved {@code rho} and {@code nu}, the auxiliary variables and duals re-initialised by a forward pass: close to, not
 * identical with, an uninterrupted run. Resuming Adam restores DL4J's model with its updater
 * state, so it continues exactly.
 */
final class TrainingLoop {

    private static final String ADAM_MODEL = "model.zip";
    /** Folder of the engine's whole state inside a pdADMM-G checkpoint folder. */
    static final String ENGINE_CHECKPOINT = "engine";

    private final AugmentedSplits splits;
    private final int totalIterations;
    private final int evalEvery;
    private final List<IterationRecord> history;
    private final Consumer<IterationRecord> onRecord;
    private final Checkpoint checkpoint;
    private final int checkpointEvery;
    private final Map<String, Object> settings;
    private final Checkpoint.State resumeFrom;

    /**
     * @param history    the history so far (restored from the checkpoint when resuming); records are appended
     * @param onRecord   told about each new record (progress output)
     * @param checkpoint where to save checkpoints, or null
     * @param resumeFrom the checkpoint to continue from, or null for a fresh run
     */
    TrainingLoop(AugmentedSplits splits, int totalIterations, int evalEvery, List<IterationRecord> history,
                 Consumer<IterationRecord> onRecord, Checkpoint checkpoint, int checkpointEvery,
                 Map<String, Object> settings, Checkpoint.State resumeFrom) {
        this.splits = splits;
        this.totalIterations = totalIterations;
        this.evalEvery = evalEvery;
        this.history = history;
        this.onRecord = onRecord;
        this.checkpoint = checkpoint;
        this.checkpointEvery = checkpointEvery;
        this.settings = settings;
        this.resumeFrom = resumeFrom;
    }

    private int iterationsDone() {
        return resumeFrom == null ? 0 : resumeFrom.iterationsDone();
    }

    private double elapsedBefore() {
        return history.isEmpty() ? 0 : history.get(history.size() - 1).elapsedSeconds();
    }

    /**
     * Whether {@code state} (a pdADMM-G checkpoint) holds the engine's whole state, so that resuming reproduces an
     * uninterrupted run; otherwise it holds the weights only.
     */
    static boolean exactCheckpoint(Checkpoint checkpoint, Checkpoint.State state) {
        return Files.isDirectory(checkpoint.folder(state).resolve(ENGINE_CHECKPOINT));
    }

    /**
     * Trains with pdADMM-G through {@code stages} (the greedy growth stages, or one stage at the network's depth);
     * {@code config} holds the ADMM settings, each stage sets its own iterations and weight decay. The iterations of
     * the stages add up to the run's total; a checkpoint of any stage resumes in that stage, and the later stages
     * grow its weights as an uninterrupted run does.
     */
    FinalAccuracy pdAdmm(MlpArchitecture architecture, PdAdmmConfig config, List<GrowthStage> stages)
            throws IOException {
        int done = iterationsDone();
        INDArray x = splits.features(SplitPart.TRAIN);
        INDArray y = splits.labels(SplitPart.TRAIN);
        INDArray xVal = splits.features(SplitPart.VAL);
        INDArray yVal = splits.labels(SplitPart.VAL);
        INDArray xTest = splits.features(SplitPart.TEST);
        INDArray yTest = splits.labels(SplitPart.TEST);
        int[] stageStart = new int[stages.size() + 1];
        for (int s = 0; s < stages.size(); s++) {
            stageStart[s + 1] = stageStart[s] + stages.get(s).iterations();
        }
        PdAdmmEngine engine;
        int first;
        // what the engine's metrics lack: iterations before it started and bytes sent before (minus what it counts)
        int offset;
        long bytesOffset;
        if (resumeFrom == null) {
            first = 0;
            MlpArchitecture firstArchitecture = stageArchitecture(architecture, stages.get(0));
            InitialWeights initial = InitialWeights.xavier(firstArchitecture, config.seed());
            engine = new PdAdmmEngine(firstArchitecture, stageConfig(config, stages, 0), x, y, initial.weights(),
                    initial.biases(), LocalChannel::new);
            offset = 0;
            bytesOffset = 0;
        } else if (exactCheckpoint(checkpoint, resumeFrom)) {
            // the whole state: the engine counts its stage's iterations on from the checkpoint; its channel counts
            // bytes afresh (a resumed engine sends nothing while it is built)
            engine = PdAdmmEngine.resume(checkpoint.folder(resumeFrom).resolve(ENGINE_CHECKPOINT), x, y);
            first = stageOf(stages, engine.architecture().layers(), checkpoint, resumeFrom);
            offset = stageStart[first];
            bytesOffset = resumeFrom.bytesSent() - engine.channel().bytesSent();
        } else {
            Path folder = checkpoint.folder(resumeFrom);
            List<INDArray> w = new ArrayList<>();
            List<INDArray> b = new ArrayList<>();
            for (int l = 1; l <= architecture.layers(); l++) {
                w.add(Nd4j.createFromNpyFile(folder.resolve("W_" + l + ".npy").toFile()));
                b.add(Nd4j.createFromNpyFile(folder.resolve("b_" + l + ".npy").toFile()));
            }
            // weights-only checkpoints predate growth: one stage at full depth (the resume check saw --growth none)
            first = 0;
            PdAdmmConfig resumed = config.toBuilder().iterations(totalIterations - done).rho(resumeFrom.rho())
                    .nu(resumeFrom.nu()).build();
            engine = new PdAdmmEngine(architecture, resumed, x, y, w, b, LocalChannel::new);
            offset = done;
            bytesOffset = resumeFrom.bytesSent();
        }
        double elapsedBefore = elapsedBefore();
        long start = System.nanoTime();
        int[] lastSaved = {done};
        for (int s = first; s < stages.size(); s++) {
            if (s > first) {
                List<INDArray>[] grown = GreedyLayerGrowth.insertIdentityLayers(engine.weights(), engine.biases(),
                        stages.get(s).layers());
                long bytesSoFar = history.isEmpty() ? 0 : history.get(history.size() - 1).bytesSent();
                engine.close();
                engine = new PdAdmmEngine(stageArchitecture(architecture, stages.get(s)),
                        stageConfig(config, stages, s), x, y, grown[0], grown[1], LocalChannel::new);
                offset = stageStart[s];
                bytesOffset = bytesSoFar;
            }
            int stageOffset = offset;
            long stageBytes = bytesOffset;
            int stageEnd = stageStart[s + 1];
            try {
                PdAdmmEngine stageEngine = engine;
                stageEngine.addListener((e, m) -> {
                    int completed = stageOffset + m.iteration() + 1;
                    double trainLoss = m.trainLoss();
                    double trainAccuracy = m.trainAccuracy();
                    boolean evaluated = m.evaluated();
                    if (!evaluated && completed == stageEnd) {
                        // a resumed engine keeps the first run's iteration count, so it may not know that this is
                        // the last iteration of its stage: evaluate as the engine does after its last
                        INDArray z = e.preActivation(x);
                        trainLoss = architecture.risk().value(z, y) / x.rows();
                        trainAccuracy = OutputRisk.accuracy(z, y);
                        evaluated = true;
                    }
                    double val = Double.NaN;
                    double test = Double.NaN;
                    if (evaluated) {
                        val = e.accuracy(xVal, yVal);
                        test = e.accuracy(xTest, yTest);
                    }
                    IterationRecord r = IterationRecord.of(m, stageOffset, stageBytes,
                            elapsedBefore + (System.nanoTime() - start) / 1e9, val, test);
                    if (trainLoss != m.trainLoss() || trainAccuracy != m.trainAccuracy()) {
                        r = new IterationRecord(r.iteration(), r.seconds(), r.elapsedSeconds(),
                                r.augmentedLagrangian(), r.objective(), r.residual(), r.dualResidual(), trainLoss,
                                trainAccuracy, r.valAccuracy(), r.testAccuracy(), r.bytesSent(),
                                r.bytesThisIteration(), r.rho(), r.nu());
                    }
                    history.add(r);
                    onRecord.accept(r);
                    if (checkpoint != null && completed % checkpointEvery == 0) {
                        savePdAdmm(e, r, completed);
                        lastSaved[0] = completed;
                    }
                });
                int remaining = stageEnd - Math.max(done, stageStart[s]);
                if (remaining > 0) {
                    stageEngine.fit(remaining);
                }
            } catch (RuntimeException | Error e) {
                engine.close();
                throw e;
            }
        }
        try (PdAdmmEngine finalEngine = engine) {
            IterationRecord last = history.isEmpty() ? null : history.get(history.size() - 1);
            if (checkpoint != null && last != null && lastSaved[0] != last.iteration() + 1) {
                savePdAdmm(finalEngine, last, last.iteration() + 1);
            }
            return new FinalAccuracy(finalEngine.accuracy(x, y), finalEngine.accuracy(xVal, yVal),
                    finalEngine.accuracy(xTest, yTest));
        }
    }

    /** The network of a stage: the full architecture, or its growth stage of fewer layers. */
    private static MlpArchitecture stageArchitecture(MlpArchitecture full, GrowthStage stage) {
        return stage.layers() == full.layers() ? full : GreedyLayerGrowth.grow(full, stage.layers());
    }

    /** The engine configuration of stage {@code s}: its iterations and weight decay. */
    private static PdAdmmConfig stageConfig(PdAdmmConfig config, List<GrowthStage> stages, int s) {
        return config.toBuilder().iterations(stages.get(s).iterations()).mu(stages.get(s).mu()).build();
    }

    /** The stage a checkpointed engine of {@code layers} layers belongs to. */
    private static int stageOf(List<GrowthStage> stages, int layers, Checkpoint checkpoint, Checkpoint.State state) {
        for (int s = 0; s < stages.size(); s++) {
            if (stages.get(s).layers() == layers) {
                return s;
            }
        }
        throw new IllegalStateException("the checkpoint in " + checkpoint.folder(state) + " holds a network of "
                + layers + " layers, which is no stage of this run's growth " + stages.stream()
                .map(GrowthStage::layers).toList() + "; resume with the options that wrote it");
    }

    private void savePdAdmm(PdAdmmEngine engine, IterationRecord last, int completed) {
        List<INDArray> w = engine.weights();
        List<INDArray> b = engine.biases();
        checkpoint.save(Algorithm.PDADMM_G.label(), completed, engine.rho(), engine.nu(), last.bytesSent(),
                settings, history, folder -> {
                    for (int l = 1; l <= w.size(); l++) {
                        Nd4j.writeAsNumpy(w.get(l - 1), folder.resolve("W_" + l + ".npy").toFile());
                        Nd4j.writeAsNumpy(b.get(l - 1), folder.resolve("b_" + l + ".npy").toFile());
                    }
                    engine.saveCheckpoint(folder.resolve(ENGINE_CHECKPOINT));
                });
    }

    /** Trains the same GA-MLP with DL4J's {@code fit} and Adam, full batch, one epoch per iteration. */
    FinalAccuracy adam(int layers, int neurons, double learningRate, long seed) throws IOException {
        int done = iterationsDone();
        double elapsedBefore = elapsedBefore();
        MultiLayerNetwork net;
        if (resumeFrom == null) {
            net = GaMlp.builder().forSplits(splits).numLayers(layers).hiddenWidth(neurons)
                    .updater(new Adam(learningRate)).seed(seed).build().createNetwork();
        } else {
            File model = checkpoint.folder(resumeFrom).resolve(ADAM_MODEL).toFile();
            net = ModelSerializer.restoreMultiLayerNetwork(model, true);
        }
        DataSet train = splits.dataSet(SplitPart.TRAIN);
        long start = System.nanoTime();
        int lastSaved = done;
        for (int epoch = done; epoch < totalIterations; epoch++) {
            long epochStart = System.nanoTime();
            net.fit(train);
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            if (!Double.isFinite(net.score())) {
                throw new AdamDivergenceException(epoch, net.score(), learningRate);
            }
            boolean evaluate = (epoch - done) % evalEvery == 0 || epoch == totalIterations - 1;
            IterationRecord r = IterationRecord.ofEpoch(epoch, seconds,
                    elapsedBefore + (System.nanoTime() - start) / 1e9, net.score(),
                    evaluate ? accuracy(net, SplitPart.TRAIN) : Double.NaN,
                    evaluate ? accuracy(net, SplitPart.VAL) : Double.NaN,
                    evaluate ? accuracy(net, SplitPart.TEST) : Double.NaN);
            history.add(r);
            onRecord.accept(r);
            if (checkpoint != null && (epoch + 1) % checkpointEvery == 0) {
                saveAdam(net, epoch + 1);
                lastSaved = epoch + 1;
            }
        }
        if (checkpoint != null && lastSaved != totalIterations) {
            saveAdam(net, totalIterations);
        }
        return new FinalAccuracy(accuracy(net, SplitPart.TRAIN), accuracy(net, SplitPart.VAL),
                accuracy(net, SplitPart.TEST));
    }

    /** DL4J's Adam produced a training loss that is NaN or infinite: the run stops instead of training on NaN. */
    static final class AdamDivergenceException extends RuntimeException {
        AdamDivergenceException(int epoch, double score, double learningRate) {
            super("Adam diverged in epoch " + epoch + ": the training loss is " + score + ", so the weights are no "
                    + "longer numbers; lower the learning rate (--lr " + learningRate + "), e.g. to "
                    + Math.min(0.01, learningRate / 100));
        }
    }

    private void saveAdam(MultiLayerNetwork net, int completed) {
        checkpoint.save(Algorithm.ADAM.label(), completed, Double.NaN, Double.NaN, 0, settings, history,
                folder -> ModelSerializer.writeModel(net, folder.resolve(ADAM_MODEL).toFile(), true));
    }

    private double accuracy(MultiLayerNetwork net, SplitPart part) {
        INDArray predicted = Nd4j.argMax(net.output(splits.features(part)), 1);
        INDArray actual = Nd4j.argMax(splits.labels(part), 1);
        return predicted.eq(actual).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }
}
