package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.data.SyntheticClassification;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks and data for the trainer tests. */
final class Networks {

    static final int FEATURES = 20;
    static final int CLASSES = 3;
    static final int HIDDEN = 16;

    private Networks() {
    }

    /** Separable blobs: 150 rows, 20 features, 3 classes. */
    static DataSet blobs(long seed) {
        return SyntheticClassification.blobs(150, FEATURES, CLASSES, 4.0, seed);
    }

    static NeuralNetConfiguration.Builder base(DataType type) {
        return new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .dataType(type);
    }

    /** 3 DenseLayers (ReLU) and a softmax/MCXENT OutputLayer. */
    static MultiLayerNetwork classifier(DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(type).list()
                .layer(dense(FEATURES, HIDDEN))
                .layer(dense(HIDDEN, HIDDEN))
                .layer(dense(HIDDEN, HIDDEN))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(HIDDEN).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    static DenseLayer dense(int nIn, int nOut) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
    }

    static OutputLayer softmaxOutput(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build();
    }

    /** An initialised network of the given layers on the default base configuration. */
    static MultiLayerNetwork of(Layer... layers) {
        return of(true, layers);
    }

    /** As {@link #of(Layer...)}; {@code validateOutput = false} lets through output layers DL4J itself refuses. */
    static MultiLayerNetwork of(boolean validateOutput, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = base(DataType.FLOAT).list().validateOutputLayerConfig(validateOutput);
        for (Layer layer : layers) {
            list.layer(layer);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }
}
