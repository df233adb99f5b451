package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.DistributedGadmm;
import io.github.dl4jadmm.distributed.DistributedGadmm.IterationHook;
import io.github.dl4jadmm.distributed.DistributedGadmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedGadmm.RankResult;
import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.WorkerPartition;
import io.github.dl4jadmm.gadmm.ConsensusModel;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.gadmm.LocalSolver;
import io.github.dl4jadmm.gadmm.LogisticRegressionSolver;
import io.github.dl4jadmm.gadmm.NetworkSolver;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Q-GADMM and Q-SGADMM (algorithms.md §3) on a Spark cluster: the chain's workers are spread over the tasks of one
 * Spark barrier stage ({@link BarrierRun}), one task per partition of the training data's RDD. A partition is the
 * data of {@link Builder#workersPerTask consecutive workers} (one by default): the task merges the partition's
 * {@link DataSet}s in order and cuts the rows into that many consecutive shards of (nearly) equal size, so
 * partition {@code p} holds workers {@code p k + 1 .. p k + k}. The tasks find each other through
 * {@link BarrierTaskRendezvous}, and then each runs {@link DistributedGadmm#runRank} over a
 * {@link RankTransports transport}: only the models of the workers at the edges between tasks cross the network. The
 * iterates are those of the single-JVM trainer on the same shards.
 *
 * <p>What each worker trains:
 * <ul>
 *   <li>{@link #fit(JavaSparkContext, JavaRDD)}: a convex model, made from the worker's shard by the builder's
 *       {@link Builder#solver solver} ({@link #linearRegression()}, {@link #logisticRegression()}, or any
 *       {@link ShardSolver}); the driver gets every worker's model and their mean;</li>
 *   <li>{@link #fit(JavaSparkContext, MultiLayerNetwork, JavaRDD)}: Q-SGADMM on a user's network, which travels to
 *       the executors once (configuration, parameters and updater state, as {@link ModelSerializer} bytes); each task
 *       builds its workers' replicas with {@link SgadmmTrainer.Builder#workerSolvers}, and the driver writes the
 *       consensus model into the user's network, as {@link SgadmmTrainer#fit()} does.</li>
 * </ul>
 *
 * <p>Failures: when a task fails, Spark reruns the whole stage (up to {@code spark.stage.maxConsecutiveAttempts}).
 * GADMM keeps no checkpoints, so every rank of the new attempt starts again from iteration 0, from its partition and
 * the broadcast network; the run is deterministic (seeded quantisers and minibatch orders), so the result is that of
 * an uninterrupted run, at the cost of the iterations done before the failure.
 *
 * <pre>{@code
 * JavaRDD<DataSet> shards = sc.parallelize(myShards, myShards.size());         // one worker per partition
 * SparkGadmm.Result result = SparkGadmm.builder().config(GadmmConfig.builder().rho(3).bits(3).build())
 *         .solver(SparkGadmm.linearRegression()).build().fit(sc, shards);
 * double[] theta = result.consensus();
 *
 * SparkGadmm.builder().config(SgadmmTrainer.authorsConfig().iterations(100).build()).workersPerTask(5)
 *         .build().fit(sc, network, trainingRdd);                              // network now trained
 * }</pre>
 */
public final class SparkGadmm {

    private static final Logger log = LoggerFactory.getLogger(SparkGadmm.class);

    /** Makes the local problem of one worker from its shard; travels to the executors with the job. */
    @FunctionalInterface
    public interface ShardSolver extends Serializable {

        /**
         * The solver of the worker whose data is {@code shard}.
         *
         * @throws IllegalArgumentException if the shard does not fit the model
         */
        LocalSolver create(DataSet shard);
    }

    /** An {@link IterationHook} that can travel to the executors (progress reports, failure injection in tests). */
    @FunctionalInterface
    public interface RankHook extends IterationHook, Serializable {
    }

    /** Least squares on each shard, the labels (one column) being the targets ({@link LinearRegressionSolver}). */
    public static ShardSolver linearRegression() {
        return LinearRegressionSolver::of;
    }

    /**
     * Logistic regression on each shard ({@link LogisticRegressionSolver}, default Newton steps): labels one column of
     * 0/1 or -1/+1.
     */
    public static ShardSolver logisticRegression() {
        return shard -> new LogisticRegressionSolver(shard.getFeatures(), shard.getLabels());
    }

    /**
     * What a run trained.
     *
     * @param ranks        every rank's result, by rank, from the stage attempt that succeeded
     * @param partition    which workers each rank held
     * @param consensus    the model written back: the mean of every worker's model ({@link ConsensusModel#MEAN},
     *                     {@link DistributedGadmm#consensus}) or worker 1's
     * @param stageAttempt that attempt: 0 unless Spark had to rerun the stage
     * @param seconds      wall time on the driver, Spark's scheduling included
     */
    public record Result(List<RankResult> ranks, WorkerPartition partition, double[] consensus, int stageAttempt,
                         double seconds) {

        public Result {
            ranks = List.copyOf(ranks);
        }

        /** The model of {@code worker} (1-based). */
        public double[] model(int worker) {
            return ranks.get(partition.ownerOf(worker)).model(worker);
        }

        /** Paper bits of all workers' transmissions (as {@code GadmmTrainer#paperBitsSent()}). */
        public long paperBits() {
            return ranks.stream().mapToLong(RankResult::paperBits).sum();
        }

        /** Encoded bytes all workers sent (as the single-JVM trainer's {@code channel().bytesSent()}). */
        public long bytesSent() {
            return ranks.stream().mapToLong(RankResult::bytesSent).sum();
        }

        /** Seconds per iteration of the slowest rank. */
        public double secondsPerIteration() {
            return ranks.stream().mapToDouble(RankResult::secondsPerIteration).max().orElse(Double.NaN);
        }
    }

    private final GadmmConfig config;
    private final ShardSolver solver;
    private final int workersPerTask;
    private final Integer localSteps;
    private final Integer batchSize;
    private final ConsensusModel consensusModel;
    private final Duration timeout;
    private final RankTransports transports;
    private final RankHook hook;

    private SparkGadmm(Builder b) {
        this.config = b.config;
        this.solver = b.solver;
        this.workersPerTask = b.workersPerTask;
        this.localSteps = b.localSteps;
        this.batchSize = b.batchSize;
        this.consensusModel = b.consensusModel;
        this.timeout = b.timeout;
        this.transports = b.transports;
        this.hook = b.hook;
    }

    /** A builder with one worker per task and no solver (set one for {@link #fit(JavaSparkContext, JavaRDD)}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains the builder's {@link Builder#solver solver} model with (Q-)GADMM, one task per partition of
     * {@code shards}; the configuration defaults to {@code GadmmConfig.builder().build()}.
     *
     * @param shards the training data; partition {@code p} holds the rows of workers {@code p k + 1 .. p k + k}
     *               ({@code k} = {@link Builder#workersPerTask}); its {@link DataSet}s are concatenated in order
     * @throws IllegalStateException if no solver was set, a network setting was, or the Spark context cannot run the
     *                               partitions as one barrier stage
     * @throws IllegalArgumentException if the chain would have fewer than 2 workers
     */
    public Result fit(JavaSparkContext sparkContext, JavaRDD<DataSet> shards) {
        if (solver == null) {
            throw new IllegalStateException("set what each worker trains with .solver(SparkGadmm.linearRegression()) "
                    + "or another ShardSolver, or train a network with fit(sparkContext, network, shards)");
        }
        if (localSteps != null || batchSize != null) {
            throw new IllegalStateException("localSteps and batchSize apply to networks only: drop them, or train a "
                    + "network with fit(sparkContext, network, shards)");
        }
        GadmmConfig runConfig = config != null ? config : GadmmConfig.builder().build();
        return run(sparkContext, shards, runConfig, null);
    }

    /**
     * Trains {@code network} with Q-SGADMM, one task per partition of {@code shards}, and writes the consensus model
     * into it (into its own parameter buffer). The configuration defaults to
     * {@link SgadmmTrainer#authorsConfig()}; listeners of the network are not called (the iterations run on the
     * executors).
     *
     * @param network initialised, with its updater configured (its updater state travels too)
     * @param shards  the training data as for {@link #fit(JavaSparkContext, JavaRDD)}; features {@code [rows, nIn]},
     *                labels {@code [rows, nOut]}
     * @throws IllegalStateException if a solver was set, or the Spark context cannot run the partitions as one
     *                               barrier stage
     * @throws IllegalArgumentException if the network is not initialised or Q-SGADMM cannot train it, or the chain
     *                                  would have fewer than 2 workers
     */
    public Result fit(JavaSparkContext sparkContext, MultiLayerNetwork network, JavaRDD<DataSet> shards) {
        if (solver != null) {
            throw new IllegalStateException("the workers train the network: drop .solver(...), which is for "
                    + "fit(sparkContext, shards)");
        }
        if (network == null || !network.isInitCalled()) {
            throw new IllegalArgumentException("the network is " + (network == null ? "null" : "not initialised; call "
                    + "net.init() before training"));
        }
        GadmmConfig runConfig = config != null ? config : SgadmmTrainer.authorsConfig().build();
        // Refuse a network Q-SGADMM cannot train (e.g. batch normalisation) here, not once per task and stage attempt
        // on the executors: the solver's constructor checks the network and only reads it.
        new NetworkSolver(network, new DataSet(Nd4j.zeros(1, 1), Nd4j.zeros(1, 1)), 1, 1, 0);
        Result result = run(sparkContext, shards, runConfig, networkBytes(network));
        writeInto(network, result.consensus());
        return result;
    }

    private Result run(JavaSparkContext sparkContext, JavaRDD<DataSet> shards, GadmmConfig runConfig,
                       byte[] network) {
        int tasks = shards.getNumPartitions();
        if (tasks * workersPerTask < 2) {
            throw new IllegalArgumentException("a GADMM chain needs at least 2 workers, but the RDD has " + tasks
                    + " partition(s) of " + workersPerTask + " worker(s): repartition it or raise workersPerTask");
        }
        WorkerPartition partition = WorkerPartition.even(tasks * workersPerTask, tasks);
        RankTransports runTransports = transports != null ? transports : RankTransports.defaultFor(sparkContext);
        Broadcast<byte[]> networkBytes = network == null ? null : sparkContext.broadcast(network);
        long start = System.nanoTime();
        try {
            GadmmRank task = new GadmmRank(runConfig.toJson(), fingerprint(runConfig, partition, network),
                    workersPerTask, solver, networkBytes,
                    localSteps == null ? NetworkSolver.DEFAULT_LOCAL_STEPS : localSteps,
                    batchSize == null ? NetworkSolver.DEFAULT_BATCH_SIZE : batchSize, timeout, runTransports, hook);
            List<byte[]> encoded = new BarrierRun(sparkContext).run(shards, task);
            List<RankResult> ranks = encoded.stream().map(GadmmRankResultCodec::decode).toList();
            int attempt = GadmmRankResultCodec.stageAttempt(encoded.get(0));
            double[] consensus = consensusModel == ConsensusModel.MEAN ? DistributedGadmm.consensus(ranks)
                    : ranks.get(0).model(1).clone();
            Result result = new Result(ranks, partition, consensus, attempt, (System.nanoTime() - start) / 1e9);
            log.info("{} on {} Spark tasks ({}): {} iterations in {} s, stage attempt {}",
                    network == null ? "Q-GADMM" : "Q-SGADMM", tasks, partition, ranks.get(0).iterations(),
                    String.format("%.2f", result.seconds()), attempt);
            return result;
        } finally {
            if (networkBytes != null) {
                networkBytes.destroy();
            }
            runTransports.afterRun();
        }
    }

    /**
     * SHA-256 (hex) of what the driver knows of the job: the configuration, the partition and, for Q-SGADMM, the
     * network's bytes (the data stay in the RDD). Identifies the run to transports that check their peers by it.
     */
    private static String fingerprint(GadmmConfig config, WorkerPartition partition, byte[] network) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((config.toJson() + "\n" + partition + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(network == null ? new byte[0] : network);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The network with its updater state, as {@link ModelSerializer} writes it. */
    private static byte[] networkBytes(MultiLayerNetwork network) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, bytes, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the network", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes {@code model} into the network's own parameter buffer, rounded through the wire type as
     * {@link SgadmmTrainer#writeConsensus()} does, so both give the same parameters.
     */
    private static void writeInto(MultiLayerNetwork network, double[] model) {
        INDArray params = network.params();
        INDArray tensor;
        if (params.dataType() == DataType.DOUBLE) {
            tensor = Nd4j.createFromArray(model);
        } else {
            float[] rounded = new float[model.length];
            for (int i = 0; i < model.length; i++) {
                rounded[i] = (float) model[i];
            }
            tensor = Nd4j.createFromArray(rounded);
        }
        params.assign(tensor.castTo(params.dataType()).reshape(params.shape()));
    }

    /** Cuts {@code data} into {@code count} consecutive shards of (nearly) equal size. */
    static List<DataSet> consecutiveShards(DataSet data, int count) {
        if (count == 1) {
            return List.of(data);
        }
        int rows = data.numExamples();
        INDArray features = data.getFeatures();
        INDArray labels = data.getLabels().rank() == 1 ? data.getLabels().reshape(rows, 1) : data.getLabels();
        List<DataSet> shards = new ArrayList<>(count);
        for (int w = 0; w < count; w++) {
            int from = (int) ((long) rows * w / count);
            int to = (int) ((long) rows * (w + 1) / count);
            shards.add(new DataSet(features.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup(),
                    labels.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup()));
        }
        return shards;
    }

    /** One rank of the run, as it travels to the executors. */
    private static final class GadmmRank implements RankTask<DataSet> {

        private static final long serialVersionUID = 1L;

        private final String config;
        private final String fingerprint;
        private final int workersPerTask;
        private final ShardSolver solver;
        private final Broadcast<byte[]> network;
        private final int localSteps;
        private final int batchSize;
        private final Duration timeout;
        private final RankTransports transports;
        private final RankHook hook;

        GadmmRank(String config, String fingerprint, int workersPerTask, ShardSolver solver, Broadcast<byte[]> network, int localSteps,
                  int batchSize, Duration timeout, RankTransports transports, RankHook hook) {
            this.config = config;
            this.fingerprint = fingerprint;
            this.workersPerTask = workersPerTask;
            this.solver = solver;
            this.network = network;
            this.localSteps = localSteps;
            this.batchSize = batchSize;
            this.timeout = timeout;
            this.transports = transports;
            this.hook = hook;
        }

        @Override
        public byte[] run(RankContext<DataSet> context) throws IOException {
            int rank = context.rank();
            GadmmConfig rankConfig = GadmmConfig.fromJson(config);
            WorkerPartition partition = WorkerPartition.even(context.size() * workersPerTask, context.size());
            List<DataSet> shards = consecutiveShards(partitionData(context), workersPerTask);
            List<? extends LocalSolver> solvers;
            if (network == null) {
                List<LocalSolver> made = new ArrayList<>();
                for (DataSet shard : shards) {
                    made.add(solver.create(shard));
                }
                solvers = made;
            } else {
                MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
                        new ByteArrayInputStream(network.value()), true);
                solvers = SgadmmTrainer.builder(restored).config(rankConfig).localSteps(localSteps)
                        .batchSize(batchSize).workerSolvers(partition.firstWorker(rank), shards);
            }
            TaskContext task = TaskContext.get();
            IterationHook everyIteration = (r, trainer, metrics) -> {
                task.killTaskIfInterrupted(); // another rank failed: stop at the iteration's end
                if (hook != null) {
                    hook.iterationDone(r, trainer, metrics);
                }
            };
            try (MessageTransport transport = context.connect(transports, fingerprint, timeout)) {
                RankResult result = DistributedGadmm.runRank(rankConfig, partition, solvers, transport,
                        new RankOptions(timeout, everyIteration));
                return GadmmRankResultCodec.encode(result, context.stageAttemptNumber());
            }
        }

        /** The partition's data sets, concatenated in order; at least one row per worker. */
        private DataSet partitionData(RankContext<DataSet> context) {
            List<DataSet> pieces = new ArrayList<>();
            context.data().forEachRemaining(pieces::add);
            DataSet data = pieces.size() == 1 ? pieces.get(0) : pieces.isEmpty() ? null : DataSet.merge(pieces);
            int rows = data == null ? 0 : data.numExamples();
            if (rows < workersPerTask) {
                throw new IllegalArgumentException("partition " + context.rank() + " holds " + rows + " row(s) for "
                        + workersPerTask + " worker(s); every worker needs data: repartition the RDD");
            }
            return data;
        }
    }

    /** Validating builder; every setter returns the builder. */
    public static final class Builder {
        private GadmmConfig config;
        private ShardSolver solver;
        private int workersPerTask = 1;
        private Integer localSteps;
        private Integer batchSize;
        private ConsensusModel consensusModel = ConsensusModel.MEAN;
        private Duration timeout = Duration.ofMinutes(2);
        private RankTransports transports;
        private RankHook hook;

        private Builder() {
        }

        /**
         * The run's configuration (default: {@code GadmmConfig.builder().build()} for a solver,
         * {@link SgadmmTrainer#authorsConfig()} for a network). {@code threads} is per task.
         */
        public Builder config(GadmmConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = config;
            return this;
        }

        /** What each worker trains on its shard, for {@link #fit(JavaSparkContext, JavaRDD)}. */
        public Builder solver(ShardSolver solver) {
            if (solver == null) {
                throw new IllegalArgumentException("solver must not be null; e.g. SparkGadmm.linearRegression()");
            }
            this.solver = solver;
            return this;
        }

        /** Consecutive chain workers per task (per RDD partition), default 1. */
        public Builder workersPerTask(int workersPerTask) {
            if (workersPerTask < 1) {
                throw new IllegalArgumentException("workersPerTask must be >= 1, got " + workersPerTask);
            }
            this.workersPerTask = workersPerTask;
            return this;
        }

        /** Updater steps per primal step of a network's worker (default {@value NetworkSolver#DEFAULT_LOCAL_STEPS}). */
        public Builder localSteps(int localSteps) {
            if (localSteps < 1) {
                throw new IllegalArgumentException("localSteps must be >= 1, got " + localSteps);
            }
            this.localSteps = localSteps;
            return this;
        }

        /** Minibatch size of a network's worker (default {@value NetworkSolver#DEFAULT_BATCH_SIZE}). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Which model {@link Result#consensus()} is and a network receives (default {@link ConsensusModel#MEAN}). */
        public Builder consensus(ConsensusModel consensusModel) {
            if (consensusModel == null) {
                throw new IllegalArgumentException("consensus model must not be null");
            }
            this.consensusModel = consensusModel;
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
        public Builder iterationHook(RankHook hook) {
            this.hook = hook;
            return this;
        }

        public SparkGadmm build() {
            return new SparkGadmm(this);
        }
    }
}
