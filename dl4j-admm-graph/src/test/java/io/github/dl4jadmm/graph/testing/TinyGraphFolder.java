package io.github.dl4jadmm.graph.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A tiny graph in the .npy folder layout of the data directory. The fields are public so that a test can break one
 * of them before {@link #write}; {@code stats.json} is written last, with the checksums of the files as written.
 *
 * <pre>
 * 6 nodes, 3 features, 2 classes; undirected edges 0-1 1-2 2-3 3-4 4-5 5-0 1-4
 * </pre>
 */
public final class TinyGraphFolder {

    /** Dense node features, one row per node. */
    public float[][] features = {
        {1, 0, 2},
        {0, 1, 0},
        {0, 0, 3},
        {1, 1, 0},
        {0, 0, 0},
        {2, 0, 1},
    };
    /** Undirected edges, each written in both directions. */
    public int[][] undirectedEdges = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {0, 5}, {1, 4}};
    public int[] labels = {0, 0, 1, 1, 0, 1};
    public int numClasses = 2;
    public int[] train = {0, 2};
    public int[] val = {1, 3};
    public int[] test = {4, 5};
    /** The pdADMM-G split; null to write none. */
    public int[] pdadmmTrain = {3, 4};
    public int[] pdadmmVal = {0};
    public int[] pdadmmTest = {1, 2, 5};
    /** Whether to write stats.json. */
    public boolean writeStats = true;

    /** Writes the folder and returns it. */
    public Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        int rows = features.length;
        int columns = features[0].length;
        List<Integer> indptr = new ArrayList<>(List.of(0));
        List<Integer> indices = new ArrayList<>();
        List<Float> data = new ArrayList<>();
        for (float[] row : features) {
            for (int c = 0; c < columns; c++) {
                if (row[c] != 0) {
                    indices.add(c);
                    data.add(row[c]);
                }
            }
            indptr.add(indices.size());
        }
        NpyFiles.writeInts(folder.resolve("features_indptr.npy"), ints(indptr));
        NpyFiles.writeInts(folder.resolve("features_indices.npy"), ints(indices));
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i);
        }
        NpyFiles.writeFloats(folder.resolve("features_data.npy"), values);
        NpyFiles.writeInts(folder.resolve("features_shape.npy"), new int[] {rows, columns});

        List<int[]> directed = new ArrayList<>();
        for (int[] edge : undirectedEdges) {
            directed.add(new int[] {edge[0], edge[1]});
            directed.add(new int[] {edge[1], edge[0]});
        }
        directed.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
        int[] pairs = new int[2 * directed.size()];
        for (int i = 0; i < directed.size(); i++) {
            pairs[2 * i] = directed.get(i)[0];
            pairs[2 * i + 1] = directed.get(i)[1];
        }
        NpyFiles.writeInts(folder.resolve("edges.npy"), pairs, directed.size(), 2);
        NpyFiles.writeInts(folder.resolve("labels.npy"), labels);
        NpyFiles.writeInts(folder.resolve("train.npy"), train);
        NpyFiles.writeInts(folder.resolve("val.npy"), val);
        NpyFiles.writeInts(folder.resolve("test.npy"), test);
        if (pdadmmTrain != null) {
            NpyFiles.writeInts(folder.resolve("pdadmm_train.npy"), pdadmmTrain);
            NpyFiles.writeInts(folder.resolve("pdadmm_val.npy"), pdadmmVal);
            NpyFiles.writeInts(folder.resolve("pdadmm_test.npy"), pdadmmTest);
        }
        if (writeStats) {
            writeStats(folder, rows, columns, values.length, directed.size());
        }
        return folder;
    }

    private void writeStats(Path folder, int rows, int columns, int nnz, int directedEdges) throws IOException {
        List<String> files;
        try (var listing = Files.list(folder)) {
            files = listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npy")).sorted()
                    .collect(Collectors.toList());
        }
        StringBuilder entries = new StringBuilder();
        for (String name : files) {
            if (entries.length() > 0) {
                entries.append(",\n");
            }
            entries.append("  \"").append(name).append("\": {\"bytes\": ").append(Files.size(folder.resolve(name)))
                    .append(", \"sha256\": \"").append(NpyFiles.sha256(folder.resolve(name))).append("\"}");
        }
        String json = "{\n \"nodes\": " + rows + ",\n \"features\": " + columns + ",\n \"nnz\": " + nnz
                + ",\n \"directed_edges\": " + directedEdges + ",\n \"undirected_edges\": " + directedEdges / 2
                + ",\n \"classes\": " + numClasses + ",\n \"files\": {\n" + entries + "\n }\n}\n";
        Files.writeString(folder.resolve("stats.json"), json);
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
