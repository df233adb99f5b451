package io.github.dl4jadmm.graph.training;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.graph.io.NpyGraphLoader;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** GA-MLP on the real Cora graph trained by pdADMM-G: a smoke run well under a minute. */
class CoraSmokeTest {

    @Test
    void twoLayerGaMlpReachesSeventyPercentOnCora() throws Exception {
        String dir = System.getProperty("dl4jadmm.data.dir");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir, "cora")), "Cora is not under dl4jadmm.data.dir");
        AugmentedSplits splits = new FeatureAugmenter(AugmentationConfig.paperCodeOrder())
                .augment(NpyGraphLoader.loadBenchmark(Benchmark.CORA, Path.of(dir)));
        // the measured setting of algorithms.md §1.1: 2 layers, nu = 1, rho = 5, strong weight decay
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(10).iterations(100).evaluationFrequency(0)
                .build();
        MlpArchitecture net = MlpArchitecture.uniform(splits.numFeatures(), 100,
                splits.numClasses(), 2);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, splits.features(SplitPart.TRAIN),
                splits.labels(SplitPart.TRAIN))) {
            engine.fit();
            double test = engine.accuracy(splits.features(SplitPart.TEST), splits.labels(SplitPart.TEST));
            assertTrue(test >= 0.70, "Cora test accuracy " + test);
        }
    }
}
