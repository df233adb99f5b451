package io.github.dl4jadmm.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ranks as threads of one JVM: each publishes its endpoint in shared memory and waits for the others. */
public final class InJvmRendezvous implements Rendezvous {

    private final String[] endpoints;
    private int arrived;

    /** A rendezvous for {@code size} ranks. */
    public InJvmRendezvous(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a run needs at least one rank, got " + size);
        }
        this.endpoints = new String[size];
    }

    @Override
    public synchronized List<String> exchangeEndpoints(int rank, int size, String localEndpoint, Duration timeout) {
        if (size != endpoints.length || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " of " + size + " does not fit a rendezvous of "
                    + endpoints.length + " ranks");
        }
        if (endpoints[rank] != null) {
            throw new IllegalStateException("rank " + rank + " already took part in this rendezvous");
        }
        endpoints[rank] = localEndpoint;
        arrived++;
        notifyAll();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (arrived < size) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < size; r++) {
                        if (endpoints[r] == null) {
                            missing.add(r);
                        }
                    }
                    throw new TransportTimeoutException("rank " + rank + ": ranks " + missing + " did not arrive at "
                            + "the rendezvous within " + timeout.toMillis() + " ms");
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("rank " + rank + " was interrupted at the rendezvous", e);
        }
        return List.copyOf(Arrays.asList(endpoints));
    }
}
