package io.github.dl4jadmm.distributed;

import java.time.Duration;
import java.util.List;

/**
 * How the ranks of a run learn each other's transport endpoints, once per run (per attempt, under Spark): Spark's
 * barrier {@code allGather} ({@code dl4j-admm-spark}), a static {@code host:port} list ({@link StaticRendezvous},
 * for plain processes under Slurm, Kubernetes or by hand), or in memory for threads ({@link InJvmRendezvous}).
 */
public interface Rendezvous {

    /**
     * Publishes this rank's endpoint and returns every rank's, indexed by rank.
     *
     * @param rank          this rank, {@code 0 .. size-1}
     * @param size          number of ranks
     * @param localEndpoint where this rank receives (e.g. {@code "10.0.0.5:40123"})
     * @param timeout       how long to wait for the other ranks
     * @throws TransportTimeoutException if the other ranks did not all arrive in time
     */
    List<String> exchangeEndpoints(int rank, int size, String localEndpoint, Duration timeout);
}
