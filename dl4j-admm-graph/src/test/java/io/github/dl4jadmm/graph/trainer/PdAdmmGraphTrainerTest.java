package io.github.dl4jadmm.graph.trainer;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.graph.model.GaMlp;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import io.github.dl4jadmm.trainer.AdmmTrainingListener;
import io.github.dl4jadmm.trainer.PdAdmmTrainer;
import io.github.dl4jadmm.trainer.PdAdmmTrainingResult;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PdAdmmGraphTrainerTest {

    private static final DataSet DATA = SyntheticClassification.blobs(150, 20, 3, 4.0, 7);
    /** The same rows as two hop blocks of 10 columns each, as a GA-MLP graph takes them. */
    private static final MultiDataSet HOPS = new MultiDataSet(
            new INDArray[]{columns(DATA.getFeatures(), 0, 10), columns(DATA.getFeatures(), 10, 20)},
            new INDArray[]{DATA.getLabels()});

    @TempDir
    Path temp;

    private static INDArray columns(INDArray x, int from, int to) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
    }

    private static ComputationGraph gaMlpGraph(DataType type) {
        return GaMlp.builder().nIn(20).nOut(3).numLayers(4).hiddenWidth(16).dataType(type).build()
                .createGraph(List.of(0, 1), 10);
    }

    private static PdAdmmGraphTrainer trainer(int iterations) {
        return new PdAdmmGraphTrainer(new PdAdmmTrainer.Builder().nu(1).rho(5).mu(0.01).iterations(iterations)
                .build());
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void trainsAGraphWithAMergeOfTwoInputs() {
        ComputationGraph graph = gaMlpGraph(DataType.FLOAT);
        PdAdmmTrainingResult result = trainer(50).fit(graph, HOPS);

        INDArray output = graph.outputSingle(HOPS.getFeatures());
        Evaluation evaluation = new Evaluation(3);
        evaluation.eval(DATA.getLabels(), output);
        assertTrue(evaluation.accuracy() >= 0.95, "training accuracy " + evaluation.accuracy());
        try (PdAdmmEngine engine = new PdAdmmEngine(result.architecture(), result.config(), DATA.getFeatures(),
                DATA.getLabels(), result.weights(), result.biases())) {
            INDArray expected = engine.output(DATA.getFeatures());
            assertTrue(maxDifference(expected, output) < 1e-5, "outputs differ by " + maxDifference(expected, output));
        }
    }

    @Test
    void theMergeVertexInputOrderDecidesTheColumnOrder() {
        // inputs declared a, b; merged b | a
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b")
                .addVertex("merge", new MergeVertex(), "b", "a")
                .addLayer("dense", new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.RELU).build(),
                        "merge")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("output").build());
        graph.init();
        INDArray a = columns(DATA.getFeatures(), 0, 7);
        INDArray b = columns(DATA.getFeatures(), 7, 20);
        MultiDataSet data = new MultiDataSet(new INDArray[]{a, b}, new INDArray[]{DATA.getLabels()});
        ComputationGraphAdapter adapter = new ComputationGraphAdapter(graph);
        assertEquals(List.of("b", "a"), adapter.inputOrder());
        INDArray merged = Nd4j.concat(1, b, a);
        assertEquals(merged, adapter.features(data));

        PdAdmmTrainingResult result = trainer(30).fit(graph, data);
        try (PdAdmmEngine engine = new PdAdmmEngine(result.architecture(), result.config(), merged,
                DATA.getLabels(), result.weights(), result.biases())) {
            assertTrue(maxDifference(engine.output(merged), graph.outputSingle(a, b)) < 1e-5);
        }
    }

    @Test
    void listenersSeeTheGraphsInputsScoreAndStep() {
        ComputationGraph graph = gaMlpGraph(DataType.FLOAT);
        List<String> events = new ArrayList<>();
        List<Gradient> gradients = new ArrayList<>();
        graph.setListeners(new BaseTrainingListener() {
            @Override
            public void onEpochStart(Model model) {
                events.add("epochStart");
            }

            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                ComputationGraph g = (ComputationGraph) model;
                events.add("iteration " + iteration + " epoch " + epoch);
                assertEquals(150, g.batchSize());
                assertEquals(HOPS.getFeatures(1), g.getInput(1), "the graph's inputs, split back");
                assertTrue(Double.isFinite(g.score()) && g.score() > 0);
                gradients.add(g.gradient());
            }

            @Override
            public void onEpochEnd(Model model) {
                events.add("epochEnd");
            }
        }, new AdmmTrainingListener() {
            @Override
            public void onAdmmIteration(Model model, IterationMetrics metrics) {
                events.add("admm " + metrics.iteration());
            }
        });
        new PdAdmmGraphTrainer(new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(3).build())
                .fit(graph, HOPS);

        assertEquals(List.of("epochStart", "iteration 0 epoch 0", "admm 0", "epochEnd",
                "epochStart", "iteration 1 epoch 1", "admm 1", "epochEnd",
                "epochStart", "iteration 2 epoch 2", "admm 2", "epochEnd"), events);
        assertEquals(3, graph.getIterationCount());
        assertEquals(3, graph.getEpochCount());
        assertEquals(Set.of("dense0_W", "dense0_b", "dense1_W", "dense1_b", "dense2_W", "dense2_b", "output_W",
                "output_b"), gradients.get(2).gradientForVariable().keySet());
    }

    @Test
    void theTrainedGraphSerialisesAndFineTunesWithAdam() throws Exception {
        ComputationGraph graph = gaMlpGraph(DataType.FLOAT);
        trainer(30).fit(graph, HOPS);
        INDArray admmOutput = graph.outputSingle(HOPS.getFeatures());

        File file = temp.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(0, maxDifference(admmOutput, restored.outputSingle(HOPS.getFeatures())), 1e-7);

        INDArray before = graph.params().dup();
        for (int i = 0; i < 3; i++) {
            graph.fit(HOPS);
        }
        assertNotEquals(0.0, maxDifference(before, graph.params()), "Adam changed the parameters");
        Evaluation evaluation = graph.evaluate(new SingletonMultiDataSetIterator(HOPS));
        assertTrue(evaluation.accuracy() >= 0.9, "accuracy after fine-tuning " + evaluation.accuracy());
    }

    @Test
    void anIteratorIsConcatenatedIntoOneFullBatch() {
        ComputationGraph fromData = gaMlpGraph(DataType.DOUBLE);
        ComputationGraph fromIterator = gaMlpGraph(DataType.DOUBLE);
        trainer(3).fit(fromData, HOPS);
        List<org.nd4j.linalg.dataset.api.MultiDataSet> batches = new ArrayList<>();
        for (int from = 0; from < 150; from += 50) {
            batches.add(new MultiDataSet(new INDArray[]{HOPS.getFeatures(0).get(NDArrayIndex.interval(from, from + 50),
                    NDArrayIndex.all()), HOPS.getFeatures(1).get(NDArrayIndex.interval(from, from + 50),
                    NDArrayIndex.all())}, new INDArray[]{DATA.getLabels().get(NDArrayIndex.interval(from, from + 50),
                    NDArrayIndex.all())}));
        }
        trainer(3).fit(fromIterator, new org.deeplearning4j.datasets.iterator.IteratorMultiDataSetIterator(
                batches.iterator(), 50));
        assertEquals(0, maxDifference(fromData.params(), fromIterator.params()), 1e-10);
    }

    @Test
    void aCheckpointedGraphRunResumes() {
        PdAdmmTrainer straightTrainer = new PdAdmmTrainer.Builder().iterations(6).build();
        ComputationGraph straight = gaMlpGraph(DataType.DOUBLE);
        new PdAdmmGraphTrainer(straightTrainer).fit(straight, HOPS);

        PdAdmmGraphTrainer checkpointing = new PdAdmmGraphTrainer(new PdAdmmTrainer.Builder().iterations(6)
                .checkpoints(temp, 3).build());
        ComputationGraph crashed = gaMlpGraph(DataType.DOUBLE);
        crashed.setListeners(new AdmmTrainingListener() {
            @Override
            public void onAdmmIteration(Model model, IterationMetrics metrics) {
                if (metrics.iteration() == 4) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        });
        assertThrows(IllegalStateException.class, () -> checkpointing.fit(crashed, HOPS));
        ComputationGraph resumed = gaMlpGraph(DataType.DOUBLE);
        // grown 2 -> 4 layers by default: the crash came in the 2-layer stage, after its checkpoint of iteration 3
        PdAdmmTrainingResult result = checkpointing.resume(resumed, HOPS, temp);
        assertEquals(2, result.stages().size());
        assertEquals(3 + 6, result.history().size());
        assertTrue(maxDifference(straight.params(), resumed.params()) < 1e-6);
    }

    @Test
    void theWrongNumberOfFeatureArraysIsRefused() {
        ComputationGraph graph = gaMlpGraph(DataType.FLOAT);
        MultiDataSet one = new MultiDataSet(new INDArray[]{DATA.getFeatures()}, new INDArray[]{DATA.getLabels()});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(1).fit(graph, one));
        assertTrue(e.getMessage().contains("2 inputs [hop0, hop1]") && e.getMessage().contains("1 feature arrays"),
                e.getMessage());
    }

    @Test
    void nanInOneInputIsRefusedBeforeTraining() {
        ComputationGraph graph = gaMlpGraph(DataType.FLOAT);
        INDArray before = graph.params().dup();
        INDArray hop1 = HOPS.getFeatures(1).dup();
        hop1.putScalar(5, 3, Double.NaN);
        MultiDataSet bad = new MultiDataSet(new INDArray[]{HOPS.getFeatures(0), hop1}, new INDArray[]{DATA.getLabels()});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(1).fit(graph, bad));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("row 5, column 13"), e.getMessage());
        assertEquals(before, graph.params());
    }
}
