package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * The sparse propagation operator {@code S} of a graph, by default {@code S = D^-1/2 (A+I) D^-1/2} where
 * {@code D = diag(rowsum(A+I))}: self-loops are added here, so the adjacency given must not already count them as
 * part of the graph ({@link GraphDataset#adjacency()} has none).
 *
 * <p>{@code S} is held in CSR form ({@code nnz(A) + N} values); an {@code N x N} dense matrix is never built. It is
 * applied to dense blocks whose rows are nodes, {@code Y = S X}.
 */
public final class NormalizedAdjacency {

    private final CsrMatrix operator;
    private final double[] degrees;
    private final AdjacencyNormalization normalization;

    private NormalizedAdjacency(CsrMatrix operator, double[] degrees, AdjacencyNormalization normalization) {
        this.operator = operator;
        this.degrees = degrees;
        this.normalization = normalization;
    }

    /** {@code D^-1/2 (A+I) D^-1/2} of the data set's graph. */
    public static NormalizedAdjacency of(GraphDataset graph) {
        return of(graph.adjacency(), AdjacencyNormalization.SYMMETRIC);
    }

    /**
     * The operator for a square (weighted) adjacency matrix: {@code I} is added, then the rows and columns are scaled
     * as {@code normalization} says.
     *
     * @throws IllegalArgumentException if the matrix is not square, or a node's degree in {@code A+I} is not
     *                                  positive (possible only with negative weights)
     */
    public static NormalizedAdjacency of(CsrMatrix adjacency, AdjacencyNormalization normalization) {
        Objects.requireNonNull(normalization, "normalization");
        int n = adjacency.rows();
        if (adjacency.columns() != n) {
            throw new IllegalArgumentException("an adjacency matrix must be square, got " + n + " x "
                    + adjacency.columns());
        }
        int[] indptr = new int[n + 1];
        int[] indices = new int[adjacency.nnz() + n];
        float[] weights = new float[adjacency.nnz() + n];
        double[] degrees = new double[n];
        int out = 0;
        for (int i = 0; i < n; i++) {
            boolean diagonalDone = false;
            for (int k = adjacency.rowStart(i); k < adjacency.rowEnd(i); k++) {
                int j = adjacency.columnIndex(k);
                if (!diagonalDone && j >= i) {
                    indices[out] = i;
                    weights[out++] = j == i ? adjacency.value(k) + 1f : 1f;
                    diagonalDone = true;
                    if (j == i) {
                        continue;
                    }
                }
                indices[out] = j;
                weights[out++] = adjacency.value(k);
            }
            if (!diagonalDone) {
                indices[out] = i;
                weights[out++] = 1f;
            }
            indptr[i + 1] = out;
            for (int k = indptr[i]; k < out; k++) {
                degrees[i] += weights[k];
            }
            if (!(degrees[i] > 0)) {
                throw new IllegalArgumentException("node " + i + " has degree " + degrees[i] + " in A+I; the"
                        + " normalisation needs positive degrees (check for negative edge weights)");
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                int j = indices[k];
                weights[k] = (float) switch (normalization) {
                    case SYMMETRIC -> weights[k] / Math.sqrt(degrees[i] * degrees[j]);
                    case RANDOM_WALK -> weights[k] / degrees[i];
                };
            }
        }
        CsrMatrix operator = CsrMatrix.of(n, n, indptr, Arrays.copyOf(indices, out),
                Arrays.copyOf(weights, out));
        return new NormalizedAdjacency(operator, degrees, normalization);
    }

    /** Number of nodes (rows and columns of {@code S}). */
    public int numNodes() {
        return operator.rows();
    }

    /** Number of stored values of {@code S} ({@code nnz(A) + N} for a graph without self-loops). */
    public int nnz() {
        return operator.nnz();
    }

    /** The normalisation used. */
    public AdjacencyNormalization normalization() {
        return normalization;
    }

    /** Degree of {@code node} in {@code A+I} (its number of neighbours plus one, for an unweighted graph). */
    public double degreeWithSelfLoop(int node) {
        return degrees[node];
    }

    /** Element {@code S[row, column]}. */
    public float get(int row, int column) {
        return operator.get(row, column);
    }

    /** {@code S} as a sparse matrix. */
    public CsrMatrix toCsr() {
        return operator;
    }

    /** Approximate heap bytes held by {@code S} (CSR arrays and degrees). */
    public long sizeInBytes() {
        return 8L * operator.nnz() + 4L * (operator.rows() + 1) + 8L * degrees.length;
    }

    /**
     * {@code out = S in} for row-major dense blocks of {@code numNodes x width} values.
     *
     * @param in    input block, row {@code i} (node {@code i}) at {@code in[i*width .. i*width+width-1]}
     * @param out   output block, same layout; must not be {@code in}
     * @param width number of columns of the blocks
     */
    public void multiply(float[] in, float[] out, int width) {
        checkBlocks(in, out, width);
        multiplyRows(in, out, width, 0, numNodes());
    }

    /** {@code out = S in} for the rows {@code rowFrom .. rowTo-1} of {@code out} only (for parallel callers). */
    void multiplyRows(float[] in, float[] out, int width, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            int base = i * width;
            Arrays.fill(out, base, base + width, 0f);
            for (int k = operator.rowStart(i); k < operator.rowEnd(i); k++) {
                float s = operator.value(k);
                int source = operator.columnIndex(k) * width;
                for (int c = 0; c < width; c++) {
                    out[base + c] += s * in[source + c];
                }
            }
        }
    }

    /**
     * {@code S X} for a dense block whose rows are nodes.
     *
     * @param block {@code numNodes x w} array of any floating-point type
     * @return a new {@code numNodes x w} array of the same type
     */
    public INDArray multiply(INDArray block) {
        return power(1, block);
    }

    /**
     * {@code S^k X} for a dense block whose rows are nodes ({@code X} itself, copied, for {@code k = 0}).
     *
     * @throws IllegalArgumentException if the block is not {@code numNodes x w} or {@code k} is negative
     */
    public INDArray power(int k, INDArray block) {
        if (k < 0) {
            throw new IllegalArgumentException("the power of S must be >= 0, got " + k);
        }
        if (block.rank() != 2 || block.rows() != numNodes()) {
            throw new IllegalArgumentException("expected a block with " + numNodes() + " rows (one per node), got"
                    + " shape " + Arrays.toString(block.shape()));
        }
        int width = block.columns();
        float[] current = block.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] next = new float[current.length];
        for (int step = 0; step < k; step++) {
            multiplyRows(current, next, width, 0, numNodes());
            float[] swap = current;
            current = next;
            next = swap;
        }
        return Nd4j.create(current, new long[] {numNodes(), width}, DataType.FLOAT).castTo(block.dataType());
    }

    private void checkBlocks(float[] in, float[] out, int width) {
        long expected = (long) numNodes() * width;
        if (in.length != expected || out.length != expected) {
            throw new IllegalArgumentException("blocks must hold numNodes x width = " + numNodes() + " x " + width
                    + " = " + expected + " values, got " + in.length + " and " + out.length);
        }
        if (in == out) {
            throw new IllegalArgumentException("S X cannot be computed in place: pass two different arrays");
        }
    }
}
