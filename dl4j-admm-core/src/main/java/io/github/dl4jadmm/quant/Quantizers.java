package io.github.dl4jadmm.quant;

import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.Transfer;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Entry points from a {@link QuantizerConfig} to the codec and the grids the engine uses. */
public final class Quantizers {

    private Quantizers() {
    }

    /**
     * The codec of a configuration, when the engine keeps no grids of its own:
     * NONE -> {@link RawTensorCodec#INSTANCE}; GRID/UNIFORM -> {@link GridCodec#adaptive}{@code (bits, margin)}
     * (each message on a uniform grid over its own range); GRID/INTEGER -> {@link GridCodec#fixed} on
     * {@code {-1, ..., 20}}; DELTA -> {@link DeltaCodec}{@code (bits, seed)}.
     */
    public static TensorCodec codecFor(QuantizerConfig config) {
        return switch (config.mode()) {
            case NONE -> RawTensorCodec.INSTANCE;
            case GRID -> config.gridKind() == QuantizerConfig.GridKind.INTEGER
                    ? GridCodec.fixed(QuantizationGrid.paperIntegers())
                    : GridCodec.adaptive(config.bits(), config.margin());
            case DELTA -> new DeltaCodec(config.bits(), config.seed(), config.stochasticRounding());
        };
    }

    /**
     * The codec of a configuration whose GRID links send indices into the engine's own grids (the ones it projects
     * {@code p_l} onto, e.g. from {@link #gridFor}), so projected tensors travel exactly. Other modes as
     * {@link #codecFor(QuantizerConfig)}.
     */
    public static TensorCodec codecFor(QuantizerConfig config, Function<Transfer, QuantizationGrid> gridPerLink) {
        return config.mode() == QuantizerConfig.Mode.GRID ? GridCodec.perLink(gridPerLink) : codecFor(config);
    }

    /**
     * The grid a GRID configuration prescribes for tensors like {@code sample} (e.g. a boundary's activations after
     * the first forward pass): UNIFORM -> {@link QuantizationGrid#uniformFromStatistics}{@code (sample, bits,
     * margin)}; INTEGER -> {@code {-1, ..., 20}} ({@code sample} unused, may be null).
     *
     * @throws IllegalArgumentException if the configuration is not in GRID mode
     */
    public static QuantizationGrid gridFor(QuantizerConfig config, INDArray sample) {
        if (config.mode() != QuantizerConfig.Mode.GRID) {
            throw new IllegalArgumentException("only GRID configurations define a grid, got " + config);
        }
        return config.gridKind() == QuantizerConfig.GridKind.INTEGER
                ? QuantizationGrid.paperIntegers()
                : QuantizationGrid.uniformFromStatistics(sample, config.bits(), config.margin());
    }
}
