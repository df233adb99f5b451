package io.github.dl4jadmm.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The recipe for depth in the drop-in trainer: a user's deep network is grown greedily by default. */
class GreedyGrowthTrainerTest {

    private static final int FEATURES = 40;
    private static final int CLASSES = 4;
    private static final int HIDDEN = 16;
    private static final int ITERATIONS = 40;

    @TempDir
    Path directory;

    /**
     * A small training set, a validation set and a large held-out set: generalisation, not fitting, decides the
     * accuracy.
     */
    private static DataSet[] trainAndTest() {
        DataSet all = SyntheticClassification.blobs(840, FEATURES, CLASSES, 0.45, 11);
        SplitTestAndTrain split = all.splitTestAndTrain(120);
        SplitTestAndTrain rest = split.getTest().splitTestAndTrain(240);
        return new DataSet[]{split.getTrain(), rest.getTest(), rest.getTrain()};
    }

    /** {@code layers} dense layers in all (the softmax output layer included), ReLU, all hidden widths equal. */
    private static MultiLayerNetwork network(int layers, DataType type) {
        NeuralNetConfiguration.ListBuilder list = Networks.base(type).list();
        int width = FEATURES;
        for (int l = 1; l < layers; l++) {
            list.layer(Networks.dense(width, HIDDEN));
            width = HIDDEN;
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(width).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    private static double accuracy(MultiLayerNetwork net, DataSet data) {
        return net.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(List.of(data)))
                .accuracy();
    }

    @Test
    void aTenLayerNetworkTrainedWithOneFitLandsWithTheTwoLayerOne() {
        DataSet[] data = trainAndTest();
        MultiLayerNetwork shallow = network(2, DataType.FLOAT);
        new PdAdmmTrainer.Builder().mu(10).iterations(ITERATIONS).build().fit(shallow, data[0], data[2]);
        MultiLayerNetwork deep = network(10, DataType.FLOAT);
        PdAdmmTrainingResult grown = new PdAdmmTrainer.Builder().iterations(ITERATIONS).build().fit(deep, data[0],
                data[2]);
        MultiLayerNetwork random = network(10, DataType.FLOAT);
        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).mu(0.01).iterations(3 * ITERATIONS).build()
                .fit(random, data[0], data[2]);

        double two = accuracy(shallow, data[1]);
        double ten = accuracy(deep, data[1]);
        double tenWithoutGrowth = accuracy(random, data[1]);
        System.out.printf("held-out accuracy: 2 layers %.4f, 10 layers grown %.4f, 10 layers without growth %.4f%n",
                two, ten, tenWithoutGrowth);
        assertEquals(List.of(new GrowthStage(2, ITERATIONS, 10), new GrowthStage(5, ITERATIONS, 1),
                new GrowthStage(10, ITERATIONS, 0.01)), grown.stages());
        assertEquals(3 * ITERATIONS, grown.history().size(), "every stage's iterations are in the history");
        assertEquals(3 * ITERATIONS, deep.getIterationCount(), "the network counts every stage's iterations");
        assertTrue(ten >= two - 0.02, "10 layers grown " + ten + " against 2 layers " + two);
        assertTrue(two > 1.5 / CLASSES, "the 2-layer network learns: " + two);
        // why growth is the default (algorithms.md 1.1): the same 10 layers from their random initialisation
        assertTrue(tenWithoutGrowth < ten - 0.2, "10 layers without growth " + tenWithoutGrowth);
    }

    @Test
    void withoutGrowthTheTrainerIsTheEngineAtFullDepth() {
        DataSet[] data = trainAndTest();
        MultiLayerNetwork net = network(5, DataType.DOUBLE);
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int l = 0; l < 5; l++) {
            weights.add(net.getLayer(l).getParam("W").dup());
            biases.add(net.getLayer(l).getParam("b").dup().reshape(1, -1));
        }
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).mu(1).iterations(15)
                .build().fit(net, data[0]);

        PdAdmmConfig config = PdAdmmConfig.builder().mu(1).iterations(15).dataType(DataType.DOUBLE).build();
        try (PdAdmmEngine engine = new PdAdmmEngine(result.architecture(), config, data[0].getFeatures(),
                data[0].getLabels(), weights, biases)) {
            engine.fit();
            for (int l = 1; l <= 5; l++) {
                assertEquals(engine.weight(l), result.weights().get(l - 1), "W_" + l + " is the engine's");
                assertArrayEquals(engine.weight(l).dup('c').ravel().toDoubleVector(), net.getLayer(l - 1)
                        .getParam("W").dup('c').ravel().toDoubleVector(), 0, "the network holds W_" + l);
            }
        }
        assertEquals(List.of(new GrowthStage(5, 15, 1)), result.stages());
    }

    @Test
    void aStageNetworkIsTheFullNetworkWithIdentityLayers() {
        DataSet[] data = trainAndTest();
        MultiLayerNetwork net = network(6, DataType.DOUBLE);
        List<String> outputs = new ArrayList<>();
        // during the 2-layer stage the listeners see the 6-layer network with identities between: the stage's function
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                if (iteration == 2) {
                    INDArray w3 = ((MultiLayerNetwork) model).getLayer(2).getParam("W");
                    outputs.add(w3.equalsWithEps(Nd4j.eye(HIDDEN).castTo(DataType.DOUBLE), 0) ? "identity" : "other");
                }
            }
        });
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().iterations(4).validationFrequency(1).build()
                .fit(net, data[0], data[2]);
        assertEquals(List.of("identity"), outputs);
        assertEquals(3, result.stages().size());
        assertTrue(result.bestValidationIteration() >= 8 && result.bestValidationIteration() < 12,
                "the iterate is chosen in the full-depth stage: " + result.bestValidationIteration());
    }

    @Test
    void whatCannotBeGrownIsSaidAndTrainedAtFullDepth() {
        DataSet[] data = trainAndTest();
        PdAdmmTrainer trainer = new PdAdmmTrainer.Builder().iterations(2).build();

        MultiLayerNetwork unequal = new MultiLayerNetwork(Networks.base(DataType.FLOAT).list()
                .layer(Networks.dense(FEATURES, 16)).layer(Networks.dense(16, 8)).layer(Networks.dense(8, 8))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build()).build());
        unequal.init();
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(unequal);
        String warning = trainer.growthWarning(adapter).orElseThrow();
        assertTrue(warning.contains("equal hidden widths") && warning.contains("[16, 8, 8]")
                && warning.contains("growth none"), warning);
        assertEquals(1, trainer.stagesFor(adapter).size());
        assertEquals(2, trainer.fit(unequal, data[0]).history().size());

        MultiLayerNetwork trained = network(4, DataType.FLOAT);
        trained.fit(data[0]);
        warning = trainer.growthWarning(new MultiLayerNetworkAdapter(trained)).orElseThrow();
        assertTrue(warning.contains("trained before") && warning.contains("GrowthPolicy.none()"), warning);
        assertEquals(1, trainer.stagesFor(new MultiLayerNetworkAdapter(trained)).size());

        MultiLayerNetwork fresh = network(4, DataType.FLOAT);
        assertTrue(trainer.growthWarning(new MultiLayerNetworkAdapter(fresh)).isEmpty());
        warning = new PdAdmmTrainer.Builder().mu(3).build().growthWarning(new MultiLayerNetworkAdapter(fresh))
                .orElseThrow();
        assertTrue(warning.contains("mu(3.0) is not used") && warning.contains("withWeightDecays"), warning);
    }

    @Test
    void aRunInterruptedInAGrowthStageResumesToTheUninterruptedWeights() {
        DataSet[] data = trainAndTest();
        MultiLayerNetwork straight = network(6, DataType.DOUBLE);
        new PdAdmmTrainer.Builder().iterations(6).build().fit(straight, data[0]);

        MultiLayerNetwork crashed = network(6, DataType.DOUBLE);
        crashed.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                if (iteration == 9) {  // in the 5-layer stage, after its checkpoint of iteration 2
                    throw new IllegalStateException("injected crash");
                }
            }
        });
        PdAdmmTrainer checkpointing = new PdAdmmTrainer.Builder().iterations(6).checkpoints(directory, 2).build();
        assertThrows(IllegalStateException.class, () -> checkpointing.fit(crashed, data[0]));

        MultiLayerNetwork resumed = network(6, DataType.DOUBLE);
        PdAdmmTrainingResult result = checkpointing.resume(resumed, data[0], directory);
        assertEquals(List.of(new GrowthStage(5, 6, 1), new GrowthStage(6, 6, 0.01)), result.stages());
        double difference = straight.params().sub(resumed.params()).amaxNumber().doubleValue();
        assertEquals(0, difference, 1e-9, "parameters differ by " + difference);
        IterationMetrics last = result.last();
        assertEquals(5, last.iteration());
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> checkpointing.fit(network(6, DataType.DOUBLE), data[0]));
        assertTrue(again.getMessage().contains("resume"), again.getMessage());
    }

    @Test
    void growthPoliciesAreValidatedAndReadBack() {
        assertEquals(List.of(new GrowthStage(2, 50, 10), new GrowthStage(4, 50, 1)),
                GrowthPolicy.standard().stages(4, 50, 3));
        assertEquals(List.of(new GrowthStage(2, 50, 3)), GrowthPolicy.standard().stages(2, 50, 3));
        assertEquals(List.of(new GrowthStage(2, 20, 10), new GrowthStage(5, 20, 1), new GrowthStage(8, 50, 0.01)),
                GrowthPolicy.standard().withStageIterations(20).stages(8, 50, 3));
        for (GrowthPolicy p : List.of(GrowthPolicy.none(), GrowthPolicy.standard(),
                GrowthPolicy.of(new int[]{2, 4, 7}, new double[]{10, 3, 0.3, 0.01}, 100))) {
            assertEquals(p, GrowthPolicy.parse(p.toString()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrowthPolicy.of(new int[]{2, 5}, new double[]{10, 1}, 0));
        assertTrue(e.getMessage().contains("one weight decay per growth stage"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrowthPolicy.of(new int[]{5, 2}, new double[]{1, 1, 1},
                0));
        assertTrue(e.getMessage().contains("strictly increasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrowthPolicy.parse("2,5"));
        assertTrue(e.getMessage().contains("DEPTHS:DECAYS"), e.getMessage());
    }
}
