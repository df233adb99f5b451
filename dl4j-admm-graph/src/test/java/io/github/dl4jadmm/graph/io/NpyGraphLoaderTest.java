package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.testing.NpyFiles;
import io.github.dl4jadmm.graph.testing.TinyGraphFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyGraphLoaderTest {

    @TempDir
    Path temp;

    private final NpyGraphLoader loader = NpyGraphLoader.builder().build();

    @Test
    void roundTripOfATinyFolder() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        GraphDataset graph = loader.load(tiny.write(temp.resolve("tiny")));

        assertEquals("tiny", graph.name());
        assertEquals(6, graph.numNodes());
        assertEquals(3, graph.numFeatures());
        assertEquals(2, graph.numClasses());
        assertEquals(7, graph.numUndirectedEdges());
        assertEquals(14, graph.numDirectedEdges());
        for (int node = 0; node < 6; node++) {
            for (int feature = 0; feature < 3; feature++) {
                assertEquals(tiny.features[node][feature], graph.features().get(node, feature), 0f);
            }
        }
        assertArrayEquals(tiny.labels, graph.labels());
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5}, graph.edgeSources());
        assertArrayEquals(new int[] {1, 5, 0, 2, 4, 1, 3, 2, 4, 1, 3, 5, 0, 4}, graph.edgeTargets());
        assertEquals("public", graph.split().name());
        assertArrayEquals(tiny.train, graph.split().train());
        assertArrayEquals(tiny.val, graph.split().val());
        assertArrayEquals(tiny.test, graph.split().test());
        assertTrue(graph.featuresComplete());
    }

    @Test
    void pdadmmSplitIsChosenByTheCaller() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        GraphDataset graph = NpyGraphLoader.builder().split(SplitChoice.PDADMM).checksums(ChecksumPolicy.REQUIRE)
                .build().load(tiny.write(temp.resolve("tiny")));
        assertEquals("pdadmm", graph.split().name());
        assertArrayEquals(tiny.pdadmmTrain, graph.split().nodes(SplitPart.TRAIN));
        assertArrayEquals(tiny.pdadmmVal, graph.split().nodes(SplitPart.VAL));
        assertArrayEquals(tiny.pdadmmTest, graph.split().nodes(SplitPart.TEST));
    }

    @Test
    void missingPdadmmSplitSaysToUseThePublicOne() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.pdadmmTrain = null;
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> NpyGraphLoader.builder().split(SplitChoice.PDADMM).build().load(folder));
        assertMessage(e, "missing file", "pdadmm_train.npy", "SplitChoice.PUBLIC");
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path folder = new TinyGraphFolder().write(temp.resolve("tiny"));
        Files.delete(folder.resolve("labels.npy"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "missing file", "labels.npy");
        assertEquals(folder.resolve("labels.npy"), e.file().orElseThrow());
    }

    @Test
    void missingFolderIsNamed() {
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(temp.resolve("nowhere")));
        assertMessage(e, "nowhere", "does not exist");
    }

    @Test
    void truncatedFileIsReportedAsCorrupt() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        Path folder = tiny.write(temp.resolve("tiny"));
        Path edges = folder.resolve("edges.npy");
        byte[] bytes = Files.readAllBytes(edges);
        Files.write(edges, Arrays.copyOf(bytes, bytes.length - 6));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "corrupt .npy file", "edges.npy", "truncated");
    }

    @Test
    void fileWithoutNpyMagicIsReportedAsCorrupt() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        Path folder = tiny.write(temp.resolve("tiny"));
        Files.writeString(folder.resolve("train.npy"), "0,1,2\n");
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "corrupt .npy file", "train.npy", "magic");
    }

    @Test
    void checksumMismatchIsReported() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        Path folder = tiny.write(temp.resolve("tiny"));
        NpyFiles.writeInts(folder.resolve("labels.npy"), new int[] {1, 0, 1, 1, 0, 1});
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "checksum mismatch", "labels.npy", "stats.json", "ChecksumPolicy.SKIP");

        GraphDataset accepted = NpyGraphLoader.builder().checksums(ChecksumPolicy.SKIP).build().load(folder);
        assertEquals(1, accepted.label(0));
    }

    @Test
    void requiredChecksumsNeedStatsJson() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> NpyGraphLoader.builder().checksums(ChecksumPolicy.REQUIRE).build().load(folder));
        assertMessage(e, "stats.json", "REQUIRE");
    }

    @Test
    void edgeToANodeThatDoesNotExistIsReported() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.undirectedEdges = new int[][] {{0, 1}, {2, 6}};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "edges.npy", "node 6", "6 nodes");
    }

    @Test
    void labelOutOfRangeIsReported() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.labels = new int[] {0, 0, 1, 5, 0, 1};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "labels.npy", "node 3 has label 5", "0..1");
    }

    @Test
    void negativeLabelIsReportedWithoutStatsJson() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        tiny.labels = new int[] {0, 0, 1, -4, 0, 1};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "labels.npy", "node 3 has label -4", "0..C-1", "negative labels", "Fix the label");
        assertEquals(folder.resolve("labels.npy"), e.file().orElseThrow());
    }

    @Test
    void minusOneIsNoUnlabelledMarkerInThisLayout() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.labels = new int[] {0, 0, 1, 1, -1, 1};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "labels.npy", "node 4 has label -1", "0..1 (2 classes, declared by", "stats.json",
                "(-1 included)");
    }

    @Test
    void aLabelAboveAnUnusedClassIsReportedWhenNothingDeclaresTheClasses() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        tiny.labels = new int[] {0, 0, 1, 1, 12, 1};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "labels.npy", "node 4 has label 12", "no node has label 2..11", "10 of the 13 classes",
                "stats.json is missing", "renumber the classes", "\"classes\": 13");
    }

    @Test
    void theBenchmarkPathNamesFileNodeAndTheBenchmarksRange() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.writeStats = false;
        tiny.labels = new int[] {0, 6, 1, 7, 0, 1};
        tiny.write(temp.resolve("cora"));
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> NpyGraphLoader.builder().build().load(Benchmark.CORA, temp));
        assertMessage(e, "cora", "labels.npy", "node 3 has label 7", "0..6 (7 classes, those of the benchmark cora)",
                "Fix the label or drop the node");
    }

    @Test
    void nanOrInfiniteFeaturesAreReportedWithFileRowAndColumn() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.features[3][1] = Float.NaN;
        Path folder = tiny.write(temp.resolve("nan"));
        GraphDataException nan = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(nan, "features_data.npy in " + folder, "row 3 (node 3), column 1 is NaN",
                "clean the data or drop the node before training");
        assertEquals(folder.resolve("features_data.npy"), nan.file().orElseThrow());

        TinyGraphFolder infinite = new TinyGraphFolder();
        infinite.features[5][2] = Float.NEGATIVE_INFINITY;
        Path other = infinite.write(temp.resolve("inf"));
        GraphDataException inf = assertThrows(GraphDataException.class, () -> loader.load(other));
        assertMessage(inf, "features_data.npy", "row 5 (node 5), column 2 is infinite (-Infinity)",
                "clean the data or drop the node before training");
    }

    @Test
    void overlappingSplitsAreReported() throws IOException {
        TinyGraphFolder tiny = new TinyGraphFolder();
        tiny.test = new int[] {2, 4, 5};
        Path folder = tiny.write(temp.resolve("tiny"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "train.npy", "test.npy", "overlap", "node 2");
    }

    @Test
    void countsDisagreeingWithStatsJsonAreReported() throws IOException {
        Path folder = new TinyGraphFolder().write(temp.resolve("tiny"));
        String stats = Files.readString(folder.resolve("stats.json")).replace("\"nodes\": 6", "\"nodes\": 7");
        Files.writeString(folder.resolve("stats.json"), stats);
        GraphDataException e = assertThrows(GraphDataException.class, () -> loader.load(folder));
        assertMessage(e, "stats.json", "nodes = 7", "6");
    }

    @Test
    void benchmarkNamesAreKnown() {
        assertEquals(Benchmark.COAUTHOR_CS, Benchmark.fromName("coauthor_cs"));
        assertEquals(Benchmark.AMAZON_PHOTO, Benchmark.fromName("AMAZON_PHOTO"));
        assertEquals(SplitChoice.PUBLIC, Benchmark.CORA.paperSplit());
        assertEquals(SplitChoice.PDADMM, Benchmark.AMAZON_COMPUTERS.paperSplit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Benchmark.fromName("reddit"));
        assertMessage(e, "reddit", "cora", "coauthor_cs");
    }

    static void assertMessage(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "message should mention '" + fragment + "': "
                    + e.getMessage());
        }
    }
}
