package io.github.dl4jadmm.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Disjoint sets of node ids for training, validation and test, each kept sorted, plus a name saying where the split
 * came from ({@code "public"}, {@code "pdadmm"}, ...). Each part holds at least one node.
 *
 * <p>Whether the ids exist in a particular graph is checked when the split is attached to a {@link GraphDataset}.
 */
public final class NodeSplit {

    private final String name;
    private final int[] train;
    private final int[] val;
    private final int[] test;

    /**
     * @param name  where the split came from, not blank
     * @param train training node ids, in any order (copied and sorted)
     * @param val   validation node ids
     * @param test  test node ids
     * @throws InvalidGraphException if a part is empty, holds a negative or repeated id, or two parts share a node
     */
    public NodeSplit(String name, int[] train, int[] val, int[] test) {
        if (name == null || name.isBlank()) {
            throw new InvalidGraphException("a node split needs a name (e.g. \"public\")", GraphComponent.NAME);
        }
        this.name = name;
        this.train = checkedSortedCopy(train, SplitPart.TRAIN);
        this.val = checkedSortedCopy(val, SplitPart.VAL);
        this.test = checkedSortedCopy(test, SplitPart.TEST);
        checkDisjoint(this.train, SplitPart.TRAIN, this.val, SplitPart.VAL);
        checkDisjoint(this.train, SplitPart.TRAIN, this.test, SplitPart.TEST);
        checkDisjoint(this.val, SplitPart.VAL, this.test, SplitPart.TEST);
    }

    /**
     * Draws a split in the style of the GA-MLP papers: for each class in order, {@code trainPerClass} random nodes of
     * that class go to training; then {@code numVal} random remaining labelled nodes go to validation and the next
     * {@code numTest} to test. Nodes with label {@link GraphDataset#UNLABELLED} are never drawn. Reproducible for a
     * given seed (uses {@link java.util.Random}, so it does not reproduce torch's draws).
     *
     * @param labels        label per node, {@code 0..numClasses-1} or {@link GraphDataset#UNLABELLED}
     * @param numClasses    number of classes
     * @param trainPerClass training nodes per class, at least 1
     * @param numVal        validation nodes, at least 1
     * @param numTest       test nodes, at least 1
     * @param seed          random seed
     * @throws IllegalArgumentException if a class has too few nodes or too few nodes remain for val and test
     */
    public static NodeSplit random(int[] labels, int numClasses, int trainPerClass, int numVal, int numTest,
                                   long seed) {
        if (trainPerClass < 1 || numVal < 1 || numTest < 1) {
            throw new IllegalArgumentException("trainPerClass, numVal and numTest must be at least 1, got "
                    + trainPerClass + ", " + numVal + ", " + numTest);
        }
        Random random = new Random(seed);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int node = 0; node < labels.length; node++) {
            int label = labels[node];
            if (label != GraphDataset.UNLABELLED) {
                if (label < 0 || label >= numClasses) {
                    throw new IllegalArgumentException("node " + node + " has label " + label + ", outside 0.."
                            + (numClasses - 1));
                }
                byClass.get(label).add(node);
            }
        }
        List<Integer> train = new ArrayList<>();
        boolean[] taken = new boolean[labels.length];
        for (int c = 0; c < numClasses; c++) {
            List<Integer> nodes = byClass.get(c);
            if (nodes.size() < trainPerClass) {
                throw new IllegalArgumentException("class " + c + " has only " + nodes.size()
                        + " labelled nodes, fewer than trainPerClass = " + trainPerClass);
            }
            Collections.shuffle(nodes, random);
            for (int node : nodes.subList(0, trainPerClass)) {
                train.add(node);
                taken[node] = true;
            }
        }
        List<Integer> remaining = new ArrayList<>();
        for (int node = 0; node < labels.length; node++) {
            if (!taken[node] && labels[node] != GraphDataset.UNLABELLED) {
                remaining.add(node);
            }
        }
        if (remaining.size() < numVal + numTest) {
            throw new IllegalArgumentException("only " + remaining.size() + " labelled nodes remain after training,"
                    + " fewer than numVal + numTest = " + (numVal + numTest));
        }
        Collections.shuffle(remaining, random);
        return new NodeSplit("random(seed=" + seed + ")", toArray(train), toArray(remaining.subList(0, numVal)),
                toArray(remaining.subList(numVal, numVal + numTest)));
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] checkedSortedCopy(int[] ids, SplitPart part) {
        Objects.requireNonNull(ids, () -> part.fileStem() + " node ids");
        if (ids.length == 0) {
            throw new InvalidGraphException("the " + part.fileStem() + " split is empty; each part of a split needs"
                    + " at least one node", GraphComponent.of(part));
        }
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new InvalidGraphException("the " + part.fileStem() + " split holds the negative node id "
                    + sorted[0], GraphComponent.of(part));
        }
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new InvalidGraphException("the " + part.fileStem() + " split lists node " + sorted[i]
                        + " more than once", GraphComponent.of(part));
            }
        }
        return sorted;
    }

    private static void checkDisjoint(int[] a, SplitPart partA, int[] b, SplitPart partB) {
        int i = 0;
        int j = 0;
        int shared = 0;
        int first = -1;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                if (shared++ == 0) {
                    first = a[i];
                }
                i++;
                j++;
            }
        }
        if (shared > 0) {
            throw new InvalidGraphException("the " + partA.fileStem() + " and " + partB.fileStem()
                    + " splits overlap: " + shared + " node(s) are in both, the first is node " + first
                    + "; a node may belong to one part only", GraphComponent.of(partA), GraphComponent.of(partB));
        }
    }

    /** Where the split came from, e.g. {@code "public"} or {@code "pdadmm"}. */
    public String name() {
        return name;
    }

    /** Sorted node ids of {@code part} (a copy). */
    public int[] nodes(SplitPart part) {
        return internal(part).clone();
    }

    /** Number of nodes in {@code part}. */
    public int size(SplitPart part) {
        return internal(part).length;
    }

    /** Sorted training node ids (a copy). */
    public int[] train() {
        return train.clone();
    }

    /** Sorted validation node ids (a copy). */
    public int[] val() {
        return val.clone();
    }

    /** Sorted test node ids (a copy). */
    public int[] test() {
        return test.clone();
    }

    int[] internal(SplitPart part) {
        return switch (part) {
            case TRAIN -> train;
            case VAL -> val;
            case TEST -> test;
        };
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NodeSplit other)) {
            return false;
        }
        return name.equals(other.name) && Arrays.equals(train, other.train) && Arrays.equals(val, other.val)
                && Arrays.equals(test, other.test);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(train), Arrays.hashCode(val), Arrays.hashCode(test));
    }

    @Override
    public String toString() {
        return "NodeSplit[" + name + ": " + train.length + "/" + val.length + "/" + test.length + "]";
    }
}
