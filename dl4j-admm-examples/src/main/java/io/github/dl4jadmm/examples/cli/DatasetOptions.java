package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.SyntheticGraph;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.graph.download.GraphDownloader;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.CsvGraphLoader;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Which graph to train on, shared by the commands that train: the embedded synthetic graph, a benchmark under the
 * data directory, or a directory of the user's own (the {@code .npy} layout of the data directory, or three CSV
 * files read by {@link CsvGraphLoader}). The node features are augmented to {@code [S^K H, ..., SH, H]} for a
 * GA-MLP.
 */
public final class DatasetOptions {

    /**
     * Default data directory, as {@code DataDirectories.resolve}: the system property {@code dl4jadmm.data.dir},
     * else the environment variable {@code DL4JADMM_DATA_DIR}, else {@code ~/.dl4j-admm/data}.
     */
    static final String DEFAULT_DATA_DIR =
            "${sys:dl4jadmm.data.dir:-${env:DL4JADMM_DATA_DIR:-${sys:user.home}/.dl4j-admm/data}}";

    /** The dataset name that selects the embedded synthetic graph. */
    public static final String SYNTHETIC = "synthetic";
    /** Seed of the synthetic graph: always the same graph, whatever seed the model uses. */
    static final long SYNTHETIC_SEED = 1;
    /** File names of a CSV graph directory. */
    static final String CSV_FEATURES = "features.csv";
    static final String CSV_EDGES = "edges.csv";
    static final String CSV_LABELS = "labels.csv";

    @Option(names = "--dataset", paramLabel = "NAME|DIR", defaultValue = SYNTHETIC,
            description = {"synthetic (default: a seeded 1000-node graph, no download), a benchmark read from "
                    + "--data-dir (cora, citeseer, pubmed, amazon_computers, amazon_photo, coauthor_cs), or a "
                    + "directory holding your own graph: the .npy layout of the data directory, or features.csv, "
                    + "edges.csv and labels.csv (see README)."})
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DatasetOptions.DEFAULT_DATA_DIR,
            description = "Directory holding the benchmark folders (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--download",
            description = "Download a missing benchmark graph from its public source into --data-dir (checksums "
                    + "verified, converted to the .npy layout) before training.")
    boolean download;

    @Option(names = "--csv-header-lines", paramLabel = "N", defaultValue = "0",
            description = "Header lines to skip at the top of each CSV file (default: ${DEFAULT-VALUE}).")
    int csvHeaderLines;

    @Option(names = "--hops", paramLabel = "K", defaultValue = "4",
            description = "Feature augmentation [S^K H, ..., SH, H] with S = D^-1/2 (A+I) D^-1/2 "
                    + "(default: ${DEFAULT-VALUE}; 0 uses the raw features only).")
    int hops;

    /**
     * A loaded graph and its GA-MLP inputs.
     *
     * @param name     data set name
     * @param source   {@code synthetic}, {@code benchmark}, {@code npy} or {@code csv}
     * @param location where it was read from, or null for the synthetic graph
     * @param graph    the graph
     * @param splits   the augmented train, validation and test inputs
     */
    public record LoadedDataset(String name, String source, Path location, GraphDataset graph,
                                AugmentedSplits splits) {

        /** Name, source, location, sizes and augmentation, for a JSON summary. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("source", source);
            m.put("location", location == null ? null : location.toAbsolutePath().normalize().toString());
            m.put("nodes", graph.numNodes());
            m.put("undirectedEdges", graph.numUndirectedEdges());
            m.put("features", graph.numFeatures());
            m.put("classes", graph.numClasses());
            m.put("split", graph.split().name());
            for (SplitPart part : SplitPart.values()) {
                m.put(part.fileStem() + "Nodes", graph.split().size(part));
            }
            m.put("augmentationPowers", splits.powers());
            m.put("inputWidth", splits.numFeatures());
            return m;
        }
    }

    /** The options as given, for a summary and for checking that a resumed run uses the same data. */
    Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.put("dataDir", dataDir.toString());
        m.put("csvHeaderLines", csvHeaderLines);
        m.put("hops", hops);
        return m;
    }

    /**
     * Loads and augments the graph.
     *
     * @throws ParameterException if the name is unknown or a directory is missing (a usage error)
     * @throws GraphDataException if the files are there but cannot be read as a graph
     */
    LoadedDataset load(CommandLine cmd) throws GraphDataException {
        if (hops < 0 || hops > 10) {
            throw new ParameterException(cmd, "--hops must be in 0..10, got " + hops);
        }
        if (csvHeaderLines < 0) {
            throw new ParameterException(cmd, "--csv-header-lines must be >= 0, got " + csvHeaderLines);
        }
        GraphDataset graph;
        String source;
        Path location = null;
        if (dataset.equalsIgnoreCase(SYNTHETIC)) {
            graph = SyntheticGraph.generate(SyntheticGraph.Spec.small(), SYNTHETIC_SEED);
            source = SYNTHETIC;
        } else if (isBenchmark(dataset)) {
            Benchmark benchmark = Benchmark.fromName(dataset);
            if (download) {
                GraphDownloader.withDefaults().ensure(benchmark, dataDir);
            }
            if (!Files.isDirectory(dataDir)) {
                throw new ParameterException(cmd, "data directory " + dataDir + " does not exist; the benchmark "
                        + benchmark.folderName() + " is read from <data-dir>/" + benchmark.folderName()
                        + ". Pass --data-dir DIR (or -Ddl4jadmm.data.dir=DIR), or add --download to fetch it.");
            }
            location = dataDir.resolve(benchmark.folderName());
            if (!Files.isDirectory(location)) {
                throw new ParameterException(cmd, "data directory " + dataDir + " has no folder "
                        + benchmark.folderName() + "/; pass the directory that holds the benchmark folders with "
                        + "--data-dir, or add --download to fetch it");
            }
            graph = NpyGraphLoader.loadBenchmark(benchmark, dataDir);
            source = "benchmark";
        } else {
            location = Path.of(dataset);
            if (!Files.isDirectory(location)) {
                throw new ParameterException(cmd, "unknown dataset '" + dataset + "': not " + SYNTHETIC
                        + ", not a benchmark (" + Arrays.stream(Benchmark.values()).map(Benchmark::folderName)
                        .collect(Collectors.joining(", ")) + ") and no directory of that name");
            }
            if (Files.exists(location.resolve("features_shape.npy"))
                    || Files.exists(location.resolve("features_partial_shape.npy"))) {
                graph = NpyGraphLoader.builder().build().load(location);
                source = "npy";
            } else if (Files.exists(location.resolve(CSV_FEATURES))) {
                graph = CsvGraphLoader.builder().name(location.getFileName().toString())
                        .features(location.resolve(CSV_FEATURES)).edges(location.resolve(CSV_EDGES))
                        .labels(location.resolve(CSV_LABELS)).skipLines(csvHeaderLines).build().load();
                source = "csv";
            } else {
                throw new ParameterException(cmd, "directory " + location + " holds no graph: expected the .npy "
                        + "layout (features_shape.npy, features_indptr.npy, ..., edges.npy, labels.npy, "
                        + "train/val/test.npy) or " + CSV_FEATURES + ", " + CSV_EDGES + " and " + CSV_LABELS);
            }
        }
        int[] powers = IntStream.iterate(hops, k -> k - 1).limit(hops + 1L).toArray();
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(powers).build())
                .augment(graph);
        return new LoadedDataset(graph.name(), source, location, graph, splits);
    }

    private static boolean isBenchmark(String name) {
        return Arrays.stream(Benchmark.values()).anyMatch(b -> b.folderName().equalsIgnoreCase(name)
                || b.name().equalsIgnoreCase(name));
    }
}
