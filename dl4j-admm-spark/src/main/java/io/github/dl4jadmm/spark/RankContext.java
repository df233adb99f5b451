package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.Rendezvous;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
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

    /**
     * Connects this rank to the others of its stage attempt: binds an endpoint with {@code transports}, exchanges
     * the endpoints in one {@link #rendezvous()} (every rank must call this once, at the same point), and connects.
     * The returned transport gives up waiting for a message as soon as Spark kills the task; the caller closes it.
     * On failure nothing stays bound.
     *
     * @param job     identifies the job, the same on every rank (see {@link RankTransports#bind})
     * @param timeout how long to wait for the neighbours to connect and, later, for each message
     */
    public MessageTransport connect(RankTransports transports, String job, Duration timeout) {
        int rank = rank();
        int size = size();
        try (RankTransports.Binding binding = transports.bind(this, job)) {
            List<String> endpoints = rendezvous.exchangeEndpoints(rank, size, binding.localEndpoint(), timeout);
            return new InterruptibleTransport(binding.connect(endpoints, timeout), barrierContext);
        }
    }

    /** Spark's own context, for what this class does not cover ({@code barrier()}, task infos, metrics). */
    public BarrierTaskContext barrierContext() {
        return barrierContext;
    }
}
