package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.NodeSplit;

/**
 * The path graph 0-1-2-3 with two feature columns, {@code e_0 = (1,0,0,0)} and {@code 1 = (1,1,1,1)}; split
 * train {0}, val {1}, test {2, 3}.
 */
final class PathGraph {

    private PathGraph() {
    }

    static GraphDataset create() {
        return GraphDataset.builder()
                .name("path4")
                .features(CsrMatrix.fromDense(new float[][] {{1, 1}, {0, 1}, {0, 1}, {0, 1}}, 2))
                .edges(new int[] {0, 1, 2}, new int[] {1, 2, 3})
                .labels(new int[] {0, 1, 1, 0})
                .split(new NodeSplit("hand", new int[] {0}, new int[] {1}, new int[] {2, 3}))
                .build();
    }
}
