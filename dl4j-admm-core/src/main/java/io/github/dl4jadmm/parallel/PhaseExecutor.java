package io.github.dl4jadmm.parallel;

import io.github.dl4jadmm.pdadmm.Devices;
import org.nd4j.linalg.factory.Nd4j;


import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Runs one phase of a layer-parallel or worker-parallel iteration: one task per block or worker, each pinned to
 * its device, all of them finished before {@link #run} returns (the barrier between phases). With one thread the
 * tasks run in order on the calling thread, which gives the same results.
 */
public final class PhaseExecutor implements AutoCloseable {

    private final ExecutorService executor;
    private final String what;

    private PhaseExecutor(ExecutorService executor, String what) {
        this.executor = executor;
        this.what = what;
    }

    /**
     * @param threads    pool size; 1 or less runs every task on the calling thread
     * @param threadName prefix of the pool's (daemon) thread names, also used in error messages
     */
    public static PhaseExecutor withThreads(int threads, String threadName) {
        return withThreads(threads, threadName, 0);
    }

    /**
     * A pool whose threads each run their native operations on {@code nativeThreads} threads of their own.
     * OpenBLAS and libnd4j size their OpenMP team from the calling thread's OpenMP setting, which a new thread
     * inherits as "all cores": without this, every one of {@code threads} block threads forks a team of all cores
     * and the teams fight over the cores (measured in the javadoc of {@code PdAdmmEngine}). Each pool thread sets
     * its own team size once, before its first task; the calling thread's setting is not touched.
     *
     * @param nativeThreads OpenMP team size of each pool thread; 0 or less leaves the threads' default
     */
    public static PhaseExecutor withThreads(int threads, String threadName, int nativeThreads) {
        if (threads <= 1) {
            return new PhaseExecutor(null, threadName);
        }
        AtomicInteger ids = new AtomicInteger();
        return new PhaseExecutor(Executors.newFixedThreadPool(threads, r -> {
            Runnable body = nativeThreads <= 0 ? r : () -> {
                Nd4j.factory().blas().setMaxThreads(nativeThreads);
                r.run();
            };
            Thread t = new Thread(body, threadName + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        }), threadName);
    }

    /** Whether tasks run on a pool (rather than on the calling thread). */
    public boolean isParallel() {
        return executor != null;
    }

    /**
     * Runs {@code step} for every item, pinned to {@code device.applyAsInt(item)}, and waits for all of them. The
     * first failure is rethrown (unchecked exceptions and errors as they are).
     */
    public <T> void run(List<T> items, ToIntFunction<T> device, Consumer<T> step) {
        if (executor == null) {
            for (T item : items) {
                Devices.pin(device.applyAsInt(item));
                step.accept(item);
            }
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(items.size());
        for (T item : items) {
            tasks.add(() -> {
                Devices.pin(device.applyAsInt(item));
                step.accept(item);
                return null;
            });
        }
        try {
            for (Future<Void> f : executor.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " tasks were running", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a " + what + " task failed", cause);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
