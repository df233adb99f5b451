package io.github.dl4jadmm.gadmm;

/**
 * Cholesky factorisation {@code A = L L^T} of a small symmetric positive definite matrix, and solves with it. Plain
 * Java in double precision: the local problems of Q-GADMM have {@code d ~ 10-100} parameters, where a factorisation
 * costs microseconds and the arithmetic is identical on every run and thread.
 */
final class CholeskyFactor {

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
    static CholeskyFactor of(double[] a, int n) {
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
                        + "); the local system X^T X + c rho I needs rho > 0");
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

    /** Solves {@code A x = b} into {@code x} (which may be {@code b} itself). */
    void solve(double[] b, double[] x) {
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
