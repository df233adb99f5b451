package io.github.dl4jadmm.quant;

import java.nio.ByteBuffer;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared data generators and message surgery for the codec tests. */
final class CodecTestSupport {

    private CodecTestSupport() {
    }

    /** A reproducible float32 tensor with Gaussian entries of the given scale around {@code mean}. */
    static INDArray gaussian(long seed, int rows, int cols, double mean, double scale) {
        Random random = new Random(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + scale * random.nextGaussian());
        }
        return Nd4j.create(values, new long[] {rows, cols}, 'c');
    }

    /** A heap copy of {@code message} with byte {@code index} replaced. */
    static ByteBuffer withByte(ByteBuffer message, int index, int value) {
        ByteBuffer copy = copy(message, message.remaining());
        copy.put(index, (byte) value);
        return copy;
    }

    /** A heap copy of the first {@code length} bytes of {@code message}. */
    static ByteBuffer copy(ByteBuffer message, int length) {
        byte[] bytes = new byte[length];
        message.duplicate().get(bytes);
        return ByteBuffer.wrap(bytes);
    }
}
