package io.github.dl4jadmm.gadmm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Conversions between flat Java models and ND4J vectors, and the few vector helpers the workers use. */
final class Vectors {

    private Vectors() {
    }

    /** The elements of {@code x} in C order, as doubles. */
    static double[] toDoubles(INDArray x) {
        INDArray flat = x.rank() == 1 ? x : x.reshape('c', x.length());
        return flat.toDoubleVector();
    }

    /** A new rank-1 tensor of {@code values}, rounded to {@code type} (FLOAT or DOUBLE). */
    static INDArray toTensor(double[] values, DataType type) {
        if (type == DataType.DOUBLE) {
            return Nd4j.createFromArray(values);
        }
        if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return Nd4j.createFromArray(f);
        }
        throw new IllegalArgumentException("models travel as FLOAT or DOUBLE, got " + type);
    }

    /** Rounds every element to the nearest float when {@code type} is FLOAT, in place; returns {@code values}. */
    static double[] roundTo(DataType type, double[] values) {
        if (type == DataType.FLOAT) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) values[i];
            }
        }
        return values;
    }

    /** {@code sum_i (a_i - b_i)^2}. */
    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = a[i] - b[i];
            s += diff * diff;
        }
        return s;
    }

    /** {@code sum_i a_i^2}. */
    static double squaredNorm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return s;
    }

    /** Index of the first NaN, infinity or element of magnitude at least {@code limit}, or -1. */
    static int firstBeyond(double[] a, double limit) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i]) < limit)) {
                return i;
            }
        }
        return -1;
    }
}
