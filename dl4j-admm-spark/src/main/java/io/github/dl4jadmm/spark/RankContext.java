package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.Rendezvous;
import java.util.Iterator;
import org.apache.spark.BarrierTaskContext;

/**
 * What a {@link RankTask} knows about its place in the run: its rank, the number of ranks, the stage attempt, its data
 * shard and a {@link Rendezvous} over Spark's barrier {@code allGather}. Valid only inside the task that received it.
 *
 * @param <T> element type of the rank's data shard
 */
public final class RankContext<T> {

    private final BarrierTaskContext barrierContext;
    private final Iterator<T> data;
    private final BarrierTaskRendezvous rendezvous;

    RankContext(BarrierTaskContext barrierContext, Iterator<T> data) {
        this.barrierContext = barrierContext;
        this.data = data;
        this.rendezvous = new BarrierTaskRendezvous(barrierContext);
    }

    /** This rank: the index of the task's partition, {@code 0 .. size()-1}. */
    public int rank() {
        return barrierContext.partitionId();
    }

    /** Number of ranks: the number of tasks of the barrier stage. */
    public int size() {
        return barrierContext.getTaskInfos().length;
    }

    /**
     * The stage attempt, 0 on the first run and one more on each retry of the whole stage. Every rank of an attempt
     * sees the same number (unlike {@code TaskContext.attemptNumber()}, which counts attempts of one task and
     * restarts at 0 in a new stage attempt).
     */
    public int stageAttemptNumber() {
        return barrierContext.stageAttemptNumber();
    }

    /** The rank's data shard: the elements of its partition (nothing when the run was started without an RDD). */
    public Iterator<T> data() {
        return data;
    }

    /**
     * Whether Spark has killed this task (another rank failed, or the job was cancelled). Spark only sets a flag:
     * poll it in every wait loop and stop ({@link #checkInterrupted()}).
     */
    public boolean isInterrupted() {
        return barrierContext.isInterrupted();
    }

    /** Throws Spark's {@code TaskKilledException} if this task has been killed; does nothing otherwise. */
    public void checkInterrupted() {
        barrierContext.killTaskIfInterrupted();
    }

    /** Where the ranks of this stage attempt exchange their transport endpoints (one {@code allGather} a call). */
    public BarrierTaskRendezvous rendezvous() {
        return rendezvous;
    }

    /** Spark's own context, for what this class does not cover ({@code barrier()}, task infos, metrics). */
    public BarrierTaskContext barrierContext() {
        return barrierContext;
    }
}
