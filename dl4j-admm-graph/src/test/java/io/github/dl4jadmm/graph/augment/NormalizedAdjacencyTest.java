package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.CsrMatrix;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code S = D^-1/2 (A+I) D^-1/2} of the path 0-1-2-3, by hand: the degrees with self-loops are 2, 3, 3, 2, so
 * <pre>
 *       | 1/2    1/√6   0      0    |
 *   S = | 1/√6   1/3    1/3    0    |
 *       | 0      1/3    1/3    1/√6 |
 *       | 0      0      1/√6   1/2  |
 * </pre>
 */
class NormalizedAdjacencyTest {

    private static final double R6 = Math.sqrt(6);
    private static final double[][] S = {
        {1.0 / 2, 1 / R6, 0, 0},
        {1 / R6, 1.0 / 3, 1.0 / 3, 0},
        {0, 1.0 / 3, 1.0 / 3, 1 / R6},
        {0, 0, 1 / R6, 1.0 / 2},
    };

    private final NormalizedAdjacency operator = NormalizedAdjacency.of(PathGraph.create());

    @Test
    void entriesAndDegreesOfThePathGraph() {
        assertEquals(4, operator.numNodes());
        assertEquals(6 + 4, operator.nnz());
        double[] degrees = {2, 3, 3, 2};
        for (int i = 0; i < 4; i++) {
            assertEquals(degrees[i], operator.degreeWithSelfLoop(i), 0);
            for (int j = 0; j < 4; j++) {
                assertEquals(S[i][j], operator.get(i, j), 1e-7, "S[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void multipliesADenseBlockWhoseRowsAreNodes() {
        // columns e_0 and the all-ones vector
        float[] block = {1, 1, 0, 1, 0, 1, 0, 1};
        float[] out = new float[8];
        operator.multiply(block, out, 2);
        double[] expected = {
            1.0 / 2, 1.0 / 2 + 1 / R6,
            1 / R6, 1 / R6 + 2.0 / 3,
            0, 2.0 / 3 + 1 / R6,
            0, 1 / R6 + 1.0 / 2,
        };
        for (int k = 0; k < 8; k++) {
            assertEquals(expected[k], out[k], 1e-6, "element " + k);
        }
    }

    @Test
    void powerOfAnNd4jBlockKeepsItsDataType() {
        INDArray block = Nd4j.create(new double[][] {{1}, {0}, {0}, {0}});
        INDArray twice = operator.power(2, block);
        assertEquals(DataType.DOUBLE, twice.dataType());
        // S^2 e_0 = first column of S^2: (1/4 + 1/6, 1/(2√6) + 1/(3√6), 1/(3√6), 0)
        double[] expected = {5.0 / 12, 5 / (6 * R6), 1 / (3 * R6), 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], twice.getDouble(i, 0), 1e-6);
        }
        assertEquals(block, operator.power(0, block));
    }

    @Test
    void randomWalkRowsSumToOne() {
        NormalizedAdjacency walk = NormalizedAdjacency.of(PathGraph.create().adjacency(),
                AdjacencyNormalization.RANDOM_WALK);
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3}, new float[] {walk.get(1, 0), walk.get(1, 1),
            walk.get(1, 2)}, 1e-7f);
        assertEquals(0.5f, walk.get(3, 2), 1e-7f);
    }

    @Test
    void refusesNonSquareMatricesAndWrongBlocks() {
        CsrMatrix rectangular = CsrMatrix.fromDense(new float[][] {{1, 0, 1}}, 3);
        assertThrows(IllegalArgumentException.class,
                () -> NormalizedAdjacency.of(rectangular, AdjacencyNormalization.SYMMETRIC));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> operator.multiply(Nd4j.zeros(3, 2)));
        assertEquals(true, e.getMessage().contains("4 rows"));
    }
}
