package io.github.dl4jadmm.graph.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.trainer.PdAdmmTrainer;
import io.github.dl4jadmm.trainer.UnsupportedNetworkException;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Every graph pdADMM-G cannot train is refused before any work, naming the vertex and the reason. */
class UnsupportedGraphsTest {

    private static ComputationGraphConfiguration.GraphBuilder graph(String... inputs) {
        return new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs(inputs);
    }

    private static DenseLayer dense(int nIn, int nOut) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
    }

    private static OutputLayer output(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(3)
                .activation(Activation.SOFTMAX).build();
    }

    private static ComputationGraph build(ComputationGraphConfiguration.GraphBuilder builder, String... outputs) {
        ComputationGraph graph = new ComputationGraph(builder.setOutputs(outputs).build());
        graph.init();
        return graph;
    }

    /** Asserts that the adapter and the trainer refuse {@code graph}, naming {@code culprit} and {@code reason}. */
    private static void assertRefused(ComputationGraph graph, String culprit, String reason) {
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new ComputationGraphAdapter(graph));
        assertEquals(culprit, e.culprit(), e.getMessage());
        assertTrue(e.getMessage().contains(culprit + " "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT)), e.getMessage());
        INDArray before = graph.params().dup();
        DataSet data = SyntheticClassification.blobs(30, 8, 3, 4.0, 1);
        MultiDataSet mds = new MultiDataSet(new INDArray[]{data.getFeatures()}, new INDArray[]{data.getLabels()});
        assertThrows(UnsupportedNetworkException.class,
                () -> new PdAdmmGraphTrainer(new PdAdmmTrainer.Builder().iterations(1).build()).fit(graph, mds));
        assertEquals(before, graph.params(), "nothing was trained");
    }

    @Test
    void elementWiseVerticesAreRefused() {
        assertRefused(build(graph("a", "b")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("dense", dense(8, 8), "add")
                .addLayer("output", output(8), "dense"), "output"), "vertex \"add\"", "ElementWiseVertex");
    }

    @Test
    void otherVerticesAreRefused() {
        assertRefused(build(graph("in")
                .addLayer("dense", dense(8, 8), "in")
                .addVertex("scale", new ScaleVertex(2.0), "dense")
                .addLayer("output", output(8), "scale"), "output"), "vertex \"scale\"", "ScaleVertex");
    }

    @Test
    void aMergeOfAnythingButNetworkInputsIsRefused() {
        assertRefused(build(graph("a", "b")
                .addLayer("dense", dense(8, 8), "a")
                .addVertex("merge", new MergeVertex(), "dense", "b")
                .addLayer("output", output(16), "merge"), "output"), "vertex \"merge\"", "MergeVertex of [dense, b]");
    }

    @Test
    void branchesAreRefused() {
        assertRefused(build(graph("in")
                .addLayer("dense0", dense(8, 8), "in")
                .addLayer("dense1", dense(8, 8), "dense0")
                .addVertex("skip", new MergeVertex(), "dense0", "dense1")
                .addLayer("output", output(16), "skip"), "output"), "vertex \"dense0\"", "feeds 2 vertices");
    }

    @Test
    void twoOutputsAreRefused() {
        assertRefused(build(graph("in")
                .addLayer("dense", dense(8, 8), "in")
                .addLayer("out1", output(8), "dense")
                .addLayer("out2", output(8), "dense"), "out1", "out2"), "the graph", "2 outputs");
    }

    @Test
    void anInputOutsideTheChainIsRefused() {
        assertRefused(build(graph("a", "b")
                .allowDisconnected(true)
                .addLayer("dense", dense(8, 8), "a")
                .addLayer("output", output(8), "dense"), "output"), "input \"b\"", "not used");
    }

    @Test
    void layerRefusalsNameTheVertex() {
        assertRefused(build(graph("in")
                .addLayer("dense0", new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.RELU).dropOut(0.8)
                        .build(), "in")
                .addLayer("output", output(8), "dense0"), "output"), "vertex \"dense0\"", "dropout");
    }

    @Test
    void convolutionLayerVerticesAreRefused() {
        assertRefused(build(graph("in")
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nIn(1).nOut(2).build(), "in")
                .addLayer("output", output(8), "conv"), "output"), "vertex \"conv\"", "ConvolutionLayer");
    }

    @Test
    void preprocessorsAreRefused() {
        ComputationGraphConfiguration conf = graph("in")
                .addLayer("dense", dense(8, 8), "in")
                .addLayer("output", output(8), "dense")
                .setOutputs("output").build();
        // set after build(), which would check the preprocessor against the input type
        ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get("output"))
                .setPreProcessor(new CnnToFeedForwardPreProcessor(2, 2, 2));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        assertRefused(graph, "vertex \"output\"", "CnnToFeedForwardPreProcessor");
    }

    @Test
    void anUninitialisedGraphIsRefused() {
        ComputationGraph graph = new ComputationGraph(graph("in").addLayer("output", output(8), "in")
                .setOutputs("output").build());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationGraphAdapter(graph));
        assertTrue(e.getMessage().contains("graph.init()"), e.getMessage());
    }
}
