package io.github.dl4jadmm.graph.augment;

import java.time.Duration;

/**
 * What one augmentation cost. Byte counts are computed from the sizes of the arrays held, not sampled from the
 * JVM, so they are exact for this code and exclude JVM and ND4J overheads.
 *
 * @param elapsed             wall time of the whole augmentation (operator, chunks, outputs)
 * @param chunkColumns        feature columns per chunk
 * @param chunks              number of chunks the features were processed in
 * @param threads             threads used for the sparse products
 * @param largestDenseBlockBytes bytes of the largest dense array the augmenter allocates on the heap: one
 *                            {@code numNodes x chunkColumns} float block
 * @param workingHeapBytes    heap bytes held at once by the augmenter: two dense chunk blocks, the propagation
 *                            operator and the row cursors (the input features, owned by the data set, excluded)
 * @param outputBytes         bytes of the output feature arrays (ND4J, off-heap), summed over train, val and test
 * @param fullDenseBytes      bytes one dense {@code numNodes x numFeatures} float matrix would take, for comparison
 *                            (never allocated here)
 */
public record AugmentationReport(Duration elapsed, int chunkColumns, int chunks, int threads,
                                 long largestDenseBlockBytes, long workingHeapBytes, long outputBytes,
                                 long fullDenseBytes) {

    /** Estimated peak of heap and off-heap bytes together: working set plus outputs. */
    public long estimatedPeakBytes() {
        return workingHeapBytes + outputBytes;
    }

    @Override
    public String toString() {
        return String.format("augmentation: %.2f s, %d chunk(s) of %d columns, %d thread(s); largest dense block"
                        + " %.1f MiB, working heap %.1f MiB, output %.1f MiB, estimated peak %.1f MiB"
                        + " (one dense N x F matrix would be %.1f MiB)",
                elapsed.toNanos() / 1e9, chunks, chunkColumns, threads, mib(largestDenseBlockBytes),
                mib(workingHeapBytes), mib(outputBytes), mib(estimatedPeakBytes()), mib(fullDenseBytes));
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
