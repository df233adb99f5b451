package io.github.dl4jadmm.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded synthetic linear-regression shards for tests and benchmarks of data-parallel training: one true model
 * {@code theta*} with standard normal entries, Gaussian features whose column scales fall geometrically from 1 to
 * {@code 1/sqrt(condition)} (so the covariance has condition number about {@code condition}), and targets
 * {@code y = X theta* + noise * N(0, 1)}. Every shard is drawn from the same distribution.
 */
public final class SyntheticRegression {

    private SyntheticRegression() {
    }

    /**
     * {@code workers} shards of {@code samples} rows and {@code features} columns each; labels are one column of
     * targets. Features and targets are DOUBLE.
     *
     * @param condition ratio of the largest to the smallest feature variance, at least 1
     * @param noise     standard deviation of the target noise, at least 0
     */
    public static List<DataSet> shards(int workers, int samples, int features, double condition, double noise,
                                       long seed) {
        if (workers < 1 || samples < 1 || features < 1 || !(condition >= 1) || !(noise >= 0)) {
            throw new IllegalArgumentException("need workers, samples, features >= 1, condition >= 1 and noise >= 0, "
                    + "got " + workers + ", " + samples + ", " + features + ", " + condition + ", " + noise);
        }
        Random random = new Random(seed);
        double[] truth = new double[features];
        double[] scale = new double[features];
        for (int j = 0; j < features; j++) {
            truth[j] = random.nextGaussian();
            double position = features == 1 ? 0 : (double) j / (features - 1);
            scale[j] = Math.pow(condition, -position / 2);
        }
        List<DataSet> shards = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            double[] x = new double[samples * features];
            double[] y = new double[samples];
            for (int i = 0; i < samples; i++) {
                double target = 0;
                for (int j = 0; j < features; j++) {
                    double v = random.nextGaussian() * scale[j];
                    x[i * features + j] = v;
                    target += v * truth[j];
                }
                y[i] = target + noise * random.nextGaussian();
            }
            INDArray xs = Nd4j.create(x, new long[]{samples, features}, 'c');
            INDArray ys = Nd4j.create(y, new long[]{samples, 1}, 'c');
            shards.add(new DataSet(xs, ys));
        }
        return shards;
    }
}
