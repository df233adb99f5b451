package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/**
 * Checkpoints hold no array that can be recomputed ({@code pW = p W}; the copies {@code qLeft}, {@code uLeft} of
 * the left neighbour's {@code q}, {@code u}; the received {@code pRight}), and a run resumed from one continues to
 * the uninterrupted run's iterates bit for bit, in float32, with and without quantised transfers.
 */
class LeanCheckpointTest {

    private static final DataSet DATA = SyntheticClassification.blobs(120, 16, 3, 3.0, 5);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(16, 12, 3, 4);

    @TempDir
    Path root;

    private static PdAdmmConfig.Builder floats() {
        return PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(12).dataType(DataType.FLOAT);
    }

    @Test
    void resumedFromALeanCheckpointEqualsTheStraightRunBitForBit() throws IOException {
        assertBitIdenticalResume(floats().build(), root.resolve("raw"));
    }

    @Test
    void theSameWithGridQuantisedTransfers() throws IOException {
        QuantizerConfig grid = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(6).build();
        assertBitIdenticalResume(floats().quantizer(grid).projectQ(true).build(), root.resolve("grid"));
    }

    @Test
    void theSameWithDeltaCodedTransfers() throws IOException {
        QuantizerConfig delta = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8).build();
        assertBitIdenticalResume(floats().quantizer(delta).build(), root.resolve("delta"));
    }

    @Test
    void theCheckpointIsAboutHalfTheSizeOfTheFullState() throws IOException {
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, floats().build(), DATA.getFeatures(),
                DATA.getLabels())) {
            engine.fit(3);
            Path saved = engine.saveCheckpoint(root);
            long rows = DATA.getFeatures().rows();
            // per hidden layer 2..3: p, z, q, u of rows x 12 floats; qLeft, uLeft, pW and pRight are not written
            long arrays;
            try (Stream<Path> files = Files.list(saved)) {
                arrays = files.filter(f -> f.getFileName().toString().startsWith("layer2-")).count();
            }
            assertEquals(8, arrays, "layer 2: p, W, b, z, q, u, powerW, powerP");
            long bytes = 0;
            try (Stream<Path> files = Files.list(saved)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("layer2-")).toList()) {
                    bytes += Files.size(f);
                }
            }
            long state = 4L * rows * 12 * Float.BYTES;
            assertTrue(bytes < state * 1.2, "layer 2 wrote " + bytes + " bytes for " + state + " bytes of state");
        }
    }

    @Test
    void aResumedBlockTakesOverTheSavedArraysAndComputesOnlyWhatWasLeftOut() throws IOException {
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, floats().build(), DATA.getFeatures(),
                DATA.getLabels())) {
            engine.fit(3);
            PdAdmmCheckpoint.EngineState saved = engine.exportState();
            Map<String, INDArray> arrays = new java.util.LinkedHashMap<>();
            saved.blockArrays.get(1).forEach((name, value) -> arrays.put(name, value.dup()));
            LayerBlock live = engine.block(2);
            LayerBlock block = LayerBlock.restored(2, NET.layers(), live.device, NET.activation(), NET.risk(), null,
                    null, DATA.getFeatures().rows(), NET.inputsOf(2), NET.outputsOf(2), DataType.FLOAT, arrays,
                    saved.blockScalars.get(1));
            Map<String, INDArray> variables = Map.of("p", block.p, "W", block.w, "b", block.b, "z", block.z,
                    "q", block.q, "u", block.u);
            variables.forEach((name, variable) -> assertSame(arrays.get(name), variable,
                    name + " was copied, not taken over"));
            // pW is not in the checkpoint: the layer's pre-activation p W + b comes out as the live block's
            assertEquals(live.preActivation(), block.preActivation());
            assertNull(block.qLeft, "qLeft is the left block's q: the engine hands it over");
        }
    }

    @Test
    void resumingSendsNothing() throws IOException {
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, floats().build(), DATA.getFeatures(),
                DATA.getLabels())) {
            engine.fit(2);
            engine.saveCheckpoint(root);
        }
        try (PdAdmmEngine resumed = PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels())) {
            assertEquals(0, resumed.channel().bytesSent(), "no forward pass crosses the channel on resume");
            assertEquals(2, resumed.iterationCount());
        }
    }

    private static void assertBitIdenticalResume(PdAdmmConfig config, Path dir) throws IOException {
        PdAdmmCheckpoint.EngineState straight;
        INDArray straightOutput;
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, config, DATA.getFeatures(),
                DATA.getLabels())) {
            engine.fit(12);
            straight = EngineStates.copy(engine.exportState());
            straightOutput = engine.output(DATA.getFeatures()).dup();
        }
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, config, DATA.getFeatures(),
                DATA.getLabels())) {
            engine.fit(5);
            Path saved = engine.saveCheckpoint(dir);
            for (String derived : List.of("pW", "qLeft", "uLeft", "pRight")) {
                assertFalse(Files.exists(saved.resolve("layer3-" + derived + ".nd4j")), derived);
            }
        }
        try (PdAdmmEngine resumed = PdAdmmEngine.resume(dir, DATA.getFeatures(), DATA.getLabels())) {
            assertEquals(5, resumed.iterationCount());
            resumed.fit(7);
            PdAdmmCheckpoint.EngineState actual = resumed.exportState();
            for (int l = 0; l < straight.blockArrays.size(); l++) {
                Map<String, INDArray> e = straight.blockArrays.get(l);
                Map<String, INDArray> a = actual.blockArrays.get(l);
                assertEquals(e.keySet(), a.keySet(), "variables of layer " + (l + 1));
                for (String name : e.keySet()) {
                    assertArrayEquals(flat(e.get(name)), flat(a.get(name)),
                            name + " of layer " + (l + 1));
                }
            }
            assertArrayEquals(straightOutput.toFloatMatrix(), resumed.output(DATA.getFeatures()).toFloatMatrix());
        }
    }

    private static float[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }
}
