package io.github.dl4jadmm.distributed;

import java.time.Duration;
import java.util.List;

/**
 * A fixed {@code host:port} per rank, given to every process alike (e.g. {@code dl4j-admm worker --rank 1 --peers
 * node1:40100,node2:40100,node3:40100} under Slurm or as a Kubernetes StatefulSet). Nothing is exchanged: each rank
 * binds the endpoint of its own rank and the others are where the list says.
 */
public final class StaticRendezvous implements Rendezvous {

    private final List<String> endpoints;

    /**
     * @param endpoints {@code host:port} of every rank, indexed by rank
     * @throws IllegalArgumentException if an entry is not {@code host:port} with a port in 1..65535
     */
    public StaticRendezvous(List<String> endpoints) {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("the peer list is empty: give host:port for every rank, rank 0 first");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            checkEndpoint(i, endpoints.get(i));
        }
        this.endpoints = List.copyOf(endpoints);
    }

    /** Parses a comma-separated list {@code host:port,host:port,...}. */
    public static StaticRendezvous parse(String peers) {
        if (peers == null || peers.isBlank()) {
            throw new IllegalArgumentException("the peer list is empty: give host:port for every rank, rank 0 first");
        }
        return new StaticRendezvous(List.of(peers.trim().split("\\s*,\\s*")));
    }

    /** The endpoints, indexed by rank. */
    public List<String> endpoints() {
        return endpoints;
    }

    @Override
    public List<String> exchangeEndpoints(int rank, int size, String localEndpoint, Duration timeout) {
        if (size != endpoints.size()) {
            throw new IllegalArgumentException("the run has " + size + " ranks but the peer list names "
                    + endpoints.size() + " endpoints: " + endpoints);
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in the peer list of " + size + " ranks (0.."
                    + (size - 1) + ")");
        }
        return endpoints;
    }

    static void checkEndpoint(int rank, String endpoint) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("peer " + rank + " is '" + endpoint + "', expected host:port");
        }
        try {
            int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("peer " + rank + " is '" + endpoint + "': port " + port
                        + " is not in 1..65535");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer " + rank + " is '" + endpoint + "': the port is not a number");
        }
    }
}
