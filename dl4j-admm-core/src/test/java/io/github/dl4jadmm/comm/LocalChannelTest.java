package io.github.dl4jadmm.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LocalChannelTest {

    @Test
    void rawCodecRoundTripsFloatAndDoubleExactly() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Nd4j.randn(type, 7, 5);
            EncodedTensor encoded = RawTensorCodec.INSTANCE.encode(x);
            int width = type == DataType.FLOAT ? 4 : 8;
            assertEquals(5 + 2 * 4 + 1 + 35 * width, encoded.sizeInBytes());
            assertSame(x, encoded.reconstruction());
            assertEquals(x, RawTensorCodec.INSTANCE.decode(encoded.message()));
        }
        // views and f-ordered arrays are sent in C order
        INDArray f = Nd4j.randn(DataType.FLOAT, 4, 6).dup('f');
        assertEquals(f, RawTensorCodec.INSTANCE.decode(RawTensorCodec.INSTANCE.encode(f).message()));
        INDArray view = Nd4j.randn(DataType.FLOAT, 6, 6).getColumns(1, 3);
        assertEquals(view, RawTensorCodec.INSTANCE.decode(RawTensorCodec.INSTANCE.encode(view).message()));
    }

    @Test
    void channelDeliversDecodesAndCountsPerDirection() {
        LocalChannel channel = new LocalChannel(RawTensorCodec.INSTANCE);
        INDArray p = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray q = Nd4j.rand(DataType.FLOAT, 3, 2);
        channel.send(Transfer.backward(1), p);
        channel.send(Transfer.forward(2), q);
        assertEquals(p, channel.receive(Transfer.backward(1)));
        assertEquals(q, channel.receive(Transfer.forward(2)));
        assertEquals(5 + 8 + 1 + 48, channel.bytesSent(Direction.BACKWARD));
        assertEquals(5 + 8 + 1 + 24, channel.bytesSent(Direction.FORWARD));
        assertEquals(channel.bytesSent(Direction.BACKWARD) + channel.bytesSent(Direction.FORWARD), channel.bytesSent());
        assertEquals(2, channel.messagesSent());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> channel.receive(Transfer.forward(2)));
        assertTrue(e.getMessage().contains("nothing was sent"));
        channel.send(Transfer.forward(1), q);
        e = assertThrows(IllegalStateException.class, () -> channel.send(Transfer.forward(1), q));
        assertTrue(e.getMessage().contains("unread message"));
    }

    @Test
    void transfersKnowTheirEndpoints() {
        assertEquals(3, Transfer.forward(3).sender());
        assertEquals(4, Transfer.forward(3).receiver());
        assertEquals(4, Transfer.backward(3).sender());
        assertEquals(3, Transfer.backward(3).receiver());
        assertThrows(IllegalArgumentException.class, () -> Transfer.forward(0));
    }

    @Test
    void malformedMessagesAreRefusedWithAReason() {
        ByteBuffer junk = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x1234);
        junk.flip();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RawTensorCodec.INSTANCE.decode(junk));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("magic"), e.getMessage());
        ByteBuffer message = RawTensorCodec.INSTANCE.encode(Nd4j.rand(DataType.FLOAT, 2, 2)).message();
        ByteBuffer truncated = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        truncated.limit(truncated.limit() - 3);
        e = assertThrows(IllegalArgumentException.class, () -> RawTensorCodec.INSTANCE.decode(truncated));
        assertTrue(e.getMessage().contains("payload is 13 bytes, expected 16"), e.getMessage());
        ByteBuffer wrongMagic = ByteBuffer.allocate(message.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        wrongMagic.put(message.duplicate()).flip();
        wrongMagic.putShort(0, (short) 0x0102);
        e = assertThrows(IllegalArgumentException.class, () -> RawTensorCodec.INSTANCE.decode(wrongMagic));
        assertTrue(e.getMessage().contains("magic 0x0102"), e.getMessage());
    }

    @Test
    void eachLinkDecodesIntoTheArrayItReturnedLastTime() {
        LocalChannel channel = new LocalChannel(RawTensorCodec.INSTANCE);
        Transfer link = Transfer.forward(1);
        channel.send(link, Nd4j.rand(DataType.FLOAT, 6, 4));
        INDArray first = channel.receive(link);
        INDArray next = Nd4j.rand(DataType.FLOAT, 6, 4);
        channel.send(link, next);
        INDArray second = channel.receive(link);
        assertSame(first, second, "the second message is written into the first one's array");
        assertEquals(next, second);
        channel.send(Transfer.backward(1), next);
        assertTrue(channel.receive(Transfer.backward(1)) != second, "links do not share arrays");
    }
}
