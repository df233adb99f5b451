package io.github.dl4jadmm.spark;

import java.io.Serializable;

/**
 * The code one rank runs inside a Spark barrier task ({@link BarrierRun}). It is serialised with the job and run once
 * per rank and stage attempt: after a failure Spark reruns every rank, so a task must be able to start over (resume
 * from its own checkpoints, see {@link RankContext#stageAttemptNumber()}).
 *
 * @param <T> element type of the rank's data shard ({@link Void} when the ranks read no RDD)
 */
@FunctionalInterface
public interface RankTask<T> extends Serializable {

    /**
     * Runs this rank and returns its result, which reaches the driver in {@link BarrierRun}'s list at index
     * {@link RankContext#rank()}.
     *
     * @throws Exception any failure: the whole stage fails and Spark retries it, up to
     *                   {@code spark.stage.maxConsecutiveAttempts} times
     */
    byte[] run(RankContext<T> context) throws Exception;
}
