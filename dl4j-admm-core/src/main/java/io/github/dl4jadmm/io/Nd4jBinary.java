package io.github.dl4jadmm.io;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.common.primitives.Triple;
import org.nd4j.linalg.api.buffer.BaseDataBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.options.ArrayOptionsHelper;
import org.nd4j.linalg.compression.CompressedDataBuffer;
import org.nd4j.linalg.exception.ND4JUnknownDataTypeException;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes and reads an {@link INDArray} in exactly the byte format of {@link Nd4j#write(INDArray, DataOutputStream)}
 * and {@link Nd4j#read(DataInputStream)} (files written by one are read by the other), but moves the data of FLOAT and
 * DOUBLE arrays {@value #CHUNK_BYTES} bytes at a time between native memory and the stream, where ND4J moves them
 * one element per call (four or eight single-byte writes per element through the stream); a 20 MB array takes
 * tens of milliseconds instead of seconds.
 *
 * <p>The format (ND4J 1.0.0-M2.1, {@code BaseDataBuffer.write} and {@code readHeader}) is two data buffers, the
 * array's shape information and then its data, each as: the buffer's allocation mode
 * ({@link DataOutputStream#writeUTF modified UTF-8}), its length in elements (a big-endian {@code long}), its data
 * type's name (modified UTF-8), then every element big-endian. A view is written as its {@code dup()} (as
 * {@code Nd4j.write} does), so only its elements are written. Floats and doubles are written as
 * {@link DataOutputStream#writeFloat} and {@link DataOutputStream#writeDouble} write them, NaNs included (as the one
 * canonical NaN). Buffers of other data types, and the small shape buffer, are written and read by ND4J's own code.
 *
 * <p>Reading allocates what the header says: check a file's integrity first ({@link FileDigest}) when a damaged
 * header could ask for any amount of memory.
 */
public final class Nd4jBinary {

    /** Bytes of array data moved per transfer between native memory and the stream. */
    public static final int CHUNK_BYTES = 1 << 20;
    private static final int CANONICAL_FLOAT_NAN = Float.floatToIntBits(Float.NaN);
    private static final long CANONICAL_DOUBLE_NAN = Double.doubleToLongBits(Double.NaN);

    private Nd4jBinary() {
    }

    /**
     * Writes {@code array} to {@code out}, byte for byte as {@link Nd4j#write(INDArray, DataOutputStream)} does.
     * Nothing is buffered here beyond one chunk, and {@code out} is not flushed or closed.
     *
     * @throws IllegalArgumentException if {@code array} is empty (it has no data buffer to write)
     */
    public static void write(INDArray array, OutputStream out) throws IOException {
        if (array.isEmpty() || array.data() == null) {
            throw new IllegalArgumentException("an empty array " + java.util.Arrays.toString(array.shape())
                    + " has no data to write");
        }
        INDArray dense = array.isView() ? array.dup() : array;
        DataOutputStream data = out instanceof DataOutputStream d ? d : new DataOutputStream(out);
        dense.shapeInfoDataBuffer().write(data);
        DataBuffer buffer = dense.data();
        DataType type = buffer.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            buffer.write(data);
            data.flush();
            return;
        }
        data.writeUTF(buffer.allocationMode().name());
        data.writeLong(buffer.length());
        data.writeUTF(type.name());
        data.flush();
        writeElements(buffer, type, out);
    }

    private static void writeElements(DataBuffer buffer, DataType type, OutputStream out) throws IOException {
        int width = type.width();
        int perChunk = CHUNK_BYTES / width;
        byte[] bytes = new byte[perChunk * width];
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        long length = buffer.length();
        Pointer address = buffer.addressPointer();
        if (type == DataType.FLOAT) {
            // the raw bits, read as ints so that no NaN payload changes on the way
            IntPointer source = new IntPointer(address);
            int[] chunk = new int[perChunk];
            for (long from = 0; from < length; from += perChunk) {
                int n = (int) Math.min(perChunk, length - from);
                source.position(from).get(chunk, 0, n);
                for (int i = 0; i < n; i++) {
                    if ((chunk[i] & 0x7fffffff) > 0x7f800000) {
                        chunk[i] = CANONICAL_FLOAT_NAN; // as writeFloat writes every NaN
                    }
                }
                view.clear();
                view.asIntBuffer().put(chunk, 0, n);
                out.write(bytes, 0, n * width);
            }
        } else {
            LongPointer source = new LongPointer(address);
            long[] chunk = new long[perChunk];
            for (long from = 0; from < length; from += perChunk) {
                int n = (int) Math.min(perChunk, length - from);
                source.position(from).get(chunk, 0, n);
                for (int i = 0; i < n; i++) {
                    if ((chunk[i] & 0x7fffffffffffffffL) > 0x7ff0000000000000L) {
                        chunk[i] = CANONICAL_DOUBLE_NAN; // as writeDouble writes every NaN
                    }
                }
                view.clear();
                view.asLongBuffer().put(chunk, 0, n);
                out.write(bytes, 0, n * width);
            }
        }
    }

    /**
     * Reads an array that {@link #write} or {@link Nd4j#write(INDArray, DataOutputStream)} wrote, as
     * {@link Nd4j#read(DataInputStream)} reads it: the same shape, order, data type and bits.
     *
     * @throws EOFException if the stream ends before the array does
     * @throws IOException  if the header is not that of an ND4J array (a negative length), or reading fails
     */
    public static INDArray read(InputStream in) throws IOException {
        DataInputStream data = in instanceof DataInputStream d ? d : new DataInputStream(in);
        Triple<DataBuffer.AllocationMode, Long, DataType> shapeHeader = header(data, "shape information");
        DataBuffer shapeInfo = Nd4j.createBufferDetached(new long[] {shapeHeader.getMiddle()},
                shapeHeader.getRight());
        try {
            shapeInfo.read(data, shapeHeader.getLeft(), shapeHeader.getMiddle(), shapeHeader.getRight());
        } catch (RuntimeException e) {
            throw failure(e, "shape information");
        }
        Triple<DataBuffer.AllocationMode, Long, DataType> dataHeader = header(data, "data");
        long length = dataHeader.getMiddle();
        DataType type = dataHeader.getRight();
        DataBuffer buffer;
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            buffer = Nd4j.createBuffer(type, length, false);
            readElements(data, buffer, type, length);
        } else {
            try {
                buffer = CompressedDataBuffer.readUnknown(data, dataHeader.getLeft(), length, type);
            } catch (RuntimeException e) {
                throw failure(e, "data");
            }
        }
        try {
            ArrayOptionsHelper.dataType(shapeInfo.asLong());
        } catch (ND4JUnknownDataTypeException e) {
            // shape information of versions that did not record the data type in it (as Nd4j.read does)
            shapeInfo.put(shapeInfo.length() - 3, ArrayOptionsHelper.setOptionBit(0L, type));
        }
        return Nd4j.createArrayFromShapeBuffer(buffer, shapeInfo);
    }

    private static Triple<DataBuffer.AllocationMode, Long, DataType> header(DataInputStream in, String what)
            throws IOException {
        Triple<DataBuffer.AllocationMode, Long, DataType> header;
        try {
            header = BaseDataBuffer.readHeader(in);
        } catch (RuntimeException e) {
            throw failure(e, what + " header");
        }
        if (header.getMiddle() < 0) {
            throw new IOException("not an ND4J array: its " + what + " buffer has length " + header.getMiddle());
        }
        return header;
    }

    /**
     * What a failure of ND4J's own reading code means: the IOException it wrapped in runtime exceptions (an
     * {@link EOFException} where the stream is short), or else a stream that does not hold an ND4J array.
     */
    private static IOException failure(RuntimeException e, String what) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException io) {
                return io;
            }
        }
        return new IOException("not an ND4J array: its " + what + " is unreadable (" + e + ")", e);
    }

    private static void readElements(DataInputStream in, DataBuffer buffer, DataType type, long length)
            throws IOException {
        int width = type.width();
        int perChunk = CHUNK_BYTES / width;
        byte[] bytes = new byte[perChunk * width];
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        Pointer address = buffer.addressPointer();
        if (type == DataType.FLOAT) {
            IntPointer target = new IntPointer(address);
            int[] chunk = new int[perChunk];
            for (long from = 0; from < length; from += perChunk) {
                int n = (int) Math.min(perChunk, length - from);
                in.readFully(bytes, 0, n * width);
                view.clear();
                view.asIntBuffer().get(chunk, 0, n);
                target.position(from).put(chunk, 0, n);
            }
        } else {
            LongPointer target = new LongPointer(address);
            long[] chunk = new long[perChunk];
            for (long from = 0; from < length; from += perChunk) {
                int n = (int) Math.min(perChunk, length - from);
                in.readFully(bytes, 0, n * width);
                view.clear();
                view.asLongBuffer().get(chunk, 0, n);
                target.position(from).put(chunk, 0, n);
            }
        }
    }
}
