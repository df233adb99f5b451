package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.ChecksumPolicy;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import io.github.dl4jadmm.graph.io.SplitChoice;
import io.github.dl4jadmm.graph.testing.TinyGraphFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The downloader end to end against a loopback HTTP server serving small files in the real upstream formats:
 * Planetoid pickles as Python 2 wrote them, and gnn-benchmark {@code .npz} archives.
 */
class GraphDownloaderTest {

    @TempDir
    Path dataDir;

    private LoopbackServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new LoopbackServer();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    // --- a CiteSeer-like Planetoid graph: 30 labelled, 600 in allx, test range 600..649 with 5 ids missing (never the last: it fixes the node count) --------

    private static final int TRAIN = 30;
    private static final int ALLX = 600;
    private static final int[] MISSING = {603, 617, 630, 641, 645};

    private final UpstreamFiles.Graph planetoidGraph = withQuirks(UpstreamFiles.random(650, 12, 3, 1500, 0.2, 7));
    private final int[] testOrder = testOrder();

    /** Zero features and label 0 for the missing test ids (as the padding gives), a self-loop and a duplicate. */
    private static UpstreamFiles.Graph withQuirks(UpstreamFiles.Graph g) {
        int[] labels = g.labels().clone();
        List<Integer> sources = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        Set<Integer> missing = new HashSet<>();
        Arrays.stream(MISSING).forEach(missing::add);
        for (int e = 0; e < g.sources().length; e++) {
            if (!missing.contains(g.sources()[e]) && !missing.contains(g.targets()[e])) {
                sources.add(g.sources()[e]);
                targets.add(g.targets()[e]);
            }
        }
        // a self-loop, the first edge again in reverse, and an edge listed one way only
        int firstSource = sources.get(0);
        int firstTarget = targets.get(0);
        sources.addAll(List.of(5, firstTarget, 2));
        targets.addAll(List.of(5, firstSource, 9));
        int[] indptr = g.indptr().clone();
        List<Integer> indices = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int node = 0; node < g.numNodes(); node++) {
            if (!missing.contains(node)) {
                for (int k = g.indptr()[node]; k < g.indptr()[node + 1]; k++) {
                    indices.add(g.indices()[k]);
                    values.add(g.values()[k]);
                }
            } else {
                labels[node] = 0;
            }
            indptr[node + 1] = indices.size();
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new UpstreamFiles.Graph(g.numNodes(), g.numFeatures(), indptr,
                indices.stream().mapToInt(Integer::intValue).toArray(), v, labels, g.numClasses(),
                sources.stream().mapToInt(Integer::intValue).toArray(),
                targets.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The test ids in a scrambled file order, as in the real test.index files. */
    private static int[] testOrder() {
        Set<Integer> missing = new HashSet<>();
        Arrays.stream(MISSING).forEach(missing::add);
        int[] ids = IntStream.range(ALLX, 650).filter(n -> !missing.contains(n)).toArray();
        int[] order = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            order[i] = ids[(i * 17) % ids.length];
        }
        return order;
    }

    private Map<String, byte[]> planetoidFiles() {
        return UpstreamFiles.planetoid("citeseer", planetoidGraph, TRAIN, ALLX, testOrder);
    }

    private BenchmarkSource planetoidSource(Map<String, byte[]> files, String pins) {
        return BenchmarkSource.upstream(Benchmark.CITESEER).withBaseUri(server.base())
                .withFiles(UpstreamFiles.pins(files, pins)).withReferenceSha256(Map.of())
                .withCounts(650, 12, 3);
    }

    private GraphDownloader.Builder downloader(BenchmarkSource source) {
        return GraphDownloader.builder().source(source).retryBackoff(Duration.ZERO)
                .listener(DownloadListener.NONE);
    }

    @Test
    void planetoidEndToEnd() throws Exception {
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        GraphDownloader downloader = downloader(planetoidSource(files, "blob8")).build();

        Path folder = downloader.ensure(Benchmark.CITESEER, dataDir);

        assertEquals(dataDir.resolve("citeseer"), folder);
        assertEquals(8, server.totalRequests());
        GraphDataset graph = NpyGraphLoader.builder().checksums(ChecksumPolicy.REQUIRE).build().load(folder);
        assertEquals(650, graph.numNodes());
        assertEquals(12, graph.numFeatures());
        assertEquals(3, graph.numClasses());
        // every node gets its own row and label: tx row i belongs to node test.index[i]
        float[][] features = graph.features().toDense();
        for (int node = 0; node < 650; node++) {
            assertArrayEquals(planetoidGraph.row(node), features[node], 0f, "node " + node);
            assertEquals(planetoidGraph.labels()[node], graph.label(node), "label of node " + node);
        }
        for (int missing : MISSING) {
            assertEquals(0, graph.adjacency().rowEnd(missing) - graph.adjacency().rowStart(missing));
        }
        assertEquals(expectedUndirectedEdges(planetoidGraph), graph.numUndirectedEdges());
        assertArrayEquals(IntStream.range(0, TRAIN).toArray(), graph.split().train());
        assertArrayEquals(IntStream.range(TRAIN, TRAIN + 500).toArray(), graph.split().val());
        assertArrayEquals(Arrays.stream(testOrder).sorted().toArray(), graph.split().test());

        // the raw files and their recorded checksums stay; the converted folder says where it came from
        Path rawDir = dataDir.resolve("raw").resolve("citeseer");
        assertTrue(Files.exists(rawDir.resolve("ind.citeseer.graph")));
        List<String> recorded = Files.readAllLines(rawDir.resolve(GraphDownloader.RECORDED_CHECKSUMS));
        assertEquals(8, recorded.size());
        assertTrue(recorded.contains(UpstreamFiles.sha256(files.get("ind.citeseer.tx")) + "  ind.citeseer.tx"));
        String stats = Files.readString(folder.resolve("stats.json"));
        assertTrue(stats.contains("\"written_by\" : \"" + GraphDownloader.class.getName() + "\""), stats);
        assertTrue(stats.contains(server.base() + "ind.citeseer.allx"), stats);

        // a second call finds the folder valid and downloads nothing
        assertEquals(folder, downloader.ensure(Benchmark.CITESEER, dataDir));
        assertEquals(8, server.totalRequests());
    }

    private static int expectedUndirectedEdges(UpstreamFiles.Graph g) {
        Set<Long> edges = new HashSet<>();
        for (int e = 0; e < g.sources().length; e++) {
            int u = Math.min(g.sources()[e], g.targets()[e]);
            int v = Math.max(g.sources()[e], g.targets()[e]);
            if (u != v) {
                edges.add((long) u * g.numNodes() + v);
            }
        }
        return edges.size();
    }

    // --- a gnn-benchmark npz: 1300 nodes, so that both split recipes have all their parts -----------------------

    private final UpstreamFiles.Graph npzGraph = UpstreamFiles.random(1300, 20, 3, 4000, 0.15, 11);

    private BenchmarkSource npzSource(byte[] npz) {
        return BenchmarkSource.upstream(Benchmark.AMAZON_PHOTO).withBaseUri(server.base())
                .withFiles(List.of(BenchmarkSource.RawFile.sha256("amazon_electronics_photo.npz",
                        UpstreamFiles.sha256(npz))))
                .withReferenceSha256(Map.of()).withCounts(1300, 20, 3);
    }

    @Test
    void gnnBenchmarkNpzEndToEnd() throws Exception {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, true);
        server.put("amazon_electronics_photo.npz", npz);
        List<String> events = new ArrayList<>();
        GraphDownloader downloader = downloader(npzSource(npz)).listener(new DownloadListener() {
            @Override
            public void started(URI uri, Path target, long expectedBytes) {
                events.add("started " + expectedBytes);
            }

            @Override
            public void finished(URI uri, Path target, long bytes) {
                events.add("finished " + bytes);
            }
        }).build();

        Path folder = downloader.ensure(Benchmark.AMAZON_PHOTO, dataDir);

        assertEquals(List.of("started " + npz.length, "finished " + npz.length), events);
        GraphDataset graph = NpyGraphLoader.builder().checksums(ChecksumPolicy.REQUIRE).build().load(folder);
        assertEquals(1300, graph.numNodes());
        assertArrayEquals(npzGraph.labels(), graph.labels());
        float[][] features = graph.features().toDense();
        for (int node = 0; node < 1300; node++) {
            float[] expected = npzGraph.row(node);
            for (int f = 0; f < expected.length; f++) {
                expected[f] = expected[f] > 0 ? 1 : expected[f]; // PyG binarises: x[x > 0] = 1
            }
            assertArrayEquals(expected, features[node], 0f);
        }
        assertEquals(expectedUndirectedEdges(npzGraph), graph.numUndirectedEdges());
        NodeSplit seeded = SplitRecipes.seededPublic(npzGraph.labels(), 3);
        assertArrayEquals(seeded.train(), graph.split().train());
        assertArrayEquals(seeded.val(), graph.split().val());
        assertArrayEquals(seeded.test(), graph.split().test());
        assertEquals(List.of(60, 90, 1000), List.of(seeded.train().length, seeded.val().length,
                seeded.test().length));

        GraphDataset pdadmm = NpyGraphLoader.builder().split(SplitChoice.PDADMM).build().load(folder);
        assertArrayEquals(SplitRecipes.pdadmm(npzGraph.labels(), 3).val(), pdadmm.split().val());
        assertEquals(240, pdadmm.split().val().length);

        assertEquals(folder, downloader.ensure(Benchmark.AMAZON_PHOTO, dataDir));
        assertEquals(1, server.totalRequests());
    }

    @Test
    void storedNpzWithInt32IndicesToo() throws Exception {
        byte[] npz = UpstreamFiles.npz(npzGraph, false, false);
        server.put("amazon_electronics_photo.npz", npz);
        Path folder = downloader(npzSource(npz)).build().ensure(Benchmark.AMAZON_PHOTO, dataDir);
        assertEquals(1300, NpyGraphLoader.builder().build().load(folder).numNodes());
    }

    // --- failures ----------------------------------------------------------------------------------------------

    @Test
    void checksumMismatchDeletesTheDownloadAndSaysWhatToDo() {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, false);
        server.put("amazon_electronics_photo.npz", npz);
        BenchmarkSource wrong = npzSource(npz).withFiles(List.of(BenchmarkSource.RawFile.sha256(
                "amazon_electronics_photo.npz", "0".repeat(64))));

        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader(wrong).build().ensure(Benchmark.AMAZON_PHOTO, dataDir));

        Path rawDir = dataDir.resolve("raw").resolve("amazon_photo");
        assertTrue(e.getMessage().startsWith("checksum mismatch for " + server.base()
                + "amazon_electronics_photo.npz: its sha256 is " + UpstreamFiles.sha256(npz)), e.getMessage());
        assertTrue(e.getMessage().contains("by hand into " + rawDir), e.getMessage());
        assertEquals(rawDir.resolve("amazon_electronics_photo.npz"), e.file().orElseThrow());
        assertFalse(Files.exists(rawDir.resolve("amazon_electronics_photo.npz")));
        assertFalse(Files.exists(rawDir.resolve("amazon_electronics_photo.npz.part")));
        assertFalse(Files.exists(dataDir.resolve("amazon_photo")));
    }

    @Test
    void shortGitBlobIdIsChecked() {
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        List<BenchmarkSource.RawFile> pins = new ArrayList<>(UpstreamFiles.pins(files, "blob8"));
        pins.set(0, new BenchmarkSource.RawFile(pins.get(0).name(), -1, null, "deadbeef"));
        GraphDataException e = assertThrows(GraphDataException.class, () -> downloader(
                planetoidSource(files, "blob8").withFiles(pins)).build().ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().contains("its git blob id is " + UpstreamFiles.gitBlob(files.get(pins.get(0)
                .name())) + ", expected one starting with deadbeef"), e.getMessage());
    }

    @Test
    void http404IsNotRetriedAndNamesTheUrl() {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, false);
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader(npzSource(npz)).maxAttempts(3).build().ensure(Benchmark.AMAZON_PHOTO, dataDir));
        assertTrue(e.getMessage().startsWith("cannot download " + server.base() + "amazon_electronics_photo.npz:"
                + " HTTP 404 (not found)"), e.getMessage());
        assertTrue(e.getMessage().contains("check the base URL or mirror"), e.getMessage());
        assertTrue(e.getMessage().contains("by hand into " + dataDir.resolve("raw").resolve("amazon_photo")),
                e.getMessage());
        assertEquals(1, server.requests("amazon_electronics_photo.npz"));
    }

    @Test
    void serverErrorsAreRetriedWithinTheBound() throws Exception {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, false);
        server.put("amazon_electronics_photo.npz", npz).failFirst("amazon_electronics_photo.npz", 503, 500);
        List<Integer> retries = new ArrayList<>();
        GraphDownloader downloader = downloader(npzSource(npz)).maxAttempts(3).listener(new DownloadListener() {
            @Override
            public void retrying(URI uri, int failedAttempt, String reason) {
                retries.add(failedAttempt);
            }
        }).build();
        downloader.ensure(Benchmark.AMAZON_PHOTO, dataDir);
        assertEquals(List.of(1, 2), retries);
        assertEquals(3, server.requests("amazon_electronics_photo.npz"));

        // two attempts allowed, three failures: it gives up after the second
        server.failFirst("ind.citeseer.x", 503, 503, 503);
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        GraphDataException e = assertThrows(GraphDataException.class, () -> downloader(
                planetoidSource(files, "sha256")).maxAttempts(2).build().ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().contains("HTTP 503 (server error) (after 2 attempts)"), e.getMessage());
    }

    @Test
    void aStalledBodyIsCutOffAfterTheRequestTimeout() {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, false);
        server.put("amazon_electronics_photo.npz", npz).stallAfter("amazon_electronics_photo.npz", 1000);
        long start = System.nanoTime();
        GraphDataException e = assertThrows(GraphDataException.class, () -> downloader(npzSource(npz))
                .maxAttempts(1).requestTimeout(Duration.ofMillis(300)).build().ensure(Benchmark.AMAZON_PHOTO, dataDir));
        assertTrue(e.getMessage().contains("no data arrived for"), e.getMessage());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "well before the server's 10 s stall ends");
        assertFalse(Files.exists(dataDir.resolve("raw").resolve("amazon_photo")
                .resolve("amazon_electronics_photo.npz.part")));
    }

    @Test
    void noServerMeansAClearNetworkError() throws Exception {
        byte[] npz = UpstreamFiles.npz(npzGraph, true, false);
        BenchmarkSource source = npzSource(npz);
        server.close();
        GraphDataException e = assertThrows(GraphDataException.class, () -> downloader(source).maxAttempts(2)
                .connectTimeout(Duration.ofSeconds(2)).build().ensure(Benchmark.AMAZON_PHOTO, dataDir));
        assertTrue(e.getMessage().startsWith("cannot download " + source.baseUri()), e.getMessage());
        assertTrue(e.getMessage().contains("Is the network reachable?"), e.getMessage());
        assertTrue(e.getMessage().contains("by hand into"), e.getMessage());
        server = new LoopbackServer();
    }

    @Test
    void offlineUsesFilesPutThereByHandAndOtherwiseSaysWhereToPutThem() throws Exception {
        Map<String, byte[]> files = planetoidFiles();
        BenchmarkSource source = planetoidSource(files, "blob");
        GraphDownloader offline = downloader(source).offline(true).build();
        Path rawDir = dataDir.resolve("raw").resolve("citeseer");

        GraphDataException missing = assertThrows(GraphDataException.class,
                () -> offline.ensure(Benchmark.CITESEER, dataDir));
        assertTrue(missing.getMessage().startsWith("missing raw file " + rawDir.resolve("ind.citeseer.x")
                + ", and downloads are off: download " + server.base() + "ind.citeseer.x by hand into " + rawDir),
                missing.getMessage());

        Files.createDirectories(rawDir);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(rawDir.resolve(file.getKey()), file.getValue());
        }
        Path folder = offline.ensure(Benchmark.CITESEER, dataDir);
        assertEquals(650, NpyGraphLoader.builder().build().load(folder).numNodes());
        assertEquals(0, server.totalRequests());
    }

    @Test
    void corruptArchiveWithTheRightChecksumFailsInTheConversion() {
        byte[] notAZip = "this is not a zip archive".getBytes(StandardCharsets.US_ASCII);
        server.put("amazon_electronics_photo.npz", notAZip);
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader(npzSource(notAZip)).build().ensure(Benchmark.AMAZON_PHOTO, dataDir));
        Path npz = dataDir.resolve("raw").resolve("amazon_photo").resolve("amazon_electronics_photo.npz");
        assertTrue(e.getMessage().startsWith("corrupt archive " + npz + ": it is not a zip/npz file"),
                e.getMessage());
        assertFalse(Files.exists(dataDir.resolve("amazon_photo")));
    }

    @Test
    void corruptPickleNamesTheFile() {
        Map<String, byte[]> files = new LinkedHashMap<>(planetoidFiles());
        byte[] allx = files.get("ind.citeseer.allx");
        files.put("ind.citeseer.allx", Arrays.copyOf(allx, allx.length - 40));
        server.putAll(files);
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader(planetoidSource(files, "sha256")).build().ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().startsWith("cannot read the pickle "
                + dataDir.resolve("raw").resolve("citeseer").resolve("ind.citeseer.allx")), e.getMessage());
    }

    @Test
    void aRawFileThatNoLongerMatchesItsFirstRecordedChecksumIsRefused() throws Exception {
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        GraphDownloader downloader = downloader(planetoidSource(files, "blob8")).build();
        Path folder = downloader.ensure(Benchmark.CITESEER, dataDir);

        // the converted folder and one raw file are lost; the SHA256SUMS record of the first download says
        // something else than what the server now sends (a changed file the short blob id would not notice)
        Path rawDir = dataDir.resolve("raw").resolve("citeseer");
        Files.delete(folder.resolve("labels.npy"));
        Files.delete(rawDir.resolve("ind.citeseer.ty"));
        Path recorded = rawDir.resolve(GraphDownloader.RECORDED_CHECKSUMS);
        Files.writeString(recorded, Files.readString(recorded).replace(UpstreamFiles.sha256(
                files.get("ind.citeseer.ty")), "1".repeat(64)));

        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader.ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().contains("but " + "1".repeat(64) + " was recorded in SHA256SUMS"),
                e.getMessage());
    }

    @Test
    void aDamagedFolderOfTheDownloaderIsRebuiltFromTheRawFiles() throws Exception {
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        GraphDownloader downloader = downloader(planetoidSource(files, "blob8")).build();
        Path folder = downloader.ensure(Benchmark.CITESEER, dataDir);
        byte[] edges = Files.readAllBytes(folder.resolve("edges.npy"));
        Files.write(folder.resolve("edges.npy"), new byte[] {1, 2, 3});

        downloader.ensure(Benchmark.CITESEER, dataDir);

        assertArrayEquals(edges, Files.readAllBytes(folder.resolve("edges.npy")));
        assertEquals(8, server.totalRequests(), "rebuilt from the raw files, not downloaded again");
    }

    @Test
    void aValidFolderMadeByOtherMeansIsUsedAsItIs() throws Exception {
        Path folder = new TinyGraphFolder().write(dataDir.resolve("citeseer"));
        BenchmarkSource tiny = planetoidSource(planetoidFiles(), "blob8").withCounts(6, 3, 2);
        assertEquals(folder, downloader(tiny).build().ensure(Benchmark.CITESEER, dataDir));
        assertEquals(0, server.totalRequests());
        assertFalse(Files.exists(dataDir.resolve("raw")));
    }

    @Test
    void aDamagedFolderMadeByOtherMeansIsLeftAlone() throws Exception {
        Path folder = Files.createDirectories(dataDir.resolve("citeseer"));
        Files.writeString(folder.resolve("notes.txt"), "mine");
        GraphDataException e = assertThrows(GraphDataException.class, () -> downloader(
                planetoidSource(planetoidFiles(), "blob8")).build().ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().contains("it has no stats.json") && e.getMessage().contains("left alone"),
                e.getMessage());
        assertEquals("mine", Files.readString(folder.resolve("notes.txt")));
        assertEquals(0, server.totalRequests());
    }

    @Test
    void aConversionThatDiffersFromTheReferenceIsNotInstalled() throws Exception {
        Map<String, byte[]> files = planetoidFiles();
        server.putAll(files);
        BenchmarkSource source = planetoidSource(files, "sha256").withReferenceSha256(Map.of("labels.npy",
                "2".repeat(64)));
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> downloader(source).build().ensure(Benchmark.CITESEER, dataDir));
        assertTrue(e.getMessage().contains("differs from the reference checksums of citeseer: labels.npy has"
                + " sha256"), e.getMessage());
        assertFalse(Files.exists(dataDir.resolve("citeseer")));
        try (var listing = Files.list(dataDir)) {
            assertEquals(List.of("raw"), listing.map(p -> p.getFileName().toString()).toList(),
                    "no temporary folder left");
        }
    }

    @Test
    void builderRefusesBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> GraphDownloader.builder().maxAttempts(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> GraphDownloader.builder().connectTimeout(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> BenchmarkSource.upstream(Benchmark.CORA)
                .withBaseUri(URI.create("http://example.org/no-trailing-slash")));
        assertThrows(IllegalArgumentException.class, () -> new BenchmarkSource.RawFile("x", -1, null, null));
    }

    @Test
    void mirrorReplacesTheUpstreamDirectoryOfEveryBenchmark() {
        GraphDownloader downloader = GraphDownloader.builder().mirror(URI.create("https://mirror.example/graphs"))
                .build();
        for (Benchmark benchmark : Benchmark.values()) {
            BenchmarkSource source = downloader.source(benchmark);
            assertEquals(URI.create("https://mirror.example/graphs/"), source.baseUri());
            assertEquals(BenchmarkSource.upstream(benchmark).files(), source.files());
        }
        assertEquals(URI.create("https://raw.githubusercontent.com/kimiyoung/planetoid/"
                        + "af6abf468a772cc055bec88c52e4d6f51b7c37e3/data/ind.cora.test.index"),
                BenchmarkSource.upstream(Benchmark.CORA).uri(BenchmarkSource.upstream(Benchmark.CORA)
                        .file("ind.cora.test.index")));
    }
}
