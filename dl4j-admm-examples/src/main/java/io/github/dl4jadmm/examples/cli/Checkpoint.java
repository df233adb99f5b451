package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint directory of {@code train}. Every save writes a fresh folder {@code iteration-NNNNNN/} (the model,
 * and the metrics so far as {@code metrics.csv}), then points {@code checkpoint.json} at it with an atomic rename,
 * then deletes older folders; so an interrupted save leaves the previous checkpoint intact.
 *
 * <p>What the model files are is the trainer's business: pdADMM-G writes {@code W_l.npy} and {@code b_l.npy} per
 * layer (readable with numpy) and, unless its transfers are delta-coded, the engine's whole state in
 * {@code engine/} ({@code PdAdmmEngine.saveCheckpoint}); Adam writes DL4J's {@code model.zip} with the updater
 * state.
 */
final class Checkpoint {

    static final String INDEX = "checkpoint.json";
    static final String METRICS = "metrics.csv";

    /**
     * What {@code checkpoint.json} records.
     *
     * @param algorithm      the algorithm's command-line name
     * @param iterationsDone iterations (or epochs) completed
     * @param rho            the penalty at that point (it changes under a schedule)
     * @param nu             the relaxation weight at that point
     * @param bytesSent      bytes sent so far
     * @param settings       the command's settings, to check that a resumed run trains the same model on the same
     *                       data
     * @param folder         the folder holding the model files, relative to the checkpoint directory
     */
    record State(String algorithm, int iterationsDone, double rho, double nu, long bytesSent,
                 Map<String, Object> settings, String folder) {
    }

    /** Writes the model files of a checkpoint into a folder. */
    @FunctionalInterface
    interface ModelWriter {
        void write(Path folder) throws IOException;
    }

    private final Path directory;

    Checkpoint(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** Whether a checkpoint has been saved here. */
    boolean exists() {
        return Files.isRegularFile(directory.resolve(INDEX));
    }

    /** Saves the model (through {@code model}) and the history, then makes this the current checkpoint. */
    void save(String algorithm, int iterationsDone, double rho, double nu, long bytesSent,
              Map<String, Object> settings, List<IterationRecord> history, ModelWriter model) {
        try {
            Files.createDirectories(directory);
            String name = String.format(Locale.ROOT, "iteration-%06d", iterationsDone);
            Path folder = directory.resolve(name);
            deleteRecursively(folder);
            Files.createDirectories(folder);
            model.write(folder);
            MetricsCsv.write(history, folder.resolve(METRICS));
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("algorithm", algorithm);
            index.put("iterationsDone", iterationsDone);
            index.put("rho", Json.number(rho));
            index.put("nu", Json.number(nu));
            index.put("bytesSent", bytesSent);
            index.put("folder", name);
            index.put("settings", settings);
            Path temporary = directory.resolve(INDEX + ".tmp");
            Json.write(index, temporary);
            Files.move(temporary, directory.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            try (Stream<Path> old = Files.list(directory)) {
                for (Path p : old.filter(p -> Files.isDirectory(p) && p.getFileName().toString()
                        .startsWith("iteration-") && !p.getFileName().toString().equals(name)).toList()) {
                    deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code checkpoint.json}. */
    @SuppressWarnings("unchecked")
    State load() throws IOException {
        Map<String, Object> index = Json.readObject(directory.resolve(INDEX));
        try {
            return new State((String) index.get("algorithm"), ((Number) index.get("iterationsDone")).intValue(),
                    Json.toDouble(index.get("rho")), Json.toDouble(index.get("nu")),
                    ((Number) index.get("bytesSent")).longValue(), (Map<String, Object>) index.get("settings"),
                    (String) index.get("folder"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(directory.resolve(INDEX) + " is not a checkpoint index of this version", e);
        }
    }

    /** The folder of the model files of {@code state}. */
    Path folder(State state) {
        return directory.resolve(state.folder());
    }

    /** The history saved with {@code state}. */
    List<IterationRecord> history(State state) throws IOException {
        return MetricsCsv.read(folder(state).resolve(METRICS));
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
