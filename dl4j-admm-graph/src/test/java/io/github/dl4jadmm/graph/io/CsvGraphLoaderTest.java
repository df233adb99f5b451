package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.NodeSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.github.dl4jadmm.graph.io.NpyGraphLoaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvGraphLoaderTest {

    @TempDir
    Path temp;

    private Path features;
    private Path edges;
    private Path labels;

    private void writeFiles(String edgeLines, String labelLines) throws IOException {
        features = Files.writeString(temp.resolve("features.csv"),
                "node,f0,f1,f2\n"
                        + "2,0,0,3\n"
                        + "0,1,0,2.5\n"
                        + "1,0,1,0\n"
                        + "3,1,1,0\n");
        edges = Files.writeString(temp.resolve("edges.csv"), "source,target\n" + edgeLines);
        labels = Files.writeString(temp.resolve("labels.csv"), "node,label,part\n" + labelLines);
    }

    private CsvGraphLoader.Builder loader() {
        return CsvGraphLoader.builder().name("mine").features(features).edges(edges).labels(labels).skipLines(1);
    }

    @Test
    void roundTrip() throws IOException {
        writeFiles("0,1\n1,2\n2,1\n2,3\n3,3\n", "0,0,train\n1,1,train\n2,1,val\n3,0,test\n");
        GraphDataset graph = loader().build().load();

        assertEquals("mine", graph.name());
        assertEquals(4, graph.numNodes());
        assertEquals(3, graph.numFeatures());
        assertEquals(2, graph.numClasses());
        assertEquals(2.5f, graph.features().get(0, 2), 0f);
        assertEquals(3f, graph.features().get(2, 2), 0f);
        assertEquals(6, graph.features().nnz());
        // 2-1 repeats 1-2 and 3-3 is a self-loop: three undirected edges remain
        assertEquals(3, graph.numUndirectedEdges());
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 3}, graph.edgeSources());
        assertArrayEquals(new int[] {1, 0, 2, 1, 3, 2}, graph.edgeTargets());
        assertArrayEquals(new int[] {0, 1, 1, 0}, graph.labels());
        assertArrayEquals(new int[] {0, 1}, graph.split().train());
        assertArrayEquals(new int[] {2}, graph.split().val());
        assertArrayEquals(new int[] {3}, graph.split().test());
    }

    @Test
    void explicitSplitReplacesTheThirdColumn() throws IOException {
        writeFiles("0,1\n", "0,0\n1,1\n2,1\n3,0\n");
        GraphDataset graph = loader().split(new NodeSplit("mine", new int[] {3}, new int[] {2}, new int[] {0, 1}))
                .build().load();
        assertArrayEquals(new int[] {3}, graph.split().train());
    }

    @Test
    void edgeToAMissingNodeNamesFileAndLine() throws IOException {
        writeFiles("0,1\n1,7\n", "0,0,train\n1,1,train\n2,1,val\n3,0,test\n");
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader().build().load());
        assertMessage(e, "edges.csv line 3", "node 7 does not exist", "0..3");
    }

    @Test
    void missingSplitSaysWhatToDo() throws IOException {
        writeFiles("0,1\n", "0,0\n1,1\n2,1\n3,0\n");
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader().build().load());
        assertMessage(e, "labels.csv", "no split", "NodeSplit.random");
    }

    @Test
    void labelOutOfRangeAndOverlapAreReported() throws IOException {
        writeFiles("0,1\n", "0,0,train\n1,4,train\n2,1,val\n3,0,test\n");
        GraphDataException range = assertThrows(GraphDataException.class,
                () -> loader().numClasses(2).build().load());
        assertMessage(range, "labels.csv line 3", "label 4", "0..1");

        writeFiles("0,1\n", "0,0,train\n1,1,train\n2,1,val\n3,0,test\n");
        GraphDataException overlap = assertThrows(GraphDataException.class, () -> loader()
                .split(new NodeSplit("mine", new int[] {0, 1}, new int[] {2}, new int[] {3, 9})).build().load());
        assertMessage(overlap, "split given to CsvGraphLoader", "node 9");
    }

    @Test
    void nanOrInfiniteFeaturesAreReportedWithFileRowAndColumn() throws IOException {
        for (String bad : new String[] {"NaN", "Infinity", "-Infinity"}) {
            writeFiles("0,1\n", "0,0,train\n1,1,train\n2,1,val\n3,0,test\n");
            Files.writeString(features, "node,f0,f1,f2\n0,1,0,2\n3,0,1,0\n1,0," + bad + ",1\n2,1,1,0\n");
            GraphDataException e = assertThrows(GraphDataException.class, () -> loader().build().load());
            assertMessage(e, features.toString(), "row 1 (node 1), column 1 is "
                    + (bad.equals("NaN") ? "NaN" : "infinite (" + bad + ")"),
                    "clean the data or drop the node before training");
            assertEquals(features, e.file().orElseThrow());
        }
    }

    @Test
    void negativeLabelsAndLabelsAboveAnUnusedClassNameFileLineAndNode() throws IOException {
        writeFiles("0,1\n", "0,0,train\n1,-2,train\n2,1,val\n3,0,test\n");
        GraphDataException negative = assertThrows(GraphDataException.class, () -> loader().build().load());
        assertMessage(negative, "labels.csv line 3", "node 1 has label -2", "0..C-1",
                "leave a node out of the file to leave it unlabelled", "Fix the label");

        writeFiles("0,1\n", "0,0,train\n2,1,val\n1,9,train\n3,0,test\n");
        GraphDataException gap = assertThrows(GraphDataException.class, () -> loader().build().load());
        assertMessage(gap, "labels.csv line 4", "node 1 has label 9", "no node has label 2..8",
                "renumber the classes to 0..C-1", "numClasses(10)");
        assertEquals(10, loader().numClasses(10).build().load().numClasses(), "a declared count allows the gap");
    }

    @Test
    void missingFileIsNamed() throws IOException {
        writeFiles("0,1\n", "0,0,train\n1,1,train\n2,1,val\n3,0,test\n");
        Files.delete(edges);
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader().build().load());
        assertMessage(e, "missing file", "edges.csv");
    }
}
