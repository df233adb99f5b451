package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prints load and augmentation time and memory for benchmark graphs. Not a test: run it by hand, e.g.
 * {@code java -Xmx4g -cp <test classpath> io.github.dl4jadmm.graph.augment.AugmentationBenchmark <dataDir>
 * [threads] [benchmark...]}.
 */
public final class AugmentationBenchmark {

    private AugmentationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : System.getProperty("dl4jadmm.data.dir", "data"));
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        String[] names = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"cora", "coauthor_cs"};
        System.out.printf("max heap %.0f MiB, %d thread(s)%n", Runtime.getRuntime().maxMemory() / 1048576.0, threads);
        for (String name : names) {
            Benchmark benchmark = Benchmark.fromName(name);
            long loadStart = System.nanoTime();
            GraphDataset graph = NpyGraphLoader.loadBenchmark(benchmark, dataDir);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.gc();
            long heapBefore = usedHeap();
            resetHeapPeaks();
            AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().threads(threads).build())
                    .augment(graph);
            long heapPeak = peakHeap();
            System.out.printf("%s (%s split): load %.2f s; %s%n", benchmark, graph.split().name(), loadSeconds,
                    splits.report());
            System.out.printf("  %s%n  heap in use before %.0f MiB, peak heap during augmentation %.0f MiB"
                    + " (sum of the heap pools' peaks)%n", splits, heapBefore / 1048576.0, heapPeak / 1048576.0);
        }
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
