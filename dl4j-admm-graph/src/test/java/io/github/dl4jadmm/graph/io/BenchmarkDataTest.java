package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Loads the real benchmark folders from {@code -Ddl4jadmm.data.dir}; skipped where the data is absent. */
class BenchmarkDataTest {

    private static Path folderOf(Benchmark benchmark) {
        String dataDir = System.getProperty("dl4jadmm.data.dir");
        assumeTrue(dataDir != null, "dl4jadmm.data.dir is not set");
        Path dir = Path.of(dataDir);
        assumeTrue(Files.isDirectory(dir.resolve(benchmark.folderName())), "no " + benchmark + " under " + dir);
        return dir;
    }

    @Test
    void coraCountsSplitAndAugmentedShapes() throws Exception {
        Path dataDir = folderOf(Benchmark.CORA);
        GraphDataset cora = NpyGraphLoader.builder().checksums(ChecksumPolicy.REQUIRE).build()
                .load(Benchmark.CORA, dataDir);

        assertEquals(2708, cora.numNodes());
        assertEquals(1433, cora.numFeatures());
        assertEquals(7, cora.numClasses());
        assertEquals(5278, cora.numUndirectedEdges());
        assertEquals(140, cora.split().size(SplitPart.TRAIN));
        assertEquals(500, cora.split().size(SplitPart.VAL));
        assertEquals(1000, cora.split().size(SplitPart.TEST));
        assertArrayEquals(new int[] {351, 217, 418, 818, 426, 298, 180}, cora.classCounts());

        AugmentedSplits splits = FeatureAugmenter.withDefaults().augment(cora);
        assertArrayEquals(new long[] {140, 5 * 1433}, splits.features(SplitPart.TRAIN).shape());
        assertArrayEquals(new long[] {500, 5 * 1433}, splits.features(SplitPart.VAL).shape());
        assertArrayEquals(new long[] {1000, 5 * 1433}, splits.features(SplitPart.TEST).shape());
        assertArrayEquals(new long[] {140, 7}, splits.labels(SplitPart.TRAIN).shape());
        // block 0 is H itself: the raw bag-of-words of node 0 (train node 0)
        for (int feature = 0; feature < 1433; feature++) {
            assertEquals(cora.features().get(0, feature), splits.features(SplitPart.TRAIN).getFloat(0, feature), 0f);
        }
        // 20 training nodes per class
        assertArrayEquals(new double[] {20, 20, 20, 20, 20, 20, 20},
                splits.labels(SplitPart.TRAIN).sum(0).toDoubleVector(), 0);
    }

    @ParameterizedTest
    @EnumSource(Benchmark.class)
    void everyBenchmarkLoadsWithItsPaperSplit(Benchmark benchmark) throws Exception {
        GraphDataset graph = NpyGraphLoader.loadBenchmark(benchmark, folderOf(benchmark));
        assertEquals(benchmark.numNodes(), graph.numNodes());
        assertEquals(benchmark.paperSplit().splitName(), graph.split().name());
        assertEquals(benchmark.featuresComplete(), graph.featuresComplete());
        assertEquals(20 * benchmark.numClasses(), graph.split().size(SplitPart.TRAIN));
    }

    @Test
    void pdadmmSplitIsRefusedForPlanetoidGraphs() {
        Path dataDir = folderOf(Benchmark.CITESEER);
        NpyGraphLoader loader = NpyGraphLoader.builder().split(SplitChoice.PDADMM).build();
        Exception e = assertThrows(Exception.class, () -> loader.load(Benchmark.CITESEER, dataDir));
        assertFalse(e.getMessage().isBlank());
    }
}
