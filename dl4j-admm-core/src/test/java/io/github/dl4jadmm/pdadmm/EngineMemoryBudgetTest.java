package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.trainer.MemoryBudgetExceededException;
import io.github.dl4jadmm.trainer.MemoryEstimate;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/** The engine's own entry points refuse a run that does not fit, with the estimate and the ranks that would fit. */
class EngineMemoryBudgetTest {

    private static final DataSet DATA = SyntheticClassification.blobs(120, 20, 3, 4.0, 7);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(20, 64, 3, 6);
    private static final PdAdmmConfig CONFIG = PdAdmmConfig.builder().iterations(1).build();

    private static PdAdmmEngine engine(long budget) {
        InitialWeights w = InitialWeights.xavier(NET, 1);
        return PdAdmmEngine.withMemoryBudget(NET, CONFIG, DATA.getFeatures(), DATA.getLabels(), w.weights(),
                w.biases(), LocalChannel::new, budget);
    }

    @Test
    void aRunTooLargeForOneMachineIsToldTheEstimateAndTheRanksThatFit() {
        MemoryEstimate estimate = MemoryEstimate.of(NET, 120, DataType.FLOAT);
        // a third of the whole: more than one rank, fewer than one per layer
        long budget = estimate.bytes() / 3;
        MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, () -> engine(budget));
        int ranks = e.ranksToFit();
        assertTrue(ranks > 1 && ranks < NET.layers(), "ranks " + ranks);
        // the fewest: this many fit the budget, one fewer does not
        assertTrue(estimate.largestRankBytes(LayerPartition.even(NET.layers(), ranks)) <= budget);
        assertTrue(estimate.largestRankBytes(LayerPartition.even(NET.layers(), ranks - 1)) > budget);
        String message = e.getMessage();
        assertTrue(message.contains("would need about " + estimate.describe()), message);
        assertTrue(message.contains("budget is " + MemoryEstimate.format(budget)), message);
        assertTrue(message.contains("It fits on " + ranks + " ranks"), message);
        assertTrue(message.contains("dl4j-admm worker --rank R") && message.contains("tasks(" + ranks + ")"), message);
        assertEquals(estimate, e.estimate());
    }

    @Test
    void whenNoSplitHelpsTheMessageSaysSo() {
        MemoryEstimate estimate = MemoryEstimate.of(NET, 120, DataType.FLOAT);
        MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                () -> engine(estimate.dataBytes()));
        assertEquals(-1, e.ranksToFit());
        assertTrue(e.getMessage().contains("does not help") && e.getMessage().contains("fewer rows"),
                e.getMessage());
    }

    @Test
    void withRandomWeightsHonoursTheBudgetProperty() {
        String before = System.getProperty(MemoryEstimate.BUDGET_PROPERTY);
        System.setProperty(MemoryEstimate.BUDGET_PROPERTY, "4096");
        try {
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                    () -> PdAdmmEngine.withRandomWeights(NET, CONFIG, DATA.getFeatures(), DATA.getLabels()));
            assertEquals(4096, e.budget());
        } finally {
            if (before == null) {
                System.clearProperty(MemoryEstimate.BUDGET_PROPERTY);
            } else {
                System.setProperty(MemoryEstimate.BUDGET_PROPERTY, before);
            }
        }
    }

    @Test
    void aRunWithinTheBudgetStarts() {
        long bytes = MemoryEstimate.of(NET, 120, DataType.FLOAT).bytes();
        try (PdAdmmEngine engine = engine(bytes)) {
            assertEquals(1, engine.fit().size());
        }
    }
}
