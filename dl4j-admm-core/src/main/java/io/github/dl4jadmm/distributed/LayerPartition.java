package io.github.dl4jadmm.distributed;

import java.util.Arrays;

/**
 * Which layers each rank of a distributed pdADMM-G run holds: consecutive ranges, rank 0 first. Only neighbouring
 * ranks exchange messages (the p and q of the boundary between their ranges).
 */
public final class LayerPartition {

    private final int layers;
    private final int[] firstLayers;

    private LayerPartition(int layers, int[] firstLayers) {
        this.layers = layers;
        this.firstLayers = firstLayers;
    }

    /** {@code layers} layers over {@code ranks} ranks, range sizes differing by at most one (larger ranges first). */
    public static LayerPartition even(int layers, int ranks) {
        if (ranks < 1 || ranks > layers) {
            throw new IllegalArgumentException("cannot split " + layers + " layers over " + ranks + " ranks: need 1 <= "
                    + "ranks <= layers");
        }
        int[] first = new int[ranks];
        int next = 1;
        for (int r = 0; r < ranks; r++) {
            first[r] = next;
            next += layers / ranks + (r < layers % ranks ? 1 : 0);
        }
        return new LayerPartition(layers, first);
    }

    /**
     * Explicit ranges: rank {@code r} holds layers {@code firstLayers[r] .. firstLayers[r+1]-1}.
     *
     * @param firstLayers strictly increasing, starting at 1, all at most {@code layers}
     */
    public static LayerPartition of(int layers, int... firstLayers) {
        if (firstLayers.length == 0 || firstLayers[0] != 1) {
            throw new IllegalArgumentException("the first rank must start at layer 1, got " + Arrays.toString(firstLayers));
        }
        for (int r = 1; r < firstLayers.length; r++) {
            if (firstLayers[r] <= firstLayers[r - 1] || firstLayers[r] > layers) {
                throw new IllegalArgumentException("first layers must increase strictly within 1.." + layers + ", got "
                        + Arrays.toString(firstLayers));
            }
        }
        return new LayerPartition(layers, firstLayers.clone());
    }

    /** Number of ranks. */
    public int ranks() {
        return firstLayers.length;
    }

    /** Number of layers of the network. */
    public int layers() {
        return layers;
    }

    /** First layer (1-based) of {@code rank}. */
    public int firstLayer(int rank) {
        return firstLayers[checkRank(rank)];
    }

    /** Last layer (inclusive) of {@code rank}. */
    public int lastLayer(int rank) {
        return checkRank(rank) == firstLayers.length - 1 ? layers : firstLayers[rank + 1] - 1;
    }

    /** The rank holding {@code layer}. */
    public int ownerOf(int layer) {
        if (layer < 1 || layer > layers) {
            throw new IllegalArgumentException("layer must be in 1.." + layers + ", got " + layer);
        }
        int rank = Arrays.binarySearch(firstLayers, layer);
        return rank >= 0 ? rank : -rank - 2;
    }

    private int checkRank(int rank) {
        if (rank < 0 || rank >= firstLayers.length) {
            throw new IllegalArgumentException("rank must be in 0.." + (firstLayers.length - 1) + ", got " + rank);
        }
        return rank;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < ranks(); r++) {
            s.append(r == 0 ? "" : ", ").append("rank ").append(r).append(": layers ").append(firstLayer(r))
                    .append("..").append(lastLayer(r));
        }
        return s.toString();
    }
}
