package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.pdadmm.IterationMetrics;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.listeners.CheckpointListener;
import org.deeplearning4j.optimize.listeners.CollectScoresListener;
import org.deeplearning4j.optimize.listeners.PerformanceListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class TrainerListenersTest {

    private static final DataSet DATA = Networks.blobs(7);

    @TempDir
    Path temp;

    /** Records every DL4J callback with the network's counters, and checks what DL4J's fit would have set. */
    private static final class Recorder extends BaseTrainingListener {
        private final List<String> events;
        private final List<INDArray> paramsSeen = new ArrayList<>();
        private final List<Gradient> gradientsSeen = new ArrayList<>();
        private final List<Double> scoresSeen = new ArrayList<>();

        Recorder(List<String> events) {
            this.events = events;
        }

        @Override
        public void onEpochStart(Model model) {
            events.add("epochStart e" + ((MultiLayerNetwork) model).getEpochCount());
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            events.add("iterationDone i" + iteration + " e" + epoch);
            assertEquals(DATA.numExamples(), model.batchSize(), "input set before listeners run");
            assertNotNull(net.getLabels(), "labels set before listeners run");
            paramsSeen.add(model.params().dup());
            gradientsSeen.add(model.gradient());
            scoresSeen.add(model.score());
        }

        @Override
        public void onEpochEnd(Model model) {
            events.add("epochEnd e" + ((MultiLayerNetwork) model).getEpochCount());
        }
    }

    @Test
    void listenersAreCalledInDl4jsOrderWithScoreAndStep() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        INDArray initial = net.params().dup();
        List<String> events = new ArrayList<>();
        Recorder recorder = new Recorder(events);
        AdmmTrainingListener admm = new AdmmTrainingListener() {
            @Override
            public void onAdmmIteration(Model model, IterationMetrics metrics) {
                events.add("admm i" + metrics.iteration() + " residual " + (metrics.residual() >= 0));
            }

            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                events.add("admm iterationDone i" + iteration);
            }
        };
        net.setListeners(recorder, admm);

        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(4).iterationsPerEpoch(2).build().fit(net, DATA);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            if (i % 2 == 0) {
                expected.add("epochStart e" + i / 2);
            }
            expected.add("iterationDone i" + i + " e" + i / 2);
            expected.add("admm i" + i + " residual true");
            expected.add("admm iterationDone i" + i);
            if (i % 2 == 1) {
                expected.add("epochEnd e" + i / 2);
            }
        }
        assertEquals(expected, events);
        assertEquals(4, net.getIterationCount());
        assertEquals(2, net.getEpochCount());
        assertNull(net.getInput(), "the training data are not kept in the network afterwards");

        Set<String> keys = Set.of("0_W", "0_b", "1_W", "1_b", "2_W", "2_b", "3_W", "3_b");
        INDArray previous = initial;
        for (int i = 0; i < 4; i++) {
            Gradient step = recorder.gradientsSeen.get(i);
            assertEquals(keys, step.gradientForVariable().keySet());
            assertTrue(Double.isFinite(recorder.scoresSeen.get(i)) && recorder.scoresSeen.get(i) > 0);
            // the gradient is the step in DL4J's sign: params_after = params_before - step
            INDArray after = recorder.paramsSeen.get(i);
            MultiLayerNetwork probe = Networks.classifier(DataType.FLOAT);
            probe.setParams(previous.dup());
            INDArray stepW = step.getGradientFor("2_W");
            INDArray expectedW = probe.getLayer(2).getParam("W").sub(stepW);
            probe.setParams(after);
            assertTrue(expectedW.equalsWithEps(probe.getLayer(2).getParam("W"), 1e-6));
            previous = after;
        }
        assertTrue(recorder.scoresSeen.get(3) < recorder.scoresSeen.get(0), "the score goes down");
    }

    @Test
    void dl4jsOwnListenersRunUnchanged() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        CollectScoresListener scores = new CollectScoresListener(1);
        net.setListeners(new ScoreIterationListener(1), new PerformanceListener(1, true), scores,
                new AdmmLoggingListener(2));
        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(5).build().fit(net, DATA);
        assertEquals(List.of(0, 1, 2, 3, 4), new ArrayList<>(scores.getListIteration()));
        for (double score : scores.getListScore()) {
            assertTrue(Double.isFinite(score), "score " + score);
        }
    }

    @Test
    void checkpointListenerCheckpointsRestore() throws Exception {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        File directory = temp.toFile();
        net.setListeners(new CheckpointListener.Builder(directory).saveEveryNIterations(5).keepAll().build());
        // DL4J saves when the iteration count (0-based) is a positive multiple of 5: after iterations 5 and 10
        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(11).build().fit(net, DATA);

        assertEquals(2, CheckpointListener.availableCheckpoints(directory).size());
        MultiLayerNetwork restored = CheckpointListener.loadLastCheckpointMLN(directory);
        assertEquals(net.params(), restored.params());
        assertEquals(net.output(DATA.getFeatures()), restored.output(DATA.getFeatures()));
        MultiLayerNetwork first = CheckpointListener.loadCheckpointMLN(directory, 0);
        assertFalse(first.params().equals(net.params()), "the first checkpoint holds an earlier iterate");
    }

    @Test
    void statsListenerRecordsEveryIteration() {
        MultiLayerNetwork net = Networks.classifier(DataType.FLOAT);
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        net.setListeners(new StatsListener(storage, 1));
        new PdAdmmTrainer.Builder().growth(GrowthPolicy.none()).iterations(5).build().fit(net, DATA);

        assertEquals(1, storage.listSessionIDs().size());
        String session = storage.listSessionIDs().get(0);
        assertEquals(5, storage.getNumUpdateRecordsFor(session));
        String worker = storage.listWorkerIDsForSession(session).get(0);
        List<Persistable> updates = storage.getAllUpdatesAfter(session, StatsListener.TYPE_ID, worker, 0);
        StatsReport last = (StatsReport) updates.get(updates.size() - 1);
        assertTrue(Double.isFinite(last.getScore()) && last.getScore() > 0, "score " + last.getScore());
        Map<String, Double> updateMagnitudes = last.getMeanMagnitudes(StatsType.Updates);
        assertNotNull(updateMagnitudes);
        assertEquals(Set.of("0_W", "0_b", "1_W", "1_b", "2_W", "2_b", "3_W", "3_b"), updateMagnitudes.keySet());
        // the output layer moves from the first iteration; changes reach earlier layers one boundary per iteration
        assertTrue(updateMagnitudes.get("3_W") > 0, "the step of the output weights is not zero");
    }
}
