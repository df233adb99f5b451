package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.download.BenchmarkSource.RawFile;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.ChecksumPolicy;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Downloads the public originals of the six benchmark graphs, verifies them, and converts them to the {@code .npy}
 * folder layout that {@link NpyGraphLoader} reads.
 *
 * <pre>{@code
 * Path dataDir = DataDirectories.resolve(dataDirOption);          // --data-dir, property, env, ~/.dl4j-admm/data
 * GraphDownloader.withDefaults().ensure(Benchmark.CORA, dataDir);  // dataDir/cora/ now exists and is verified
 * GraphDataset cora = NpyGraphLoader.loadBenchmark(Benchmark.CORA, dataDir);
 * }</pre>
 *
 * <p>{@link #ensure} works in the data directory:
 * <ul>
 *   <li>{@code <dataDir>/<name>/} is the converted folder. If it already holds a complete, checksum-clean copy (its
 *       {@code stats.json} lists every file with its sha256), nothing is downloaded: a second call is cheap, and a
 *       folder made by other means (the project's own data folder) is used as it is. A damaged folder that this
 *       downloader wrote is rebuilt; a damaged folder it did not write is left alone and reported.</li>
 *   <li>{@code <dataDir>/raw/<name>/} keeps the original files. Each is checked against the pinned size, sha256 or
 *       git blob id of its {@link BenchmarkSource}; a file put there by hand is used without downloading. The sha256
 *       of every accepted file is recorded in {@code SHA256SUMS} there (trust on first use), and later copies must
 *       match it, which makes the check full-strength even where only a short blob id is pinned.</li>
 *   <li>The conversion is written to a temporary folder, compared with the reference sha256 of the converted files
 *       recorded in the data READMEs (a correct conversion is byte-identical), loaded once with every checksum
 *       required, and only then moved into place, so an interrupted run never leaves a half-written folder.</li>
 * </ul>
 *
 * <p>Every failure is a {@link GraphDataException} naming the file or URL and what to do: no network, HTTP errors,
 * checksum mismatches and corrupt archives all say where to put a copy downloaded by hand. Concurrent calls for the
 * same data directory, from threads or processes, wait for each other through a lock file in the raw folder.
 */
public final class GraphDownloader {

    private static final Logger log = LoggerFactory.getLogger(GraphDownloader.class);
    /** Sub-folder of the data directory that keeps the original files. */
    public static final String RAW_FOLDER = "raw";
    /** File in each raw folder recording the sha256 of every accepted original file. */
    public static final String RECORDED_CHECKSUMS = "SHA256SUMS";
    private static final String LOCK_FILE = ".lock";
    private static final Map<Path, Object> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Map<Benchmark, BenchmarkSource> sources;
    private final HttpFetcher fetcher;
    private final DownloadListener listener;
    private final boolean offline;
    private final boolean verifyReference;
    private final long maxDownloadBytes;

    private GraphDownloader(Builder builder) {
        Map<Benchmark, BenchmarkSource> map = new EnumMap<>(Benchmark.class);
        for (Benchmark benchmark : Benchmark.values()) {
            BenchmarkSource custom = builder.sources.get(benchmark);
            BenchmarkSource pinned = BenchmarkSource.upstream(benchmark);
            map.put(benchmark, custom != null ? custom : builder.mirror != null ? pinned.withBaseUri(builder.mirror)
                    : pinned);
        }
        this.sources = map;
        this.listener = builder.listener;
        this.offline = builder.offline;
        this.verifyReference = builder.verifyReference;
        this.maxDownloadBytes = builder.maxDownloadBytes;
        this.fetcher = builder.offline ? null : new HttpFetcher(HttpClient.newBuilder()
                .connectTimeout(builder.connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build(),
                builder.requestTimeout, builder.maxAttempts, builder.retryBackoff, builder.listener);
    }

    /** A builder with the defaults: pinned upstream sources, 3 attempts per file, progress logged. */
    public static Builder builder() {
        return new Builder();
    }

    /** A downloader with the defaults of {@link #builder()}. */
    public static GraphDownloader withDefaults() {
        return builder().build();
    }

    /** The source {@code benchmark} is downloaded from. */
    public BenchmarkSource source(Benchmark benchmark) {
        return sources.get(benchmark);
    }

    /**
     * Makes sure {@code dataDir/<name>/} holds a verified copy of {@code benchmark}, downloading and converting the
     * originals if it does not, and returns that folder.
     *
     * @param benchmark which graph
     * @param dataDir   the data directory (created if missing)
     * @return the benchmark's folder, ready for {@link NpyGraphLoader}
     * @throws GraphDataException naming the file or URL if a download fails, a file does not match its checksum, an
     *                            archive is corrupt, or an existing folder not written by this downloader is damaged
     */
    public Path ensure(Benchmark benchmark, Path dataDir) throws GraphDataException {
        Objects.requireNonNull(benchmark, "benchmark");
        Path root = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        BenchmarkSource source = sources.get(benchmark);
        Path target = root.resolve(benchmark.folderName());
        FolderState state = inspect(target, source);
        if (state.valid()) {
            return target;
        }
        if (state.exists() && !state.ours()) {
            throw new GraphDataException(target, "the folder " + target + " exists but is not a complete copy of "
                    + benchmark.folderName() + ": " + state.problem() + ". It was not written by the downloader, so"
                    + " it is left alone: repair it, or move it away and run again to download the originals");
        }
        if (state.exists()) {
            log.warn("{} is damaged ({}); rebuilding it", target, state.problem());
        }
        Path rawDir = root.resolve(RAW_FOLDER).resolve(benchmark.folderName());
        try {
            Files.createDirectories(rawDir);
        } catch (IOException e) {
            throw new GraphDataException(rawDir, "cannot create the folder " + rawDir + ": " + e.getMessage(), e);
        }
        synchronized (IN_PROCESS_LOCKS.computeIfAbsent(rawDir, p -> new Object())) {
            try (FileChannel channel = FileChannel.open(rawDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                // another process may have finished the work while this one waited
                if (inspect(target, source).valid()) {
                    return target;
                }
                deleteStaleTemporaryFolders(target);
                Map<String, Checksums> raw = obtainRawFiles(source, rawDir);
                ConvertedGraph graph = convert(source, rawDir);
                install(graph, source, raw, rawDir, target);
                return target;
            } catch (GraphDataException e) {
                throw e;
            } catch (IOException e) {
                throw new GraphDataException(rawDir, "cannot prepare " + benchmark.folderName() + " in " + root + ": "
                        + e, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // raw files

    private Map<String, Checksums> obtainRawFiles(BenchmarkSource source, Path rawDir) throws IOException {
        Map<String, String> recorded = readRecorded(rawDir);
        Map<String, Checksums> accepted = new LinkedHashMap<>();
        for (RawFile file : source.files()) {
            accepted.put(file.name(), obtain(source, file, rawDir, recorded));
            writeRecorded(rawDir, recorded); // after each file, so that a later failure keeps what was accepted
        }
        return accepted;
    }

    private Checksums obtain(BenchmarkSource source, RawFile file, Path rawDir, Map<String, String> recorded)
            throws IOException {
        Path path = rawDir.resolve(file.name());
        URI uri = source.uri(file);
        if (Files.exists(path)) {
            Checksums checksums = Checksums.of(path);
            String problem = mismatch(checksums, file, recorded);
            if (problem == null) {
                recorded.put(file.name(), checksums.sha256());
                return checksums;
            }
            if (offline) {
                throw new GraphDataException(path, "the raw file " + path + " is not the original: " + problem
                        + ". Replace it with the file from " + uri + " (" + pinned(file) + ")");
            }
            Path bad = path.resolveSibling(file.name() + ".bad");
            Files.move(path, bad, StandardCopyOption.REPLACE_EXISTING);
            log.warn("{} is not the original ({}); moved it to {} and downloading it again", path, problem, bad);
        }
        if (offline) {
            throw new GraphDataException(path, "missing raw file " + path + ", and downloads are off: download " + uri
                    + " by hand into " + rawDir + " (" + pinned(file) + ") and run again");
        }
        Path part = rawDir.resolve(file.name() + ".part");
        long bytes;
        try {
            bytes = fetcher.fetch(uri, part, file.size(), file.size() >= 0 ? file.size() : maxDownloadBytes);
        } catch (HttpFetcher.FetchException e) {
            Files.deleteIfExists(part);
            String hint = e.status() == 404 || e.status() == 410 ? " The file is not at that address: check the"
                    + " base URL or mirror." : e.status() == 0 ? " Is the network reachable?" : "";
            throw new GraphDataException(path, "cannot download " + uri + ": " + e.getMessage() + "." + hint
                    + " You can also download it by hand into " + rawDir + " (" + pinned(file) + ") and run again",
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.deleteIfExists(part);
            throw new GraphDataException(path, "the download of " + uri + " was interrupted", e);
        }
        Checksums checksums = Checksums.of(part);
        String problem = mismatch(checksums, file, recorded);
        if (problem != null) {
            Files.deleteIfExists(part);
            throw new GraphDataException(path, "checksum mismatch for " + uri + ": " + problem + ". The download was"
                    + " deleted. The server sent another file than the pinned original: check the URL or mirror, or"
                    + " download the original by hand into " + rawDir + " and run again");
        }
        move(part, path);
        recorded.put(file.name(), checksums.sha256());
        listener.finished(uri, path, bytes);
        return checksums;
    }

    private static String mismatch(Checksums checksums, RawFile file, Map<String, String> recorded) {
        String problem = checksums.mismatch(file);
        String first = recorded.get(file.name());
        if (problem == null && first != null && !first.equals(checksums.sha256())) {
            problem = "its sha256 is " + checksums.sha256() + ", but " + first + " was recorded in "
                    + RECORDED_CHECKSUMS + " when it was first accepted";
        }
        return problem;
    }

    private static String pinned(RawFile file) {
        List<String> parts = new ArrayList<>();
        if (file.sha256() != null) {
            parts.add("sha256 " + file.sha256());
        }
        if (file.gitBlobSha1() != null) {
            parts.add("git blob " + file.gitBlobSha1() + (file.gitBlobSha1().length() < 40 ? "..." : ""));
        }
        if (file.size() >= 0) {
            parts.add(file.size() + " bytes");
        }
        return String.join(", ", parts);
    }

    private static Map<String, String> readRecorded(Path rawDir) throws IOException {
        Map<String, String> recorded = new TreeMap<>();
        Path file = rawDir.resolve(RECORDED_CHECKSUMS);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return recorded;
        }
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+\\*?", 2);
            if (parts.length == 2 && parts[0].matches("[0-9a-f]{64}")) {
                recorded.put(parts[1], parts[0]);
            } else if (!line.isBlank()) {
                throw new GraphDataException(file, "corrupt " + file + ": the line '" + line + "' is not"
                        + " '<sha256>  <file name>'; delete the file to record the checksums again");
            }
        }
        return recorded;
    }

    private static void writeRecorded(Path rawDir, Map<String, String> recorded) throws IOException {
        StringBuilder text = new StringBuilder();
        recorded.forEach((name, sha256) -> text.append(sha256).append("  ").append(name).append('\n'));
        Path temp = rawDir.resolve(RECORDED_CHECKSUMS + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        move(temp, rawDir.resolve(RECORDED_CHECKSUMS));
    }

    // ---------------------------------------------------------------------------------------------------------
    // conversion

    private static ConvertedGraph convert(BenchmarkSource source, Path rawDir) throws GraphDataException {
        ConvertedGraph graph = switch (source.format()) {
            case PLANETOID -> PlanetoidConverter.convert(rawDir, source);
            case GNN_BENCHMARK_NPZ -> GnnBenchmarkConverter.convert(rawDir.resolve(source.files().get(0).name()));
        };
        if (graph.numNodes() != source.numNodes() || graph.numFeatures() != source.numFeatures()
                || graph.numClasses() != source.numClasses()) {
            throw new GraphDataException(rawDir, "the files in " + rawDir + " give a graph of " + graph.numNodes()
                    + " nodes, " + graph.numFeatures() + " features and " + graph.numClasses() + " classes, but "
                    + source.benchmark().folderName() + " has " + source.numNodes() + ", " + source.numFeatures()
                    + " and " + source.numClasses() + "; they are not its original files. Delete " + rawDir
                    + " so that they are downloaded again");
        }
        return graph;
    }

    private void install(ConvertedGraph graph, BenchmarkSource source, Map<String, Checksums> raw, Path rawDir,
                         Path target) throws IOException {
        Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
        try {
            Map<String, BenchmarkFolderWriter.WrittenFile> written = BenchmarkFolderWriter.write(graph, temp,
                    provenance(source, raw));
            if (verifyReference) {
                checkReference(written, source, rawDir, target);
            }
            // the folder must load as it will be used: every file against stats.json, counts, split rules
            NpyGraphLoader.builder().checksums(ChecksumPolicy.REQUIRE).build().load(temp);
            if (Files.exists(target)) {
                deleteRecursively(target);
            }
            move(temp, target);
            log.info("converted {} into {}", source.benchmark().folderName(), target);
        } finally {
            if (Files.exists(temp)) {
                deleteRecursively(temp);
            }
        }
    }

    private static void checkReference(Map<String, BenchmarkFolderWriter.WrittenFile> written,
                                       BenchmarkSource source, Path rawDir, Path target) throws GraphDataException {
        List<String> problems = new ArrayList<>();
        source.sortedReference().forEach((name, expected) -> {
            BenchmarkFolderWriter.WrittenFile file = written.get(name);
            if (file == null) {
                problems.add(name + " was not written");
            } else if (!file.sha256().equals(expected)) {
                problems.add(name + " has sha256 " + file.sha256() + ", expected " + expected);
            }
        });
        if (!problems.isEmpty()) {
            throw new GraphDataException(target.resolve(problems.get(0).substring(0, problems.get(0).indexOf(' '))),
                    "the conversion of the files in " + rawDir + " differs from the reference checksums of "
                            + source.benchmark().folderName() + ": " + String.join("; ", problems) + ". The raw files"
                            + " passed their checks, so either the originals changed upstream or the converter has a"
                            + " bug; please report it. Nothing was written. To use the conversion anyway, build the"
                            + " downloader with verifyReference(false)");
        }
    }

    private static Map<String, Object> provenance(BenchmarkSource source, Map<String, Checksums> raw) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("format", source.format().name());
        provenance.put("conversion", source.format() == BenchmarkSource.Format.PLANETOID
                ? "PyTorch Geometric read_planetoid_data (public split)"
                : "PyTorch Geometric read_npz; train/val/test: numpy RandomState(0) recipe; pdadmm_*: pdADMM-G"
                + " split_dataset (torch seed 100)");
        List<Map<String, Object>> files = new ArrayList<>();
        for (RawFile file : source.files()) {
            Checksums checksums = raw.get(file.name());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", file.name());
            entry.put("url", source.uri(file).toString());
            entry.put("bytes", checksums.size());
            entry.put("sha256", checksums.sha256());
            entry.put("git_blob_sha1", checksums.gitBlobSha1());
            files.add(entry);
        }
        provenance.put("raw_files", files);
        provenance.put("reference_checked", new ArrayList<>(source.sortedReference().keySet()));
        return provenance;
    }

    // ---------------------------------------------------------------------------------------------------------
    // existing folders

    /** What is at a benchmark's folder: nothing, a valid copy, or a damaged one (ours or not). */
    private record FolderState(boolean exists, boolean ours, String problem) {
        boolean valid() {
            return exists && problem == null;
        }
    }

    private FolderState inspect(Path folder, BenchmarkSource source) throws GraphDataException {
        if (!Files.exists(folder)) {
            return new FolderState(false, false, "missing");
        }
        if (!Files.isDirectory(folder)) {
            return new FolderState(true, false, "it is not a directory");
        }
        Path statsFile = folder.resolve("stats.json");
        JsonNode stats;
        try {
            stats = new ObjectMapper().readTree(Files.readAllBytes(statsFile));
        } catch (NoSuchFileException e) {
            return new FolderState(true, false, "it has no stats.json listing its files and checksums");
        } catch (IOException e) {
            return new FolderState(true, false, "its stats.json cannot be read (" + e.getMessage() + ")");
        }
        boolean ours = stats != null && BenchmarkFolderWriter.WRITTEN_BY.equals(stats.path("source")
                .path("written_by").asText());
        if (stats == null || !stats.path("files").isObject()) {
            return new FolderState(true, ours, "its stats.json lists no files");
        }
        JsonNode files = stats.path("files");
        boolean partial = !files.has("features_indptr.npy") && files.has("features_partial_indptr.npy");
        List<String> required = new ArrayList<>(BenchmarkFolderWriter.requiredFiles(
                source.format() == BenchmarkSource.Format.GNN_BENCHMARK_NPZ && source.benchmark().hasPdadmmSplit()));
        if (partial) {
            required.replaceAll(name -> name.startsWith("features_") ? name.replace("features_", "features_partial_")
                    : name);
        }
        for (String name : required) {
            if (!files.has(name)) {
                return new FolderState(true, ours, "stats.json does not list " + name);
            }
        }
        String counts = checkCount(stats, "nodes", source.numNodes()) + checkCount(stats, "features",
                source.numFeatures()) + checkCount(stats, "classes", source.numClasses());
        if (!counts.isEmpty()) {
            return new FolderState(true, ours, "stats.json gives other counts than the benchmark's:" + counts);
        }
        var names = files.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            Path file = folder.resolve(name);
            JsonNode entry = files.get(name);
            try {
                if (!Files.isRegularFile(file)) {
                    return new FolderState(true, ours, name + " is missing");
                }
                if (entry.has("bytes") && entry.get("bytes").asLong() != Files.size(file)) {
                    return new FolderState(true, ours, name + " has " + Files.size(file) + " bytes, stats.json says "
                            + entry.get("bytes").asLong());
                }
                if (!Checksums.sha256(Files.readAllBytes(file)).equalsIgnoreCase(entry.path("sha256").asText())) {
                    return new FolderState(true, ours, name + " does not match its sha256 in stats.json");
                }
            } catch (IOException e) {
                return new FolderState(true, ours, name + " cannot be read (" + e.getMessage() + ")");
            }
        }
        if (partial) {
            log.warn("{} holds only partial features (features_partial_*.npy); move it away to download the complete"
                    + " originals", folder);
        }
        return new FolderState(true, ours, null);
    }

    private static String checkCount(JsonNode stats, String key, int expected) {
        JsonNode node = stats.get(key);
        return node != null && node.canConvertToInt() && node.asInt() != expected
                ? " " + key + " " + node.asInt() + " instead of " + expected : "";
    }

    // ---------------------------------------------------------------------------------------------------------
    // file helpers

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes temporary folders an interrupted run left (safe: the caller holds the benchmark's lock). */
    private static void deleteStaleTemporaryFolders(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".tmp-";
        try (var listing = Files.list(target.getParent())) {
            for (Path stale : listing.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                log.info("removing {}, left by an interrupted conversion", stale);
                deleteRecursively(stale);
            }
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Configures a {@link GraphDownloader}; {@link #build()} checks the values. */
    public static final class Builder {
        private final Map<Benchmark, BenchmarkSource> sources = new EnumMap<>(Benchmark.class);
        private URI mirror;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofMinutes(2);
        private int maxAttempts = 3;
        private Duration retryBackoff = Duration.ofSeconds(2);
        private DownloadListener listener = DownloadListener.logging();
        private boolean offline;
        private boolean verifyReference = true;
        private long maxDownloadBytes = 256L << 20;

        private Builder() {
        }

        /**
         * Fetch every benchmark's raw files from this directory instead of upstream (a mirror holding them under
         * their original names; a trailing slash is added if missing). Sources set with {@link #source} keep their
         * own base URI. The pinned checksums still apply.
         */
        public Builder mirror(URI directory) {
            Objects.requireNonNull(directory, "directory");
            this.mirror = directory.toString().endsWith("/") ? directory : URI.create(directory + "/");
            return this;
        }

        /** Use {@code source} for its benchmark instead of the pinned upstream source. */
        public Builder source(BenchmarkSource source) {
            sources.put(source.benchmark(), source);
            return this;
        }

        /** Time allowed to open a connection (default 30 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Time allowed for the response headers, and for the body to resume after a stall (default 2 min). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Attempts per file before giving up, at least 1 (default 3). */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** Pause before the second attempt, doubled for each further one (default 2 s). */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = backoff;
            return this;
        }

        /** Who hears about progress (default {@link DownloadListener#logging()}). */
        public Builder listener(DownloadListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Never use the network: only files already in the raw folders are converted (default false). */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /**
         * Whether converted files must match the reference sha256 of their source (default true). Turn it off only
         * to accept a conversion of originals that changed upstream.
         */
        public Builder verifyReference(boolean verify) {
            this.verifyReference = verify;
            return this;
        }

        /** Largest download accepted for a raw file whose size is not pinned (default 256 MiB). */
        public Builder maxDownloadBytes(long bytes) {
            this.maxDownloadBytes = bytes;
            return this;
        }

        /**
         * The downloader.
         *
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public GraphDownloader build() {
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(requestTimeout, "requestTimeout");
            if (retryBackoff == null || retryBackoff.isNegative()) {
                throw new IllegalArgumentException("retryBackoff must be zero or positive, got " + retryBackoff);
            }
            if (maxAttempts < 1 || maxAttempts > 20) {
                throw new IllegalArgumentException("maxAttempts must be in 1..20, got " + maxAttempts);
            }
            if (maxDownloadBytes < 1) {
                throw new IllegalArgumentException("maxDownloadBytes must be positive, got " + maxDownloadBytes);
            }
            if (mirror != null && !mirror.isAbsolute()) {
                throw new IllegalArgumentException("the mirror must be an absolute URI, got " + mirror);
            }
            return new GraphDownloader(this);
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + duration);
            }
        }
    }
}
