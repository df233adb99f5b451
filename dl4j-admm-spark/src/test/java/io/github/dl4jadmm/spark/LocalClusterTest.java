package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The ranks as tasks of executors in separate JVMs: Spark's {@code local-cluster[2,1,1536]} master starts a standalone
 * master and two workers in this JVM, and each worker launches its executor as a child process, as on a cluster.
 * Nothing is shared between the ranks but the checkpoint directory: they talk over Aeron (the default off
 * {@code local[N]}), the job travels serialised, and the results come back through the shuffle.
 *
 * <p>The workers launch executors with Spark's command builder, which wants {@code SPARK_HOME/jars} and the Scala
 * version; the pom sets {@code SPARK_HOME} to an empty directory under {@code target} and
 * {@code SPARK_SCALA_VERSION}, and the executors get this JVM's class path and module options.
 */
@Timeout(240)
class LocalClusterTest {

    private static final DataSet DATA = SyntheticClassification.blobs(90, 12, 3, 4.0, 11);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(12, 10, 3, 4);

    private static JavaSparkContext sparkContext;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        long start = System.nanoTime();
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[2,1,1536]")
                .setAppName("dl4j-admm-local-cluster-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", System.getProperty("dl4jadmm.executorJavaOptions", ""))
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        sparkContext = new JavaSparkContext(conf);
        // the driver's block manager counts too: wait for both executors rather than for the barrier check's retries
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (sparkContext.sc().getExecutorMemoryStatus().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        System.out.printf("local-cluster with %d executor JVMs started in %d ms%n",
                sparkContext.sc().getExecutorMemoryStatus().size() - 1, (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopCluster() {
        if (sparkContext != null) {
            sparkContext.stop();
        }
    }

    private static PdAdmmConfig config() {
        return PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(20).dataType(DataType.DOUBLE).nd4jThreads(1)
                .evaluationFrequency(0).build();
    }

    @Test
    void ranksInTwoExecutorProcessesFailResumeOverAeronAndReproduceTheSingleEngine(@TempDir Path temp)
            throws IOException {
        InitialWeights initial = InitialWeights.xavier(NET, config().seed());
        PdAdmmJob job = new PdAdmmJob(NET, config(), DATA.getFeatures(), DATA.getLabels(), initial.weights(),
                initial.biases());
        String seen = Files.createDirectory(temp.resolve("seen")).toString();
        SparkPdAdmm trainer = SparkPdAdmm.builder().tasks(2).checkpoints(temp.resolve("checkpoints"), 5)
                .timeout(Duration.ofSeconds(60))
                .iterationHook((rank, engine, metrics) -> {
                    int attempt = TaskContext.get().stageAttemptNumber();
                    record(seen, "attempt-" + attempt + "-rank-" + rank + "-pid-" + ProcessHandle.current().pid());
                    if (attempt == 0 && rank == 1 && engine.iterationCount() == 12) {
                        throw new IllegalStateException("injected failure of rank 1 after iteration 12");
                    }
                })
                .build();

        SparkPdAdmm.Result result = trainer.fit(sparkContext, job);

        assertEquals(1, result.stageAttempt(), "Spark reran the stage once");
        for (RankResult rank : result.ranks()) {
            assertEquals(10, rank.startIteration(), "rank " + rank.rank() + " resumed from the common checkpoint");
            assertTrue(rank.wireBytes() > rank.transportBytes(), "the boundary's p and q crossed Aeron, framed");
        }
        Map<String, Long> pidOf = ranksAndProcesses(Path.of(seen));
        assertEquals(List.of("attempt-0-rank-0", "attempt-0-rank-1", "attempt-1-rank-0", "attempt-1-rank-1"),
                List.copyOf(pidOf.keySet()));
        long driver = ProcessHandle.current().pid();
        for (int attempt = 0; attempt < 2; attempt++) {
            long rank0 = pidOf.get("attempt-" + attempt + "-rank-0");
            long rank1 = pidOf.get("attempt-" + attempt + "-rank-1");
            assertNotEquals(rank0, rank1, "attempt " + attempt + ": the two ranks ran in one process");
            assertNotEquals(driver, rank0, "a rank ran in the driver");
            assertNotEquals(driver, rank1, "a rank ran in the driver");
        }
        try (PdAdmmEngine reference = new PdAdmmEngine(NET, config(), DATA.getFeatures(), DATA.getLabels(),
                initial.weights(), initial.biases())) {
            reference.fit();
            for (int layer = 1; layer <= NET.layers(); layer++) {
                assertEquals(0, maxDifference(result.weight(layer), reference.weight(layer)), 0.0, "W" + layer);
                assertEquals(0, maxDifference(result.bias(layer), reference.bias(layer)), 0.0, "b" + layer);
            }
        }
    }

    @Test
    void qGadmmWorkersInTwoExecutorProcessesGiveTheSingleJvmModelsBitForBit() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(30).build();
        List<DataSet> shards = SyntheticRegression.shards(4, 20, 6, 10, 0.1, 3);
        // partition p holds the rows of workers 2p+1 and 2p+2, in order
        List<DataSet> partitions = List.of(DataSet.merge(shards.subList(0, 2)), DataSet.merge(shards.subList(2, 4)));

        SparkGadmm.Result result = SparkGadmm.builder().config(config).workersPerTask(2)
                .solver(SparkGadmm.linearRegression()).build()
                .fit(sparkContext, sparkContext.parallelize(partitions, 2));

        try (GadmmTrainer reference = GadmmTrainer.linearRegression(config, shards)) {
            reference.fit();
            for (int n = 1; n <= 4; n++) {
                assertArrayEquals(reference.model(n), result.model(n), "worker " + n);
            }
            assertEquals(reference.channel().bytesSent(), result.bytesSent(), "encoded bytes summed over the ranks");
        }
        assertTrue(result.ranks().get(0).wireBytes() > result.ranks().get(0).transportBytes(),
                "the edge models crossed Aeron, framed");
    }

    private static void record(String directory, String name) {
        try {
            Files.createFile(Path.of(directory, name));
        } catch (FileAlreadyExistsException alreadyRecorded) {
            // one file per rank, attempt and process
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "attempt-A-rank-R" to the process it ran in (each must have run in exactly one). */
    private static Map<String, Long> ranksAndProcesses(Path seen) throws IOException {
        Map<String, Long> pidOf = new TreeMap<>();
        try (Stream<Path> files = Files.list(seen)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                String key = name.substring(0, name.indexOf("-pid-"));
                Long previous = pidOf.put(key, Long.parseLong(name.substring(name.indexOf("-pid-") + 5)));
                assertEquals(null, previous, key + " ran in two processes");
            }
        }
        return pidOf;
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.reshape(b.shape()).castTo(b.dataType()).sub(b).amaxNumber().doubleValue();
    }
}
