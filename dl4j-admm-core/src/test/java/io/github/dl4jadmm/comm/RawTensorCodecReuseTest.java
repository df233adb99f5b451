package io.github.dl4jadmm.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Decoding into the previous message's array gives the same values as decoding into a new one, and only then reuses. */
class RawTensorCodecReuseTest {

    private static ByteBuffer message(INDArray value) {
        return RawTensorCodec.INSTANCE.encode(value).message();
    }

    @Test
    void decodesIntoTheGivenArrayWhenTypeAndShapeMatch() {
        Nd4j.getRandom().setSeed(7);
        INDArray first = Nd4j.rand(DataType.FLOAT, 30, 20);
        INDArray second = Nd4j.rand(DataType.FLOAT, 30, 20);
        INDArray previous = RawTensorCodec.INSTANCE.decode(message(first), null);
        assertEquals(first, previous);

        INDArray next = RawTensorCodec.INSTANCE.decode(message(second), previous);
        assertSame(previous, next);
        assertArrayEquals(second.data().asFloat(), next.data().asFloat());
        assertArrayEquals(next.data().asFloat(), RawTensorCodec.INSTANCE.decode(message(second)).data().asFloat());
    }

    @Test
    void allocatesWhenTheGivenArrayCannotHoldTheMessage() {
        INDArray value = Nd4j.rand(DataType.DOUBLE, 4, 5);
        INDArray otherShape = Nd4j.zeros(DataType.DOUBLE, 5, 4);
        INDArray otherType = Nd4j.zeros(DataType.FLOAT, 4, 5);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 8, 5).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4), org.nd4j.linalg.indexing.NDArrayIndex.all());
        for (INDArray unusable : new INDArray[] {otherShape, otherType, view}) {
            INDArray decoded = RawTensorCodec.INSTANCE.decode(message(value), unusable);
            assertNotSame(unusable, decoded);
            assertEquals(value, decoded);
        }
        assertEquals(0.0, otherShape.sumNumber().doubleValue(), "an unusable array is left as it was");
        assertEquals(0.0, view.sumNumber().doubleValue(), "an unusable array is left as it was");
    }
}
