package io.github.dl4jadmm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class QuantizationGridTest {

    @Test
    void nearestIndexMatchesBruteForceOnUniformIntegerAndExplicitGrids() {
        Random random = new Random(3);
        double[] explicit = new double[37];
        double v = -2;
        for (int i = 0; i < explicit.length; i++) {
            v += 0.001 + random.nextDouble() * random.nextDouble();
            explicit[i] = v;
        }
        List<QuantizationGrid> grids = List.of(QuantizationGrid.uniform(1, -1, 1), QuantizationGrid.uniform(3, -1, 2),
                QuantizationGrid.uniform(8, -0.3, 1.7), QuantizationGrid.uniform(16, -5e-3, 7e-3),
                QuantizationGrid.paperIntegers(), QuantizationGrid.of(explicit), QuantizationGrid.of(-1, 0.25, 0.3, 9));
        for (QuantizationGrid grid : grids) {
            double lo = grid.min() - 1;
            double width = grid.max() - grid.min() + 2;
            int samples = Math.max(300, 4_000_000 / grid.size()); // the brute force costs |grid| per sample
            for (int k = 0; k < samples; k++) {
                double x = lo + random.nextDouble() * width;
                assertEquals(bruteForce(grid, x), grid.nearestIndex(x), () -> grid + " at " + x);
            }
            // every level and every midpoint (the ties); a point between two neighbours is nearest to one of them
            for (int i = 0; i < grid.size(); i++) {
                assertEquals(i, grid.nearestIndex(grid.value(i)));
                if (i > 0) {
                    double mid = (grid.value(i - 1) + grid.value(i)) / 2;
                    int expected = Math.abs(mid - grid.value(i)) <= Math.abs(mid - grid.value(i - 1)) ? i : i - 1;
                    assertEquals(expected, grid.nearestIndex(mid), grid + " at midpoint " + mid);
                }
            }
        }
    }

    @Test
    void tiesGoToTheLargerLevelAndOutOfRangeValuesClamp() {
        QuantizationGrid integers = QuantizationGrid.paperIntegers();
        assertEquals(1.0, integers.nearest(0.5));
        assertEquals(0.0, integers.nearest(-0.5));
        assertEquals(20.0, integers.nearest(19.5));
        assertEquals(-1.0, integers.nearest(-100));
        assertEquals(20.0, integers.nearest(1e9));
        assertEquals(-1.0, integers.nearest(Double.NEGATIVE_INFINITY));
        assertEquals(20.0, integers.nearest(Double.POSITIVE_INFINITY));
        QuantizationGrid explicit = QuantizationGrid.of(0, 1, 4);
        assertEquals(4.0, explicit.nearest(2.5));
        assertEquals(1.0, explicit.nearest(2.4999));
        QuantizationGrid uniform = QuantizationGrid.uniform(2, 0, 3);
        assertEquals(2.0, uniform.nearest(1.5));
        assertEquals(0.0, uniform.nearest(-7));
        assertEquals(3.0, uniform.nearest(7));
    }

    @Test
    void uniformGridHasTwoToTheBitsLevelsFromMinToMax() {
        QuantizationGrid grid = QuantizationGrid.uniform(4, -1, 2);
        assertEquals(16, grid.size());
        assertEquals(4, grid.bitsPerIndex());
        assertEquals(-1.0, grid.value(0));
        assertEquals(2.0, grid.value(15));
        assertEquals(0.2, grid.value(6) - grid.value(5), 1e-12);
        assertEquals(5, QuantizationGrid.paperIntegers().bitsPerIndex());
        assertEquals(22, QuantizationGrid.paperIntegers().size());
        assertEquals(1, QuantizationGrid.of(0, 1).bitsPerIndex());
        assertEquals(2, QuantizationGrid.of(0, 1, 2).bitsPerIndex());
    }

    @Test
    void gridFromStatisticsWidensTheRangeByTheMargin() {
        INDArray sample = Nd4j.create(new float[] {0.5f, 2.5f, 1f, 1.5f}, new long[] {2, 2}, 'c');
        QuantizationGrid grid = QuantizationGrid.uniformFromStatistics(sample, 8, 0.1);
        assertEquals(0.3, grid.min(), 1e-6);
        assertEquals(2.7, grid.max(), 1e-6);
        assertEquals(256, grid.size());
        QuantizationGrid tight = QuantizationGrid.uniformFromStatistics(sample, 8, 0);
        assertEquals(0.5, tight.min(), 0);
        assertEquals(2.5, tight.max(), 0);
        INDArray constant = Nd4j.valueArrayOf(new long[] {3, 2}, -0.75f);
        QuantizationGrid degenerate = QuantizationGrid.uniformFromStatistics(constant, 4, 0.1);
        assertEquals(constant, degenerate.project(constant), "a constant tensor is represented exactly");
    }

    @Test
    void projectReturnsANewArrayOfTheSameShapeAndTypeAndLeavesTheInputAlone() {
        QuantizationGrid grid = QuantizationGrid.uniform(3, -1, 1);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Nd4j.rand(type, 5, 7).muli(3).subi(1.5);
            INDArray before = x.dup();
            INDArray projected = grid.project(x);
            assertNotSame(x, projected);
            assertEquals(before, x);
            assertArrayEquals(x.shape(), projected.shape());
            assertEquals(type, projected.dataType());
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 7; j++) {
                    double expected = grid.value(bruteForce(grid, x.getDouble(i, j)));
                    assertEquals(type == DataType.FLOAT ? (float) expected : expected, projected.getDouble(i, j), 0);
                }
            }
        }
    }

    @Test
    void projectInPlaceWorksOnViewsAndFortranOrder() {
        QuantizationGrid grid = QuantizationGrid.paperIntegers();
        INDArray matrix = Nd4j.create(new double[][] {{0.4, 7.6, -3}, {2.5, 30, 1.2}});
        INDArray column = matrix.get(NDArrayIndex.all(), NDArrayIndex.point(1));
        assertSame(column, grid.projectInPlace(column));
        assertEquals(Nd4j.create(new double[][] {{0.4, 8, -3}, {2.5, 20, 1.2}}), matrix);
        INDArray fortran = Nd4j.create(new double[][] {{0.4, 7.6}, {2.5, -9}}).dup('f');
        assertEquals(Nd4j.create(new double[][] {{0, 8}, {3, -1}}), grid.project(fortran));
    }

    @Test
    void indicesAndValuesAtAreInverse() {
        QuantizationGrid grid = QuantizationGrid.uniform(5, 0, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
        int[] indices = grid.indices(x);
        assertEquals(grid.project(x), grid.valuesAt(indices, x.shape(), DataType.FLOAT));
    }

    @Test
    void refusesNaNAndInvalidGrids() {
        QuantizationGrid grid = QuantizationGrid.uniform(4, 0, 1);
        INDArray withNaN = Nd4j.create(new float[] {0.1f, Float.NaN, 0.3f}, new long[] {3}, 'c');
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> grid.project(withNaN));
        assertTrue(nan.getMessage().contains("NaN") && nan.getMessage().contains("index 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> grid.nearestIndex(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.uniformFromStatistics(withNaN, 4, 0));
        IllegalArgumentException bits0 = assertThrows(IllegalArgumentException.class,
                () -> QuantizationGrid.uniform(0, 0, 1));
        assertTrue(bits0.getMessage().contains("1..16"), bits0.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.uniform(17, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.uniform(4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.uniform(4, 0, Double.POSITIVE_INFINITY));
        IllegalArgumentException unsorted = assertThrows(IllegalArgumentException.class,
                () -> QuantizationGrid.of(0, 2, 1));
        assertTrue(unsorted.getMessage().contains("strictly increasing"), unsorted.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.of(1));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.integers(0, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.uniformFromStatistics(withNaN, 4, -0.1));
        INDArray ints = Nd4j.create(new int[] {1, 2}, new long[] {2}, DataType.INT);
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> grid.project(ints));
        assertTrue(type.getMessage().contains("FLOAT or DOUBLE"), type.getMessage());
    }

    @Test
    void sixteenBitProjectionOfAMillionValuesIsQuick() {
        QuantizationGrid grid = QuantizationGrid.uniform(16, -1, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1000, 1000).muli(2).subi(1);
        int[] indices = grid.indices(x);
        assertEquals(1_000_000, indices.length);
        assertTrue(Arrays.stream(indices).allMatch(i -> i >= 0 && i < grid.size()));
    }

    /** The nearest level by scanning every level; ties to the larger level. */
    private static int bruteForce(QuantizationGrid grid, double x) {
        int best = 0;
        for (int i = 1; i < grid.size(); i++) {
            if (Math.abs(x - grid.value(i)) <= Math.abs(x - grid.value(best))) {
                best = i;
            }
        }
        return best;
    }
}
