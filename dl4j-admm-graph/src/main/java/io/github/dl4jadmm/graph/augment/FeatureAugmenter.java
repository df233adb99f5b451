package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds the GA-MLP input {@code X = [S^k1 H, S^k2 H, ...]} (see {@link AugmentationConfig} for the column order)
 * for the train, validation and test nodes of a graph.
 *
 * <p><b>Memory.</b> The features {@code H} stay sparse. They are processed in chunks of columns: a chunk is
 * densified to {@code numNodes x chunk} floats, propagated {@code maxPower} times through the sparse operator
 * {@code S} (two ping-pong buffers), and after each power the rows of the split nodes are copied into the output.
 * Neither the dense {@code N x F} feature matrix nor any {@code N x N} matrix ever exists; only the rows used are
 * kept. Columns are independent under {@code S}, so the result equals the unchunked computation.
 */
public final class FeatureAugmenter {

    private static final Logger log = LoggerFactory.getLogger(FeatureAugmenter.class);

    private final AugmentationConfig config;

    /** An augmenter with the given settings. */
    public FeatureAugmenter(AugmentationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** An augmenter with {@link AugmentationConfig#defaults()}. */
    public static FeatureAugmenter withDefaults() {
        return new FeatureAugmenter(AugmentationConfig.defaults());
    }

    /** The settings. */
    public AugmentationConfig config() {
        return config;
    }

    /**
     * Augments the features of {@code graph} and keeps the rows of its split's train, validation and test nodes.
     *
     * @return the three feature matrices, one-hot labels, and a report of time and memory
     */
    public AugmentedSplits augment(GraphDataset graph) {
        long start = System.nanoTime();
        if (!graph.featuresComplete()) {
            log.warn("{}: node features are incomplete; the augmented features are fit for exercising code, not for"
                    + " reporting accuracy", graph.name());
        }
        int numNodes = graph.numNodes();
        int numFeatures = graph.numFeatures();
        int[] powers = config.powers().stream().mapToInt(Integer::intValue).toArray();
        int numBlocks = powers.length;
        NormalizedAdjacency operator = NormalizedAdjacency.of(graph.adjacency(), config.normalization());
        CsrMatrix features = graph.features();
        float[] rowScale = config.rowNormalizeFeatures() ? inverseRowL1Norms(features) : null;
        int chunkColumns = config.chunkColumnsFor(numNodes, numFeatures);
        int chunks = Math.max(1, (numFeatures + chunkColumns - 1) / chunkColumns);

        Map<SplitPart, int[]> nodeIds = new EnumMap<>(SplitPart.class);
        Map<SplitPart, int[]> classes = new EnumMap<>(SplitPart.class);
        Map<SplitPart, INDArray> outputs = new EnumMap<>(SplitPart.class);
        Map<SplitPart, INDArray> labels = new EnumMap<>(SplitPart.class);
        long outputBytes = 0;
        for (SplitPart part : SplitPart.values()) {
            int[] ids = graph.split().nodes(part);
            int[] partClasses = Arrays.stream(ids).map(graph::label).toArray();
            nodeIds.put(part, ids);
            classes.put(part, partClasses);
            outputs.put(part, Nd4j.create(config.dataType(), ids.length, (long) numBlocks * numFeatures));
            labels.put(part, oneHot(partClasses, graph.numClasses()).castTo(config.dataType()));
            outputBytes += (long) ids.length * numBlocks * numFeatures * config.dataType().width();
        }

        long blockBytes = 4L * numNodes * chunkColumns;
        float[] current = new float[numNodes * chunkColumns];
        float[] next = new float[numNodes * chunkColumns];
        int[] cursor = new int[numNodes];
        for (int node = 0; node < numNodes; node++) {
            cursor[node] = features.rowStart(node);
        }
        ExecutorService pool = config.threads() > 1 ? Executors.newFixedThreadPool(config.threads()) : null;
        try {
            for (int firstColumn = 0; firstColumn < numFeatures; firstColumn += chunkColumns) {
                int width = Math.min(chunkColumns, numFeatures - firstColumn);
                densify(features, rowScale, cursor, firstColumn, width, current);
                for (int power = 0; power <= config.maxPower(); power++) {
                    if (power > 0) {
                        propagate(operator, current, next, width, pool, config.threads());
                        float[] swap = current;
                        current = next;
                        next = swap;
                    }
                    for (int block = 0; block < numBlocks; block++) {
                        if (powers[block] == power) {
                            long column = (long) block * numFeatures + firstColumn;
                            for (SplitPart part : SplitPart.values()) {
                                copyRows(current, width, nodeIds.get(part), outputs.get(part), column);
                            }
                        }
                    }
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        long workingHeapBytes = 2 * blockBytes + operator.sizeInBytes() + 4L * numNodes
                + (rowScale == null ? 0 : 4L * numNodes);
        AugmentationReport report = new AugmentationReport(Duration.ofNanos(System.nanoTime() - start), chunkColumns,
                chunks, config.threads(), blockBytes, workingHeapBytes, outputBytes, 4L * numNodes * numFeatures);
        log.debug("{}: {}", graph.name(), report);
        return new AugmentedSplits(graph.name(), config.powers(), numFeatures, graph.numClasses(), nodeIds, classes,
                outputs, labels, report);
    }

    /** 1 / (L1 norm of each feature row), or 1 for a zero row. */
    private static float[] inverseRowL1Norms(CsrMatrix features) {
        float[] scale = new float[features.rows()];
        for (int row = 0; row < features.rows(); row++) {
            double norm = 0;
            for (int k = features.rowStart(row); k < features.rowEnd(row); k++) {
                norm += Math.abs(features.value(k));
            }
            scale[row] = norm > 0 ? (float) (1.0 / norm) : 1f;
        }
        return scale;
    }

    /**
     * Writes columns {@code firstColumn .. firstColumn+width-1} of the (scaled) features into the row-major
     * {@code numNodes x width} block. {@code cursor[row]} is the row's first stored value not yet consumed; columns
     * are sorted within rows and chunks are visited left to right, so each stored value is read once overall.
     */
    private static void densify(CsrMatrix features, float[] rowScale, int[] cursor, int firstColumn, int width,
                                float[] block) {
        Arrays.fill(block, 0, features.rows() * width, 0f);
        int endColumn = firstColumn + width;
        for (int row = 0; row < features.rows(); row++) {
            float scale = rowScale == null ? 1f : rowScale[row];
            int k = cursor[row];
            int end = features.rowEnd(row);
            while (k < end && features.columnIndex(k) < endColumn) {
                block[row * width + features.columnIndex(k) - firstColumn] = features.value(k) * scale;
                k++;
            }
            cursor[row] = k;
        }
    }

    private static void propagate(NormalizedAdjacency operator, float[] in, float[] out, int width,
                                  ExecutorService pool, int threads) {
        int numNodes = operator.numNodes();
        if (pool == null) {
            operator.multiplyRows(in, out, width, 0, numNodes);
            return;
        }
        // a few tasks per thread evens out rows of very different degree
        int tasks = Math.min(numNodes, 4 * threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int task = 0; task < tasks; task++) {
            int from = (int) ((long) numNodes * task / tasks);
            int to = (int) ((long) numNodes * (task + 1) / tasks);
            futures.add(pool.submit(() -> operator.multiplyRows(in, out, width, from, to)));
        }
        try {
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while propagating features", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("propagating features failed", e.getCause());
        }
    }

    /** Copies the rows {@code nodes} of the dense block into {@code output[:, column .. column+width-1]}. */
    private static void copyRows(float[] block, int width, int[] nodes, INDArray output, long column) {
        float[] rows = new float[nodes.length * width];
        for (int r = 0; r < nodes.length; r++) {
            System.arraycopy(block, nodes[r] * width, rows, r * width, width);
        }
        INDArray chunk = Nd4j.create(rows, new long[] {nodes.length, width}, DataType.FLOAT);
        output.get(NDArrayIndex.all(), NDArrayIndex.interval(column, column + width))
                .assign(chunk.dataType() == output.dataType() ? chunk : chunk.castTo(output.dataType()));
    }

    private static INDArray oneHot(int[] classes, int numClasses) {
        float[] values = new float[classes.length * numClasses];
        for (int row = 0; row < classes.length; row++) {
            values[row * numClasses + classes[row]] = 1f;
        }
        return Nd4j.create(values, new long[] {classes.length, numClasses}, DataType.FLOAT);
    }
}
