package io.github.dl4jadmm.distributed;

/**
 * Which layers each rank of a distributed pdADMM-G run holds: consecutive ranges, rank 0 first. Only neighbouring
 * ranks exchange messages (the p and q of the boundary between their ranges).
 */
public final class LayerPartition {

    private final ChainRanges ranges;

    private LayerPartition(ChainRanges ranges) {
        this.ranges = ranges;
    }

    /** {@code layers} layers over {@code ranks} ranks, range sizes differing by at most one (larger ranges first). */
    public static LayerPartition even(int layers, int ranks) {
        return new LayerPartition(ChainRanges.even("layer", layers, ranks));
    }

    /**
     * Explicit ranges: rank {@code r} holds layers {@code firstLayers[r] .. firstLayers[r+1]-1}.
     *
     * @param firstLayers strictly increasing, starting at 1, all at most {@code layers}
     */
    public static LayerPartition of(int layers, int... firstLayers) {
        return new LayerPartition(ChainRanges.of("layer", layers, firstLayers));
    }

    /** Number of ranks. */
    public int ranks() {
        return ranges.ranks();
    }

    /** Number of layers of the network. */
    public int layers() {
        return ranges.units();
    }

    /** First layer (1-based) of {@code rank}. */
    public int firstLayer(int rank) {
        return ranges.first(rank);
    }

    /** Last layer (inclusive) of {@code rank}. */
    public int lastLayer(int rank) {
        return ranges.last(rank);
    }

    /** The rank holding {@code layer}. */
    public int ownerOf(int layer) {
        return ranges.ownerOf(layer);
    }

    @Override
    public String toString() {
        return ranges.toString();
    }
}
