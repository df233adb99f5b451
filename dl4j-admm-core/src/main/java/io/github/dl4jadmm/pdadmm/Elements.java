package io.github.dl4jadmm.pdadmm;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element access to a dense, contiguous C-ordered array without copying it, for the per-element closed forms of
 * the z-step that would otherwise take a dozen separate ND4J passes. Values are read and written as doubles
 * whatever the storage type (FLOAT or DOUBLE).
 */
abstract class Elements {

    abstract double get(int i);

    abstract void set(int i, double v);

    abstract int size();

    /** Makes the host copies current before element access (a no-op on the CPU backend). */
    static void readOnHost(INDArray... arrays) {
        for (INDArray a : arrays) {
            Nd4j.getAffinityManager().ensureLocation(a, AffinityManager.Location.HOST);
        }
    }

    /** Marks {@code a} as changed on the host, so a GPU backend copies it to the device before the next op. */
    static void writtenOnHost(INDArray a) {
        Nd4j.getAffinityManager().tagLocation(a, AffinityManager.Location.HOST);
    }

    /** A view of {@code a}'s storage; {@code a} must be a contiguous C-ordered FLOAT or DOUBLE array. */
    static Elements of(INDArray a) {
        if (a.ordering() != 'c' || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException("element access needs a contiguous C-ordered array, got ordering "
                    + a.ordering() + " with element stride " + a.elementWiseStride());
        }
        int n = Math.toIntExact(a.length());
        int offset = Math.toIntExact(a.offset());
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer fb = a.data().asNioFloat();
            return new Elements() {
                double get(int i) {
                    return fb.get(offset + i);
                }

                void set(int i, double v) {
                    fb.put(offset + i, (float) v);
                }

                int size() {
                    return n;
                }
            };
        }
        if (a.dataType() == DataType.DOUBLE) {
            DoubleBuffer db = a.data().asNioDouble();
            return new Elements() {
                double get(int i) {
                    return db.get(offset + i);
                }

                void set(int i, double v) {
                    db.put(offset + i, v);
                }

                int size() {
                    return n;
                }
            };
        }
        throw new IllegalArgumentException("element access supports FLOAT and DOUBLE arrays, got " + a.dataType());
    }
}
