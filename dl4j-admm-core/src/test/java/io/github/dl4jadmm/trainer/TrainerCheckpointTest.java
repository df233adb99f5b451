package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.PdAdmmCheckpoint;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

class TrainerCheckpointTest {

    private static final DataSet DATA = Networks.blobs(5);

    @TempDir
    Path directory;

    private PdAdmmTrainer checkpointing() {
        return new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).mu(0.01).iterations(20).checkpoints(directory, 10).build();
    }

    /** Simulates a crash: the run dies in the listener of iteration 12, after the checkpoint of iteration 10. */
    private static final class Crash implements AdmmTrainingListener {
        @Override
        public void onAdmmIteration(Model model, IterationMetrics metrics) {
            if (metrics.iteration() == 12) {
                throw new IllegalStateException("simulated crash");
            }
        }
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() {
        MultiLayerNetwork straight = Networks.classifier(DataType.DOUBLE);
        PdAdmmTrainingResult uninterrupted = new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).mu(0.01).iterations(20).build()
                .fit(straight, DATA);

        MultiLayerNetwork crashed = Networks.classifier(DataType.DOUBLE);
        crashed.setListeners(new Crash());
        assertThrows(IllegalStateException.class, () -> checkpointing().fit(crashed, DATA));
        assertEquals(List.of(directory.resolve("checkpoint-000000010")), listCheckpoints());

        // a new process: a fresh network of the same architecture, resumed from the checkpoint
        MultiLayerNetwork resumedNet = Networks.classifier(DataType.DOUBLE);
        PdAdmmTrainingResult resumed = checkpointing().resume(resumedNet, DATA, directory);

        assertEquals(10, resumed.history().size());
        assertEquals(10, resumed.history().get(0).iteration());
        for (int i = 0; i < 10; i++) {
            IterationMetrics expected = uninterrupted.history().get(10 + i);
            IterationMetrics actual = resumed.history().get(i);
            assertEquals(expected.augmentedLagrangian(), actual.augmentedLagrangian(),
                    1e-9 * Math.abs(expected.augmentedLagrangian()));
            assertEquals(expected.bytesSent(), actual.bytesSent(), "bytes are counted across the resume");
        }
        double difference = straight.params().sub(resumedNet.params()).amaxNumber().doubleValue();
        assertTrue(difference < 1e-6, "parameters differ by " + difference);
        assertEquals(directory.resolve("checkpoint-000000020"), resumed.lastCheckpoint());
    }

    @Test
    void aFreshRunRefusesADirectoryHoldingAnotherRunsCheckpoints() {
        checkpointing().fit(Networks.classifier(DataType.DOUBLE), DATA);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> checkpointing().fit(Networks.classifier(DataType.DOUBLE), DATA));
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
    }

    @Test
    void resumingOnAnotherArchitectureIsRefused() {
        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(2).checkpoints(directory, 1).build()
                .fit(Networks.classifier(DataType.FLOAT), DATA);
        MultiLayerNetwork other = Networks.of(Networks.dense(Networks.FEATURES, 8), Networks.softmaxOutput(8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> checkpointing().resume(other, DATA, directory));
        assertTrue(e.getMessage().contains("but the network is"), e.getMessage());
    }

    private List<Path> listCheckpoints() {
        try {
            return PdAdmmCheckpoint.list(directory);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
