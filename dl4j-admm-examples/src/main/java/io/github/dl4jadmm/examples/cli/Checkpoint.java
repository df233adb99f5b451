package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.io.CorruptCheckpointException;
import io.github.dl4jadmm.io.DurableFiles;
import io.github.dl4jadmm.io.FileDigest;
import io.github.dl4jadmm.io.SaveStep;
import io.github.dl4jadmm.io.SealedJson;
import io.github.dl4jadmm.pdadmm.PdAdmmCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A checkpoint directory of {@code train}. A save never touches the current checkpoint until its replacement is
 * complete on disk:
 * <ol>
 *   <li>the model files and the metrics so far ({@code metrics.csv}) go into a hidden temporary folder, every file
 *       is forced to disk, and the folder is renamed to {@code iteration-NNNNNN/} (a name no folder has yet: a second
 *       save of the same iteration gets {@code iteration-NNNNNN-2/});</li>
 *   <li>{@code checkpoint.json} is written beside it as {@code checkpoint.json.tmp}, forced, and renamed over the old
 *       index: this one rename switches from the old checkpoint to the new;</li>
 *   <li>only then are the older folders deleted (each renamed to a hidden name first).</li>
 * </ol>
 * A kill at any point leaves {@code checkpoint.json} pointing at a complete folder; the next save deletes what the
 * killed one left behind.
 *
 * <p>Integrity: {@code checkpoint.json} records the size and CRC32C of every file of its folder and carries its own
 * CRC32C ({@link SealedJson}). The files of the engine's own checkpoint are covered by its manifest, which records
 * theirs ({@link PdAdmmCheckpoint}); the index records the manifest's. {@link #load} checks the index and every file
 * it lists, and a damaged one fails with a {@link CorruptCheckpointException} naming the file, what is wrong and what
 * to do.
 *
 * <p>What the model files are is the trainer's business: pdADMM-G writes {@code W_l.npy} and {@code b_l.npy} per
 * layer (readable with numpy) and the engine's whole state in {@code engine/} ({@code PdAdmmEngine.saveCheckpoint});
 * Adam writes DL4J's {@code model.zip} with the updater state.
 */
final class Checkpoint {

    static final String INDEX = "checkpoint.json";
    static final String METRICS = "metrics.csv";

    private static final String FOLDER_PREFIX = "iteration-";
    private static final String TEMPORARY_PREFIX = ".tmp-";
    private static final String RETIRED_PREFIX = ".old-";
    private static final String INDEX_TEMPORARY = INDEX + ".tmp";
    /** The index's map from a file's path in the folder ({@code /}-separated) to its {@link FileDigest}. */
    private static final String FILES = "files";

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
    private final SaveStep steps;

    Checkpoint(Path directory) {
        this(directory, SaveStep.NONE);
    }

    Checkpoint(Path directory, SaveStep steps) {
        this.directory = directory;
        this.steps = steps;
    }

    Path directory() {
        return directory;
    }

    /** Whether a checkpoint has been saved here. */
    boolean exists() {
        return Files.isRegularFile(directory.resolve(INDEX));
    }

    /** Whether the directory holds a checkpoint or a checkpoint folder: a save here would replace another run's. */
    boolean inUse() throws IOException {
        if (exists()) {
            return true;
        }
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString()
                    .startsWith(FOLDER_PREFIX));
        }
    }

    /**
     * Saves the model (through {@code model}) and the history, then makes this the current checkpoint.
     *
     * @throws UncheckedIOException if writing fails; the previous checkpoint is then still the current one
     */
    void save(String algorithm, int iterationsDone, double rho, double nu, long bytesSent,
              Map<String, Object> settings, List<IterationRecord> history, ModelWriter model) {
        Path temporary = null;
        try {
            Files.createDirectories(directory);
            cleanUp();
            String name = freeName(iterationsDone);
            temporary = directory.resolve(TEMPORARY_PREFIX + name);
            Files.createDirectory(temporary);
            steps.reached("created " + temporary.getFileName());
            model.write(temporary);
            steps.reached("wrote the model files");
            MetricsCsv.write(history, temporary.resolve(METRICS));
            steps.reached("wrote " + METRICS);
            Map<String, Object> files = digests(temporary);
            DurableFiles.forceTree(temporary);
            Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
            DurableFiles.forceDirectory(directory);
            steps.reached("renamed the folder to " + name);

            Map<String, Object> index = new LinkedHashMap<>();
            index.put("algorithm", algorithm);
            index.put("iterationsDone", iterationsDone);
            index.put("rho", Json.number(rho));
            index.put("nu", Json.number(nu));
            index.put("bytesSent", bytesSent);
            index.put("folder", name);
            index.put("settings", settings);
            index.put(FILES, files);
            index.put(SealedJson.FIELD, SealedJson.PLACEHOLDER);
            Path indexTemporary = directory.resolve(INDEX_TEMPORARY);
            Files.deleteIfExists(indexTemporary);
            byte[] sealed = SealedJson.seal(Json.write(index) + System.lineSeparator())
                    .getBytes(StandardCharsets.UTF_8);
            FileDigest.writeNew(indexTemporary, out -> out.write(sealed));
            steps.reached("wrote " + INDEX_TEMPORARY);
            Files.move(indexTemporary, directory.resolve(INDEX), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.forceDirectory(directory);
            steps.reached("renamed " + INDEX_TEMPORARY + " to " + INDEX);
            prune(name);
        } catch (IOException e) {
            if (temporary != null) {
                deleteQuietly(temporary);
            }
            throw new UncheckedIOException("cannot write a checkpoint to " + directory + ": "
                    + DurableFiles.reason(e) + (exists() ? "; the previous checkpoint there is kept" : ""), e);
        }
    }

    /**
     * Reads {@code checkpoint.json} and checks it and every file it lists (their sizes and CRC32Cs). A checkpoint
     * written before checksums existed has none to check and is read as it is.
     *
     * @throws CorruptCheckpointException if the index or a file of the checkpoint is damaged or missing
     */
    @SuppressWarnings("unchecked")
    State load() throws IOException {
        Path indexFile = directory.resolve(INDEX);
        String text;
        try {
            text = Files.readString(indexFile, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw damaged(indexFile, "it is not UTF-8 text, so not a checkpoint index", e);
        }
        Map<String, Object> index;
        try {
            index = Json.readObject(text);
        } catch (IllegalArgumentException e) {
            throw damaged(indexFile, "it is " + e.getMessage(), e);
        }
        if (index == null) {
            throw damaged(indexFile, "it is not a JSON object (it holds null)", null);
        }
        boolean sealed = index.containsKey(SealedJson.FIELD) || index.containsKey(FILES);
        if (sealed) {
            String problem = SealedJson.mismatch(text, index.get(SealedJson.FIELD));
            if (problem != null) {
                throw damaged(indexFile, problem, null);
            }
        }
        State state;
        Map<String, FileDigest> digests = new TreeMap<>();
        try {
            state = new State((String) index.get("algorithm"), ((Number) index.get("iterationsDone")).intValue(),
                    Json.toDouble(index.get("rho")), Json.toDouble(index.get("nu")),
                    ((Number) index.get("bytesSent")).longValue(), (Map<String, Object>) index.get("settings"),
                    (String) index.get("folder"));
            if (state.folder() == null || state.settings() == null || state.algorithm() == null) {
                throw new NullPointerException("algorithm, folder or settings is missing");
            }
            if (sealed) {
                ((Map<?, ?>) index.get(FILES)).forEach((file, digest) ->
                        digests.put((String) file, FileDigest.fromJson(digest)));
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw damaged(indexFile, "it lacks a field or has one of the wrong type (" + e.getMessage() + "), so it "
                    + "is not a checkpoint index of this version", e);
        }
        Path folder = folder(state);
        if (!Files.isDirectory(folder)) {
            throw damaged(folder, "the folder " + INDEX + " points at is missing", null);
        }
        for (Map.Entry<String, FileDigest> e : digests.entrySet()) {
            Path file = folder.resolve(e.getKey());
            String problem = e.getValue().mismatch(file);
            if (problem != null) {
                throw damaged(file, problem, null);
            }
        }
        return state;
    }

    /** The folder of the model files of {@code state}. */
    Path folder(State state) {
        return directory.resolve(state.folder());
    }

    /** The history saved with {@code state}. */
    List<IterationRecord> history(State state) throws IOException {
        return MetricsCsv.read(folder(state).resolve(METRICS));
    }

    /**
     * What to do about a damaged file of this checkpoint: the error to give the user, naming the file, what is wrong
     * with it and how to go on.
     */
    CorruptCheckpointException damaged(Path file, String problem, Throwable cause) {
        return new CorruptCheckpointException(file, problem, "The checkpoint in " + directory + " cannot be "
                + "resumed: start the run afresh there with --overwrite-checkpoints (the damaged checkpoint is "
                + "replaced once the new run's first checkpoint is saved), or in another --checkpoint-dir", cause);
    }

    /** The same damage, with this checkpoint's advice (for errors found by the engine's own checks). */
    CorruptCheckpointException damaged(CorruptCheckpointException e) {
        return damaged(e.file(), e.problem(), e);
    }

    // ---- saving ----

    /** {@code iteration-NNNNNN}, or with a suffix {@code -2}, {@code -3}, ... if a folder of that name exists. */
    private String freeName(int iterationsDone) {
        String base = String.format(Locale.ROOT, FOLDER_PREFIX + "%06d", iterationsDone);
        String name = base;
        for (int n = 2; Files.exists(directory.resolve(name)); n++) {
            name = base + "-" + n;
        }
        return name;
    }

    /**
     * The digests of the folder's files, by path. The files beside a pdADMM-G engine manifest are left to it: the
     * manifest records their digests, and the index records the manifest's.
     */
    private static Map<String, Object> digests(Path folder) throws IOException {
        Map<String, Object> files = new TreeMap<>();
        List<Path> all;
        try (Stream<Path> walk = Files.walk(folder)) {
            all = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : all) {
            boolean coveredByManifest = !file.getFileName().toString().equals(PdAdmmCheckpoint.MANIFEST)
                    && Files.isRegularFile(file.resolveSibling(PdAdmmCheckpoint.MANIFEST));
            if (!coveredByManifest) {
                String relative = folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(),
                        "/");
                files.put(relative, FileDigest.of(file).toJson());
            }
        }
        return files;
    }

    /** Deletes the temporary folders and index of saves that were killed, and folders a killed prune left. */
    private void cleanUp() throws IOException {
        Files.deleteIfExists(directory.resolve(INDEX_TEMPORARY));
        try (Stream<Path> children = Files.list(directory)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (name.startsWith(TEMPORARY_PREFIX + FOLDER_PREFIX)
                        || name.startsWith(RETIRED_PREFIX + FOLDER_PREFIX)) {
                    deleteRecursively(child);
                }
            }
        }
    }

    /** Deletes every checkpoint folder but {@code current}, each renamed to a hidden name first. */
    private void prune(String current) throws IOException {
        List<Path> old;
        try (Stream<Path> children = Files.list(directory)) {
            old = children.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith(FOLDER_PREFIX)
                    && !p.getFileName().toString().equals(current)).sorted().toList();
        }
        for (Path folder : old) {
            Path retired = directory.resolve(RETIRED_PREFIX + folder.getFileName());
            deleteRecursively(retired);
            Files.move(folder, retired, StandardCopyOption.ATOMIC_MOVE);
            steps.reached("moved " + folder.getFileName() + " to " + retired.getFileName());
            deleteRecursively(retired);
            steps.reached("deleted " + retired.getFileName());
        }
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

    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException | UncheckedIOException e) {
            // the next save removes it (cleanUp)
        }
    }
}
