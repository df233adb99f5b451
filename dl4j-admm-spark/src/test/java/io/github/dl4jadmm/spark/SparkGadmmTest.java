package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.DistributedGadmm.RankResult;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Q-GADMM and Q-SGADMM as a Spark barrier stage (local[4], in-JVM transports) against the single-JVM trainers. */
@Timeout(90)
class SparkGadmmTest {

    private static JavaSparkContext sparkContext;

    @BeforeAll
    static void startSpark() {
        sparkContext = new JavaSparkContext(BarrierRunTest.localConf(4));
    }

    @AfterAll
    static void stopSpark() {
        if (sparkContext != null) {
            sparkContext.stop();
        }
    }

    /** 4 linear-regression shards of 20 samples and 6 features, condition number 10. */
    private static List<DataSet> regressionShards() {
        return SyntheticRegression.shards(4, 20, 6, 10, 0.1, 3);
    }

    /** 4 logistic-regression shards of two Gaussian blobs (labels 0/1, one column). */
    private static List<DataSet> logisticShards() {
        DataSet data = SyntheticClassification.blobs(100, 4, 2, 2.0, 5);
        return SgadmmTrainer.shards(data, 4, 9).stream()
                .map(s -> new DataSet(s.getFeatures(), s.getLabels().getColumn(1, true))).toList();
    }

    /** Bit-identical models, paper bits and bytes summed over the ranks, and the same consensus. */
    private static void assertSameRun(GadmmTrainer expected, SparkGadmm.Result result) {
        for (RankResult rank : result.ranks()) {
            assertEquals(expected.iterationCount(), rank.iterations());
        }
        for (int n = 1; n <= expected.workers(); n++) {
            assertArrayEquals(expected.model(n), result.model(n), "worker " + n);
        }
        assertEquals(expected.paperBitsSent(), result.paperBits(), "paper bits summed over the ranks");
        assertEquals(expected.channel().bytesSent(), result.bytesSent(), "encoded bytes summed over the ranks");
        assertArrayEquals(expected.consensus(), result.consensus());
    }

    @Test
    void threeBitQgadmmOverFourPartitionsReproducesTheSingleJvmTrainerBitForBit() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(30).build();
        List<DataSet> shards = regressionShards();

        SparkGadmm.Result result = SparkGadmm.builder().config(config).solver(SparkGadmm.linearRegression()).build()
                .fit(sparkContext, sparkContext.parallelize(shards, 4));

        assertEquals(0, result.stageAttempt());
        assertEquals(4, result.ranks().size());
        for (int r = 0; r < 4; r++) {
            assertEquals(r + 1, result.ranks().get(r).firstWorker(), "one worker per partition");
        }
        try (GadmmTrainer reference = GadmmTrainer.linearRegression(config, regressionShards())) {
            reference.fit();
            assertSameRun(reference, result);
        }
    }

    @Test
    void overAeronTheRunIsTheSame() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(30).build();
        SparkGadmm.Result result = SparkGadmm.builder().config(config).solver(SparkGadmm.linearRegression())
                .transports(new AeronRankTransports()).build()
                .fit(sparkContext, sparkContext.parallelize(regressionShards(), 4));
        try (GadmmTrainer reference = GadmmTrainer.linearRegression(config, regressionShards())) {
            reference.fit();
            assertSameRun(reference, result);
        }
        assertTrue(result.ranks().get(1).wireBytes() > result.ranks().get(1).transportBytes(),
                "the models crossed Aeron, framed");
    }

    @Test
    void qsgadmmOfANetworkOnTwoPartitionsOfTwoWorkersReproducesTheSingleJvmTrainer() {
        DataSet train = SyntheticClassification.blobs(160, 6, 3, 2.0, 7);
        List<DataSet> shards = SgadmmTrainer.shards(train, 4, 1);
        GadmmConfig config = SgadmmTrainer.authorsConfig().iterations(4).build();
        MultiLayerNetwork net = mlp();
        MultiLayerNetwork referenceNet = net.clone();
        INDArray flat = net.params();

        // partition p holds the rows of workers 2p+1 and 2p+2, in order
        List<DataSet> partitions = List.of(DataSet.merge(shards.subList(0, 2)), DataSet.merge(shards.subList(2, 4)));
        SparkGadmm.Result result = SparkGadmm.builder().config(config).workersPerTask(2).localSteps(3).batchSize(20)
                .build().fit(sparkContext, net, sparkContext.parallelize(partitions, 2));

        assertEquals(List.of(1, 3), result.ranks().stream().map(RankResult::firstWorker).toList());
        try (SgadmmTrainer reference = SgadmmTrainer.builder(referenceNet).config(config).localSteps(3).batchSize(20)
                .build(shards)) {
            reference.fit();
            assertSameRun(reference.engine(), result);
            assertArrayEquals(referenceNet.params().toDoubleVector(), net.params().toDoubleVector(),
                    "the consensus model written into the network");
        }
        assertSame(flat, net.params(), "the flat parameter buffer was not replaced");
        assertFalse(mlp().params().equals(net.params()), "the network trained");
    }

    private static MultiLayerNetwork mlp() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .updater(new Adam(0.02)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void aRankFailingOnTheFirstAttemptMakesEveryRankStartOverAndTheResultIsUnchanged(@TempDir Path temp)
            throws IOException {
        String attempts = temp.toString(); // a String, so that the hook captures nothing unserialisable
        GadmmConfig config = GadmmConfig.builder().rho(2).bits(4).iterations(12).build();
        SparkGadmm trainer = SparkGadmm.builder().config(config).solver(SparkGadmm.logisticRegression())
                .timeout(Duration.ofSeconds(30))
                .iterationHook((rank, rankTrainer, metrics) -> {
                    int attempt = TaskContext.get().stageAttemptNumber();
                    Path record = Path.of(attempts, "attempt-" + attempt + "-rank-" + rank);
                    if (!Files.exists(record)) {
                        // the first iteration of each rank and attempt: no attempt resumes half-way
                        Files.writeString(record, String.valueOf(metrics.iteration()));
                    }
                    if (attempt == 0 && rank == 2 && metrics.iteration() == 5) {
                        throw new IllegalStateException("injected failure of rank 2 after iteration 5");
                    }
                })
                .build();

        SparkGadmm.Result result = trainer.fit(sparkContext, sparkContext.parallelize(logisticShards(), 4));

        assertEquals(1, result.stageAttempt(), "Spark reran the stage once");
        List<String> recorded;
        try (Stream<Path> files = Files.list(temp)) {
            recorded = files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        List<String> expected = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int rank = 0; rank < 4; rank++) {
                expected.add("attempt-" + attempt + "-rank-" + rank);
            }
        }
        assertEquals(expected, recorded, "exactly two stage attempts, each running all four ranks");
        for (String attempt : recorded) {
            assertEquals("0", Files.readString(temp.resolve(attempt)), attempt + " started at iteration 0");
        }
        try (GadmmTrainer reference = GadmmTrainer.logisticRegression(config, logisticShards())) {
            reference.fit();
            assertSameRun(reference, result);
        }
    }

    @Test
    void refusesWhatItCannotRunBeforeLaunching() {
        List<DataSet> shards = regressionShards();
        IllegalStateException noSolver = assertThrows(IllegalStateException.class,
                () -> SparkGadmm.builder().build().fit(sparkContext, sparkContext.parallelize(shards, 4)));
        assertTrue(noSolver.getMessage().contains(".solver("), noSolver.getMessage());

        IllegalStateException networkSetting = assertThrows(IllegalStateException.class,
                () -> SparkGadmm.builder().solver(SparkGadmm.linearRegression()).localSteps(3).build()
                        .fit(sparkContext, sparkContext.parallelize(shards, 4)));
        assertTrue(networkSetting.getMessage().contains("networks only"), networkSetting.getMessage());

        IllegalStateException solverForNetwork = assertThrows(IllegalStateException.class,
                () -> SparkGadmm.builder().solver(SparkGadmm.linearRegression()).build()
                        .fit(sparkContext, mlp(), sparkContext.parallelize(shards, 4)));
        assertTrue(solverForNetwork.getMessage().contains("drop .solver"), solverForNetwork.getMessage());

        IllegalArgumentException oneWorker = assertThrows(IllegalArgumentException.class,
                () -> SparkGadmm.builder().solver(SparkGadmm.linearRegression()).build()
                        .fit(sparkContext, sparkContext.parallelize(shards.subList(0, 1), 1)));
        assertTrue(oneWorker.getMessage().contains("at least 2 workers"), oneWorker.getMessage());

        IllegalStateException tooManyTasks = assertThrows(IllegalStateException.class,
                () -> SparkGadmm.builder().solver(SparkGadmm.linearRegression()).build()
                        .fit(sparkContext, sparkContext.parallelize(regressionShards(), 5)));
        assertTrue(tooManyTasks.getMessage().contains("needs 5 tasks"), tooManyTasks.getMessage());
    }

    @Test
    void consecutiveShardsCutAPartitionInOrder() {
        DataSet data = SyntheticRegression.shards(1, 7, 3, 1, 0, 1).get(0);
        List<DataSet> shards = SparkGadmm.consecutiveShards(data, 3);
        assertEquals(List.of(2, 2, 3), shards.stream().map(DataSet::numExamples).toList());
        assertEquals(data, DataSet.merge(shards));
    }
}
