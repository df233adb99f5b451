package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.trainer.PdAdmmTrainer;
import io.github.dl4jadmm.trainer.PdAdmmTrainingResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** pdADMM-G as a Spark barrier stage of 4 ranks (local[4], in-JVM transports): retries, resume, weights back. */
@Timeout(90)
class SparkPdAdmmTest {

    private static final DataSet DATA = SyntheticClassification.blobs(90, 12, 3, 4.0, 11);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(12, 10, 3, 6);

    private static JavaSparkContext sparkContext;

    /** When the injected failure was thrown and when the rerun finished its first iteration (tasks share the JVM). */
    private static final AtomicLong FAILED_AT = new AtomicLong();
    private static final AtomicLong RESUMED_AT = new AtomicLong();

    @BeforeAll
    static void startSpark() {
        long start = System.nanoTime();
        sparkContext = new JavaSparkContext(BarrierRunTest.localConf(4));
        System.out.printf("SparkContext started in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopSpark() {
        if (sparkContext != null) {
            sparkContext.stop();
        }
    }

    private static PdAdmmConfig config() {
        return PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(20).dataType(DataType.DOUBLE).nd4jThreads(1)
                .evaluationFrequency(0).build();
    }

    private static PdAdmmJob job() {
        InitialWeights initial = InitialWeights.xavier(NET, config().seed());
        return new PdAdmmJob(NET, config(), DATA.getFeatures(), DATA.getLabels(), initial.weights(),
                initial.biases());
    }

    /** The single-JVM engine on the same job: the run every distributed one must reproduce. */
    private static PdAdmmEngine reference(PdAdmmJob job) {
        PdAdmmEngine engine = new PdAdmmEngine(job.architecture(), job.config(), job.features(), job.labels(),
                job.weights(), job.biases());
        engine.fit();
        return engine;
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.reshape(b.shape()).castTo(b.dataType()).sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aRankFailingAfterACheckpointMakesEveryRankResumeFromItAndTheResultIsUnchanged(@TempDir Path temp)
            throws IOException {
        failAfterACheckpointAndResume(temp, new InJvmRankTransports(), "in-JVM");
    }

    @Test
    void overAeronARankFailingAfterACheckpointMakesEveryRankResumeFromItAndTheResultIsUnchanged(@TempDir Path temp)
            throws IOException, InterruptedException {
        Path aeronParent = Path.of(SparkFiles.getRootDirectory()).toAbsolutePath();
        failAfterACheckpointAndResume(temp, new AeronRankTransports(), "Aeron");
        // the media driver stops, and its directory goes, when the last transport closes (the killed tasks of the
        // first attempt may still be closing theirs)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left = aeronDirectories(aeronParent);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = aeronDirectories(aeronParent);
        }
        assertEquals(List.of(), left, "Aeron directories left under " + aeronParent);
    }

    private static List<String> aeronDirectories(Path parent) throws IOException {
        try (Stream<Path> files = Files.list(parent)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("dl4j-admm-aeron-")).toList();
        }
    }

    private static void failAfterACheckpointAndResume(Path temp, RankTransports transports, String label)
            throws IOException {
        FAILED_AT.set(0);
        RESUMED_AT.set(0);
        Path checkpoints = temp.resolve("checkpoints");
        String attempts = Files.createDirectory(temp.resolve("attempts")).toString();
        SparkPdAdmm trainer = SparkPdAdmm.builder().tasks(4).checkpoints(checkpoints, 5)
                .timeout(Duration.ofSeconds(30)).transports(transports)
                .iterationHook((rank, engine, metrics) -> {
                    int attempt = TaskContext.get().stageAttemptNumber();
                    try {
                        Files.createFile(Path.of(attempts, "attempt-" + attempt + "-rank-" + rank));
                    } catch (FileAlreadyExistsException alreadyRecorded) {
                        // one file per rank and attempt
                    }
                    if (attempt == 1 && engine.iterationCount() == 11) {
                        RESUMED_AT.compareAndSet(0, System.nanoTime());
                    }
                    if (attempt == 0 && rank == 1 && engine.iterationCount() == 12) {
                        FAILED_AT.set(System.nanoTime());
                        throw new IllegalStateException("injected failure of rank 1 after iteration 12");
                    }
                })
                .build();

        PdAdmmJob job = job();
        SparkPdAdmm.Result result = trainer.fit(sparkContext, job);
        System.out.printf("4 ranks (%s), failure after iteration 12 of attempt 0: whole run %.2f s, from the failure "
                + "to the first resumed iteration %d ms%n", label, result.seconds(),
                (RESUMED_AT.get() - FAILED_AT.get()) / 1_000_000);

        assertEquals(1, result.stageAttempt(), "Spark reran the stage once");
        for (RankResult rank : result.ranks()) {
            assertEquals(10, rank.startIteration(), "rank " + rank.rank() + " resumed from the common checkpoint");
            assertEquals(20, rank.iterations());
        }
        List<String> recorded;
        try (Stream<Path> files = Files.list(Path.of(attempts))) {
            recorded = files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        List<String> expected = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int rank = 0; rank < 4; rank++) {
                expected.add("attempt-" + attempt + "-rank-" + rank);
            }
        }
        assertEquals(expected, recorded, "exactly two stage attempts, each running all four ranks");
        try (PdAdmmEngine reference = reference(job)) {
            for (int layer = 1; layer <= NET.layers(); layer++) {
                assertEquals(0, maxDifference(result.weight(layer), reference.weight(layer)), 0.0, "W" + layer);
                assertEquals(0, maxDifference(result.bias(layer), reference.bias(layer)), 0.0, "b" + layer);
            }
        }
    }

    @Test
    void theTrainedWeightsLandInTheNetworksOwnViews() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(42)
                .weightInit(WeightInit.XAVIER).dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(10).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        MlpArchitecture architecture = new io.github.dl4jadmm.trainer.MultiLayerNetworkAdapter(net).architecture();
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            weights.add(net.getLayer(i).getParam("W").dup());
            biases.add(net.getLayer(i).getParam("b").dup());
        }
        INDArray flat = net.params();
        INDArray view = net.getLayer(2).getParam("W");

        SparkPdAdmm.Result result = SparkPdAdmm.builder().config(config()).tasks(4).growth(GrowthPolicy.none())
                .build().fit(sparkContext, net, DATA);

        assertEquals(0, result.stageAttempt());
        assertSame(flat, net.params(), "the flat parameter buffer was not replaced");
        assertSame(view, net.getLayer(2).getParam("W"), "the view was not replaced");
        try (PdAdmmEngine reference = new PdAdmmEngine(architecture, config(), DATA.getFeatures(), DATA.getLabels(),
                weights, biases)) {
            reference.fit();
            for (int layer = 1; layer <= 4; layer++) {
                assertEquals(0, maxDifference(net.getLayer(layer - 1).getParam("W"), reference.weight(layer)), 0.0);
                assertEquals(0, maxDifference(net.getLayer(layer - 1).getParam("b"), reference.bias(layer)), 0.0);
            }
        }
    }

    /** The recipe for depth: the shallow stages on the driver, the 6-layer stage as tasks, as PdAdmmTrainer does. */
    @Test
    void aDeepNetworkIsGrownAsThePdAdmmTrainerGrowsIt() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(42)
                .weightInit(WeightInit.XAVIER).dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(10).activation(Activation.RELU).build());
        for (int i = 0; i < 4; i++) {
            list.layer(new DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.RELU).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.layer(new OutputLayer.Builder(
                LossFunctions.LossFunction.MCXENT).nIn(10).nOut(3).activation(Activation.SOFTMAX).build()).build());
        net.init();
        MultiLayerNetwork single = net.clone();

        SparkPdAdmm.builder().config(config()).tasks(3).build().fit(sparkContext, net, DATA);
        PdAdmmTrainingResult reference = new PdAdmmTrainer.Builder().config(config()).build().fit(single, DATA);

        assertEquals(3, reference.stages().size(), "2 -> 5 -> 6 layers");
        assertEquals(0, maxDifference(net.params(), single.params()), 0.0);
    }

    @Test
    void refusesACheckpointRootOfAnotherJob(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve(SparkPdAdmm.JOB_FINGERPRINT_FILE), "0123456789abcdef\n");
        SparkPdAdmm trainer = SparkPdAdmm.builder().tasks(2).checkpoints(root, 5).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(sparkContext, job()));
        assertTrue(e.getMessage().contains("another job") && e.getMessage().contains("0123456789ab"), e.getMessage());
    }
}
