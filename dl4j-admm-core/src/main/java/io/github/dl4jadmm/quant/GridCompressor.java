package io.github.dl4jadmm.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.compression.impl.AbstractCompressor;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.buffer.DataTypeEx;
import org.nd4j.linalg.compression.CompressedDataBuffer;
import org.nd4j.linalg.compression.CompressionDescriptor;
import org.nd4j.linalg.compression.CompressionType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The grid codec as an ND4J {@link org.nd4j.linalg.compression.NDArrayCompressor}, named {@value #NAME}:
 *
 * <pre>
 *   INDArray c = Nd4j.getCompressor().compress(x, "ADMM_GRID");   // x projected onto 2^b levels over [min x, max x]
 *   INDArray y = Nd4j.getCompressor().decompress(c);              // y = QuantizationGrid.uniformFromStatistics(x, b, margin).project(x)
 * </pre>
 *
 * The compressed buffer holds exactly one {@link GridCodec} message for the flattened buffer (shape {@code [n]},
 * uniform grid over the buffer's own range), so its {@link CompressionDescriptor#getCompressedLength()} is
 * {@link GridCodec#expectedMessageBytes}{@code ([n], bits)}: about {@code b/32} of the float32 size. The message
 * carries its grid, so decompression needs no configuration.
 *
 * <p>Settings: {@code Nd4j.getCompressor().getCompressor("ADMM_GRID").configure(bits)} or
 * {@code configure(bits, margin)}; defaults 8 bits and margin 0. ND4J holds one shared instance per name, so this
 * changes the setting for every later {@code compress} in the JVM. Compresses FLOAT and DOUBLE buffers only.
 * Registered in {@code META-INF/services/org.nd4j.linalg.compression.NDArrayCompressor}. ND4J's
 * {@code BinarySerde} only knows its built-in codec names, so send these messages as raw bytes (see
 * {@link GridCodec}) rather than through {@code BinarySerde}.
 */
public final class GridCompressor extends AbstractCompressor {

    /** The descriptor under which ND4J lists this compressor. */
    public static final String NAME = "ADMM_GRID";
    /** Bits per element unless configured. */
    public static final int DEFAULT_BITS = 8;

    private volatile int bits = DEFAULT_BITS;
    private volatile double margin = 0.0;

    /** Used by the {@link java.util.ServiceLoader}; 8 bits, no margin. */
    public GridCompressor() {
    }

    @Override
    public String getDescriptor() {
        return NAME;
    }

    @Override
    public CompressionType getCompressionType() {
        return CompressionType.LOSSY;
    }

    /**
     * Sets the bit width and, optionally, the margin: {@code configure(4)} or {@code configure(4, 0.1)}.
     *
     * @throws IllegalArgumentException on anything else, bits outside 1..16 or a negative margin
     */
    @Override
    public void configure(Object... vars) {
        if (vars == null || vars.length < 1 || vars.length > 2) {
            throw new IllegalArgumentException(NAME + " takes configure(bits) or configure(bits, margin), got "
                    + (vars == null ? "null" : vars.length + " arguments"));
        }
        if (!(vars[0] instanceof Integer || vars[0] instanceof Long || vars[0] instanceof Short)) {
            throw new IllegalArgumentException(NAME + ": bits must be an integer, got " + vars[0]);
        }
        int newBits = ((Number) vars[0]).intValue();
        BitPacker.checkBits(newBits);
        double newMargin = 0.0;
        if (vars.length == 2) {
            if (!(vars[1] instanceof Number number) || !(number.doubleValue() >= 0)
                    || !Double.isFinite(number.doubleValue())) {
                throw new IllegalArgumentException(NAME + ": margin must be a finite number >= 0, got " + vars[1]);
            }
            newMargin = number.doubleValue();
        }
        bits = newBits;
        margin = newMargin;
    }

    /** The configured bit width. */
    public int bits() {
        return bits;
    }

    /** The configured margin. */
    public double margin() {
        return margin;
    }

    @Override
    public DataBuffer compress(DataBuffer buffer) {
        DataType type = buffer.dataType();
        TensorData.requireFloatingType(type, NAME + " input");
        double[] values = buffer.asDouble();
        return compressValues(values, type);
    }

    @Override
    protected CompressedDataBuffer compressPointer(DataTypeEx srcType, Pointer srcPointer, int length, int elementSize) {
        double[] values = new double[length];
        if (srcType == DataTypeEx.FLOAT) {
            float[] floats = new float[length];
            new FloatPointer(srcPointer).capacity(length).get(floats);
            for (int i = 0; i < length; i++) {
                values[i] = floats[i];
            }
            return compressValues(values, DataType.FLOAT);
        }
        if (srcType == DataTypeEx.DOUBLE) {
            new DoublePointer(srcPointer).capacity(length).get(values);
            return compressValues(values, DataType.DOUBLE);
        }
        throw new IllegalArgumentException(NAME + " compresses FLOAT or DOUBLE data, got " + srcType);
    }

    private CompressedDataBuffer compressValues(double[] values, DataType type) {
        if (values.length == 0) {
            throw new IllegalArgumentException(NAME + " cannot compress an empty buffer");
        }
        TensorData.requireFinite(values, NAME + " input");
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        QuantizationGrid grid = QuantizationGrid.uniformOverRange(bits, min, max, margin);
        ByteBuffer message = GridCodec.encodeIndices(grid.indicesOf(values), new long[] {values.length},
                GridCodec.width(type), grid);
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);

        CompressionDescriptor descriptor = new CompressionDescriptor();
        descriptor.setCompressionAlgorithm(NAME);
        descriptor.setCompressionType(getCompressionType());
        descriptor.setOriginalDataType(type);
        descriptor.setOriginalElementSize(type.width());
        descriptor.setNumberOfElements(values.length);
        descriptor.setOriginalLength((long) values.length * type.width());
        descriptor.setCompressedLength(bytes.length);
        return new CompressedDataBuffer(new BytePointer(bytes), descriptor);
    }

    @Override
    public DataBuffer decompress(DataBuffer buffer, DataType dataType) {
        if (!(buffer instanceof CompressedDataBuffer compressed)) {
            throw new IllegalArgumentException(NAME + " can only decompress a CompressedDataBuffer, got "
                    + buffer.getClass().getName());
        }
        CompressionDescriptor descriptor = compressed.getCompressionDescriptor();
        if (!NAME.equals(descriptor.getCompressionAlgorithm())) {
            throw new IllegalArgumentException(NAME + " cannot decompress data compressed by "
                    + descriptor.getCompressionAlgorithm());
        }
        long length = descriptor.getCompressedLength();
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(NAME + ": compressed length " + length + " is invalid");
        }
        byte[] bytes = new byte[(int) length];
        new BytePointer(compressed.addressPointer()).position(0).capacity(length).get(bytes);
        GridCodec.Decoded decoded = GridCodec.decodeMessage(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
                null, null);
        double[] values = decoded.values();
        if (values.length != descriptor.getNumberOfElements()) {
            throw new IllegalArgumentException(NAME + ": message holds " + values.length + " values, descriptor says "
                    + descriptor.getNumberOfElements());
        }
        DataType target = dataType == null ? descriptor.getOriginalDataType() : dataType;
        if (target == DataType.FLOAT) {
            float[] floats = new float[values.length];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) values[i];
            }
            return Nd4j.createBuffer(floats);
        }
        if (target == DataType.DOUBLE) {
            return Nd4j.createBuffer(values);
        }
        throw new IllegalArgumentException(NAME + " decompresses to FLOAT or DOUBLE, not " + target);
    }
}
