package io.github.dl4jadmm.quant;

import static io.github.dl4jadmm.quant.CodecTestSupport.copy;
import static io.github.dl4jadmm.quant.CodecTestSupport.gaussian;
import static io.github.dl4jadmm.quant.CodecTestSupport.withByte;
import static io.github.dl4jadmm.quant.GridCodecTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.TensorDecoder;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.comm.WireHeader;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DeltaCodecTest {

    private static final List<Transfer> LINKS = List.of(Transfer.forward(1), Transfer.backward(1),
            Transfer.forward(2));

    /** One standard normal {@code rows x columns} tensor per link of {@link #LINKS}. */
    private static INDArray[] startingValues(int rows, int columns) {
        INDArray[] values = new INDArray[LINKS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = gaussian(i, rows, columns, 0, 1);
        }
        return values;
    }

    /** Message {@code k} of a random walk on link {@code i}: the previous value plus N(0, 0.1^2) noise. */
    private static INDArray walk(INDArray value, int k, int i) {
        return value.add(gaussian(100L * k + i, (int) value.rows(), (int) value.columns(), 0, 0.1));
    }

    @Test
    void senderAndReceiverCopiesStayIdenticalOverManyMessages() {
        List<Transfer> links = LINKS;
        LocalChannel channel = new LocalChannel(new DeltaCodec(3, 11));
        INDArray[] values = startingValues(20, 15);
        long expectedBytes = 0;
        for (int k = 0; k < 60; k++) {
            for (int i = 0; i < links.size(); i++) {
                values[i] = walk(values[i], k, i);
                INDArray senderCopy = channel.send(links.get(i), values[i]);
                INDArray receiverCopy = channel.receive(links.get(i));
                assertArrayEquals(senderCopy.ravel().toFloatVector(), receiverCopy.ravel().toFloatVector(), 0f,
                        "link " + links.get(i) + ", message " + k);
                expectedBytes += DeltaCodec.expectedMessageBytes(values[i].shape(), 3);
            }
        }
        assertEquals(expectedBytes, channel.bytesSent());
        assertEquals(180, channel.messagesSent());
    }

    @Test
    void errorAndRangeShrinkAsTheSequenceConverges() {
        DeltaCodec codec = new DeltaCodec(4, 5);
        Transfer link = Transfer.backward(2);
        TensorEncoder encoder = codec.newEncoder(link);
        TensorDecoder decoder = codec.newDecoder(link);
        INDArray target = gaussian(1, 30, 10, 0.5, 1);
        float firstRange = 0;
        float lastRange = 0;
        double firstError = 0;
        double lastError = 0;
        for (int k = 0; k < 80; k++) {
            INDArray value = target.add(gaussian(50 + k, 30, 10, 0, Math.pow(0.85, k)));
            EncodedTensor encoded = encoder.encode(value);
            assertEquals(DeltaCodec.expectedMessageBytes(value.shape(), 4), encoded.sizeInBytes());
            INDArray decoded = decoder.decode(encoded.message());
            assertEquals(encoded.reconstruction(), decoded);
            double error = decoded.sub(value).amaxNumber().doubleValue();
            float range = DeltaCodec.messageRange(encoded.message());
            if (k == 0) {
                firstRange = range;
                firstError = error;
            }
            lastRange = range;
            lastError = error;
            // the reconstruction is within one step 2R/(2^b - 1) of the value
            assertTrue(error <= 2.0 * range / 15 * (1 + 1e-5) + 1e-6, "message " + k);
        }
        assertTrue(lastRange < 1e-3 * firstRange, "R shrank from " + firstRange + " to " + lastRange);
        assertTrue(lastError < 1e-3 * firstError, "error shrank from " + firstError + " to " + lastError);
    }

    @Test
    void unchangedZeroValueSendsOnlyTheHeader() {
        DeltaCodec codec = new DeltaCodec(8, 1);
        Transfer link = Transfer.forward(3);
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, 4, 6);
        EncodedTensor encoded = codec.newEncoder(link).encode(zeros);
        assertEquals(DeltaCodec.expectedZeroRangeMessageBytes(zeros.shape()), encoded.sizeInBytes());
        assertEquals(new WireHeader(WireHeader.KIND_DELTA, zeros.shape()).sizeInBytes() + 6, encoded.sizeInBytes());
        assertEquals(0f, DeltaCodec.messageRange(encoded.message()));
        assertEquals(zeros, codec.newDecoder(link).decode(encoded.message()));
    }

    @Test
    void sameSeedAndLinkGiveIdenticalBytesOtherLinksDrawDifferently() {
        INDArray x = gaussian(9, 10, 10, 0, 1);
        Transfer link = Transfer.forward(1);
        ByteBuffer a = new DeltaCodec(3, 77).newEncoder(link).encode(x).message();
        ByteBuffer b = new DeltaCodec(3, 77).newEncoder(link).encode(x).message();
        ByteBuffer other = new DeltaCodec(3, 77).newEncoder(Transfer.backward(1)).encode(x).message();
        ByteBuffer otherSeed = new DeltaCodec(3, 78).newEncoder(link).encode(x).message();
        assertEquals(a, b);
        assertNotEquals(a, other);
        assertNotEquals(a, otherSeed);
        assertNotEquals(DeltaCodec.linkSeed(77, Transfer.forward(1)), DeltaCodec.linkSeed(77, Transfer.forward(2)));
    }

    @Test
    void doublesRoundTripAndMessageSizesMatchThePaperCount() {
        DeltaCodec codec = new DeltaCodec(8, 2);
        Transfer link = Transfer.forward(1);
        LocalChannel channel = new LocalChannel(codec);
        INDArray x = gaussian(3, 140, 100, 0, 1).castTo(DataType.DOUBLE);
        INDArray sent = channel.send(link, x);
        INDArray received = channel.receive(link);
        assertEquals(DataType.DOUBLE, received.dataType());
        assertEquals(sent, received);
        // b*d + 32 bits of codes and range, plus width and bit bytes and the common header
        long paperBits = StochasticQuantizer.messageBits(14_000, 8);
        int header = new WireHeader(WireHeader.KIND_DELTA, x.shape()).sizeInBytes();
        assertEquals(header + 2 + (paperBits + 7) / 8, channel.bytesSent());
        assertEquals(13 + 6 + 14_000, DeltaCodec.expectedMessageBytes(x.shape(), 8));
        int raw = RawTensorCodec.INSTANCE.encode(x.castTo(DataType.FLOAT)).sizeInBytes();
        System.out.printf("140x100 float32 %d B, 8-bit delta %d B (%.3fx), 4-bit delta %d B (%.3fx)%n", raw,
                DeltaCodec.expectedMessageBytes(x.shape(), 8), (double) raw / DeltaCodec.expectedMessageBytes(x.shape(), 8),
                DeltaCodec.expectedMessageBytes(x.shape(), 4), (double) raw / DeltaCodec.expectedMessageBytes(x.shape(), 4));
    }

    /**
     * A channel restored from another's codec states continues every link as the original does: the same bytes
     * (same reconstructions, same stochastic rounding draws) and the same values.
     */
    @Test
    void aRestoredChannelContinuesEveryLinkAsTheOriginalDoes() {
        List<Transfer> links = LINKS;
        LocalChannel original = new LocalChannel(new DeltaCodec(4, 3));
        INDArray[] values = startingValues(6, 5);
        for (int k = 0; k < 5; k++) {
            for (int i = 0; i < links.size(); i++) {
                values[i] = walk(values[i], k, i);
                original.send(links.get(i), values[i]);
                original.receive(links.get(i));
            }
        }
        var states = original.codecStates();
        assertEquals(List.of("backward-1.decoder", "backward-1.encoder", "forward-1.decoder", "forward-1.encoder",
                "forward-2.decoder", "forward-2.encoder"), List.copyOf(states.keySet()));
        LocalChannel restored = new LocalChannel(new DeltaCodec(4, 3));
        restored.restoreCodecStates(states);
        for (int k = 5; k < 10; k++) {
            for (int i = 0; i < links.size(); i++) {
                values[i] = walk(values[i], k, i);
                INDArray expected = original.send(links.get(i), values[i]);
                assertEquals(expected, restored.send(links.get(i), values[i]), "link " + links.get(i) + ", " + k);
                assertEquals(original.receive(links.get(i)), restored.receive(links.get(i)));
            }
        }
        assertEquals(original.bytesSent() - restored.bytesSent(), 15 * DeltaCodec.expectedMessageBytes(
                new long[] {6, 5}, 4), "the restored channel counts its own messages only");
        // a fresh channel without the states sends different bytes: the states carry something
        LocalChannel fresh = new LocalChannel(new DeltaCodec(4, 3));
        assertNotEquals(original.send(links.get(0), values[0]), fresh.send(links.get(0), values[0]));
    }

    @Test
    void foreignOrDamagedStatesAreRefused() {
        DeltaCodec codec = new DeltaCodec(4, 1);
        Transfer link = Transfer.forward(1);
        TensorEncoder encoder = codec.newEncoder(link);
        TensorDecoder decoder = codec.newDecoder(link);
        assertEquals(0, encoder.state().length, "nothing sent yet: no state");
        decoder.decode(encoder.encode(gaussian(1, 3, 4, 0, 1)).message());
        byte[] encoderState = encoder.state();
        byte[] decoderState = decoder.state();
        assertMessage("not the state of a delta encoder", () -> codec.newEncoder(link).restoreState(decoderState));
        assertMessage("not the state of a delta decoder", () -> codec.newDecoder(link).restoreState(encoderState));
        assertMessage("truncated", () -> codec.newEncoder(link).restoreState(
                java.util.Arrays.copyOf(encoderState, encoderState.length - 3)));
        assertMessage("too many", () -> codec.newDecoder(link).restoreState(
                java.util.Arrays.copyOf(decoderState, decoderState.length + 8)));
        assertMessage("carries no state", () -> RawTensorCodec.INSTANCE.newDecoder(link).restoreState(decoderState));
        assertMessage("names no link end", () -> new LocalChannel(codec).restoreCodecStates(
                java.util.Map.of("sideways-1.encoder", encoderState)));
    }

    @Test
    void badInputAndMalformedMessagesFailClearly() {
        assertMessage("1..16", () -> new DeltaCodec(0, 1));
        assertMessage("1..16", () -> new DeltaCodec(17, 1));
        DeltaCodec codec = new DeltaCodec(4, 1);
        Transfer link = Transfer.forward(1);
        TensorEncoder encoder = codec.newEncoder(link);
        INDArray nan = Nd4j.create(new float[] {0, Float.NaN}, new long[] {2}, 'c');
        assertMessage("NaN", () -> encoder.encode(nan));
        INDArray x = gaussian(4, 3, 4, 0, 1);
        ByteBuffer message = encoder.encode(x).message();
        assertMessage("changed its tensor", () -> encoder.encode(gaussian(4, 4, 3, 0, 1)));

        int header = new WireHeader(WireHeader.KIND_DELTA, x.shape()).sizeInBytes();
        assertMessage("magic", () -> codec.newDecoder(link).decode(withByte(message, 1, 0x11)));
        assertMessage("truncated", () -> codec.newDecoder(link).decode(copy(message, message.remaining() - 1)));
        assertMessage("truncated", () -> codec.newDecoder(link).decode(copy(message, header + 3)));
        assertMessage("bit width", () -> codec.newDecoder(link).decode(withByte(message, header + 1, 0)));
        assertMessage("bit width", () -> codec.newDecoder(link).decode(withByte(message, header + 1, 17)));
        assertMessage("element width", () -> codec.newDecoder(link).decode(withByte(message, header, 2)));
        assertMessage("kind", () -> codec.newDecoder(link).decode(RawTensorCodec.INSTANCE.encode(x).message()));
        assertMessage("range", () -> codec.newDecoder(link).decode(withByte(message, header + 5, 0xFF)));
        // a failed decode leaves the decoder's state untouched
        TensorDecoder decoder = codec.newDecoder(link);
        assertMessage("truncated", () -> decoder.decode(copy(message, message.remaining() - 1)));
        assertEquals(codec.newDecoder(link).decode(message), decoder.decode(message));
    }
}
