package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.quant.QuantizerConfig;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

class PdAdmmConfigTest {

    private static void assertRejected(Consumer<PdAdmmConfig.Builder> setting, String... fragments) {
        PdAdmmConfig.Builder b = PdAdmmConfig.builder();
        setting.accept(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void badValuesFailAtBuildTimeWithAMessageSayingWhatToChange() {
        assertRejected(b -> b.rho(0), "rho must be positive", "rho > 4 nu");
        assertRejected(b -> b.rho(-1), "rho must be positive");
        assertRejected(b -> b.nu(0), "nu must be positive");
        assertRejected(b -> b.nu(Double.NaN), "nu must be positive");
        assertRejected(b -> b.mu(-0.1), "mu (weight decay) must be >= 0");
        assertRejected(b -> b.iterations(-1), "iterations must be >= 0");
        assertRejected(b -> b.fistaStep(4), "fistaStep (eta) must be in (0, 2]");
        assertRejected(b -> b.dataType(DataType.HALF), "dataType must be FLOAT or DOUBLE");
        assertRejected(b -> b.threads(-2), "threads and nd4jThreads must be >= 0");
        assertRejected(b -> b.nd4jThreads(-1), "threads and nd4jThreads must be >= 0");
        assertRejected(b -> b.devicePlacement(0, -1), "device ids must be >= 0");
    }

    @Test
    void oneBitPdAdmmGQWarnsAboutItselfAndNamesItsOwnSetting() {
        for (QuantizerConfig.Mode mode : new QuantizerConfig.Mode[] {QuantizerConfig.Mode.GRID,
                QuantizerConfig.Mode.DELTA}) {
            PdAdmmConfig oneBit = PdAdmmConfig.builder().quantizer(QuantizerConfig.builder().mode(mode).bits(1)
                    .build()).build();
            assertEquals(1, oneBit.warnings().size(), mode.toString());
            String warning = oneBit.warnings().get(0);
            assertTrue(warning.startsWith("pdADMM-G-Q with 1 bit per element") && warning.contains("--bits 8")
                    && warning.contains("bits(8)") && !warning.contains("Q-GADMM"), warning);
            assertTrue(warning.contains("dl4j-admm train --algorithm pdadmm-g-q --bits 1 --iterations 60")
                    && warning.contains("0.33 against 0.95 with 8 bits"), "the measurement it quotes: " + warning);
            assertEquals(oneBit.warnings(), oneBit.toBuilder().iterations(3).build().warnings(),
                    "a derived stage configuration keeps the warning (logged once per JVM)");
            assertEquals(oneBit.warnings(), PdAdmmConfig.fromJson(oneBit.toJson()).warnings(), "and a read one");
        }
        assertTrue(PdAdmmConfig.builder().quantizer(QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID)
                .bits(2).build()).build().warnings().isEmpty());
        assertTrue(PdAdmmConfig.builder().build().warnings().isEmpty());
    }

    @Test
    void unsupportedActivationsAndLossesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HiddenActivation.from(Activation.SOFTPLUS));
        assertTrue(e.getMessage().contains("softplus") && e.getMessage().contains("RELU"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HiddenActivation.parse("swish"));
        assertTrue(e.getMessage().contains("swish"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutputRisk.from(new LossHinge()));
        assertTrue(e.getMessage().contains("MCXENT"), e.getMessage());
        assertEquals(HiddenActivation.relu(), HiddenActivation.from(Activation.RELU));
        assertEquals(HiddenActivation.Kind.LEAKY_RELU, HiddenActivation.from(Activation.LEAKYRELU).kind());
        assertEquals(OutputRisk.SOFTMAX_CROSS_ENTROPY, OutputRisk.from(new LossMCXENT()));
        assertEquals(OutputRisk.SOFTMAX_CROSS_ENTROPY, OutputRisk.from(new LossNegativeLogLikelihood()));
        assertEquals(OutputRisk.SQUARED_ERROR, OutputRisk.from(new LossMSE()));
        e = assertThrows(IllegalArgumentException.class,
                () -> new MlpArchitecture(new int[]{10, 0, 3}, HiddenActivation.relu(), OutputRisk.SQUARED_ERROR));
        assertTrue(e.getMessage().contains("n_1 must be positive"), e.getMessage());
    }

    @Test
    void configurationRoundTripsThroughJson() {
        PdAdmmConfig config = PdAdmmConfig.builder().nu(0.5).rho(3).mu(0.01).iterations(7)
                .rhoSchedule(RhoSchedule.RESIDUAL_BALANCING).dataType(DataType.DOUBLE)
                .executionMode(ExecutionMode.SERIAL).devicePlacement(0, 0, 0).build();
        PdAdmmConfig back = PdAdmmConfig.fromJson(config.toJson());
        assertEquals(config, back);
        assertEquals(0.5, back.nu());
        assertEquals(RhoSchedule.RESIDUAL_BALANCING, back.rhoSchedule());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PdAdmmConfig.fromJson("{\"nuu\": 1}"));
        assertTrue(e.getMessage().contains("unknown pdADMM-G configuration key 'nuu'"));
    }
}
