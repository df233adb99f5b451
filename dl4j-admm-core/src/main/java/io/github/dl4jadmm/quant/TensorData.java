package io.github.dl4jadmm.quant;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Moves tensor elements between ND4J and Java arrays in C order; shared checks with clear messages. */
final class TensorData {

    private TensorData() {
    }

    /**
     * The elements of {@code x} in C order, as doubles.
     *
     * @param what names the tensor in error messages
     * @throws IllegalArgumentException unless {@code x} is a FLOAT or DOUBLE tensor
     */
    static double[] read(INDArray x, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        requireFloatingType(x.dataType(), what);
        long n = x.length();
        if (n > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(what + " of " + n + " elements is too large");
        }
        boolean plain = x.ordering() == 'c' && !x.isView() && x.elementWiseStride() == 1 && x.offset() == 0;
        INDArray c = plain ? x : x.dup('c');
        double[] data = c.data().asDouble();
        if (data.length != n) {
            data = Arrays.copyOf(x.dup('c').data().asDouble(), (int) n);
        }
        return data;
    }

    static void requireFloatingType(DataType type, String what) {
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(what + " must be a FLOAT or DOUBLE tensor, got " + type);
        }
    }

    /** Throws, naming the first flat index, if {@code data} holds NaN or an infinity. */
    static void requireFinite(double[] data, String what) {
        for (int i = 0; i < data.length; i++) {
            if (!Double.isFinite(data[i])) {
                throw new IllegalArgumentException(what + " holds " + data[i] + " at flat index " + i
                        + "; only finite values can be quantised");
            }
        }
    }

    /** Number of elements of a tensor of this shape. */
    static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
