package io.github.dl4jadmm.graph;

import java.util.Arrays;

/**
 * An immutable sparse {@code float} matrix in compressed sparse row (CSR) form, the layout of scipy's
 * {@code csr_matrix}: the nonzeros of row {@code r} are at positions {@code rowStart(r) .. rowEnd(r)-1}, with
 * column {@link #columnIndex(int)} and value {@link #value(int)}.
 *
 * <p>The matrix is canonical: column indices are strictly increasing within each row (duplicates given to
 * {@link #of} are summed, as scipy does). Element accessors are cheap so that hot loops can read the matrix
 * without copying it; the array accessors ({@link #indptr()}, ...) return copies.
 */
public final class CsrMatrix {

    private final int rows;
    private final int columns;
    private final int[] indptr;
    private final int[] indices;
    private final float[] values;

    private CsrMatrix(int rows, int columns, int[] indptr, int[] indices, float[] values) {
        this.rows = rows;
        this.columns = columns;
        this.indptr = indptr;
        this.indices = indices;
        this.values = values;
    }

    /**
     * Builds a matrix from the three CSR arrays (copied).
     *
     * @param rows    number of rows, at least 0
     * @param columns number of columns, at least 0
     * @param indptr  row pointer, length {@code rows + 1}, starting at 0, non-decreasing, ending at {@code nnz}
     * @param indices column index of each stored value, each in {@code 0 .. columns-1}, length {@code nnz}
     * @param values  stored values, length {@code nnz}
     * @throws IllegalArgumentException naming the array and position that break one of these rules
     */
    public static CsrMatrix of(int rows, int columns, int[] indptr, int[] indices, float[] values) {
        if (rows < 0 || columns < 0) {
            throw new IllegalArgumentException("CSR shape must be non-negative, got " + rows + " x " + columns);
        }
        if (indptr.length != rows + 1) {
            throw new IllegalArgumentException("CSR indptr must have rows + 1 = " + (rows + 1)
                    + " entries for " + rows + " rows, but has " + indptr.length);
        }
        if (indices.length != values.length) {
            throw new IllegalArgumentException("CSR indices and data must have the same length (one column index per"
                    + " value), but indices has " + indices.length + " and data has " + values.length);
        }
        if (indptr[0] != 0) {
            throw new IllegalArgumentException("CSR indptr must start at 0, but starts at " + indptr[0]);
        }
        if (indptr[rows] != indices.length) {
            throw new IllegalArgumentException("CSR indptr must end at nnz = " + indices.length
                    + " (the length of indices/data), but ends at " + indptr[rows]);
        }
        boolean canonical = true;
        for (int r = 0; r < rows; r++) {
            if (indptr[r + 1] < indptr[r]) {
                throw new IllegalArgumentException("CSR indptr must be non-decreasing, but indptr[" + r + "] = "
                        + indptr[r] + " > indptr[" + (r + 1) + "] = " + indptr[r + 1]);
            }
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                int c = indices[k];
                if (c < 0 || c >= columns) {
                    throw new IllegalArgumentException("CSR column index out of range: indices[" + k + "] = " + c
                            + " in row " + r + ", but the matrix has " + columns + " columns (0.."
                            + (columns - 1) + ")");
                }
                if (k > indptr[r] && c <= indices[k - 1]) {
                    canonical = false;
                }
            }
        }
        if (canonical) {
            return new CsrMatrix(rows, columns, indptr.clone(), indices.clone(), values.clone());
        }
        return canonicalize(rows, columns, indptr, indices, values);
    }

    /** Builds a matrix holding the nonzeros of a dense row-major array (handy for tests and small inputs). */
    public static CsrMatrix fromDense(float[][] dense, int columns) {
        int rows = dense.length;
        int[] indptr = new int[rows + 1];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            if (dense[r].length != columns) {
                throw new IllegalArgumentException("dense row " + r + " has " + dense[r].length
                        + " values, expected " + columns);
            }
            for (float v : dense[r]) {
                if (v != 0f) {
                    nnz++;
                }
            }
            indptr[r + 1] = nnz;
        }
        int[] indices = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (float[] row : dense) {
            for (int c = 0; c < columns; c++) {
                if (row[c] != 0f) {
                    indices[k] = c;
                    values[k++] = row[c];
                }
            }
        }
        return new CsrMatrix(rows, columns, indptr, indices, values);
    }

    /** Sorts the columns within each row and sums duplicates. */
    private static CsrMatrix canonicalize(int rows, int columns, int[] indptr, int[] indices, float[] values) {
        int[] newIndptr = new int[rows + 1];
        int[] newIndices = new int[indices.length];
        float[] newValues = new float[values.length];
        int out = 0;
        for (int r = 0; r < rows; r++) {
            int start = indptr[r];
            int length = indptr[r + 1] - start;
            Integer[] order = new Integer[length];
            for (int i = 0; i < length; i++) {
                order[i] = start + i;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(indices[a], indices[b]));
            for (int i = 0; i < length; i++) {
                int k = order[i];
                if (out > newIndptr[r] && newIndices[out - 1] == indices[k]) {
                    newValues[out - 1] += values[k];
                } else {
                    newIndices[out] = indices[k];
                    newValues[out++] = values[k];
                }
            }
            newIndptr[r + 1] = out;
        }
        return new CsrMatrix(rows, columns, newIndptr, Arrays.copyOf(newIndices, out), Arrays.copyOf(newValues, out));
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Number of columns. */
    public int columns() {
        return columns;
    }

    /** Number of stored values. */
    public int nnz() {
        return indices.length;
    }

    /** Position of the first stored value of {@code row}. */
    public int rowStart(int row) {
        return indptr[row];
    }

    /** Position one past the last stored value of {@code row}. */
    public int rowEnd(int row) {
        return indptr[row + 1];
    }

    /** Column of the stored value at {@code position} (see {@link #rowStart}). */
    public int columnIndex(int position) {
        return indices[position];
    }

    /** Stored value at {@code position} (see {@link #rowStart}). */
    public float value(int position) {
        return values[position];
    }

    /** Element {@code (row, column)}, zero when not stored; a binary search within the row. */
    public float get(int row, int column) {
        int k = Arrays.binarySearch(indices, indptr[row], indptr[row + 1], column);
        return k >= 0 ? values[k] : 0f;
    }

    /** A copy of the row pointer ({@code rows + 1} entries). */
    public int[] indptr() {
        return indptr.clone();
    }

    /** A copy of the column indices ({@code nnz} entries). */
    public int[] indices() {
        return indices.clone();
    }

    /** A copy of the stored values ({@code nnz} entries). */
    public float[] values() {
        return values.clone();
    }

    /** The dense form; only for small matrices (tests, debugging). */
    public float[][] toDense() {
        float[][] dense = new float[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                dense[r][indices[k]] = values[k];
            }
        }
        return dense;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CsrMatrix other)) {
            return false;
        }
        return rows == other.rows && columns == other.columns && Arrays.equals(indptr, other.indptr)
                && Arrays.equals(indices, other.indices) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * rows + columns) + Arrays.hashCode(indptr)) + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + " x " + columns + ", nnz=" + nnz() + "]";
    }
}
