package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.Rendezvous;
import io.github.dl4jadmm.distributed.TransportException;
import io.github.dl4jadmm.distributed.TransportTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * A {@link Rendezvous} over Spark's {@link BarrierTaskContext#allGather(String)}: every call is one global sync of all
 * tasks of the barrier stage, which returns every task's message indexed by partition id, that is by rank. A sync
 * costs about a second (Spark polls once a second), so call it once per stage attempt, never per iteration; every
 * rank must make the same sequence of calls.
 *
 * <p>How long a sync may wait is Spark's setting {@code spark.barrier.sync.timeout} (seconds; default one year), not
 * the {@code timeout} argument: Spark offers no per-call limit, and a sync abandoned by one task cannot be left
 * cleanly. In practice no rank waits long: the tasks of a barrier stage are launched together, and when one fails
 * Spark kills the others, which leave a pending sync within a second.
 */
public final class BarrierTaskRendezvous implements Rendezvous {

    private final BarrierTaskContext context;

    BarrierTaskRendezvous(BarrierTaskContext context) {
        this.context = context;
    }

    /**
     * Publishes {@code localEndpoint} and returns every rank's endpoint, indexed by rank.
     *
     * @param timeout not used: see the class documentation ({@code spark.barrier.sync.timeout})
     * @throws IllegalArgumentException  if {@code rank}/{@code size} are not this task's partition id and the number of
     *                                   tasks of the stage
     * @throws TransportTimeoutException if Spark's barrier coordinator gave up waiting for the other ranks
     * @throws TransportException        if the sync failed otherwise (the task was killed, the stage ended)
     */
    @Override
    public List<String> exchangeEndpoints(int rank, int size, String localEndpoint, Duration timeout) {
        int tasks = context.getTaskInfos().length;
        if (rank != context.partitionId() || size != tasks) {
            throw new IllegalArgumentException("rank " + rank + " of " + size + " does not match this barrier task: "
                    + "partition " + context.partitionId() + " of a stage with " + tasks + " tasks");
        }
        return allGather(localEndpoint);
    }

    /**
     * Sends {@code message} to every rank and returns every rank's message, indexed by rank (e.g. an endpoint with
     * the newest checkpointed iteration, so that one sync serves both).
     *
     * @throws TransportTimeoutException if Spark's barrier coordinator gave up waiting for the other ranks
     * @throws TransportException        if the sync failed otherwise
     */
    public List<String> allGather(String message) {
        try {
            return List.copyOf(Arrays.asList(context.allGather(message)));
        } catch (RuntimeException e) {
            throw e; // among them TaskKilledException, Spark's own signal that this task was killed
        } catch (Exception e) { // a SparkException, checked, though Scala declares nothing
            // The coordinator's own words when spark.barrier.sync.timeout has passed.
            if (String.valueOf(e.getMessage()).contains("didn't get all barrier sync requests")) {
                throw new TransportTimeoutException(describe(e));
            }
            throw new TransportException(describe(e), e);
        }
    }

    private String describe(Exception e) {
        return "rank " + context.partitionId() + " (stage attempt " + context.stageAttemptNumber()
                + "): the barrier allGather failed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }
}
