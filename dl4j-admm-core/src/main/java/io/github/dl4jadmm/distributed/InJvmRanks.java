package io.github.dl4jadmm.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs every rank of a distributed run as a thread of this JVM over one {@link InJvmTransport} hub, and reports the
 * failure that started a collapse rather than the neighbours' {@link PeerFailedException} echoes.
 */
final class InJvmRanks {

    /** One rank's work; it must not close the transport (the runner does). */
    @FunctionalInterface
    interface RankBody<R> {
        R run(int rank, MessageTransport transport);
    }

    private InJvmRanks() {
    }

    /**
     * Runs {@code body} for ranks {@code 0 .. ranks-1}, each on its own daemon thread with its own transport, and
     * returns the results by rank.
     *
     * @throws RuntimeException the root failure if any rank failed (after every rank stopped)
     */
    static <R> List<R> run(int ranks, String threadName, RankBody<R> body) {
        InJvmTransport.Hub hub = InJvmTransport.hub(ranks);
        ExecutorService threads = Executors.newFixedThreadPool(ranks, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                MessageTransport transport = hub.transport(r);
                futures.add(threads.submit(() -> {
                    try (transport) {
                        return body.run(rank, transport);
                    }
                }));
            }
            List<R> results = new ArrayList<>();
            RuntimeException failure = null;
            for (Future<R> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    // keep the root failure, not the neighbours' "peer stopped" echoes
                    if (failure == null
                            || failure instanceof PeerFailedException && !(cause instanceof PeerFailedException)) {
                        failure = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the ranks", e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Runs one rank's work; if it fails, first {@link MessageTransport#abort aborts} the transport with the cause,
     * so that the neighbours stop instead of waiting, then rethrows.
     */
    static <R> R abortingOnFailure(MessageTransport transport, java.util.function.Supplier<R> work) {
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            transport.abort(e instanceof PeerFailedException
                    ? "rank " + transport.rank() + " stopped because " + e.getMessage()
                    : "rank " + transport.rank() + " failed: " + e);
            throw e;
        }
    }
}
