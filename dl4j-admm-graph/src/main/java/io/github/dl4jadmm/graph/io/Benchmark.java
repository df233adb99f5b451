package io.github.dl4jadmm.graph.io;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The six node-classification benchmarks of the pdADMM-G paper, with the counts a correct copy has. Each is a
 * folder of {@code .npy} files named {@link #folderName()} under a data directory; load one with
 * {@link NpyGraphLoader#loadBenchmark(Benchmark, java.nio.file.Path)}.
 */
public enum Benchmark {
    /** Cora citation graph (Planetoid public split). */
    CORA("cora", 2708, 1433, 7, false, true),
    /** CiteSeer citation graph (Planetoid public split). */
    CITESEER("citeseer", 3327, 3703, 6, false, true),
    /**
     * PubMed citation graph. In this project's data folder only 1060 nodes have features (the rest are missing, not
     * zero): loadable for exercising code, not for accuracy claims.
     */
    PUBMED("pubmed", 19717, 500, 3, false, false),
    /** Amazon Computers co-purchase graph. */
    AMAZON_COMPUTERS("amazon_computers", 13752, 767, 10, true, true),
    /** Amazon Photo co-purchase graph. */
    AMAZON_PHOTO("amazon_photo", 7650, 745, 8, true, true),
    /** Coauthor CS co-authorship graph. */
    COAUTHOR_CS("coauthor_cs", 18333, 6805, 15, true, true);

    private final String folderName;
    private final int numNodes;
    private final int numFeatures;
    private final int numClasses;
    private final boolean hasPdadmmSplit;
    private final boolean featuresComplete;

    Benchmark(String folderName, int numNodes, int numFeatures, int numClasses, boolean hasPdadmmSplit,
              boolean featuresComplete) {
        this.folderName = folderName;
        this.numNodes = numNodes;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.hasPdadmmSplit = hasPdadmmSplit;
        this.featuresComplete = featuresComplete;
    }

    /**
     * The benchmark with this folder name or enum name, ignoring case ({@code "cora"}, {@code "Coauthor_CS"}).
     *
     * @throws IllegalArgumentException listing the known names when there is no such benchmark
     */
    public static Benchmark fromName(String name) {
        for (Benchmark benchmark : values()) {
            if (benchmark.folderName.equalsIgnoreCase(name) || benchmark.name().equalsIgnoreCase(name)) {
                return benchmark;
            }
        }
        throw new IllegalArgumentException("unknown benchmark '" + name + "'; known: "
                + Arrays.stream(values()).map(Benchmark::folderName).collect(Collectors.joining(", ")));
    }

    /** Folder name under the data directory, e.g. {@code amazon_photo}. */
    public String folderName() {
        return folderName;
    }

    /** Number of nodes. */
    public int numNodes() {
        return numNodes;
    }

    /** Number of node features. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Whether the folder has the {@code pdadmm_*} split files. */
    public boolean hasPdadmmSplit() {
        return hasPdadmmSplit;
    }

    /** Whether every node's features are present (false for PubMed in this project's data). */
    public boolean featuresComplete() {
        return featuresComplete;
    }

    /**
     * The split the pdADMM-G paper reports on: {@link SplitChoice#PDADMM} where the folder has it (Amazon,
     * Coauthor), else {@link SplitChoice#PUBLIC} (Planetoid graphs).
     */
    public SplitChoice paperSplit() {
        return hasPdadmmSplit ? SplitChoice.PDADMM : SplitChoice.PUBLIC;
    }

    @Override
    public String toString() {
        return folderName.toLowerCase(Locale.ROOT);
    }
}
