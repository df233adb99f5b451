package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.io.CorruptCheckpointException;
import io.github.dl4jadmm.io.DurableFiles;
import io.github.dl4jadmm.io.FileDigest;
import io.github.dl4jadmm.io.Nd4jBinary;
import io.github.dl4jadmm.io.SaveStep;
import io.github.dl4jadmm.io.SealedJson;
import io.github.dl4jadmm.quant.QuantizationGrid;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe checkpoints of a whole pdADMM-G run: every block's variables (both copies of each dual, the received
 * neighbour tensors, the curvature warm-start vectors), {@code nu}, {@code rho}, the iteration counter, the state of
 * the rho schedule, the quantisation grids and the configuration JSON. Resuming gives the same iterates as a run
 * that was never interrupted.
 *
 * <p>Layout: a checkpoint root holds one directory per checkpoint, {@code checkpoint-<iteration>}, each with
 * {@code manifest.json} (scalars, architecture, data fingerprint, grids), {@code config.json} and one
 * {@link Nd4j#write(INDArray, DataOutputStream) Nd4j binary} file per array (written and read by {@link Nd4jBinary},
 * a megabyte at a time; {@code Nd4j.read} reads them too). A checkpoint is written into a hidden
 * temporary directory, every file is forced to disk, and the directory is then renamed into place with
 * {@link StandardCopyOption#ATOMIC_MOVE}: a crash or an exception mid-save leaves the earlier checkpoints as they
 * were, and every {@code checkpoint-*} directory that exists is complete. A checkpoint of an iteration that is saved
 * again is moved aside ({@code .replaced-checkpoint-<iteration>-*}), not deleted, until the new one is in place: a
 * crash between the two renames leaves it there, {@link #list} still offers it, and the next save renames it back.
 * Older checkpoints beyond {@code keep} are deleted only after the new one is in place (never the new one, even
 * when the root holds checkpoints of later iterations). One writer per checkpoint root: a save removes the temporary
 * directories that interrupted saves left there.
 *
 * <p>Integrity: the manifest records the size and CRC32C of every other file ({@link FileDigest}) and carries its
 * own CRC32C ({@link SealedJson}); loading checks them, so a truncated file, a flipped bit or a garbled manifest
 * fails with a {@link CorruptCheckpointException} naming the file and what is wrong, and naming the older checkpoint
 * to resume from where one is kept, instead of resuming to a different run. Loading never falls back to an older
 * checkpoint on its own. Checkpoints of versions without checksums still load, with a warning that they are
 * unverified.
 *
 * <pre>{@code
 * Path saved = engine.saveCheckpoint(root);                    // e.g. root/checkpoint-000000010
 * PdAdmmEngine resumed = PdAdmmEngine.resume(root, x, y);      // the newest checkpoint under root
 * }</pre>
 *
 * <p>DELTA-coded transfers keep state in the channel's link encoders and decoders (the last reconstruction of each
 * link and each encoder's random generator): it is saved as one {@code codec-<link end>.bin} file per link end
 * ({@link Channel#codecStates()}) and put back into the resumed engine's channel. A resumed engine's channel counts
 * bytes afresh; the bytes sent before the checkpoint are in {@link Info#bytesSent()}.
 */
public final class PdAdmmCheckpoint {

    /** Format tag written into every manifest. */
    public static final String FORMAT = "dl4j-admm-pdadmm-checkpoint/1";
    /** Name of the manifest file inside a checkpoint directory. */
    public static final String MANIFEST = "manifest.json";
    /** Name of the configuration file inside a checkpoint directory. */
    public static final String CONFIG = "config.json";
    /** How many checkpoints {@link #save(PdAdmmEngine, Path)} keeps. */
    public static final int DEFAULT_KEEP = 2;

    private static final Logger log = LoggerFactory.getLogger(PdAdmmCheckpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String TEMPORARY_PREFIX = ".tmp-";
    private static final String RETIRED_PREFIX = ".old-";
    private static final String REPLACED_PREFIX = ".replaced-";
    /** A checkpoint moved aside by a save of the same iteration: {@code .replaced-checkpoint-<iteration>-<nanos>}. */
    private static final Pattern REPLACED_NAME = Pattern.compile("\\.replaced-(checkpoint-(\\d+))-\\d+");
    /** The manifest's map from file name to {@link FileDigest}. */
    private static final String FILES = "files";
    /** Checkpoints without checksums already warned about, so that the warning comes once per checkpoint. */
    private static final Set<Path> WARNED_UNVERIFIED = ConcurrentHashMap.newKeySet();

    private PdAdmmCheckpoint() {
    }

    /**
     * What a checkpoint says about itself, read from its manifest without loading any array.
     *
     * @param directory  the checkpoint's directory
     * @param iteration  iterations completed when it was written
     * @param rho        penalty at that point
     * @param nu         relaxation weight at that point
     * @param bytesSent  bytes the engine's channel had sent until then
     * @param config     the run's configuration
     * @param architecture the network
     */
    public record Info(Path directory, int iteration, double rho, double nu, long bytesSent, PdAdmmConfig config,
                       MlpArchitecture architecture) {
    }

    /** Saves {@code engine} under {@code root}, keeping the {@value #DEFAULT_KEEP} newest checkpoints. */
    public static Path save(PdAdmmEngine engine, Path root) throws IOException {
        return save(engine, root, DEFAULT_KEEP);
    }

    /**
     * Saves the engine's whole state as {@code root/checkpoint-<iteration>}.
     *
     * @param keep how many checkpoints to keep under {@code root} (the new one included), at least 1
     * @return the new checkpoint's directory
     * @throws IOException if writing fails; nothing under {@code root} changes then, except a leftover temporary
     *                     directory that the next save removes
     */
    public static Path save(PdAdmmEngine engine, Path root, int keep) throws IOException {
        return save(engine, root, keep, SaveStep.NONE);
    }

    /** As {@link #save(PdAdmmEngine, Path, int)}, telling {@code steps} after every write, rename and delete. */
    static Path save(PdAdmmEngine engine, Path root, int keep, SaveStep steps) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        EngineState state = engine.exportState();
        Files.createDirectories(root);
        cleanUp(root);
        String name = String.format(Locale.ROOT, "checkpoint-%09d", state.iteration);
        Path target = root.resolve(name);
        Path temporary = root.resolve(TEMPORARY_PREFIX + name + "-" + System.nanoTime());
        try {
            Files.createDirectory(temporary);
            steps.reached("created " + temporary.getFileName());
            writeContents(engine, state, temporary, steps);
            DurableFiles.forceDirectory(temporary);
            moveIntoPlace(temporary, target, root, steps);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temporary);
            throw e;
        }
        prune(root, keep, target, steps);
        log.debug("pdADMM-G checkpoint of iteration {} written to {}", state.iteration, target);
        return target;
    }

    /** The newest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) throws IOException {
        List<Path> all = list(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The complete checkpoints under {@code root}, oldest first (empty if {@code root} does not exist). A checkpoint
     * that a save of the same iteration moved aside and did not replace (it crashed in between) is among them, under
     * its {@code .replaced-} name, until the next save renames it back.
     */
    public static List<Path> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        TreeMap<Integer, Path> byIteration = new TreeMap<>();
        List<Path> replaced = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.sorted().toList()) {
                if (!Files.isRegularFile(child.resolve(MANIFEST))) {
                    continue;
                }
                String name = child.getFileName().toString();
                if (CHECKPOINT_NAME.matcher(name).matches()) {
                    byIteration.put(iterationOf(child), child);
                } else if (REPLACED_NAME.matcher(name).matches()) {
                    replaced.add(child);
                }
            }
        }
        for (Path child : replaced) {
            byIteration.putIfAbsent(iterationOf(child), child);
        }
        return List.copyOf(byIteration.values());
    }

    /**
     * Reads a checkpoint's manifest and configuration, checking their checksums.
     *
     * @param checkpoint a checkpoint directory, or a root of checkpoints (the newest is read)
     * @throws NoSuchFileException        if there is no checkpoint there
     * @throws CorruptCheckpointException if the manifest or the configuration is damaged
     */
    public static Info info(Path checkpoint) throws IOException {
        Path directory = resolve(checkpoint);
        Map<?, ?> manifest = readManifest(directory);
        Map<String, FileDigest> digests = digests(directory, manifest);
        PdAdmmConfig config = readConfig(directory, digests);
        try {
            return new Info(directory, ((Number) manifest.get("iteration")).intValue(), real(manifest.get("rho")),
                    real(manifest.get("nu")), ((Number) manifest.get("bytesSent")).longValue(), config,
                    architecture(manifest));
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw malformedManifest(directory, e);
        }
    }

    /**
     * An engine continuing the checkpointed run (see {@link PdAdmmEngine#resume(Path, INDArray, INDArray, Function)}).
     * Every file is checked against the size and CRC32C its manifest recorded before it is read.
     *
     * @throws IllegalArgumentException   if the data are not those of the checkpointed run
     * @throws CorruptCheckpointException if a file of the checkpoint is damaged
     */
    public static PdAdmmEngine resume(Path checkpoint, INDArray features, INDArray labels,
                                      Function<TensorCodec, Channel> transport) throws IOException {
        if (features == null || labels == null) {
            throw new IllegalArgumentException("give the training features and labels of the checkpointed run");
        }
        Path directory = resolve(checkpoint);
        Map<?, ?> manifest = readManifest(directory);
        Map<String, FileDigest> digests = digests(directory, manifest);
        PdAdmmConfig config = readConfig(directory, digests);
        MlpArchitecture architecture;
        EngineState state = new EngineState();
        List<String> codecEnds = new ArrayList<>();
        List<Integer> layers = new ArrayList<>();
        List<List<String>> variables = new ArrayList<>();
        int firstLayer;
        int lastLayer;
        Map<?, ?> data;
        try {
            architecture = architecture(manifest);
            state.iteration = ((Number) manifest.get("iteration")).intValue();
            state.nu = real(manifest.get("nu"));
            state.rho = real(manifest.get("rho"));
            state.bestScheduleLoss = real(manifest.get("bestScheduleLoss"));
            state.sinceImprovement = ((Number) manifest.get("sinceImprovement")).intValue();
            state.bytesSent = ((Number) manifest.get("bytesSent")).longValue();
            Object codecStates = manifest.get("codecStates");
            for (Object end : codecStates == null ? List.of() : (List<?>) codecStates) {
                codecEnds.add((String) end);
            }
            List<?> grids = (List<?>) manifest.get("grids");
            state.grids = new QuantizationGrid[grids.size()];
            for (int l = 0; l < grids.size(); l++) {
                state.grids[l] = grids.get(l) == null ? null : grid((Map<?, ?>) grids.get(l));
            }
            for (Object entry : (List<?>) manifest.get("blocks")) {
                Map<?, ?> block = (Map<?, ?>) entry;
                layers.add(((Number) block.get("layer")).intValue());
                variables.add(((List<?>) block.get("arrays")).stream().map(v -> (String) v).toList());
                Map<String, Double> scalars = new LinkedHashMap<>();
                ((Map<?, ?>) block.get("scalars")).forEach((k, v) -> scalars.put((String) k, real(v)));
                state.blockScalars.add(scalars);
            }
            firstLayer = manifest.get("firstLayer") == null ? 1 : ((Number) manifest.get("firstLayer")).intValue();
            lastLayer = manifest.get("lastLayer") == null ? architecture.layers()
                    : ((Number) manifest.get("lastLayer")).intValue();
            data = (Map<?, ?>) manifest.get("data");
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw malformedManifest(directory, e);
        }
        // before any array is read: resuming on other data is refused at once
        checkFingerprint(data, fingerprint(features, labels, config.dataType()), directory);
        for (String end : codecEnds) {
            state.codecStates.put(end, readVerified(directory, codecFile(end), digests));
        }
        for (int i = 0; i < layers.size(); i++) {
            Map<String, INDArray> arrays = new LinkedHashMap<>();
            for (String variable : variables.get(i)) {
                arrays.put(variable, readArray(directory, arrayFile(layers.get(i), variable), digests));
            }
            state.blockArrays.add(arrays);
        }
        // the blocks take over the arrays just read; nothing crosses the channel before the saved state is in place
        return new PdAdmmEngine(architecture, config, features, labels, state, transport, firstLayer, lastLayer);
    }

    // ---- writing ----

    private static void writeContents(PdAdmmEngine engine, EngineState state, Path directory, SaveStep steps)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", FORMAT);
        manifest.put("iteration", state.iteration);
        manifest.put("nu", Double.toString(state.nu));
        manifest.put("rho", Double.toString(state.rho));
        manifest.put("bestScheduleLoss", Double.toString(state.bestScheduleLoss));
        manifest.put("sinceImprovement", state.sinceImprovement);
        manifest.put("bytesSent", state.bytesSent);
        MlpArchitecture a = engine.architecture();
        Map<String, Object> architecture = new LinkedHashMap<>();
        architecture.put("widths", a.widths());
        architecture.put("activation", a.activation().kind().name());
        architecture.put("alpha", Double.toString(a.activation().alpha()));
        architecture.put("risk", a.risk().name());
        manifest.put("architecture", architecture);
        manifest.put("firstLayer", engine.firstLayer());
        manifest.put("lastLayer", engine.lastLayer());
        manifest.put("data", fingerprint(state.features, state.labels, state.features.dataType()));
        List<Object> grids = new ArrayList<>();
        for (QuantizationGrid g : state.grids) {
            grids.add(g == null ? null : Map.of("kind", g.kind().name(), "values",
                    java.util.Arrays.stream(g.values()).mapToObj(Double::toString).toList()));
        }
        manifest.put("grids", grids);
        Map<String, Object> files = new LinkedHashMap<>();
        List<Object> blocks = new ArrayList<>();
        for (int i = 0; i < state.blockArrays.size(); i++) {
            int layer = engine.firstLayer() + i;
            Map<String, INDArray> arrays = state.blockArrays.get(i);
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                String file = arrayFile(layer, e.getKey());
                files.put(file, writeArray(directory.resolve(file), e.getValue()).toJson());
                steps.reached("wrote " + file);
            }
            Map<String, String> scalars = new LinkedHashMap<>();
            state.blockScalars.get(i).forEach((k, v) -> scalars.put(k, Double.toString(v)));
            Map<String, Object> block = new LinkedHashMap<>();
            block.put("layer", layer);
            block.put("arrays", new ArrayList<>(arrays.keySet()));
            block.put("scalars", scalars);
            blocks.add(block);
        }
        manifest.put("blocks", blocks);
        for (Map.Entry<String, byte[]> e : state.codecStates.entrySet()) {
            writeFile(directory, codecFile(e.getKey()), e.getValue(), files, steps);
        }
        manifest.put("codecStates", new ArrayList<>(state.codecStates.keySet()));
        writeFile(directory, CONFIG, engine.config().toJson().getBytes(StandardCharsets.UTF_8), files, steps);
        manifest.put(FILES, files);
        // the checksum last: SealedJson replaces its placeholder by the CRC32C of the whole text
        manifest.put(SealedJson.FIELD, SealedJson.PLACEHOLDER);
        // the manifest last: a directory without one is never taken for a checkpoint
        byte[] sealed = SealedJson.seal(JSON.writeValueAsString(manifest)).getBytes(StandardCharsets.UTF_8);
        FileDigest.writeNew(directory.resolve(MANIFEST), out -> out.write(sealed));
        steps.reached("wrote " + MANIFEST);
    }

    private static FileDigest writeArray(Path file, INDArray array) throws IOException {
        return FileDigest.writeNew(file, out -> Nd4jBinary.write(array, out));
    }

    /** Writes {@code contents} as {@code name} durably and records its digest in {@code files}. */
    private static void writeFile(Path directory, String name, byte[] contents, Map<String, Object> files,
                                  SaveStep steps) throws IOException {
        files.put(name, FileDigest.writeNew(directory.resolve(name), out -> out.write(contents)).toJson());
        steps.reached("wrote " + name);
    }

    /**
     * Renames the finished temporary directory to its final name. An existing checkpoint of that name is moved aside
     * first and deleted only once the new one is in place; a crash in between leaves it under its
     * {@code .replaced-} name, where {@link #list} finds it and the next save renames it back.
     */
    private static void moveIntoPlace(Path temporary, Path target, Path root, SaveStep steps) throws IOException {
        Path replaced = null;
        if (Files.exists(target)) {
            replaced = root.resolve(REPLACED_PREFIX + target.getFileName() + "-" + System.nanoTime());
            atomicMove(target, replaced);
            DurableFiles.forceDirectory(root);
            steps.reached("moved " + target.getFileName() + " aside to " + replaced.getFileName());
        }
        try {
            atomicMove(temporary, target);
        } catch (IOException e) {
            if (replaced != null) {
                atomicMove(replaced, target);
            }
            throw e;
        }
        DurableFiles.forceDirectory(root);
        steps.reached("renamed " + temporary.getFileName() + " to " + target.getFileName());
        if (replaced != null) {
            deleteRecursively(replaced);
            steps.reached("deleted " + replaced.getFileName());
        }
    }

    private static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically, so "
                    + "checkpoints there would not be crash-safe; choose a local directory", e);
        }
    }

    /**
     * Deletes the oldest checkpoints but {@code kept} (the one just written) until {@code keep} are left. Each is
     * renamed to a hidden name first, so that a crash mid-delete never leaves a half-deleted {@code checkpoint-*}.
     */
    private static void prune(Path root, int keep, Path kept, SaveStep steps) throws IOException {
        List<Path> others = list(root).stream().filter(p -> !p.equals(kept)).toList();
        for (int i = 0; i < others.size() - (keep - 1); i++) {
            Path old = others.get(i);
            Path retired = root.resolve(RETIRED_PREFIX + old.getFileName() + "-" + System.nanoTime());
            atomicMove(old, retired);
            steps.reached("moved " + old.getFileName() + " to " + retired.getFileName());
            deleteRecursively(retired);
            steps.reached("deleted " + retired.getFileName());
        }
    }

    /**
     * Before a save: deletes the temporary and retired directories that interrupted saves left behind, and renames
     * a checkpoint that a crashed save moved aside back to its name (or deletes it, if its replacement is in place).
     */
    private static void cleanUp(Path root) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                Matcher replaced = REPLACED_NAME.matcher(name);
                if (name.startsWith(TEMPORARY_PREFIX + "checkpoint-")
                        || name.startsWith(RETIRED_PREFIX + "checkpoint-")) {
                    deleteRecursively(child);
                } else if (replaced.matches()) {
                    Path original = root.resolve(replaced.group(1));
                    if (Files.exists(original)) {
                        deleteRecursively(child);
                    } else {
                        atomicMove(child, original);
                        DurableFiles.forceDirectory(root);
                        log.warn("pdADMM-G: {} was moved aside by a save that did not finish; renamed it back to {}",
                                child, original.getFileName());
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete {}: {}", path, e.toString());
        }
    }

    // ---- reading ----

    private static Path resolve(Path checkpoint) throws IOException {
        if (Files.isRegularFile(checkpoint.resolve(MANIFEST))) {
            return checkpoint;
        }
        return latest(checkpoint).orElseThrow(() -> new NoSuchFileException(checkpoint.toString(), null,
                "no pdADMM-G checkpoint there (neither a " + MANIFEST + " nor a complete checkpoint-* directory)"));
    }

    /** The manifest, parsed, with its own checksum checked (where it has one: versions before had none). */
    private static Map<?, ?> readManifest(Path directory) throws IOException {
        String text;
        try {
            text = Files.readString(directory.resolve(MANIFEST));
        } catch (CharacterCodingException e) {
            throw damaged(directory, MANIFEST, "it is not UTF-8 text, so not a JSON manifest", e);
        }
        Map<?, ?> manifest;
        try {
            manifest = JSON.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw damaged(directory, MANIFEST, "it is not a JSON object (" + e.getOriginalMessage() + ")", e);
        }
        if (manifest == null) {
            throw damaged(directory, MANIFEST, "it is not a JSON object (it holds null)", null);
        }
        if (manifest.containsKey(SealedJson.FIELD) || manifest.containsKey(FILES)) {
            String problem = SealedJson.mismatch(text, manifest.get(SealedJson.FIELD));
            if (problem != null) {
                throw damaged(directory, MANIFEST, problem, null);
            }
        }
        if (!FORMAT.equals(manifest.get("format"))) {
            throw new IOException(directory + " holds a checkpoint of format " + manifest.get("format")
                    + ", this version reads " + FORMAT);
        }
        return manifest;
    }

    /**
     * The digests the manifest records, by file name; null for a checkpoint of a version before checksums, which is
     * read unverified (with a warning, once).
     */
    private static Map<String, FileDigest> digests(Path directory, Map<?, ?> manifest) throws IOException {
        Object files = manifest.get(FILES);
        if (files == null && !manifest.containsKey(SealedJson.FIELD)) {
            if (WARNED_UNVERIFIED.add(directory.toAbsolutePath().normalize())) {
                log.warn("pdADMM-G checkpoint {} was written by a version without checksums: it is read unverified",
                        directory);
            }
            return null;
        }
        Map<String, FileDigest> digests = new LinkedHashMap<>();
        try {
            ((Map<?, ?>) files).forEach((name, digest) -> digests.put((String) name, FileDigest.fromJson(digest)));
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw damaged(directory, MANIFEST, "it has no valid \"" + FILES + "\" map of file checksums ("
                    + e.getMessage() + ")", e);
        }
        return digests;
    }

    /** Checks {@code name} against its recorded digest (if the checkpoint has digests). */
    private static void verify(Path directory, String name, Map<String, FileDigest> digests) throws IOException {
        if (digests == null) {
            return;
        }
        FileDigest digest = digests.get(name);
        if (digest == null) {
            throw damaged(directory, MANIFEST, "it records no checksum for " + name, null);
        }
        String problem = digest.mismatch(directory.resolve(name));
        if (problem != null) {
            throw damaged(directory, name, problem, null);
        }
    }

    private static byte[] readVerified(Path directory, String name, Map<String, FileDigest> digests)
            throws IOException {
        verify(directory, name, digests);
        try {
            return Files.readAllBytes(directory.resolve(name));
        } catch (NoSuchFileException e) {
            throw damaged(directory, name, "it is missing", e);
        }
    }

    private static PdAdmmConfig readConfig(Path directory, Map<String, FileDigest> digests) throws IOException {
        byte[] json = readVerified(directory, CONFIG, digests);
        try {
            return PdAdmmConfig.fromJson(new String(json, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw damaged(directory, CONFIG, "it cannot be read as a pdADMM-G configuration (" + e.getMessage() + ")",
                    e);
        }
    }

    private static INDArray readArray(Path directory, String name, Map<String, FileDigest> digests)
            throws IOException {
        // checked before it is parsed: a garbled header could ask for any amount of memory
        verify(directory, name, digests);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(directory.resolve(name)), 1 << 16)) {
            return Nd4jBinary.read(in);
        } catch (NoSuchFileException e) {
            throw damaged(directory, name, "it is missing", e);
        } catch (IOException | RuntimeException e) {
            throw damaged(directory, name, "it cannot be read as an ND4J array (" + e + "); it is truncated or damaged",
                    e);
        }
    }

    private static CorruptCheckpointException malformedManifest(Path directory, RuntimeException e) {
        return damaged(directory, MANIFEST, "it lacks a field or has one of the wrong type (" + e + ")", e);
    }

    /**
     * The error for a damaged file of the checkpoint in {@code directory}: the file, what is wrong with it, and what
     * to do, naming the newest older checkpoint next to it if one is kept (it is not taken on its own: a run that
     * silently went back some iterations would not be the run the user asked for).
     */
    private static CorruptCheckpointException damaged(Path directory, String name, String problem, Throwable cause) {
        Path file = directory.resolve(name);
        Path root = directory.toAbsolutePath().getParent();
        Path older = null;
        try {
            int iteration = iterationOf(directory);
            for (Path p : root == null ? List.<Path>of() : list(root)) {
                if (iterationOf(p) < iteration && !p.toAbsolutePath().equals(directory.toAbsolutePath())) {
                    older = p;
                }
            }
        } catch (IOException e) {
            // no advice about older checkpoints then; the damage itself is what the message is about
        }
        String advice = older != null
                ? "The older checkpoint " + older + " is kept: resume from that directory, or move " + directory
                + " out of " + root + " so that the older one is the newest."
                : "No older checkpoint is kept" + (root == null ? "" : " under " + root) + ": start the run afresh, "
                + "in an empty checkpoint directory.";
        return new CorruptCheckpointException(file, problem, advice, cause);
    }

    private static MlpArchitecture architecture(Map<?, ?> manifest) {
        Map<?, ?> a = (Map<?, ?>) manifest.get("architecture");
        int[] widths = ((List<?>) a.get("widths")).stream().mapToInt(w -> ((Number) w).intValue()).toArray();
        HiddenActivation activation = new HiddenActivation(
                HiddenActivation.Kind.valueOf((String) a.get("activation")), real(a.get("alpha")));
        return new MlpArchitecture(widths, activation, OutputRisk.valueOf((String) a.get("risk")));
    }

    private static QuantizationGrid grid(Map<?, ?> saved) {
        double[] values = ((List<?>) saved.get("values")).stream().mapToDouble(PdAdmmCheckpoint::real).toArray();
        QuantizationGrid.Kind kind = QuantizationGrid.Kind.valueOf((String) saved.get("kind"));
        QuantizationGrid grid = switch (kind) {
            case UNIFORM -> QuantizationGrid.uniform(Integer.numberOfTrailingZeros(values.length),
                    values[0], values[values.length - 1]);
            case INTEGER -> QuantizationGrid.integers((int) values[0], (int) values[values.length - 1]);
            case EXPLICIT -> QuantizationGrid.of(values);
        };
        if (!java.util.Arrays.equals(grid.values(), values)) {
            // a grid that its describing parameters do not reproduce exactly travels as an explicit one
            grid = QuantizationGrid.of(values);
        }
        return grid;
    }

    private static double real(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value));
    }

    /**
     * The iteration in a checkpoint directory's name ({@code checkpoint-<iteration>}, or the {@code .replaced-} name
     * that {@link #list} may give), or -1 if it is not one.
     */
    public static int iterationOf(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        Matcher m = CHECKPOINT_NAME.matcher(name);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        Matcher replaced = REPLACED_NAME.matcher(name);
        return replaced.matches() ? Integer.parseInt(replaced.group(2)) : -1;
    }

    private static String arrayFile(int layer, String variable) {
        return "layer" + layer + "-" + variable + ".nd4j";
    }

    private static String codecFile(String linkEnd) {
        return "codec-" + linkEnd + ".bin";
    }

    // ---- data fingerprint: resuming on other data would silently give a different run ----

    /** Elements per chunk of the fingerprint's sums: 8 MB of doubles at a time. */
    private static final long FINGERPRINT_CHUNK = 1 << 20;

    /**
     * The data's fingerprint: shapes, the sum and the Frobenius norm of the features and a weighted sum of the
     * labels, of the values as the engine holds them ({@code type}), summed in double precision.
     */
    private static Map<String, Object> fingerprint(INDArray features, INDArray labels, DataType type) {
        double[] sums = sumAndSquares(features, type);
        double[] labelSums = sumAndSquares(labels, type, weights(labels.columns()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", features.rows());
        m.put("featureColumns", features.columns());
        m.put("labelColumns", labels.columns());
        m.put("featureSum", Double.toString(sums[0]));
        m.put("featureNorm", Double.toString(Math.sqrt(sums[1])));
        m.put("labelSum", Double.toString(labelSums[0]));
        return m;
    }

    /** {@code 1, 2, .., columns} as a column: {@code sum_ij (j + 1) Y_ij} tells apart shuffled one-hot labels. */
    private static INDArray weights(long columns) {
        return Nd4j.linspace(1, columns, columns, DataType.DOUBLE).reshape(columns, 1);
    }

    private static double[] sumAndSquares(INDArray matrix, DataType type) {
        return sumAndSquares(matrix, type, null);
    }

    /**
     * {sum, sum of squares} of {@code matrix} (after casting to {@code type}; each row multiplied by
     * {@code columnWeights} first if given), in double precision, a chunk of rows at a time: a whole double copy of
     * the training features would take twice their memory (400 MB for 50,000 x 500 floats) on every save and resume.
     */
    private static double[] sumAndSquares(INDArray matrix, DataType type, INDArray columnWeights) {
        long rows = matrix.rows();
        long chunkRows = Math.max(1, FINGERPRINT_CHUNK / Math.max(1, matrix.columns()));
        double sum = 0;
        double squares = 0;
        for (long from = 0; from < rows; from += chunkRows) {
            INDArray chunk = matrix.get(NDArrayIndex.interval(from, Math.min(rows, from + chunkRows)),
                    NDArrayIndex.all()).castTo(type).castTo(DataType.DOUBLE);
            if (columnWeights != null) {
                chunk = chunk.mmul(columnWeights);
            }
            sum += chunk.sumNumber().doubleValue();
            double norm = chunk.norm2Number().doubleValue();
            squares += norm * norm;
        }
        return new double[] {sum, squares};
    }

    private static void checkFingerprint(Map<?, ?> saved, Map<String, Object> actual, Path directory) {
        for (String key : List.of("rows", "featureColumns", "labelColumns")) {
            if (((Number) saved.get(key)).longValue() != ((Number) actual.get(key)).longValue()) {
                throw new IllegalArgumentException("the data do not match checkpoint " + directory + ": " + key
                        + " is " + actual.get(key) + " but the checkpointed run had " + saved.get(key));
            }
        }
        for (String key : List.of("featureSum", "featureNorm", "labelSum")) {
            double expected = real(saved.get(key));
            double got = real(actual.get(key));
            if (Math.abs(expected - got) > 1e-6 * Math.max(1, Math.abs(expected))) {
                throw new IllegalArgumentException("the data do not match checkpoint " + directory + ": " + key
                        + " is " + got + " but the checkpointed run had " + expected
                        + "; resume with the same training rows in the same order");
            }
        }
    }

    /** The engine's state as {@link PdAdmmEngine#exportState()} hands it over (live arrays). */
    static final class EngineState {
        int iteration;
        double nu;
        double rho;
        double bestScheduleLoss;
        int sinceImprovement;
        long bytesSent;
        QuantizationGrid[] grids;
        INDArray features;
        INDArray labels;
        final List<Map<String, INDArray>> blockArrays = new ArrayList<>();
        final List<Map<String, Double>> blockScalars = new ArrayList<>();
        /** The channel's link encoder and decoder states (delta coding), by link end. */
        final Map<String, byte[]> codecStates = new LinkedHashMap<>();
    }
}
