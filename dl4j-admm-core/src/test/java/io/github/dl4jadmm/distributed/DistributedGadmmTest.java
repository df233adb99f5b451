package io.github.dl4jadmm.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.DistributedGadmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedGadmm.RankResult;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.gadmm.LocalSolver;
import io.github.dl4jadmm.gadmm.LogisticRegressionSolver;
import io.github.dl4jadmm.gadmm.NetworkSolver;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DistributedGadmmTest {

    private static final int WORKERS = 4;
    private static final int D = 6;
    private static final int ITERATIONS = 30;

    /** Fresh solvers (each run needs its own): 4 linear-regression shards of 20 samples, condition number 10. */
    private static List<LinearRegressionSolver> regression(int features) {
        return SyntheticRegression.shards(WORKERS, 20, features, 10, 0.1, 3).stream()
                .map(LinearRegressionSolver::of).toList();
    }

    private static GadmmConfig.Builder config() {
        return GadmmConfig.builder().rho(3).iterations(ITERATIONS);
    }

    /** The single-JVM trainer on the same problem, trained: the reference every distributed run must reproduce. */
    private static GadmmTrainer reference(GadmmConfig config, List<? extends LocalSolver> solvers) {
        GadmmTrainer trainer = new GadmmTrainer(config, solvers);
        trainer.fit();
        return trainer;
    }

    /** Bit-identical models, bytes and paper bits summed over the ranks, and the same consensus. */
    private static void assertSameRun(GadmmTrainer expected, List<RankResult> ranks) {
        for (RankResult r : ranks) {
            assertEquals(expected.iterationCount(), r.iterations());
            for (int n = r.firstWorker(); n <= r.lastWorker(); n++) {
                assertArrayEquals(expected.model(n), r.model(n), "worker " + n + " on rank " + r.rank());
            }
        }
        assertEquals(expected.channel().bytesSent(), ranks.stream().mapToLong(RankResult::bytesSent).sum(),
                "encoded bytes summed over the ranks");
        assertEquals(expected.paperBitsSent(), ranks.stream().mapToLong(RankResult::paperBits).sum(),
                "paper bits summed over the ranks");
        assertArrayEquals(expected.consensus(), DistributedGadmm.consensus(ranks));
    }

    @Test
    void threeBitQgadmmOnTwoRanksReproducesTheSingleJvmRunBitForBit() {
        GadmmConfig config = config().bits(3).build();
        List<RankResult> ranks = DistributedGadmm.runInJvm(config, WorkerPartition.even(WORKERS, 2),
                regression(D), RankOptions.defaults());
        try (GadmmTrainer reference = reference(config, regression(D))) {
            assertSameRun(reference, ranks);
            // the rank-local metrics add up to the single-JVM ones (up to the order of the additions)
            double objective = ranks.stream().mapToDouble(r -> r.history().get(ITERATIONS - 1).objective()).sum();
            assertEquals(reference.objective(), objective, 1e-12 * reference.objective());
            assertEquals(3, ranks.get(1).firstWorker());
            assertTrue(ranks.get(0).transportBytes() > 0 && ranks.get(0).transportBytes() < ranks.get(0).bytesSent(),
                    "rank 0 sends worker 2's model to rank 1, worker 1's stays on the rank");
        }
    }

    @Test
    void exactGadmmWithOneWorkerPerRankSendsEveryEdgeModelOverTheTransport() {
        GadmmConfig config = config().exact().objectiveFrequency(0).build();
        List<RankResult> ranks = DistributedGadmm.runInJvm(config, WorkerPartition.even(WORKERS, WORKERS),
                regression(D), RankOptions.defaults());
        try (GadmmTrainer reference = reference(config, regression(D))) {
            assertSameRun(reference, ranks);
        }
        // every model goes to each neighbour, and every neighbour is on another rank: 2 (N - 1) raw messages each
        // iteration, all of them over the transport
        long raw = RawTensorCodec.INSTANCE.encode(Nd4j.zeros(DataType.DOUBLE, D)).sizeInBytes();
        assertEquals(ITERATIONS * 2L * (WORKERS - 1) * raw,
                ranks.stream().mapToLong(RankResult::transportBytes).sum());
        for (RankResult r : ranks) {
            assertEquals(r.bytesSent(), r.transportBytes(), "rank " + r.rank() + " holds no two neighbours");
            assertTrue(r.wireBytes() > r.transportBytes(), "the wire also carried the start-up all-gather");
        }
    }

    @Test
    void logisticRegressionOverUnevenRanksReproducesTheSingleJvmRun() {
        GadmmConfig config = config().rho(2).bits(4).build();
        WorkerPartition partition = WorkerPartition.of(5, 1, 2, 4);
        List<RankResult> ranks = DistributedGadmm.runInJvm(config, partition, logistic(), RankOptions.defaults());
        try (GadmmTrainer reference = reference(config, logistic())) {
            assertSameRun(reference, ranks);
        }
        assertEquals(List.of(1, 2, 2), ranks.stream().map(r -> r.models().size()).toList());
    }

    /** 5 logistic-regression shards of two Gaussian blobs (labels 0/1). */
    private static List<LogisticRegressionSolver> logistic() {
        DataSet data = SyntheticClassification.blobs(100, 4, 2, 2.0, 5);
        return SgadmmTrainer.shards(data, 5, 9).stream()
                .map(s -> new LogisticRegressionSolver(s.getFeatures(), s.getLabels().getColumn(1))).toList();
    }

    @Test
    void qsgadmmWithANetworkOnTwoRanksReproducesTheSingleJvmRun() {
        DataSet train = SyntheticClassification.blobs(160, 6, 3, 2.0, 7);
        List<DataSet> shards = SgadmmTrainer.shards(train, WORKERS, 1);
        MultiLayerNetwork net = mlp();
        GadmmConfig config = SgadmmTrainer.authorsConfig().iterations(4).build();
        SgadmmTrainer.Builder builder = SgadmmTrainer.builder(net).config(config).localSteps(3).batchSize(20);
        List<NetworkSolver> solvers = builder.workerSolvers(1, shards);
        List<RankResult> ranks = DistributedGadmm.runInJvm(config, WorkerPartition.even(WORKERS, 2), solvers,
                RankOptions.defaults());
        try (SgadmmTrainer reference = builder.build(shards)) {
            reference.fit();
            assertSameRun(reference.engine(), ranks);
            assertArrayEquals(reference.consensus(), DistributedGadmm.consensus(ranks));
        }
        assertFalse(Arrays.equals(solvers.get(3).initialModel(), ranks.get(1).model(4)), "the workers trained");
    }

    private static MultiLayerNetwork mlp() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .updater(new Adam(0.02)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** Runs two ranks, each with its own configuration, partition and solvers; returns each rank's failure. */
    private static List<Throwable> failuresOfTwoRanks(List<GadmmConfig> configs, List<WorkerPartition> partitions,
                                                      List<List<? extends LocalSolver>> solvers, AtomicInteger iterations)
            throws InterruptedException {
        InJvmTransport.Hub hub = InJvmTransport.hub(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        RankOptions options = RankOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withHook((rank, trainer, metrics) -> iterations.incrementAndGet());
        try {
            List<Future<RankResult>> futures = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                MessageTransport transport = hub.transport(r);
                futures.add(pool.submit(() -> DistributedGadmm.runRank(configs.get(rank), partitions.get(rank),
                        solvers.get(rank), transport, options)));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<RankResult> f : futures) {
                failures.add(assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS)).getCause());
            }
            return failures;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void ranksGivenDifferentConfigurationsStopBeforeTheFirstIteration() throws Exception {
        WorkerPartition partition = WorkerPartition.even(WORKERS, 2);
        List<LinearRegressionSolver> solvers = regression(D);
        AtomicInteger iterations = new AtomicInteger();
        List<Throwable> failures = failuresOfTwoRanks(List.of(config().build(), config().rho(4).build()),
                List.of(partition, partition), List.of(solvers.subList(0, 2), solvers.subList(2, 4)), iterations);
        assertEquals(0, iterations.get(), "no rank iterated");
        for (int r = 0; r < 2; r++) {
            Throwable e = failures.get(r);
            assertTrue(e instanceof IllegalStateException, e.toString());
            assertTrue(e.getMessage().contains("rank " + (1 - r) + " was given a different GADMM configuration than "
                    + "rank " + r) && e.getMessage().contains("rho"), e.getMessage());
        }

        // a rank whose shards have another number of features trains a different model
        List<LinearRegressionSolver> narrow = regression(D - 1);
        failures = failuresOfTwoRanks(List.of(config().build(), config().build()), List.of(partition, partition),
                List.of(solvers.subList(0, 2), narrow.subList(2, 4)), iterations);
        assertTrue(failures.get(0).getMessage().contains("rank 1's workers train a model of 5 parameters but rank "
                + "0's one of 6"), failures.get(0).getMessage());

        // and a rank with another partition
        failures = failuresOfTwoRanks(List.of(config().build(), config().build()),
                List.of(partition, WorkerPartition.of(WORKERS, 1, 4)),
                List.of(solvers.subList(0, 2), solvers.subList(3, 4)), iterations);
        assertTrue(failures.get(0).getMessage().contains("splits the chain as [rank 0: workers 1..3, rank 1: "
                + "workers 4..4]"), failures.get(0).getMessage());
        assertEquals(0, iterations.get(), "no rank iterated");
    }

    @Test
    void aFailingRankStopsItsNeighboursAndItsFailureIsReported() {
        GadmmConfig config = config().bits(3).build();
        RankOptions failing = RankOptions.defaults().withTimeout(Duration.ofSeconds(20))
                .withHook((rank, trainer, metrics) -> {
                    if (rank == 2 && metrics.iteration() == 4) {
                        throw new IllegalStateException("injected failure");
                    }
                });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DistributedGadmm.runInJvm(config,
                WorkerPartition.even(WORKERS, 4), regression(D), failing));
        assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    }

    @Test
    void aRankLocalTrainerRefusesWhatNeedsEveryWorker() {
        List<LinearRegressionSolver> solvers = regression(D);
        try (GadmmTrainer trainer = GadmmTrainer.forWorkers(config().build(), WORKERS, 3, solvers.subList(2, 4),
                LocalChannel::new)) {
            assertEquals(WORKERS, trainer.workers());
            assertEquals(3, trainer.firstWorker());
            assertEquals(4, trainer.lastWorker());
            assertFalse(trainer.holdsAllWorkers());
            IllegalStateException e = assertThrows(IllegalStateException.class, trainer::consensus);
            assertTrue(e.getMessage().contains("holds workers 3..4 of 4 only"), e.getMessage());
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> trainer.model(2));
            assertTrue(a.getMessage().contains("worker 2 lives on another rank"), a.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.dual(2, 2));
            assertEquals(D, trainer.dual(3, 4).length);
        }
        assertThrows(IllegalArgumentException.class, () -> GadmmTrainer.forWorkers(config().build(), WORKERS, 4,
                solvers.subList(2, 4), LocalChannel::new));
        assertThrows(IllegalArgumentException.class, () -> GadmmTrainer.forWorkers(config().build(), 1, 1,
                solvers.subList(0, 1), LocalChannel::new));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedGadmm.runInJvm(
                config().build(), WorkerPartition.even(5, 2), solvers, RankOptions.defaults()));
        assertTrue(e.getMessage().contains("one solver per worker"), e.getMessage());
    }

    @Test
    void workerPartitionsAndTheConsensusOfPartialResults() {
        WorkerPartition p = WorkerPartition.of(5, 1, 2, 4);
        assertEquals(0, p.ownerOf(1));
        assertEquals(1, p.ownerOf(3));
        assertEquals(2, p.ownerOf(5));
        assertEquals(2, p.size(2));
        assertEquals("rank 0: workers 1..2, rank 1: workers 3..4, rank 2: workers 5..5",
                WorkerPartition.even(5, 3).toString());
        assertThrows(IllegalArgumentException.class, () -> WorkerPartition.even(3, 4));
        assertThrows(IllegalArgumentException.class, () -> WorkerPartition.even(1, 1));
        assertThrows(IllegalArgumentException.class, () -> WorkerPartition.of(5, 1, 4, 3));

        RankResult first = new RankResult(0, 1, 1, List.of(new double[]{1, 2}), 0, 0, 0, 0, 0, 0, List.of());
        RankResult second = new RankResult(1, 2, 3, List.of(new double[]{3, 4}, new double[]{5, 6}), 0, 0, 0, 0, 0,
                0, List.of());
        assertArrayEquals(new double[]{3, 4}, DistributedGadmm.consensus(List.of(second, first)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributedGadmm.consensus(List.of(second)));
        assertTrue(e.getMessage().contains("every rank"), e.getMessage());
    }
}
