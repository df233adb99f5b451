package io.github.dl4jadmm.graph;

import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextualSbmTest {

    private static final List<String> FILES = List.of("labels.npy", "edges.npy", "features_indptr.npy",
            "features_indices.npy", "features_data.npy", "features_shape.npy", "train.npy", "val.npy", "test.npy");

    /** 20,000 nodes, mean degree 12, homophily 0.6, 8 classes: 120,000 undirected edges. */
    private static final ContextualSbm.Spec SPEC = new ContextualSbm.Spec(20_000, 8, 64, 4, 0.5, 12, 0.6,
            1000, 2000, 3000);

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers(@TempDir Path dir) throws IOException {
        ContextualSbm.write(SPEC, 5, dir.resolve("a"));
        ContextualSbm.write(SPEC, 5, dir.resolve("b"));
        ContextualSbm.write(SPEC, 6, dir.resolve("c"));
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)),
                    Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a").resolve("edges.npy")),
                Files.readAllBytes(dir.resolve("c").resolve("edges.npy"))));
    }

    @Test
    void theLoadedGraphHasTheRequestedDegreeHomophilyAndSplit(@TempDir Path dir) throws IOException {
        ContextualSbm.Summary summary = ContextualSbm.write(SPEC, 3, dir);
        GraphDataset graph = NpyGraphLoader.builder().build().load(dir);

        assertEquals(SPEC.nodes(), graph.numNodes());
        assertEquals(SPEC.features(), graph.numFeatures());
        assertEquals(SPEC.classes(), graph.numClasses());
        // the edge count is round(N d / 2) distinct undirected edges, so the mean degree is d up to rounding
        assertEquals(SPEC.averageDegree(), (double) graph.numDirectedEdges() / graph.numNodes(), 1e-4);
        assertEquals(summary.undirectedEdges() * 2, graph.numDirectedEdges());

        int[] s = graph.edgeSources();
        int[] t = graph.edgeTargets();
        int[] labels = graph.labels();
        long same = 0;
        for (int i = 0; i < s.length; i++) {
            assertTrue(s[i] != t[i], "self-loop at edge " + i);
            if (labels[s[i]] == labels[t[i]]) {
                same++;
            }
        }
        double homophily = (double) same / s.length;
        // 120,000 edges, each same-class with probability 0.6: standard deviation 0.0014
        assertEquals(SPEC.homophily(), homophily, 0.01);
        assertEquals(summary.edgeHomophily(), homophily, 1e-12);
        // every edge in both directions: the adjacency is symmetric
        CsrMatrix a = graph.adjacency();
        for (int i = 0; i < s.length; i += 97) {
            assertEquals(a.get(s[i], t[i]), a.get(t[i], s[i]));
        }

        assertEquals(SPEC.train(), graph.split().size(SplitPart.TRAIN));
        assertEquals(SPEC.validation(), graph.split().size(SplitPart.VAL));
        assertEquals(SPEC.test(), graph.split().size(SplitPart.TEST));

        CsrMatrix x = graph.features();
        assertEquals((long) SPEC.nodes() * SPEC.featuresPerNode(), x.nnz());
        int slice = SPEC.features() / SPEC.classes();
        long onTopic = 0;
        for (int node = 0; node < graph.numNodes(); node++) {
            assertEquals(SPEC.featuresPerNode(), x.rowEnd(node) - x.rowStart(node));
            for (int p = x.rowStart(node); p < x.rowEnd(node); p++) {
                if (x.columnIndex(p) / slice == labels[node]) {
                    onTopic++;
                }
            }
        }
        // a draw lands in the node's slice with probability signal + (1 - signal) / C = 0.5625 (before the
        // redraws of repeated columns, which move it by less than 0.02 here)
        assertEquals(0.5625, (double) onTopic / x.nnz(), 0.03);
    }

    @Test
    void aHeterophilousGraphHasFewSameClassEdges(@TempDir Path dir) throws IOException {
        ContextualSbm.Spec spec = new ContextualSbm.Spec(5000, 4, 40, 3, 0.5, 8, 0.1, 100, 100, 100);
        ContextualSbm.Summary summary = ContextualSbm.write(spec, 1, dir);
        assertEquals(0.1, summary.edgeHomophily(), 0.02);
        assertEquals(8.0, summary.meanDegree(), 1e-3);
    }

    @Test
    void impossibleSpecsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ContextualSbm.Spec(100, 10, 100, 20, 0.5, 4, 0.5, 10, 10, 10));
        assertTrue(e.getMessage().contains("featuresPerNode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ContextualSbm.Spec(100, 10, 100, 5, 0.5, 4, 0.5, 50, 40, 20));
        assertTrue(e.getMessage().contains("split"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ContextualSbm.Spec(100, 10, 100, 5, 1.5, 4, 0.5, 10, 10, 10));
        assertTrue(e.getMessage().contains("featureSignal"), e.getMessage());
    }
}
