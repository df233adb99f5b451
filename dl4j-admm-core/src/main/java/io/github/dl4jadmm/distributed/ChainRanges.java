package io.github.dl4jadmm.distributed;

import java.util.Arrays;

/**
 * Consecutive ranges of the units {@code 1..n} of a chain (layers or chain workers) over ranks, rank 0 first: the
 * logic shared by {@link LayerPartition} and {@link WorkerPartition}, whose messages name the unit.
 */
final class ChainRanges {

    private final String unit;
    private final int units;
    private final int[] first;

    private ChainRanges(String unit, int units, int[] first) {
        this.unit = unit;
        this.units = units;
        this.first = first;
    }

    /** {@code units} over {@code ranks} ranks, range sizes differing by at most one (larger ranges first). */
    static ChainRanges even(String unit, int units, int ranks) {
        if (ranks < 1 || ranks > units) {
            throw new IllegalArgumentException("cannot split " + units + " " + unit + "s over " + ranks + " ranks: need "
                    + "1 <= ranks <= " + unit + "s");
        }
        int[] first = new int[ranks];
        int next = 1;
        for (int r = 0; r < ranks; r++) {
            first[r] = next;
            next += units / ranks + (r < units % ranks ? 1 : 0);
        }
        return new ChainRanges(unit, units, first);
    }

    /** Explicit ranges: rank {@code r} holds {@code first[r] .. first[r+1]-1}. */
    static ChainRanges of(String unit, int units, int... first) {
        if (first.length == 0 || first[0] != 1) {
            throw new IllegalArgumentException("the first rank must start at " + unit + " 1, got "
                    + Arrays.toString(first));
        }
        for (int r = 1; r < first.length; r++) {
            if (first[r] <= first[r - 1] || first[r] > units) {
                throw new IllegalArgumentException("first " + unit + "s must increase strictly within 1.." + units
                        + ", got " + Arrays.toString(first));
            }
        }
        return new ChainRanges(unit, units, first.clone());
    }

    int ranks() {
        return first.length;
    }

    int units() {
        return units;
    }

    int first(int rank) {
        return first[checkRank(rank)];
    }

    int last(int rank) {
        return checkRank(rank) == first.length - 1 ? units : first[rank + 1] - 1;
    }

    int ownerOf(int u) {
        if (u < 1 || u > units) {
            throw new IllegalArgumentException(unit + " must be in 1.." + units + ", got " + u);
        }
        int rank = Arrays.binarySearch(first, u);
        return rank >= 0 ? rank : -rank - 2;
    }

    private int checkRank(int rank) {
        if (rank < 0 || rank >= first.length) {
            throw new IllegalArgumentException("rank must be in 0.." + (first.length - 1) + ", got " + rank);
        }
        return rank;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainRanges c && c.unit.equals(unit) && c.units == units && Arrays.equals(c.first, first);
    }

    @Override
    public int hashCode() {
        return 31 * units + Arrays.hashCode(first);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < ranks(); r++) {
            s.append(r == 0 ? "" : ", ").append("rank ").append(r).append(": ").append(unit).append("s ")
                    .append(first(r)).append("..").append(last(r));
        }
        return s.toString();
    }
}
