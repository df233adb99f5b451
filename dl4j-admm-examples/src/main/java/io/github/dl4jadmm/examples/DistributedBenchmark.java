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
import java.util.Arrays;
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
 * java -cp ... io.github.dl4jadmm.examples.DistributedBenchmark small|large|all|ROWSxINPUTSxHIDDENxOUTPUTSxLAYERS [iterations=3] [ranks=2]
 * </pre>
 *
 * Every run starts with {@link #WARM_UP_ITERATIONS} untimed iterations: a worker JVM starts cold, and its first
 * iterations run the element-wise updates (e.g. {@code ZHiddenUpdate}) in the interpreter until the JIT has compiled
 * them, which made a 4-iteration run of 2 JVMs look 1.6x slower than one warm engine when the steady state is not.
 * A row's figure is the median over its timed iterations of the slowest rank. One engine and the float32 JVMs are
 * measured twice each, interleaved (engine, JVMs, engine, JVMs), and their rows give the range of the two runs, so a
 * neighbour's load on a shared machine shows instead of skewing the ratio. On a machine with fewer cores than blocks
 * the ranks share the cores: every arrangement gets the same number of block threads in all.
 */
public final class DistributedBenchmark {

    /** One measured arrangement. */
    public record Row(String arrangement, double secondsPerIteration, long wireBytesPerIteration, double low,
                      double high) {
        Row(String arrangement, double secondsPerIteration, long wireBytesPerIteration) {
            this(arrangement, secondsPerIteration, wireBytesPerIteration, secondsPerIteration, secondsPerIteration);
        }

        /** The mean of two measurements of one arrangement, with their range. */
        static Row ofTwo(Row a, Row b) {
            return new Row(a.arrangement, (a.secondsPerIteration + b.secondsPerIteration) / 2,
                    a.wireBytesPerIteration, Math.min(a.low, b.low), Math.max(a.high, b.high));
        }
    }

    /** Untimed iterations at the start of every run (JIT warm-up of a fresh worker JVM). */
    public static final int WARM_UP_ITERATIONS = 3;

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
        PdAdmmConfig single = config(iterations, Math.min(cores, shape.layers()), QuantizerConfig.none());
        PdAdmmConfig perRank = config(iterations, Math.max(1, cores / ranks), QuantizerConfig.none());
        PdAdmmJob job = job(shape, data, perRank);
        String engineLabel = "one engine, blocks on " + single.threads() + " threads";
        String jvmLabel = ranks + " JVMs over Aeron (loopback), float32";
        // interleaved, so that a change of the machine's load between runs shows as a range on both
        Row engineA = new Row(engineLabel, inJvmEngine(shape, data, single), 0);
        releaseMemory();
        Row jvmsA = processes(jvmLabel, job, ranks, iterations);
        Row engineB = new Row(engineLabel, inJvmEngine(shape, data, single), 0);
        releaseMemory();
        Row jvmsB = processes(jvmLabel, job, ranks, iterations);

        List<Row> rows = new ArrayList<>();
        rows.add(Row.ofTwo(engineA, engineB));
        List<RankResult> threads = DistributedPdAdmm.runInJvm(job, LayerPartition.even(shape.layers(), ranks),
                RankOptions.defaults());
        rows.add(new Row(ranks + " ranks as threads of one JVM (in-memory transport)", slowestRank(
                threads.stream().map(r -> r.history().stream().mapToDouble(IterationMetrics::seconds).toArray())
                        .toList()), 0));
        threads = null;
        releaseMemory();
        rows.add(Row.ofTwo(jvmsA, jvmsB));

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
        return PdAdmmConfig.builder().iterations(WARM_UP_ITERATIONS + iterations).threads(threads).nd4jThreads(1)
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

    /** The slowest rank's median seconds per timed iteration (after {@link #WARM_UP_ITERATIONS}). */
    private static double slowestRank(List<double[]> secondsByRank) {
        double slowest = 0;
        for (double[] s : secondsByRank) {
            if (s.length <= WARM_UP_ITERATIONS) {
                throw new IllegalStateException("a run of " + s.length + " iterations has none after the "
                        + WARM_UP_ITERATIONS + " warm-ups");
            }
            double[] timed = Arrays.copyOfRange(s, WARM_UP_ITERATIONS, s.length);
            Arrays.sort(timed);
            int n = timed.length;
            double median = n % 2 == 1 ? timed[n / 2] : (timed[n / 2 - 1] + timed[n / 2]) / 2;
            slowest = Math.max(slowest, median);
        }
        return slowest;
    }

    private static Row processes(String label, PdAdmmJob job, int ranks, int iterations) throws Exception {
        Path dir = Files.createTempDirectory("dl4j-admm-distributed-bench");
        Path jobFile = dir.resolve("job.bin");
        Files.write(jobFile, job.toBytes());
        String peers = LocalCluster.loopbackPeers(ranks);
        try (LocalCluster cluster = LocalCluster.forTimings()) {
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
        return new Row(label, slowestRank(seconds), wire / (WARM_UP_ITERATIONS + iterations));
    }

    public static ResultTable table(Shape shape, List<Row> rows, int ranks, int iterations) {
        double reference = rows.get(0).secondsPerIteration();
        List<List<Object>> cells = new ArrayList<>();
        for (Row r : rows) {
            String range = r.low() == r.high() ? "-" : String.format(Locale.ROOT, "%.4f - %.4f", r.low(), r.high());
            cells.add(List.of(r.arrangement(), r.secondsPerIteration(), r.secondsPerIteration() / reference, range,
                    r.wireBytesPerIteration() == 0 ? "-" : String.format(Locale.ROOT, "%,d", r.wireBytesPerIteration())));
        }
        return new ResultTable(String.format(Locale.ROOT, "%s over %d ranks (median of %d timed iterations after %d "
                + "warm-ups)", shape.name(), ranks, iterations, WARM_UP_ITERATIONS), List.of("s / iteration: the "
                + "slowest rank's median; one engine and the float32 JVMs were each run twice, interleaved, and show "
                + "the mean of the two medians and their range", "wire bytes: everything the ranks' transports sent, "
                + "framing and the start-up all-gather included, divided by the iterations run"),
                List.of(Column.text("arrangement"), Column.number("s / iteration", "%.4f"),
                        Column.number("x one engine", "%.2f"), Column.text("range of 2 runs"),
                        Column.text("wire bytes / iteration")), cells);
    }
}
