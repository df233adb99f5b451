package io.github.dl4jadmm.data;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded synthetic classification data for tests, examples and benchmarks that must run without a download:
 * Gaussian blobs around random class centres. With {@code separation} well above 1 the classes are linearly
 * separable with high probability.
 */
public final class SyntheticClassification {

    private SyntheticClassification() {
    }

    /**
     * {@code samples} rows of {@code features} columns in {@code classes} balanced classes (one-hot labels).
     *
     * @param separation distance scale of the class centres relative to the unit noise
     */
    public static DataSet blobs(int samples, int features, int classes, double separation, long seed) {
        if (samples < 1 || features < 1 || classes < 2) {
            throw new IllegalArgumentException("need samples >= 1, features >= 1 and classes >= 2, got " + samples
                    + ", " + features + ", " + classes);
        }
        Random random = new Random(seed);
        double[][] centres = new double[classes][features];
        double scale = separation / Math.sqrt(features);
        for (double[] c : centres) {
            for (int j = 0; j < features; j++) {
                c[j] = random.nextGaussian() * scale;
            }
        }
        float[] x = new float[samples * features];
        float[] y = new float[samples * classes];
        double noise = 1.0 / Math.sqrt(features);
        for (int i = 0; i < samples; i++) {
            int label = i % classes;
            y[i * classes + label] = 1;
            for (int j = 0; j < features; j++) {
                x[i * features + j] = (float) (centres[label][j] + random.nextGaussian() * noise);
            }
        }
        INDArray xs = Nd4j.create(x, new long[]{samples, features}, 'c');
        INDArray ys = Nd4j.create(y, new long[]{samples, classes}, 'c');
        return new DataSet(xs.castTo(DataType.FLOAT), ys.castTo(DataType.FLOAT));
    }
}
