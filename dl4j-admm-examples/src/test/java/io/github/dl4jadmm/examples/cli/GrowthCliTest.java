package io.github.dl4jadmm.examples.cli;

import static io.github.dl4jadmm.examples.cli.AdmmCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.examples.cli.AdmmCliTest.Run;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.SyntheticGraph;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train}'s recipe for depth: deep GA-MLPs are grown greedily by default. */
class GrowthCliTest {

    @TempDir
    Path dir;

    private static Map<?, ?> results(Path output) throws Exception {
        return (Map<?, ?>) Json.readObject(output.resolve("summary.json")).get("results");
    }

    /** The test accuracy of the iterate chosen on validation, as the summary reports it. */
    private static double selectedTest(Path output) throws Exception {
        return ((Number) ((Map<?, ?>) results(output).get("bestValidation")).get("testAccuracy")).doubleValue();
    }

    @Test
    void tenLayersReachTheAccuracyOfTwoByDefault() throws Exception {
        Path two = dir.resolve("two");
        Path ten = dir.resolve("ten");
        Run shallow = run("train", "--layers", "2", "--neurons", "32", "--iterations", "30", "-o", two.toString(),
                "--no-plots", "-q");
        Run deep = run("train", "--layers", "10", "--neurons", "32", "--iterations", "30", "-o", ten.toString(),
                "--no-plots", "-q");
        assertEquals(0, shallow.exitCode(), shallow.err());
        assertEquals(0, deep.exitCode(), deep.err());

        assertTrue(deep.out().contains("greedy growth 2 -> 5 -> 10 layers, mu 10 / 1 / 0.01, 30 + 30 + 30 = 90"),
                deep.out());
        List<IterationRecord> history = MetricsCsv.read(ten.resolve("metrics.csv"));
        assertEquals(90, history.size(), "every stage's iterations are in the metrics");
        Map<?, ?> best = (Map<?, ?>) results(ten).get("bestValidation");
        assertTrue(((Number) best.get("iteration")).intValue() >= 60, "the iterate is chosen in the 10-layer "
                + "stage: " + best);
        List<?> stages = (List<?>) Json.readObject(ten.resolve("summary.json")).get("stages");
        assertEquals(3, stages.size());
        assertEquals(10, ((Number) ((Map<?, ?>) stages.get(2)).get("layers")).intValue());

        double twoLayers = selectedTest(two);
        double tenLayers = selectedTest(ten);
        assertTrue(twoLayers > 0.8, "5 classes, the 2-layer GA-MLP learns: " + twoLayers);
        assertTrue(tenLayers >= twoLayers - 0.02, "10 layers " + tenLayers + " against 2 layers " + twoLayers);
    }

    @Test
    void growthNoneTrainsAllLayersFromTheRandomInitialisationAsBefore() throws Exception {
        Path output = dir.resolve("none");
        Run none = run("train", "--layers", "4", "--neurons", "16", "--iterations", "8", "--growth", "none",
                "--mu", "2", "--eval-every", "1", "-o", output.toString(), "--no-plots", "-q");
        assertEquals(0, none.exitCode(), none.err());
        assertTrue(none.out().contains("no growth, 4 layers, mu 2"), none.out());

        // what train did before growth existed: one engine of the full depth from the seeded Xavier initialisation
        AugmentedSplits splits = syntheticSplits();
        MlpArchitecture architecture = MlpArchitecture.uniform(splits.numFeatures(), 16, splits.numClasses(), 4);
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(2).iterations(8).seed(1).evaluationFrequency(1)
                .wStep(io.github.dl4jadmm.pdadmm.WStep.EXACT).build();
        List<IterationMetrics> expected = new ArrayList<>();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(architecture, config,
                splits.features(SplitPart.TRAIN), splits.labels(SplitPart.TRAIN))) {
            engine.addListener((e, m) -> expected.add(m));
            engine.fit();
        }
        List<IterationRecord> history = MetricsCsv.read(output.resolve("metrics.csv"));
        assertEquals(8, history.size());
        for (int i = 0; i < 8; i++) {
            double want = expected.get(i).augmentedLagrangian();
            assertEquals(want, history.get(i).augmentedLagrangian(), 1e-6 * Math.abs(want), "L_rho at " + i);
            assertEquals(expected.get(i).bytesSent(), history.get(i).bytesSent(), "bytes at " + i);
        }
    }

    @Test
    void growthOptionsThatDoNotApplyAreRefusedWithTheRemedy() {
        run("train", "--layers", "10", "--mu", "1").assertUsageError("--stage-mu");
        run("train", "--layers", "10", "--mu", "1").assertUsageError("--growth none");
        run("train", "--layers", "2", "--stage-mu", "10,1").assertUsageError("use --mu");
        run("train", "--layers", "10", "--growth", "none", "--stage-iterations", "5").assertUsageError(
                "--growth none");
        run("train", "--layers", "10", "--growth", "2,4").assertUsageError("needs --stage-mu with one weight "
                + "decay per stage: 3 values");
        run("train", "--layers", "10", "--growth", "2,4", "--stage-mu", "1,2").assertUsageError(
                "one weight decay per growth stage");
        run("train", "--layers", "10", "--growth", "two").assertUsageError("--growth is standard, none or the depths");
        run("train", "--algorithm", "adam", "--growth", "none").assertUsageError("--growth");
    }

    @Test
    void aRunInterruptedInAGrowthStageResumesToTheUninterruptedRun() throws Exception {
        AugmentedSplits splits = syntheticSplits();
        MlpArchitecture architecture = MlpArchitecture.uniform(splits.numFeatures(), 16, splits.numClasses(), 6);
        PdAdmmConfig config = PdAdmmConfig.builder().seed(1).evaluationFrequency(2)
                .wStep(io.github.dl4jadmm.pdadmm.WStep.EXACT).build();
        List<GrowthStage> stages = GrowthPolicy.standard().stages(6, 6, 3);
        Map<String, Object> settings = Map.of("--layers", 6);

        List<IterationRecord> straight = new ArrayList<>();
        new TrainingLoop(splits, 18, 2, straight, r -> { }, null, 4, settings, null).pdAdmm(architecture, config,
                stages);

        Checkpoint checkpoint = new Checkpoint(dir.resolve("ckpt"));
        List<IterationRecord> crashed = new ArrayList<>();
        TrainingLoop crashing = new TrainingLoop(splits, 18, 2, crashed, r -> {
            if (r.iteration() == 9) {
                throw new IllegalStateException("injected crash in the 5-layer stage");
            }
        }, checkpoint, 4, settings, null);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> crashing.pdAdmm(architecture, config, stages));

        Checkpoint.State state = checkpoint.load();
        assertEquals(8, state.iterationsDone(), "the newest checkpoint lies in the 5-layer stage (iterations 6-11)");
        List<IterationRecord> resumed = new ArrayList<>(checkpoint.history(state));
        new TrainingLoop(splits, 18, 2, resumed, r -> { }, checkpoint, 4, settings, state).pdAdmm(architecture,
                config, stages);
        assertEquals(straight.size(), resumed.size());
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).iteration(), resumed.get(i).iteration());
            // the records before the checkpoint come back from its metrics file; the later ones are computed again
            double tolerance = i < 8 ? 1e-6 : 1e-12;
            assertEquals(straight.get(i).augmentedLagrangian(), resumed.get(i).augmentedLagrangian(),
                    tolerance * Math.abs(straight.get(i).augmentedLagrangian()), "L_rho at " + i);
            assertEquals(straight.get(i).bytesSent(), resumed.get(i).bytesSent(), "bytes at " + i);
        }
    }

    private static AugmentedSplits syntheticSplits() {
        return new FeatureAugmenter(AugmentationConfig.builder().powers(4, 3, 2, 1, 0).build())
                .augment(SyntheticGraph.generate(SyntheticGraph.Spec.small(), DatasetOptions.SYNTHETIC_SEED));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
