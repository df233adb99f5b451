package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.TensorCodec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Q-SGADMM (algorithms.md §3.3): decentralised data-parallel training of a user's DL4J {@link MultiLayerNetwork}
 * over a chain of workers, each with a replica ({@code net.clone()}) and its own shard. Each iteration every worker
 * takes a few steps of the network's own updater on its local augmented Lagrangian ({@link NetworkSolver}), sends
 * its model quantised per parameter tensor, and the duals move with a damped step; the engine is
 * {@link GadmmTrainer}. After training, the consensus model (the workers' mean, or worker 1's) is written into the
 * user's network, which then works as usual ({@code output}, {@code evaluate}, {@code fit}, saving).
 *
 * <pre>{@code
 * MultiLayerNetwork net = ...; net.init();                  // any Dense/Output MLP with its own updater, e.g. Adam
 * try (SgadmmTrainer trainer = SgadmmTrainer.builder(net)
 *         .config(SgadmmTrainer.authorsConfig().iterations(100).build())   // rho 20, alpha 0.01, 8 bits
 *         .build(SgadmmTrainer.shards(trainData, 10, 42))) {
 *     trainer.fit();                                        // writes the consensus model into net
 * }
 * Evaluation eval = net.evaluate(testIterator);
 * }</pre>
 *
 * <p>DL4J listeners of the user's network see one call of {@code iterationDone} per ADMM iteration (with the
 * consensus model written into the network, its score set to the workers' mean minibatch score and its gradient to
 * the step the consensus model took), framed by {@code onEpochStart}/{@code onEpochEnd} per {@link #fit()} call.
 */
public final class SgadmmTrainer implements AutoCloseable {

    private final MultiLayerNetwork network;
    private final GadmmTrainer engine;
    private final List<NetworkSolver> solvers;
    private final ConsensusModel consensusModel;

    private SgadmmTrainer(MultiLayerNetwork network, GadmmTrainer engine, List<NetworkSolver> solvers,
                          ConsensusModel consensusModel) {
        this.network = network;
        this.engine = engine;
        this.solvers = solvers;
        this.consensusModel = consensusModel;
    }

    /** A builder training {@code network} (initialised, with its updater configured). */
    public static Builder builder(MultiLayerNetwork network) {
        return new Builder(network);
    }

    /**
     * The authors' Q-SGADMM settings: {@code rho = 20}, {@code alpha = 0.01}, 8 bits, fixed width, no objective
     * evaluation (a full pass over every shard). Set the iterations and anything else on the returned builder.
     */
    public static GadmmConfig.Builder authorsConfig() {
        return GadmmConfig.builder().rho(20).alpha(0.01).bits(8).objectiveFrequency(0);
    }

    /**
     * Splits {@code data} into {@code workers} shards of (nearly) equal size after a seeded shuffle of the rows.
     *
     * @throws IllegalArgumentException if there are fewer than 2 workers or fewer rows than workers
     */
    public static List<DataSet> shards(DataSet data, int workers, long seed) {
        if (workers < 2) {
            throw new IllegalArgumentException("Q-SGADMM needs at least 2 workers, got " + workers);
        }
        int rows = data.numExamples();
        if (rows < workers) {
            throw new IllegalArgumentException(rows + " samples cannot feed " + workers + " workers");
        }
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<DataSet> shards = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            int from = (int) ((long) rows * w / workers);
            int to = (int) ((long) rows * (w + 1) / workers);
            int[] idx = java.util.Arrays.copyOfRange(order, from, to);
            shards.add(new DataSet(data.getFeatures().getRows(idx), data.getLabels().getRows(idx)));
        }
        return shards;
    }

    /** Runs {@link GadmmConfig#iterations()} iterations and writes the consensus model into the network. */
    public List<GadmmIterationMetrics> fit() {
        return fit(engine.config().iterations());
    }

    /** Runs {@code iterations} iterations and writes the consensus model into the network. */
    public List<GadmmIterationMetrics> fit(int iterations) {
        Collection<TrainingListener> listeners = network.getListeners();
        boolean notify = listeners != null && !listeners.isEmpty();
        if (notify) {
            listeners.forEach(l -> l.onEpochStart(network));
        }
        List<GadmmIterationMetrics> history = new ArrayList<>(iterations);
        for (int i = 0; i < iterations; i++) {
            history.add(engine.iterate());
            if (notify) {
                notifyIteration(listeners);
            }
        }
        writeConsensus();
        if (notify) {
            listeners.forEach(l -> l.onEpochEnd(network));
            network.incrementEpochCount();
        }
        return history;
    }

    private void notifyIteration(Collection<TrainingListener> listeners) {
        INDArray params = network.params();
        INDArray before = params.dup();
        writeConsensus();
        INDArray step = before.subi(params).reshape(params.length());
        DefaultGradient gradient = new DefaultGradient(step);
        for (Map.Entry<String, INDArray> e : network.paramTable().entrySet()) {
            INDArray p = e.getValue();
            long offset = p.offset() - params.offset();
            INDArray piece = step.get(NDArrayIndex.interval(offset, offset + p.length()));
            gradient.setGradientFor(e.getKey(), piece.reshape(p.ordering(), p.shape()));
        }
        MultiLayerNetwork first = solvers.get(0).network();
        network.setInput(first.getInput());
        network.setLabels(first.getLabels());
        network.setScore(solvers.stream().mapToDouble(NetworkSolver::lastScore).average().orElse(Double.NaN));
        network.setGradient(gradient);
        int iteration = network.getIterationCount();
        int epoch = network.getEpochCount();
        listeners.forEach(l -> l.iterationDone(network, iteration, epoch));
        BaseOptimizer.incrementIterationCount(network, 1);
    }

    /** Writes the consensus model ({@link ConsensusModel}) into the user's network, in place. */
    public void writeConsensus() {
        double[] model = consensusModel == ConsensusModel.MEAN ? engine.consensus() : engine.model(1);
        INDArray params = network.params();
        params.assign(Vectors.toTensor(model, solvers.get(0).wireType()).castTo(params.dataType())
                .reshape(params.shape()));
    }

    /** The consensus model as a flat vector (without writing it into the network). */
    public double[] consensus() {
        return consensusModel == ConsensusModel.MEAN ? engine.consensus() : engine.model(1);
    }

    /** Classification metrics of the network (after {@link #writeConsensus()}) on {@code data}. */
    public Evaluation evaluate(DataSet data) {
        Evaluation evaluation = new Evaluation();
        evaluation.eval(data.getLabels(), network.output(data.getFeatures(), false));
        return evaluation;
    }

    /**
     * The largest distance of a worker's model from the consensus, relative to the consensus norm:
     * {@code max_n ||theta_n - mean|| / ||mean||}.
     */
    public double relativeDisagreement() {
        double[] mean = engine.consensus();
        double norm = Math.sqrt(Vectors.squaredNorm(mean));
        double worst = 0;
        for (int n = 1; n <= engine.workers(); n++) {
            worst = Math.max(worst, Math.sqrt(Vectors.squaredDistance(engine.model(n), mean)));
        }
        return worst / norm;
    }

    /** The engine (models, duals, bit and byte counts, listeners). */
    public GadmmTrainer engine() {
        return engine;
    }

    /** Worker {@code n}'s replica (1-based). */
    public MultiLayerNetwork workerNetwork(int worker) {
        return solvers.get(worker - 1).network();
    }

    /** The user's network, into which the consensus model is written. */
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Builder of a {@link SgadmmTrainer}. */
    public static final class Builder {
        private final MultiLayerNetwork network;
        private GadmmConfig config = authorsConfig().build();
        private int localSteps = NetworkSolver.DEFAULT_LOCAL_STEPS;
        private int batchSize = NetworkSolver.DEFAULT_BATCH_SIZE;
        private ConsensusModel consensusModel = ConsensusModel.MEAN;
        private Function<TensorCodec, Channel> transport = LocalChannel::new;

        private Builder(MultiLayerNetwork network) {
            if (network == null) {
                throw new IllegalArgumentException("network must not be null");
            }
            if (!network.isInitCalled()) {
                throw new IllegalArgumentException("the network is not initialised; call net.init() before training");
            }
            this.network = network;
        }

        /** The run's configuration (default: {@link #authorsConfig()} with 100 iterations). */
        public Builder config(GadmmConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = config;
            return this;
        }

        /** Updater steps per primal step (default 10). */
        public Builder localSteps(int localSteps) {
            if (localSteps < 1) {
                throw new IllegalArgumentException("localSteps must be >= 1, got " + localSteps);
            }
            this.localSteps = localSteps;
            return this;
        }

        /** Minibatch size (default 100). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Which model is written back (default {@link ConsensusModel#MEAN}). */
        public Builder consensus(ConsensusModel consensusModel) {
            if (consensusModel == null) {
                throw new IllegalArgumentException("consensus model must not be null");
            }
            this.consensusModel = consensusModel;
            return this;
        }

        /** The channel around the trainer's codec (default {@code LocalChannel::new}). */
        public Builder transport(Function<TensorCodec, Channel> transport) {
            if (transport == null) {
                throw new IllegalArgumentException("transport must not be null");
            }
            this.transport = transport;
            return this;
        }

        /**
         * One replica of the network and one worker per shard, in chain order.
         *
         * @throws IllegalArgumentException if there are fewer than 2 shards or they disagree on their columns
         */
        public SgadmmTrainer build(List<DataSet> shards) {
            if (shards == null || shards.size() < 2) {
                throw new IllegalArgumentException("Q-SGADMM needs at least 2 workers, got "
                        + (shards == null ? 0 : shards.size()) + " shard(s); split the data with "
                        + "SgadmmTrainer.shards(data, workers, seed)");
            }
            List<NetworkSolver> solvers = workerSolvers(1, shards);
            return new SgadmmTrainer(network, new GadmmTrainer(config, solvers, transport), solvers, consensusModel);
        }

        /**
         * The primal steps of workers {@code firstWorker, firstWorker + 1, ...}, one per shard: each a replica of
         * the network ({@code net.clone()}, listeners removed) with the local steps, batch size and minibatch seed
         * that {@link #build} gives that worker. For one rank of a distributed Q-SGADMM run, which holds only some
         * of the chain's workers ({@code io.github.dl4jadmm.distributed.DistributedGadmm}); {@link SgadmmTrainer}
         * itself has no rank-local mode, since it writes the mean of every worker's model into the network.
         *
         * @param firstWorker the chain position (1-based) of the first shard's worker
         * @param shards      the shards of consecutive workers, at least one
         * @throws IllegalArgumentException if the shards disagree on their columns
         */
        public List<NetworkSolver> workerSolvers(int firstWorker, List<DataSet> shards) {
            if (firstWorker < 1) {
                throw new IllegalArgumentException("workers are numbered from 1, got firstWorker = " + firstWorker);
            }
            if (shards == null || shards.isEmpty()) {
                throw new IllegalArgumentException("give at least one shard");
            }
            long features = shards.get(0).getFeatures().columns();
            long labels = shards.get(0).getLabels().columns();
            for (int i = 1; i < shards.size(); i++) {
                DataSet s = shards.get(i);
                if (s.getFeatures().columns() != features || s.getLabels().columns() != labels) {
                    throw new IllegalArgumentException("shard " + (i + 1) + " has " + s.getFeatures().columns()
                            + " feature and " + s.getLabels().columns() + " label columns but shard 1 has " + features
                            + " and " + labels + "; every worker's shard must have the same columns");
                }
            }
            List<NetworkSolver> solvers = new ArrayList<>(shards.size());
            for (int i = 0; i < shards.size(); i++) {
                MultiLayerNetwork replica = network.clone();
                replica.setListeners(new ArrayList<TrainingListener>());
                long seed = config.seed() * 1_000_003L + (firstWorker - 1 + i);
                solvers.add(new NetworkSolver(replica, shards.get(i), localSteps, batchSize, seed));
            }
            return solvers;
        }
    }
}
