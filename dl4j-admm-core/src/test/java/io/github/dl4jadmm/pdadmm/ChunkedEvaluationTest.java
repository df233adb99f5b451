package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.dl4jadmm.data.SyntheticClassification;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The evaluation forward pass in row chunks gives, row for row, what one pass over all rows gives: bit for bit in
 * double precision, to the last bit or two of the BLAS kernel in float32, and the same accuracy (1003 rows: chunks of
 * 1002 and 501 would leave a last chunk of one row, which joins the chunk before it).
 */
class ChunkedEvaluationTest {

    private static final DataSet TRAIN = SyntheticClassification.blobs(200, 12, 4, 3.0, 3);
    private static final DataSet EVAL = SyntheticClassification.blobs(1003, 12, 4, 3.0, 4);

    private static PdAdmmEngine trained(DataType type) {
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).wStep(WStep.EXACT).iterations(5)
                .dataType(type).build();
        PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(12, 32, 4, 4), config,
                TRAIN.getFeatures(), TRAIN.getLabels());
        engine.fit();
        return engine;
    }

    @Test
    void chunkedPassesEqualTheUnchunkedPassExactly() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            try (PdAdmmEngine engine = trained(type)) {
                INDArray x = EVAL.getFeatures();
                INDArray y = EVAL.getLabels();
                engine.evaluationChunkRows(Integer.MAX_VALUE);
                double[] whole = engine.preActivation(x).data().asDouble();
                double[] wholeOutput = engine.output(x).data().asDouble();
                double wholeAccuracy = engine.accuracy(x, y);
                for (int chunk : new int[] {2, 7, 64, 501, 1002, 1003}) {
                    engine.evaluationChunkRows(chunk);
                    double[] chunked = engine.preActivation(x).data().asDouble();
                    if (type == DataType.DOUBLE) {
                        assertArrayEquals(whole, chunked, 0.0, type + ", chunks of " + chunk);
                    } else {
                        // OpenBLAS's sgemm picks its kernel by the matrix size, and the kernels round the last bit
                        // differently: float32 rows agree to a few units in the last place
                        for (int i = 0; i < whole.length; i++) {
                            assertEquals(whole[i], chunked[i], 1e-6 * Math.max(1, Math.abs(whole[i])),
                                    type + ", chunks of " + chunk + ", element " + i);
                        }
                    }
                    assertArrayEquals(wholeOutput, engine.output(x).data().asDouble(),
                            type == DataType.DOUBLE ? 0.0 : 1e-6, type + ", chunks of " + chunk);
                    assertEquals(wholeAccuracy, engine.accuracy(x, y), 0.0, type + ", chunks of " + chunk);
                }
            }
        }
    }

    @Test
    void chunksNeedARowAndAnInputOfTheRightWidth() {
        try (PdAdmmEngine engine = trained(DataType.FLOAT)) {
            assertThrows(IllegalArgumentException.class, () -> engine.evaluationChunkRows(1));
            engine.evaluationChunkRows(10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.preActivation(EVAL.getFeatures().getColumns(0, 1, 2)));
            assertEquals("input has 3 columns but layer 1 expects 12", e.getMessage());
        }
    }
}
