package io.github.dl4jadmm.distributed;

import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.PdAdmmCheckpoint;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pdADMM-G with the layer blocks spread over ranks (threads, processes or machines): each rank runs the blocks of its
 * {@link LayerPartition} range in a rank-local {@link PdAdmmEngine} whose channel is a {@link TransportChannel}, so
 * only the p and q of the boundary between two ranges cross between neighbouring ranks. The iterates are those of
 * the single-JVM engine.
 *
 * <p>One call of {@link #runRank} per rank. Before the first iteration the ranks check, in one chain all-gather,
 * that they were given the same job and partition, and agree on where to start: if a checkpoint root is set, every
 * rank checkpoints its own blocks every {@code k} iterations under {@code root/rank-R}, and a rerun resumes from the
 * newest iteration that every rank has checkpointed (after a failure, e.g. when Spark retries the stage). When a
 * rank fails it {@link MessageTransport#abort aborts} its transport, so its neighbours stop too, and so on along
 * the chain, instead of waiting.
 *
 * <pre>{@code
 * PdAdmmJob job = new PdAdmmJob(architecture, config, x, y, initial.weights(), initial.biases());
 * LayerPartition partition = LayerPartition.even(architecture.layers(), 3);
 * RankResult mine = DistributedPdAdmm.runRank(job, partition, transport, RankOptions.defaults());
 * }</pre>
 */
public final class DistributedPdAdmm {

    private static final Logger log = LoggerFactory.getLogger(DistributedPdAdmm.class);

    private DistributedPdAdmm() {
    }

    /** Called after every iteration of a rank, e.g. for progress or to inject a failure in tests. */
    @FunctionalInterface
    public interface IterationHook {
        void iterationDone(int rank, PdAdmmEngine engine, IterationMetrics metrics) throws Exception;
    }

    /**
     * How a rank runs.
     *
     * @param checkpointRoot  where every rank keeps its checkpoints ({@code root/rank-R}), or null for none
     * @param checkpointEvery checkpoint after every {@code k}-th iteration (0: never)
     * @param keep            how many checkpoints each rank keeps
     * @param timeout         how long to wait for a neighbour's message before failing
     * @param hook            called after every iteration, or null
     */
    public record RankOptions(Path checkpointRoot, int checkpointEvery, int keep, Duration timeout,
                              IterationHook hook) {

        public RankOptions {
            if (checkpointEvery < 0 || keep < 1) {
                throw new IllegalArgumentException("checkpointEvery must be >= 0 and keep >= 1, got " + checkpointEvery
                        + " and " + keep);
            }
            if (checkpointEvery > 0 && checkpointRoot == null) {
                throw new IllegalArgumentException("checkpointEvery = " + checkpointEvery + " needs a checkpoint root");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        /** No checkpoints, 2 minutes' patience per message, no hook. */
        public static RankOptions defaults() {
            return new RankOptions(null, 0, 3, Duration.ofMinutes(2), null);
        }

        public RankOptions withCheckpoints(Path root, int every) {
            return new RankOptions(root, every, keep, timeout, hook);
        }

        public RankOptions withTimeout(Duration value) {
            return new RankOptions(checkpointRoot, checkpointEvery, keep, value, hook);
        }

        public RankOptions withHook(IterationHook value) {
            return new RankOptions(checkpointRoot, checkpointEvery, keep, timeout, value);
        }
    }

    /**
     * What one rank trained.
     *
     * @param rank            the rank
     * @param firstLayer      its first layer
     * @param lastLayer       its last layer
     * @param weights         the trained weights of its layers
     * @param biases          the trained biases of its layers
     * @param startIteration  0, or the checkpointed iteration the run resumed from
     * @param iterations      the iteration count at the end
     * @param bytesSent       encoded bytes this rank's blocks sent (to other ranks and between its own blocks)
     * @param transportBytes  the part of {@code bytesSent} that went to other ranks
     * @param wireBytes       bytes the transport put on the wire (framing included)
     * @param seconds         wall time of the iterations run here (setup excluded)
     * @param history         metrics of every iteration run here (rank-local terms)
     */
    public record RankResult(int rank, int firstLayer, int lastLayer, List<INDArray> weights, List<INDArray> biases,
                             int startIteration, int iterations, long bytesSent, long transportBytes, long wireBytes,
                             double seconds, List<IterationMetrics> history) {

        /** Seconds per iteration run here. */
        public double secondsPerIteration() {
            int run = iterations - startIteration;
            return run == 0 ? Double.NaN : seconds / run;
        }
    }

    /**
     * Runs this rank's layers of {@code job} to {@link PdAdmmConfig#iterations()} iterations.
     *
     * @param transport connected to the neighbouring ranks; the caller closes it afterwards
     * @throws IllegalStateException if the ranks were given different jobs or partitions (every rank stops)
     * @throws TransportException    if a neighbour failed or did not answer in time
     * @throws UncheckedIOException  if a checkpoint cannot be written or read
     */
    public static RankResult runRank(PdAdmmJob job, LayerPartition partition, MessageTransport transport,
                                     RankOptions options) {
        return InJvmRanks.abortingOnFailure(transport, () -> run(job, partition, transport, options));
    }

    private static RankResult run(PdAdmmJob job, LayerPartition partition, MessageTransport transport,
                                  RankOptions options) {
        int rank = transport.rank();
        PdAdmmConfig config = job.config();
        if (partition.ranks() != transport.size() || partition.layers() != job.architecture().layers()) {
            throw new IllegalArgumentException("the partition (" + partition + ") does not fit " + transport.size()
                    + " ranks and " + job.architecture().layers() + " layers");
        }
        int first = partition.firstLayer(rank);
        int last = partition.lastLayer(rank);
        Path directory = options.checkpointRoot() == null ? null
                : options.checkpointRoot().resolve(String.format(Locale.ROOT, "rank-%d", rank));
        String fingerprint = job.fingerprint();
        Set<Integer> mine = checkpointedIterations(directory);
        if (directory != null) {
            claimCheckpointDirectory(directory, fingerprint, rank, !mine.isEmpty());
        }

        // one all-gather: same job, same partition, and the checkpoints every rank has
        String info = fingerprint + ";" + first + ".." + last + ";" + mine.stream().map(String::valueOf)
                .collect(Collectors.joining(","));
        List<String> all = ChainCollective.allGather(transport, info, options.timeout());
        Set<Integer> common = new TreeSet<>(mine);
        for (int r = 0; r < all.size(); r++) {
            String[] parts = all.get(r).split(";", -1);
            if (!parts[0].equals(fingerprint)) {
                throw new IllegalStateException("rank " + r + " was given a different job than rank " + rank
                        + " (configuration, network, data or initial weights differ: job fingerprints "
                        + parts[0].substring(0, 12) + " vs " + fingerprint.substring(0, 12) + "); give every rank the "
                        + "same job");
            }
            String expected = partition.firstLayer(r) + ".." + partition.lastLayer(r);
            if (!parts[1].equals(expected)) {
                throw new IllegalStateException("rank " + r + " holds layers " + parts[1] + " but rank " + rank
                        + "'s partition gives it " + expected + "; give every rank the same partition");
            }
            Set<Integer> theirs = parts[2].isEmpty() ? Set.of() : Arrays.stream(parts[2].split(","))
                    .map(Integer::valueOf).collect(Collectors.toSet());
            common.retainAll(theirs);
        }
        int resumeFrom = common.isEmpty() ? 0 : ((TreeSet<Integer>) common).last();

        PdAdmmEngine engine = resumeFrom > 0
                ? resume(job, directory, resumeFrom, transport, partition, options)
                : PdAdmmEngine.forLayers(job.architecture(), config, job.features(), job.labels(), job.weights(),
                job.biases(), first, last, codec -> channel(codec, transport, partition, options));
        if (resumeFrom > 0) {
            log.info("rank {} (layers {}..{}) resumes from iteration {}", rank, first, last, resumeFrom);
        }
        if (PdAdmmEngine.needsEveryLayer(config)) {
            // every rank then sees the whole network's residuals, adapts rho and stops at the same iteration
            engine.shareLayerTerms(own -> allLayerTerms(transport, own, options.timeout()));
        }
        if (PdAdmmEngine.needsTrainingLoss(config)) {
            // STALL_X10: a forward pass through the ranks in every iteration, and its loss back to every rank
            engine.shareTrainingLoss((ownLayers, lossOf) -> ChainCollective.forwardPass(transport, ownLayers, lossOf,
                    options.timeout()));
        }
        try {
            List<IterationMetrics> history = new ArrayList<>();
            long start = System.nanoTime();
            while (engine.iterationCount() < config.iterations()) {
                IterationMetrics metrics = engine.iterate();
                history.add(metrics);
                if (options.checkpointEvery() > 0 && engine.iterationCount() % options.checkpointEvery() == 0) {
                    PdAdmmCheckpoint.save(engine, directory, options.keep());
                }
                if (options.hook() != null) {
                    options.hook().iterationDone(rank, engine, metrics);
                }
                if (config.residualTolerance() > 0 && metrics.residual() < config.residualTolerance()) {
                    break;
                }
            }
            engine.synchronizeBoundaries();
            double seconds = (System.nanoTime() - start) / 1e9;
            TransportChannel channel = (TransportChannel) engine.channel();
            return new RankResult(rank, first, last, engine.weights(), engine.biases(), resumeFrom,
                    engine.iterationCount(), channel.bytesSent(), channel.remoteBytesSent(),
                    transport.wireBytesSent(), seconds, history);
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " could not write its checkpoint under " + directory, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("rank " + rank + "'s iteration hook failed: " + e, e);
        } finally {
            engine.close();
        }
    }

    /** The terms of every layer, from each rank's rows of its own layers (ranks hold consecutive ranges in order). */
    private static double[][] allLayerTerms(MessageTransport transport, double[][] own, Duration timeout) {
        double[] flat = new double[own.length * PdAdmmEngine.TERMS];
        for (int i = 0; i < own.length; i++) {
            System.arraycopy(own[i], 0, flat, i * PdAdmmEngine.TERMS, PdAdmmEngine.TERMS);
        }
        List<double[]> ranks = ChainCollective.allGather(transport, flat, timeout);
        double[][] rows = new double[ranks.stream().mapToInt(r -> r.length).sum() / PdAdmmEngine.TERMS][];
        int row = 0;
        for (double[] r : ranks) {
            for (int i = 0; i < r.length; i += PdAdmmEngine.TERMS) {
                rows[row++] = Arrays.copyOfRange(r, i, i + PdAdmmEngine.TERMS);
            }
        }
        return rows;
    }

    private static TransportChannel channel(io.github.dl4jadmm.comm.TensorCodec codec, MessageTransport transport,
                                            LayerPartition partition, RankOptions options) {
        return new TransportChannel(codec, transport, partition::ownerOf, options.timeout());
    }

    private static PdAdmmEngine resume(PdAdmmJob job, Path directory, int iteration, MessageTransport transport,
                                       LayerPartition partition, RankOptions options) {
        try {
            Path checkpoint = PdAdmmCheckpoint.list(directory).stream()
                    .filter(p -> PdAdmmCheckpoint.iterationOf(p) == iteration).findFirst()
                    .orElseThrow(() -> new IllegalStateException("rank " + transport.rank() + " lost its checkpoint of "
                            + "iteration " + iteration + " under " + directory));
            return PdAdmmEngine.resume(checkpoint, job.features(), job.labels(),
                    codec -> channel(codec, transport, partition, options));
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + transport.rank() + " could not read its checkpoint of iteration "
                    + iteration + " under " + directory, e);
        }
    }

    /** The file in a rank's checkpoint directory that names the job its checkpoints belong to. */
    static final String JOB_FILE = "job.sha256";

    /**
     * Makes sure the checkpoints under {@code directory} belong to this job (a resumed run must not continue another
     * job's iterates), and records the job there for later runs.
     */
    private static void claimCheckpointDirectory(Path directory, String fingerprint, int rank, boolean hasCheckpoints) {
        Path file = directory.resolve(JOB_FILE);
        try {
            if (Files.isRegularFile(file)) {
                String owner = Files.readString(file).trim();
                if (!owner.equals(fingerprint)) {
                    throw new IllegalStateException("rank " + rank + ": the checkpoints under " + directory
                            + " belong to another job (fingerprint " + owner.substring(0, Math.min(12, owner.length()))
                            + ", this job " + fingerprint.substring(0, 12) + "); use another checkpoint directory or "
                            + "delete those checkpoints");
                }
                return;
            }
            if (hasCheckpoints) {
                throw new IllegalStateException("rank " + rank + ": " + directory + " holds checkpoints but no "
                        + JOB_FILE + " saying which job they belong to; use another checkpoint directory");
            }
            Files.createDirectories(directory);
            Path temporary = directory.resolve(JOB_FILE + ".tmp-" + System.nanoTime());
            Files.writeString(temporary, fingerprint + "\n");
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " could not record its job in " + file, e);
        }
    }

    private static Set<Integer> checkpointedIterations(Path directory) {
        if (directory == null) {
            return Set.of();
        }
        try {
            return PdAdmmCheckpoint.list(directory).stream().map(PdAdmmCheckpoint::iterationOf)
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the checkpoints under " + directory, e);
        }
    }

    /**
     * Runs every rank as a thread of this JVM over an {@link InJvmTransport}: the reference for the multi-process
     * transports, and a way to try a partition without a cluster.
     *
     * @return every rank's result, by rank
     */
    public static List<RankResult> runInJvm(PdAdmmJob job, LayerPartition partition, RankOptions options) {
        return InJvmRanks.run(partition.ranks(), "pdadmm-rank",
                (rank, transport) -> runRank(job, partition, transport, options));
    }
}
