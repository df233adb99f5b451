package io.github.dl4jadmm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.pdadmm.HiddenActivation;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class MemoryEstimateTest {

    private static final MlpArchitecture NET = new MlpArchitecture(new int[]{4, 3, 2}, HiddenActivation.relu(),
            OutputRisk.SOFTMAX_CROSS_ENTROPY);

    @Test
    void countsTheNRowArraysOfEveryBlock() {
        MemoryEstimate estimate = MemoryEstimate.of(NET, 10, DataType.DOUBLE);
        // per row: data 4 x 2 + 2; layer 1 (hidden): (5 + 6) x 3; layer 2 (output): (5 + 1 + 5) x 2 + 6 x 3
        long perRow = 10 + 33 + 22 + 18;
        long weights = 4 * ((4 * 3 + 3) + (3 * 2 + 2));
        assertEquals(perRow * 10 + weights, estimate.elements());
        assertEquals(8 * estimate.elements(), estimate.bytes());
        assertEquals(estimate.elements() * 4, MemoryEstimate.of(NET, 10, DataType.FLOAT).bytes());
    }

    @Test
    void growsLinearlyWithTheRows() {
        long small = MemoryEstimate.of(NET, 1000, DataType.FLOAT).bytes();
        long large = MemoryEstimate.of(NET, 2000, DataType.FLOAT).bytes();
        long weights = MemoryEstimate.of(NET, 0, DataType.FLOAT).bytes();
        assertEquals(2 * (small - weights), large - weights);
    }

    @Test
    void refusesAboveTheBudgetWithTheEstimateAndTheRemedies() {
        MemoryEstimate estimate = MemoryEstimate.of(MlpArchitecture.uniform(1000, 500, 10, 10), 1_000_000,
                DataType.FLOAT);
        MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                () -> estimate.requireWithin(1L << 30));
        assertTrue(e.getMessage().contains("GiB (N = 1000000 rows"), e.getMessage());
        assertTrue(e.getMessage().contains("budget is 1.0 GiB"), e.getMessage());
        assertTrue(e.getMessage().contains("fewer rows") && e.getMessage().contains("maxphysicalbytes"),
                e.getMessage());
        estimate.requireWithin(estimate.bytes());
    }

    @Test
    void formatsBinaryUnits() {
        assertEquals("512 B", MemoryEstimate.format(512));
        assertEquals("1.5 KiB", MemoryEstimate.format(1536));
        assertEquals("2.0 GiB", MemoryEstimate.format(2L << 30));
    }

    @Test
    void theLayersAndTheDataAddUpToTheWholeAndARankHoldsItsLayersAndTheData() {
        MemoryEstimate estimate = MemoryEstimate.of(MlpArchitecture.uniform(500, 100, 10, 10), 50_000, DataType.FLOAT);
        long sum = estimate.dataBytes();
        for (int l = 1; l <= 10; l++) {
            sum += estimate.layerBytes(l);
        }
        assertEquals(estimate.bytes(), sum);
        assertEquals(estimate.bytes(), estimate.rankBytes(1, 10));
        assertEquals(estimate.dataBytes() + estimate.layerBytes(3) + estimate.layerBytes(4), estimate.rankBytes(3, 4));
        assertEquals(1, estimate.ranksToFit(estimate.bytes()).getAsInt());
        assertTrue(estimate.ranksToFit(estimate.dataBytes()).isEmpty());
    }
}
