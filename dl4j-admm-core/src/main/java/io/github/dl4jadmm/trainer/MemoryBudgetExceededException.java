package io.github.dl4jadmm.trainer;

/**
 * Thrown before any ADMM variable is allocated when the run would need more memory than its budget. The message
 * gives the estimate, the budget and the remedies.
 */
public class MemoryBudgetExceededException extends IllegalStateException {

    private final transient MemoryEstimate estimate;
    private final long budget;

    public MemoryBudgetExceededException(MemoryEstimate estimate, long budget) {
        super("pdADMM-G would need about " + estimate.describe() + " for its variables, but the memory budget is "
                + MemoryEstimate.format(budget) + ". Every layer block holds several N-row arrays, so memory grows "
                + "with N x (sum of widths). Remedies: train on fewer rows, narrow the layers, use dataType FLOAT "
                + "instead of DOUBLE, raise -Dorg.bytedeco.javacpp.maxbytes / -Dorg.bytedeco.javacpp.maxphysicalbytes, "
                + "or set PdAdmmTrainer.Builder.memoryBudget(bytes) if you know the machine has the memory");
        this.estimate = estimate;
        this.budget = budget;
    }

    /** The estimate that exceeded the budget. */
    public MemoryEstimate estimate() {
        return estimate;
    }

    /** The budget in bytes. */
    public long budget() {
        return budget;
    }
}
