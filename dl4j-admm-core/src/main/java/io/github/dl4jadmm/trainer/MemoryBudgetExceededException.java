package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.distributed.LayerPartition;
import java.util.OptionalInt;

/**
 * Thrown before any ADMM variable is allocated when the run would need more memory than its budget. The message
 * gives the estimate, the budget and the remedies: first the number of ranks ({@code dl4j-admm worker} processes
 * or Spark tasks, one machine each) over which the layers would fit, or that no split helps.
 */
public class MemoryBudgetExceededException extends IllegalStateException {

    private final transient MemoryEstimate estimate;
    private final long budget;
    private final int ranksToFit;

    /** The whole network on one machine does not fit {@code budget}. */
    public MemoryBudgetExceededException(MemoryEstimate estimate, long budget) {
        this(estimate, budget, "pdADMM-G would need about " + estimate.describe() + " for its variables");
    }

    /** The rank holding layers {@code firstLayer .. lastLayer} of a distributed run does not fit {@code budget}. */
    public MemoryBudgetExceededException(MemoryEstimate estimate, long budget, int firstLayer, int lastLayer) {
        this(estimate, budget, "the rank holding layers " + firstLayer + ".." + lastLayer + " would need about "
                + MemoryEstimate.format(estimate.rankBytes(firstLayer, lastLayer)) + " (its blocks and its copy of "
                + "the data; the whole network: " + estimate.describe() + ")");
    }

    private MemoryBudgetExceededException(MemoryEstimate estimate, long budget, String need) {
        this(estimate, budget, need, estimate.ranksToFit(budget));
    }

    private MemoryBudgetExceededException(MemoryEstimate estimate, long budget, String need, OptionalInt ranks) {
        super(need + ", but the memory budget is " + MemoryEstimate.format(budget) + " per machine. Every layer "
                + "block holds several N-row arrays, so memory grows with N x (sum of widths). Remedies: "
                + splitAdvice(estimate, budget, ranks)
                + " Or: train on fewer rows, narrow the layers, use dataType FLOAT instead of DOUBLE, "
                + "raise -Dorg.bytedeco.javacpp.maxbytes / -Dorg.bytedeco.javacpp.maxphysicalbytes, or, if you know "
                + "the machine has the memory, set the budget: -D" + MemoryEstimate.BUDGET_PROPERTY + "=BYTES (or "
                + "PdAdmmTrainer.Builder.memoryBudget(bytes))");
        this.estimate = estimate;
        this.budget = budget;
        this.ranksToFit = ranks.orElse(-1);
    }

    private static String splitAdvice(MemoryEstimate estimate, long budget, OptionalInt ranks) {
        int layers = estimate.widths().length - 1;
        if (ranks.isEmpty()) {
            return "Splitting the layers over ranks does not help: even one layer per rank needs up to "
                + MemoryEstimate.format(estimate.largestRankBytes(LayerPartition.even(layers, layers)))
                + ", since every rank holds all N rows.";
        }
        int r = ranks.getAsInt();
        return "It fits on " + r + " ranks, one machine each with the layers split evenly (at most "
                + MemoryEstimate.format(estimate.largestRankBytes(LayerPartition.even(layers, r))) + " per rank): "
                + "start `dl4j-admm worker --rank R --peers host0:port,...,host" + (r - 1) + ":port` (R = 0.." + (r - 1)
                + ") on " + r + " machines, or run SparkPdAdmm.builder().tasks(" + r + ") on a Spark cluster.";
    }

    /** The estimate that exceeded the budget. */
    public MemoryEstimate estimate() {
        return estimate;
    }

    /** The budget in bytes. */
    public long budget() {
        return budget;
    }

    /** The fewest ranks (one machine of {@link #budget()} each) that would hold the run; -1 if no split helps. */
    public int ranksToFit() {
        return ranksToFit;
    }
}
