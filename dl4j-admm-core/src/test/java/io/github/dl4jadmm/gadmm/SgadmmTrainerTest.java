package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

class SgadmmTrainerTest {

    private static final int FEATURES = 10;
    private static final int CLASSES = 4;

    @Test
    void quantisedSgadmmTrainsASmallNetworkToAgreeingAccurateWorkers() {
        DataSet train = SyntheticClassification.blobs(600, FEATURES, CLASSES, 1.0, 11);
        DataSet test = SyntheticClassification.blobs(400, FEATURES, CLASSES, 1.0, 11);
        MultiLayerNetwork net = NetworkSolverTest.mlp(FEATURES, 12, CLASSES, new Adam(0.02), 4);
        double before = new SgadmmTrainerAccuracy(net).on(test);
        List<Double> scores = new ArrayList<>();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                scores.add(model.score());
            }
        });
        GadmmConfig config = SgadmmTrainer.authorsConfig().iterations(8).threads(1).build();
        try (SgadmmTrainer trainer = SgadmmTrainer.builder(net).config(config).localSteps(5).batchSize(25)
                .build(SgadmmTrainer.shards(train, 3, 1))) {
            List<GadmmIterationMetrics> history = trainer.fit();
            double accuracy = trainer.evaluate(test).accuracy();
            assertTrue(accuracy > 0.75, "consensus accuracy " + accuracy + " (chance 0.25, before " + before + ")");
            double disagreement = trainer.relativeDisagreement();
            assertTrue(disagreement < 0.05, "workers' models differ by " + disagreement + " of the consensus norm");
            // the consensus is in the user's network
            assertArrayEquals(trainer.consensus(), net.params().castTo(DataType.DOUBLE).toDoubleVector(), 1e-6);
            // 8-bit codes and one 32-bit range per parameter tensor, each worker once per iteration
            long perMessage = 8L * net.numParams() + 32L * 4;
            assertEquals(8 * 3 * perMessage, history.get(7).paperBits());
            assertEquals(8, scores.size(), "DL4J listeners see one iteration per ADMM iteration");
            assertTrue(scores.get(7) < scores.get(0), "the workers' mean score goes down: " + scores);
            assertEquals(1, net.getEpochCount());
        }
    }

    @Test
    void badInputFailsWithAMessageSayingWhatToChange() {
        DataSet data = SyntheticClassification.blobs(40, FEATURES, CLASSES, 2.0, 1);
        MultiLayerNetwork net = NetworkSolverTest.mlp(FEATURES, 4, CLASSES, new Adam(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SgadmmTrainer.builder(net).build(List.of(data)));
        assertTrue(e.getMessage().contains("at least 2 workers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SgadmmTrainer.shards(data, 1, 0));
        assertTrue(e.getMessage().contains("at least 2 workers"), e.getMessage());
        DataSet narrow = SyntheticClassification.blobs(40, FEATURES - 1, CLASSES, 2.0, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> SgadmmTrainer.builder(net).build(List.of(data, narrow)));
        assertTrue(e.getMessage().contains("shard 2 has 9 feature"), e.getMessage());
        MultiLayerNetwork uninitialised = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(2).build()).build());
        e = assertThrows(IllegalArgumentException.class, () -> SgadmmTrainer.builder(uninitialised));
        assertTrue(e.getMessage().contains("call net.init()"), e.getMessage());
    }

    /** Accuracy of a network on a data set, before any training. */
    private record SgadmmTrainerAccuracy(MultiLayerNetwork net) {
        double on(DataSet data) {
            org.nd4j.evaluation.classification.Evaluation e = new org.nd4j.evaluation.classification.Evaluation();
            e.eval(data.getLabels(), net.output(data.getFeatures(), false));
            return e.accuracy();
        }
    }
}
