package io.github.dl4jadmm.quant;

import static io.github.dl4jadmm.quant.CodecTestSupport.gaussian;
import static io.github.dl4jadmm.quant.GridCodecTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.compression.BasicNDArrayCompressor;
import org.nd4j.linalg.compression.CompressedDataBuffer;
import org.nd4j.linalg.factory.Nd4j;

class GridCompressorTest {

    @Test
    void isListedByNd4j() {
        assertTrue(Nd4j.getCompressor().getAvailableCompressors().contains(GridCompressor.NAME),
                "available: " + Nd4j.getCompressor().getAvailableCompressors());
        assertInstanceOf(GridCompressor.class, Nd4j.getCompressor().getCompressor(GridCompressor.NAME));
    }

    @Test
    void compressThenDecompressIsTheEightBitGridProjection() {
        INDArray x = gaussian(1, 140, 100, 0.2, 0.5);
        INDArray before = x.dup();
        BasicNDArrayCompressor compressor = Nd4j.getCompressor();
        INDArray compressed = compressor.compress(x, GridCompressor.NAME);
        assertTrue(compressed.isCompressed());
        assertEquals(before, x, "the input is not modified");
        CompressedDataBuffer data = (CompressedDataBuffer) compressed.data();
        assertEquals(GridCompressor.NAME, data.getCompressionDescriptor().getCompressionAlgorithm());
        assertEquals(GridCodec.expectedMessageBytes(new long[] {14_000}, 8),
                data.getCompressionDescriptor().getCompressedLength());
        assertEquals(4L * 14_000, data.getCompressionDescriptor().getOriginalLength());

        INDArray restored = compressor.decompress(compressed);
        assertArrayEquals(x.shape(), restored.shape());
        assertEquals(DataType.FLOAT, restored.dataType());
        assertEquals(QuantizationGrid.uniformFromStatistics(x, 8, 0).project(x), restored);
    }

    @Test
    void bitWidthAndMarginAreConfigurable() {
        GridCompressor shared = (GridCompressor) Nd4j.getCompressor().getCompressor(GridCompressor.NAME);
        INDArray x = gaussian(2, 20, 30, 0, 1).castTo(DataType.DOUBLE);
        try {
            shared.configure(4, 0.1);
            INDArray compressed = Nd4j.getCompressor().compress(x, GridCompressor.NAME);
            assertEquals(GridCodec.expectedMessageBytes(new long[] {600}, 4),
                    ((CompressedDataBuffer) compressed.data()).getCompressionDescriptor().getCompressedLength());
            INDArray restored = Nd4j.getCompressor().decompress(compressed);
            assertEquals(DataType.DOUBLE, restored.dataType());
            assertEquals(QuantizationGrid.uniformFromStatistics(x, 4, 0.1).project(x), restored);
        } finally {
            shared.configure(GridCompressor.DEFAULT_BITS);
        }
        assertEquals(8, shared.bits());
        assertEquals(0.0, shared.margin());
    }

    @Test
    void compressedArraysSurviveNd4jWriteAndRead() throws IOException {
        INDArray x = gaussian(3, 6, 7, 1, 2);
        INDArray compressed = Nd4j.getCompressor().compress(x, GridCompressor.NAME);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(compressed, out);
        }
        INDArray read;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = Nd4j.read(in);
        }
        assertEquals(QuantizationGrid.uniformFromStatistics(x, 8, 0).project(x), Nd4j.getCompressor().decompress(read));
    }

    @Test
    void compressesJavaArraysDirectly() {
        float[] values = {0.5f, -1f, 2f, 0.25f, 1.75f};
        INDArray compressed = Nd4j.getCompressor().getCompressor(GridCompressor.NAME).compress(values);
        INDArray expected = Nd4j.create(values, new long[] {1, values.length}, 'c');
        INDArray restored = Nd4j.getCompressor().decompress(compressed);
        assertEquals(QuantizationGrid.uniformFromStatistics(expected, 8, 0).project(expected), restored.reshape(1, 5));
    }

    @Test
    void refusesBadSettings() {
        GridCompressor compressor = new GridCompressor();
        assertMessage("1..16", () -> compressor.configure(0));
        assertMessage("1..16", () -> compressor.configure(17));
        assertMessage("integer", () -> compressor.configure("8"));
        assertMessage("margin", () -> compressor.configure(8, -1.0));
        assertMessage("configure(bits)", () -> compressor.configure());
        assertEquals(8, compressor.bits());
        INDArray nan = Nd4j.create(new float[] {0, Float.NaN}, new long[] {2}, 'c');
        assertMessage("NaN", () -> compressor.compress(nan));
    }
}
