package io.github.dl4jadmm.trainer;

import static io.github.dl4jadmm.trainer.Networks.CLASSES;
import static io.github.dl4jadmm.trainer.Networks.FEATURES;
import static io.github.dl4jadmm.trainer.Networks.HIDDEN;
import static io.github.dl4jadmm.trainer.Networks.dense;
import static io.github.dl4jadmm.trainer.Networks.softmaxOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.pdadmm.HiddenActivation;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import java.util.Locale;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Every configuration pdADMM-G cannot train is refused before any work, naming the layer and the reason. */
class UnsupportedNetworksTest {

    /** Asserts that the adapter and the trainer both refuse {@code net}, naming {@code culprit} and {@code reason}. */
    private static void assertRefused(MultiLayerNetwork net, String culprit, String reason) {
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new MultiLayerNetworkAdapter(net));
        assertEquals(culprit, e.culprit(), e.getMessage());
        assertTrue(e.getMessage().contains(culprit + " "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT)), e.getMessage());
        INDArray before = net.params().dup();
        assertThrows(UnsupportedNetworkException.class,
                () -> new PdAdmmTrainer.Builder().iterations(1).build().fit(net, Networks.blobs(1)));
        assertEquals(before, net.params(), "nothing was trained");
    }

    @Test
    void aSupportedChainIsAccepted() {
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(Networks.classifier(DataType.FLOAT));
        assertEquals(new MlpArchitecture(new int[]{FEATURES, HIDDEN, HIDDEN, HIDDEN, CLASSES}, HiddenActivation.relu(),
                OutputRisk.SOFTMAX_CROSS_ENTROPY), adapter.architecture());
        assertEquals("layer 0", adapter.describeLayer(1));
        assertEquals("3_W", adapter.weightKey(4));
    }

    @Test
    void convolutionLayersAreRefused() {
        assertRefused(Networks.of(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).build(), dense(8, HIDDEN),
                softmaxOutput(HIDDEN)), "layer 0", "is a ConvolutionLayer");
    }

    @Test
    void recurrentLayersAreRefused() {
        assertRefused(Networks.of(new LSTM.Builder().nIn(FEATURES).nOut(HIDDEN).build(), dense(HIDDEN, HIDDEN),
                softmaxOutput(HIDDEN)), "layer 0", "is a LSTM");
    }

    @Test
    void otherLayerTypesAreRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new BatchNormalization.Builder().nIn(HIDDEN).nOut(HIDDEN)
                .build(), softmaxOutput(HIDDEN)), "layer 1", "is a BatchNormalization");
    }

    @Test
    void dropoutIsRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new DenseLayer.Builder().nIn(HIDDEN).nOut(HIDDEN)
                .activation(Activation.RELU).dropOut(0.5).build(), softmaxOutput(HIDDEN)), "layer 1", "dropout");
    }

    @Test
    void layerNormIsRefused() {
        assertRefused(Networks.of(new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN).activation(Activation.RELU)
                .hasLayerNorm(true).build(), softmaxOutput(HIDDEN)), "layer 0", "layer normalisation");
    }

    @Test
    void preprocessorsAreRefused() {
        MultiLayerConfiguration conf = Networks.base(DataType.FLOAT).list()
                .layer(dense(FEATURES, HIDDEN))
                .layer(softmaxOutput(HIDDEN))
                .build();
        // added after build(), which would reject a preprocessor that does not fit the input type
        conf.getInputPreProcessors().put(1, new CnnToFeedForwardPreProcessor(4, 4, 1));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertRefused(net, "layer 1", "CnnToFeedForwardPreProcessor");
    }

    @Test
    void layersWithoutBiasAreRefused() {
        assertRefused(Networks.of(new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN).activation(Activation.RELU)
                .hasBias(false).build(), softmaxOutput(HIDDEN)), "layer 0", "no bias");
    }

    @Test
    void unsupportedHiddenActivationsAreRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new DenseLayer.Builder().nIn(HIDDEN).nOut(HIDDEN)
                .activation(Activation.SOFTPLUS).build(), softmaxOutput(HIDDEN)), "layer 1", "softplus");
    }

    @Test
    void cappedReluIsRefused() {
        assertRefused(Networks.of(new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN)
                .activation(new ActivationReLU(6.0, null, null)).build(), softmaxOutput(HIDDEN)), "layer 0", "max");
    }

    @Test
    void differentHiddenActivationsAreRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new DenseLayer.Builder().nIn(HIDDEN).nOut(HIDDEN)
                .activation(Activation.TANH).build(), softmaxOutput(HIDDEN)), "layer 1", "same activation");
    }

    @Test
    void unsupportedLossesAreRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                .nIn(HIDDEN).nOut(CLASSES).activation(Activation.SIGMOID).build()), "layer 1", "unsupported loss");
    }

    @Test
    void weightedCrossEntropyIsRefused() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new OutputLayer.Builder()
                .lossFunction(new LossMCXENT(Nd4j.createFromArray(1.0, 2.0, 3.0))).nIn(HIDDEN).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build()), "layer 1", "per-class weights");
    }

    @Test
    void anOutputActivationThatDoesNotMatchItsLossIsRefused() {
        assertRefused(Networks.of(false, dense(FEATURES, HIDDEN), new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(HIDDEN).nOut(CLASSES).activation(Activation.SIGMOID).build()), "layer 1", "with activation");
        assertRefused(Networks.of(false, dense(FEATURES, HIDDEN), new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                .nIn(HIDDEN).nOut(CLASSES).activation(Activation.SOFTMAX).build()), "layer 1", "with activation");
    }

    @Test
    void aChainMustEndInAnOutputLayer() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), dense(HIDDEN, CLASSES)), "layer 1", "must end in an "
                + "OutputLayer");
    }

    @Test
    void anOutputLayerMustBeLast() {
        assertRefused(Networks.of(softmaxOutput(FEATURES), dense(CLASSES, HIDDEN), softmaxOutput(HIDDEN)), "layer 0",
                "before the end");
    }

    @Test
    void weightNoiseIsRefused() {
        assertRefused(Networks.of(new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN).activation(Activation.RELU)
                .weightNoise(new DropConnect(0.5)).build(), softmaxOutput(HIDDEN)), "layer 0", "weight noise");
    }

    @Test
    void messagesNameNamedLayers() {
        assertRefused(Networks.of(dense(FEATURES, HIDDEN), new DenseLayer.Builder().name("hidden-two").nIn(HIDDEN)
                .nOut(HIDDEN).activation(Activation.RELU).dropOut(0.5).build(), softmaxOutput(HIDDEN)),
                "layer 1 \"hidden-two\"", "dropout");
    }

    @Test
    void anUninitialisedNetworkIsRefused() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(dense(FEATURES, HIDDEN)).layer(softmaxOutput(HIDDEN)).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new MultiLayerNetworkAdapter(net));
        assertTrue(e.getMessage().contains("net.init()"), e.getMessage());
    }
}
