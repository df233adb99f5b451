package io.github.dl4jadmm.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.RhoSchedule;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DistributedPdAdmmTest {

    private static final DataSet DATA = SyntheticClassification.blobs(90, 12, 3, 4.0, 11);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(12, 10, 3, 6);

    @TempDir
    Path root;

    private static PdAdmmConfig.Builder config() {
        return PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(20).dataType(DataType.DOUBLE).nd4jThreads(1)
                .evaluationFrequency(0);
    }

    static PdAdmmJob job(PdAdmmConfig config) {
        InitialWeights initial = InitialWeights.xavier(NET, config.seed());
        return new PdAdmmJob(NET, config, DATA.getFeatures(), DATA.getLabels(), initial.weights(), initial.biases());
    }

    /** The single-JVM engine on the same job: the reference every distributed run must reproduce. */
    static PdAdmmEngine reference(PdAdmmJob job) {
        PdAdmmEngine engine = new PdAdmmEngine(job.architecture(), job.config(), job.features(), job.labels(),
                job.weights(), job.biases());
        engine.fit();
        return engine;
    }

    static void assertSameWeights(PdAdmmEngine expected, List<RankResult> ranks, double tolerance) {
        for (RankResult r : ranks) {
            for (int l = r.firstLayer(); l <= r.lastLayer(); l++) {
                INDArray w = r.weights().get(l - r.firstLayer());
                INDArray b = r.biases().get(l - r.firstLayer());
                double dw = w.sub(expected.weight(l)).amaxNumber().doubleValue();
                double db = b.reshape(expected.bias(l).shape()).sub(expected.bias(l)).amaxNumber().doubleValue();
                assertTrue(dw <= tolerance && db <= tolerance, "layer " + l + " (rank " + r.rank() + ") differs by "
                        + Math.max(dw, db));
            }
        }
    }

    @Test
    void threeRanksReproduceTheSingleJvmRunAndItsBytes() {
        PdAdmmJob job = job(config().build());
        List<RankResult> ranks = DistributedPdAdmm.runInJvm(job, LayerPartition.even(6, 3), RankOptions.defaults());
        try (PdAdmmEngine reference = reference(job)) {
            assertSameWeights(reference, ranks, 0);
            long total = ranks.stream().mapToLong(RankResult::bytesSent).sum();
            assertEquals(reference.channel().bytesSent(), total, "encoded bytes summed over the ranks");
        }
        // two rank boundaries (after layers 2 and 4), each carrying the initial q and then one p and one q per
        // iteration: the transport is handed exactly those encoded messages
        long message = RawTensorCodec.INSTANCE.newEncoder(Transfer.forward(2))
                .encode(org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 90, 10)).message().remaining();
        assertEquals(2 * (1 + 2 * 20) * message, ranks.stream().mapToLong(RankResult::transportBytes).sum());
        for (RankResult r : ranks) {
            assertTrue(r.wireBytes() > r.transportBytes(), "the wire also carried the start-up all-gather");
        }
        assertEquals(1, ranks.get(0).firstLayer());
        assertEquals(6, ranks.get(2).lastLayer());
    }

    @Test
    void deltaCodedTransfersReproduceTheSingleJvmRun() {
        QuantizerConfig delta = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8).build();
        PdAdmmJob job = job(config().quantizer(delta).build());
        List<RankResult> ranks = DistributedPdAdmm.runInJvm(job, LayerPartition.of(6, 1, 2, 5),
                RankOptions.defaults());
        try (PdAdmmEngine reference = reference(job)) {
            assertSameWeights(reference, ranks, 0);
            assertEquals(reference.channel().bytesSent(), ranks.stream().mapToLong(RankResult::bytesSent).sum());
        }
    }

    /**
     * pdADMM-G-Q's grids (built by the sender from the first forward pass) reach the ranks holding the receiving
     * ends: from the first grid-coded q (projected q), or rebuilt from the raw q (q not projected).
     */
    @ParameterizedTest(name = "project q: {0}")
    @ValueSource(booleans = {true, false})
    void gridQuantisedTransfersReproduceTheSingleJvmRunAndItsBytes(boolean projectQ) {
        QuantizerConfig grid = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(4).build();
        PdAdmmJob job = job(config().quantizer(grid).projectQ(projectQ).build());
        List<RankResult> ranks = DistributedPdAdmm.runInJvm(job, LayerPartition.of(6, 1, 3, 4),
                RankOptions.defaults());
        try (PdAdmmEngine reference = reference(job)) {
            assertSameWeights(reference, ranks, 0);
            assertEquals(reference.channel().bytesSent(), ranks.stream().mapToLong(RankResult::bytesSent).sum());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GRID", "DELTA"})
    void aQuantisedRunResumesOnEveryRankWithTheStateOfItsCoders(String mode) {
        // GRID: the grids of the boundaries; DELTA: every link end's last reconstruction and rounding generator
        QuantizerConfig quantizer = QuantizerConfig.builder().mode(QuantizerConfig.Mode.valueOf(mode)).bits(6).build();
        PdAdmmJob job = job(config().quantizer(quantizer).projectQ(mode.equals("GRID")).build());
        LayerPartition partition = LayerPartition.even(6, 3);
        AtomicInteger failures = new AtomicInteger();
        RankOptions failing = RankOptions.defaults().withCheckpoints(root, 5).withTimeout(Duration.ofSeconds(20))
                .withHook((rank, engine, m) -> {
                    if (rank == 2 && engine.iterationCount() == 13 && failures.getAndIncrement() == 0) {
                        throw new IllegalStateException("injected failure");
                    }
                });
        assertThrows(IllegalStateException.class, () -> DistributedPdAdmm.runInJvm(job, partition, failing));

        List<RankResult> resumed = DistributedPdAdmm.runInJvm(job, partition, failing);
        for (RankResult r : resumed) {
            assertEquals(10, r.startIteration(), "rank " + r.rank() + " resumed from the newest common checkpoint");
        }
        try (PdAdmmEngine reference = reference(job)) {
            assertSameWeights(reference, resumed, 0);
        }
    }

    /**
     * The rho schedules need the whole network: residual balancing its residuals (the ranks exchange their layers'
     * terms every iteration), STALL_X10 its training loss (a forward pass runs down the ranks, through a middle rank
     * here). Every rank sees the single engine's metrics exactly and changes rho where it does.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RhoSchedule.class, names = {"RESIDUAL_BALANCING", "STALL_X10"})
    void everyRhoSchedulePlaysOutOnEveryRankAsInOneEngine(RhoSchedule schedule) {
        PdAdmmJob job = job(schedule == RhoSchedule.STALL_X10
                // strong weight decay makes the training loss plateau within a few iterations
                ? config().rhoSchedule(schedule).stallPatience(3).nu(1e-3).rho(5e-3).mu(50).iterations(40).build()
                : config().nu(0.5).rhoSchedule(schedule).balancingInterval(2).balancingRatio(2).iterations(30)
                .build());
        List<RankResult> ranks = DistributedPdAdmm.runInJvm(job, LayerPartition.of(6, 1, 3, 5),
                RankOptions.defaults());
        try (PdAdmmEngine reference = new PdAdmmEngine(job.architecture(), job.config(), job.features(), job.labels(),
                job.weights(), job.biases())) {
            List<IterationMetrics> expected = reference.fit();
            assertTrue(expected.stream().mapToDouble(IterationMetrics::rho).distinct().count() > 1,
                    schedule + " changed rho");
            assertSameWeights(reference, ranks, 0);
            for (RankResult r : ranks) {
                assertSameMetrics(expected, r);
            }
        }
    }

    /** A residual tolerance stops every rank at the iteration where the whole network's residual falls below it. */
    @Test
    void aResidualToleranceStopsEveryRankWhereItStopsOneEngine() {
        PdAdmmJob job = job(config().iterations(30).residualTolerance(1e-6).build());
        List<RankResult> ranks = DistributedPdAdmm.runInJvm(job, LayerPartition.of(6, 1, 4), RankOptions.defaults());
        try (PdAdmmEngine reference = new PdAdmmEngine(job.architecture(), job.config(), job.features(), job.labels(),
                job.weights(), job.biases())) {
            List<IterationMetrics> expected = reference.fit();
            assertTrue(expected.size() < 30, "the tolerance stopped the reference early");
            assertSameWeights(reference, ranks, 0);
            for (RankResult r : ranks) {
                assertSameMetrics(expected, r);
            }
        }
    }

    private static void assertSameMetrics(List<IterationMetrics> expected, RankResult r) {
        assertEquals(expected.size(), r.history().size(), "rank " + r.rank() + " ran as many iterations");
        for (int i = 0; i < expected.size(); i++) {
            IterationMetrics e = expected.get(i);
            IterationMetrics m = r.history().get(i);
            // NaN (no training loss computed) equals NaN here
            assertEquals(List.of(e.rho(), e.nu(), e.residual(), e.dualResidual(), e.augmentedLagrangian(),
                            e.objective(), e.trainLoss(), e.trainAccuracy()),
                    List.of(m.rho(), m.nu(), m.residual(), m.dualResidual(), m.augmentedLagrangian(), m.objective(),
                            m.trainLoss(), m.trainAccuracy()),
                    "rank " + r.rank() + ", iteration " + i);
        }
    }

    @Test
    void afterAFailureEveryRankResumesFromTheNewestCommonCheckpoint() {
        PdAdmmJob job = job(config().build());
        LayerPartition partition = LayerPartition.even(6, 3);
        AtomicInteger failures = new AtomicInteger();
        RankOptions failing = RankOptions.defaults().withCheckpoints(root, 5).withTimeout(Duration.ofSeconds(20))
                .withHook((rank, engine, m) -> {
                    if (rank == 1 && engine.iterationCount() == 12 && failures.getAndIncrement() == 0) {
                        throw new IllegalStateException("injected failure");
                    }
                });
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> DistributedPdAdmm.runInJvm(job, partition, failing));
        assertTrue(failure.getMessage().contains("injected failure"), failure.getMessage());

        List<RankResult> resumed = DistributedPdAdmm.runInJvm(job, partition, failing);
        for (RankResult r : resumed) {
            assertEquals(10, r.startIteration(), "rank " + r.rank() + " resumed from the newest common checkpoint");
            assertEquals(20, r.iterations());
        }
        try (PdAdmmEngine reference = reference(job)) {
            assertSameWeights(reference, resumed, 0);
        }
    }

    @Test
    void checkpointsOfAnotherJobAreNotResumed() {
        LayerPartition partition = LayerPartition.even(6, 2);
        RankOptions options = RankOptions.defaults().withCheckpoints(root, 5).withTimeout(Duration.ofSeconds(20));
        DistributedPdAdmm.runInJvm(job(config().iterations(10).build()), partition, options);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DistributedPdAdmm.runInJvm(job(config().iterations(10).rho(6).build()), partition, options));
        assertTrue(e.getMessage().contains("belong to another job"), e.getMessage());
    }

    @Test
    void ranksGivenDifferentJobsStopBeforeTheFirstIteration() throws Exception {
        PdAdmmJob a = job(config().build());
        PdAdmmJob b = job(config().rho(6).build());
        InJvmTransport.Hub hub = InJvmTransport.hub(2);
        LayerPartition partition = LayerPartition.even(6, 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<RankResult>> futures = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                PdAdmmJob job = r == 0 ? a : b;
                MessageTransport transport = hub.transport(r);
                futures.add(pool.submit(() -> DistributedPdAdmm.runRank(job, partition, transport,
                        RankOptions.defaults().withTimeout(Duration.ofSeconds(10)))));
            }
            for (Future<RankResult> f : futures) {
                Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> f.get(30, TimeUnit.SECONDS)).getCause();
                assertTrue(cause.getMessage().contains("different job"), cause.getMessage());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void partitionsAreCheckedAndMapLayersToRanks() {
        assertThrows(IllegalArgumentException.class, () -> LayerPartition.even(3, 4));
        assertThrows(IllegalArgumentException.class, () -> LayerPartition.of(6, 1, 4, 3));
        assertEquals(2, LayerPartition.of(6, 1, 2, 5).ownerOf(6));
        assertEquals(0, LayerPartition.of(6, 1, 2, 5).ownerOf(1));
        assertEquals(1, LayerPartition.of(6, 1, 2, 5).ownerOf(4));
    }

    @Test
    void jobRoundTripsThroughBytes() {
        PdAdmmJob job = job(config().build());
        PdAdmmJob copy = PdAdmmJob.fromBytes(job.toBytes());
        assertEquals(job.fingerprint(), copy.fingerprint());
        assertEquals(job.architecture(), copy.architecture());
    }
}
