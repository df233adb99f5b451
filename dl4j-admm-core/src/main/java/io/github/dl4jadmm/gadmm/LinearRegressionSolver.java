package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.linalg.CholeskyFactor;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Local least squares {@code f_n(theta) = 1/2 ||X_n theta - y_n||^2} with the closed-form primal step of
 * algorithms.md §3.1:
 *
 * <pre>
 *   (X_n^T X_n + c_n rho I) theta_n = X_n^T y_n + lambda_{n-1} - lambda_n + rho (theta_hat_{n-1} + theta_hat_{n+1})
 * </pre>
 *
 * {@code X^T X}, {@code X^T y} and {@code y^T y} are formed once; the Cholesky factor of the system matrix is computed
 * on the first step and reused while the penalty {@code c_n rho} stays the same. All arithmetic is in double
 * precision. Rows of {@code X} are samples; add a column of ones for an intercept.
 */
public final class LinearRegressionSolver implements LocalSolver {

    private final int d;
    private final int samples;
    private final double[] gram;
    private final double[] xty;
    private final double yty;
    private double factoredPenalty = Double.NaN;
    private CholeskyFactor factor;

    /**
     * @param features {@code X_n}, {@code [m, d]}, rows are samples
     * @param targets  {@code y_n}, {@code m} values ({@code [m]}, {@code [m, 1]} or {@code [1, m]})
     * @throws IllegalArgumentException if the shapes disagree or a value is not finite
     */
    public LinearRegressionSolver(INDArray features, INDArray targets) {
        if (features == null || targets == null) {
            throw new IllegalArgumentException("features and targets must not be null");
        }
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features must be a matrix [samples, d], got rank " + features.rank());
        }
        if (targets.length() != features.rows()) {
            throw new IllegalArgumentException("targets have " + targets.length() + " values but features have "
                    + features.rows() + " rows; give one target per sample");
        }
        this.samples = features.rows();
        this.d = features.columns();
        double[][] x = features.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] y = targets.castTo(DataType.DOUBLE).reshape(targets.length()).toDoubleVector();
        this.gram = new double[d * d];
        this.xty = new double[d];
        double sumY2 = 0;
        for (int s = 0; s < samples; s++) {
            double[] row = x[s];
            double ys = y[s];
            if (!Double.isFinite(ys)) {
                throw new IllegalArgumentException("target " + s + " is " + ys);
            }
            sumY2 += ys * ys;
            for (int i = 0; i < d; i++) {
                double xi = row[i];
                if (!Double.isFinite(xi)) {
                    throw new IllegalArgumentException("feature (" + s + ", " + i + ") is " + xi);
                }
                xty[i] += xi * ys;
                for (int j = 0; j <= i; j++) {
                    gram[i * d + j] += xi * row[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                gram[j * d + i] = gram[i * d + j];
            }
        }
        this.yty = sumY2;
    }

    /** A solver on a shard whose labels are the regression targets (one column). */
    public static LinearRegressionSolver of(DataSet shard) {
        if (shard.getLabels().rank() == 2 && shard.getLabels().columns() != 1) {
            throw new IllegalArgumentException("linear regression needs one target column, the shard's labels have "
                    + shard.getLabels().columns());
        }
        return new LinearRegressionSolver(shard.getFeatures(), shard.getLabels());
    }

    @Override
    public int dimension() {
        return d;
    }

    /** Number of samples of the shard. */
    public int samples() {
        return samples;
    }

    @Override
    public void solve(double[] theta, double[] linear, double penalty) {
        if (penalty != factoredPenalty) {
            double[] system = gram.clone();
            for (int i = 0; i < d; i++) {
                system[i * d + i] += penalty;
            }
            factor = CholeskyFactor.of(system, d);
            factoredPenalty = penalty;
        }
        double[] rhs = new double[d];
        for (int i = 0; i < d; i++) {
            rhs[i] = xty[i] + linear[i];
        }
        factor.solve(rhs, theta);
    }

    /** {@code 1/2 ||X theta - y||^2 = 1/2 theta^T X^T X theta - theta^T X^T y + 1/2 y^T y}. */
    @Override
    public double loss(double[] theta) {
        double quadratic = 0;
        double cross = 0;
        for (int i = 0; i < d; i++) {
            double row = 0;
            for (int j = 0; j < d; j++) {
                row += gram[i * d + j] * theta[j];
            }
            quadratic += theta[i] * row;
            cross += theta[i] * xty[i];
        }
        return 0.5 * quadratic - cross + 0.5 * yty;
    }

    /**
     * The least-squares solution of the stacked data of all shards, {@code (sum X_n^T X_n)^{-1} sum X_n^T y_n}: the
     * point GADMM converges to.
     *
     * @throws IllegalArgumentException if the shards disagree on {@code d} or the stacked {@code X} has rank < d
     */
    public static double[] stackedLeastSquares(List<LinearRegressionSolver> shards) {
        int d = shards.get(0).d;
        double[] gram = new double[d * d];
        double[] rhs = new double[d];
        for (LinearRegressionSolver s : shards) {
            if (s.d != d) {
                throw new IllegalArgumentException("shards have " + d + " and " + s.d + " features");
            }
            for (int i = 0; i < d * d; i++) {
                gram[i] += s.gram[i];
            }
            for (int i = 0; i < d; i++) {
                rhs[i] += s.xty[i];
            }
        }
        double[] theta = new double[d];
        CholeskyFactor.of(gram, d).solve(rhs, theta);
        return theta;
    }
}
