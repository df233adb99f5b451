package io.github.dl4jadmm.graph;

import io.github.dl4jadmm.graph.io.NpyWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded contextual stochastic block model, written straight to the {@code .npy} layout that
 * {@link io.github.dl4jadmm.graph.io.NpyGraphLoader} reads: the large sibling of {@link SyntheticGraph}, for graphs of
 * millions of nodes (10^6 nodes with 16 M directed edges take about 200 MB of heap and a few seconds).
 *
 * <ul>
 *   <li>Labels: each node's class drawn uniformly from {@code 0..classes-1}.</li>
 *   <li>Features (the "context"): each node has exactly {@code featuresPerNode} distinct binary features; each is
 *       drawn from its class's slice of the {@code features} columns (the columns {@code c * F/C .. (c+1) * F/C - 1})
 *       with probability {@code featureSignal}, else from all columns.</li>
 *   <li>Edges (the block model): {@code round(nodes * averageDegree / 2)} distinct undirected edges, no self-loops.
 *       Each is drawn as a uniform node {@code u} and, with probability {@code homophily}, a uniform other node of
 *       {@code u}'s class, else a uniform node of another class; so the expected edge homophily (the fraction of
 *       edges joining two nodes of one class) is {@code homophily} exactly and the mean degree is
 *       {@code averageDegree} up to rounding. Duplicates are drawn again.</li>
 *   <li>Split: {@code train}, {@code validation} and {@code test} disjoint nodes chosen uniformly (sorted ids).</li>
 * </ul>
 *
 * <p>The same spec and seed give the same bytes. Memory: one {@code long} per undirected edge and one {@code int}
 * per directed edge while the edges are sorted, and a few {@code int}s per node; no array of the features or edges is
 * held twice, the files are written as they are produced.
 *
 * <pre>{@code
 * ContextualSbm.Summary s = ContextualSbm.write(ContextualSbm.Spec.large(1_000_000), 1, Path.of("/tmp/sbm-1m"));
 * GraphDataset graph = NpyGraphLoader.builder().build().load(Path.of("/tmp/sbm-1m"));
 * }</pre>
 *
 * From the command line: {@code java -cp dl4j-admm.jar io.github.dl4jadmm.graph.ContextualSbm DIR [nodes=N]
 * [classes=C] [features=F] [featuresPerNode=K] [featureSignal=S] [averageDegree=D] [homophily=H] [train=T]
 * [validation=V] [test=T] [seed=S]} (defaults: {@link Spec#large(int)} of 100,000 nodes, seed 1).
 */
public final class ContextualSbm {

    /**
     * What to generate.
     *
     * @param nodes           number of nodes {@code N} (at least {@code classes})
     * @param classes         number of classes {@code C} (at least 2)
     * @param features        number of feature columns {@code F} (at least {@code classes})
     * @param featuresPerNode nonzero features per node, at least 1 and at most {@code F / C}
     * @param featureSignal   probability that a feature comes from the node's class slice, in [0, 1]
     * @param averageDegree   mean number of neighbours per node (directed edges / N), at least 0 and below
     *                        {@code N / 2}
     * @param homophily       expected fraction of edges that join two nodes of the same class, in [0, 1]
     * @param train           training nodes (at least 1)
     * @param validation      validation nodes (at least 1)
     * @param test            test nodes (at least 1)
     */
    public record Spec(int nodes, int classes, int features, int featuresPerNode, double featureSignal,
                       double averageDegree, double homophily, int train, int validation, int test) {

        public Spec {
            if (classes < 2 || nodes < classes || features < classes) {
                throw new IllegalArgumentException("a contextual SBM needs classes >= 2, nodes >= classes and "
                        + "features >= classes; got " + nodes + " nodes, " + classes + " classes, " + features
                        + " features");
            }
            if (featuresPerNode < 1 || featuresPerNode > features / classes) {
                throw new IllegalArgumentException("featuresPerNode must be in 1.." + features / classes
                        + " (the width of one class's feature slice, features / classes), got " + featuresPerNode);
            }
            if (!(featureSignal >= 0 && featureSignal <= 1) || !(homophily >= 0 && homophily <= 1)) {
                throw new IllegalArgumentException("featureSignal and homophily must be in [0, 1], got "
                        + featureSignal + " and " + homophily);
            }
            if (!(averageDegree >= 0) || averageDegree >= nodes / 2.0) {
                throw new IllegalArgumentException("averageDegree must be in [0, nodes / 2) = [0, " + nodes / 2.0
                        + "), got " + averageDegree);
            }
            if (nodes / classes < 2 && homophily > 0) {
                throw new IllegalArgumentException("homophily > 0 needs classes of at least two nodes; use fewer "
                        + "classes or more nodes");
            }
            if (train < 1 || validation < 1 || test < 1 || (long) train + validation + test > nodes) {
                throw new IllegalArgumentException("the split needs " + train + " + " + validation + " + " + test
                        + " nodes (each at least 1) but the graph has " + nodes);
            }
            long directed = Math.round(nodes * averageDegree / 2) * 2L;
            if (directed > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("nodes * averageDegree = " + directed + " directed edges do not "
                        + "fit the int32 edge list; lower averageDegree");
            }
        }

        /**
         * A graph shaped like the scale tests of issue 16: {@code nodes} nodes, 10 classes, 100 features (5 per node,
         * 40% on topic), mean degree 16 (16 M directed edges at 10^6 nodes), homophily 0.7, 5% of the nodes (at most
         * 50,000) for training and 5% (at most 50,000) each for validation and test.
         */
        public static Spec large(int nodes) {
            int part = Math.min(50_000, nodes / 20);
            return new Spec(nodes, 10, 100, 5, 0.4, 16, 0.7, part, part, part);
        }
    }

    /**
     * What was written.
     *
     * @param directory       the folder
     * @param nodes           nodes
     * @param undirectedEdges distinct undirected edges (directed edges are twice as many)
     * @param sameClassEdges  undirected edges joining two nodes of one class
     * @param seconds         wall time of the generation and writing
     */
    public record Summary(Path directory, int nodes, long undirectedEdges, long sameClassEdges, double seconds) {

        /** Mean number of neighbours per node. */
        public double meanDegree() {
            return 2.0 * undirectedEdges / nodes;
        }

        /** Fraction of edges whose two ends have the same label. */
        public double edgeHomophily() {
            return undirectedEdges == 0 ? 0 : (double) sameClassEdges / undirectedEdges;
        }
    }

    private ContextualSbm() {
    }

    /**
     * Draws the graph of {@code spec} with {@code seed} and writes it into {@code directory} (created if missing;
     * files of the same names are replaced): {@code labels.npy}, {@code features_*.npy}, {@code edges.npy},
     * {@code train.npy}, {@code val.npy}, {@code test.npy}. No {@code stats.json} is written.
     */
    public static Summary write(Spec spec, long seed, Path directory) throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(directory);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom labelRandom = root.split();
        SplittableRandom featureRandom = root.split();
        SplittableRandom edgeRandom = root.split();
        SplittableRandom splitRandom = root.split();
        int n = spec.nodes();

        int[] labels = new int[n];
        for (int node = 0; node < n; node++) {
            labels[node] = labelRandom.nextInt(spec.classes());
        }
        try (NpyWriter.Streamed out = NpyWriter.open(directory.resolve("labels.npy"), "<i4", n)) {
            for (int label : labels) {
                out.putInt(label);
            }
        }
        writeFeatures(spec, labels, featureRandom, directory);
        long[] sameClass = new long[1];
        long undirected = writeEdges(spec, labels, edgeRandom, directory, sameClass);
        writeSplit(spec, splitRandom, directory);
        return new Summary(directory, n, undirected, sameClass[0], (System.nanoTime() - start) / 1e9);
    }

    private static void writeFeatures(Spec spec, int[] labels, SplittableRandom random, Path directory)
            throws IOException {
        int n = spec.nodes();
        int k = spec.featuresPerNode();
        int slice = spec.features() / spec.classes();
        long nnz = (long) n * k;
        if (nnz > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nodes * featuresPerNode = " + nnz + " nonzeros do not fit int32");
        }
        try (NpyWriter.Streamed shape = NpyWriter.open(directory.resolve("features_shape.npy"), "<i4", 2)) {
            shape.putInt(n);
            shape.putInt(spec.features());
        }
        try (NpyWriter.Streamed indptr = NpyWriter.open(directory.resolve("features_indptr.npy"), "<i4", n + 1L)) {
            for (long row = 0; row <= n; row++) {
                indptr.putInt((int) (row * k));
            }
        }
        try (NpyWriter.Streamed data = NpyWriter.open(directory.resolve("features_data.npy"), "<f4", nnz)) {
            for (long i = 0; i < nnz; i++) {
                data.putFloat(1f);
            }
        }
        int[] row = new int[k];
        try (NpyWriter.Streamed indices = NpyWriter.open(directory.resolve("features_indices.npy"), "<i4", nnz)) {
            for (int node = 0; node < n; node++) {
                int filled = 0;
                while (filled < k) {
                    int column = random.nextDouble() < spec.featureSignal()
                            ? labels[node] * slice + random.nextInt(slice)
                            : random.nextInt(spec.features());
                    if (!contains(row, filled, column)) {
                        row[filled++] = column;
                    }
                }
                Arrays.sort(row);
                for (int column : row) {
                    indices.putInt(column);
                }
            }
        }
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** Draws and writes the edges; returns the number of undirected edges and sets {@code sameClass[0]}. */
    private static long writeEdges(Spec spec, int[] labels, SplittableRandom random, Path directory,
                                   long[] sameClass) throws IOException {
        int n = spec.nodes();
        int classes = spec.classes();
        // the nodes grouped by class, so that a node of a given class (or of any other class) is one draw
        int[] classStart = new int[classes + 1];
        for (int label : labels) {
            classStart[label + 1]++;
        }
        for (int c = 0; c < classes; c++) {
            classStart[c + 1] += classStart[c];
        }
        int[] byClass = new int[n];
        int[] fill = Arrays.copyOf(classStart, classes);
        for (int node = 0; node < n; node++) {
            byClass[fill[labels[node]]++] = node;
        }
        int target = (int) Math.round(n * spec.averageDegree() / 2);
        // each undirected edge as one long, smaller end in the high word: sorting the longs sorts the edges
        long[] keys = new long[target];
        int distinct = 0;
        while (distinct < target) {
            for (int i = distinct; i < target; i++) {
                keys[i] = drawEdge(spec, labels, byClass, classStart, random);
            }
            Arrays.sort(keys);
            distinct = dedupe(keys);
        }
        int[] degree = new int[n + 1];
        long same = 0;
        for (long key : keys) {
            int a = (int) (key >>> 32);
            int b = (int) key;
            degree[a + 1]++;
            degree[b + 1]++;
            if (labels[a] == labels[b]) {
                same++;
            }
        }
        sameClass[0] = same;
        for (int node = 0; node < n; node++) {
            degree[node + 1] += degree[node];
        }
        int[] offsets = degree;
        int[] neighbours = new int[2 * target];
        int[] next = Arrays.copyOf(offsets, n);
        // in key order, node r first gets its smaller neighbours (keys (x, r), x ascending), then its larger ones
        // (keys (r, y), y ascending), so every adjacency row comes out sorted
        for (long key : keys) {
            int a = (int) (key >>> 32);
            int b = (int) key;
            neighbours[next[a]++] = b;
            neighbours[next[b]++] = a;
        }
        keys = null;
        try (NpyWriter.Streamed edges = NpyWriter.open(directory.resolve("edges.npy"), "<i4", 2L * target, 2)) {
            for (int node = 0; node < n; node++) {
                for (int i = offsets[node]; i < offsets[node + 1]; i++) {
                    edges.putInt(node);
                    edges.putInt(neighbours[i]);
                }
            }
        }
        return target;
    }

    private static long drawEdge(Spec spec, int[] labels, int[] byClass, int[] classStart, SplittableRandom random) {
        int n = spec.nodes();
        while (true) {
            int u = random.nextInt(n);
            int c = labels[u];
            int size = classStart[c + 1] - classStart[c];
            int v;
            if (random.nextDouble() < spec.homophily()) {
                if (size < 2) {
                    continue;
                }
                v = byClass[classStart[c] + random.nextInt(size)];
            } else {
                if (size == n) {
                    continue;
                }
                int r = random.nextInt(n - size);
                v = byClass[r < classStart[c] ? r : r + size];
            }
            if (u != v) {
                return u < v ? ((long) u << 32) | v : ((long) v << 32) | u;
            }
        }
    }

    /** Removes repeated keys from a sorted array, moving the distinct ones to its front; returns their count. */
    private static int dedupe(long[] sorted) {
        if (sorted.length == 0) {
            return 0;
        }
        int distinct = 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[distinct - 1]) {
                sorted[distinct++] = sorted[i];
            }
        }
        // the slots past the distinct keys are redrawn; fill them with the largest key so the array stays sorted
        // until they are
        Arrays.fill(sorted, distinct, sorted.length, Long.MAX_VALUE);
        return distinct;
    }

    private static void writeSplit(Spec spec, SplittableRandom random, Path directory) throws IOException {
        int n = spec.nodes();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int chosen = spec.train() + spec.validation() + spec.test();
        for (int i = 0; i < chosen; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        writeSorted(directory.resolve("train.npy"), order, 0, spec.train());
        writeSorted(directory.resolve("val.npy"), order, spec.train(), spec.train() + spec.validation());
        writeSorted(directory.resolve("test.npy"), order, spec.train() + spec.validation(), chosen);
    }

    private static void writeSorted(Path file, int[] order, int from, int to) throws IOException {
        int[] ids = Arrays.copyOfRange(order, from, to);
        Arrays.sort(ids);
        NpyWriter.writeInt32(file, ids);
    }

    /** Writes a graph from the command line; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: ContextualSbm DIR [nodes=N] [classes=C] [features=F] [featuresPerNode=K] "
                    + "[featureSignal=S] [averageDegree=D] [homophily=H] [train=T] [validation=V] [test=T] [seed=S]");
            System.exit(2);
        }
        java.util.Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments after DIR are key=value, got " + args[i]);
            }
            options.put(kv[0], kv[1]);
        }
        int nodes = Integer.parseInt(options.getOrDefault("nodes", "100000"));
        Spec d = Spec.large(nodes);
        Spec spec = new Spec(nodes,
                Integer.parseInt(options.getOrDefault("classes", "" + d.classes())),
                Integer.parseInt(options.getOrDefault("features", "" + d.features())),
                Integer.parseInt(options.getOrDefault("featuresPerNode", "" + d.featuresPerNode())),
                Double.parseDouble(options.getOrDefault("featureSignal", "" + d.featureSignal())),
                Double.parseDouble(options.getOrDefault("averageDegree", "" + d.averageDegree())),
                Double.parseDouble(options.getOrDefault("homophily", "" + d.homophily())),
                Integer.parseInt(options.getOrDefault("train", "" + d.train())),
                Integer.parseInt(options.getOrDefault("validation", "" + d.validation())),
                Integer.parseInt(options.getOrDefault("test", "" + d.test())));
        java.util.Set<String> known = java.util.Set.of("nodes", "classes", "features", "featuresPerNode",
                "featureSignal", "averageDegree", "homophily", "train", "validation", "test", "seed");
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option " + key + "; known: " + known);
            }
        }
        Summary s = write(spec, Long.parseLong(options.getOrDefault("seed", "1")), Path.of(args[0]));
        System.out.printf(Locale.ROOT, "%s: %d nodes, %d directed edges (mean degree %.3f), edge homophily %.4f, "
                + "%.1f s%n", s.directory(), s.nodes(), 2 * s.undirectedEdges(), s.meanDegree(), s.edgeHomophily(),
                s.seconds());
    }
}
