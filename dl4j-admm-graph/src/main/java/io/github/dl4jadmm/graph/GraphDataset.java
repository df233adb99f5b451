package io.github.dl4jadmm.graph;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable node-classification graph: sparse node features, an undirected edge set, one label per node and a
 * train/validation/test split.
 *
 * <ul>
 *   <li>Features: a {@link CsrMatrix} with one row per node ({@code numNodes x numFeatures}); kept sparse. Every
 *       value is finite: a NaN or an infinity would reach training and show only as its divergence.</li>
 *   <li>Edges: undirected, stored in both directions as a symmetric {@code numNodes x numNodes} adjacency pattern
 *       ({@link #adjacency()}, all values 1) without duplicates and without self-loops. Self-loops given to the
 *       builder are dropped: the normalised adjacency adds {@code I} itself, as {@code D^-1/2 (A+I) D^-1/2}.</li>
 *   <li>Labels: {@code 0 .. numClasses-1}, or {@link #UNLABELLED} for a node in no part of the split.</li>
 * </ul>
 *
 * <p>Build one with {@link #builder()}; every rule is checked by {@link Builder#build()}, which throws an
 * {@link InvalidGraphException} naming the node, edge or split at fault.
 */
public final class GraphDataset {

    /** Label of a node whose class is unknown; such a node may not be in the split. */
    public static final int UNLABELLED = -1;

    private final String name;
    private final CsrMatrix features;
    private final CsrMatrix adjacency;
    private final int[] labels;
    private final int numClasses;
    private final NodeSplit split;
    private final boolean featuresComplete;

    private GraphDataset(String name, CsrMatrix features, CsrMatrix adjacency, int[] labels, int numClasses,
                         NodeSplit split, boolean featuresComplete) {
        this.name = name;
        this.features = features;
        this.adjacency = adjacency;
        this.labels = labels;
        this.numClasses = numClasses;
        this.split = split;
        this.featuresComplete = featuresComplete;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The data set's name, e.g. {@code "cora"}. */
    public String name() {
        return name;
    }

    /** Number of nodes. */
    public int numNodes() {
        return features.rows();
    }

    /** Number of input features per node. */
    public int numFeatures() {
        return features.columns();
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** The node features, one row per node. */
    public CsrMatrix features() {
        return features;
    }

    /**
     * The adjacency pattern: symmetric, {@code numNodes x numNodes}, value 1 for every edge in each direction, no
     * self-loops, columns sorted within each row (so row {@code i} lists the neighbours of node {@code i}).
     */
    public CsrMatrix adjacency() {
        return adjacency;
    }

    /** Number of stored edge directions (twice the number of undirected edges). */
    public int numDirectedEdges() {
        return adjacency.nnz();
    }

    /** Number of undirected edges. */
    public int numUndirectedEdges() {
        return adjacency.nnz() / 2;
    }

    /** Source node of every stored edge direction, sorted by (source, target) (a new array). */
    public int[] edgeSources() {
        int[] sources = new int[adjacency.nnz()];
        for (int node = 0; node < numNodes(); node++) {
            Arrays.fill(sources, adjacency.rowStart(node), adjacency.rowEnd(node), node);
        }
        return sources;
    }

    /** Target node of every stored edge direction, in the order of {@link #edgeSources()} (a new array). */
    public int[] edgeTargets() {
        return adjacency.indices();
    }

    /** Label of every node (a copy); {@link #UNLABELLED} where unknown. */
    public int[] labels() {
        return labels.clone();
    }

    /** Label of {@code node}. */
    public int label(int node) {
        return labels[node];
    }

    /** Number of nodes of each class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            if (label != UNLABELLED) {
                counts[label]++;
            }
        }
        return counts;
    }

    /** The train/validation/test split. */
    public NodeSplit split() {
        return split;
    }

    /**
     * False when some nodes' feature rows are missing rather than zero (PubMed in this project's data folder): the
     * data set can be used to exercise code, but accuracies measured on it must not be reported.
     */
    public boolean featuresComplete() {
        return featuresComplete;
    }

    /**
     * The same graph with another split.
     *
     * @throws InvalidGraphException if the split names a node that does not exist or has no label
     */
    public GraphDataset withSplit(NodeSplit newSplit) {
        checkSplit(newSplit, labels);
        return new GraphDataset(name, features, adjacency, labels, numClasses, newSplit, featuresComplete);
    }

    private static void checkSplit(NodeSplit split, int[] labels) {
        for (SplitPart part : SplitPart.values()) {
            for (int node : split.internal(part)) {
                if (node >= labels.length) {
                    throw new InvalidGraphException("the " + part.fileStem() + " split names node " + node
                            + ", but the graph has " + labels.length + " nodes (ids 0.." + (labels.length - 1) + ")",
                            GraphComponent.of(part));
                }
                if (labels[node] == UNLABELLED) {
                    throw new InvalidGraphException("the " + part.fileStem() + " split names node " + node
                            + ", which has no label", GraphComponent.of(part), GraphComponent.LABELS);
                }
            }
        }
    }

    /**
     * The SHA-256 (hex) of what the graph holds: its sizes, features, edges, labels, number of classes, split node
     * ids and {@link #featuresComplete()}. The name (a folder name, usually) and the split's name are left out, so
     * two copies of the same data give the same fingerprint wherever they are read from; any changed value gives
     * another. One pass over the arrays, without copying them.
     */
    public String fingerprint() {
        Digest digest = new Digest();
        digest.putInt(numNodes());
        digest.putInt(numFeatures());
        digest.putInt(numClasses);
        digest.putInt(featuresComplete ? 1 : 0);
        digest.putInt(features.nnz());
        for (int row = 0; row <= features.rows(); row++) {
            digest.putInt(row < features.rows() ? features.rowStart(row) : features.nnz());
        }
        for (int k = 0; k < features.nnz(); k++) {
            digest.putInt(features.columnIndex(k));
            digest.putInt(Float.floatToIntBits(features.value(k)));
        }
        digest.putInt(adjacency.nnz());
        for (int node = 0; node < numNodes(); node++) {
            digest.putInt(adjacency.rowEnd(node) - adjacency.rowStart(node));
            for (int k = adjacency.rowStart(node); k < adjacency.rowEnd(node); k++) {
                digest.putInt(adjacency.columnIndex(k));
            }
        }
        for (int label : labels) {
            digest.putInt(label);
        }
        for (SplitPart part : SplitPart.values()) {
            int[] nodes = split.internal(part);
            digest.putInt(nodes.length);
            for (int node : nodes) {
                digest.putInt(node);
            }
        }
        return digest.hex();
    }

    /** SHA-256 of a stream of ints, fed through a small buffer. */
    private static final class Digest {
        private final MessageDigest sha256;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

        Digest() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }

        void putInt(int value) {
            if (buffer.remaining() < Integer.BYTES) {
                flush();
            }
            buffer.putInt(value);
        }

        String hex() {
            flush();
            return HexFormat.of().formatHex(sha256.digest());
        }

        private void flush() {
            sha256.update(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    @Override
    public String toString() {
        return "GraphDataset[" + name + ": " + numNodes() + " nodes, " + numFeatures() + " features, "
                + numUndirectedEdges() + " undirected edges, " + numClasses + " classes, split " + split
                + (featuresComplete ? "" : ", FEATURES INCOMPLETE") + "]";
    }

    /** Collects the parts of a {@link GraphDataset}; {@link #build()} checks them. */
    public static final class Builder {
        private String name;
        private CsrMatrix features;
        private int[] edgeSources = new int[0];
        private int[] edgeTargets = new int[0];
        private int[] labels;
        private Integer numClasses;
        private NodeSplit split;
        private boolean featuresComplete = true;

        private Builder() {
        }

        /** The data set's name (required). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Node features, one row per node (required); the number of rows is the number of nodes. Every value must be
         * finite ({@link #build()} names the row and column of a NaN or infinity).
         */
        public Builder features(CsrMatrix features) {
            this.features = Objects.requireNonNull(features, "features");
            return this;
        }

        /**
         * Undirected edges {@code sources[i] - targets[i]} (arrays copied). Giving each edge once or in both
         * directions gives the same graph; duplicates are merged and self-loops dropped. Default: no edges.
         */
        public Builder edges(int[] sources, int[] targets) {
            Objects.requireNonNull(sources, "sources");
            Objects.requireNonNull(targets, "targets");
            if (sources.length != targets.length) {
                throw new InvalidGraphException("edge sources and targets must have the same length, got "
                        + sources.length + " and " + targets.length, GraphComponent.EDGES);
            }
            this.edgeSources = sources.clone();
            this.edgeTargets = targets.clone();
            return this;
        }

        /** Label per node (required, copied): {@code 0..numClasses-1}, or {@link GraphDataset#UNLABELLED}. */
        public Builder labels(int[] labels) {
            this.labels = Objects.requireNonNull(labels, "labels").clone();
            return this;
        }

        /** Number of classes; default: the largest label + 1. */
        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** The train/validation/test split (required). */
        public Builder split(NodeSplit split) {
            this.split = Objects.requireNonNull(split, "split");
            return this;
        }

        /** Whether every node's feature row is known (default true); see {@link GraphDataset#featuresComplete()}. */
        public Builder featuresComplete(boolean featuresComplete) {
            this.featuresComplete = featuresComplete;
            return this;
        }

        /**
         * Checks every part and builds the data set.
         *
         * @throws InvalidGraphException naming the component, and the node, edge or value at fault
         */
        public GraphDataset build() {
            if (name == null || name.isBlank()) {
                throw new InvalidGraphException("the data set needs a name", GraphComponent.NAME);
            }
            if (features == null) {
                throw new InvalidGraphException("no node features were given; call features(...)",
                        GraphComponent.FEATURES);
            }
            if (labels == null) {
                throw new InvalidGraphException("no labels were given; call labels(...)", GraphComponent.LABELS);
            }
            if (split == null) {
                throw new InvalidGraphException("no split was given; call split(...), e.g. with NodeSplit.random",
                        GraphComponent.TRAIN_SPLIT, GraphComponent.VAL_SPLIT, GraphComponent.TEST_SPLIT);
            }
            int numNodes = features.rows();
            if (labels.length != numNodes) {
                throw new InvalidGraphException("there are " + labels.length + " labels but " + numNodes
                        + " nodes (feature rows); give exactly one label per node", GraphComponent.LABELS,
                        GraphComponent.FEATURES);
            }
            checkFeatureValues();
            int classes = checkLabels(numNodes);
            CsrMatrix adjacency = buildAdjacency(numNodes);
            checkSplit(split, labels);
            return new GraphDataset(name, features, adjacency, labels, classes, split, featuresComplete);
        }

        /** One pass over the stored values: a NaN or infinity is refused, naming its row (node) and column. */
        private void checkFeatureValues() {
            for (int row = 0; row < features.rows(); row++) {
                for (int k = features.rowStart(row); k < features.rowEnd(row); k++) {
                    float value = features.value(k);
                    if (!Float.isFinite(value)) {
                        throw new InvalidGraphException("row " + row + " (node " + row + "), column "
                                + features.columnIndex(k) + " is " + (Float.isNaN(value) ? "NaN" : "infinite ("
                                + value + ")") + "; clean the data or drop the node before training",
                                GraphComponent.FEATURE_VALUES);
                    }
                }
            }
        }

        private int checkLabels(int numNodes) {
            int maxLabel = -1;
            for (int label : labels) {
                maxLabel = Math.max(maxLabel, label);
            }
            int classes = numClasses != null ? numClasses : maxLabel + 1;
            if (classes < 1) {
                throw new InvalidGraphException("the number of classes must be at least 1, got " + classes
                        + (numClasses == null ? " (no node has a label)" : ""), GraphComponent.CLASSES);
            }
            for (int node = 0; node < numNodes; node++) {
                int label = labels[node];
                if (label != UNLABELLED && (label < 0 || label >= classes)) {
                    throw new InvalidGraphException("node " + node + " has label " + label + ", but labels must be in"
                            + " 0.." + (classes - 1) + " (" + classes + " classes), or " + UNLABELLED
                            + " for an unlabelled node", GraphComponent.LABELS);
                }
            }
            return classes;
        }

        /** Sorted, deduplicated, symmetric adjacency pattern without self-loops. */
        private CsrMatrix buildAdjacency(int numNodes) {
            long[] keys = new long[2 * edgeSources.length];
            int count = 0;
            for (int i = 0; i < edgeSources.length; i++) {
                int u = edgeSources[i];
                int v = edgeTargets[i];
                for (int endpoint : new int[] {u, v}) {
                    if (endpoint < 0 || endpoint >= numNodes) {
                        throw new InvalidGraphException("edge " + i + " (" + u + " - " + v + ") names node "
                                + endpoint + ", but the graph has " + numNodes + " nodes (ids 0.."
                                + (numNodes - 1) + ")", GraphComponent.EDGES);
                    }
                }
                if (u != v) {
                    keys[count++] = (long) u * numNodes + v;
                    keys[count++] = (long) v * numNodes + u;
                }
            }
            Arrays.sort(keys, 0, count);
            int[] indptr = new int[numNodes + 1];
            int[] indices = new int[count];
            int nnz = 0;
            for (int i = 0; i < count; i++) {
                if (i > 0 && keys[i] == keys[i - 1]) {
                    continue;
                }
                int source = (int) (keys[i] / numNodes);
                indices[nnz++] = (int) (keys[i] % numNodes);
                indptr[source + 1]++;
            }
            for (int node = 0; node < numNodes; node++) {
                indptr[node + 1] += indptr[node];
            }
            float[] ones = new float[nnz];
            Arrays.fill(ones, 1f);
            return CsrMatrix.of(numNodes, numNodes, indptr, Arrays.copyOf(indices, nnz), ones);
        }
    }
}
