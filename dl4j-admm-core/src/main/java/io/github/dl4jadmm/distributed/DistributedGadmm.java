package io.github.dl4jadmm.distributed;

import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmIterationMetrics;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LocalSolver;
import io.github.dl4jadmm.gadmm.NetworkSolver;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Q-GADMM and Q-SGADMM (algorithms.md §3) with the chain's workers spread over ranks (threads, processes or
 * machines): each rank runs the workers of its {@link WorkerPartition} range in a rank-local {@link GadmmTrainer}
 * ({@link GadmmTrainer#forWorkers}) whose channel is a {@link TransportChannel}, so only the models of the two
 * workers at the edge between two ranges cross between neighbouring ranks, encoded exactly as in the single-JVM
 * trainer. The blocking receives of the channel replace the trainer's phase barriers across ranks: a rank's tails
 * wait for the neighbouring rank's head, and its heads for the neighbouring tail before the dual step. The iterates,
 * bits and bytes are those of the single-JVM trainer.
 *
 * <p>One call of {@link #runRank} per rank. Before the first iteration the ranks check, in one chain all-gather, that
 * they were given the same configuration ({@link GadmmConfig#toJson()}), the same partition of the same number of
 * workers, and solvers of the same model (dimension, parameter tensors, wire type, initial model); a mismatch stops
 * every rank with an {@link IllegalStateException} naming the rank that differs. When a rank fails it
 * {@link MessageTransport#abort aborts} its transport, so its neighbours stop too, and so on along the chain, instead
 * of waiting.
 *
 * <p>Q-SGADMM is the same run with {@link NetworkSolver}s: build a rank's solvers with
 * {@link SgadmmTrainer.Builder#workerSolvers}, which gives every worker the replica and minibatch seed of the
 * single-JVM {@link SgadmmTrainer}, and write {@link #consensus(List)} into the network afterwards.
 *
 * <p>No checkpoints: unlike pdADMM-G ({@link DistributedPdAdmm}), a GADMM rank keeps no per-worker checkpoints, so a
 * failed run starts again from iteration 0.
 *
 * <pre>{@code
 * WorkerPartition partition = WorkerPartition.even(8, 4);                 // 8 workers, 2 per rank
 * int rank = transport.rank();
 * List<LocalSolver> mine = myShards.stream().map(LinearRegressionSolver::of).toList();   // this rank's 2 shards
 * RankResult result = DistributedGadmm.runRank(config, partition, mine, transport, RankOptions.defaults());
 * }</pre>
 */
public final class DistributedGadmm {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Separates the fields of the start-up all-gather message (never part of JSON or of the other fields). */
    private static final String FIELD = "\u001F";

    private DistributedGadmm() {
    }

    /** Called after every iteration of a rank, e.g. for progress or to inject a failure in tests. */
    @FunctionalInterface
    public interface IterationHook {
        void iterationDone(int rank, GadmmTrainer trainer, GadmmIterationMetrics metrics) throws Exception;
    }

    /**
     * How a rank runs.
     *
     * @param timeout how long to wait for a neighbour's message before failing
     * @param hook    called after every iteration, or null
     */
    public record RankOptions(Duration timeout, IterationHook hook) {

        public RankOptions {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        /** 2 minutes' patience per message, no hook. */
        public static RankOptions defaults() {
            return new RankOptions(Duration.ofMinutes(2), null);
        }

        public RankOptions withTimeout(Duration value) {
            return new RankOptions(value, hook);
        }

        public RankOptions withHook(IterationHook value) {
            return new RankOptions(timeout, value);
        }
    }

    /**
     * What one rank trained.
     *
     * @param rank           the rank
     * @param firstWorker    its first worker (1-based)
     * @param lastWorker     its last worker (inclusive)
     * @param models         the models {@code theta_n} of its workers, first worker first
     * @param iterations     iterations run
     * @param paperBits      paper bits of its workers' transmissions (each broadcast once)
     * @param bytesSent      encoded bytes its workers sent (to other ranks and between its own workers)
     * @param transportBytes the part of {@code bytesSent} that went to other ranks
     * @param wireBytes      bytes the transport put on the wire (framing and the start-up all-gather included)
     * @param seconds        wall time of the iterations (setup and the start-up check excluded)
     * @param history        metrics of every iteration, over this rank's workers (see {@link GadmmIterationMetrics})
     */
    public record RankResult(int rank, int firstWorker, int lastWorker, List<double[]> models, int iterations,
                             long paperBits, long bytesSent, long transportBytes, long wireBytes, double seconds,
                             List<GadmmIterationMetrics> history) {

        public RankResult {
            models = List.copyOf(models);
            history = List.copyOf(history);
        }

        /** The model of {@code worker} (1-based, one of this rank's workers); do not modify. */
        public double[] model(int worker) {
            if (worker < firstWorker || worker > lastWorker) {
                throw new IllegalArgumentException("rank " + rank + " holds workers " + firstWorker + ".."
                        + lastWorker + ", not worker " + worker);
            }
            return models.get(worker - firstWorker);
        }

        /** Seconds per iteration. */
        public double secondsPerIteration() {
            return iterations == 0 ? Double.NaN : seconds / iterations;
        }
    }

    /**
     * Runs this rank's workers to {@link GadmmConfig#iterations()} iterations.
     *
     * @param config     the run's configuration, the same on every rank
     * @param partition  which workers each rank holds, the same on every rank
     * @param ownSolvers the local solvers of this rank's workers {@code partition.firstWorker(rank) ..
     *                   partition.lastWorker(rank)}, in chain order
     * @param transport  connected to the neighbouring ranks; the caller closes it afterwards
     * @throws IllegalArgumentException if the partition does not fit the transport or the solvers the partition
     * @throws IllegalStateException    if the ranks were given different configurations, partitions or models (every
     *                                  rank stops)
     * @throws TransportException       if a neighbour failed or did not answer in time
     */
    public static RankResult runRank(GadmmConfig config, WorkerPartition partition,
                                     List<? extends LocalSolver> ownSolvers, MessageTransport transport,
                                     RankOptions options) {
        return InJvmRanks.abortingOnFailure(transport, () -> run(config, partition, ownSolvers, transport, options));
    }

    private static RankResult run(GadmmConfig config, WorkerPartition partition,
                                  List<? extends LocalSolver> ownSolvers, MessageTransport transport,
                                  RankOptions options) {
        int rank = transport.rank();
        if (config == null || partition == null || options == null) {
            throw new IllegalArgumentException("config, partition and options must not be null");
        }
        if (partition.ranks() != transport.size()) {
            throw new IllegalArgumentException("the partition (" + partition + ") has " + partition.ranks()
                    + " ranks but the transport connects " + transport.size());
        }
        int first = partition.firstWorker(rank);
        int last = partition.lastWorker(rank);
        if (ownSolvers == null || ownSolvers.size() != partition.size(rank)) {
            throw new IllegalArgumentException("rank " + rank + " holds workers " + first + ".." + last + " ("
                    + partition.size(rank) + ") but was given " + (ownSolvers == null ? 0 : ownSolvers.size())
                    + " solver(s); give one solver per worker of the rank");
        }
        GadmmTrainer trainer = GadmmTrainer.forWorkers(config, partition.workers(), first, ownSolvers,
                codec -> new TransportChannel(codec, transport, partition::ownerOf, options.timeout()));
        try {
            checkSameRun(config, partition, ownSolvers.get(0), transport, options.timeout());
            List<GadmmIterationMetrics> history = new ArrayList<>();
            long start = System.nanoTime();
            while (trainer.iterationCount() < config.iterations()) {
                GadmmIterationMetrics metrics = trainer.iterate();
                history.add(metrics);
                if (options.hook() != null) {
                    options.hook().iterationDone(rank, trainer, metrics);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<double[]> models = new ArrayList<>();
            for (int n = first; n <= last; n++) {
                models.add(trainer.model(n));
            }
            TransportChannel channel = (TransportChannel) trainer.channel();
            return new RankResult(rank, first, last, models, trainer.iterationCount(), trainer.paperBitsSent(),
                    channel.bytesSent(), channel.remoteBytesSent(), transport.wireBytesSent(), seconds, history);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("rank " + rank + "'s iteration hook failed: " + e, e);
        } finally {
            trainer.close();
        }
    }

    /**
     * The start-up all-gather: every rank's configuration, partition and model description; throws naming the first
     * rank whose values differ from this rank's.
     */
    private static void checkSameRun(GadmmConfig config, WorkerPartition partition, LocalSolver solver,
                                     MessageTransport transport, Duration timeout) {
        int rank = transport.rank();
        String[] mine = {config.toJson(), String.valueOf(partition.workers()), partition.toString(),
                String.valueOf(solver.dimension()), Arrays.toString(solver.segments()) + " " + solver.wireType(),
                fingerprint(solver.initialModel())};
        List<String> all = ChainCollective.allGather(transport, String.join(FIELD, mine), timeout);
        for (int r = 0; r < all.size(); r++) {
            String[] theirs = all.get(r).split(FIELD, -1);
            if (theirs.length != mine.length) {
                throw new IllegalStateException("rank " + r + " sent a start-up message of " + theirs.length
                        + " fields, rank " + rank + " expects " + mine.length + "; run the same version everywhere");
            }
            if (!theirs[0].equals(mine[0])) {
                throw new IllegalStateException("rank " + r + " was given a different GADMM configuration than rank "
                        + rank + " (" + differences(theirs[0], mine[0]) + "); give every rank the same GadmmConfig");
            }
            if (!theirs[1].equals(mine[1])) {
                throw new IllegalStateException("rank " + r + " trains a chain of " + theirs[1] + " workers but rank "
                        + rank + " one of " + mine[1] + "; give every rank the same WorkerPartition");
            }
            if (!theirs[2].equals(mine[2])) {
                throw new IllegalStateException("rank " + r + " splits the chain as [" + theirs[2] + "] but rank "
                        + rank + " as [" + mine[2] + "]; give every rank the same WorkerPartition");
            }
            if (!theirs[3].equals(mine[3])) {
                throw new IllegalStateException("rank " + r + "'s workers train a model of " + theirs[3]
                        + " parameters but rank " + rank + "'s one of " + mine[3] + "; every worker must train the "
                        + "same model (for regression, every shard needs the same feature columns)");
            }
            if (!theirs[4].equals(mine[4])) {
                throw new IllegalStateException("rank " + r + "'s parameter tensors " + theirs[4] + " differ from rank "
                        + rank + "'s " + mine[4] + "; every worker must train the same model");
            }
            if (!theirs[5].equals(mine[5])) {
                throw new IllegalStateException("rank " + r + "'s workers start from a different model than rank "
                        + rank + "'s; every worker must start from the same model (e.g. clones of one initialised "
                        + "network), which is also every theta_hat's starting value");
            }
        }
    }

    /** SHA-256 of the model's doubles, in hex. */
    private static String fingerprint(double[] model) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * model.length);
        for (double v : model) {
            bytes.putDouble(v);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The settings whose values differ between two {@link GadmmConfig#toJson()} documents, for error messages. */
    static String differences(String theirs, String mine) {
        try {
            Map<?, ?> a = JSON.readValue(theirs, Map.class);
            Map<?, ?> b = JSON.readValue(mine, Map.class);
            TreeSet<String> keys = new TreeSet<>();
            a.keySet().forEach(k -> keys.add(String.valueOf(k)));
            b.keySet().forEach(k -> keys.add(String.valueOf(k)));
            List<String> differing = new ArrayList<>();
            for (String k : keys) {
                if (!Objects.equals(a.get(k), b.get(k))) {
                    differing.add(k + " " + a.get(k) + " there, " + b.get(k) + " here");
                }
            }
            return differing.isEmpty() ? "the JSON differs" : String.join("; ", differing);
        } catch (JsonProcessingException e) {
            return "unreadable configuration";
        }
    }

    /**
     * The mean of every worker's model {@code (1/N) sum_n theta_n} from the results of all ranks: the same numbers
     * as {@link GadmmTrainer#consensus()} of the single-JVM trainer (added in worker order).
     *
     * @throws IllegalArgumentException if the results do not cover workers {@code 1..N} exactly once
     */
    public static double[] consensus(List<RankResult> ranks) {
        if (ranks == null || ranks.isEmpty()) {
            throw new IllegalArgumentException("give the results of every rank");
        }
        List<RankResult> ordered = ranks.stream().sorted(Comparator.comparingInt(RankResult::firstWorker)).toList();
        int next = 1;
        for (RankResult r : ordered) {
            if (r.firstWorker() != next) {
                throw new IllegalArgumentException("the results cover workers up to " + (next - 1) + " and then rank "
                        + r.rank() + "'s " + r.firstWorker() + ".." + r.lastWorker() + "; give the result of every "
                        + "rank, once each");
            }
            next = r.lastWorker() + 1;
        }
        int dimension = ordered.get(0).models().get(0).length;
        double[] mean = new double[dimension];
        int workers = 0;
        for (RankResult r : ordered) {
            for (double[] theta : r.models()) {
                for (int i = 0; i < dimension; i++) {
                    mean[i] += theta[i];
                }
                workers++;
            }
        }
        for (int i = 0; i < dimension; i++) {
            mean[i] /= workers;
        }
        return mean;
    }

    /**
     * Runs every rank as a thread of this JVM over an {@link InJvmTransport}: the reference for the multi-process
     * transports, and a way to try a partition without a cluster.
     *
     * @param solvers one local solver per worker of the whole chain, in chain order; rank {@code r} gets those of
     *                its range
     * @return every rank's result, by rank
     */
    public static List<RankResult> runInJvm(GadmmConfig config, WorkerPartition partition,
                                            List<? extends LocalSolver> solvers, RankOptions options) {
        if (partition == null || solvers == null || solvers.size() != partition.workers()) {
            throw new IllegalArgumentException("give one solver per worker of the partition: "
                    + (partition == null ? "no partition" : partition.workers() + " workers") + ", "
                    + (solvers == null ? 0 : solvers.size()) + " solver(s)");
        }
        return InJvmRanks.run(partition.ranks(), "gadmm-rank", (rank, transport) -> runRank(config, partition,
                solvers.subList(partition.firstWorker(rank) - 1, partition.lastWorker(rank)), transport, options));
    }
}
