package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The number of classes that a labels file implies when nothing declares it (the largest label + 1), and the empty
 * classes that make that number doubtful: one node with a stray label {@code 12} among classes {@code 0..6} would
 * otherwise add six classes without a word. Unlabelled nodes ({@link GraphDataset#UNLABELLED}) are ignored.
 */
final class ClassLabels {

    /**
     * Unused classes below the largest label.
     *
     * @param node        the first node whose label lies above an unused class
     * @param description that node, its label and the unused classes, for a message
     */
    record Gap(int node, String description) {
    }

    /** Empty ranges listed in a message before "...". */
    private static final int LISTED_GAPS = 5;

    private ClassLabels() {
    }

    /** The largest label + 1; 0 when no node has a label. */
    static int implied(int[] labels) {
        int max = -1;
        for (int label : labels) {
            max = Math.max(max, label);
        }
        return max + 1;
    }

    /**
     * The first node whose label lies above an unused class, and the unused classes ("node 5 has label 12, but no
     * node has label 7..11 (5 of the 13 classes 0..12 ...)"); empty when every class {@code 0..max} has a node.
     * Sorts a copy of the labels, so a stray label of any size costs no more than a small one.
     */
    static Optional<Gap> gap(int[] labels) {
        int[] sorted = Arrays.stream(labels).filter(label -> label >= 0).sorted().toArray();
        List<String> gaps = new ArrayList<>();
        long emptyClasses = 0;
        int firstEmpty = -1;
        int expected = 0;
        for (int label : sorted) {
            if (label > expected) {
                firstEmpty = firstEmpty < 0 ? expected : firstEmpty;
                emptyClasses += label - expected;
                if (gaps.size() < LISTED_GAPS) {
                    gaps.add(label - 1 == expected ? String.valueOf(expected) : expected + ".." + (label - 1));
                } else if (gaps.size() == LISTED_GAPS) {
                    gaps.add("...");
                }
            }
            expected = label + 1;
        }
        if (firstEmpty < 0) {
            return Optional.empty();
        }
        int node = 0;
        while (labels[node] <= firstEmpty) {
            node++;
        }
        int classes = implied(labels);
        return Optional.of(new Gap(node, "node " + node + " has label " + labels[node] + ", but no node has label "
                + String.join(", ", gaps) + " (" + emptyClasses + " of the " + classes + " classes 0.." + (classes - 1)
                + " that the labels imply would be empty)"));
    }
}
