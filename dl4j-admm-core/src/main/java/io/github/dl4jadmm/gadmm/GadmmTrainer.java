package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.parallel.PhaseExecutor;
import io.github.dl4jadmm.pdadmm.Devices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Group ADMM over a chain of workers, exact (GADMM) or with quantised models (Q-GADMM), algorithms.md §3. Worker
 * {@code n} holds its own data behind a {@link LocalSolver}; workers {@code 1, 3, 5, ...} are heads, the others
 * tails. One iteration:
 *
 * <ol>
 *   <li>heads, in parallel: primal step with the tails' latest quantised models, then one broadcast each;</li>
 *   <li>tails, in parallel: receive the heads' new models, primal step, broadcast;</li>
 *   <li>all, in parallel: heads receive the tails' models; both endpoints of every edge update their copy of
 *       {@code lambda_n += alpha rho (theta_hat_n - theta_hat_{n+1})} from the quantised models.</li>
 * </ol>
 *
 * Models cross between workers only through the {@link Channel}: encoded to bytes (a {@link BroadcastDeltaCodec}
 * when quantised, {@link RawTensorCodec} when exact), decoded and counted. Every worker is a task on an executor,
 * its thread pinned to the worker's device (a no-op on the CPU backend). Runs are reproducible: equal configurations
 * and data give bit-identical models whatever the number of worker threads (see {@link GadmmConfig} for networks).
 *
 * <pre>{@code
 * List<LocalSolver> shards = ...;                       // e.g. LinearRegressionSolver per worker
 * GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(500).build();
 * try (GadmmTrainer trainer = new GadmmTrainer(config, shards)) {
 *     trainer.addListener((t, m) -> System.out.println(m.summary()));
 *     trainer.fit();
 *     double[] model = trainer.consensus();
 * }
 * }</pre>
 *
 * <p><b>Rank-local mode.</b> {@link #forWorkers} builds a trainer that holds only workers
 * {@code firstWorker .. lastWorker} of an {@code N}-worker chain, for one rank of a distributed run
 * ({@code io.github.dl4jadmm.distributed.DistributedGadmm}); the other workers live in other processes and are reached
 * through a channel whose {@link Channel#receive} blocks until the neighbour's message arrives, which makes the
 * phases of neighbouring ranks wait for each other. The iterates are those of the single-JVM trainer. What a rank
 * can compute from its own workers is computed over them only ({@link #objective()}, the metrics: see
 * {@link GadmmIterationMetrics}); what needs every worker ({@link #consensus()}) is refused, and so is reading a
 * worker that another rank holds.
 *
 * <p>Not thread-safe: drive it from one thread. {@link #close()} releases the worker executor and the channel.
 */
public final class GadmmTrainer implements AutoCloseable {

    private final GadmmConfig config;
    private final List<GadmmWorker> workers = new ArrayList<>();
    private final List<GadmmWorker> heads = new ArrayList<>();
    private final List<GadmmWorker> tails = new ArrayList<>();
    private final List<GadmmListener> listeners = new ArrayList<>();
    private final Channel channel;
    private final ModelExchange exchange;
    private final PhaseExecutor executor;
    private final int dimension;
    /** Workers on the whole chain, {@code N}. */
    private final int totalWorkers;
    /** The first worker this trainer holds (1 unless it is one rank of a distributed run). */
    private final int firstWorker;
    private int iteration;

    /** A trainer whose workers exchange models over an in-JVM {@link LocalChannel}. */
    public GadmmTrainer(GadmmConfig config, List<? extends LocalSolver> solvers) {
        this(config, solvers, LocalChannel::new);
    }

    /**
     * A trainer with a transport of the caller's choice.
     *
     * @param config    the run's configuration
     * @param solvers   one local solver per worker, in chain order (at least 2, all of the same model)
     * @param transport makes the channel around the codec the trainer chooses (e.g. {@code LocalChannel::new})
     * @throws IllegalArgumentException if there are fewer than 2 workers or the workers' models disagree
     */
    public GadmmTrainer(GadmmConfig config, List<? extends LocalSolver> solvers,
                        Function<TensorCodec, Channel> transport) {
        this(config, solvers == null ? 0 : solvers.size(), 1, solvers, transport);
    }

    /**
     * A rank-local trainer holding workers {@code firstWorker .. firstWorker + ownSolvers.size() - 1} of a chain of
     * {@code totalWorkers} (see the class comment). Every rank must be given the same configuration, and solvers of
     * the same model starting from the same initial model; {@code io.github.dl4jadmm.distributed.DistributedGadmm}
     * checks that across ranks before the first iteration.
     *
     * @param totalWorkers the length {@code N} of the whole chain, at least 2
     * @param firstWorker  the first worker held here, 1-based
     * @param ownSolvers   the local solvers of the workers held here, in chain order (at least 1)
     * @param transport    makes the channel around the trainer's codec; links to workers held elsewhere must block in
     *                     {@link Channel#receive} until their message arrives (e.g. a
     *                     {@code io.github.dl4jadmm.distributed.TransportChannel})
     * @throws IllegalArgumentException if the workers are not a range within {@code 1..totalWorkers} or the solvers'
     *                                  models disagree
     */
    public static GadmmTrainer forWorkers(GadmmConfig config, int totalWorkers, int firstWorker,
                                          List<? extends LocalSolver> ownSolvers,
                                          Function<TensorCodec, Channel> transport) {
        int owned = ownSolvers == null ? 0 : ownSolvers.size();
        if (totalWorkers < 2) {
            throw new IllegalArgumentException("GADMM needs at least 2 workers on its chain, got totalWorkers = "
                    + totalWorkers);
        }
        if (owned < 1 || firstWorker < 1 || firstWorker + owned - 1 > totalWorkers) {
            throw new IllegalArgumentException("a rank holds a non-empty range of workers within 1.." + totalWorkers
                    + "; got " + owned + " solver(s) starting at worker " + firstWorker);
        }
        return new GadmmTrainer(config, totalWorkers, firstWorker, ownSolvers, transport);
    }

    /** The common constructor: {@code solvers} are those of workers {@code firstWorker ..} of {@code totalWorkers}. */
    private GadmmTrainer(GadmmConfig config, int totalWorkers, int firstWorker, List<? extends LocalSolver> solvers,
                         Function<TensorCodec, Channel> transport) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null; use GadmmConfig.builder().build()");
        }
        validate(solvers, firstWorker, totalWorkers);
        if (transport == null) {
            throw new IllegalArgumentException("transport must not be null; use LocalChannel::new");
        }
        this.config = config;
        this.totalWorkers = totalWorkers;
        this.firstWorker = firstWorker;
        int n = totalWorkers;
        int owned = solvers.size();
        LocalSolver first = solvers.get(0);
        this.dimension = first.dimension();
        DataType type = first.wireType();
        double[] initial = first.initialModel();
        BroadcastDeltaCodec codec = config.quantized()
                ? new BroadcastDeltaCodec(n, first.segments(), initial, type, config.bits(), config.bitWidthRule(),
                config.quantizer().seed())
                : null;
        this.channel = transport.apply(codec == null ? RawTensorCodec.INSTANCE : codec);
        if (channel == null) {
            throw new IllegalArgumentException("transport returned a null channel");
        }
        this.exchange = new ModelExchange(channel, n, codec, dimension, type);
        int[] devices = placement(n, config.devicePlacement());
        double[] initialHat = Vectors.roundTo(type, initial.clone());
        for (int i = 0; i < owned; i++) {
            int index = firstWorker + i;
            GadmmWorker w = new GadmmWorker(index, n, devices[index - 1], solvers.get(i), initial, initialHat);
            workers.add(w);
            (w.head ? heads : tails).add(w);
        }
        int threads = config.threads() > 0 ? config.threads()
                : Math.min(owned, Runtime.getRuntime().availableProcessors());
        this.executor = PhaseExecutor.withThreads(threads, "gadmm-worker");
    }

    /**
     * One linear-regression worker per shard ({@link LinearRegressionSolver}; the shard's labels are the targets).
     *
     * @throws IllegalArgumentException if the shards do not all have the same feature columns
     */
    public static GadmmTrainer linearRegression(GadmmConfig config, List<DataSet> shards) {
        checkShards(shards);
        return new GadmmTrainer(config, shards.stream().map(LinearRegressionSolver::of).toList());
    }

    /**
     * One logistic-regression worker per shard ({@link LogisticRegressionSolver}; labels 0/1 or -1/+1).
     *
     * @throws IllegalArgumentException if the shards do not all have the same feature columns
     */
    public static GadmmTrainer logisticRegression(GadmmConfig config, List<DataSet> shards) {
        checkShards(shards);
        return new GadmmTrainer(config, shards.stream()
                .map(s -> new LogisticRegressionSolver(s.getFeatures(), s.getLabels())).toList());
    }

    /** Registers a listener, called after every iteration in registration order. */
    public GadmmTrainer addListener(GadmmListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Runs {@link GadmmConfig#iterations()} iterations and returns their metrics. */
    public List<GadmmIterationMetrics> fit() {
        return fit(config.iterations());
    }

    /** Runs {@code iterations} iterations and returns their metrics. */
    public List<GadmmIterationMetrics> fit(int iterations) {
        List<GadmmIterationMetrics> history = new ArrayList<>(iterations);
        for (int i = 0; i < iterations; i++) {
            history.add(iterate());
        }
        return history;
    }

    /**
     * One iteration (heads, tails, duals; see the class comment).
     *
     * @throws GadmmDivergenceException if a worker's model becomes NaN or infinite
     */
    public GadmmIterationMetrics iterate() {
        long bytesBefore = channel.bytesSent();
        long bitsBefore = exchange.paperBitsSent();
        double rho = config.rho();
        double alpha = config.alpha();
        long start = System.nanoTime();
        runPhase(heads, w -> w.primalStep(exchange, rho));
        runPhase(tails, w -> {
            w.receiveFromNeighbours(exchange);
            w.primalStep(exchange, rho);
        });
        runPhase(workers, w -> {
            if (w.head) {
                w.receiveFromNeighbours(exchange);
            }
            w.dualStep(alpha, rho);
        });
        double seconds = (System.nanoTime() - start) / 1e9;

        int every = config.objectiveFrequency();
        double objective = every > 0 && (iteration + 1) % every == 0 ? objective() : Double.NaN;
        double consensus = 0;
        double quantization = 0;
        for (int i = 0; i < workers.size(); i++) {
            GadmmWorker w = workers.get(i);
            quantization += Vectors.squaredDistance(w.theta, w.ownHat);
            if (i + 1 < workers.size()) {
                consensus += Vectors.squaredDistance(w.theta, workers.get(i + 1).theta);
            }
        }
        long bits = exchange.paperBitsSent();
        long bytes = channel.bytesSent();
        GadmmIterationMetrics metrics = new GadmmIterationMetrics(iteration, objective, consensus, quantization,
                bits, bits - bitsBefore, bytes, bytes - bytesBefore, exchange.takeWidestCode(), seconds);
        iteration++;
        for (GadmmListener listener : listeners) {
            listener.iterationDone(this, metrics);
        }
        return metrics;
    }

    /**
     * {@code F = sum_n f_n(theta_n)}, the workers' local losses at their current models (evaluated in parallel); in
     * rank-local mode the sum over this trainer's workers only.
     */
    public double objective() {
        double[] losses = new double[workers.size()];
        runPhase(workers, w -> losses[w.index - firstWorker] = w.solver.loss(w.theta));
        double sum = 0;
        for (double l : losses) {
            sum += l;
        }
        return sum;
    }

    /**
     * The mean of the workers' models {@code (1/N) sum_n theta_n}.
     *
     * @throws IllegalStateException in rank-local mode: the mean needs every worker's model
     */
    public double[] consensus() {
        if (!holdsAllWorkers()) {
            throw new IllegalStateException("this trainer holds workers " + firstWorker + ".." + lastWorker() + " of "
                    + totalWorkers + " only; the consensus is the mean over every rank's workers: gather the models "
                    + "of all ranks (DistributedGadmm.consensus(results))");
        }
        double[] mean = new double[dimension];
        for (GadmmWorker w : workers) {
            for (int i = 0; i < dimension; i++) {
                mean[i] += w.theta[i];
            }
        }
        for (int i = 0; i < dimension; i++) {
            mean[i] /= workers.size();
        }
        return mean;
    }

    /** A copy of worker {@code n}'s model {@code theta_n} (1-based). */
    public double[] model(int worker) {
        return worker(worker).theta.clone();
    }

    /** A copy of worker {@code n}'s quantised model {@code theta_hat_n}, as its neighbours hold it. */
    public double[] quantizedModel(int worker) {
        return worker(worker).ownHat.clone();
    }

    /**
     * A copy of the dual {@code lambda_edge} of chain edge {@code edge} (between workers {@code edge} and
     * {@code edge + 1}) as worker {@code holder} keeps it; {@code holder} is {@code edge} or {@code edge + 1}.
     */
    public double[] dual(int edge, int holder) {
        if (edge < 1 || edge >= totalWorkers) {
            throw new IllegalArgumentException("edge must be in 1.." + (totalWorkers - 1) + ", got " + edge);
        }
        if (holder == edge) {
            return worker(holder).rightDual.clone();
        }
        if (holder == edge + 1) {
            return worker(holder).leftDual.clone();
        }
        throw new IllegalArgumentException("edge " + edge + " joins workers " + edge + " and " + (edge + 1)
                + "; worker " + holder + " holds no copy of its dual");
    }

    /** The local solver of worker {@code n} (1-based). */
    public LocalSolver solver(int worker) {
        return worker(worker).solver;
    }

    /** Number of workers {@code N} on the whole chain (in rank-local mode too). */
    public int workers() {
        return totalWorkers;
    }

    /** The first worker this trainer holds: 1, or the first of its rank's range in rank-local mode. */
    public int firstWorker() {
        return firstWorker;
    }

    /** The last worker this trainer holds: {@code N}, or the last of its rank's range in rank-local mode. */
    public int lastWorker() {
        return firstWorker + workers.size() - 1;
    }

    /** Whether this trainer holds every worker of the chain (false in rank-local mode on more than one rank). */
    public boolean holdsAllWorkers() {
        return workers.size() == totalWorkers;
    }

    /** Number of model parameters {@code d}. */
    public int dimension() {
        return dimension;
    }

    /** Number of iterations run so far. */
    public int iterationCount() {
        return iteration;
    }

    /**
     * Paper bits sent so far (each worker transmission once; see {@link GadmmIterationMetrics#paperBits()}); in
     * rank-local mode those of this trainer's workers.
     */
    public long paperBitsSent() {
        return exchange.paperBitsSent();
    }

    /** The channel the models travel over (its byte counts are per delivery). */
    public Channel channel() {
        return channel;
    }

    public GadmmConfig config() {
        return config;
    }

    /** The device each worker held here is pinned to, the first worker first. */
    public int[] devices() {
        return workers.stream().mapToInt(w -> w.device).toArray();
    }

    @Override
    public void close() {
        executor.close();
        channel.close();
    }

    /** Worker {@code n}'s state (1-based), for tests in this package. */
    GadmmWorker worker(int n) {
        if (n < 1 || n > totalWorkers) {
            throw new IllegalArgumentException("worker must be in 1.." + totalWorkers + ", got " + n);
        }
        if (n < firstWorker || n > lastWorker()) {
            throw new IllegalArgumentException("worker " + n + " lives on another rank; this trainer holds workers "
                    + firstWorker + ".." + lastWorker() + " of " + totalWorkers);
        }
        return workers.get(n - firstWorker);
    }

    private void runPhase(List<GadmmWorker> phase, Consumer<GadmmWorker> step) {
        executor.run(phase, w -> w.device, step);
    }

    /** Checks the solvers of workers {@code firstWorker ..} (all of them: {@code firstWorker = 1}). */
    private static void validate(List<? extends LocalSolver> solvers, int firstWorker, int totalWorkers) {
        if (solvers == null || totalWorkers < 2) {
            throw new IllegalArgumentException("GADMM needs at least 2 workers on its chain, got "
                    + (solvers == null ? 0 : solvers.size()) + "; split the data into 2 or more shards and give "
                    + "one LocalSolver per shard");
        }
        LocalSolver first = solvers.get(0);
        if (first == null) {
            throw new IllegalArgumentException("solver of worker " + firstWorker + " is null");
        }
        DataType type = first.wireType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("models travel as FLOAT or DOUBLE, worker " + firstWorker + "'s solver says " + type);
        }
        int[] segments = first.segments();
        double[] initial = first.initialModel();
        if (Arrays.stream(segments).sum() != first.dimension() || initial.length != first.dimension()) {
            throw new IllegalArgumentException("worker " + firstWorker + "'s solver has " + first.dimension() + " parameters but "
                    + "segments summing to " + Arrays.stream(segments).sum() + " and an initial model of "
                    + initial.length);
        }
        for (int i = 1; i < solvers.size(); i++) {
            LocalSolver s = solvers.get(i);
            int n = firstWorker + i;
            if (s == null) {
                throw new IllegalArgumentException("solver of worker " + n + " is null");
            }
            if (s.dimension() != first.dimension()) {
                throw new IllegalArgumentException("worker " + n + "'s model has " + s.dimension()
                        + " parameters but worker " + firstWorker + "'s has " + first.dimension() + ": every worker must train the "
                        + "same model (for regression, every shard needs the same feature columns)");
            }
            if (!Arrays.equals(s.segments(), segments) || s.wireType() != type) {
                throw new IllegalArgumentException("worker " + n + "'s parameter tensors "
                        + Arrays.toString(s.segments()) + " (" + s.wireType() + ") differ from worker " + firstWorker + "'s "
                        + Arrays.toString(segments) + " (" + type + "): every worker must train the same model");
            }
            if (!Arrays.equals(s.initialModel(), initial)) {
                throw new IllegalArgumentException("worker " + n + " starts from a different model than worker " + firstWorker + "; "
                        + "every worker must start from the same model (e.g. clones of one initialised network), "
                        + "which is also every theta_hat's starting value");
            }
        }
    }

    private static void checkShards(List<DataSet> shards) {
        if (shards == null || shards.size() < 2) {
            throw new IllegalArgumentException("GADMM needs at least 2 workers, got " + (shards == null ? 0
                    : shards.size()) + " shard(s); split the data into 2 or more shards, one per worker");
        }
        long features = shards.get(0).getFeatures().columns();
        for (int i = 1; i < shards.size(); i++) {
            long f = shards.get(i).getFeatures().columns();
            if (f != features) {
                throw new IllegalArgumentException("shard " + (i + 1) + " has " + f + " feature columns but shard 1 "
                        + "has " + features + "; every worker's shard must have the same features (same columns, "
                        + "same order)");
            }
        }
    }

    private static int[] placement(int workers, int[] explicit) {
        int devices = Devices.count();
        if (explicit == null) {
            int[] p = new int[workers];
            for (int i = 0; i < workers; i++) {
                p[i] = i % devices;
            }
            return p;
        }
        if (explicit.length != workers) {
            throw new IllegalArgumentException("device placement " + Arrays.toString(explicit) + " has "
                    + explicit.length + " entries but there are " + workers + " workers; give one device per worker");
        }
        for (int d : explicit) {
            if (d >= devices) {
                throw new IllegalArgumentException("device placement " + Arrays.toString(explicit) + " names device "
                        + d + " but ND4J sees " + devices + " device(s) (ids 0.." + (devices - 1) + ")");
            }
        }
        return explicit.clone();
    }
}
