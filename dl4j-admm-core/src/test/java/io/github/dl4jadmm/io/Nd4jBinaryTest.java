package io.github.dl4jadmm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class Nd4jBinaryTest {

    /** More elements than one chunk holds in either precision, so that chunk boundaries are crossed. */
    private static final int LONG_VECTOR = Nd4jBinary.CHUNK_BYTES / 4 * 2 + 1234;

    static Stream<Arguments> arrays() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(42);
            cases.add(Arguments.of(type + " row vector", Nd4j.randn(type, 1, 17)));
            cases.add(Arguments.of(type + " rank-1 vector spanning chunks", Nd4j.randn(type, LONG_VECTOR)));
            cases.add(Arguments.of(type + " c-order matrix", Nd4j.randn(type, 301, 7)));
            cases.add(Arguments.of(type + " c-order matrix spanning chunks", Nd4j.randn(type, 700, 1000)));
            cases.add(Arguments.of(type + " f-order matrix", Nd4j.randn(type, 5, 9).dup('f')));
            INDArray parent = Nd4j.randn(type, 40, 30);
            cases.add(Arguments.of(type + " view: rows 3..20", parent.get(NDArrayIndex.interval(3, 20),
                    NDArrayIndex.all())));
            cases.add(Arguments.of(type + " view: a strided column block", parent.get(NDArrayIndex.all(),
                    NDArrayIndex.interval(2, 11))));
            cases.add(Arguments.of(type + " scalar", Nd4j.scalar(type, 2.5)));
        }
        return cases.build();
    }

    private static byte[] viaNd4j(INDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        Nd4j.write(array, out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] viaNd4jBinary(INDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Nd4jBinary.write(array, bytes);
        return bytes.toByteArray();
    }

    private static void assertSameArray(INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected.ordering(), actual.ordering());
        assertArrayEquals(expected.dup().data().asBytes(), actual.dup().data().asBytes(), "the bits differ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrays")
    void writesTheBytesOfNd4jWrite(String name, INDArray array) throws IOException {
        assertArrayEquals(viaNd4j(array), viaNd4jBinary(array));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrays")
    void filesOfEitherWriterAreReadByEitherReader(String name, INDArray array) throws IOException {
        INDArray expected = Nd4j.read(new DataInputStream(new ByteArrayInputStream(viaNd4j(array))));
        assertSameArray(expected, Nd4jBinary.read(new ByteArrayInputStream(viaNd4j(array))));
        assertSameArray(expected, Nd4j.read(new DataInputStream(new ByteArrayInputStream(viaNd4jBinary(array)))));
        INDArray roundTrip = Nd4jBinary.read(new ByteArrayInputStream(viaNd4jBinary(array)));
        assertSameArray(expected, roundTrip);
        assertEquals(array, roundTrip);
    }

    @Test
    void readsConsecutiveArraysFromOneStream() throws IOException {
        INDArray first = Nd4j.randn(DataType.FLOAT, 3, 4);
        INDArray second = Nd4j.randn(DataType.DOUBLE, 1000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Nd4jBinary.write(first, bytes);
        Nd4jBinary.write(second, bytes);
        ByteArrayInputStream in = new ByteArrayInputStream(bytes.toByteArray());
        assertEquals(first, Nd4jBinary.read(in));
        assertEquals(second, Nd4jBinary.read(in));
        assertEquals(0, in.available());
    }

    @Test
    void writesNaNsAndInfinitiesAsWriteFloatAndWriteDoubleDo() throws IOException {
        INDArray floats = Nd4j.create(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, -0f,
                Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00123), Float.MIN_VALUE});
        INDArray doubles = Nd4j.create(new double[] {1, Double.NaN, Double.NEGATIVE_INFINITY, -0d,
                Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0xfff8000000000abcL)});
        assertArrayEquals(viaNd4j(floats), viaNd4jBinary(floats));
        assertArrayEquals(viaNd4j(doubles), viaNd4jBinary(doubles));
    }

    @Test
    void otherDataTypesGoThroughNd4jsOwnCode() throws IOException {
        INDArray ints = Nd4j.createFromArray(new int[][] {{1, -2, 3}, {4, 5, Integer.MIN_VALUE}});
        INDArray longs = Nd4j.createFromArray(new long[] {Long.MAX_VALUE, 0, -7});
        for (INDArray array : new INDArray[] {ints, longs}) {
            assertArrayEquals(viaNd4j(array), viaNd4jBinary(array));
            assertEquals(array, Nd4jBinary.read(new ByteArrayInputStream(viaNd4jBinary(array))));
        }
    }

    @Test
    void aTruncatedStreamEndsWithEofNotAShorterArray() throws IOException {
        byte[] whole = viaNd4jBinary(Nd4j.randn(DataType.FLOAT, 100, 100));
        for (int keep : new int[] {0, 5, 60, whole.length / 2, whole.length - 1}) {
            byte[] cut = Arrays.copyOf(whole, keep);
            assertThrows(EOFException.class, () -> Nd4jBinary.read(new ByteArrayInputStream(cut)),
                    "cut after " + keep + " bytes");
        }
    }

    @Test
    void aHeaderThatIsNoNd4jArrayIsRefusedWithAReason() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF("NOT_A_MODE");
        out.writeLong(8);
        out.writeUTF("LONG");
        out.flush();
        IOException e = assertThrows(IOException.class,
                () -> Nd4jBinary.read(new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("not an ND4J array"), e.getMessage());
    }

    @Test
    void refusesAnEmptyArray() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nd4jBinary.write(Nd4j.empty(DataType.FLOAT), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
