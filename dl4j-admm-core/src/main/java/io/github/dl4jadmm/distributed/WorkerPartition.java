package io.github.dl4jadmm.distributed;

import java.util.Arrays;

/**
 * Which chain workers each rank of a distributed (Q-)GADMM run holds: consecutive ranges of {@code 1..N}, rank 0
 * first. Only neighbouring ranks exchange messages (the models of the two workers at the edge between their ranges).
 * The worker counterpart of {@link LayerPartition}.
 */
public final class WorkerPartition {

    private final int workers;
    private final int[] firstWorkers;

    private WorkerPartition(int workers, int[] firstWorkers) {
        this.workers = workers;
        this.firstWorkers = firstWorkers;
    }

    /** {@code workers} workers over {@code ranks} ranks, range sizes differing by at most one (larger ranges first). */
    public static WorkerPartition even(int workers, int ranks) {
        checkWorkers(workers);
        if (ranks < 1 || ranks > workers) {
            throw new IllegalArgumentException("cannot split " + workers + " workers over " + ranks + " ranks: need "
                    + "1 <= ranks <= workers");
        }
        int[] first = new int[ranks];
        int next = 1;
        for (int r = 0; r < ranks; r++) {
            first[r] = next;
            next += workers / ranks + (r < workers % ranks ? 1 : 0);
        }
        return new WorkerPartition(workers, first);
    }

    /**
     * Explicit ranges: rank {@code r} holds workers {@code firstWorkers[r] .. firstWorkers[r+1]-1}.
     *
     * @param firstWorkers strictly increasing, starting at 1, all at most {@code workers}
     */
    public static WorkerPartition of(int workers, int... firstWorkers) {
        checkWorkers(workers);
        if (firstWorkers.length == 0 || firstWorkers[0] != 1) {
            throw new IllegalArgumentException("the first rank must start at worker 1, got "
                    + Arrays.toString(firstWorkers));
        }
        for (int r = 1; r < firstWorkers.length; r++) {
            if (firstWorkers[r] <= firstWorkers[r - 1] || firstWorkers[r] > workers) {
                throw new IllegalArgumentException("first workers must increase strictly within 1.." + workers
                        + ", got " + Arrays.toString(firstWorkers));
            }
        }
        return new WorkerPartition(workers, firstWorkers.clone());
    }

    private static void checkWorkers(int workers) {
        if (workers < 2) {
            throw new IllegalArgumentException("a GADMM chain needs at least 2 workers, got " + workers);
        }
    }

    /** Number of ranks. */
    public int ranks() {
        return firstWorkers.length;
    }

    /** Number of workers {@code N} on the chain. */
    public int workers() {
        return workers;
    }

    /** First worker (1-based) of {@code rank}. */
    public int firstWorker(int rank) {
        return firstWorkers[checkRank(rank)];
    }

    /** Last worker (inclusive) of {@code rank}. */
    public int lastWorker(int rank) {
        return checkRank(rank) == firstWorkers.length - 1 ? workers : firstWorkers[rank + 1] - 1;
    }

    /** Number of workers {@code rank} holds. */
    public int size(int rank) {
        return lastWorker(rank) - firstWorker(rank) + 1;
    }

    /** The rank holding {@code worker}. */
    public int ownerOf(int worker) {
        if (worker < 1 || worker > workers) {
            throw new IllegalArgumentException("worker must be in 1.." + workers + ", got " + worker);
        }
        int rank = Arrays.binarySearch(firstWorkers, worker);
        return rank >= 0 ? rank : -rank - 2;
    }

    private int checkRank(int rank) {
        if (rank < 0 || rank >= firstWorkers.length) {
            throw new IllegalArgumentException("rank must be in 0.." + (firstWorkers.length - 1) + ", got " + rank);
        }
        return rank;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerPartition p && p.workers == workers && Arrays.equals(p.firstWorkers, firstWorkers);
    }

    @Override
    public int hashCode() {
        return 31 * workers + Arrays.hashCode(firstWorkers);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < ranks(); r++) {
            s.append(r == 0 ? "" : ", ").append("rank ").append(r).append(": workers ").append(firstWorker(r))
                    .append("..").append(lastWorker(r));
        }
        return s.toString();
    }
}
