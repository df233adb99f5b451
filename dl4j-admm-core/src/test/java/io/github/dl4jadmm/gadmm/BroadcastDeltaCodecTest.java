package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.quant.DeltaCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class BroadcastDeltaCodecTest {

    private static double[] random(int d, long seed, double scale) {
        Random r = new Random(seed);
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    @Test
    void bothNeighboursDecodeTheSendersQuantisedModelBitForBit() {
        int[] segments = {7, 3, 5};
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(3, segments, new double[15], DataType.FLOAT, 3,
                BitWidthRule.FIXED, 1);
        try (LocalChannel channel = new LocalChannel(codec)) {
            ModelExchange exchange = new ModelExchange(channel, 3, codec, 15, DataType.FLOAT);
            for (int round = 0; round < 5; round++) {
                double[] theta = random(15, round, 1.0 / (round + 1));
                double[] own = exchange.broadcast(2, theta);
                double[] left = exchange.receive(2, 1);
                double[] right = exchange.receive(2, 3);
                assertArrayEquals(own, left, 0.0);
                assertArrayEquals(own, right, 0.0);
                for (int i = 0; i < 15; i++) {
                    assertEquals((float) own[i], own[i], 0.0, "theta_hat is rounded to the wire type");
                }
            }
            // one message per transmission, delivered twice: the paper counts it once, the channel twice
            assertEquals(5, codec.messagesEncoded());
            long perMessage = 3 * 15 + 3 * 32;
            assertEquals(5 * perMessage, codec.paperBitsSent());
            assertEquals(5 * perMessage, exchange.paperBitsSent());
            assertEquals(2L * 5 * BroadcastDeltaCodec.messageBytes(segments, 3), channel.bytesSent());
        }
    }

    @Test
    void perLinkDeltaCodingWouldGiveTheTwoNeighboursDifferentModels() {
        // why the broadcast codec exists: independent per-link draws disagree
        DeltaCodec perLink = new DeltaCodec(2, 5);
        double[] theta = random(50, 3, 1);
        INDArray value = Vectors.toTensor(theta, DataType.DOUBLE);
        INDArray toLeft = perLink.newEncoder(Transfer.backward(1)).encode(value).reconstruction();
        INDArray toRight = perLink.newEncoder(Transfer.forward(2)).encode(value).reconstruction();
        assertNotEquals(toLeft, toRight);
    }

    @Test
    void quantisedModelApproachesTheModelAsTheRangeShrinks() {
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(2, new int[]{20}, new double[20], DataType.DOUBLE, 2,
                BitWidthRule.FIXED, 3);
        try (LocalChannel channel = new LocalChannel(codec)) {
            ModelExchange exchange = new ModelExchange(channel, 2, codec, 20, DataType.DOUBLE);
            double[] theta = random(20, 8, 1);
            double previous = Double.POSITIVE_INFINITY;
            for (int round = 0; round < 30; round++) {
                double[] own = exchange.broadcast(1, theta);
                assertArrayEquals(own, exchange.receive(1, 2), 0.0);
                double error = Math.sqrt(Vectors.squaredDistance(own, theta));
                assertTrue(error <= previous + 1e-15, "error grows at round " + round);
                previous = error;
            }
            assertTrue(previous < 1e-6, "the same model sent repeatedly is reached: error " + previous);
        }
    }

    @Test
    void unchangedSegmentsSendOnlyTheirRange() {
        int[] segments = {4, 6};
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(2, segments, new double[10], DataType.DOUBLE, 4,
                BitWidthRule.FIXED, 3);
        try (LocalChannel channel = new LocalChannel(codec)) {
            ModelExchange exchange = new ModelExchange(channel, 2, codec, 10, DataType.DOUBLE);
            double[] theta = new double[10];
            theta[7] = 1.5; // only the second segment moves
            double[] own = exchange.broadcast(2, theta);
            assertArrayEquals(own, exchange.receive(2, 1), 0.0);
            assertEquals(32 + (4 * 6 + 32), codec.lastMessagePaperBits(2));
            assertEquals(1.5, own[7], 1e-12, "the largest element is exact: it is the range");
        }
    }

    @Test
    void nonIncreasingStepRuleTakesTheSmallestWidthThatKeepsTheStep() {
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(2, new int[]{30}, new double[30], DataType.DOUBLE, 2,
                BitWidthRule.NON_INCREASING_STEP, 4);
        TensorEncoder encoder = codec.newEncoder(Transfer.forward(1));
        double previousStep = Double.NaN;
        int widest = 0;
        for (int round = 0; round < 12; round++) {
            // the model keeps moving by O(1), so the ranges do not shrink and the width has to grow
            ByteBuffer message = encoder.encode(Vectors.toTensor(random(30, 100 + round, 1), DataType.DOUBLE))
                    .message().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int headerBytes = 9 + BroadcastDeltaCodec.MESSAGE_HEADER_BYTES;
            int width = message.get(headerBytes);
            float range = message.getFloat(headerBytes + 1);
            double step = 2.0 * range / ((1 << width) - 1);
            if (round == 0) {
                assertEquals(2, width, "the first message uses the configured width");
            } else {
                assertTrue(step <= previousStep || width == 16, "step grew at round " + round);
                if (width > 1) {
                    assertTrue(2.0 * range / ((1 << (width - 1)) - 1) > previousStep,
                            "a narrower width would have kept the step at round " + round);
                }
            }
            assertEquals((long) width * 30 + 32 + 8, codec.lastMessagePaperBits(1));
            previousStep = step;
            widest = Math.max(widest, width);
        }
        assertTrue(widest > 2, "the adaptive rule widened the codes");
    }

    @Test
    void sendingANewModelBeforeEveryNeighbourGotTheLastOneIsAnError() {
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(3, new int[]{4}, new double[4], DataType.DOUBLE, 3,
                BitWidthRule.FIXED, 1);
        try (LocalChannel channel = new LocalChannel(codec)) {
            channel.send(Transfer.backward(1), Vectors.toTensor(new double[]{1, 2, 3, 4}, DataType.DOUBLE));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> channel.send(Transfer.forward(2), Vectors.toTensor(new double[]{1, 2, 3, 5},
                            DataType.DOUBLE)));
            assertTrue(e.getMessage().contains("worker 2 sent a new model"), e.getMessage());
        }
    }

    @Test
    void linksOutsideTheChainAreRefused() {
        BroadcastDeltaCodec codec = new BroadcastDeltaCodec(3, new int[]{4}, new double[4], DataType.DOUBLE, 3,
                BitWidthRule.FIXED, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.newEncoder(Transfer.forward(3)));
        assertTrue(e.getMessage().contains("the chain has 3 workers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelExchange.link(1, 3));
        assertTrue(e.getMessage().contains("not neighbours"), e.getMessage());
        assertEquals(Transfer.forward(4), ModelExchange.link(4, 5));
        assertEquals(Transfer.backward(4), ModelExchange.link(5, 4));
    }
}
