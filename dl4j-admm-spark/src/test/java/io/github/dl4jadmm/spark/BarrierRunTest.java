package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Barrier runs on a local Spark context with 4 slots: rendezvous, results by rank, stage retry, refusals. */
@Timeout(60)
class BarrierRunTest {

    private static JavaSparkContext sparkContext;

    @BeforeAll
    static void startSpark() {
        long start = System.nanoTime();
        sparkContext = new JavaSparkContext(localConf(4));
        System.out.printf("SparkContext started in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopSpark() {
        if (sparkContext != null) {
            sparkContext.stop();
        }
    }

    static SparkConf localConf(int threads) {
        return new SparkConf()
                .setMaster("local[" + threads + "]")
                .setAppName("dl4j-admm-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
    }

    @Test
    void ranksExchangeEndpointsAndAllSeeTheSameList() {
        List<byte[]> results = new BarrierRun(sparkContext).run(4, context -> {
            String endpoint = "127.0.0.1:" + (40100 + context.rank());
            List<String> endpoints = context.rendezvous()
                    .exchangeEndpoints(context.rank(), context.size(), endpoint, Duration.ofSeconds(30));
            return (context.rank() + "|" + context.size() + "|" + String.join(",", endpoints))
                    .getBytes(StandardCharsets.UTF_8);
        });

        String expected = "127.0.0.1:40100,127.0.0.1:40101,127.0.0.1:40102,127.0.0.1:40103";
        assertEquals(4, results.size());
        for (int rank = 0; rank < 4; rank++) {
            assertEquals(rank + "|4|" + expected, new String(results.get(rank), StandardCharsets.UTF_8));
        }
    }

    @Test
    void eachRankReadsItsOwnShard() {
        List<Integer> numbers = IntStream.rangeClosed(1, 8).boxed().toList();
        List<byte[]> results = new BarrierRun(sparkContext).run(sparkContext.parallelize(numbers, 4), context -> {
            List<Integer> shard = new ArrayList<>();
            context.data().forEachRemaining(shard::add);
            return (context.rank() + ":" + shard).getBytes(StandardCharsets.UTF_8);
        });

        List<String> seen = results.stream().map(r -> new String(r, StandardCharsets.UTF_8)).toList();
        assertEquals(List.of("0:[1, 2]", "1:[3, 4]", "2:[5, 6]", "3:[7, 8]"), seen);
    }

    @Test
    void aRankFailingOnTheFirstAttemptMakesSparkRerunTheWholeStage(@TempDir Path attempts) throws IOException {
        String attemptDir = attempts.toString(); // a String, so that the task captures nothing unserialisable
        long start = System.nanoTime();
        List<byte[]> results = new BarrierRun(sparkContext).run(4, context -> {
            int rank = context.rank();
            int attempt = context.stageAttemptNumber();
            Files.createFile(Path.of(attemptDir, "attempt-" + attempt + "-rank-" + rank));
            List<String> endpoints = context.rendezvous().allGather("rank" + rank);
            if (attempt == 0 && rank == 2) {
                throw new IOException("injected failure of rank 2 on stage attempt 0");
            }
            if (attempt == 0) {
                // The others wait for rank 2, as they would for a neighbour's message, until Spark kills them.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!context.isInterrupted() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                context.checkInterrupted();
                throw new IllegalStateException("rank " + rank + " was not killed after rank 2 failed");
            }
            return (attempt + ":" + endpoints).getBytes(StandardCharsets.UTF_8);
        });
        System.out.printf("failure on attempt 0 and full rerun took %d ms%n", (System.nanoTime() - start) / 1_000_000);

        for (byte[] result : results) {
            assertEquals("1:[rank0, rank1, rank2, rank3]", new String(result, StandardCharsets.UTF_8));
        }
        List<String> started;
        try (Stream<Path> files = Files.list(attempts)) {
            started = files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        List<String> expected = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int rank = 0; rank < 4; rank++) {
                expected.add("attempt-" + attempt + "-rank-" + rank);
            }
        }
        assertEquals(expected, started, "exactly two stage attempts, each running all four ranks");
    }

    @Test
    void refusesMoreTasksThanSlotsBeforeLaunching() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new BarrierRun(sparkContext).run(5, context -> new byte[0]));
        assertTrue(e.getMessage().contains("needs 5 tasks") && e.getMessage().contains("has 4 slots"), e.getMessage());
    }

    @Test
    void refusesDynamicAllocationAndSpeculation() {
        SparkConf dynamic = localConf(4).set("spark.dynamicAllocation.enabled", "true");
        SparkConf speculative = localConf(4).set("spark.speculation", "true");
        assertTrue(assertThrows(IllegalStateException.class, () -> BarrierRun.checkCanRun(dynamic, 4, 2))
                .getMessage().contains("spark.dynamicAllocation.enabled=false"));
        assertTrue(assertThrows(IllegalStateException.class, () -> BarrierRun.checkCanRun(speculative, 4, 2))
                .getMessage().contains("spark.speculation=false"));
    }

    @Test
    void countsSlotsFromTheMasterAndTaskCpus() {
        assertEquals(1, BarrierRun.slots(new SparkConf().setMaster("local"), 2));
        assertEquals(6, BarrierRun.slots(new SparkConf().setMaster("local[6]"), 2));
        assertEquals(3, BarrierRun.slots(new SparkConf().setMaster("local[6, 2]").set("spark.task.cpus", "2"), 2));
        assertEquals(Runtime.getRuntime().availableProcessors(),
                BarrierRun.slots(new SparkConf().setMaster("local[*]"), 2));
        assertEquals(6, BarrierRun.slots(new SparkConf().setMaster("local-cluster[2, 3, 1024]"), 2));
        assertEquals(16, BarrierRun.slots(new SparkConf().setMaster("spark://host:7077"), 16));
    }
}
