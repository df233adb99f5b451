package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Closing an engine frees its blocks' row arrays at once (a growth stage's engine must not stay in memory beside the
 * next one's) and keeps what a caller reads afterwards: the weights, the biases and forward passes with them.
 */
class EngineCloseTest {

    private static final DataSet DATA = SyntheticClassification.blobs(90, 8, 3, 3.0, 3);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(8, 10, 3, 3);

    private static PdAdmmEngine trainedEngine() {
        PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, PdAdmmConfig.builder().iterations(3)
                .dataType(DataType.FLOAT).build(), DATA.getFeatures(), DATA.getLabels());
        engine.fit();
        return engine;
    }

    @Test
    void closeFreesTheRowArraysButNotTheWeightsOrTheData() {
        PdAdmmEngine engine = trainedEngine();
        LayerBlock hidden = engine.block(2);
        List<INDArray> rows = List.of(hidden.p, hidden.z, hidden.q, hidden.u, hidden.qLeft, hidden.uLeft);
        LayerBlock first = engine.block(1);
        INDArray firstInput = first.p;
        engine.close();
        for (INDArray a : rows) {
            assertTrue(a.wasClosed(), "a row array of layer 2 is still allocated after close");
        }
        for (int l = 1; l <= NET.layers(); l++) {
            assertFalse(engine.weight(l).wasClosed(), "W of layer " + l);
            assertFalse(engine.bias(l).wasClosed(), "b of layer " + l);
        }
        assertFalse(firstInput.wasClosed(), "layer 1's p is the data");
        assertFalse(DATA.getFeatures().wasClosed());
        assertFalse(DATA.getLabels().wasClosed());
    }

    @Test
    void aClosedEngineStillGivesItsWeightsAndForwardPassesButRefusesToIterate() {
        PdAdmmEngine engine = trainedEngine();
        List<INDArray> weights = engine.weights();
        float[][] output = engine.output(DATA.getFeatures()).toFloatMatrix();
        engine.close();
        engine.close();
        for (int l = 0; l < weights.size(); l++) {
            assertArrayEquals(weights.get(l).toFloatMatrix(), engine.weights().get(l).toFloatMatrix());
        }
        assertArrayEquals(output, engine.output(DATA.getFeatures()).toFloatMatrix());
        IllegalStateException e = assertThrows(IllegalStateException.class, engine::iterate);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, engine::synchronizeBoundaries);
    }
}
