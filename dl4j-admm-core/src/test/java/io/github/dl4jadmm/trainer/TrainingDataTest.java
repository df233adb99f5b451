package io.github.dl4jadmm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Data that do not fit the network fail with a clear message before training starts. */
class TrainingDataTest {

    private static final DataSet DATA = Networks.blobs(3);
    private static final PdAdmmTrainer TRAINER = new PdAdmmTrainer.Builder().iterations(2).build();

    /** Asserts that training fails with a message containing every fragment, and leaves the network untouched. */
    private static void assertRejected(DataSet data, String... fragments) {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        INDArray before = net.params().dup();
        assertMessage(() -> TRAINER.fit(net, data), fragments);
        assertEquals(before, net.params(), "nothing was trained");
        assertEquals(0, net.getIterationCount());
    }

    private static void assertMessage(Executable run, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void wrongFeatureCount() {
        assertRejected(new DataSet(DATA.getFeatures().getColumns(java.util.stream.IntStream.range(0, 19).toArray()),
                DATA.getLabels()), "features have 19 columns", "nIn = 20");
    }

    @Test
    void classIndicesInsteadOfOneHotLabels() {
        INDArray indices = Nd4j.argMax(DATA.getLabels(), 1).castTo(DataType.FLOAT).reshape(150, 1);
        assertRejected(new DataSet(DATA.getFeatures(), indices), "labels have 1 columns", "nOut = 3", "one-hot");
    }

    @Test
    void labelsThatAreNotOneHot() {
        INDArray labels = DATA.getLabels().dup();
        labels.putRow(4, Nd4j.createFromArray(0.5f, 0.5f, 0f));
        assertRejected(new DataSet(DATA.getFeatures(), labels), "one-hot", "row 4");
    }

    @Test
    void labelValuesOutOfRange() {
        INDArray labels = DATA.getLabels().dup();
        labels.putScalar(9, 2, 2.0);
        labels.putScalar(9, 0, 0);
        labels.putScalar(9, 1, 0);
        assertRejected(new DataSet(DATA.getFeatures(), labels), "one-hot", "row 9");
    }

    @Test
    void rowsWithoutAClass() {
        INDArray labels = DATA.getLabels().dup();
        labels.putRow(0, Nd4j.zeros(DataType.FLOAT, 3));
        assertRejected(new DataSet(DATA.getFeatures(), labels), "one-hot", "row 0");
    }

    @Test
    void nanInFeatures() {
        INDArray features = DATA.getFeatures().dup();
        features.putScalar(5, 7, Double.NaN);
        assertRejected(new DataSet(features, DATA.getLabels()), "features contain NaN or infinite values",
                "row 5, column 7");
    }

    @Test
    void infiniteFeatures() {
        INDArray features = DATA.getFeatures().dup();
        features.putScalar(140, 0, Double.POSITIVE_INFINITY);
        assertRejected(new DataSet(features, DATA.getLabels()), "NaN or infinite", "row 140, column 0");
    }

    @Test
    void labelRowsThatDoNotMatchFeatureRows() {
        assertRejected(new DataSet(DATA.getFeatures(), DATA.getLabels().getRows(0, 1, 2)), "[150, 3]");
    }

    @Test
    void masks() {
        DataSet masked = new DataSet(DATA.getFeatures(), DATA.getLabels(), Nd4j.ones(DataType.FLOAT, 150, 1), null);
        assertRejected(masked, "masks");
    }

    @Test
    void badValidationData() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        DataSet validation = new DataSet(DATA.getFeatures().getColumns(0, 1), DATA.getLabels());
        assertMessage(() -> TRAINER.fit(net, DATA, validation), "validation data", "features have 2 columns");
    }

    @Test
    void anEmptyIterator() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        assertMessage(() -> TRAINER.fit(net, new ListDataSetIterator<>(List.of(), 10)), "no batches");
    }

    @Test
    void batchesOfDifferentWidths() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        List<DataSet> batches = List.of(new DataSet(DATA.getFeatures().getRows(0, 1), DATA.getLabels().getRows(0, 1)),
                new DataSet(DATA.getFeatures().getRows(10, 11).getColumns(0, 1), DATA.getLabels().getRows(10, 11)));
        assertMessage(() -> TRAINER.fit(net, new ListDataSetIterator<>(batches, 1)), "batch 1", "feature");
    }
}
