package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.distributed.DistributedPdAdmm;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.examples.EngineBenchmark.Shape;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.examples.report.ResultTable.Column;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Seconds per pdADMM-G iteration with the layer blocks (a) in one engine, (b) spread over ranks that are threads of
 * one JVM, and (c) spread over separate JVMs talking over Aeron on loopback ({@code dl4j-admm worker}), on the
 * engine benchmark's shapes; plus the bytes the ranks put on the wire per iteration, float32 and 8-bit delta-coded.
 *
 * <pre>
 * java -cp ... io.github.dl4jadmm.examples.DistributedBenchmark small|large|all [iterations=3] [ranks=2]
 * </pre>
 *
 * The first iteration of every run is a warm-up and is not timed. On a machine with fewer cores than blocks the
 * ranks share the cores: every arrangement gets the same number of block threads in all.
 */
public final class DistributedBenchmark {

    /** One measured arrangement. */
    public record Row(String arrangement, double secondsPerIteration, long wireBytesPerIteration) {
    }

    private DistributedBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "small";
        int iterations = 3;
        int ranks = 2;
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            switch (kv[0]) {
                case "iterations" -> iterations = Integer.parseInt(kv[1]);
                case "ranks" -> ranks = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (iterations=, ranks=)");
            }
        }
        for (Shape shape : EngineBenchmark.shapes(which)) {
            List<Row> rows = measure(shape, iterations, ranks);
            System.out.println(table(shape, rows, ranks, iterations).toMarkdown());
        }
    }

    /** Measures every arrangement on {@code shape}. */
    public static List<Row> measure(Shape shape, int iterations, int ranks) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        INDArray[] data = EngineBenchmark.data(shape);
        List<Row> rows = new ArrayList<>();
        PdAdmmConfig single = config(iterations, Math.min(cores, shape.layers()), QuantizerConfig.none());
        rows.add(new Row("one engine, blocks on " + single.threads() + " threads", inJvmEngine(shape, data, single),
                0));
        releaseMemory();

        PdAdmmConfig perRank = config(iterations, Math.max(1, cores / ranks), QuantizerConfig.none());
        PdAdmmJob job = job(shape, data, perRank);
        List<RankResult> threads = DistributedPdAdmm.runInJvm(job, LayerPartition.even(shape.layers(), ranks),
                RankOptions.defaults());
        rows.add(new Row(ranks + " ranks as threads of one JVM (in-memory transport)", slowestRank(
                threads.stream().map(r -> r.history().stream().mapToDouble(IterationMetrics::seconds).toArray())
                        .toList()), 0));
        threads = null;
        releaseMemory();

        rows.add(processes(ranks + " JVMs over Aeron (loopback), float32", job, ranks, iterations));
        QuantizerConfig delta = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8).seed(1).build();
        rows.add(new Row("one engine, 8-bit delta (the codec's own cost)", inJvmEngine(shape, data,
                config(iterations, Math.min(cores, shape.layers()), delta)), 0));
        releaseMemory();
        rows.add(processes(ranks + " JVMs over Aeron (loopback), 8-bit delta", job(shape, data,
                config(iterations, Math.max(1, cores / ranks), delta)), ranks, iterations));
        return rows;
    }

    /**
     * ND4J frees the off-heap buffers of dropped arrays when their Java objects are collected: collect before the
     * next arrangement, so that the large shape's blocks (several GB) are not held twice.
     */
    private static void releaseMemory() {
        System.gc();
        System.runFinalization();
        System.gc();
    }

    private static PdAdmmConfig config(int iterations, int threads, QuantizerConfig quantizer) {
        return PdAdmmConfig.builder().iterations(iterations + 1).threads(threads).nd4jThreads(1)
                .evaluationFrequency(0).quantizer(quantizer).build();
    }

    private static PdAdmmJob job(Shape shape, INDArray[] data, PdAdmmConfig config) {
        InitialWeights initial = InitialWeights.xavier(shape.architecture(), config.seed());
        return new PdAdmmJob(shape.architecture(), config, data[0], data[1], initial.weights(), initial.biases());
    }

    private static double inJvmEngine(Shape shape, INDArray[] data, PdAdmmConfig config) {
        InitialWeights initial = InitialWeights.xavier(shape.architecture(), config.seed());
        try (PdAdmmEngine engine = new PdAdmmEngine(shape.architecture(), config, data[0], data[1],
                initial.weights(), initial.biases())) {
            double[] seconds = engine.fit().stream().mapToDouble(IterationMetrics::seconds).toArray();
            return slowestRank(List.of(seconds));
        }
    }

    /** Mean seconds per timed iteration (the first is a warm-up) of the slowest rank. */
    private static double slowestRank(List<double[]> secondsByRank) {
        double slowest = 0;
        for (double[] s : secondsByRank) {
            double sum = 0;
            for (int i = 1; i < s.length; i++) {
                sum += s[i];
            }
            slowest = Math.max(slowest, sum / Math.max(1, s.length - 1));
        }
        return slowest;
    }

    private static Row processes(String label, PdAdmmJob job, int ranks, int iterations) throws Exception {
        Path dir = Files.createTempDirectory("dl4j-admm-distributed-bench");
        Path jobFile = dir.resolve("job.bin");
        Files.write(jobFile, job.toBytes());
        String peers = LocalCluster.loopbackPeers(ranks);
        try (LocalCluster cluster = new LocalCluster()) {
            cluster.start(ranks, "6g", dir.resolve("logs"), rank -> List.of("worker", "--quiet", "--job",
                    jobFile.toString(), "--rank", String.valueOf(rank), "--peers", peers, "--output",
                    dir.resolve("out").toString(), "--timeout", "300"));
            for (LocalCluster.RankProcess p : cluster.await(1800)) {
                if (p.exitCode() != 0) {
                    throw new IllegalStateException("rank " + p.rank() + " exited with " + p.exitCode() + ":\n"
                            + p.output());
                }
            }
        }
        List<double[]> seconds = new ArrayList<>();
        long wire = 0;
        for (int r = 0; r < ranks; r++) {
            Map<String, Object> summary = Json.readObject(dir.resolve("out").resolve("rank-" + r + ".json"));
            seconds.add(((List<?>) summary.get("iterationSeconds")).stream().mapToDouble(Json::toDouble).toArray());
            wire += ((Number) summary.get("wireBytes")).longValue();
        }
        return new Row(label, slowestRank(seconds), wire / (iterations + 1));
    }

    public static ResultTable table(Shape shape, List<Row> rows, int ranks, int iterations) {
        double reference = rows.get(0).secondsPerIteration();
        List<List<Object>> cells = new ArrayList<>();
        for (Row r : rows) {
            cells.add(List.of(r.arrangement(), r.secondsPerIteration(), r.secondsPerIteration() / reference,
                    r.wireBytesPerIteration() == 0 ? "-" : String.format(Locale.ROOT, "%,d", r.wireBytesPerIteration())));
        }
        return new ResultTable(String.format(Locale.ROOT, "%s over %d ranks (%d timed iterations after a warm-up)",
                shape.name(), ranks, iterations), List.of("wire bytes: everything the ranks' transports sent, "
                + "framing and the start-up all-gather included, divided by the iterations run"),
                List.of(Column.text("arrangement"), Column.number("s / iteration", "%.4f"),
                        Column.number("x one engine", "%.2f"), Column.text("wire bytes / iteration")), cells);
    }
}
