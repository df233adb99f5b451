package io.github.dl4jadmm.graph.download.python;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns a pickled SciPy sparse matrix ({@code csr}, {@code csc}, {@code coo} or {@code lil}, matrix or array
 * flavour, from any SciPy version) or a two-dimensional NumPy array into CSR arrays. Pickled sparse matrices are
 * plain objects whose attribute dict holds NumPy arrays ({@code data}, {@code indices}, {@code indptr},
 * {@code _shape}, ...), so nothing SciPy-specific is executed.
 */
public final class ScipySparse {

    private ScipySparse() {
    }

    /**
     * A sparse matrix in compressed sparse row form, as stored: column indices need not be sorted and duplicates
     * are possible until {@link #canonical()}.
     *
     * @param rows    number of rows
     * @param columns number of columns
     * @param indptr  row pointer, {@code rows + 1} entries
     * @param indices column index per stored value
     * @param values  stored values
     */
    public record Csr(int rows, int columns, int[] indptr, int[] indices, double[] values) {

        /** Number of stored values. */
        public int nnz() {
            return indices.length;
        }

        /**
         * The same matrix with column indices sorted within each row and duplicates summed, as
         * {@code todense()} would see it (explicit zeros are kept).
         */
        public Csr canonical() {
            int[] newIndptr = new int[rows + 1];
            int[] newIndices = new int[indices.length];
            double[] newValues = new double[values.length];
            int out = 0;
            long[] keys = new long[0];
            for (int r = 0; r < rows; r++) {
                int start = indptr[r];
                int length = indptr[r + 1] - start;
                if (keys.length < length) {
                    keys = new long[length];
                }
                // sort positions by column: key = column << 32 | position
                for (int k = 0; k < length; k++) {
                    keys[k] = ((long) indices[start + k] << 32) | (start + k);
                }
                Arrays.sort(keys, 0, length);
                for (int k = 0; k < length; k++) {
                    int column = (int) (keys[k] >>> 32);
                    int position = (int) keys[k];
                    if (out > newIndptr[r] && newIndices[out - 1] == column) {
                        newValues[out - 1] += values[position];
                    } else {
                        newIndices[out] = column;
                        newValues[out++] = values[position];
                    }
                }
                newIndptr[r + 1] = out;
            }
            return new Csr(rows, columns, newIndptr, Arrays.copyOf(newIndices, out), Arrays.copyOf(newValues, out));
        }

        /** Row {@code r} as a dense array (for narrow matrices such as one-hot labels). */
        public double[] denseRow(int r) {
            double[] row = new double[columns];
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                row[indices[k]] += values[k];
            }
            return row;
        }
    }

    /** Whether {@code value} is a pickled SciPy sparse matrix or array. */
    public static boolean isSparse(Object value) {
        return value instanceof PyObject object && object.className().startsWith("scipy.sparse.");
    }

    /**
     * CSR arrays of a pickled SciPy sparse matrix or of a two-dimensional NumPy array.
     *
     * @throws IllegalArgumentException if {@code value} is neither, or its arrays are inconsistent
     */
    public static Csr toCsr(Object value) {
        if (NumpyObjects.isArray(value)) {
            return fromDense(NumpyObjects.toArray(value));
        }
        if (!isSparse(value)) {
            throw new IllegalArgumentException("expected a SciPy sparse matrix or a 2-D NumPy array, found "
                    + NumpyObjects.describe(value));
        }
        PyObject object = (PyObject) value;
        String className = object.className();
        String format = className.substring(className.lastIndexOf('.') + 1, className.lastIndexOf('_'));
        Map<String, Object> dict = object.dict();
        int[] shape = shapeOf(dict);
        Csr csr = switch (format) {
            case "csr" -> compressed(shape[0], shape[1], dict);
            case "csc" -> transpose(compressed(shape[1], shape[0], dict));
            case "coo" -> fromCoordinates(shape[0], shape[1], dict);
            case "lil" -> fromLists(shape[0], shape[1], dict);
            default -> throw new IllegalArgumentException("the sparse format " + className + " is not read;"
                    + " expected csr, csc, coo or lil");
        };
        return csr;
    }

    private static int[] shapeOf(Map<String, Object> dict) {
        Object shape = dict.containsKey("_shape") ? dict.get("_shape") : dict.get("shape");
        long[] dims = NumpyObjects.shape(shape);
        if (dims.length != 2) {
            throw new IllegalArgumentException("a sparse matrix must be 2-D, but its shape is " + Arrays.toString(dims));
        }
        return new int[] {Math.toIntExact(dims[0]), Math.toIntExact(dims[1])};
    }

    private static NdArray array(Map<String, Object> dict, String key) {
        if (!dict.containsKey(key)) {
            throw new IllegalArgumentException("the sparse matrix has no '" + key + "' array");
        }
        return NumpyObjects.toArray(dict.get(key));
    }

    /** CSR arrays (or CSC arrays read as the CSR form of the transpose), validated. */
    private static Csr compressed(int rows, int columns, Map<String, Object> dict) {
        int[] indptr = array(dict, "indptr").toIntArray();
        int[] indices = array(dict, "indices").toIntArray();
        double[] values = array(dict, "data").toDoubleArray();
        return validated(rows, columns, indptr, indices, values);
    }

    private static Csr validated(int rows, int columns, int[] indptr, int[] indices, double[] values) {
        if (indptr.length != rows + 1) {
            throw new IllegalArgumentException("indptr has " + indptr.length + " entries for " + rows + " rows");
        }
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices has " + indices.length + " entries but data has "
                    + values.length);
        }
        if (indptr[0] != 0 || indptr[rows] != indices.length) {
            throw new IllegalArgumentException("indptr must run from 0 to nnz = " + indices.length + ", but runs from "
                    + indptr[0] + " to " + indptr[rows]);
        }
        for (int r = 0; r < rows; r++) {
            if (indptr[r + 1] < indptr[r]) {
                throw new IllegalArgumentException("indptr decreases at row " + r);
            }
        }
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= columns) {
                throw new IllegalArgumentException("index " + indices[k] + " at position " + k + " is outside 0.."
                        + (columns - 1));
            }
        }
        return new Csr(rows, columns, indptr, indices, values);
    }

    private static Csr transpose(Csr m) {
        int[] counts = new int[m.columns() + 1];
        for (int column : m.indices()) {
            counts[column + 1]++;
        }
        for (int c = 0; c < m.columns(); c++) {
            counts[c + 1] += counts[c];
        }
        int[] next = Arrays.copyOf(counts, m.columns());
        int[] indices = new int[m.nnz()];
        double[] values = new double[m.nnz()];
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.indptr()[r]; k < m.indptr()[r + 1]; k++) {
                int at = next[m.indices()[k]]++;
                indices[at] = r;
                values[at] = m.values()[k];
            }
        }
        return new Csr(m.columns(), m.rows(), counts, indices, values);
    }

    private static Csr fromCoordinates(int rows, int columns, Map<String, Object> dict) {
        int[] row;
        int[] col;
        if (dict.containsKey("coords")) {
            Object coords = dict.get("coords");
            if (!(coords instanceof PyTuple tuple) || tuple.size() != 2) {
                throw new IllegalArgumentException("coo 'coords' must be a pair of index arrays");
            }
            row = NumpyObjects.toArray(tuple.get(0)).toIntArray();
            col = NumpyObjects.toArray(tuple.get(1)).toIntArray();
        } else {
            row = array(dict, "row").toIntArray();
            col = array(dict, "col").toIntArray();
        }
        double[] data = array(dict, "data").toDoubleArray();
        if (row.length != data.length || col.length != data.length) {
            throw new IllegalArgumentException("coo row, col and data differ in length");
        }
        int[] indptr = new int[rows + 1];
        for (int r : row) {
            if (r < 0 || r >= rows) {
                throw new IllegalArgumentException("coo row index " + r + " is outside 0.." + (rows - 1));
            }
            indptr[r + 1]++;
        }
        for (int r = 0; r < rows; r++) {
            indptr[r + 1] += indptr[r];
        }
        int[] next = Arrays.copyOf(indptr, rows);
        int[] indices = new int[data.length];
        double[] values = new double[data.length];
        for (int k = 0; k < data.length; k++) {
            int at = next[row[k]]++;
            indices[at] = col[k];
            values[at] = data[k];
        }
        return validated(rows, columns, indptr, indices, values);
    }

    private static Csr fromLists(int rows, int columns, Map<String, Object> dict) {
        NdArray rowLists = array(dict, "rows");
        NdArray dataLists = array(dict, "data");
        if (rowLists.size() != rows || dataLists.size() != rows) {
            throw new IllegalArgumentException("lil rows/data must have one list per row (" + rows + ")");
        }
        int[] indptr = new int[rows + 1];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            nnz += ((List<?>) rowLists.getObject(r)).size();
            indptr[r + 1] = nnz;
        }
        int[] indices = new int[nnz];
        double[] values = new double[nnz];
        for (int r = 0; r < rows; r++) {
            List<?> columnsOfRow = (List<?>) rowLists.getObject(r);
            List<?> valuesOfRow = (List<?>) dataLists.getObject(r);
            if (columnsOfRow.size() != valuesOfRow.size()) {
                throw new IllegalArgumentException("lil row " + r + " has " + columnsOfRow.size() + " columns but "
                        + valuesOfRow.size() + " values");
            }
            for (int k = 0; k < columnsOfRow.size(); k++) {
                indices[indptr[r] + k] = Math.toIntExact(((Number) columnsOfRow.get(k)).longValue());
                values[indptr[r] + k] = number(valuesOfRow.get(k));
            }
        }
        return validated(rows, columns, indptr, indices, values);
    }

    private static double number(Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof Boolean flag) {
            return flag ? 1 : 0;
        }
        throw new IllegalArgumentException("expected a number, found " + NumpyObjects.describe(value));
    }

    private static Csr fromDense(NdArray array) {
        long[] shape = array.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("expected a 2-D array, found shape " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int columns = Math.toIntExact(shape[1]);
        int[] indptr = new int[rows + 1];
        int nnz = 0;
        for (long i = 0; i < array.size(); i++) {
            if (array.getDouble(i) != 0) {
                nnz++;
            }
        }
        int[] indices = new int[nnz];
        double[] values = new double[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double v = array.getDouble((long) r * columns + c);
                if (v != 0) {
                    indices[k] = c;
                    values[k++] = v;
                }
            }
            indptr[r + 1] = k;
        }
        return new Csr(rows, columns, indptr, indices, values);
    }
}
