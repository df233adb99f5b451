package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.util.Locale;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;

/**
 * The default job that needs no download: pdADMM-G trains a 4-layer MLP on a seeded synthetic 5-class problem,
 * layer blocks in parallel, and reports the augmented Lagrangian, residual, accuracy and bytes sent.
 */
public final class QuickStart {

    private QuickStart() {
    }

    public static void main(String[] args) {
        // one draw of 2000 samples, split in halves: same class centres, independent noise
        DataSet all = SyntheticClassification.blobs(2000, 50, 5, 3.0, 1);
        SplitTestAndTrain halves = all.splitTestAndTrain(1000);
        DataSet train = halves.getTrain();
        DataSet test = halves.getTest();
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(100).build();
        MlpArchitecture net = MlpArchitecture.uniform(50, 64, 5, 4);
        System.out.println("pdADMM-G on synthetic blobs: " + net + ", " + config.iterations() + " iterations");
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(net, config, train.getFeatures(),
                train.getLabels())) {
            engine.addListener((e, m) -> {
                if (m.iteration() % 10 == 0 || m.iteration() == config.iterations() - 1) {
                    System.out.println(m.summary());
                }
            });
            IterationMetrics last = engine.fit().get(config.iterations() - 1);
            System.out.printf(Locale.ROOT, "train accuracy %.4f, test accuracy %.4f, %.2f MB sent between layers%n",
                    last.trainAccuracy(), engine.accuracy(test.getFeatures(), test.getLabels()),
                    last.bytesSent() / 1e6);
        }
    }
}
