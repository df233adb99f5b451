package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.download.python.ScipySparse;

import java.util.Arrays;

/**
 * A benchmark converted from its raw files, in the arrays of the {@code .npy} folder layout.
 *
 * @param numNodes    nodes
 * @param numFeatures features
 * @param indptr      CSR row pointer of the features
 * @param indices     CSR column indices, sorted within each row
 * @param values      CSR values, no zeros
 * @param edgePairs   {@code [E, 2]} (source, target) pairs in row-major order: both directions of every edge, no
 *                    self-loops or duplicates, sorted by (source, target)
 * @param labels      class per node
 * @param numClasses  classes
 * @param publicSplit the split of {@code train/val/test.npy}
 * @param pdadmmSplit the split of {@code pdadmm_*.npy}, or null for none
 */
record ConvertedGraph(int numNodes, int numFeatures, int[] indptr, int[] indices, float[] values, int[] edgePairs,
                      int[] labels, int numClasses, NodeSplit publicSplit, NodeSplit pdadmmSplit) {

    /** Number of stored feature values. */
    int nnz() {
        return indices.length;
    }

    /** Number of rows of {@code edges.npy}. */
    int directedEdges() {
        return edgePairs.length / 2;
    }

    /** Nodes per class. */
    int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Feature arrays as PyTorch Geometric holds them: each value of the canonical matrix rounded to float32
     * ({@code .to(torch.float)}), optionally binarised ({@code x[x > 0] = 1}, as {@code read_npz} does), and zeros
     * left out, as a CSR matrix built from the dense tensor would.
     */
    static Features features(ScipySparse.Csr canonical, boolean binarise) {
        int[] indptr = new int[canonical.rows() + 1];
        int[] indices = new int[canonical.nnz()];
        float[] values = new float[canonical.nnz()];
        int out = 0;
        for (int r = 0; r < canonical.rows(); r++) {
            for (int k = canonical.indptr()[r]; k < canonical.indptr()[r + 1]; k++) {
                float value = (float) canonical.values()[k];
                if (binarise && value > 0) {
                    value = 1f;
                }
                if (value != 0f) {
                    indices[out] = canonical.indices()[k];
                    values[out++] = value;
                }
            }
            indptr[r + 1] = out;
        }
        return new Features(canonical.rows(), canonical.columns(), indptr, Arrays.copyOf(indices, out),
                Arrays.copyOf(values, out));
    }

    /** Feature CSR arrays. */
    record Features(int rows, int columns, int[] indptr, int[] indices, float[] values) {
    }

    /**
     * PyTorch Geometric's edge processing: drop self-loops, add the reverse of every edge ({@code to_undirected}),
     * sort by (source, target) and drop duplicates ({@code coalesce}).
     *
     * @return {@code [E, 2]} pairs in row-major order
     */
    static int[] undirectedEdges(int[] sources, int[] targets, int numNodes) {
        long[] keys = new long[2 * sources.length];
        int count = 0;
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] != targets[i]) {
                keys[count++] = (long) sources[i] * numNodes + targets[i];
                keys[count++] = (long) targets[i] * numNodes + sources[i];
            }
        }
        Arrays.sort(keys, 0, count);
        int[] pairs = new int[2 * count];
        int out = 0;
        for (int i = 0; i < count; i++) {
            if (i > 0 && keys[i] == keys[i - 1]) {
                continue;
            }
            pairs[2 * out] = (int) (keys[i] / numNodes);
            pairs[2 * out + 1] = (int) (keys[i] % numNodes);
            out++;
        }
        return Arrays.copyOf(pairs, 2 * out);
    }
}
