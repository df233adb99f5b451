package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The machine-readable {@code stats.json} of a data folder: counts ({@code nodes}, {@code features}, {@code nnz},
 * {@code directed_edges}, {@code classes}, ...) and, under {@code files}, the {@code bytes} and {@code sha256} of
 * every file.
 */
final class DatasetStats {

    /** Size and checksum of one file as listed in {@code stats.json}. */
    record FileEntry(long bytes, String sha256) {
    }

    private final Path file;
    private final JsonNode root;
    private final Map<String, FileEntry> files;

    private DatasetStats(Path file, JsonNode root, Map<String, FileEntry> files) {
        this.file = file;
        this.root = root;
        this.files = files;
    }

    /** Reads {@code stats.json}, or returns empty if the folder has none. */
    static Optional<DatasetStats> readIfPresent(Path file) throws GraphDataException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new GraphDataException(file, "corrupt " + file + ": it is not valid JSON (" + e.getMessage() + ")",
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new GraphDataException(file, "corrupt " + file + ": expected a JSON object at the top level");
        }
        Map<String, FileEntry> files = new HashMap<>();
        JsonNode filesNode = root.get("files");
        if (filesNode != null) {
            Iterator<Map.Entry<String, JsonNode>> entries = filesNode.fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                JsonNode bytes = entry.getValue().get("bytes");
                JsonNode sha256 = entry.getValue().get("sha256");
                if (sha256 == null || !sha256.isTextual()) {
                    throw new GraphDataException(file, "corrupt " + file + ": files." + entry.getKey()
                            + " has no sha256 string");
                }
                files.put(entry.getKey(), new FileEntry(bytes != null && bytes.canConvertToLong() ? bytes.asLong()
                        : -1, sha256.asText()));
            }
        }
        return Optional.of(new DatasetStats(file, root, files));
    }

    /** The {@code stats.json} file itself. */
    Path file() {
        return file;
    }

    /** An integer count such as {@code nodes}, if present. */
    OptionalInt count(String key) {
        JsonNode node = root.get(key);
        return node != null && node.canConvertToInt() ? OptionalInt.of(node.asInt()) : OptionalInt.empty();
    }

    /** The listed size and checksum of {@code fileName}, if listed. */
    Optional<FileEntry> entry(String fileName) {
        return Optional.ofNullable(files.get(fileName));
    }
}
