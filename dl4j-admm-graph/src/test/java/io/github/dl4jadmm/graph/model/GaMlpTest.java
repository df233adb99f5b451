package io.github.dl4jadmm.graph.model;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaMlpTest {

    @Test
    void defaultIsNineHiddenLayersOfHundredAndASoftmaxOutput() {
        MultiLayerNetwork net = GaMlp.builder().nIn(35).nOut(7).build().createNetwork();
        assertEquals(10, net.getnLayers());
        for (int i = 0; i < 9; i++) {
            DenseLayer dense = (DenseLayer) net.getLayerWiseConfigurations().getConf(i).getLayer();
            assertEquals(i == 0 ? 35 : 100, dense.getNIn());
            assertEquals(100, dense.getNOut());
            assertInstanceOf(ActivationReLU.class, dense.getActivationFn());
            assertInstanceOf(WeightInitXavier.class, ((BaseLayer) dense).getWeightInitFn());
        }
        OutputLayer output = (OutputLayer) net.getLayerWiseConfigurations().getConf(9).getLayer();
        assertEquals(100, output.getNIn());
        assertEquals(7, output.getNOut());
        assertInstanceOf(ActivationSoftmax.class, output.getActivationFn());
        assertInstanceOf(LossMCXENT.class, output.getLossFn());
    }

    @Test
    void builderRejectsIncompleteOrContradictorySettings() {
        assertThrows(IllegalStateException.class, () -> GaMlp.builder().nIn(3).build());
        assertThrows(IllegalStateException.class,
                () -> GaMlp.builder().nIn(3).nOut(2).numLayers(3).hiddenLayerSizes(4, 4).build());
        assertThrows(IllegalArgumentException.class, () -> GaMlp.builder().hiddenWidth(0));
        assertArrayEquals(new int[] {8, 4}, GaMlp.builder().nIn(3).nOut(2).hiddenLayerSizes(8, 4).build()
                .hiddenSizes());
    }

    @Test
    void dl4jFitImprovesTrainingAccuracyOnATinyGraph() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(0, 1, 2).build())
                .augment(communityGraph());
        MultiLayerNetwork net = GaMlp.builder().forSplits(splits).numLayers(3).hiddenWidth(32)
                .updater(new Adam(0.01)).seed(7).build().createNetwork();
        DataSet train = splits.dataSet(SplitPart.TRAIN);

        double before = accuracy(net.output(train.getFeatures()), train.getLabels(), splits.numClasses());
        for (int epoch = 0; epoch < 40; epoch++) {
            net.fit(train);
        }
        double after = accuracy(net.output(train.getFeatures()), train.getLabels(), splits.numClasses());

        assertTrue(after > before, "training accuracy should improve: " + before + " -> " + after);
        assertTrue(after >= 0.9, "training accuracy after 40 Adam steps: " + after);
    }

    @Test
    void computationGraphVariantTakesOneInputPerHop() {
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.builder().powers(2, 1, 0).build())
                .augment(communityGraph());
        GaMlp mlp = GaMlp.builder().forSplits(splits).numLayers(2).hiddenWidth(16).build();
        ComputationGraph graph = mlp.createGraph(splits.powers(), splits.blockWidth());

        assertEquals(List.of("hop2", "hop1", "hop0"), graph.getConfiguration().getNetworkInputs());
        graph.fit(splits.multiDataSet(SplitPart.TRAIN));
        INDArray output = graph.outputSingle(splits.multiDataSet(SplitPart.TEST).getFeatures());
        assertArrayEquals(new long[] {splits.features(SplitPart.TEST).rows(), 3}, output.shape());
        assertThrows(IllegalArgumentException.class, () -> mlp.graphConfiguration(List.of(0, 1), 4));
    }

    private static double accuracy(INDArray predictions, INDArray labels, int classes) {
        Evaluation evaluation = new Evaluation(classes);
        evaluation.eval(labels, predictions);
        return evaluation.accuracy();
    }

    /**
     * 90 nodes in 3 communities (30 each); each node links to 3 random nodes of its own community and, with
     * probability 0.2, to one random node elsewhere. Features: 6 noisy bits, where class c raises the chance of
     * bits 2c and 2c+1. Split: 10 per class / 15 / 30.
     */
    static GraphDataset communityGraph() {
        Random random = new Random(3);
        int nodes = 90;
        int classes = 3;
        int[] labels = new int[nodes];
        float[][] features = new float[nodes][6];
        for (int node = 0; node < nodes; node++) {
            labels[node] = node % classes;
            for (int bit = 0; bit < 6; bit++) {
                double p = bit / 2 == labels[node] ? 0.6 : 0.2;
                features[node][bit] = random.nextDouble() < p ? 1 : 0;
            }
        }
        int[] sources = new int[4 * nodes];
        int[] targets = new int[4 * nodes];
        int edges = 0;
        for (int node = 0; node < nodes; node++) {
            for (int k = 0; k < 3; k++) {
                sources[edges] = node;
                targets[edges++] = random.nextInt(nodes / classes) * classes + labels[node];
            }
            if (random.nextDouble() < 0.2) {
                sources[edges] = node;
                targets[edges++] = random.nextInt(nodes);
            }
        }
        return GraphDataset.builder().name("communities").features(CsrMatrix.fromDense(features, 6))
                .edges(Arrays.copyOf(sources, edges), Arrays.copyOf(targets, edges))
                .labels(labels).split(NodeSplit.random(labels, classes, 10, 15, 30, 5)).build();
    }
}
