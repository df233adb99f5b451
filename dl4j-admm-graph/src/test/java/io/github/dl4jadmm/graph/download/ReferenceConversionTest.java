package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.ChecksumPolicy;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conversion against the reference checksums pinned in {@link UpstreamSources}: each of the project's data
 * folders is turned back into files of the upstream format (Planetoid pickles as Python 2 writes them, a
 * gnn-benchmark {@code .npz} with raw counts, one-way edges and a self-loop), served over loopback, and downloaded
 * with the pinned reference checks on. Every converted file must come out byte-identical to the data folder's.
 * Skipped where the data folders ({@code -Ddl4jadmm.data.dir}) are absent.
 */
class ReferenceConversionTest {

    @TempDir
    Path cache;

    private LoopbackServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new LoopbackServer();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Benchmark.class)
    void convertingUpstreamFormatFilesReproducesTheDataFolder(Benchmark benchmark) throws Exception {
        String dataDir = System.getProperty("dl4jadmm.data.dir");
        assumeTrue(dataDir != null, "no data directory");
        Path original = Path.of(dataDir, benchmark.folderName());
        assumeTrue(Files.isDirectory(original), "no " + original);
        GraphDataset dataset = NpyGraphLoader.builder().checksums(ChecksumPolicy.SKIP).build().load(original);
        UpstreamFiles.Graph graph = UpstreamFiles.Graph.of(dataset);
        BenchmarkSource pinned = BenchmarkSource.upstream(benchmark);

        Map<String, byte[]> files;
        if (pinned.format() == BenchmarkSource.Format.PLANETOID) {
            int[] test = dataset.split().test();
            int[] order = new int[test.length];
            for (int i = 0; i < test.length; i++) {
                order[i] = test[(int) ((i * 7919L) % test.length)]; // scrambled, as in the real test.index files
            }
            UpstreamFiles.Graph quirky = new UpstreamFiles.Graph(graph.numNodes(), graph.numFeatures(),
                    graph.indptr(), graph.indices(), graph.values(), graph.labels(), graph.numClasses(),
                    append(graph.sources(), 7, graph.sources()[0]), append(graph.targets(), 7, graph.targets()[0]));
            files = UpstreamFiles.planetoid(benchmark.folderName(), quirky, dataset.split().train().length, test[0],
                    order);
        } else {
            files = Map.of(pinned.files().get(0).name(), UpstreamFiles.npz(rawLooking(graph), true, false));
        }
        server.putAll(files);
        BenchmarkSource source = pinned.withBaseUri(server.base()).withFiles(UpstreamFiles.pins(files, "sha256"));
        GraphDownloader downloader = GraphDownloader.builder().source(source).retryBackoff(Duration.ZERO)
                .listener(DownloadListener.NONE).build();

        Path folder = downloader.ensure(benchmark, cache);

        assertTrue(source.referenceSha256().size() >= 5);
        List<String> compared = Files.list(original).map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".npy") && !n.contains("partial")).sorted().toList();
        for (String name : compared) {
            assertArrayEquals(Files.readAllBytes(original.resolve(name)), Files.readAllBytes(folder.resolve(name)),
                    name);
        }
        assertEquals(benchmark.numNodes(), NpyGraphLoader.loadBenchmark(benchmark, cache).numNodes());
    }

    /**
     * What the raw npz of a data folder might hold: feature counts instead of ones (binarised back), each edge of
     * an even source listed one way only, and a self-loop.
     */
    private static UpstreamFiles.Graph rawLooking(UpstreamFiles.Graph graph) {
        float[] counts = graph.values().clone();
        for (int k = 0; k < counts.length; k++) {
            counts[k] *= 1 + k % 3;
        }
        int[] sources = graph.sources();
        int[] targets = graph.targets();
        int kept = 0;
        int[] keptSources = new int[sources.length + 1];
        int[] keptTargets = new int[sources.length + 1];
        for (int e = 0; e < sources.length; e++) {
            if (sources[e] % 2 == 1 || sources[e] < targets[e]) {
                keptSources[kept] = sources[e];
                keptTargets[kept++] = targets[e];
            }
        }
        keptSources[kept] = 3;
        keptTargets[kept++] = 3;
        return new UpstreamFiles.Graph(graph.numNodes(), graph.numFeatures(), graph.indptr(), graph.indices(), counts,
                graph.labels(), graph.numClasses(), Arrays.copyOf(keptSources, kept), Arrays.copyOf(keptTargets, kept));
    }

    private static int[] append(int[] values, int... more) {
        int[] out = Arrays.copyOf(values, values.length + more.length);
        System.arraycopy(more, 0, out, values.length, more.length);
        return out;
    }
}
