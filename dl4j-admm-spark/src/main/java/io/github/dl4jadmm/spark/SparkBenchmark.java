package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seconds per pdADMM-G iteration with the ranks as Spark barrier tasks talking over Aeron ({@link SparkPdAdmm},
 * {@link AeronRankTransports}) on a {@code local[R]} master, and the time from a failure to the first iteration
 * after the stage retry resumed from the checkpoints. The data are those of the core's engine benchmark: after
 * {@code Nd4j.getRandom().setSeed(1)}, {@code x = Nd4j.rand(FLOAT, N, in)}, labels one-hot {@code i % outputs}.
 * Prints a markdown table.
 *
 * <ol>
 *   <li>An uninterrupted run of {@code timed + 1} iterations; seconds per iteration are the ranks' own iteration
 *       times (their history), without the first (warm-up) iteration, for the slowest rank.</li>
 *   <li>The same run with checkpoints after every iteration, where rank 0 fails on stage attempt 0 right after
 *       checkpointing iteration 2: the time from the failure to the end of the first iteration of the rerun stage
 *       (Spark's kill and relaunch, the rendezvous, Aeron's handshakes, loading the checkpoints and one iteration).
 *       It needs {@code timed >= 2}.</li>
 * </ol>
 *
 * <pre>
 * java $(JAVA_MODULE_OPTIONS of the module's pom) -cp ... io.github.dl4jadmm.spark.SparkBenchmark \
 *     [samples inputs hidden layers outputs timedIterations ranks]      (default: 140 7165 100 10 7 3 2)
 * </pre>
 */
public final class SparkBenchmark {

    /** The iteration after which rank 0 fails in the second run (its checkpoint is written just before). */
    private static final int FAIL_AFTER = 2;

    /** When the failure was injected and when the rerun's first iteration ended (the tasks run in this JVM). */
    private static final AtomicLong FAILED_AT = new AtomicLong();
    private static final AtomicLong RESUMED_AT = new AtomicLong();

    private SparkBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int[] v = {140, 7165, 100, 10, 7, 3, 2};
        if (args.length != 0 && args.length != v.length) {
            throw new IllegalArgumentException("give all of: samples inputs hidden layers outputs timedIterations "
                    + "ranks (or nothing for 140 7165 100 10 7 3 2)");
        }
        for (int i = 0; i < args.length; i++) {
            v[i] = Integer.parseInt(args[i]);
        }
        int samples = v[0];
        int inputs = v[1];
        int hidden = v[2];
        int layers = v[3];
        int outputs = v[4];
        int timed = v[5];
        int ranks = v[6];
        if (timed < FAIL_AFTER || ranks < 1 || ranks > layers) {
            throw new IllegalArgumentException("need timedIterations >= " + FAIL_AFTER + " and 1 <= ranks <= layers");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        MlpArchitecture architecture = MlpArchitecture.uniform(inputs, hidden, outputs, layers);
        PdAdmmConfig config = PdAdmmConfig.builder().iterations(timed + 1).nd4jThreads(1).evaluationFrequency(0)
                .threads(Math.max(1, cores / ranks)).build();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, samples, inputs);
        INDArray y = Nd4j.zeros(DataType.FLOAT, samples, outputs);
        for (int i = 0; i < samples; i++) {
            y.putScalar(i, i % outputs, 1);
        }
        InitialWeights initial = InitialWeights.xavier(architecture, config.seed());
        PdAdmmJob job = new PdAdmmJob(architecture, config, x, y, initial.weights(), initial.biases());

        SparkConf conf = new SparkConf().setMaster("local[" + ranks + "]").setAppName("dl4j-admm-spark-benchmark")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        Path checkpoints = Files.createTempDirectory("dl4j-admm-spark-benchmark");
        long contextStart = System.nanoTime();
        JavaSparkContext sparkContext = new JavaSparkContext(conf);
        double contextSeconds = (System.nanoTime() - contextStart) / 1e9;
        try {
            SparkPdAdmm.Result plain = SparkPdAdmm.builder().tasks(ranks).transports(new AeronRankTransports())
                    .build().fit(sparkContext, job);

            SparkPdAdmm.Result recovered = SparkPdAdmm.builder().tasks(ranks).transports(new AeronRankTransports())
                    .checkpoints(checkpoints, 1)
                    .iterationHook((rank, engine, metrics) -> {
                        int attempt = TaskContext.get().stageAttemptNumber();
                        if (attempt == 0 && rank == 0 && engine.iterationCount() == FAIL_AFTER) {
                            FAILED_AT.set(System.nanoTime());
                            throw new IllegalStateException("injected failure of rank 0 after iteration "
                                    + FAIL_AFTER);
                        }
                        if (attempt > 0) {
                            RESUMED_AT.compareAndSet(0, System.nanoTime());
                        }
                    })
                    .build().fit(sparkContext, job);

            printTable(samples, inputs, hidden, layers, outputs, timed, ranks, cores, config.threads(), contextSeconds,
                    plain, recovered);
        } finally {
            sparkContext.stop();
            deleteRecursively(checkpoints);
        }
        // Spark 3.5 leaves a non-daemon barrier timer thread behind
        System.exit(0);
    }

    /** Mean seconds of a rank's iterations after the first of the run. */
    static double timedSecondsPerIteration(RankResult rank) {
        return rank.history().stream().skip(1).mapToDouble(IterationMetrics::seconds).average().orElse(Double.NaN);
    }

    private static void printTable(int samples, int inputs, int hidden, int layers, int outputs, int timed, int ranks,
                                   int cores, int threads, double contextSeconds, SparkPdAdmm.Result plain,
                                   SparkPdAdmm.Result recovered) {
        double slowest = plain.ranks().stream().mapToDouble(SparkBenchmark::timedSecondsPerIteration).max()
                .orElse(Double.NaN);
        StringBuilder perRank = new StringBuilder();
        for (RankResult rank : plain.ranks()) {
            perRank.append(perRank.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f",
                    timedSecondsPerIteration(rank)));
        }
        long bytesPerIteration = plain.ranks().stream().mapToLong(RankResult::wireBytes).sum()
                / Math.max(1, plain.ranks().get(0).iterations());
        System.out.printf(Locale.ROOT, "%npdADMM-G as %d Spark barrier tasks over Aeron, local[%d] on %d cores "
                        + "(block threads per rank %d, ND4J threads 1)%n%n", ranks, ranks, cores, threads);
        System.out.println("| shape (N, in, hidden x layers, out) | ranks | s / iteration (slowest rank, " + timed
                + " timed) | s / iteration by rank | wire bytes / iteration | run wall s | failure to first resumed "
                + "iteration s | resumed from | stage attempts |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d, %d, %d x %d, %d | %d | %.4f | %s | %d | %.2f | %.2f | %d | %d |%n",
                samples, inputs, hidden, layers, outputs, ranks, slowest, perRank, bytesPerIteration, plain.seconds(),
                (RESUMED_AT.get() - FAILED_AT.get()) / 1e9, recovered.resumedFrom(), recovered.stageAttempt() + 1);
        System.out.printf(Locale.ROOT, "%nSparkContext start %.2f s; the failure run checkpoints after every "
                + "iteration and fails rank 0 after iteration %d of stage attempt 0.%n", contextSeconds, FAIL_AFTER);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
