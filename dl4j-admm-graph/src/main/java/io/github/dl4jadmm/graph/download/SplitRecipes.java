package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.NodeSplit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The two random splits of the Amazon and Coauthor folders, drawn exactly as their Python recipes draw them, so that
 * a downloaded copy gets the same {@code train/val/test.npy} and {@code pdadmm_*.npy} as the project's data folder
 * (the files are byte-identical; see the folder READMEs). Neither split ships with the raw data.
 *
 * <p>Both recipes slice like Python: a class with fewer nodes than asked for gives what it has, and a part can come
 * out empty on a small graph, in which case {@link NodeSplit} refuses it.
 */
public final class SplitRecipes {

    /** Training nodes per class in both recipes. */
    public static final int TRAIN_PER_CLASS = 20;

    private SplitRecipes() {
    }

    /**
     * The split of the data folders' {@code train.npy/val.npy/test.npy} for the Amazon and Coauthor graphs:
     * {@code rs = numpy.random.RandomState(0)}; for each class {@code c} in order,
     * {@code perm = rs.permutation(sorted ids of class c)}, train += {@code perm[:20]}, val += {@code perm[20:50]};
     * then {@code test = rs.permutation(sorted ids of all remaining nodes)[:1000]}.
     *
     * @param labels     class of each node, {@code 0..numClasses-1}
     * @param numClasses number of classes
     */
    public static NodeSplit seededPublic(int[] labels, int numClasses) {
        return numpyPerClass("public", labels, numClasses, 0, TRAIN_PER_CLASS, 30, 1000);
    }

    /**
     * The split the pdADMM-G code draws ({@code split_dataset()} in {@code pdADMM_G_serial/input_data.py}): for each
     * class {@code c}, {@code torch.manual_seed(100)} and {@code idx_c[torch.randperm(len(idx_c))[:20]]}; then
     * {@code remaining = nonzero(~train_mask)}, {@code torch.manual_seed(100)},
     * {@code remaining = remaining[torch.randperm(len(remaining))]}, test = the first 1000, val = the next 1000.
     * torch's CPU {@code randperm} is a Fisher-Yates shuffle driven by MT19937, reproduced here.
     *
     * @param labels     class of each node, {@code 0..numClasses-1}
     * @param numClasses number of classes
     */
    public static NodeSplit pdadmm(int[] labels, int numClasses) {
        return torchPerClass("pdadmm", labels, numClasses, 100, TRAIN_PER_CLASS, 1000, 1000);
    }

    /**
     * The {@link #seededPublic} recipe with other sizes and seed.
     *
     * @param name          name of the split
     * @param seed          the {@code RandomState} seed
     * @param trainPerClass training nodes per class ({@code perm[:trainPerClass]})
     * @param valPerClass   validation nodes per class ({@code perm[trainPerClass:trainPerClass+valPerClass]})
     * @param numTest       test nodes drawn from the rest
     */
    public static NodeSplit numpyPerClass(String name, int[] labels, int numClasses, long seed, int trainPerClass,
                                          int valPerClass, int numTest) {
        Mt19937 generator = new Mt19937(seed);
        boolean[] taken = new boolean[labels.length];
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            int[] perm = nodesOfClass(labels, c);
            numpyShuffle(perm, generator);
            for (int i = 0; i < perm.length && i < trainPerClass + valPerClass; i++) {
                (i < trainPerClass ? train : val).add(perm[i]);
                taken[perm[i]] = true;
            }
        }
        int[] remaining = untaken(taken);
        numpyShuffle(remaining, generator);
        int[] test = Arrays.copyOf(remaining, Math.min(numTest, remaining.length));
        return new NodeSplit(name, toArray(train), toArray(val), test);
    }

    /**
     * The {@link #pdadmm} recipe with other sizes and seed.
     *
     * @param name          name of the split
     * @param seed          the {@code torch.manual_seed} value, set before each class and before the rest
     * @param trainPerClass training nodes per class
     * @param numTest       test nodes: the first ones of the shuffled rest
     * @param numVal        validation nodes: the ones after the test nodes
     */
    public static NodeSplit torchPerClass(String name, int[] labels, int numClasses, long seed, int trainPerClass,
                                          int numTest, int numVal) {
        boolean[] taken = new boolean[labels.length];
        List<Integer> train = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            int[] nodes = nodesOfClass(labels, c);
            int[] perm = torchRandperm(nodes.length, new Mt19937(seed));
            for (int i = 0; i < perm.length && i < trainPerClass; i++) {
                train.add(nodes[perm[i]]);
                taken[nodes[perm[i]]] = true;
            }
        }
        int[] remaining = untaken(taken);
        int[] perm = torchRandperm(remaining.length, new Mt19937(seed));
        int testEnd = Math.min(numTest, perm.length);
        int valEnd = Math.min(numTest + numVal, perm.length);
        int[] test = new int[testEnd];
        int[] val = new int[valEnd - testEnd];
        for (int i = 0; i < valEnd; i++) {
            if (i < testEnd) {
                test[i] = remaining[perm[i]];
            } else {
                val[i - testEnd] = remaining[perm[i]];
            }
        }
        return new NodeSplit(name, toArray(train), val, test);
    }

    /**
     * {@code torch.randperm(n)} on the CPU for {@code n} below 2^32/20: {@code r = 0..n-1}, then for
     * {@code i = 0..n-2}: {@code z = random() % (n - i)}, swap {@code r[i]} and {@code r[i + z]}.
     */
    static int[] torchRandperm(int n, Mt19937 generator) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (generator.nextUnsignedInt() % (n - i));
            int saved = r[i];
            r[i] = r[i + z];
            r[i + z] = saved;
        }
        return r;
    }

    /**
     * {@code RandomState.shuffle} (legacy): for {@code i = n-1 .. 1}, {@code j} uniform in {@code 0..i} by
     * masked rejection sampling of 32-bit outputs, swap {@code a[i]} and {@code a[j]}.
     */
    static void numpyShuffle(int[] a, Mt19937 generator) {
        for (int i = a.length - 1; i > 0; i--) {
            long mask = i;
            mask |= mask >>> 1;
            mask |= mask >>> 2;
            mask |= mask >>> 4;
            mask |= mask >>> 8;
            mask |= mask >>> 16;
            long j;
            do {
                j = generator.nextUnsignedInt() & mask;
            } while (j > i);
            int saved = a[i];
            a[i] = a[(int) j];
            a[(int) j] = saved;
        }
    }

    private static int[] nodesOfClass(int[] labels, int c) {
        return java.util.stream.IntStream.range(0, labels.length).filter(node -> labels[node] == c).toArray();
    }

    private static int[] untaken(boolean[] taken) {
        return java.util.stream.IntStream.range(0, taken.length).filter(node -> !taken[node]).toArray();
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
