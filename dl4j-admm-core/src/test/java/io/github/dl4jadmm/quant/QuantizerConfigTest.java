package io.github.dl4jadmm.quant;

import static io.github.dl4jadmm.quant.GridCodecTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.Transfer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class QuantizerConfigTest {

    @Test
    void defaults() {
        QuantizerConfig none = QuantizerConfig.none();
        assertEquals(QuantizerConfig.Mode.NONE, none.mode());
        assertEquals(32, none.bits());
        QuantizerConfig grid = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).build();
        assertEquals(8, grid.bits());
        assertEquals(QuantizerConfig.GridKind.UNIFORM, grid.gridKind());
        assertEquals(0.1, grid.margin());
        QuantizerConfig integers = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID)
                .gridKind(QuantizerConfig.GridKind.INTEGER).build();
        assertEquals(5, integers.bits());
        QuantizerConfig delta = QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(3).seed(9).build();
        assertEquals(3, delta.bits());
        assertEquals(9, delta.seed());
    }

    @Test
    void badValuesAndContradictorySettingsAreExplained() {
        assertMessage("1..16", () -> QuantizerConfig.builder().bits(0));
        assertMessage("1..16", () -> QuantizerConfig.builder().bits(17));
        assertMessage("margin", () -> QuantizerConfig.builder().margin(-0.5));
        assertMessage("margin", () -> QuantizerConfig.builder().margin(Double.NaN));
        assertMessage("always uses 5 bits", () -> QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID)
                .gridKind(QuantizerConfig.GridKind.INTEGER).bits(8).build());
        assertMessage("NONE", () -> QuantizerConfig.builder().bits(8).build());
        assertMessage("only applies to mode GRID", () -> QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA)
                .gridKind(QuantizerConfig.GridKind.UNIFORM).build());
        assertMessage("margin only applies", () -> QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA)
                .margin(0.2).build());
        assertMessage("mode must not be null", () -> QuantizerConfig.builder().mode(null));
    }

    /** One bit is allowed; the algorithms' configurations warn about it (PdAdmmConfigTest, GadmmConfigTest). */
    @Test
    void oneBitIsAllowed() {
        assertEquals(1, QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(1).build().bits());
        assertEquals(1, QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(1).build().bits());
    }

    @Test
    void jsonRoundTrips() {
        List<QuantizerConfig> configs = List.of(QuantizerConfig.none(),
                QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(4).margin(0.25).seed(-3).build(),
                QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).gridKind(QuantizerConfig.GridKind.INTEGER).build(),
                QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(16).seed(Long.MAX_VALUE).build());
        for (QuantizerConfig config : configs) {
            assertEquals(config, QuantizerConfig.fromJson(config.toJson()), config.toJson());
            assertEquals(config, config.toBuilder().build());
        }
        assertEquals("{\"mode\":\"DELTA\",\"bits\":8,\"seed\":42}",
                QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).build().toJson());
        assertMessage("unknown quantizer configuration field 'bitz'",
                () -> QuantizerConfig.fromJson("{\"mode\":\"DELTA\",\"bitz\":8}"));
        assertMessage("unknown mode", () -> QuantizerConfig.fromJson("{\"mode\":\"FANCY\"}"));
        assertMessage("1..16", () -> QuantizerConfig.fromJson("{\"mode\":\"DELTA\",\"bits\":17}"));
        assertMessage("malformed", () -> QuantizerConfig.fromJson("{\"mode\":"));
    }

    @Test
    void codecForEachMode() {
        assertSame(RawTensorCodec.INSTANCE, Quantizers.codecFor(QuantizerConfig.none()));
        TensorCodec delta = Quantizers.codecFor(QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(6).build());
        assertInstanceOf(DeltaCodec.class, delta);
        assertEquals(6, ((DeltaCodec) delta).bits());
        QuantizerConfig uniform = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(4).margin(0).build();
        TensorCodec grid = Quantizers.codecFor(uniform);
        assertInstanceOf(GridCodec.class, grid);

        INDArray x = CodecTestSupport.gaussian(1, 8, 5, 0, 1);
        Transfer link = Transfer.backward(1);
        LocalChannel channel = new LocalChannel(grid);
        assertEquals(Quantizers.gridFor(uniform, x).project(x), channel.send(link, x));

        QuantizerConfig integerConfig = QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID)
                .gridKind(QuantizerConfig.GridKind.INTEGER).build();
        assertEquals(QuantizationGrid.paperIntegers(), Quantizers.gridFor(integerConfig, null));
        LocalChannel integerChannel = new LocalChannel(Quantizers.codecFor(integerConfig));
        assertEquals(QuantizationGrid.paperIntegers().project(x), integerChannel.send(link, x));

        // the engine's own grids per boundary: projected tensors travel exactly
        QuantizationGrid engineGrid = Quantizers.gridFor(uniform, x.mul(2));
        LocalChannel perLink = new LocalChannel(Quantizers.codecFor(uniform, l -> engineGrid));
        INDArray p = engineGrid.project(x);
        assertEquals(p, perLink.send(link, p));
        assertEquals(p, perLink.receive(link));
        assertMessage("only GRID", () -> Quantizers.gridFor(QuantizerConfig.none(), x));
    }
}
