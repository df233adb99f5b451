package io.github.dl4jadmm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StochasticQuantizerTest {

    @Test
    void meanOfManyDrawsConvergesToTheDelta() {
        double[] delta = {0.9, -0.31, 0.05, -1.0, 0.0, 0.77, 0.333, -0.6};
        for (int bits : new int[] {1, 2, 3}) {
            StochasticQuantizer quantizer = new StochasticQuantizer(bits, 7);
            int draws = 40_000;
            double[] sum = new double[delta.length];
            double step = 0;
            for (int k = 0; k < draws; k++) {
                StochasticQuantizer.Quantized q = quantizer.quantize(delta);
                step = q.step();
                q.addTo(sum);
            }
            // each draw has variance <= step^2 / 4, so the mean is within 5 standard deviations with certainty
            double tolerance = 5 * step / (2 * Math.sqrt(draws));
            for (int i = 0; i < delta.length; i++) {
                assertEquals(delta[i], sum[i] / draws, tolerance, "bits " + bits + ", element " + i);
            }
        }
    }

    /** The rounding draws are SplittableRandom's for the same seed, so runs from before the explicit generator match. */
    @Test
    void drawsAreThoseOfSplittableRandomAndTheStateRestoresThem() {
        double[] delta = new Random(3).doubles(1000, -2, 2).toArray();
        StochasticQuantizer quantizer = new StochasticQuantizer(3, 42);
        java.util.SplittableRandom reference = new java.util.SplittableRandom(42);
        for (int round = 0; round < 3; round++) {
            StochasticQuantizer.Quantized q = quantizer.quantize(delta);
            for (int i = 0; i < delta.length; i++) {
                double c = (delta[i] + q.range()) / q.step();
                int expected = (int) Math.floor(c) + (reference.nextDouble() < c - Math.floor(c) ? 1 : 0);
                assertEquals(Math.max(0, Math.min(7, expected)), q.codes()[i], "round " + round + ", element " + i);
            }
        }
        long state = quantizer.randomState();
        int[] next = quantizer.quantize(delta).codes();
        StochasticQuantizer restored = new StochasticQuantizer(3, 0);
        restored.restoreRandomState(state);
        assertArrayEquals(next, restored.quantize(delta).codes());
    }

    @Test
    void errorIsBoundedByTheStepAndCodesFitTheWidth() {
        Random random = new Random(5);
        for (int bits = 1; bits <= 16; bits++) {
            double[] delta = new double[500];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = random.nextGaussian() * 3;
            }
            StochasticQuantizer.Quantized q = new StochasticQuantizer(bits, bits).quantize(delta);
            double maxAbs = Arrays.stream(delta).map(Math::abs).max().orElseThrow();
            assertTrue(q.range() >= maxAbs && q.range() <= Math.nextUp((float) maxAbs), "range is max|delta| as float");
            assertEquals(2.0 * q.range() / ((1 << bits) - 1), q.step(), 0);
            double[] reconstruction = q.dequantize();
            for (int i = 0; i < delta.length; i++) {
                assertTrue(q.codes()[i] >= 0 && q.codes()[i] < (1 << bits));
                assertTrue(Math.abs(reconstruction[i] - delta[i]) <= q.step() * (1 + 1e-12),
                        "bits " + bits + ", element " + i);
            }
        }
    }

    @Test
    void zeroRangeCarriesNoCodes() {
        StochasticQuantizer quantizer = new StochasticQuantizer(4, 1);
        StochasticQuantizer.Quantized q = quantizer.quantize(new double[6]);
        assertTrue(q.isZero());
        assertNull(q.codes());
        assertArrayEquals(new double[6], q.dequantize(6));
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, 2, 3);
        assertEquals(zeros, quantizer.roundTrip(zeros));
    }

    @Test
    void sameSeedSameCodesOtherSeedOtherCodes() {
        double[] delta = new double[200];
        Random random = new Random(6);
        for (int i = 0; i < delta.length; i++) {
            delta[i] = random.nextDouble() - 0.5;
        }
        int[] a = new StochasticQuantizer(3, 99).quantize(delta).codes();
        int[] b = new StochasticQuantizer(3, 99).quantize(delta).codes();
        int[] c = new StochasticQuantizer(3, 100).quantize(delta).codes();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void roundTripKeepsShapeAndType() {
        INDArray delta = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
        INDArray back = new StochasticQuantizer(8, 3).roundTrip(delta);
        assertArrayEquals(delta.shape(), back.shape());
        assertEquals(DataType.DOUBLE, back.dataType());
        double step = 2 * delta.amaxNumber().doubleValue() / 255;
        assertTrue(back.sub(delta).amaxNumber().doubleValue() <= step * (1 + 1e-6));
    }

    @Test
    void messageBitsFollowThePaper() {
        assertEquals(2 * 13 + 32, StochasticQuantizer.messageBits(13, 2));
        assertEquals(8 * 14_000 + 32, StochasticQuantizer.messageBits(14_000, 8));
    }

    @Test
    void refusesBadWidthsAndNonFiniteInput() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new StochasticQuantizer(0, 1));
        assertTrue(zero.getMessage().contains("1..16"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StochasticQuantizer(17, 1));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new StochasticQuantizer(4, 1).quantize(new double[] {0, Double.NaN}));
        assertTrue(nan.getMessage().contains("NaN") && nan.getMessage().contains("index 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new StochasticQuantizer(4, 1).quantize(new double[] {1e300}));
    }
}
