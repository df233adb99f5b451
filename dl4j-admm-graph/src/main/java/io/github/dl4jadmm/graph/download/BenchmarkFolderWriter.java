package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.io.NpyWriter;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link ConvertedGraph} in the {@code .npy} folder layout that
 * {@link io.github.dl4jadmm.graph.io.NpyGraphLoader} reads, with a {@code stats.json} holding the counts, the size
 * and sha256 of every file, and under {@code source} where the data came from.
 */
final class BenchmarkFolderWriter {

    /** Value of {@code source.written_by} in {@code stats.json}: marks folders this downloader may replace. */
    static final String WRITTEN_BY = GraphDownloader.class.getName();

    private BenchmarkFolderWriter() {
    }

    /** Size and sha256 of a written file. */
    record WrittenFile(long bytes, String sha256) {
    }

    /**
     * Writes every file into {@code folder} (which must exist) and returns the written {@code .npy} files by name.
     *
     * @param source provenance, stored under {@code source} in {@code stats.json}
     */
    static Map<String, WrittenFile> write(ConvertedGraph graph, Path folder, Map<String, Object> source)
            throws IOException {
        NpyWriter.writeInt32(folder.resolve("features_indptr.npy"), graph.indptr());
        NpyWriter.writeInt32(folder.resolve("features_indices.npy"), graph.indices());
        NpyWriter.writeFloat32(folder.resolve("features_data.npy"), graph.values());
        NpyWriter.writeInt32(folder.resolve("features_shape.npy"), new int[] {graph.numNodes(), graph.numFeatures()});
        NpyWriter.writeInt32(folder.resolve("edges.npy"), graph.edgePairs(), graph.directedEdges(), 2);
        NpyWriter.writeInt32(folder.resolve("labels.npy"), graph.labels());
        writeSplit(folder, "", graph.publicSplit());
        if (graph.pdadmmSplit() != null) {
            writeSplit(folder, "pdadmm_", graph.pdadmmSplit());
        }
        Map<String, WrittenFile> files = new TreeMap<>();
        try (var listing = Files.list(folder)) {
            for (Path file : listing.filter(p -> p.getFileName().toString().endsWith(".npy")).toList()) {
                files.put(file.getFileName().toString(),
                        new WrittenFile(Files.size(file), Checksums.sha256(Files.readAllBytes(file))));
            }
        }
        writeStats(graph, folder, files, source);
        return files;
    }

    private static void writeSplit(Path folder, String prefix, NodeSplit split) throws IOException {
        NpyWriter.writeInt32(folder.resolve(prefix + "train.npy"), split.train());
        NpyWriter.writeInt32(folder.resolve(prefix + "val.npy"), split.val());
        NpyWriter.writeInt32(folder.resolve(prefix + "test.npy"), split.test());
    }

    private static void writeStats(ConvertedGraph graph, Path folder, Map<String, WrittenFile> files,
                                   Map<String, Object> source) throws IOException {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("nodes", graph.numNodes());
        stats.put("features", graph.numFeatures());
        stats.put("nnz", graph.nnz());
        stats.put("directed_edges", graph.directedEdges());
        stats.put("undirected_edges", graph.directedEdges() / 2);
        stats.put("classes", graph.numClasses());
        stats.put("class_counts", graph.classCounts());
        putSplit(stats, "", graph.publicSplit(), graph.labels(), graph.numClasses());
        if (graph.pdadmmSplit() != null) {
            putSplit(stats, "pdadmm_", graph.pdadmmSplit(), graph.labels(), graph.numClasses());
        }
        Map<String, Object> fileEntries = new LinkedHashMap<>();
        files.forEach((name, file) -> fileEntries.put(name, Map.of("bytes", file.bytes(), "sha256", file.sha256())));
        stats.put("files", fileEntries);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("written_by", WRITTEN_BY);
        provenance.putAll(source);
        stats.put("source", provenance);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.resolve("stats.json")
                .toFile(), stats);
    }

    private static void putSplit(Map<String, Object> stats, String prefix, NodeSplit split, int[] labels,
                                 int numClasses) {
        stats.put(prefix + "train", split.train().length);
        stats.put(prefix + "val", split.val().length);
        stats.put(prefix + "test", split.test().length);
        int[] perClass = new int[numClasses];
        for (int node : split.train()) {
            perClass[labels[node]]++;
        }
        stats.put(prefix + "train_per_class", perClass);
    }

    /** The files a complete folder has, whatever else it has. */
    static List<String> requiredFiles(boolean withPdadmm) {
        List<String> names = new java.util.ArrayList<>(List.of("features_indptr.npy", "features_indices.npy",
                "features_data.npy", "features_shape.npy", "edges.npy", "labels.npy", "train.npy", "val.npy",
                "test.npy"));
        if (withPdadmm) {
            names.addAll(List.of("pdadmm_train.npy", "pdadmm_val.npy", "pdadmm_test.npy"));
        }
        return names;
    }
}
