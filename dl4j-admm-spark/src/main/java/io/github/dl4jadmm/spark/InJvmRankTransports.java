package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.InJvmTransport;
import io.github.dl4jadmm.distributed.MessageTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link InJvmTransport}s for barrier tasks that all run in one JVM, i.e. under a {@code local[N]} master: the ranks
 * of a stage attempt share one in-memory hub. For trying a run without a network transport, and as the reference in
 * tests; a task on another JVM fails with a message that says so. One instance per run at a time.
 */
public final class InJvmRankTransports implements RankTransports {

    private static final long serialVersionUID = 1L;

    /** The hubs of the runs under way in this JVM, by run and stage attempt. */
    private static final Map<String, InJvmTransport.Hub> HUBS = new ConcurrentHashMap<>();

    private final String run;

    /** Transports for one run; give each run its own instance. */
    public InJvmRankTransports() {
        this.run = UUID.randomUUID().toString();
    }

    @Override
    public Binding bind(RankContext<?> context, String job) {
        int rank = context.rank();
        int size = context.size();
        String hubKey = run + "/" + context.stageAttemptNumber();
        String endpoint = "jvm:" + hubKey + "/" + rank;
        return new Binding() {
            @Override
            public String localEndpoint() {
                return endpoint;
            }

            @Override
            public MessageTransport connect(List<String> endpoints, Duration timeout) {
                for (int r = 0; r < endpoints.size(); r++) {
                    if (!endpoints.get(r).equals("jvm:" + hubKey + "/" + r)) {
                        throw new IllegalStateException("rank " + rank + " cannot reach rank " + r + " at "
                                + endpoints.get(r) + ": in-JVM transports need every rank in one JVM and stage "
                                + "attempt (a local[N] master); use a network transport on a cluster");
                    }
                }
                return HUBS.computeIfAbsent(hubKey, k -> InJvmTransport.hub(size)).transport(rank);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Forgets the hubs of this run's stage attempts. */
    @Override
    public void afterRun() {
        HUBS.keySet().removeIf(key -> key.startsWith(run + "/"));
    }
}
