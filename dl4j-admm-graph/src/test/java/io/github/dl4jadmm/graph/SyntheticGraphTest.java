package io.github.dl4jadmm.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticGraphTest {

    @Test
    void theSameSeedGivesTheSameGraph() {
        GraphDataset a = SyntheticGraph.generate(SyntheticGraph.Spec.small(), 7);
        GraphDataset b = SyntheticGraph.generate(SyntheticGraph.Spec.small(), 7);
        assertEquals(a.features(), b.features());
        assertArrayEquals(a.edgeSources(), b.edgeSources());
        assertArrayEquals(a.edgeTargets(), b.edgeTargets());
        assertEquals(a.split(), b.split());
    }

    @Test
    void countsAndSplitFollowTheSpec() {
        SyntheticGraph.Spec spec = SyntheticGraph.Spec.small();
        GraphDataset graph = SyntheticGraph.generate(spec, 1);
        assertEquals(spec.nodes(), graph.numNodes());
        assertEquals(spec.vocabulary(), graph.numFeatures());
        assertEquals(spec.classes(), graph.numClasses());
        assertEquals(spec.trainPerClass() * spec.classes(), graph.split().size(SplitPart.TRAIN));
        assertEquals(spec.validation(), graph.split().size(SplitPart.VAL));
        assertEquals(spec.test(), graph.split().size(SplitPart.TEST));
    }

    @Test
    void mostLinksJoinNodesOfTheSameClass() {
        GraphDataset graph = SyntheticGraph.generate(SyntheticGraph.Spec.small(), 3);
        int[] s = graph.edgeSources();
        int[] t = graph.edgeTargets();
        int same = 0;
        for (int i = 0; i < s.length; i++) {
            if (graph.label(s[i]) == graph.label(t[i])) {
                same++;
            }
        }
        double fraction = same / (double) s.length;
        assertTrue(fraction > 0.75 && fraction < 0.9, "fraction of same-class links " + fraction);
    }

    @Test
    void aSplitLargerThanTheGraphIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SyntheticGraph.Spec(50, 5, 100, 5, 0.3, 2, 0.8, 20, 10, 10));
        assertTrue(e.getMessage().contains("the graph has 50"), e.getMessage());
    }
}
