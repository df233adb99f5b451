package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.MessageTransport;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * How a barrier task gets a {@link MessageTransport} to the other ranks, in the two steps a rendezvous needs: bind
 * a local endpoint first (e.g. a UDP port chosen by the system), publish it through
 * {@link BarrierTaskRendezvous}, then connect to the endpoints of the others. Serialised with the job and used once
 * per rank and stage attempt.
 */
public interface RankTransports extends Serializable {

    /**
     * The transports a run on {@code sparkContext} uses unless told otherwise: {@link InJvmRankTransports} under a
     * {@code local[N]} master, where every task runs in the driver's JVM, {@link AeronRankTransports} on any other
     * master.
     */
    static RankTransports defaultFor(JavaSparkContext sparkContext) {
        String master = sparkContext.master();
        if (master.startsWith("local") && !master.startsWith("local-cluster")) {
            return new InJvmRankTransports();
        }
        return new AeronRankTransports();
    }

    /**
     * Binds this rank's endpoint.
     *
     * @param context the rank's barrier task: its rank, the number of ranks, the stage attempt, the executors'
     *                addresses ({@link RankContext#barrierContext()}{@code .getTaskInfos()})
     * @param job     identifies the job, the same on every rank (a fingerprint of its configuration and data): a
     *                transport that checks its peers by a run id builds it from this and the stage attempt
     */
    Binding bind(RankContext<?> context, String job);

    /** Called on the driver once the run is over, successful or not; releases what the run left behind. */
    default void afterRun() {
    }

    /** A bound endpoint that is not connected yet. */
    interface Binding extends AutoCloseable {

        /** Where the other ranks reach this one, e.g. {@code "10.0.0.5:40123"}. */
        String localEndpoint();

        /**
         * Connects to the other ranks; the transport then owns what was bound.
         *
         * @param endpoints every rank's endpoint, indexed by rank (from the rendezvous)
         * @param timeout   how long to wait for the neighbours
         */
        MessageTransport connect(List<String> endpoints, Duration timeout);

        /** Releases the endpoint if {@link #connect} was never called; does nothing afterwards. */
        @Override
        void close();
    }
}
