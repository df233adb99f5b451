package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class NetworkSolverTest {

    static MultiLayerNetwork mlp(int in, int hidden, int out, IUpdater updater, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(in).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(out)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double[] params(MultiLayerNetwork net) {
        return net.params().castTo(DataType.DOUBLE).toDoubleVector();
    }

    @Test
    void withoutDualAndPenaltyTermsAStepIsExactlyNetFit() {
        DataSet data = SyntheticClassification.blobs(40, 6, 3, 2.0, 1);
        MultiLayerNetwork reference = mlp(6, 5, 3, new Adam(0.05), 3);
        MultiLayerNetwork replica = reference.clone();
        NetworkSolver solver = new NetworkSolver(replica, data, 3, 40, 1);
        double[] theta = solver.initialModel();
        solver.solve(theta, new double[theta.length], 0.0);
        for (int i = 0; i < 3; i++) {
            reference.fit(data);
        }
        assertArrayEquals(params(reference), theta, 1e-6);
        assertArrayEquals(params(reference), params(replica), 1e-6);
    }

    @Test
    void theAugmentedLagrangianTermEntersTheGradientUnscaled() {
        // with plain SGD (learning rate eta): theta+ = theta - eta (mean loss gradient + penalty theta - linear)
        double eta = 0.1;
        double penalty = 2.0 * 20;
        DataSet data = SyntheticClassification.blobs(30, 4, 2, 2.0, 2);
        MultiLayerNetwork reference = mlp(4, 3, 2, new Sgd(eta), 5);
        NetworkSolver solver = new NetworkSolver(reference.clone(), data, 1, 30, 1);
        double[] theta = solver.initialModel();
        double[] start = theta.clone();
        Random r = new Random(3);
        double[] linear = new double[theta.length];
        for (int i = 0; i < linear.length; i++) {
            linear[i] = r.nextGaussian();
        }
        solver.solve(theta, linear, penalty);
        reference.fit(data);
        double[] lossStep = params(reference);
        double[] expected = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            expected[i] = lossStep[i] - eta * (penalty * start[i] - linear[i]);
        }
        assertArrayEquals(expected, theta, 1e-5);
    }

    @Test
    void segmentsAreTheParameterTensorsInFlatOrder() {
        MultiLayerNetwork net = mlp(7, 5, 3, new Adam(), 1);
        assertArrayEquals(new int[]{35, 5, 15, 3}, NetworkSolver.parameterSegments(net));
    }

    @Test
    void nonGradientParametersAreRefused() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new BatchNormalization.Builder().nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkSolver.parameterSegments(net));
        assertTrue(e.getMessage().contains("not trained by its gradient"), e.getMessage());
    }
}
