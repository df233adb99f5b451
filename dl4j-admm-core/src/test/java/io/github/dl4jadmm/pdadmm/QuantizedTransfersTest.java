package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.quant.DeltaCodec;
import io.github.dl4jadmm.quant.GridCodec;
import io.github.dl4jadmm.quant.QuantizationGrid;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** pdADMM-G-Q (algorithms.md §2) through the engine. */
class QuantizedTransfersTest {

    private static final DataSet DATA = SyntheticClassification.blobs(120, 20, 3, 4.0, 7);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(20, 16, 3, 3);

    private static PdAdmmConfig.Builder base() {
        return PdAdmmConfig.builder().nu(1).rho(5).iterations(60);
    }

    private static boolean onGrid(INDArray x, QuantizationGrid grid) {
        return x.distance2(grid.project(x)) == 0;
    }

    @Test
    void gridModeKeepsPOnTheGridSendsIndicesAndStillTrains() {
        QuantizerConfig q = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(8).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().quantizer(q).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            List<IterationMetrics> history = engine.fit();
            IterationMetrics last = history.get(history.size() - 1);
            assertTrue(last.trainAccuracy() >= 0.90, "accuracy " + last.trainAccuracy());
            assertTrue(last.residual() < history.get(0).residual() * 0.5 || last.residual() < 1e-3,
                    "residual should fall: " + history.get(0).residual() + " -> " + last.residual());
            // p is sent as 8-bit indices into its boundary's grid, q as raw float32
            long pBytes = GridCodec.expectedMessageBytes(new long[]{120, 16}, 8);
            long qBytes = 5 + 2 * 4 + 1 + 120 * 16 * 4;
            assertEquals(2 * (pBytes + qBytes), last.bytesThisIteration());
            for (int boundary = 1; boundary < NET.layers(); boundary++) {
                assertTrue(engine.grid(boundary) != null);
            }
        }
    }

    @Test
    void projectedQTravelsOnTheGridToo() {
        QuantizerConfig q = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(8).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().quantizer(q).projectQ(true).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            IterationMetrics last = engine.fit().get(59);
            assertTrue(last.trainAccuracy() >= 0.90, "accuracy " + last.trainAccuracy());
            assertEquals(2 * 2 * GridCodec.expectedMessageBytes(new long[]{120, 16}, 8), last.bytesThisIteration());
        }
    }

    @Test
    void deltaCodingDrivesTheResidualDownAtFourBytesLess() {
        QuantizerConfig q = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().quantizer(q).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            List<IterationMetrics> history = engine.fit();
            IterationMetrics last = history.get(history.size() - 1);
            assertTrue(last.trainAccuracy() >= 0.90, "accuracy " + last.trainAccuracy());
            assertTrue(last.residual() < 1e-2, "residual " + last.residual());
            assertEquals(2 * 2 * DeltaCodec.expectedMessageBytes(new long[]{120, 16}, 8), last.bytesThisIteration());
        }
    }

    @Test
    void bothCopiesOfEveryDualStayIdenticalInEveryMode() {
        for (QuantizerConfig q : new QuantizerConfig[]{QuantizerConfig.none(),
            QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(6).build(),
            QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(4).build()}) {
            try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().iterations(25).quantizer(q).build(),
                    DATA.getFeatures(), DATA.getLabels())) {
                engine.fit();
                for (int l = 1; l < NET.layers(); l++) {
                    LayerBlock left = engine.block(l);
                    LayerBlock right = engine.block(l + 1);
                    assertEquals(0, left.u.distance2(right.uLeft), q + ": u_" + l + " copies differ");
                    assertEquals(0, left.pRight.distance2(right.p), q + ": p_" + (l + 1) + " copies differ");
                    assertEquals(0, left.q.distance2(right.qLeft), q + ": q_" + l + " copies differ");
                }
            }
        }
    }

    @Test
    void deterministicDeltaRoundingSendsTheNearestCodeAndStillTrains() {
        QuantizerConfig q = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(8)
                .stochasticRounding(false).build();
        assertEquals(q, QuantizerConfig.fromJson(q.toJson()));
        io.github.dl4jadmm.quant.StochasticQuantizer nearest = io.github.dl4jadmm.quant.StochasticQuantizer.nearest(3);
        double[] delta = {-1.0, -0.2, 0.1, 0.5, 1.0};
        double[] once = nearest.quantize(delta).dequantize(delta.length);
        double step = 2.0 / 7;
        for (int i = 0; i < delta.length; i++) {
            assertTrue(Math.abs(once[i] - delta[i]) <= step / 2 + 1e-7, "nearest code of " + delta[i]);
        }
        assertTrue(java.util.Arrays.equals(once, nearest.quantize(delta).dequantize(delta.length)),
                "rounding to the nearest code is deterministic");
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().quantizer(q).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            IterationMetrics last = engine.fit().get(59);
            assertTrue(last.trainAccuracy() >= 0.90, "accuracy " + last.trainAccuracy());
            assertEquals(0, engine.block(1).u.distance2(engine.block(2).uLeft));
        }
    }

    @Test
    void gridBoundariesAreBuiltFromTheFirstForwardPass() {
        QuantizerConfig q = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(4).build();
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(NET, base().iterations(0).quantizer(q).build(),
                DATA.getFeatures(), DATA.getLabels())) {
            QuantizationGrid grid = engine.grid(1);
            assertEquals(16, grid.size());
            INDArray firstHidden = engine.architecture().activation()
                    .apply(DATA.getFeatures().mmul(engine.weight(1)).addiRowVector(engine.bias(1)));
            assertTrue(grid.min() <= firstHidden.minNumber().doubleValue());
            assertTrue(grid.max() >= firstHidden.maxNumber().doubleValue());
            assertTrue(onGrid(grid.project(firstHidden), grid));
        }
    }
}
