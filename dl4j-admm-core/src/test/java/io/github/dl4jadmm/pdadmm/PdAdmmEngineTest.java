package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.data.SyntheticClassification;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class PdAdmmEngineTest {

    private static final DataSet DATA = SyntheticClassification.blobs(120, 20, 3, 4.0, 7);

    private static PdAdmmConfig.Builder doubles() {
        return PdAdmmConfig.builder().nu(1).rho(5).dataType(DataType.DOUBLE);
    }

    @Test
    void augmentedLagrangianDecreasesAndResidualVanishesWithFixedRho() {
        PdAdmmConfig config = doubles().iterations(100).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), config,
                DATA.getFeatures(), DATA.getLabels())) {
            List<IterationMetrics> history = engine.fit();
            assertEquals(100, history.size());
            for (int i = 1; i < history.size(); i++) {
                double previous = history.get(i - 1).augmentedLagrangian();
                double current = history.get(i).augmentedLagrangian();
                assertTrue(current <= previous + 1e-9 * Math.abs(previous),
                        "L_rho increased at iteration " + i + ": " + previous + " -> " + current);
            }
            IterationMetrics last = history.get(history.size() - 1);
            assertTrue(last.residual() < 1e-4, "residual " + last.residual());
            assertTrue(last.trainAccuracy() >= 0.95, "accuracy " + last.trainAccuracy());
            assertEquals(0, last.stepRejections());
        }
    }

    @Test
    void exactWStepAlsoDecreasesTheAugmentedLagrangian() {
        PdAdmmConfig config = doubles().iterations(60).wStep(WStep.EXACT).mu(0.1).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), config,
                DATA.getFeatures(), DATA.getLabels())) {
            List<IterationMetrics> history = engine.fit();
            for (int i = 1; i < history.size(); i++) {
                double previous = history.get(i - 1).augmentedLagrangian();
                assertTrue(history.get(i).augmentedLagrangian() <= previous + 1e-9 * Math.abs(previous),
                        "L_rho increased at iteration " + i);
            }
            assertTrue(history.get(59).trainAccuracy() >= 0.95);
        }
    }

    @Test
    void float32IsTheDefaultAndAlsoConverges() {
        PdAdmmConfig config = PdAdmmConfig.builder().iterations(60).build();
        assertEquals(DataType.FLOAT, config.dataType());
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 4), config,
                DATA.getFeatures(), DATA.getLabels())) {
            IterationMetrics last = engine.fit().get(59);
            assertEquals(DataType.FLOAT, engine.weight(1).dataType());
            assertTrue(last.trainAccuracy() >= 0.95, "accuracy " + last.trainAccuracy());
            assertTrue(last.residual() < 1e-3, "residual " + last.residual());
        }
    }

    @Test
    void parallelAndSerialBlocksGiveTheSameIterates() {
        MlpArchitecture net = MlpArchitecture.uniform(20, 12, 3, 5);
        List<List<INDArray>> results = new ArrayList<>();
        List<Double> lagrangians = new ArrayList<>();
        for (ExecutionMode mode : ExecutionMode.values()) {
            PdAdmmConfig config = doubles().iterations(30).executionMode(mode).threads(4).build();
            try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, DATA.getFeatures(),
                    DATA.getLabels())) {
                lagrangians.add(engine.fit().get(29).augmentedLagrangian());
                results.add(engine.weights());
            }
        }
        assertEquals(lagrangians.get(0), lagrangians.get(1), 1e-6 * Math.abs(lagrangians.get(0)));
        for (int l = 0; l < net.layers(); l++) {
            double difference = results.get(0).get(l).sub(results.get(1).get(l)).amaxNumber().doubleValue();
            assertTrue(difference < 1e-6, "layer " + (l + 1) + " differs by " + difference);
        }
    }

    @Test
    void exactlyTwoTensorsCrossEachBoundaryPerIteration() {
        MlpArchitecture net = MlpArchitecture.uniform(20, 8, 3, 4);
        PdAdmmConfig config = PdAdmmConfig.builder().iterations(5).build();
        List<INDArray> w = new ArrayList<>();
        List<INDArray> b = new ArrayList<>();
        for (int l = 1; l <= 4; l++) {
            w.add(Nd4j.rand(DataType.FLOAT, net.inputsOf(l), net.outputsOf(l)).subi(0.5));
            b.add(Nd4j.zeros(DataType.FLOAT, net.outputsOf(l)));
        }
        try (PdAdmmEngine engine = new PdAdmmEngine(net, config, DATA.getFeatures(), DATA.getLabels(), w, b)) {
            Channel channel = engine.channel();
            long initial = channel.bytesSent();
            List<IterationMetrics> history = engine.fit();
            // per boundary: p backward and q forward, each 120 x 8 float32, header 5 + 2*4 bytes + 1 type byte
            long perMessage = 5 + 2 * 4 + 1 + 120 * 8 * 4;
            long perIteration = 3 * 2 * perMessage;
            assertEquals(3 * perMessage, initial, "the initial forward pass sends q once per boundary");
            for (IterationMetrics m : history) {
                assertEquals(perIteration, m.bytesThisIteration());
            }
            assertEquals(initial + 5 * perIteration, channel.bytesSent());
            assertEquals(3 + 5 * 6, channel.messagesSent());
        }
    }

    @Test
    void warmStartSetsTheOutputToPlusMinusOne() {
        PdAdmmConfig config = doubles().iterations(40).initialization(Initialization.WARM_START).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), config,
                DATA.getFeatures(), DATA.getLabels())) {
            assertTrue(engine.fit().get(39).trainAccuracy() >= 0.95);
        }
    }

    @Test
    void everyActivationAndRiskTrains() {
        HiddenActivation[] activations = {HiddenActivation.leakyRelu(0.1), HiddenActivation.identity(),
            HiddenActivation.tanh(), HiddenActivation.sigmoid()};
        for (HiddenActivation f : activations) {
            for (OutputRisk risk : OutputRisk.values()) {
                MlpArchitecture net = new MlpArchitecture(new int[]{20, 12, 3}, f, risk);
                try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, doubles().iterations(40).build(),
                        DATA.getFeatures(), DATA.getLabels())) {
                    List<IterationMetrics> h = engine.fit();
                    for (int i = 1; i < h.size(); i++) {
                        assertTrue(h.get(i).augmentedLagrangian() <= h.get(i - 1).augmentedLagrangian()
                                + 1e-9 * Math.abs(h.get(i - 1).augmentedLagrangian()), f + " " + risk + " at " + i);
                    }
                    assertTrue(h.get(39).trainAccuracy() >= 0.9, f + " " + risk + " " + h.get(39).trainAccuracy());
                }
            }
        }
    }

    @Test
    void rhoSchedulesChangeRhoAsDocumented() {
        // strong weight decay makes the training loss plateau within a few iterations
        PdAdmmConfig stall = doubles().iterations(60).rhoSchedule(RhoSchedule.STALL_X10).stallPatience(3)
                .nu(1e-3).rho(5e-3).mu(50).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), stall,
                DATA.getFeatures(), DATA.getLabels())) {
            engine.fit();
            assertTrue(engine.rho() > 5e-3, "rho should have grown on stalls, is " + engine.rho());
            assertEquals(5.0, engine.rho() / engine.nu(), 1e-9, "rho/nu is kept by the stall schedule");
        }
        PdAdmmConfig balancing = doubles().iterations(60).rhoSchedule(RhoSchedule.RESIDUAL_BALANCING).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), balancing,
                DATA.getFeatures(), DATA.getLabels())) {
            engine.fit();
            assertTrue(engine.rho() > 4 * engine.nu(), "residual balancing never goes below 4 nu");
        }
    }

    @Test
    void bothCopiesOfEveryDualAgreeWhenRhoChanges() {
        PdAdmmConfig stall = doubles().iterations(40).rhoSchedule(RhoSchedule.STALL_X10).stallPatience(3)
                .nu(1e-3).rho(5e-3).mu(50).build();
        PdAdmmConfig balancing = doubles().iterations(40).rho(40).rhoSchedule(RhoSchedule.RESIDUAL_BALANCING)
                .balancingInterval(2).balancingRatio(1.5).build();
        for (PdAdmmConfig config : List.of(stall, balancing)) {
            try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 4), config,
                    DATA.getFeatures(), DATA.getLabels())) {
                engine.fit();
                assertTrue(engine.rho() != config.rho(), config.rhoSchedule() + " should have changed rho");
                for (int l = 1; l < 4; l++) {
                    assertEquals(0, engine.block(l).u.distance2(engine.block(l + 1).uLeft),
                            config.rhoSchedule() + ": the copies of u_" + l + " differ");
                }
            }
        }
    }

    @Test
    void divergenceNamesIterationLayerAndVariable() {
        INDArray x = DATA.getFeatures().dup();
        x.putScalar(0, 0, Double.NaN);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 8, 3, 3),
                doubles().iterations(5).build(), x, DATA.getLabels())) {
            AdmmDivergenceException e = assertThrows(AdmmDivergenceException.class, engine::fit);
            assertEquals(0, e.iteration());
            assertTrue(e.getMessage().contains("iteration 0") && e.getMessage().contains("layer " + e.layer()),
                    e.getMessage());
            assertTrue(List.of("p", "W", "b", "z", "q", "u").contains(e.variable()), e.variable());
        }
    }

    @Test
    void identityGrowthLeavesTheFunctionUnchangedAndKeepsTraining() {
        PdAdmmConfig config = doubles().build();
        MlpArchitecture two = MlpArchitecture.uniform(20, 16, 3, 2);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(two, config.toBuilder().iterations(30).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            engine.fit();
            List<INDArray>[] grown = GreedyLayerGrowth.insertIdentityLayers(engine.weights(), engine.biases(), 5);
            assertEquals(5, grown[0].size());
            MlpArchitecture five = GreedyLayerGrowth.grow(two, 5);
            assertArrayEquals(new int[]{20, 16, 16, 16, 16, 3}, five.widths());
            try (PdAdmmEngine bigger = new PdAdmmEngine(five, config.toBuilder().iterations(0).build(),
                    DATA.getFeatures(), DATA.getLabels(), grown[0], grown[1])) {
                INDArray before = engine.output(DATA.getFeatures());
                INDArray after = bigger.output(DATA.getFeatures());
                assertTrue(before.sub(after).amaxNumber().doubleValue() < 1e-12);
            }
        }
        GreedyLayerGrowth growth = new GreedyLayerGrowth(List.of(new GrowthStage(2, 30, 1), new GrowthStage(4, 30, 0.1)));
        List<INDArray> w = List.of(Nd4j.randn(DataType.DOUBLE, 20, 16).muli(0.3), Nd4j.randn(DataType.DOUBLE, 16, 3).muli(0.3));
        List<INDArray> b = List.of(Nd4j.zeros(DataType.DOUBLE, 16), Nd4j.zeros(DataType.DOUBLE, 3));
        try (PdAdmmEngine grownEngine = growth.fit(two, config, DATA.getFeatures(), DATA.getLabels(), w, b,
                LocalChannel::new, null)) {
            assertEquals(4, grownEngine.architecture().layers());
            assertTrue(grownEngine.accuracy(DATA.getFeatures(), DATA.getLabels()) >= 0.95);
        }
    }

    @Test
    void validationTrackerKeepsTheBestIterate() {
        DataSet validation = SyntheticClassification.blobs(60, 20, 3, 4.0, 7);
        ValidationTracker tracker = new ValidationTracker(validation.getFeatures(), validation.getLabels(), 5);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3),
                doubles().iterations(30).build(), DATA.getFeatures(), DATA.getLabels())) {
            engine.addListener(tracker).fit();
            assertTrue(tracker.bestAccuracy() >= tracker.lastAccuracy());
            assertEquals(0, tracker.bestIteration() % 5);
            assertEquals(3, tracker.bestWeights().size());
        }
    }

    @Test
    void shapesThatDisagreeWithTheArchitectureAreRefused() {
        MlpArchitecture net = MlpArchitecture.uniform(20, 8, 3, 2);
        PdAdmmConfig config = PdAdmmConfig.builder().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PdAdmmEngine.withRandomWeights(net, config, Nd4j.rand(10, 19), Nd4j.rand(10, 3)));
        assertTrue(e.getMessage().contains("features must be [N, 20]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PdAdmmEngine.withRandomWeights(net, config, Nd4j.rand(10, 20), Nd4j.rand(9, 3)));
        assertTrue(e.getMessage().contains("labels must be [10, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PdAdmmEngine(net, config, Nd4j.rand(10, 20),
                Nd4j.rand(10, 3), List.of(Nd4j.rand(8, 20), Nd4j.rand(8, 3)), List.of(Nd4j.rand(8), Nd4j.rand(3))));
        assertTrue(e.getMessage().contains("W_1 must be [20, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PdAdmmEngine.withRandomWeights(net,
                config.toBuilder().devicePlacement(0, 1).build(), Nd4j.rand(10, 20), Nd4j.rand(10, 3)));
        assertTrue(e.getMessage().contains("names device 1"), e.getMessage());
    }
}
