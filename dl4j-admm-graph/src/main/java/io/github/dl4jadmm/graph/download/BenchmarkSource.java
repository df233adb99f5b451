package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.io.Benchmark;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where the raw files of one benchmark come from and how to check them: the upstream directory, each file's name,
 * size and checksum, and the sha256 a correct conversion produces for each {@code .npy} file. The pinned sources of
 * the six benchmarks are {@link #upstream(Benchmark)}; the {@code with...} methods derive a variant, e.g. for a
 * mirror or a test server.
 *
 * @param benchmark       the benchmark the files convert to
 * @param format          how the raw files are laid out and converted
 * @param baseUri         the directory the files are fetched from (file names are resolved against it)
 * @param files           the raw files, each with at least one checksum
 * @param referenceSha256 sha256 of converted files ({@code edges.npy}, ...) that a correct conversion must
 *                        reproduce; files not listed are not checked; empty for none
 * @param numNodes        nodes the converted graph must have
 * @param numFeatures     features the converted graph must have
 * @param numClasses      classes the converted graph must have
 */
public record BenchmarkSource(Benchmark benchmark, Format format, URI baseUri, List<RawFile> files,
                              Map<String, String> referenceSha256, int numNodes, int numFeatures, int numClasses) {

    /** Layout of the raw files. */
    public enum Format {
        /**
         * The Planetoid files {@code ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}} (Python 2 pickles of SciPy
         * and NumPy objects, and a text file), converted as PyTorch Geometric's {@code read_planetoid_data} does.
         */
        PLANETOID,
        /**
         * One {@code .npz} archive of the {@code shchur/gnn-benchmark} layout ({@code attr_*}, {@code adj_*},
         * {@code labels}), converted as PyTorch Geometric's {@code read_npz} does, plus the two seeded splits of
         * {@link SplitRecipes}.
         */
        GNN_BENCHMARK_NPZ
    }

    /**
     * One raw file and what it must match. At least one checksum is required.
     *
     * @param name        file name, also its name under the base URI and in the cache
     * @param size        size in bytes, or -1 if not pinned
     * @param sha256      hex sha256, or null if not pinned
     * @param gitBlobSha1 hex git blob id ({@code sha1("blob " + size + "\0" + content)}) or a prefix of it of at
     *                    least 8 digits, or null if not pinned
     */
    public record RawFile(String name, long size, String sha256, String gitBlobSha1) {

        /**
         * @throws IllegalArgumentException if the name has a path separator, or no checksum or a malformed one is
         *                                  given
         */
        public RawFile {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException("a raw file name must be a plain file name, got '" + name + "'");
            }
            if (sha256 == null && gitBlobSha1 == null) {
                throw new IllegalArgumentException("raw file " + name + " needs a sha256 or a git blob id to be"
                        + " verified against");
            }
            if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("the sha256 of " + name + " must be 64 hex digits, got " + sha256);
            }
            if (gitBlobSha1 != null && !gitBlobSha1.matches("[0-9a-fA-F]{8,40}")) {
                throw new IllegalArgumentException("the git blob id of " + name + " must be 8 to 40 hex digits, got "
                        + gitBlobSha1);
            }
            sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
            gitBlobSha1 = gitBlobSha1 == null ? null : gitBlobSha1.toLowerCase(Locale.ROOT);
        }

        /** A file pinned by its sha256 only. */
        public static RawFile sha256(String name, String sha256) {
            return new RawFile(name, -1, sha256, null);
        }

        /** Whether the pinned checksums identify the file completely (a full sha256 or a full git blob id). */
        public boolean fullyPinned() {
            return sha256 != null || gitBlobSha1.length() == 40;
        }
    }

    /**
     * @throws IllegalArgumentException if the base URI is not absolute or has no trailing slash, or files or counts
     *                                  do not fit the format
     */
    public BenchmarkSource {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(baseUri, "baseUri");
        if (!baseUri.isAbsolute() || !baseUri.getPath().endsWith("/")) {
            throw new IllegalArgumentException("the base URI must be absolute and end with '/' (a directory), got "
                    + baseUri);
        }
        files = List.copyOf(files);
        referenceSha256 = Map.copyOf(referenceSha256);
        if (format == Format.GNN_BENCHMARK_NPZ && (files.size() != 1 || !files.get(0).name().endsWith(".npz"))) {
            throw new IllegalArgumentException("a gnn-benchmark source has exactly one .npz file, got " + files);
        }
        if (format == Format.PLANETOID) {
            PlanetoidConverter.prefixOf(files);
        }
        if (numNodes < 1 || numFeatures < 1 || numClasses < 1) {
            throw new IllegalArgumentException("the expected counts must be positive, got " + numNodes + " nodes, "
                    + numFeatures + " features, " + numClasses + " classes");
        }
    }

    /** The pinned upstream source of {@code benchmark}. */
    public static BenchmarkSource upstream(Benchmark benchmark) {
        return UpstreamSources.of(benchmark);
    }

    /** The same files fetched from {@code newBaseUri} (a mirror holding them under the same names). */
    public BenchmarkSource withBaseUri(URI newBaseUri) {
        return new BenchmarkSource(benchmark, format, newBaseUri, files, referenceSha256, numNodes, numFeatures,
                numClasses);
    }

    /** Other raw files (names, sizes and checksums). */
    public BenchmarkSource withFiles(List<RawFile> newFiles) {
        return new BenchmarkSource(benchmark, format, baseUri, newFiles, referenceSha256, numNodes, numFeatures,
                numClasses);
    }

    /** Other reference checksums of the converted files; an empty map checks none. */
    public BenchmarkSource withReferenceSha256(Map<String, String> newReference) {
        return new BenchmarkSource(benchmark, format, baseUri, files, newReference, numNodes, numFeatures,
                numClasses);
    }

    /** Other expected counts of the converted graph. */
    public BenchmarkSource withCounts(int nodes, int features, int classes) {
        return new BenchmarkSource(benchmark, format, baseUri, files, referenceSha256, nodes, features, classes);
    }

    /** Where {@code file} is fetched from. */
    public URI uri(RawFile file) {
        return baseUri.resolve(file.name());
    }

    /** The raw file called {@code name}. */
    RawFile file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no raw file " + name + " in " + files));
    }

    /** Reference checksums in file-name order, for messages and provenance. */
    Map<String, String> sortedReference() {
        return new TreeMap<>(referenceSha256);
    }
}
