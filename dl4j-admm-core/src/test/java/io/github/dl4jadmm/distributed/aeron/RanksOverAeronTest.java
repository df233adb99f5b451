package io.github.dl4jadmm.distributed.aeron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.DistributedGadmm;
import io.github.dl4jadmm.distributed.DistributedPdAdmm;
import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.distributed.WorkerPartition;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The rank runners over real Aeron UDP on loopback (ranks as threads with their own transports): pdADMM-G blocks and
 * Q-GADMM workers reproduce the single-JVM runs bit for bit, and the transports are handed exactly the encoded
 * bytes the ranks counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RanksOverAeronTest {

    @TempDir
    Path aeronDir;

    private AeronTransportOptions options() {
        return AeronTransportOptions.builder().aeronDir(aeronDir.resolve("driver")).build();
    }

    /** 8-bit delta coding of p and q, or pdADMM-G-Q's 8-bit grid on p and q (the grids cross with the first q). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = QuantizerConfig.Mode.class, names = {"DELTA", "GRID"})
    void pdAdmmBlocksOverAeronReproduceTheSingleJvmRun(QuantizerConfig.Mode mode) {
        DataSet data = SyntheticClassification.blobs(60, 10, 3, 4.0, 5);
        MlpArchitecture net = MlpArchitecture.uniform(10, 12, 3, 5);
        QuantizerConfig quantizer = QuantizerConfig.builder().mode(mode).bits(8).build();
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(15).dataType(DataType.DOUBLE)
                .nd4jThreads(1).evaluationFrequency(0).quantizer(quantizer)
                .projectQ(mode == QuantizerConfig.Mode.GRID).build();
        InitialWeights initial = InitialWeights.xavier(net, config.seed());
        PdAdmmJob job = new PdAdmmJob(net, config, data.getFeatures(), data.getLabels(), initial.weights(),
                initial.biases());
        LayerPartition partition = LayerPartition.even(5, 3);
        List<AeronTransport> transports = AeronTestChains.connectedChain(3, options());
        List<DistributedPdAdmm.RankResult> ranks;
        try {
            ranks = AeronTestChains.inParallel(transports.stream().<Callable<DistributedPdAdmm.RankResult>>map(t -> () ->
                    DistributedPdAdmm.runRank(job, partition, t, DistributedPdAdmm.RankOptions.defaults())).toList());
        } finally {
            AeronTestChains.closeAll(transports);
        }
        try (PdAdmmEngine reference = new PdAdmmEngine(net, config, job.features(), job.labels(), job.weights(),
                job.biases())) {
            reference.fit();
            for (DistributedPdAdmm.RankResult r : ranks) {
                for (int l = r.firstLayer(); l <= r.lastLayer(); l++) {
                    assertEquals(reference.weight(l), r.weights().get(l - r.firstLayer()), "W_" + l);
                }
            }
            assertEquals(reference.channel().bytesSent(),
                    ranks.stream().mapToLong(DistributedPdAdmm.RankResult::bytesSent).sum());
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(transports.get(i).bytesSent() >= ranks.get(i).transportBytes(),
                    "the transport was handed every encoded boundary message");
        }
        assertTrue(!Files.exists(aeronDir.resolve("driver")), "the Aeron directory is removed");
    }

    @Test
    void qgadmmWorkersOverAeronReproduceTheSingleJvmRun() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(25).build();
        WorkerPartition partition = WorkerPartition.even(4, 2);
        List<LinearRegressionSolver> all = SyntheticRegression.shards(4, 20, 6, 10, 0.1, 3).stream()
                .map(LinearRegressionSolver::of).toList();
        List<AeronTransport> transports = AeronTestChains.connectedChain(2, options());
        List<DistributedGadmm.RankResult> ranks;
        try {
            ranks = AeronTestChains.inParallel(transports.stream().<Callable<DistributedGadmm.RankResult>>map(t -> () ->
                    DistributedGadmm.runRank(config, partition, all.subList(partition.firstWorker(t.rank()) - 1,
                            partition.lastWorker(t.rank())), t, DistributedGadmm.RankOptions.defaults())).toList());
        } finally {
            AeronTestChains.closeAll(transports);
        }
        List<LinearRegressionSolver> fresh = SyntheticRegression.shards(4, 20, 6, 10, 0.1, 3).stream()
                .map(LinearRegressionSolver::of).toList();
        try (GadmmTrainer reference = new GadmmTrainer(config, fresh)) {
            reference.fit();
            for (DistributedGadmm.RankResult r : ranks) {
                for (int n = r.firstWorker(); n <= r.lastWorker(); n++) {
                    assertArrayEquals(reference.model(n), r.model(n), "worker " + n);
                }
            }
            assertEquals(reference.paperBitsSent(), ranks.stream().mapToLong(DistributedGadmm.RankResult::paperBits)
                    .sum());
        }
    }
}
