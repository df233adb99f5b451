package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

class PdAdmmEngineTest {

    @Test
    void augmentedLagrangianDecreasesAndResidualVanishesWithFixedRho() {
        DataSet data = SyntheticClassification.blobs(120, 20, 3, 4.0, 7);
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).iterations(100)
                .dataType(DataType.DOUBLE).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(20, 16, 3, 3), config,
                data.getFeatures(), data.getLabels())) {
            List<IterationMetrics> history = engine.fit();
            for (int i = 1; i < history.size(); i++) {
                double previous = history.get(i - 1).augmentedLagrangian();
                double current = history.get(i).augmentedLagrangian();
                assertTrue(current <= previous + 1e-9 * Math.abs(previous),
                        "L_rho increased at iteration " + i + ": " + previous + " -> " + current);
            }
            IterationMetrics last = history.get(history.size() - 1);
            System.out.println(last.summary());
            assertTrue(last.residual() < 1e-4, "residual " + last.residual());
            assertTrue(last.trainAccuracy() >= 0.95, "accuracy " + last.trainAccuracy());
            assertEquals(0, last.stepRejections());
        }
    }
}
