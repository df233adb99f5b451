package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link MultiLayerNetwork} as a pdADMM-G chain: each {@code DenseLayer} is a hidden block and the final
 * {@code OutputLayer} the output block. Layers are checked in order by {@link DenseLayerSpec#inspect}; an input
 * preprocessor on any layer is refused too. The network must be initialised ({@code net.init()}).
 */
public final class MultiLayerNetworkAdapter implements NetworkAdapter {

    private final MultiLayerNetwork network;
    private final MlpArchitecture architecture;
    private final List<String> names = new ArrayList<>();

    /**
     * Walks the network.
     *
     * @throws UnsupportedNetworkException naming the first layer that pdADMM-G cannot train, and why
     * @throws IllegalStateException       if the network was not initialised
     */
    public MultiLayerNetworkAdapter(MultiLayerNetwork network) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (network.params() == null || network.getLayers() == null) {
            throw new IllegalStateException("the MultiLayerNetwork is not initialised; call net.init() first");
        }
        this.network = network;
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        int count = conf.getConfs().size();
        List<DenseLayerSpec> chain = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Layer layer = conf.getConf(i).getLayer();
            String culprit = culprit(i, layer);
            InputPreProcessor preProcessor = conf.getInputPreProcess(i);
            if (preProcessor != null) {
                throw new UnsupportedNetworkException(culprit, "has an input preprocessor ("
                        + preProcessor.getClass().getSimpleName() + "); pdADMM-G needs plain [N, nIn] inputs on every "
                        + "layer: reshape the data beforehand and remove the preprocessor (or the setInputType(...) "
                        + "that added it)");
            }
            chain.add(DenseLayerSpec.inspect(layer, culprit, i == count - 1));
            names.add(culprit);
        }
        this.architecture = DenseLayerSpec.architecture(chain);
    }

    private static String culprit(int index, Layer layer) {
        String name = layer == null ? null : layer.getLayerName();
        // DL4J names unnamed layers "layer<index>"; repeating that says nothing
        boolean unnamed = name == null || name.isEmpty() || name.equals("layer" + index)
                || name.equals(String.valueOf(index));
        return unnamed ? "layer " + index : "layer " + index + " \"" + name + "\"";
    }

    @Override
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public MlpArchitecture architecture() {
        return architecture;
    }

    @Override
    public DataType dataType() {
        return network.params().dataType();
    }

    @Override
    public String describeLayer(int layer) {
        return names.get(layer - 1);
    }

    @Override
    public INDArray weightView(int layer) {
        return network.getLayer(layer - 1).getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    @Override
    public INDArray biasView(int layer) {
        return network.getLayer(layer - 1).getParam(DefaultParamInitializer.BIAS_KEY);
    }

    @Override
    public String weightKey(int layer) {
        return (layer - 1) + "_" + DefaultParamInitializer.WEIGHT_KEY;
    }

    @Override
    public String biasKey(int layer) {
        return (layer - 1) + "_" + DefaultParamInitializer.BIAS_KEY;
    }

    @Override
    public Collection<TrainingListener> listeners() {
        return network.getListeners();
    }

    @Override
    public void setInputAndLabels(INDArray features, INDArray labels) {
        network.setInput(features);
        network.setLabels(labels);
    }

    @Override
    public void setScore(double score) {
        network.setScore(score);
    }

    @Override
    public void setGradient(Gradient gradient) {
        network.setGradient(gradient);
    }

    @Override
    public int iterationCount() {
        return network.getIterationCount();
    }

    @Override
    public int epochCount() {
        return network.getEpochCount();
    }

    @Override
    public void incrementEpochCount() {
        network.incrementEpochCount();
    }

    @Override
    public void clearInputAndLabels() {
        network.clear();
    }
}
