package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.DistributedPdAdmm;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.IterationHook;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmCheckpoint;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.trainer.MultiLayerNetworkAdapter;
import io.github.dl4jadmm.trainer.TrainingData;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pdADMM-G on a Spark cluster: the layers of the network are split into consecutive ranges
 * ({@link LayerPartition}), each range is one task of a Spark barrier stage ({@link BarrierRun}), the tasks find
 * each other through {@link BarrierTaskRendezvous} and then exchange only the p and q of their boundaries over a
 * {@link RankTransports transport}, running {@link DistributedPdAdmm#runRank} each. The driver gets every rank's
 * trained weights and, for {@link #fit(JavaSparkContext, MultiLayerNetwork, DataSet)}, writes them into the user's
 * network.
 *
 * <p>Failures: when a task fails, Spark reruns the whole stage (up to {@code spark.stage.maxConsecutiveAttempts});
 * with checkpoints on, every rank then resumes from the newest iteration that every rank had checkpointed, and the
 * result is that of an uninterrupted run. The checkpoint root must be a directory every executor and the driver
 * see at the same path (a shared file system), one per job: the driver refuses a root that holds another job's
 * checkpoints, and resumes a rerun of the same job.
 *
 * <pre>{@code
 * SparkPdAdmm trainer = SparkPdAdmm.builder().config(config).tasks(4).checkpoints(root, 10).build();
 * SparkPdAdmm.Result result = trainer.fit(sparkContext, network, trainingData);   // network now trained
 * }</pre>
 */
public final class SparkPdAdmm {

    private static final Logger log = LoggerFactory.getLogger(SparkPdAdmm.class);

    /** The file in the checkpoint root that names the job whose checkpoints it holds. */
    static final String JOB_FINGERPRINT_FILE = "job.sha256";

    /** An {@link IterationHook} that can travel to the executors (progress reports, failure injection in tests). */
    @FunctionalInterface
    public interface RankHook extends IterationHook, Serializable {
    }

    /**
     * What a run trained.
     *
     * @param ranks        every rank's result, by rank, from the stage attempt that succeeded
     * @param stageAttempt that attempt: 0 unless Spark had to rerun the stage
     * @param seconds      wall time on the driver, Spark's scheduling included
     */
    public record Result(List<RankResult> ranks, int stageAttempt, double seconds) {

        /** The checkpointed iteration the successful attempt resumed from (the same on every rank), or 0. */
        public int resumedFrom() {
            return ranks.get(0).startIteration();
        }

        /** Trained weights of {@code layer} (1-based). */
        public INDArray weight(int layer) {
            RankResult rank = holder(layer);
            return rank.weights().get(layer - rank.firstLayer());
        }

        /** Trained biases of {@code layer} (1-based). */
        public INDArray bias(int layer) {
            RankResult rank = holder(layer);
            return rank.biases().get(layer - rank.firstLayer());
        }

        private RankResult holder(int layer) {
            for (RankResult rank : ranks) {
                if (layer >= rank.firstLayer() && layer <= rank.lastLayer()) {
                    return rank;
                }
            }
            throw new IllegalArgumentException("no rank holds layer " + layer);
        }
    }

    private final PdAdmmConfig config;
    private final int tasks;
    private final LayerPartition partition;
    private final Path checkpointRoot;
    private final int checkpointEvery;
    private final int keepCheckpoints;
    private final Duration timeout;
    private final RankTransports transports;
    private final RankHook hook;
    private final GrowthPolicy growth;

    private SparkPdAdmm(Builder b) {
        this.config = b.config;
        this.tasks = b.tasks;
        this.partition = b.partition;
        this.checkpointRoot = b.checkpointRoot;
        this.checkpointEvery = b.checkpointEvery;
        this.keepCheckpoints = b.keepCheckpoints;
        this.timeout = b.timeout;
        this.transports = b.transports;
        this.hook = b.hook;
        this.growth = b.growth;
    }

    /** A builder with the default configuration, one task per layer up to the slots, and no checkpoints. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code network} on all rows of {@code data} and writes the trained weights and biases into it (into its
     * own parameter views). Listeners of the network are not called: the iterations run on the executors.
     *
     * @throws io.github.dl4jadmm.trainer.UnsupportedNetworkException if the network has a layer pdADMM-G cannot
     *                                                                 train
     * @throws IllegalArgumentException if the data do not fit the network
     * @throws IllegalStateException    if the Spark context cannot run the ranks as one barrier stage, or the
     *                                  checkpoint root holds another job's checkpoints
     */
    public Result fit(JavaSparkContext sparkContext, MultiLayerNetwork network, DataSet data) {
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(network);
        TrainingData.validate(adapter.architecture(), data.getFeatures(), data.getLabels(), "training data");
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int l = 1; l <= adapter.architecture().layers(); l++) {
            weights.add(adapter.weightView(l).dup());
            biases.add(adapter.biasView(l).dup());
        }
        // the recipe for depth: the shallow growth stages are cheap and run here, on the driver; the full-depth
        // stage is the job the tasks run
        MlpArchitecture architecture = adapter.architecture();
        PdAdmmConfig jobConfig = config;
        if (growth.enabled() && architecture.layers() > growth.depths()[0]) {
            String why = GrowthPolicy.whyNotApplicable(architecture);
            if (why == null && adapter.iterationCount() > 0) {
                why = "the network has been trained before (iteration count " + adapter.iterationCount() + ")";
            }
            if (why != null) {
                log.warn("pdADMM-G on Spark: {}; {}", why, GrowthPolicy.advice(architecture.layers()));
            } else {
                List<GrowthStage> stages = growth.stages(architecture.layers(), config.iterations(), config.mu());
                log.info("pdADMM-G on Spark trains {} layers by {}; the stages before {} layers run on the driver",
                        architecture.layers(), growth.describe(architecture.layers(), config.iterations(),
                                config.mu()), architecture.layers());
                List<INDArray>[] first = GreedyLayerGrowth.firstStageWeights(weights, biases, stages.get(0).layers());
                List<INDArray>[] grown = new GreedyLayerGrowth(stages).fitAllButLast(architecture, config,
                        data.getFeatures(), data.getLabels(), first[0], first[1], null);
                weights = grown[0];
                biases = grown[1];
                jobConfig = config.toBuilder().mu(stages.get(stages.size() - 1).mu()).build();
            }
        }
        PdAdmmJob job = new PdAdmmJob(architecture, jobConfig, data.getFeatures(), data.getLabels(), weights,
                biases);
        Result result = fit(sparkContext, job);
        for (int l = 1; l <= adapter.architecture().layers(); l++) {
            assignInto(adapter.weightView(l), result.weight(l));
            assignInto(adapter.biasView(l), result.bias(l));
        }
        return result;
    }

    /**
     * Runs {@code job} (its own configuration; the builder's is for networks) and returns every rank's result.
     *
     * @throws IllegalArgumentException if the job's configuration stops on a residual tolerance, or the partition
     *                                  does not fit its layers
     * @throws IllegalStateException    if the Spark context cannot run the ranks as one barrier stage, or the
     *                                  checkpoint root holds another job's checkpoints
     */
    public Result fit(JavaSparkContext sparkContext, PdAdmmJob job) {
        if (job.config().residualTolerance() > 0) {
            throw new IllegalArgumentException("the job's residualTolerance needs the residual of every layer in one "
                    + "place; a distributed run stops after config.iterations(): set it to 0");
        }
        int layers = job.architecture().layers();
        LayerPartition layout = partition != null ? partition
                : LayerPartition.even(layers, tasks > 0 ? tasks : Math.min(layers, BarrierRun.slots(
                sparkContext.getConf(), sparkContext.defaultParallelism())));
        if (layout.layers() != layers) {
            throw new IllegalArgumentException("the partition splits " + layout.layers() + " layers but the network "
                    + "has " + layers);
        }
        String fingerprint = job.fingerprint();
        if (checkpointRoot != null) {
            claimCheckpointRoot(fingerprint);
        }
        int[] firstLayers = new int[layout.ranks()];
        for (int r = 0; r < firstLayers.length; r++) {
            firstLayers[r] = layout.firstLayer(r);
        }
        RankTransports runTransports = transports != null ? transports : RankTransports.defaultFor(sparkContext);
        Broadcast<byte[]> jobBytes = sparkContext.broadcast(job.toBytes());
        long start = System.nanoTime();
        try {
            PdAdmmRank task = new PdAdmmRank(jobBytes, fingerprint, layers, firstLayers,
                    checkpointRoot == null ? null : checkpointRoot.toString(), checkpointEvery, keepCheckpoints,
                    timeout, runTransports, hook);
            List<byte[]> encoded = new BarrierRun(sparkContext).run(layout.ranks(), task);
            List<RankResult> ranks = encoded.stream().map(RankResultCodec::decode).toList();
            int attempt = RankResultCodec.stageAttempt(encoded.get(0));
            Result result = new Result(ranks, attempt, (System.nanoTime() - start) / 1e9);
            log.info("pdADMM-G on {} Spark tasks ({}): {} iterations in {} s, stage attempt {}, resumed from "
                    + "iteration {}", layout.ranks(), layout, ranks.get(0).iterations(),
                    String.format("%.2f", result.seconds()), attempt, result.resumedFrom());
            return result;
        } finally {
            jobBytes.destroy();
            runTransports.afterRun();
        }
    }

    /** Marks the checkpoint root as this job's, or refuses it if it holds another job's checkpoints. */
    private void claimCheckpointRoot(String fingerprint) {
        Path marker = checkpointRoot.resolve(JOB_FINGERPRINT_FILE);
        try {
            Files.createDirectories(checkpointRoot);
            if (Files.exists(marker)) {
                String owner = Files.readString(marker, StandardCharsets.US_ASCII).trim();
                if (!owner.equals(fingerprint)) {
                    throw new IllegalStateException("checkpoint root " + checkpointRoot + " holds the checkpoints of "
                            + "another job (fingerprint " + owner.substring(0, Math.min(12, owner.length()))
                            + ", this job " + fingerprint.substring(0, 12) + "): use a fresh directory per job");
                }
            } else {
                Files.writeString(marker, fingerprint + "\n", StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + checkpointRoot + " as the checkpoint root", e);
        }
    }

    /** Writes into the network's own view (never replacing it: every view lies in the network's flat buffer). */
    private static void assignInto(INDArray view, INDArray value) {
        INDArray typed = value.dataType() == view.dataType() ? value : value.castTo(view.dataType());
        view.assign(typed.length() == view.length() && typed.rank() != view.rank() ? typed.reshape(view.shape())
                : typed);
    }

    /** One rank of the run, as it travels to the executors. */
    private static final class PdAdmmRank implements RankTask<Void> {

        private static final long serialVersionUID = 1L;

        private final Broadcast<byte[]> job;
        private final String fingerprint;
        private final int layers;
        private final int[] firstLayers;
        private final String checkpointRoot;
        private final int checkpointEvery;
        private final int keepCheckpoints;
        private final Duration timeout;
        private final RankTransports transports;
        private final RankHook hook;

        PdAdmmRank(Broadcast<byte[]> job, String fingerprint, int layers, int[] firstLayers, String checkpointRoot, int checkpointEvery,
                   int keepCheckpoints, Duration timeout, RankTransports transports, RankHook hook) {
            this.job = job;
            this.fingerprint = fingerprint;
            this.layers = layers;
            this.firstLayers = firstLayers;
            this.checkpointRoot = checkpointRoot;
            this.checkpointEvery = checkpointEvery;
            this.keepCheckpoints = keepCheckpoints;
            this.timeout = timeout;
            this.transports = transports;
            this.hook = hook;
        }

        @Override
        public byte[] run(RankContext<Void> context) {
            PdAdmmJob rankJob = PdAdmmJob.fromBytes(job.value());
            LayerPartition partition = LayerPartition.of(layers, firstLayers);
            TaskContext task = TaskContext.get();
            IterationHook everyIteration = (r, engine, metrics) -> {
                task.killTaskIfInterrupted(); // another rank failed: stop at the iteration's end
                if (hook != null) {
                    hook.iterationDone(r, engine, metrics);
                }
            };
            RankOptions options = new RankOptions(checkpointRoot == null ? null : Path.of(checkpointRoot),
                    checkpointEvery, keepCheckpoints, timeout, everyIteration);
            try (MessageTransport transport = context.connect(transports, fingerprint, timeout)) {
                RankResult result = DistributedPdAdmm.runRank(rankJob, partition, transport, options);
                return RankResultCodec.encode(result, context.stageAttemptNumber());
            }
        }
    }

    /** Validating builder; every setter returns the builder. */
    public static final class Builder {
        private PdAdmmConfig config = PdAdmmConfig.builder().build();
        private int tasks;
        private LayerPartition partition;
        private Path checkpointRoot;
        private int checkpointEvery;
        private int keepCheckpoints = PdAdmmCheckpoint.DEFAULT_KEEP;
        private Duration timeout = Duration.ofMinutes(2);
        private RankTransports transports;
        private RankHook hook;
        private GrowthPolicy growth = GrowthPolicy.standard();

        private Builder() {
        }

        /** The ADMM configuration for {@link #fit(JavaSparkContext, MultiLayerNetwork, DataSet)}. */
        public Builder config(PdAdmmConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            if (config.residualTolerance() > 0) {
                throw new IllegalArgumentException("residualTolerance needs the residual of every layer in one place; "
                        + "a distributed run stops after config.iterations(): set it to 0");
            }
            this.config = config;
            return this;
        }

        /** Number of Spark tasks (ranks), layers split evenly over them; default: one per layer up to the slots. */
        public Builder tasks(int tasks) {
            if (tasks < 1) {
                throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
            }
            this.tasks = tasks;
            this.partition = null;
            return this;
        }

        /** Explicit layer ranges, one task per range (instead of {@link #tasks}). */
        public Builder partition(LayerPartition partition) {
            this.partition = partition;
            this.tasks = 0;
            return this;
        }

        /**
         * Every rank checkpoints its blocks after every {@code everyIterations}-th iteration under
         * {@code root/rank-R}; a rerun stage resumes from the newest iteration all ranks have.
         *
         * @param root a directory the driver and every executor see at this path, one per job
         */
        public Builder checkpoints(Path root, int everyIterations) {
            if (root == null || everyIterations < 1) {
                throw new IllegalArgumentException("checkpoints need a root directory and everyIterations >= 1, got "
                        + root + " and " + everyIterations);
            }
            this.checkpointRoot = root.toAbsolutePath();
            this.checkpointEvery = everyIterations;
            return this;
        }

        /** How many checkpoints each rank keeps (default {@value PdAdmmCheckpoint#DEFAULT_KEEP}). */
        public Builder keepCheckpoints(int keep) {
            if (keep < 1) {
                throw new IllegalArgumentException("keepCheckpoints must be >= 1, got " + keep);
            }
            this.keepCheckpoints = keep;
            return this;
        }

        /** How long a rank waits for a neighbour's message before failing (default 2 minutes). */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How the ranks reach each other; default ({@link RankTransports#defaultFor}): in-JVM queues under a
         * {@code local[N]} master, {@link AeronRankTransports} otherwise.
         */
        public Builder transports(RankTransports transports) {
            this.transports = transports;
            return this;
        }

        /** Called on the executors after every iteration of every rank. */
        /**
         * The recipe for depth of {@link SparkPdAdmm#fit(JavaSparkContext, MultiLayerNetwork, DataSet)} (default
         * {@link GrowthPolicy#standard()}, as {@code PdAdmmTrainer}): the growth stages before the full depth run on
         * the driver in one engine, then the full-depth stage runs as the Spark tasks, with the last stage's weight
         * decay. {@link GrowthPolicy#none()} sends the network's own weights to the tasks.
         */
        public Builder growth(GrowthPolicy growth) {
            if (growth == null) {
                throw new IllegalArgumentException("growth must not be null; use GrowthPolicy.none() for no growth");
            }
            this.growth = growth;
            return this;
        }

        public Builder iterationHook(RankHook hook) {
            this.hook = hook;
            return this;
        }

        public SparkPdAdmm build() {
            return new SparkPdAdmm(this);
        }
    }
}
