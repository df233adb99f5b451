package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphComponent;
import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.InvalidGraphException;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.SplitPart;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaDataLine;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a user's own graph from three CSV files, read with DataVec's {@link CSVRecordReader}:
 *
 * <ul>
 *   <li><b>features</b>: one line per node, {@code node,f_0,...,f_{F-1}}; node ids are {@code 0..N-1}, each exactly
 *       once, in any order. Zeros are not stored (the features are kept sparse); NaN and infinities are refused.</li>
 *   <li><b>edges</b>: one undirected edge per line, {@code source,target}; listing an edge once or in both directions
 *       gives the same graph, self-loops are dropped (see {@link GraphDataset}).</li>
 *   <li><b>labels</b>: {@code node,label} or {@code node,label,part} with {@code part} one of {@code train},
 *       {@code val}, {@code test} or empty. Nodes not listed are unlabelled. Labels are {@code 0..C-1}, with
 *       {@code C} from {@link Builder#numClasses(int)}, or else the largest label + 1 with every class used. The
 *       split comes from the third column, unless {@link Builder#split(NodeSplit)} gives one (which then wins).</li>
 * </ul>
 *
 * <p>{@link Builder#skipLines(int)} skips header lines at the top of every file. Errors are
 * {@link GraphDataException}s naming the file, the line and the problem.
 */
public final class CsvGraphLoader {

    private final String name;
    private final Path featuresFile;
    private final Path edgesFile;
    private final Path labelsFile;
    private final int skipLines;
    private final char delimiter;
    private final Integer numClasses;
    private final NodeSplit split;

    private CsvGraphLoader(Builder builder) {
        this.name = builder.name;
        this.featuresFile = builder.featuresFile;
        this.edgesFile = builder.edgesFile;
        this.labelsFile = builder.labelsFile;
        this.skipLines = builder.skipLines;
        this.delimiter = builder.delimiter;
        this.numClasses = builder.numClasses;
        this.split = builder.split;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the three files and builds the data set.
     *
     * @throws GraphDataException naming the file and line when a file is missing or malformed, an edge names a node
     *                            that does not exist, a label is out of range, or the split is missing or overlaps
     */
    public GraphDataset load() throws GraphDataException {
        CsrMatrix features = readFeatures();
        int numNodes = features.rows();
        List<int[]> edges = new ArrayList<>();
        forEachRecord(edgesFile, (fields, line) -> {
            requireColumns(edgesFile, line, fields, 2, "source,target");
            edges.add(new int[] {node(edgesFile, line, fields.get(0), numNodes),
                    node(edgesFile, line, fields.get(1), numNodes)});
        });
        int[] labels = new int[numNodes];
        Arrays.fill(labels, GraphDataset.UNLABELLED);
        long[] labelLines = new long[numNodes];
        List<List<Integer>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        forEachRecord(labelsFile, (fields, line) -> {
            if (fields.size() != 2 && fields.size() != 3) {
                throw lineError(labelsFile, line, "expected node,label or node,label,part but found "
                        + fields.size() + " columns");
            }
            int node = node(labelsFile, line, fields.get(0), numNodes);
            int label = integer(labelsFile, line, fields.get(1), "label");
            if (label < 0 || (numClasses != null && label >= numClasses)) {
                throw lineError(labelsFile, line, "node " + node + " has label " + label + ", but labels must be"
                        + " class ids " + (numClasses == null ? "0..C-1" : "0.." + (numClasses - 1) + " ("
                        + numClasses + " classes, as numClasses says)") + (label < 0 ? "; leave a node out of the"
                        + " file to leave it unlabelled" : "") + ". Fix the label or drop the line");
            }
            if (labels[node] != GraphDataset.UNLABELLED) {
                throw lineError(labelsFile, line, "node " + node + " is labelled twice");
            }
            labels[node] = label;
            labelLines[node] = line;
            if (fields.size() == 3) {
                String part = fields.get(2).trim().toLowerCase(Locale.ROOT);
                switch (part) {
                    case "train" -> parts.get(0).add(node);
                    case "val" -> parts.get(1).add(node);
                    case "test" -> parts.get(2).add(node);
                    case "" -> {
                    }
                    default -> throw lineError(labelsFile, line, "unknown split part '" + fields.get(2)
                            + "'; use train, val, test or leave it empty");
                }
            }
        });

        if (numClasses == null) {
            Optional<ClassLabels.Gap> gap = ClassLabels.gap(labels);
            if (gap.isPresent()) {
                throw lineError(labelsFile, labelLines[gap.get().node()], gap.get().description() + ". Nothing"
                        + " declares the number of classes, so it is taken from the labels, which must then use"
                        + " every class 0..C-1. Fix the label, renumber the classes to 0..C-1, or, if the empty"
                        + " classes are intended, declare them with CsvGraphLoader.Builder.numClasses("
                        + ClassLabels.implied(labels) + ")");
            }
        }
        GraphDataset.Builder builder = GraphDataset.builder()
                .name(name)
                .features(features)
                .edges(edges.stream().mapToInt(e -> e[0]).toArray(), edges.stream().mapToInt(e -> e[1]).toArray())
                .labels(labels);
        if (numClasses != null) {
            builder.numClasses(numClasses);
        }
        try {
            if (split != null) {
                builder.split(split);
            } else if (parts.stream().allMatch(List::isEmpty)) {
                throw new GraphDataException(labelsFile, "no split for " + name + ": " + labelsFile + " has no third"
                        + " column (train/val/test), and no split was given; add the column or call"
                        + " CsvGraphLoader.Builder.split(...), e.g. with NodeSplit.random");
            } else {
                builder.split(new NodeSplit("csv", toArray(parts.get(0)), toArray(parts.get(1)),
                        toArray(parts.get(2))));
            }
            return builder.build();
        } catch (InvalidGraphException e) {
            Set<String> sources = new LinkedHashSet<>();
            Path firstFile = null;
            for (GraphComponent component : e.components()) {
                Path file = switch (component) {
                    case FEATURES, FEATURE_VALUES -> featuresFile;
                    case EDGES -> edgesFile;
                    case TRAIN_SPLIT, VAL_SPLIT, TEST_SPLIT -> split != null ? null : labelsFile;
                    default -> labelsFile;
                };
                sources.add(file == null ? "the split given to CsvGraphLoader" : file.toString());
                firstFile = firstFile == null ? file : firstFile;
            }
            throw new GraphDataException(firstFile, String.join(" and ", sources) + ": "
                    + e.getMessage(), e);
        }
    }

    private CsrMatrix readFeatures() throws GraphDataException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> nodes = new ArrayList<>();
        int[] width = {-1};
        forEachRecord(featuresFile, (fields, line) -> {
            if (fields.size() < 2) {
                throw lineError(featuresFile, line, "expected node,f_0,...,f_{F-1} (at least 2 columns), found "
                        + fields.size());
            }
            if (width[0] < 0) {
                width[0] = fields.size() - 1;
            } else if (fields.size() - 1 != width[0]) {
                throw lineError(featuresFile, line, "has " + (fields.size() - 1) + " feature values, but the first"
                        + " line has " + width[0]);
            }
            nodes.add(integer(featuresFile, line, fields.get(0), "node id"));
            float[] row = new float[width[0]];
            for (int c = 0; c < width[0]; c++) {
                String text = fields.get(c + 1).trim();
                try {
                    row[c] = Float.parseFloat(text);
                } catch (NumberFormatException e) {
                    throw lineError(featuresFile, line, "feature " + c + " is not a number: '" + text + "'");
                }
            }
            rows.add(row);
        });
        if (rows.isEmpty()) {
            throw new GraphDataException(featuresFile, featuresFile + " holds no nodes");
        }
        float[][] dense = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            int node = nodes.get(i);
            if (node < 0 || node >= rows.size()) {
                throw new GraphDataException(featuresFile, featuresFile + ": node id " + node + " is out of range;"
                        + " with " + rows.size() + " lines the node ids must be 0.." + (rows.size() - 1));
            }
            if (dense[node] != null) {
                throw new GraphDataException(featuresFile, featuresFile + ": node " + node + " has two lines");
            }
            dense[node] = rows.get(i);
        }
        return CsrMatrix.fromDense(dense, width[0]);
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void requireColumns(Path file, long line, List<String> fields, int columns, String layout)
            throws GraphDataException {
        if (fields.size() != columns) {
            throw lineError(file, line, "expected " + columns + " columns (" + layout + ") but found "
                    + fields.size());
        }
    }

    private static int node(Path file, long line, String text, int numNodes) throws GraphDataException {
        int node = integer(file, line, text, "node id");
        if (node < 0 || node >= numNodes) {
            throw lineError(file, line, "node " + node + " does not exist; the features file defines " + numNodes
                    + " nodes (ids 0.." + (numNodes - 1) + ")");
        }
        return node;
    }

    private static int integer(Path file, long line, String text, String what) throws GraphDataException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw lineError(file, line, what + " is not an integer: '" + text + "'");
        }
    }

    private static GraphDataException lineError(Path file, long line, String problem) {
        return new GraphDataException(file, file + " line " + line + ": " + problem);
    }

    /** Receives the fields of one CSV line and its 1-based line number. */
    @FunctionalInterface
    private interface RecordConsumer {
        void accept(List<String> fields, long line) throws GraphDataException;
    }

    private void forEachRecord(Path file, RecordConsumer consumer) throws GraphDataException {
        if (!Files.isRegularFile(file)) {
            throw new GraphDataException(file, "missing file " + file + ": it does not exist or is not a file");
        }
        try (CSVRecordReader reader = new CSVRecordReader(skipLines, delimiter)) {
            reader.initialize(new FileSplit(file.toFile()));
            long fallbackLine = skipLines;
            while (reader.hasNext()) {
                Record record = reader.nextRecord();
                fallbackLine++;
                long line = record.getMetaData() instanceof RecordMetaDataLine meta ? meta.getLineNumber() + 1
                        : fallbackLine;
                List<String> fields = new ArrayList<>();
                for (Writable writable : record.getRecord()) {
                    fields.add(writable.toString());
                }
                consumer.accept(fields, line);
            }
        } catch (GraphDataException e) {
            throw e;
        } catch (Exception e) {
            throw new GraphDataException(file, "cannot read " + file + " as CSV: " + e.getMessage(), e);
        }
    }

    /** Names the three files and how to read them. */
    public static final class Builder {
        private String name = "csv-graph";
        private Path featuresFile;
        private Path edgesFile;
        private Path labelsFile;
        private int skipLines;
        private char delimiter = ',';
        private Integer numClasses;
        private NodeSplit split;

        private Builder() {
        }

        /** The data set's name (default {@code csv-graph}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The features file, {@code node,f_0,...,f_{F-1}} per line (required). */
        public Builder features(Path featuresFile) {
            this.featuresFile = Objects.requireNonNull(featuresFile, "featuresFile");
            return this;
        }

        /** The edge list, {@code source,target} per line (required). */
        public Builder edges(Path edgesFile) {
            this.edgesFile = Objects.requireNonNull(edgesFile, "edgesFile");
            return this;
        }

        /** The labels file, {@code node,label[,part]} per line (required). */
        public Builder labels(Path labelsFile) {
            this.labelsFile = Objects.requireNonNull(labelsFile, "labelsFile");
            return this;
        }

        /** Header lines to skip at the top of every file (default 0). */
        public Builder skipLines(int skipLines) {
            if (skipLines < 0) {
                throw new IllegalArgumentException("skipLines must be >= 0, got " + skipLines);
            }
            this.skipLines = skipLines;
            return this;
        }

        /** Field delimiter (default {@code ','}). */
        public Builder delimiter(char delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        /**
         * Number of classes; default: the largest label + 1, and then every class below it must have a node
         * ({@link CsvGraphLoader#load()} refuses a gap, naming the node whose label lies above it).
         */
        public Builder numClasses(int numClasses) {
            if (numClasses < 1) {
                throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
            }
            this.numClasses = numClasses;
            return this;
        }

        /** A split to use instead of the labels file's third column. */
        public Builder split(NodeSplit split) {
            this.split = Objects.requireNonNull(split, "split");
            return this;
        }

        /**
         * The loader.
         *
         * @throws IllegalStateException if a file was not named
         */
        public CsvGraphLoader build() {
            if (featuresFile == null || edgesFile == null || labelsFile == null) {
                throw new IllegalStateException("CsvGraphLoader needs all three files: features(...), edges(...) and"
                        + " labels(...); missing: " + (featuresFile == null ? "features " : "")
                        + (edgesFile == null ? "edges " : "") + (labelsFile == null ? "labels" : ""));
            }
            return new CsvGraphLoader(this);
        }
    }
}
