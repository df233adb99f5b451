package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.data.SyntheticRegression;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The primal step of one worker against the local augmented Lagrangian of algorithms.md §3.1, written out term by
 * term (not in the {@code linear / penalty} form the solvers use), and minimised numerically.
 */
class LocalStepTest {

    private static final int D = 5;

    /** A middle worker (2 of 3) or an end worker (1 of 3) with random duals and neighbour models. */
    private record Setup(GadmmWorker worker, ModelExchange exchange, ToDoubleFunction<double[]> lagrangian,
                         double[] start) {
    }

    private static Setup setup(LocalSolver solver, ToDoubleFunction<double[]> loss, int index, long seed) {
        Random r = new Random(seed);
        double rho = 3.0;
        double[] initial = new double[D];
        GadmmWorker w = new GadmmWorker(index, 3, 0, solver, initial, initial);
        for (int i = 0; i < D; i++) {
            if (w.leftHat != null) {
                w.leftHat[i] = r.nextGaussian();
                w.leftDual[i] = r.nextGaussian();
            }
            w.rightHat[i] = r.nextGaussian();
            w.rightDual[i] = r.nextGaussian();
        }
        double[] lh = w.leftHat;
        double[] ld = w.leftDual;
        double[] rh = w.rightHat;
        double[] rd = w.rightDual;
        ToDoubleFunction<double[]> lagrangian = theta -> {
            double v = loss.applyAsDouble(theta);
            for (int i = 0; i < D; i++) {
                if (lh != null) {
                    v += ld[i] * (lh[i] - theta[i]) + rho / 2 * (lh[i] - theta[i]) * (lh[i] - theta[i]);
                }
                v += rd[i] * (theta[i] - rh[i]) + rho / 2 * (theta[i] - rh[i]) * (theta[i] - rh[i]);
            }
            return v;
        };
        ModelExchange exchange = new ModelExchange(new LocalChannel(RawTensorCodec.INSTANCE), 3, null, D,
                DataType.DOUBLE);
        return new Setup(w, exchange, lagrangian, initial.clone());
    }

    /** Central-difference gradient of {@code f} at {@code x}. */
    private static double[] numericalGradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            g[i] = (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * h);
        }
        return g;
    }

    /** Plain gradient descent with a backtracking step until the gradient vanishes. */
    private static double[] minimise(ToDoubleFunction<double[]> f, double[] start) {
        double[] x = start.clone();
        double step = 1;
        for (int it = 0; it < 20_000; it++) {
            double[] g = numericalGradient(f, x, 1e-6);
            if (Math.sqrt(Vectors.squaredNorm(g)) < 1e-9) {
                break;
            }
            double fx = f.applyAsDouble(x);
            step *= 2;
            while (true) {
                double[] trial = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    trial[i] = x[i] - step * g[i];
                }
                if (f.applyAsDouble(trial) <= fx - 0.5 * step * Vectors.squaredNorm(g) || step < 1e-14) {
                    x = trial;
                    break;
                }
                step /= 2;
            }
        }
        return x;
    }

    private static double maxAbsDifference(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void linearRegressionClosedFormMinimisesTheLocalAugmentedLagrangian() {
        DataSet shard = SyntheticRegression.shards(1, 30, D, 10, 0.1, 3).get(0);
        LinearRegressionSolver solver = LinearRegressionSolver.of(shard);
        double[][] x = shard.getFeatures().toDoubleMatrix();
        double[] y = shard.getLabels().reshape(30).toDoubleVector();
        ToDoubleFunction<double[]> leastSquares = theta -> {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                double r = -y[i];
                for (int j = 0; j < D; j++) {
                    r += x[i][j] * theta[j];
                }
                s += 0.5 * r * r;
            }
            return s;
        };
        for (int index : new int[]{1, 2}) {
            Setup s = setup(solver, leastSquares, index, 11 + index);
            s.worker().primalStep(s.exchange(), 3.0);
            double[] closedForm = s.worker().theta.clone();
            double[] gradient = numericalGradient(s.lagrangian(), closedForm, 1e-5);
            assertTrue(Math.sqrt(Vectors.squaredNorm(gradient)) < 1e-6,
                    "gradient of L at the closed form should vanish, worker " + index);
            double[] numerical = minimise(s.lagrangian(), s.start());
            assertTrue(maxAbsDifference(closedForm, numerical) < 1e-7,
                    "closed form and gradient descent disagree for worker " + index);
            assertEquals(leastSquares.applyAsDouble(closedForm), solver.loss(closedForm), 1e-9);
        }
    }

    @Test
    void cachedFactorisationIsReusedAndGivesTheSameSolution() {
        DataSet shard = SyntheticRegression.shards(1, 20, D, 1, 0.1, 4).get(0);
        LinearRegressionSolver solver = LinearRegressionSolver.of(shard);
        double[] linear = {1, -2, 0.5, 0, 3};
        double[] a = new double[D];
        double[] b = new double[D];
        solver.solve(a, linear, 6.0);
        solver.solve(b, linear, 3.0);
        double[] c = new double[D];
        solver.solve(c, linear, 6.0);
        assertArrayEquals(a, c, 0.0);
        assertTrue(maxAbsDifference(a, b) > 1e-3, "a different penalty must change the solution");
    }

    @Test
    void logisticNewtonStepMinimisesTheLocalAugmentedLagrangian() {
        Random r = new Random(9);
        int m = 40;
        double[] xs = new double[m * D];
        double[] labels = new double[m];
        for (int i = 0; i < m; i++) {
            double score = 0;
            for (int j = 0; j < D; j++) {
                xs[i * D + j] = r.nextGaussian();
                score += xs[i * D + j] * (j - 2);
            }
            labels[i] = score + r.nextGaussian() > 0 ? 1 : 0;
        }
        LogisticRegressionSolver solver = new LogisticRegressionSolver(Nd4j.create(xs, new long[]{m, D}, 'c'),
                Nd4j.createFromArray(labels));
        ToDoubleFunction<double[]> logLoss = theta -> {
            double s = 0;
            for (int i = 0; i < m; i++) {
                double z = 0;
                for (int j = 0; j < D; j++) {
                    z += xs[i * D + j] * theta[j];
                }
                double sign = labels[i] == 1 ? 1 : -1;
                s += Math.log1p(Math.exp(-sign * z));
            }
            return s;
        };
        for (int index : new int[]{1, 2}) {
            Setup s = setup(solver, logLoss, index, 21 + index);
            s.worker().primalStep(s.exchange(), 3.0);
            double[] newton = s.worker().theta.clone();
            double[] numerical = minimise(s.lagrangian(), s.start());
            assertTrue(maxAbsDifference(newton, numerical) < 1e-7,
                    "Newton and gradient descent disagree for worker " + index);
            assertEquals(logLoss.applyAsDouble(newton), solver.loss(newton), 1e-9);
        }
    }
}
