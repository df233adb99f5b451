package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.quant.QuantizationGrid;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * {@link Nd4j#write(INDArray, DataOutputStream) Nd4j binary} file per array. A checkpoint is written into a hidden
 * temporary directory, every file is forced to disk, and the directory is then renamed into place with
 * {@link StandardCopyOption#ATOMIC_MOVE}: a crash or an exception mid-save leaves the earlier checkpoints as they
 * were, and every {@code checkpoint-*} directory that exists is complete. Older checkpoints beyond {@code keep} are
 * deleted only after the new one is in place. One writer per checkpoint root: a save removes the temporary
 * directories that interrupted saves left there.
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
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        EngineState state = engine.exportState();
        Files.createDirectories(root);
        removeLeftovers(root);
        String name = String.format(Locale.ROOT, "checkpoint-%09d", state.iteration);
        Path target = root.resolve(name);
        Path temporary = root.resolve(TEMPORARY_PREFIX + name + "-" + System.nanoTime());
        try {
            Files.createDirectory(temporary);
            writeContents(engine, state, temporary);
            force(temporary);
            moveIntoPlace(temporary, target, root);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temporary);
            throw e;
        }
        force(root);
        prune(root, keep);
        log.debug("pdADMM-G checkpoint of iteration {} written to {}", state.iteration, target);
        return target;
    }

    /** The newest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) throws IOException {
        List<Path> all = list(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The complete checkpoints under {@code root}, oldest first (empty if {@code root} does not exist). */
    public static List<Path> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
                    .sorted(Comparator.comparingInt(PdAdmmCheckpoint::iterationOf))
                    .toList();
        }
    }

    /**
     * Reads a checkpoint's manifest and configuration.
     *
     * @param checkpoint a checkpoint directory, or a root of checkpoints (the newest is read)
     * @throws NoSuchFileException if there is no checkpoint there
     */
    public static Info info(Path checkpoint) throws IOException {
        Path directory = resolve(checkpoint);
        Map<?, ?> manifest = readManifest(directory);
        return new Info(directory, ((Number) manifest.get("iteration")).intValue(), real(manifest.get("rho")),
                real(manifest.get("nu")), ((Number) manifest.get("bytesSent")).longValue(), readConfig(directory),
                architecture(manifest));
    }

    /**
     * An engine continuing the checkpointed run (see {@link PdAdmmEngine#resume(Path, INDArray, INDArray, Function)}).
     *
     * @throws IllegalArgumentException if the data are not those of the checkpointed run
     */
    public static PdAdmmEngine resume(Path checkpoint, INDArray features, INDArray labels,
                                      Function<TensorCodec, Channel> transport) throws IOException {
        Path directory = resolve(checkpoint);
        Map<?, ?> manifest = readManifest(directory);
        PdAdmmConfig config = readConfig(directory);
        MlpArchitecture architecture = architecture(manifest);
        List<?> blocks = (List<?>) manifest.get("blocks");
        EngineState state = new EngineState();
        state.iteration = ((Number) manifest.get("iteration")).intValue();
        state.nu = real(manifest.get("nu"));
        state.rho = real(manifest.get("rho"));
        state.bestScheduleLoss = real(manifest.get("bestScheduleLoss"));
        state.sinceImprovement = ((Number) manifest.get("sinceImprovement")).intValue();
        state.bytesSent = ((Number) manifest.get("bytesSent")).longValue();
        Object codecStates = manifest.get("codecStates");
        for (Object end : codecStates == null ? List.of() : (List<?>) codecStates) {
            state.codecStates.put((String) end, Files.readAllBytes(directory.resolve(codecFile((String) end))));
        }
        List<?> grids = (List<?>) manifest.get("grids");
        state.grids = new QuantizationGrid[grids.size()];
        for (int l = 0; l < grids.size(); l++) {
            state.grids[l] = grids.get(l) == null ? null : grid((Map<?, ?>) grids.get(l));
        }
        for (Object entry : blocks) {
            Map<?, ?> block = (Map<?, ?>) entry;
            int layer = ((Number) block.get("layer")).intValue();
            Map<String, INDArray> arrays = new LinkedHashMap<>();
            for (Object variable : (List<?>) block.get("arrays")) {
                arrays.put((String) variable, readArray(directory.resolve(arrayFile(layer, (String) variable))));
            }
            Map<String, Double> scalars = new LinkedHashMap<>();
            ((Map<?, ?>) block.get("scalars")).forEach((k, v) -> scalars.put((String) k, real(v)));
            state.blockArrays.add(arrays);
            state.blockScalars.add(scalars);
        }
        List<INDArray> weights = state.blockArrays.stream().map(a -> a.get("W")).toList();
        List<INDArray> biases = state.blockArrays.stream().map(a -> a.get("b")).toList();
        int firstLayer = manifest.get("firstLayer") == null ? 1 : ((Number) manifest.get("firstLayer")).intValue();
        int lastLayer = manifest.get("lastLayer") == null ? architecture.layers()
                : ((Number) manifest.get("lastLayer")).intValue();
        // built without the initial forward pass: nothing crosses the channel before the saved state is in place
        PdAdmmEngine engine = new PdAdmmEngine(architecture, config, features, labels, weights, biases, transport,
                firstLayer, lastLayer, true);
        try {
            checkFingerprint((Map<?, ?>) manifest.get("data"), fingerprint(engine.exportState()), directory);
            engine.importState(state);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    // ---- writing ----

    private static void writeContents(PdAdmmEngine engine, EngineState state, Path directory) throws IOException {
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
        manifest.put("data", fingerprint(state));
        List<Object> grids = new ArrayList<>();
        for (QuantizationGrid g : state.grids) {
            grids.add(g == null ? null : Map.of("kind", g.kind().name(), "values",
                    java.util.Arrays.stream(g.values()).mapToObj(Double::toString).toList()));
        }
        manifest.put("grids", grids);
        List<Object> blocks = new ArrayList<>();
        for (int i = 0; i < state.blockArrays.size(); i++) {
            int layer = engine.firstLayer() + i;
            Map<String, INDArray> arrays = state.blockArrays.get(i);
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                writeArray(directory.resolve(arrayFile(layer, e.getKey())), e.getValue());
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
            writeBytes(directory.resolve(codecFile(e.getKey())), e.getValue());
        }
        manifest.put("codecStates", new ArrayList<>(state.codecStates.keySet()));
        writeText(directory.resolve(CONFIG), engine.config().toJson());
        // the manifest last: a directory without one is never taken for a checkpoint
        writeText(directory.resolve(MANIFEST), JSON.writeValueAsString(manifest));
    }

    private static void writeArray(Path file, INDArray array) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Channels.newOutputStream(channel), 1 << 16));
            Nd4j.write(array, out);
            out.flush();
            channel.force(true);
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            out.write(bytes);
            out.flush();
            channel.force(true);
        }
    }

    /** Renames the finished temporary directory to its final name; an existing one of that name is replaced. */
    private static void moveIntoPlace(Path temporary, Path target, Path root) throws IOException {
        Path retired = null;
        if (Files.exists(target)) {
            retired = root.resolve(RETIRED_PREFIX + target.getFileName() + "-" + System.nanoTime());
            atomicMove(target, retired);
        }
        try {
            atomicMove(temporary, target);
        } catch (IOException e) {
            if (retired != null) {
                atomicMove(retired, target);
            }
            throw e;
        }
        if (retired != null) {
            deleteRecursively(retired);
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

    /** Forces a directory's entries to disk, where the platform allows it. */
    private static void force(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.trace("cannot force directory {} to disk: {}", directory, e.toString());
        }
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - keep; i++) {
            Path retired = root.resolve(RETIRED_PREFIX + all.get(i).getFileName() + "-" + System.nanoTime());
            atomicMove(all.get(i), retired);
            deleteRecursively(retired);
        }
    }

    /** Deletes the temporary directories that interrupted saves left behind. */
    private static void removeLeftovers(Path root) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (name.startsWith(TEMPORARY_PREFIX + "checkpoint-") || name.startsWith(RETIRED_PREFIX + "checkpoint-")) {
                    deleteRecursively(child);
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

    private static Map<?, ?> readManifest(Path directory) throws IOException {
        Map<?, ?> manifest = JSON.readValue(Files.readString(directory.resolve(MANIFEST)), Map.class);
        if (!FORMAT.equals(manifest.get("format"))) {
            throw new IOException(directory + " holds a checkpoint of format " + manifest.get("format")
                    + ", this version reads " + FORMAT);
        }
        return manifest;
    }

    private static PdAdmmConfig readConfig(Path directory) throws IOException {
        return PdAdmmConfig.fromJson(Files.readString(directory.resolve(CONFIG)));
    }

    private static INDArray readArray(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return Nd4j.read(new DataInputStream(in));
        }
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

    /** The iteration in a checkpoint directory's name ({@code checkpoint-<iteration>}), or -1 if it is not one. */
    public static int iterationOf(Path checkpoint) {
        Matcher m = CHECKPOINT_NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String arrayFile(int layer, String variable) {
        return "layer" + layer + "-" + variable + ".nd4j";
    }

    private static String codecFile(String linkEnd) {
        return "codec-" + linkEnd + ".bin";
    }

    // ---- data fingerprint: resuming on other data would silently give a different run ----

    private static Map<String, Object> fingerprint(EngineState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", state.features.rows());
        m.put("featureColumns", state.features.columns());
        m.put("labelColumns", state.labels.columns());
        m.put("featureSum", Double.toString(state.features.castTo(DataType.DOUBLE).sumNumber().doubleValue()));
        m.put("featureNorm", Double.toString(state.features.castTo(DataType.DOUBLE).norm2Number().doubleValue()));
        m.put("labelSum", Double.toString(weightedLabelSum(state.labels)));
        return m;
    }

    /** {@code sum_ij (j + 1) Y_ij}: tells apart label matrices with the same total, e.g. a shuffled one-hot. */
    private static double weightedLabelSum(INDArray labels) {
        INDArray positions = Nd4j.linspace(1, labels.columns(), labels.columns(), DataType.DOUBLE)
                .reshape(labels.columns(), 1);
        return labels.castTo(DataType.DOUBLE).mmul(positions).sumNumber().doubleValue();
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
