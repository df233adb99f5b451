package io.github.dl4jadmm.graph;

import java.util.Random;
import java.util.stream.IntStream;

/**
 * A seeded, citation-like graph made in memory, for the default command-line run, notebooks and tests that must run
 * without a download. Like Cora, nodes carry sparse binary bag-of-words features and links mostly join nodes of
 * the same class, so the features alone classify only part of the nodes and the graph's neighbourhoods (the GA-MLP
 * hops) add accuracy.
 *
 * <ul>
 *   <li>Features: each class owns an equal slice of the vocabulary; a node draws {@code wordsPerNode} words, each
 *       from its class's slice with probability {@code topicProbability} and otherwise from the whole
 *       vocabulary.</li>
 *   <li>Edges: each node links to {@code edgesPerNode} others, a node of its own class with probability
 *       {@code homophily}, else any node.</li>
 *   <li>Split: {@link NodeSplit#random} with {@code trainPerClass} training nodes per class and {@code validation}
 *       and {@code test} nodes.</li>
 * </ul>
 *
 * <pre>{@code
 * GraphDataset graph = SyntheticGraph.generate(SyntheticGraph.Spec.small(), 1);
 * }</pre>
 */
public final class SyntheticGraph {

    /**
     * What to generate.
     *
     * @param nodes            number of nodes
     * @param classes          number of classes (at least 2; nodes are assigned round-robin)
     * @param vocabulary       number of features (at least {@code classes})
     * @param wordsPerNode     words drawn per node (at least 1)
     * @param topicProbability probability that a word comes from the node's class slice, in [0, 1]
     * @param edgesPerNode     links made from each node (at least 0)
     * @param homophily        probability that a link joins two nodes of the same class, in [0, 1]
     * @param trainPerClass    training nodes per class
     * @param validation       validation nodes
     * @param test             test nodes
     */
    public record Spec(int nodes, int classes, int vocabulary, int wordsPerNode, double topicProbability,
                       int edgesPerNode, double homophily, int trainPerClass, int validation, int test) {

        public Spec {
            if (classes < 2 || nodes < classes || vocabulary < classes || wordsPerNode < 1 || edgesPerNode < 0) {
                throw new IllegalArgumentException("a synthetic graph needs classes >= 2, nodes >= classes, "
                        + "vocabulary >= classes, wordsPerNode >= 1 and edgesPerNode >= 0; got " + nodes + " nodes, "
                        + classes + " classes, vocabulary " + vocabulary + ", " + wordsPerNode + " words, "
                        + edgesPerNode + " edges per node");
            }
            if (!(topicProbability >= 0 && topicProbability <= 1) || !(homophily >= 0 && homophily <= 1)) {
                throw new IllegalArgumentException("topicProbability and homophily must be in [0, 1], got "
                        + topicProbability + " and " + homophily);
            }
            if ((long) trainPerClass * classes + validation + test > nodes) {
                throw new IllegalArgumentException("the split needs " + trainPerClass + " x " + classes + " + "
                        + validation + " + " + test + " nodes but the graph has " + nodes);
            }
        }

        /**
         * 1000 nodes, 5 classes, 200 words (12 per node, 30% on topic), 4 links per node (80% within the class),
         * 20 training nodes per class, 200 validation and 500 test nodes: features alone give a weak classifier,
         * neighbourhoods a good one. Trains in seconds.
         */
        public static Spec small() {
            return new Spec(1000, 5, 200, 12, 0.3, 4, 0.8, 20, 200, 500);
        }
    }

    private SyntheticGraph() {
    }

    /** A graph drawn from {@code spec}; the same seed gives the same graph. */
    public static GraphDataset generate(Spec spec, long seed) {
        Random random = new Random(seed);
        int n = spec.nodes();
        int[] labels = new int[n];
        for (int node = 0; node < n; node++) {
            labels[node] = node % spec.classes();
        }
        int slice = spec.vocabulary() / spec.classes();
        float[][] features = new float[n][spec.vocabulary()];
        for (int node = 0; node < n; node++) {
            for (int w = 0; w < spec.wordsPerNode(); w++) {
                int word = random.nextDouble() < spec.topicProbability()
                        ? labels[node] * slice + random.nextInt(slice)
                        : random.nextInt(spec.vocabulary());
                features[node][word] = 1f;
            }
        }
        int[][] byClass = new int[spec.classes()][];
        for (int c = 0; c < spec.classes(); c++) {
            int cls = c;
            byClass[c] = IntStream.range(0, n).filter(node -> labels[node] == cls).toArray();
        }
        int[] sources = new int[n * spec.edgesPerNode()];
        int[] targets = new int[sources.length];
        int e = 0;
        for (int node = 0; node < n; node++) {
            for (int k = 0; k < spec.edgesPerNode(); k++) {
                int[] pool = byClass[labels[node]];
                int other = random.nextDouble() < spec.homophily() ? pool[random.nextInt(pool.length)]
                        : random.nextInt(n);
                sources[e] = node;
                targets[e++] = other;
            }
        }
        NodeSplit split = NodeSplit.random(labels, spec.classes(), spec.trainPerClass(), spec.validation(),
                spec.test(), seed);
        return GraphDataset.builder()
                .name("synthetic")
                .features(CsrMatrix.fromDense(features, spec.vocabulary()))
                .edges(sources, targets)
                .labels(labels)
                .numClasses(spec.classes())
                .split(split)
                .build();
    }
}
