package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.quant.QuantizerConfig;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class GadmmConfigTest {

    private static void assertRejected(Consumer<GadmmConfig.Builder> setting, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            GadmmConfig.Builder b = GadmmConfig.builder();
            setting.accept(b);
            b.build();
        });
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void badValuesFailWithAMessageSayingWhatToChange() {
        assertRejected(b -> b.rho(0), "rho must be positive", "rho(3.0)");
        assertRejected(b -> b.rho(-2), "rho must be positive");
        assertRejected(b -> b.rho(Double.NaN), "rho must be positive");
        assertRejected(b -> b.alpha(0), "alpha (dual step factor) must be positive", "alpha(0.01)");
        assertRejected(b -> b.bits(0), "bits must be in 1..16");
        assertRejected(b -> b.bits(17), "bits must be in 1..16");
        assertRejected(b -> b.iterations(-1), "iterations must be >= 0");
        assertRejected(b -> b.threads(-1), "threads must be >= 0");
        assertRejected(b -> b.objectiveFrequency(-1), "objectiveFrequency must be >= 0");
        assertRejected(b -> b.quantizer(QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).build()),
                "mode DELTA", "mode GRID");
        assertRejected(b -> b.exact().bitWidthRule(BitWidthRule.NON_INCREASING_STEP), "needs quantised models");
        assertRejected(b -> b.devicePlacement(0, -1), "device ids must be >= 0");
    }

    @Test
    void oneBitWarnsAndNamesTheFix() {
        GadmmConfig oneBit = GadmmConfig.builder().bits(1).build();
        assertEquals(1, oneBit.warnings().size());
        String warning = oneBit.warnings().get(0);
        assertTrue(warning.contains("1 bit") && warning.contains("diverged") && warning.contains("bits(2)")
                && warning.contains("--bits 2"), warning);
        assertTrue(GadmmConfig.builder().bits(2).build().warnings().isEmpty());
        assertTrue(GadmmConfig.builder().exact().build().warnings().isEmpty());
    }

    @Test
    void defaultsAndShortcuts() {
        GadmmConfig c = GadmmConfig.builder().build();
        assertTrue(c.quantized());
        assertEquals(QuantizerConfig.DEFAULT_BITS, c.bits());
        assertEquals(1.0, c.alpha());
        assertEquals(BitWidthRule.FIXED, c.bitWidthRule());
        GadmmConfig exact = c.toBuilder().exact().build();
        assertFalse(exact.quantized());
        GadmmConfig three = exact.toBuilder().bits(3).build();
        assertEquals(3, three.bits());
        assertEquals(c.quantizer().seed(), three.quantizer().seed());
        GadmmConfig authors = SgadmmTrainer.authorsConfig().build();
        assertEquals(20.0, authors.rho());
        assertEquals(0.01, authors.alpha());
        assertEquals(8, authors.bits());
    }

    @Test
    void configurationRoundTripsThroughJson() {
        GadmmConfig c = GadmmConfig.builder().rho(24).alpha(0.5).bits(3).bitWidthRule(BitWidthRule.NON_INCREASING_STEP)
                .iterations(77).threads(2).objectiveFrequency(5).seed(9).devicePlacement(0, 0, 0).build();
        GadmmConfig back = GadmmConfig.fromJson(c.toJson());
        assertEquals(c, back);
        assertEquals(3, back.bits());
        assertEquals(BitWidthRule.NON_INCREASING_STEP, back.bitWidthRule());
        GadmmConfig exact = GadmmConfig.builder().exact().build();
        assertEquals(exact, GadmmConfig.fromJson(exact.toJson()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GadmmConfig.fromJson("{\"rhoo\": 1}"));
        assertTrue(e.getMessage().contains("unknown GADMM configuration key 'rhoo'"), e.getMessage());
    }
}
