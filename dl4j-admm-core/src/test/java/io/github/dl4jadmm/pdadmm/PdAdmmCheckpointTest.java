package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class PdAdmmCheckpointTest {

    private static final DataSet DATA = SyntheticClassification.blobs(90, 12, 3, 4.0, 11);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(12, 10, 3, 4);

    @TempDir
    Path root;

    private static PdAdmmConfig.Builder doubles() {
        return PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(20).dataType(DataType.DOUBLE);
    }

    private static PdAdmmEngine engine(PdAdmmConfig config) {
        return PdAdmmEngine.withRandomWeights(NET, config, DATA.getFeatures(), DATA.getLabels());
    }

    @Test
    void twentyStraightEqualTenCheckpointResumeTen() throws IOException {
        assertResumeReproducesStraightRun(doubles().build());
    }

    @Test
    void resumeKeepsTheStallScheduleState() throws IOException {
        // rho and nu change within the run, and the schedule's memory (best loss, patience) crosses the checkpoint
        assertResumeReproducesStraightRun(doubles().rhoSchedule(RhoSchedule.STALL_X10).stallPatience(2)
                .stallFactor(2).build());
    }

    @Test
    void resumeKeepsTheQuantisationGrids() throws IOException {
        QuantizerConfig grid = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(6).build();
        assertResumeReproducesStraightRun(doubles().quantizer(grid).projectQ(true).build());
    }

    @Test
    void resumeKeepsTheResidualBalancingState() throws IOException {
        assertResumeReproducesStraightRun(doubles().rhoSchedule(RhoSchedule.RESIDUAL_BALANCING).balancingInterval(3)
                .build());
    }

    private void assertResumeReproducesStraightRun(PdAdmmConfig config) throws IOException {
        // exportState() gives the live arrays, which close() frees: the straight engine stays open to the end
        try (PdAdmmEngine straightEngine = engine(config)) {
            List<IterationMetrics> straightHistory = straightEngine.fit();
            assertResumeReproduces(config, straightHistory, straightEngine.exportState());
        }
    }

    private void assertResumeReproduces(PdAdmmConfig config, List<IterationMetrics> straightHistory,
                                        PdAdmmCheckpoint.EngineState straight) throws IOException {
        try (PdAdmmEngine engine = engine(config)) {
            for (int i = 0; i < 10; i++) {
                engine.iterate();
            }
            engine.saveCheckpoint(root);
        }
        try (PdAdmmEngine resumed = PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels())) {
            assertEquals(10, resumed.iterationCount());
            List<IterationMetrics> rest = resumed.fit(10);
            for (int i = 0; i < 10; i++) {
                IterationMetrics expected = straightHistory.get(10 + i);
                IterationMetrics actual = rest.get(i);
                assertEquals(expected.iteration(), actual.iteration());
                assertEquals(expected.augmentedLagrangian(), actual.augmentedLagrangian(),
                        1e-9 * Math.abs(expected.augmentedLagrangian()), "L_rho at iteration " + (10 + i));
                assertEquals(expected.rho(), actual.rho(), 0.0);
                assertEquals(expected.nu(), actual.nu(), 0.0);
            }
            assertSameState(straight, resumed.exportState());
        }
    }

    private static void assertSameState(PdAdmmCheckpoint.EngineState expected, PdAdmmCheckpoint.EngineState actual) {
        assertEquals(expected.iteration, actual.iteration);
        assertEquals(expected.rho, actual.rho, 0.0);
        assertEquals(expected.nu, actual.nu, 0.0);
        assertEquals(expected.sinceImprovement, actual.sinceImprovement);
        for (int l = 0; l < expected.blockArrays.size(); l++) {
            Map<String, INDArray> e = expected.blockArrays.get(l);
            Map<String, INDArray> a = actual.blockArrays.get(l);
            assertEquals(e.keySet(), a.keySet(), "variables of layer " + (l + 1));
            for (String name : e.keySet()) {
                double difference = e.get(name).sub(a.get(name)).amaxNumber().doubleValue();
                assertTrue(difference <= 1e-6, name + " of layer " + (l + 1) + " differs by " + difference);
            }
        }
    }

    @Test
    void checkpointHoldsEveryVariableOfEveryBlock() throws IOException {
        try (PdAdmmEngine engine = engine(doubles().build())) {
            engine.fit(3);
            Path saved = engine.saveCheckpoint(root);
            assertEquals("checkpoint-000000003", saved.getFileName().toString());
            for (String variable : List.of("p", "W", "b", "z", "q", "u", "powerW", "powerP")) {
                assertTrue(Files.exists(saved.resolve("layer2-" + variable + ".nd4j")), variable);
            }
            for (String derived : List.of("pW", "qLeft", "uLeft", "pRight")) {
                assertFalse(Files.exists(saved.resolve("layer2-" + derived + ".nd4j")), derived + " is recomputed");
            }
            assertTrue(Files.exists(saved.resolve("layer4-z.nd4j")));
            assertFalse(Files.exists(saved.resolve("layer1-p.nd4j")), "layer 1's input is the data");
            assertFalse(Files.exists(saved.resolve("layer4-q.nd4j")), "the output layer has no q");
            PdAdmmCheckpoint.Info info = PdAdmmCheckpoint.info(root);
            assertEquals(3, info.iteration());
            assertEquals(engine.config(), info.config());
            assertEquals(NET, info.architecture());
            assertEquals(engine.channel().bytesSent(), info.bytesSent());
        }
    }

    @Test
    void aSaveInterruptedByAnExceptionLeavesThePreviousCheckpointLoadable() throws IOException {
        try (PdAdmmEngine engine = engine(doubles().build())) {
            engine.fit(5);
            engine.saveCheckpoint(root);
            engine.fit(2);
            // an interrupted thread makes the first file write fail with ClosedByInterruptException
            Thread.currentThread().interrupt();
            try {
                assertThrows(IOException.class, () -> engine.saveCheckpoint(root));
            } finally {
                Thread.interrupted();
            }
        }
        assertEquals(List.of(root.resolve("checkpoint-000000005")), PdAdmmCheckpoint.list(root));
        try (Stream<Path> children = Files.list(root)) {
            assertEquals(1, children.count(), "the failed save cleaned up its temporary directory");
        }
        try (PdAdmmEngine resumed = PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels())) {
            assertEquals(5, resumed.iterationCount());
            resumed.iterate();
        }
    }

    @Test
    void aCrashMidSaveLeavesOnlyAnIgnoredTemporaryDirectory() throws IOException {
        try (PdAdmmEngine engine = engine(doubles().build())) {
            engine.fit(4);
            Path good = engine.saveCheckpoint(root);
            // what a crash during the next save leaves: a temporary directory with some arrays and no manifest
            Path partial = Files.createDirectory(root.resolve(".tmp-checkpoint-000000006-123"));
            Files.copy(good.resolve("layer1-W.nd4j"), partial.resolve("layer1-W.nd4j"));
            assertEquals(good, PdAdmmCheckpoint.latest(root).orElseThrow());
            try (PdAdmmEngine resumed = PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels())) {
                assertEquals(4, resumed.iterationCount());
            }
            engine.fit(2);
            engine.saveCheckpoint(root);
            assertFalse(Files.exists(partial), "the next save removes what a crashed one left");
        }
    }

    @Test
    void keepsOnlyTheNewestCheckpoints() throws IOException {
        try (PdAdmmEngine engine = engine(doubles().build())) {
            for (int i = 0; i < 4; i++) {
                engine.iterate();
                PdAdmmCheckpoint.save(engine, root, 2);
            }
            assertEquals(List.of(root.resolve("checkpoint-000000003"), root.resolve("checkpoint-000000004")),
                    PdAdmmCheckpoint.list(root));
            // saving twice at the same iteration replaces the checkpoint
            PdAdmmCheckpoint.save(engine, root, 2);
            assertEquals(2, PdAdmmCheckpoint.list(root).size());
        }
    }

    @Test
    void resumeOnOtherDataIsRefused() throws IOException {
        try (PdAdmmEngine engine = engine(doubles().build())) {
            engine.fit(2);
            engine.saveCheckpoint(root);
        }
        DataSet other = SyntheticClassification.blobs(90, 12, 3, 4.0, 12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PdAdmmEngine.resume(root, other.getFeatures(), other.getLabels()));
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());
    }

    /** Delta coding's per-link reconstructions and random generators cross the checkpoint (stochastic rounding). */
    @Test
    void resumeKeepsTheDeltaCodersState() throws IOException {
        QuantizerConfig delta = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(6).seed(5).build();
        assertResumeReproducesStraightRun(doubles().quantizer(delta).build());
        Path saved = PdAdmmCheckpoint.latest(root).orElseThrow();
        // 3 boundaries, each with a p and a q link, each with an encoder and a decoder
        try (Stream<Path> files = Files.list(saved)) {
            assertEquals(12, files.filter(f -> f.getFileName().toString().startsWith("codec-")).count());
        }
    }

    @Test
    void anEmptyDirectoryHasNoCheckpoint() {
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels()));
    }
}
