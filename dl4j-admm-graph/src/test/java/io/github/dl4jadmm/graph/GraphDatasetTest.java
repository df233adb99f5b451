package io.github.dl4jadmm.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphDatasetTest {

    /** A triangle 0-1-2 plus the isolated, unlabelled node 3; edge 1-0 repeats 0-1. */
    private static GraphDataset.Builder triangle() {
        return GraphDataset.builder()
                .name("triangle")
                .features(CsrMatrix.fromDense(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}}, 2))
                .edges(new int[] {0, 1, 2, 1}, new int[] {1, 2, 0, 0})
                .labels(new int[] {0, 1, 0, GraphDataset.UNLABELLED})
                .split(new NodeSplit("s", new int[] {0}, new int[] {1}, new int[] {2}));
    }

    @Test
    void edgesAreStoredOnceInEachDirection() {
        GraphDataset graph = triangle().build();
        assertEquals(3, graph.numUndirectedEdges());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, graph.edgeSources());
        assertArrayEquals(new int[] {1, 2, 0, 2, 0, 1}, graph.edgeTargets());
        assertArrayEquals(new int[] {2, 1}, graph.classCounts());
    }

    @Test
    void unlabelledNodesMayNotBeInTheSplit() {
        InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> triangle()
                .split(new NodeSplit("s", new int[] {0}, new int[] {1}, new int[] {3})).build());
        assertTrue(e.getMessage().contains("node 3, which has no label"), e.getMessage());
        assertTrue(e.components().contains(GraphComponent.TEST_SPLIT));
    }

    @Test
    void splitPartsMustBeDisjointAndNonEmpty() {
        InvalidGraphException overlap = assertThrows(InvalidGraphException.class,
                () -> new NodeSplit("s", new int[] {0, 1}, new int[] {1}, new int[] {2}));
        assertEquals(java.util.List.of(GraphComponent.TRAIN_SPLIT, GraphComponent.VAL_SPLIT), overlap.components());
        assertThrows(InvalidGraphException.class, () -> new NodeSplit("s", new int[] {0}, new int[0], new int[] {2}));
        assertThrows(InvalidGraphException.class, () -> new NodeSplit("s", new int[] {0, 0}, new int[] {1},
                new int[] {2}));
    }

    @Test
    void randomSplitDrawsPerClass() {
        int[] labels = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, GraphDataset.UNLABELLED};
        NodeSplit split = NodeSplit.random(labels, 2, 2, 3, 3, 1);
        assertEquals(4, split.size(SplitPart.TRAIN));
        int[] perClass = new int[2];
        for (int node : split.train()) {
            perClass[labels[node]]++;
        }
        assertArrayEquals(new int[] {2, 2}, perClass);
        assertEquals(split, NodeSplit.random(labels, 2, 2, 3, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> NodeSplit.random(labels, 2, 2, 3, 4, 1));
    }

    @Test
    void nonFiniteFeaturesAreRefusedNamingRowAndColumn() {
        InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> triangle()
                .features(CsrMatrix.fromDense(new float[][] {{1, 0}, {0, 1}, {1, Float.NaN}, {0, 0}}, 2)).build());
        assertEquals("row 2 (node 2), column 1 is NaN; clean the data or drop the node before training",
                e.getMessage());
        assertEquals(java.util.List.of(GraphComponent.FEATURE_VALUES), e.components());
    }

    @Test
    void theFingerprintIsTheContentNotTheName() {
        GraphDataset graph = triangle().build();
        assertEquals(64, graph.fingerprint().length());
        assertEquals(graph.fingerprint(), triangle().name("a copy").build().fingerprint());
        assertTrue(!graph.fingerprint().equals(triangle()
                .features(CsrMatrix.fromDense(new float[][] {{1, 0}, {0, 1}, {1, 2}, {0, 0}}, 2)).build()
                .fingerprint()), "another feature value");
        assertTrue(!graph.fingerprint().equals(triangle().edges(new int[] {0, 1}, new int[] {1, 2}).build()
                .fingerprint()), "other edges");
        assertTrue(!graph.fingerprint().equals(triangle().labels(new int[] {1, 1, 0, GraphDataset.UNLABELLED})
                .build().fingerprint()), "other labels");
        assertTrue(!graph.fingerprint().equals(graph.withSplit(new NodeSplit("s", new int[] {1}, new int[] {0},
                new int[] {2})).fingerprint()), "another split");
    }

    @Test
    void csrInputIsCanonicalisedAndChecked() {
        CsrMatrix m = CsrMatrix.of(2, 3, new int[] {0, 3, 4}, new int[] {2, 0, 2, 1}, new float[] {1, 2, 3, 4});
        assertArrayEquals(new int[] {0, 2, 3}, m.indptr());
        assertArrayEquals(new int[] {0, 2, 1}, m.indices());
        assertArrayEquals(new float[] {2, 4, 4}, m.values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsrMatrix.of(2, 3, new int[] {0, 1, 2}, new int[] {0, 3}, new float[] {1, 1}));
        assertTrue(e.getMessage().contains("indices[1] = 3"), e.getMessage());
    }
}
