package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cholesky factor {@code A = L L^T} of a symmetric positive definite matrix, computed in float64, for the exact
 * W-step's ridge systems. (ND4J's {@code matrix_inverse} refuses well-posed but badly scaled matrices because it
 * tests the determinant, which underflows; a Cholesky solve has no such problem.)
 */
final class CholeskyFactor {

    private final int n;
    /** Row-major lower triangle. */
    private final double[] lower;

    /**
     * Factors {@code a + shift I}.
     *
     * @throws IllegalArgumentException if the matrix is not positive definite (a pivot is not positive)
     */
    CholeskyFactor(INDArray a, double shift) {
        n = Math.toIntExact(a.rows());
        double[] m = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < n; i++) {
            m[i * n + i] += shift;
        }
        for (int j = 0; j < n; j++) {
            int rowJ = j * n;
            double d = m[rowJ + j];
            for (int k = 0; k < j; k++) {
                d -= m[rowJ + k] * m[rowJ + k];
            }
            if (!(d > 0)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + " is " + d + ")");
            }
            double pivot = Math.sqrt(d);
            m[rowJ + j] = pivot;
            for (int i = j + 1; i < n; i++) {
                int rowI = i * n;
                double s = m[rowI + j];
                for (int k = 0; k < j; k++) {
                    s -= m[rowI + k] * m[rowJ + k];
                }
                m[rowI + j] = s / pivot;
            }
        }
        lower = m;
    }

    /** {@code A^-1 b} for every column of {@code b} ({@code n x k}), in {@code b}'s data type. */
    INDArray solve(INDArray b) {
        int k = Math.toIntExact(b.columns());
        double[] x = b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] column = new double[n];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                column[i] = x[i * k + c];
            }
            // L y = b, then L^T x = y
            for (int i = 0; i < n; i++) {
                double s = column[i];
                int row = i * n;
                for (int j = 0; j < i; j++) {
                    s -= lower[row + j] * column[j];
                }
                column[i] = s / lower[row + i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = column[i];
                for (int j = i + 1; j < n; j++) {
                    s -= lower[j * n + i] * column[j];
                }
                column[i] = s / lower[i * n + i];
            }
            for (int i = 0; i < n; i++) {
                x[i * k + c] = column[i];
            }
        }
        return Nd4j.create(x, new long[]{n, k}, DataType.DOUBLE).castTo(b.dataType());
    }
}
