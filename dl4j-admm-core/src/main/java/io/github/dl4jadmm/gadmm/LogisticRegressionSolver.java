package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.linalg.CholeskyFactor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Local logistic regression {@code f_n(theta) = sum_i log(1 + exp(-s_i x_i^T theta))} with labels
 * {@code s_i in {-1, +1}} (0/1 labels are mapped to -1/+1). The primal step minimises
 * {@code g(theta) = f_n(theta) + penalty/2 ||theta||^2 - <linear, theta>} (see {@link LocalSolver}) by Newton's method
 * from the warm start, with a backtracking line search on {@code g}:
 *
 * <pre>
 *   grad g = -X^T (s * sigmoid(-s X theta)) + penalty theta - linear
 *   hess g = X^T diag(sigmoid(z)(1 - sigmoid(z))) X + penalty I       (positive definite since penalty > 0)
 * </pre>
 *
 * It stops after {@code maxNewtonSteps} steps or when {@code ||grad g|| <= tolerance * (1 + ||linear||)}.
 */
public final class LogisticRegressionSolver implements LocalSolver {

    /** Newton steps per primal step unless set. */
    public static final int DEFAULT_NEWTON_STEPS = 10;
    /** Relative gradient tolerance unless set. */
    public static final double DEFAULT_TOLERANCE = 1e-12;

    private final int d;
    private final int samples;
    private final double[][] x;
    private final double[] sign;
    private final int maxNewtonSteps;
    private final double tolerance;

    /** A solver with {@link #DEFAULT_NEWTON_STEPS} and {@link #DEFAULT_TOLERANCE}. */
    public LogisticRegressionSolver(INDArray features, INDArray labels) {
        this(features, labels, DEFAULT_NEWTON_STEPS, DEFAULT_TOLERANCE);
    }

    /**
     * @param features       {@code [m, d]}, rows are samples (add a column of ones for an intercept)
     * @param labels         {@code m} labels in {@code {0, 1}} or {@code {-1, +1}}
     * @param maxNewtonSteps Newton steps per primal step, at least 1
     * @param tolerance      relative gradient tolerance, at least 0
     */
    public LogisticRegressionSolver(INDArray features, INDArray labels, int maxNewtonSteps, double tolerance) {
        if (features == null || labels == null || features.rank() != 2) {
            throw new IllegalArgumentException("features must be a matrix [samples, d] and labels must not be null");
        }
        if (labels.length() != features.rows()) {
            throw new IllegalArgumentException("labels have " + labels.length() + " values but features have "
                    + features.rows() + " rows; give one label per sample");
        }
        if (maxNewtonSteps < 1 || !(tolerance >= 0)) {
            throw new IllegalArgumentException("maxNewtonSteps must be >= 1 and tolerance >= 0, got "
                    + maxNewtonSteps + " and " + tolerance);
        }
        this.samples = features.rows();
        this.d = features.columns();
        this.x = features.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] raw = labels.castTo(DataType.DOUBLE).reshape(labels.length()).toDoubleVector();
        this.sign = new double[samples];
        for (int i = 0; i < samples; i++) {
            if (raw[i] == 1) {
                sign[i] = 1;
            } else if (raw[i] == 0 || raw[i] == -1) {
                sign[i] = -1;
            } else {
                throw new IllegalArgumentException("label " + i + " is " + raw[i] + "; use 0/1 or -1/+1");
            }
        }
        this.maxNewtonSteps = maxNewtonSteps;
        this.tolerance = tolerance;
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public void solve(double[] theta, double[] linear, double penalty) {
        double linearNorm = Math.sqrt(dot(linear, linear));
        double value = objective(theta, linear, penalty);
        for (int step = 0; step < maxNewtonSteps; step++) {
            double[] gradient = new double[d];
            double[] hessian = new double[d * d];
            for (int s = 0; s < samples; s++) {
                double[] row = x[s];
                double margin = sign[s] * dot(row, theta);
                double p = sigmoid(-margin);
                double weight = p * (1 - p);
                for (int i = 0; i < d; i++) {
                    gradient[i] -= sign[s] * p * row[i];
                    for (int j = 0; j <= i; j++) {
                        hessian[i * d + j] += weight * row[i] * row[j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                gradient[i] += penalty * theta[i] - linear[i];
                hessian[i * d + i] += penalty;
            }
            if (Math.sqrt(dot(gradient, gradient)) <= tolerance * (1 + linearNorm)) {
                return;
            }
            double[] direction = new double[d];
            CholeskyFactor.of(hessian, d).solve(gradient, direction);
            double slope = dot(gradient, direction);
            double t = 1;
            double[] trial = new double[d];
            while (true) {
                for (int i = 0; i < d; i++) {
                    trial[i] = theta[i] - t * direction[i];
                }
                double trialValue = objective(trial, linear, penalty);
                if (trialValue <= value - 1e-4 * t * slope) {
                    System.arraycopy(trial, 0, theta, 0, d);
                    value = trialValue;
                    break;
                }
                t /= 2;
                if (t < 1e-12) {
                    return; // no decrease left within rounding: theta is the minimiser to working precision
                }
            }
        }
    }

    @Override
    public double loss(double[] theta) {
        double sum = 0;
        for (int s = 0; s < samples; s++) {
            sum += softplus(-sign[s] * dot(x[s], theta));
        }
        return sum;
    }

    private double objective(double[] theta, double[] linear, double penalty) {
        return loss(theta) + 0.5 * penalty * dot(theta, theta) - dot(linear, theta);
    }

    /** {@code log(1 + exp(z))} without overflow. */
    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
