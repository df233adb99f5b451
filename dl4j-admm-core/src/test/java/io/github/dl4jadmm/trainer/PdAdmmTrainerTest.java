package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.pdadmm.WStep;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PdAdmmTrainerTest {

    private static final DataSet DATA = Networks.blobs(7);

    @TempDir
    Path temp;

    private static PdAdmmTrainer trainer(int iterations) {
        return new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).nu(1).rho(5).mu(0.01).iterations(iterations).build();
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void trainsAnExistingNetworkWhoseOutputIsTheEngineForwardPass() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        PdAdmmTrainingResult result = trainer(50).fit(net, DATA);

        assertEquals(50, result.history().size());
        assertEquals(DataType.FLOAT, result.config().dataType(), "the data type follows the network's");
        Evaluation evaluation = net.evaluate(new ListDataSetIterator<>(DATA.asList(), 50));
        assertTrue(evaluation.accuracy() >= 0.95, "training accuracy " + evaluation.accuracy());

        // the network's own forward pass is the engine's forward pass with the trained weights
        try (PdAdmmEngine engine = new PdAdmmEngine(result.architecture(), result.config(), DATA.getFeatures(),
                DATA.getLabels(), result.weights(), result.biases())) {
            INDArray expected = engine.output(DATA.getFeatures());
            INDArray actual = net.output(DATA.getFeatures());
            assertTrue(maxDifference(expected, actual) < 1e-5, "outputs differ by " + maxDifference(expected, actual));
            assertEquals(engine.accuracy(DATA.getFeatures(), DATA.getLabels()), evaluation.accuracy(), 1e-9);
        }
        assertEquals(result.last().trainLoss(), net.score(DATA), 1e-4 * Math.max(1, result.last().trainLoss()));
    }

    @Test
    void quantisedTransfersAndTheExactWStepAreSetThroughTheBuilder() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        QuantizerConfig grid = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(8).build();
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().nu(1).rho(5).mu(0.01).iterations(40)
                .quantizer(grid).projectQ(true).wStep(WStep.EXACT).build().fit(net, DATA);
        assertEquals(grid, result.config().quantizer());
        assertTrue(result.config().projectQ());
        assertEquals(WStep.EXACT, result.config().wStep());
        Evaluation evaluation = net.evaluate(new ListDataSetIterator<>(DATA.asList(), 50));
        assertTrue(evaluation.accuracy() >= 0.90, "training accuracy " + evaluation.accuracy());
    }

    @Test
    void theTrainedNetworkSerialisesAndFineTunesWithAdam() throws Exception {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        trainer(40).fit(net, DATA);
        INDArray admmOutput = net.output(DATA.getFeatures());

        File file = temp.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(0, maxDifference(admmOutput, restored.output(DATA.getFeatures())), 1e-7);

        INDArray before = net.params().dup();
        double scoreBefore = net.score(DATA);
        for (int i = 0; i < 5; i++) {
            net.fit(DATA);
        }
        assertNotEquals(0.0, maxDifference(before, net.params()), "Adam changed the parameters");
        assertTrue(Double.isFinite(net.score(DATA)) && net.score(DATA) < scoreBefore * 1.5 + 1e-3,
                "fine-tuning kept a sensible loss: " + scoreBefore + " -> " + net.score(DATA));
        double accuracy = net.evaluate(new ListDataSetIterator<>(DATA.asList(), 150)).accuracy();
        assertTrue(accuracy >= 0.9, "accuracy after fine-tuning " + accuracy);
    }

    @Test
    void anIteratorIsConcatenatedIntoOneFullBatch() {
        MultiLayerNetwork fromDataSet = Networks.classifier(DataType.DOUBLE);
        MultiLayerNetwork fromIterator = Networks.classifier(DataType.DOUBLE);
        trainer(5).fit(fromDataSet, DATA);
        trainer(5).fit(fromIterator, new ListDataSetIterator<>(DATA.asList(), 32));
        assertEquals(0, maxDifference(fromDataSet.params(), fromIterator.params()), 1e-10);
    }

    @Test
    void aDoubleNetworkTrainsInDoubleAndTheWeightsLandInItsOwnViews() {
        MultiLayerNetwork net = Networks.classifier(DataType.DOUBLE);
        INDArray flat = net.params();
        INDArray view = net.getLayer(1).getParam("W");
        PdAdmmTrainingResult result = trainer(3).fit(net, DATA);
        assertEquals(DataType.DOUBLE, result.config().dataType());
        assertTrue(flat == net.params(), "the flat parameter buffer was not replaced");
        assertTrue(view == net.getLayer(1).getParam("W"), "the view was not replaced");
        assertEquals(0, maxDifference(result.weights().get(1), view), 0.0);
        assertEquals(0, maxDifference(result.biases().get(3).reshape(net.getLayer(3).getParam("b").shape()),
                net.getLayer(3).getParam("b")), 0.0);
    }

    @Test
    void squaredErrorRegressionScoresAsDl4jDoes() {
        MultiLayerNetwork net = Networks.of(Networks.dense(Networks.FEATURES, 8),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(2).activation(Activation.IDENTITY)
                        .build());
        INDArray x = DATA.getFeatures();
        INDArray y = x.getColumns(0, 1).mul(2).addi(x.getColumns(2, 3));
        DataSet regression = new DataSet(x, y);
        List<Double> scores = new ArrayList<>();
        net.setListeners(new AdmmTrainingListener() {
            @Override
            public void onAdmmIteration(org.deeplearning4j.nn.api.Model model, io.github.dl4jadmm.pdadmm.IterationMetrics m) {
                scores.add(model.score());
            }
        });
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().iterations(30).build().fit(net, regression);
        assertEquals(result.config().iterations(), scores.size());
        assertTrue(scores.get(29) < scores.get(0), "loss went down: " + scores.get(0) + " -> " + scores.get(29));
        // the score listeners saw is DL4J's MSE of the network as it stands
        net.setListeners();
        assertEquals(net.score(regression), scores.get(29), 1e-4 * Math.max(1, scores.get(29)));
    }

    @Test
    void validationKeepsTheBestIterate() {
        DataSet validation = Networks.blobs(8);
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(20).validationFrequency(2).build()
                .fit(net, DATA, validation);
        assertTrue(result.bestValidationIteration() >= 0 && result.bestValidationIteration() < 20);
        assertEquals(0, result.bestValidationIteration() % 2);
        double accuracy = net.evaluate(new ListDataSetIterator<>(validation.asList(), 150)).accuracy();
        assertEquals(result.bestValidationAccuracy(), accuracy, 1e-6, "the network holds the selected iterate");
    }

    @Test
    void weightsAreWrittenEveryKIterationsAndAlwaysAtTheEnd() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        PdAdmmTrainingResult result = new PdAdmmTrainer.Builder().iterations(7).weightSyncFrequency(5).build()
                .fit(net, DATA);
        for (int l = 1; l <= 4; l++) {
            assertEquals(0, maxDifference(result.weights().get(l - 1), net.getLayer(l - 1).getParam("W")), 0.0);
        }
    }

    @Test
    void aRunOverTheMemoryBudgetIsRefusedBeforeAnyWork() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        INDArray before = net.params().dup();
        PdAdmmTrainer small = new PdAdmmTrainer.Builder().memoryBudget(64 * 1024).build();
        MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                () -> small.fit(net, DATA));
        assertTrue(e.getMessage().contains("N = 150 rows") && e.getMessage().contains("Remedies")
                && e.getMessage().contains("64.0 KiB"), e.getMessage());
        assertEquals(small.estimateMemory(new MultiLayerNetworkAdapter(net), 150), e.estimate());
        assertEquals(before, net.params());
    }

    @Test
    void theDefaultBudgetComesFromJavaCppsLimits() {
        long budget = new PdAdmmTrainer.Builder().build().memoryBudget();
        assertTrue(budget > 0 && budget <= org.bytedeco.javacpp.Pointer.maxBytes(), "budget " + budget);
    }

    @Test
    void builderSettingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new PdAdmmTrainer.Builder().weightSyncFrequency(0).build());
        assertThrows(IllegalArgumentException.class, () -> new PdAdmmTrainer.Builder().iterationsPerEpoch(0).build());
        assertThrows(IllegalArgumentException.class, () -> new PdAdmmTrainer.Builder().nu(-1).build());
        assertThrows(IllegalArgumentException.class, () -> new PdAdmmTrainer.Builder().checkpoints(temp, 0).build());
        assertThrows(IllegalArgumentException.class, () -> new PdAdmmTrainer.Builder().memoryBudget(0).build());
    }
}
