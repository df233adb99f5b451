package io.github.dl4jadmm.quant;

import static io.github.dl4jadmm.quant.CodecTestSupport.copy;
import static io.github.dl4jadmm.quant.CodecTestSupport.gaussian;
import static io.github.dl4jadmm.quant.CodecTestSupport.withByte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.comm.WireHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GridCodecTest {

    private static final Transfer LINK = Transfer.forward(1);

    @Test
    void reconstructionOverALocalChannelIsTheProjectionOnBothEnds() {
        INDArray x = gaussian(1, 140, 100, 0.4, 0.3);
        QuantizationGrid grid = QuantizationGrid.uniform(8, -0.2, 1.2);
        LocalChannel channel = new LocalChannel(GridCodec.fixed(grid));
        INDArray senderCopy = channel.send(LINK, x);
        INDArray received = channel.receive(LINK);
        assertEquals(grid.project(x), senderCopy);
        assertEquals(grid.project(x), received);
        assertEquals(GridCodec.expectedMessageBytes(x.shape(), 8), channel.bytesSent());
        assertEquals(13 + 2 + 17 + 14_000, channel.bytesSent());
    }

    @Test
    void valuesAlreadyOnTheGridTravelExactly() {
        QuantizationGrid grid = QuantizationGrid.uniformFromStatistics(gaussian(2, 30, 20, 0, 1), 4, 0.1);
        INDArray p = grid.project(gaussian(3, 30, 20, 0, 1));
        LocalChannel channel = new LocalChannel(GridCodec.perLink(link -> grid));
        assertEquals(p, channel.send(LINK, p));
        assertEquals(p, channel.receive(LINK));
        assertEquals(GridCodec.expectedMessageBytes(p.shape(), 4), channel.bytesSent());
    }

    @Test
    void adaptiveGridFollowsEachMessagesRange() {
        LocalChannel channel = new LocalChannel(GridCodec.adaptive(6, 0.05));
        for (int k = 0; k < 3; k++) {
            INDArray x = gaussian(10 + k, 12, 9, 3 * k, 1 + k);
            INDArray expected = QuantizationGrid.uniformFromStatistics(x, 6, 0.05).project(x);
            assertEquals(expected, channel.send(LINK, x));
            assertEquals(expected, channel.receive(LINK));
        }
        assertEquals(3L * GridCodec.expectedMessageBytes(new long[] {12, 9}, 6), channel.bytesSent());
    }

    @Test
    void integerAndExplicitGridsAndDoublesRoundTrip() {
        INDArray x = gaussian(4, 7, 5, 5, 8).castTo(DataType.DOUBLE);
        QuantizationGrid integers = QuantizationGrid.paperIntegers();
        LocalChannel ints = new LocalChannel(GridCodec.fixed(integers));
        ints.send(LINK, x);
        INDArray back = ints.receive(LINK);
        assertEquals(DataType.DOUBLE, back.dataType());
        assertEquals(integers.project(x), back);
        assertEquals(GridCodec.expectedMessageBytes(x.shape(), integers), ints.bytesSent());
        assertEquals(13 + 2 + 8 + (35 * 5 + 7) / 8, ints.bytesSent());

        QuantizationGrid explicit = QuantizationGrid.of(-3, -0.5, 0, 0.1, 2, 10);
        LocalChannel custom = new LocalChannel(GridCodec.fixed(explicit));
        custom.send(LINK, x);
        assertEquals(explicit.project(x), custom.receive(LINK));
        assertEquals(GridCodec.expectedMessageBytes(x.shape(), explicit), custom.bytesSent());
    }

    @Test
    void explicitGridUnknownToTheDecoderIsRefused() {
        INDArray x = gaussian(5, 3, 3, 0, 1);
        EncodedTensor encoded = GridCodec.encode(x, QuantizationGrid.of(-1, 0, 1));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> GridCodec.decode(encoded.message(), null));
        assertTrue(none.getMessage().contains("unknown grid"), none.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> GridCodec.decode(encoded.message(), QuantizationGrid.of(-1, 0, 2)));
        assertTrue(other.getMessage().contains("unknown grid"), other.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GridCodec.adaptive(4, 0).newDecoder(LINK).decode(encoded.message()));
        assertEquals(encoded.reconstruction(), GridCodec.decode(encoded.message(), QuantizationGrid.of(-1, 0, 1)));
    }

    @Test
    void float32VersusEightAndFourBitMessagesOfA140By100Tensor() {
        INDArray x = gaussian(6, 140, 100, 0.3, 0.2);
        int raw = RawTensorCodec.INSTANCE.encode(x).sizeInBytes();
        int eight = GridCodec.adaptive(8, 0).newEncoder(LINK).encode(x).sizeInBytes();
        int four = GridCodec.adaptive(4, 0).newEncoder(LINK).encode(x).sizeInBytes();
        assertEquals(13 + 1 + 4 * 14_000, raw);
        assertEquals(GridCodec.expectedMessageBytes(x.shape(), 8), eight);
        assertEquals(GridCodec.expectedMessageBytes(x.shape(), 4), four);
        double ratio8 = (double) raw / eight;
        double ratio4 = (double) raw / four;
        System.out.printf("140x100 float32 %d B, 8-bit grid %d B (%.3fx), 4-bit grid %d B (%.3fx)%n", raw, eight,
                ratio8, four, ratio4);
        assertTrue(ratio8 > 3.98 && ratio8 < 4, "ratio " + ratio8);
        assertTrue(ratio4 > 7.9 && ratio4 < 8, "ratio " + ratio4);
    }

    @Test
    void malformedMessagesFailClearly() {
        INDArray x = gaussian(7, 4, 5, 0, 1);
        QuantizationGrid grid = QuantizationGrid.uniform(5, -2, 2);
        ByteBuffer message = GridCodec.encode(x, grid).message();
        int codecHeader = new WireHeader(WireHeader.KIND_GRID, x.shape()).sizeInBytes();

        assertMessage("magic", () -> GridCodec.decode(withByte(message, 0, 0x00), null));
        assertMessage("truncated", () -> GridCodec.decode(copy(message, message.remaining() - 1), null));
        assertMessage("truncated", () -> GridCodec.decode(copy(message, codecHeader + 5), null));
        assertMessage("truncated", () -> GridCodec.decode(copy(message, 3), null));
        assertMessage("kind", () -> GridCodec.decode(RawTensorCodec.INSTANCE.encode(x).message(), null));
        assertMessage("unknown grid kind", () -> GridCodec.decode(withByte(message, codecHeader + 1, 9), null));
        assertMessage("element width", () -> GridCodec.decode(withByte(message, codecHeader, 3), null));
        assertMessage("bit width", () -> GridCodec.decode(withByte(message, codecHeader + 2, 0), null));
        ByteBuffer longer = ByteBuffer.allocate(message.remaining() + 1);
        longer.put(message.duplicate()).rewind();
        assertMessage("oversized", () -> GridCodec.decode(longer, null));
        // an index beyond a non-power-of-two grid
        QuantizationGrid three = QuantizationGrid.of(0, 1, 2);
        ByteBuffer threeMessage = GridCodec.encode(Nd4j.create(new float[] {2f}, new long[] {1}, 'c'), three).message();
        int last = threeMessage.remaining() - 1;
        assertMessage("index 3", () -> GridCodec.decode(withByte(threeMessage, last, 3), three));
    }

    @Test
    void refusesNaNAndNonFloatingTensors() {
        INDArray nan = Nd4j.create(new float[] {1, Float.NaN}, new long[] {1, 2}, 'c');
        assertMessage("NaN", () -> GridCodec.fixed(QuantizationGrid.paperIntegers()).newEncoder(LINK).encode(nan));
        assertMessage("NaN", () -> GridCodec.adaptive(8, 0).newEncoder(LINK).encode(nan));
        INDArray ints = Nd4j.create(new int[] {1, 2}, new long[] {2}, DataType.INT);
        assertMessage("FLOAT or DOUBLE", () -> GridCodec.fixed(QuantizationGrid.paperIntegers()).newEncoder(LINK)
                .encode(ints));
        assertMessage("1..16", () -> GridCodec.adaptive(17, 0));
    }

    static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }
}
