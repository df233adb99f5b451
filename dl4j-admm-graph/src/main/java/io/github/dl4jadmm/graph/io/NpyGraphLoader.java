package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphComponent;
import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.InvalidGraphException;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.SplitPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Loads a graph from a folder of {@code .npy} files, the layout of this project's data directory:
 *
 * <ul>
 *   <li>{@code features_indptr.npy}, {@code features_indices.npy}, {@code features_data.npy},
 *       {@code features_shape.npy}: the CSR node-feature matrix ({@code int32 [N+1]}, {@code int32 [nnz]},
 *       {@code float32 [nnz]}, {@code int32 [2] = (N, F)}). A folder that has {@code features_partial_*.npy}
 *       instead (PubMed here) loads with {@link GraphDataset#featuresComplete()} false and a warning.</li>
 *   <li>{@code edges.npy}: {@code int32 [E, 2]} (source, target) pairs, each undirected edge in both directions.</li>
 *   <li>{@code labels.npy}: {@code int32 [N]}, a class {@code 0..C-1} for every node. {@code C} is the
 *       {@code classes} of {@code stats.json}, else the benchmark's (for {@link #load(Benchmark, Path)}), else the
 *       largest label + 1, and then every class below it must have a node.</li>
 *   <li>{@code train.npy}, {@code val.npy}, {@code test.npy} (and {@code pdadmm_*.npy} where present): node ids;
 *       {@link SplitChoice} picks which.</li>
 *   <li>{@code stats.json} (optional): counts and the sha256 of every file; when present the counts are checked and,
 *       by default, every file read is checked against its sha256 ({@link ChecksumPolicy}).</li>
 * </ul>
 *
 * <p>Every failure is a {@link GraphDataException} whose message names the file and the problem: a missing or
 * corrupt file, a checksum mismatch, a NaN or infinite feature value (with its row and column), an edge to a node
 * that does not exist, a label out of range or negative (with its node), overlapping split files. The loader never assumes where the data directory is; the caller passes it.
 *
 * <pre>{@code
 * GraphDataset cora = NpyGraphLoader.loadBenchmark(Benchmark.CORA, dataDir);
 * GraphDataset cs = NpyGraphLoader.builder().split(SplitChoice.PUBLIC).build().load(dataDir.resolve("coauthor_cs"));
 * }</pre>
 */
public final class NpyGraphLoader {

    private static final Logger log = LoggerFactory.getLogger(NpyGraphLoader.class);
    private static final String STATS_FILE = "stats.json";

    private final SplitChoice split;
    private final ChecksumPolicy checksums;

    private NpyGraphLoader(Builder builder) {
        this.split = builder.split;
        this.checksums = builder.checksums;
    }

    /** A builder with the defaults: {@link SplitChoice#PUBLIC}, {@link ChecksumPolicy#IF_PRESENT}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads {@code benchmark} from {@code dataDir/<folderName>} with the split its paper reports on
     * ({@link Benchmark#paperSplit()}) and checksums checked against {@code stats.json}.
     *
     * @param benchmark which graph
     * @param dataDir   the directory holding the benchmark folders
     * @throws GraphDataException if the folder is missing, a file is missing or corrupt, or the counts differ from
     *                            the benchmark's
     */
    public static GraphDataset loadBenchmark(Benchmark benchmark, Path dataDir) throws GraphDataException {
        return builder().split(benchmark.paperSplit()).build().load(benchmark, dataDir);
    }

    /** The split files this loader reads. */
    public SplitChoice split() {
        return split;
    }

    /** How this loader checks files against {@code stats.json}. */
    public ChecksumPolicy checksums() {
        return checksums;
    }

    /**
     * Loads {@code benchmark} from {@code dataDir/<folderName>} with this loader's split and checksum policy, and
     * checks the node, feature and class counts against the benchmark's.
     *
     * @throws GraphDataException if loading fails or the counts are not the benchmark's
     */
    public GraphDataset load(Benchmark benchmark, Path dataDir) throws GraphDataException {
        if (split == SplitChoice.PDADMM && !benchmark.hasPdadmmSplit()) {
            throw new GraphDataException(null, benchmark.folderName() + " has no pdADMM-G split (pdadmm_*.npy);"
                    + " the paper uses the public split for it: load it with SplitChoice.PUBLIC");
        }
        Path folder = dataDir.resolve(benchmark.folderName());
        GraphDataset dataset = load(folder, benchmark);
        if (dataset.numNodes() != benchmark.numNodes() || dataset.numFeatures() != benchmark.numFeatures()
                || dataset.numClasses() != benchmark.numClasses()) {
            throw new GraphDataException(folder, folder + " does not hold " + benchmark.folderName() + ": expected "
                    + benchmark.numNodes() + " nodes, " + benchmark.numFeatures() + " features, "
                    + benchmark.numClasses() + " classes, found " + dataset.numNodes() + ", "
                    + dataset.numFeatures() + ", " + dataset.numClasses());
        }
        return dataset;
    }

    /**
     * Loads the graph in {@code folder}; its name is the folder's name.
     *
     * @throws GraphDataException naming the file and the problem if anything is missing, corrupt or inconsistent
     */
    public GraphDataset load(Path folder) throws GraphDataException {
        return load(folder, null);
    }

    /** Loads {@code folder}; {@code benchmark}, when not null, gives the number of classes if stats.json does not. */
    private GraphDataset load(Path folder, Benchmark benchmark) throws GraphDataException {
        Objects.requireNonNull(folder, "folder");
        if (!Files.isDirectory(folder)) {
            throw new GraphDataException(folder, "data folder " + folder + " does not exist or is not a directory;"
                    + " expected a folder with features_*.npy, edges.npy, labels.npy and train/val/test.npy");
        }
        Path statsFile = folder.resolve(STATS_FILE);
        Optional<DatasetStats> stats = DatasetStats.readIfPresent(statsFile);
        if (checksums == ChecksumPolicy.REQUIRE && stats.isEmpty()) {
            throw new GraphDataException(statsFile, "missing file " + statsFile + ": checksums are required"
                    + " (ChecksumPolicy.REQUIRE) but the folder has no stats.json");
        }
        FileReader reader = new FileReader(folder, stats.orElse(null));

        // PubMed here ships features_partial_*.npy: rows outside known_rows are missing, not zero.
        boolean complete = Files.exists(folder.resolve("features_indptr.npy"))
                || !Files.exists(folder.resolve("features_partial_indptr.npy"));
        String featurePrefix = complete ? "features_" : "features_partial_";
        int[] shape = reader.ints(featurePrefix + "shape.npy", 1);
        if (shape.length != 2 || shape[0] < 0 || shape[1] < 0) {
            throw new GraphDataException(folder.resolve(featurePrefix + "shape.npy"), folder.resolve(featurePrefix
                    + "shape.npy") + " must hold two non-negative numbers (nodes, features), but holds "
                    + Arrays.toString(shape));
        }
        CsrMatrix features;
        try {
            features = CsrMatrix.of(shape[0], shape[1], reader.ints(featurePrefix + "indptr.npy", 1),
                    reader.ints(featurePrefix + "indices.npy", 1), reader.floats(featurePrefix + "data.npy", 1));
        } catch (IllegalArgumentException e) {
            throw new GraphDataException(folder.resolve(featurePrefix + "indptr.npy"), "the feature files "
                    + featureFiles(featurePrefix) + " in " + folder + " do not form a valid CSR matrix: " + e.getMessage(), e);
        }
        if (!complete) {
            log.warn("{}: node features are incomplete ({}*.npy); the data set can exercise code but its accuracies"
                    + " must not be reported", folder, featurePrefix);
        }

        NpyArray edgeArray = reader.array("edges.npy");
        long[] edgeShape = edgeArray.shape();
        if (edgeShape.length != 2 || edgeShape[1] != 2) {
            throw new GraphDataException(edgeArray.file(), edgeArray.file() + " must have shape [E, 2] (source,"
                    + " target pairs), but has shape " + Arrays.toString(edgeShape));
        }
        int[] pairs = edgeArray.ints();
        int numEdgeRows = (int) edgeShape[0];
        int[] sources = new int[numEdgeRows];
        int[] targets = new int[numEdgeRows];
        for (int i = 0; i < numEdgeRows; i++) {
            sources[i] = pairs[2 * i];
            targets[i] = pairs[2 * i + 1];
        }
        int[] labels = reader.ints("labels.npy", 1);
        OptionalInt statsClasses = stats.isPresent() ? stats.get().count("classes") : OptionalInt.empty();
        ClassCount classes = statsClasses.isPresent()
                ? new ClassCount(statsClasses.getAsInt(), "declared by " + statsFile)
                : benchmark != null ? new ClassCount(benchmark.numClasses(), "those of the benchmark "
                + benchmark.folderName()) : null;
        checkLabels(folder.resolve("labels.npy"), labels, classes, statsFile);
        int[][] splitIds = new int[SplitPart.values().length][];
        for (SplitPart part : SplitPart.values()) {
            splitIds[part.ordinal()] = reader.ints(split.fileName(part), 1);
        }

        GraphDataset.Builder builder = GraphDataset.builder()
                .name(folder.getFileName().toString())
                .features(features)
                .edges(sources, targets)
                .labels(labels)
                .featuresComplete(complete);
        if (classes != null) {
            builder.numClasses(classes.count());
        }
        GraphDataset dataset;
        try {
            builder.split(new NodeSplit(split.splitName(), splitIds[0], splitIds[1], splitIds[2]));
            dataset = builder.build();
        } catch (InvalidGraphException e) {
            throw invalid(folder, e, featurePrefix, statsClasses.isPresent());
        }
        if (stats.isPresent()) {
            checkCounts(stats.get(), dataset, numEdgeRows, features.nnz());
        }
        return dataset;
    }

    private GraphDataException invalid(Path folder, InvalidGraphException e, String featurePrefix,
                                       boolean classesFromStats) {
        Set<String> files = new LinkedHashSet<>();
        for (GraphComponent component : e.components()) {
            switch (component) {
                case NAME -> files.add(folder.getFileName().toString());
                case FEATURES -> files.addAll(featureFiles(featurePrefix));
                case FEATURE_VALUES -> files.add(featurePrefix + "data.npy");
                case EDGES -> files.add("edges.npy");
                case LABELS -> files.add("labels.npy");
                case CLASSES -> files.add(classesFromStats ? STATS_FILE : "labels.npy");
                case TRAIN_SPLIT -> files.add(split.fileName(SplitPart.TRAIN));
                case VAL_SPLIT -> files.add(split.fileName(SplitPart.VAL));
                case TEST_SPLIT -> files.add(split.fileName(SplitPart.TEST));
            }
        }
        String first = files.iterator().next();
        String message = String.join(" and ", files) + " in " + folder + ": " + e.getMessage();
        if (e.components().contains(GraphComponent.LABELS) && classesFromStats) {
            message += " (the number of classes comes from stats.json)";
        }
        return new GraphDataException(folder.resolve(first), message, e);
    }

    private static List<String> featureFiles(String featurePrefix) {
        return List.of(featurePrefix + "data.npy", featurePrefix + "indices.npy", featurePrefix + "indptr.npy",
                featurePrefix + "shape.npy");
    }

    /** A number of classes and where it comes from ("declared by .../stats.json"). */
    private record ClassCount(int count, String source) {
    }

    /**
     * The rules of {@code labels.npy}: a class id {@code 0..C-1} for every node (this layout has no unlabelled
     * nodes). {@code C} is the declared count ({@code stats.json}, or the benchmark's); where nothing declares it,
     * it is the largest label + 1 and every class below must be used, so that one wrong label cannot add classes
     * silently. The first node breaking a rule is named with its label.
     */
    private static void checkLabels(Path file, int[] labels, ClassCount classes, Path statsFile)
            throws GraphDataException {
        String range = classes != null ? "0.." + (classes.count() - 1) + " (" + classes.count() + " classes, "
                + classes.source() + ")" : "0..C-1";
        for (int node = 0; node < labels.length; node++) {
            int label = labels[node];
            if (label < 0 || (classes != null && label >= classes.count())) {
                throw new GraphDataException(file, file + ": node " + node + " has label " + label + ", but labels"
                        + " must be class ids " + range + (label < 0 ? "; this layout has no unlabelled nodes, so"
                        + " negative labels (-1 included) are not allowed" : "") + ". Fix the label or drop the node");
            }
        }
        if (classes == null) {
            Optional<ClassLabels.Gap> gap = ClassLabels.gap(labels);
            if (gap.isPresent()) {
                throw new GraphDataException(file, file + ": " + gap.get().description() + ". Nothing declares the number of"
                        + " classes (" + statsFile.getFileName() + (Files.exists(statsFile) ? " has no \"classes\""
                        : " is missing") + "), so it is taken from the labels, which must then use every class"
                        + " 0..C-1. Fix the label, renumber the classes to 0..C-1, or, if the empty classes are"
                        + " intended, declare \"classes\": " + ClassLabels.implied(labels) + " in " + statsFile);
            }
        }
    }

    private static void checkCounts(DatasetStats stats, GraphDataset dataset, int edgeRows, int nnz)
            throws GraphDataException {
        checkCount(stats, "nodes", dataset.numNodes());
        checkCount(stats, "features", dataset.numFeatures());
        checkCount(stats, "nnz", nnz);
        checkCount(stats, "directed_edges", edgeRows);
        checkCount(stats, "undirected_edges", dataset.numUndirectedEdges());
    }

    private static void checkCount(DatasetStats stats, String key, int actual) throws GraphDataException {
        OptionalInt expected = stats.count(key);
        if (expected.isPresent() && expected.getAsInt() != actual) {
            throw new GraphDataException(stats.file(), stats.file() + " says " + key + " = " + expected.getAsInt()
                    + ", but the folder's files give " + actual + "; the files and stats.json do not belong together");
        }
    }

    /** Reads files of one folder, checking each against stats.json as the policy says. */
    private final class FileReader {
        private final Path folder;
        private final DatasetStats stats;

        FileReader(Path folder, DatasetStats stats) {
            this.folder = folder;
            this.stats = stats;
        }

        NpyArray array(String name) throws GraphDataException {
            Path file = folder.resolve(name);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new GraphDataException(file, "missing file " + file + ": it does not exist"
                        + (name.startsWith("pdadmm_") ? "; this folder has no pdADMM-G split, load it with"
                        + " SplitChoice.PUBLIC" : ""), e);
            } catch (IOException e) {
                throw new GraphDataException(file, "cannot read " + file + ": " + e.getMessage(), e);
            }
            verify(file, name, bytes);
            return NpyArray.parse(file, bytes);
        }

        int[] ints(String name, int rank) throws GraphDataException {
            return array(name).requireRank(rank).ints();
        }

        float[] floats(String name, int rank) throws GraphDataException {
            return array(name).requireRank(rank).floats();
        }

        private void verify(Path file, String name, byte[] bytes) throws GraphDataException {
            if (checksums == ChecksumPolicy.SKIP || stats == null) {
                return;
            }
            Optional<DatasetStats.FileEntry> entry = stats.entry(name);
            if (entry.isEmpty()) {
                if (checksums == ChecksumPolicy.REQUIRE) {
                    throw new GraphDataException(file, "cannot verify " + file + ": " + stats.file()
                            + " lists no sha256 for it, and checksums are required (ChecksumPolicy.REQUIRE)");
                }
                return;
            }
            String actual = sha256(bytes);
            String expected = entry.get().sha256();
            if (!actual.equalsIgnoreCase(expected)) {
                throw new GraphDataException(file, "checksum mismatch for " + file + ": its sha256 is " + actual
                        + " (" + bytes.length + " bytes), but " + stats.file() + " lists " + expected
                        + (entry.get().bytes() >= 0 ? " (" + entry.get().bytes() + " bytes)" : "")
                        + "; the file is corrupt or was changed. Restore it, or load with ChecksumPolicy.SKIP to"
                        + " accept it as it is");
            }
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Chooses the split files and the checksum policy of an {@link NpyGraphLoader}. */
    public static final class Builder {
        private SplitChoice split = SplitChoice.PUBLIC;
        private ChecksumPolicy checksums = ChecksumPolicy.IF_PRESENT;

        private Builder() {
        }

        /** Which split files to load (default {@link SplitChoice#PUBLIC}). */
        public Builder split(SplitChoice split) {
            this.split = Objects.requireNonNull(split, "split");
            return this;
        }

        /** How to check files against {@code stats.json} (default {@link ChecksumPolicy#IF_PRESENT}). */
        public Builder checksums(ChecksumPolicy checksums) {
            this.checksums = Objects.requireNonNull(checksums, "checksums");
            return this;
        }

        /** The loader. */
        public NpyGraphLoader build() {
            return new NpyGraphLoader(this);
        }
    }
}
