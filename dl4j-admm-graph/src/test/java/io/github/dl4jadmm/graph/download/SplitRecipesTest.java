package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SplitRecipesTest {

    @Test
    void mersenneTwisterMatchesTheReferenceOutputs() {
        // std::mt19937 with the default seed 5489: the C++ standard requires the 10000th output to be 4123659995
        Mt19937 generator = new Mt19937(5489);
        assertEquals(3499211612L, generator.nextUnsignedInt());
        for (int i = 2; i < 10000; i++) {
            generator.nextUnsignedInt();
        }
        assertEquals(4123659995L, generator.nextUnsignedInt());
    }

    @Test
    void numpyShuffleMatchesRandomStateZero() {
        // rs = numpy.random.RandomState(0); rs.permutation(10); rs.permutation(numpy.arange(100, 107))
        Mt19937 generator = new Mt19937(0);
        int[] first = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        SplitRecipes.numpyShuffle(first, generator);
        assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, first);
        int[] second = {100, 101, 102, 103, 104, 105, 106};
        SplitRecipes.numpyShuffle(second, generator);
        assertArrayEquals(new int[] {103, 101, 102, 106, 105, 100, 104}, second);
    }

    @Test
    void torchRandpermIsAPermutationDrivenByTheSeed() {
        int[] a = SplitRecipes.torchRandperm(50, new Mt19937(100));
        int[] b = SplitRecipes.torchRandperm(50, new Mt19937(100));
        assertArrayEquals(a, b);
        assertArrayEquals(java.util.stream.IntStream.range(0, 50).toArray(), java.util.Arrays.stream(a).sorted()
                .toArray());
        assertEquals(0, SplitRecipes.torchRandperm(0, new Mt19937(1)).length);
        assertArrayEquals(new int[] {0}, SplitRecipes.torchRandperm(1, new Mt19937(1)));
    }

    @Test
    void smallGraphsSliceLikePython() {
        int[] labels = new int[40];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        NodeSplit split = SplitRecipes.numpyPerClass("small", labels, 2, 0, 5, 5, 1000);
        assertEquals(10, split.train().length);
        assertEquals(10, split.val().length);
        assertEquals(20, split.test().length, "all that remains, as [:1000] gives");
    }

    /**
     * The recipes reproduce the split files of the project's data folders, which were drawn by numpy and checked
     * against real torch.
     */
    @ParameterizedTest
    @EnumSource(value = Benchmark.class, names = {"AMAZON_COMPUTERS", "AMAZON_PHOTO", "COAUTHOR_CS"})
    void reproducesTheDataFolderSplits(Benchmark benchmark) throws Exception {
        String dataDir = System.getProperty("dl4jadmm.data.dir");
        assumeTrue(dataDir != null, "no data directory");
        Path folder = Path.of(dataDir, benchmark.folderName());
        assumeTrue(Files.isDirectory(folder), "no " + folder);
        int[] labels = NpyArray.read(folder.resolve("labels.npy")).ints();

        NodeSplit pdadmm = SplitRecipes.pdadmm(labels, benchmark.numClasses());
        assertArrayEquals(ids(folder, "pdadmm_train.npy"), pdadmm.train());
        assertArrayEquals(ids(folder, "pdadmm_val.npy"), pdadmm.val());
        assertArrayEquals(ids(folder, "pdadmm_test.npy"), pdadmm.test());

        NodeSplit seeded = SplitRecipes.seededPublic(labels, benchmark.numClasses());
        assertArrayEquals(ids(folder, "train.npy"), seeded.train());
        assertArrayEquals(ids(folder, "val.npy"), seeded.val());
        assertArrayEquals(ids(folder, "test.npy"), seeded.test());
    }

    private static int[] ids(Path folder, String file) throws Exception {
        return NpyArray.read(folder.resolve(file)).ints();
    }
}
