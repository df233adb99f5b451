package io.github.dl4jadmm.linalg;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cholesky factorisation {@code A = L L^T} of a symmetric positive definite matrix, and solves with it. Plain Java
 * in double precision, so the arithmetic is identical on every run and thread: the local problems of Q-GADMM
 * ({@code d ~ 10-100}) and the exact W-step of pdADMM-G ({@code min(N, n_{l-1})} unknowns). ND4J's
 * {@code matrix_inverse} is no substitute: it tests the determinant, which underflows for well-posed but badly
 * scaled systems.
 */
public final class CholeskyFactor {

    private final int n;
    /** Lower triangle of {@code L}, row-major {@code n x n}. */
    private final double[] lower;

    private CholeskyFactor(int n, double[] lower) {
        this.n = n;
        this.lower = lower;
    }

    /**
     * Factors the symmetric matrix {@code a} (row-major {@code n x n}; only its lower triangle is read).
     *
     * @throws IllegalArgumentException if {@code a} is not positive definite
     */
    public static CholeskyFactor of(double[] a, int n) {
        if (a.length != n * n) {
            throw new IllegalArgumentException("matrix has " + a.length + " entries, expected " + n + " x " + n);
        }
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double diagonal = a[j * n + j];
            for (int k = 0; k < j; k++) {
                diagonal -= l[j * n + k] * l[j * n + k];
            }
            if (!(diagonal > 0)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + " is " + diagonal
                        + "); add a positive ridge (rho > 0, mu > 0) to the system");
            }
            double ljj = Math.sqrt(diagonal);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / ljj;
            }
        }
        return new CholeskyFactor(n, l);
    }

    /** Factors {@code a + shift I} for a square {@code a} (any floating type; only its lower triangle is read). */
    public static CholeskyFactor of(INDArray a, double shift) {
        int n = Math.toIntExact(a.rows());
        double[] m = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < n; i++) {
            m[i * n + i] += shift;
        }
        return of(m, n);
    }

    /** Size {@code n} of the system. */
    public int size() {
        return n;
    }

    /** {@code A^-1 b} for every column of {@code b} ({@code n x k}), in {@code b}'s data type. */
    public INDArray solve(INDArray b) {
        int k = Math.toIntExact(b.columns());
        double[] x = b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] column = new double[n];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                column[i] = x[i * k + c];
            }
            solve(column, column);
            for (int i = 0; i < n; i++) {
                x[i * k + c] = column[i];
            }
        }
        return Nd4j.create(x, new long[]{n, k}, DataType.DOUBLE).castTo(b.dataType());
    }

    /** Solves {@code A x = b} into {@code x} (which may be {@code b} itself). */
    public void solve(double[] b, double[] x) {
        if (b.length != n || x.length != n) {
            throw new IllegalArgumentException("right-hand side of length " + b.length + " for a " + n + " x " + n
                    + " system");
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= lower[i * n + k] * y[k];
            }
            y[i] = s / lower[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= lower[k * n + i] * x[k];
            }
            x[i] = s / lower[i * n + i];
        }
    }
}
