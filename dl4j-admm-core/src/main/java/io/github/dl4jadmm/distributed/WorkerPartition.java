package io.github.dl4jadmm.distributed;

/**
 * Which chain workers each rank of a distributed (Q-)GADMM run holds: consecutive ranges of {@code 1..N}, rank 0
 * first. Only neighbouring ranks exchange messages (the models of the two workers at the edge between their ranges).
 * The worker counterpart of {@link LayerPartition}.
 */
public final class WorkerPartition {

    private final ChainRanges ranges;

    private WorkerPartition(ChainRanges ranges) {
        this.ranges = ranges;
    }

    /** {@code workers} workers over {@code ranks} ranks, range sizes differing by at most one (larger ranges first). */
    public static WorkerPartition even(int workers, int ranks) {
        checkWorkers(workers);
        return new WorkerPartition(ChainRanges.even("worker", workers, ranks));
    }

    /**
     * Explicit ranges: rank {@code r} holds workers {@code firstWorkers[r] .. firstWorkers[r+1]-1}.
     *
     * @param firstWorkers strictly increasing, starting at 1, all at most {@code workers}
     */
    public static WorkerPartition of(int workers, int... firstWorkers) {
        checkWorkers(workers);
        return new WorkerPartition(ChainRanges.of("worker", workers, firstWorkers));
    }

    private static void checkWorkers(int workers) {
        if (workers < 2) {
            throw new IllegalArgumentException("a GADMM chain needs at least 2 workers, got " + workers);
        }
    }

    /** Number of ranks. */
    public int ranks() {
        return ranges.ranks();
    }

    /** Number of workers {@code N} on the chain. */
    public int workers() {
        return ranges.units();
    }

    /** First worker (1-based) of {@code rank}. */
    public int firstWorker(int rank) {
        return ranges.first(rank);
    }

    /** Last worker (inclusive) of {@code rank}. */
    public int lastWorker(int rank) {
        return ranges.last(rank);
    }

    /** Number of workers {@code rank} holds. */
    public int size(int rank) {
        return lastWorker(rank) - firstWorker(rank) + 1;
    }

    /** The rank holding {@code worker}. */
    public int ownerOf(int worker) {
        return ranges.ownerOf(worker);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerPartition p && p.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return ranges.toString();
    }
}
