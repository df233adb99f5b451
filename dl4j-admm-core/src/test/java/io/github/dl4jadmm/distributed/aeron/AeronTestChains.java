package io.github.dl4jadmm.distributed.aeron;

import io.github.dl4jadmm.distributed.ChainCollective;
import io.github.dl4jadmm.distributed.MessageTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Chains of {@link AeronTransport}s on 127.0.0.1 in this JVM, for the tests. */
final class AeronTestChains {

    static final String LOOPBACK = "127.0.0.1:0";

    private AeronTestChains() {
    }

    /** Ranks {@code rank - 1} and {@code rank + 1} that exist. */
    static Set<Integer> chainPeers(int rank, int size) {
        return ChainCollective.neighbours(rank, size);
    }

    /** {@code size} transports bound on ephemeral loopback ports, not connected yet. */
    static List<AeronTransport> bindAll(int size, AeronTransportOptions options) {
        List<AeronTransport> transports = new ArrayList<>();
        try {
            for (int rank = 0; rank < size; rank++) {
                transports.add(AeronTransport.bind(rank, size, LOOPBACK, options));
            }
            return transports;
        } catch (RuntimeException e) {
            closeAll(transports);
            throw e;
        }
    }

    static List<String> endpoints(List<AeronTransport> transports) {
        return transports.stream().map(AeronTransport::localEndpoint).toList();
    }

    /** A connected chain of {@code size} ranks (each connects in its own thread, as separate processes would). */
    static List<AeronTransport> connectedChain(int size, AeronTransportOptions options) {
        List<AeronTransport> transports = bindAll(size, options);
        List<String> endpoints = endpoints(transports);
        try {
            inParallel(transports.stream().<Callable<Void>>map(t -> () -> {
                t.connect(endpoints, chainPeers(t.rank(), size), Duration.ofSeconds(10));
                return null;
            }).toList());
            return transports;
        } catch (RuntimeException e) {
            closeAll(transports);
            throw e;
        }
    }

    /** Closes every transport, each in its own thread (close waits for the peers' FIN). */
    static void closeAll(List<? extends MessageTransport> transports) {
        inParallel(transports.stream().<Callable<Void>>map(t -> () -> {
            t.close();
            return null;
        }).toList());
    }

    /** Runs the tasks in parallel, waiting at most 30 s; rethrows the first failure. */
    static <T> List<T> inParallel(List<Callable<T>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = tasks.stream().map(pool::submit).toList();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("parallel tasks did not finish: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code length} bytes that depend on (from, to, index): a message each side can recompute. */
    static byte[] pattern(int from, int to, int index, int length) {
        byte[] bytes = new byte[length];
        new Random(1_000_003L * from + 1009L * to + index).nextBytes(bytes);
        return bytes;
    }
}
