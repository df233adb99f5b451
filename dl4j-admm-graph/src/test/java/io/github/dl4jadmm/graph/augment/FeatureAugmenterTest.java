package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.SplitPart;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureAugmenterTest {

    private static final double R6 = Math.sqrt(6);

    /**
     * Rows of [H, SH, S^2H] on the path 0-1-2-3 with columns e_0 and 1 (see {@link NormalizedAdjacencyTest} for S):
     * SH = (1/2, 1/√6, 0, 0 | 1/2+1/√6, 1/√6+2/3, 2/3+1/√6, 1/√6+1/2),
     * S^2H column e_0 = (5/12, 5/(6√6), 1/(3√6), 0), column 1 at node 0 = 1/2 (1/2+1/√6) + 1/√6 (1/√6+2/3)
     * = 5/12 + 7/(6√6), at node 2 = 2/3 (1/√6+2/3) + 1/√6 (1/√6+1/2) = 11/18 + 7/(6√6), at nodes 1 and 3 (by the
     * path's mirror symmetry) the values of nodes 2 and 0.
     */
    private static final double[][] EXPECTED_BY_NODE = {
        {1, 1, 1.0 / 2, 1.0 / 2 + 1 / R6, 5.0 / 12, 5.0 / 12 + 7 / (6 * R6)},
        {0, 1, 1 / R6, 1 / R6 + 2.0 / 3, 5 / (6 * R6), 11.0 / 18 + 7 / (6 * R6)},
        {0, 1, 0, 2.0 / 3 + 1 / R6, 1 / (3 * R6), 11.0 / 18 + 7 / (6 * R6)},
        {0, 1, 0, 1 / R6 + 1.0 / 2, 0, 5.0 / 12 + 7 / (6 * R6)},
    };

    @Test
    void stacksPowersInTheConfiguredOrderAndKeepsOnlySplitRows() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(0, 1, 2).build())
                .augment(PathGraph.create());

        assertEquals(6, splits.numFeatures());
        assertEquals(2, splits.blockWidth());
        assertEquals(List.of(0, 1, 2), splits.powers());
        assertArrayEquals(new long[] {1, 6}, splits.features(SplitPart.TRAIN).shape());
        assertArrayEquals(new long[] {1, 6}, splits.features(SplitPart.VAL).shape());
        assertArrayEquals(new long[] {2, 6}, splits.features(SplitPart.TEST).shape());
        assertRow(EXPECTED_BY_NODE[0], splits.features(SplitPart.TRAIN), 0);
        assertRow(EXPECTED_BY_NODE[2], splits.features(SplitPart.TEST), 0);
        assertRow(EXPECTED_BY_NODE[3], splits.features(SplitPart.TEST), 1);
        assertArrayEquals(new int[] {2, 3}, splits.nodeIds(SplitPart.TEST));
        assertArrayEquals(new int[] {1, 0}, splits.classes(SplitPart.TEST));
        assertEquals(DataType.FLOAT, splits.features(SplitPart.TRAIN).dataType());
        assertArrayEquals(new float[] {0, 1, 1, 0}, splits.labels(SplitPart.TEST).data().asFloat(), 0f);
    }

    @Test
    void paperCodeOrderPutsTheHighestPowerFirst() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(2, 1, 0).build())
                .augment(PathGraph.create());
        double[] node0 = EXPECTED_BY_NODE[0];
        assertRow(new double[] {node0[4], node0[5], node0[2], node0[3], node0[0], node0[1]},
                splits.features(SplitPart.TRAIN), 0);
        assertEquals(List.of(4, 3, 2, 1, 0), AugmentationConfig.paperCodeOrder().powers());
    }

    @Test
    void rowNormalisationDividesByTheRowSumFirst() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(0, 1)
                .rowNormalizeFeatures(true).build()).augment(PathGraph.create());
        // node 0's row (1, 1) becomes (1/2, 1/2); the other rows are (0, 1) already.
        // S H' at node 0: column e_0 = 1/2 * 1/2, column 1 = 1/2 * 1/2 + 1/√6
        assertRow(new double[] {0.5, 0.5, 0.25, 0.25 + 1 / R6}, splits.features(SplitPart.TRAIN), 0);
    }

    @Test
    void chunkedAndThreadedResultsEqualTheSingleChunkResult() {
        GraphDataset graph = randomGraph(50, 13, 4, 7);
        AugmentedSplits whole = new FeatureAugmenter(AugmentationConfig.builder().chunkColumns(13).build())
                .augment(graph);
        AugmentedSplits chunked = new FeatureAugmenter(AugmentationConfig.builder().chunkColumns(4).threads(2)
                .build()).augment(graph);
        assertEquals(1, whole.report().chunks());
        assertEquals(4, chunked.report().chunks());
        for (SplitPart part : SplitPart.values()) {
            assertEquals(whole.features(part), chunked.features(part), part.toString());
        }
        assertEquals(4L * 50 * 4, chunked.report().largestDenseBlockBytes());
        assertEquals(4L * 50 * 13, chunked.report().fullDenseBytes());
        assertEquals(4L * (8 + 10 + 20) * 5 * 13, chunked.report().outputBytes());
    }

    @Test
    void doubleOutputAndPerBlockInputs() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(0, 1, 2)
                .dataType(DataType.DOUBLE).build()).augment(PathGraph.create());
        assertEquals(DataType.DOUBLE, splits.features(SplitPart.TEST).dataType());
        assertEquals(DataType.DOUBLE, splits.labels(SplitPart.TEST).dataType());
        assertRow(EXPECTED_BY_NODE[2], splits.features(SplitPart.TEST), 0);
        MultiDataSet perBlock = splits.multiDataSet(SplitPart.TEST);
        assertEquals(3, perBlock.getFeatures().length);
        assertEquals(1 / (3 * R6), perBlock.getFeatures(2).getDouble(0, 0), 1e-7);
    }

    @Test
    void configurationRejectsBadValues() {
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class,
                () -> AugmentationConfig.builder().powers(0, 1, 1));
        assertTrue(repeated.getMessage().contains("listed twice"));
        assertThrows(IllegalArgumentException.class, () -> AugmentationConfig.builder().powers(-1));
        assertThrows(IllegalArgumentException.class, () -> AugmentationConfig.builder().chunkColumns(0));
        assertThrows(IllegalArgumentException.class, () -> AugmentationConfig.builder().dataType(DataType.INT));
        assertEquals(1433, AugmentationConfig.defaults().chunkColumnsFor(2708, 1433));
        assertEquals(457, AugmentationConfig.defaults().chunkColumnsFor(18333, 6805));
    }

    /** A random graph with {@code nodes} nodes and sparse random features; split 2 per class / 10 / 20. */
    static GraphDataset randomGraph(int nodes, int features, int classes, long seed) {
        Random random = new Random(seed);
        float[][] dense = new float[nodes][features];
        for (float[] row : dense) {
            for (int c = 0; c < features; c++) {
                row[c] = random.nextDouble() < 0.3 ? random.nextInt(3) + 1 : 0;
            }
        }
        int edges = 3 * nodes;
        int[] sources = new int[edges];
        int[] targets = new int[edges];
        for (int e = 0; e < edges; e++) {
            sources[e] = random.nextInt(nodes);
            targets[e] = random.nextInt(nodes);
        }
        int[] labels = new int[nodes];
        for (int node = 0; node < nodes; node++) {
            labels[node] = node % classes;
        }
        return GraphDataset.builder().name("random").features(CsrMatrix.fromDense(dense, features))
                .edges(sources, targets).labels(labels)
                .split(NodeSplit.random(labels, classes, 2, 10, 20, seed))
                .build();
    }

    private static void assertRow(double[] expected, INDArray matrix, int row) {
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c], matrix.getDouble(row, c), 1e-6, "column " + c);
        }
    }
}
