package io.github.dl4jadmm.pdadmm;

import java.util.Arrays;

/**
 * The network pdADMM-G trains: {@code L} dense layers of widths {@code n_0 .. n_L}, activation {@code f} on
 * layers {@code 1..L-1}, and a risk on the output (algorithms.md §1).
 *
 * @param widths     {@code n_0 .. n_L}: input width, hidden widths, output width (at least two entries)
 * @param activation hidden activation {@code f}
 * @param risk       output risk
 */
public record MlpArchitecture(int[] widths, HiddenActivation activation, OutputRisk risk) {

    public MlpArchitecture {
        if (widths == null || widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got "
                    + Arrays.toString(widths));
        }
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] < 1) {
                throw new IllegalArgumentException("layer width n_" + i + " must be positive, got "
                        + Arrays.toString(widths));
            }
        }
        if (activation == null || risk == null) {
            throw new IllegalArgumentException("activation and risk must not be null");
        }
        widths = widths.clone();
    }

    /**
     * {@code layers} dense layers of {@code hidden} neurons from {@code inputs} to {@code outputs} (so
     * {@code layers - 1} hidden layers), ReLU and softmax cross-entropy: the paper's GA-MLP shape.
     */
    public static MlpArchitecture uniform(int inputs, int hidden, int outputs, int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("need at least one layer, got " + layers);
        }
        int[] w = new int[layers + 1];
        Arrays.fill(w, hidden);
        w[0] = inputs;
        w[layers] = outputs;
        return new MlpArchitecture(w, HiddenActivation.relu(), OutputRisk.SOFTMAX_CROSS_ENTROPY);
    }

    /** Number of layers {@code L}. */
    public int layers() {
        return widths.length - 1;
    }

    /** {@code n_{l-1}}, the input width of layer {@code l} (1-based). */
    public int inputsOf(int layer) {
        return widths[layer - 1];
    }

    /** {@code n_l}, the output width of layer {@code l} (1-based). */
    public int outputsOf(int layer) {
        return widths[layer];
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlpArchitecture a && Arrays.equals(a.widths, widths) && a.activation.equals(activation)
                && a.risk == risk;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31 + activation.hashCode() * 7 + risk.hashCode();
    }

    @Override
    public String toString() {
        return "MLP" + Arrays.toString(widths) + " " + activation + " -> " + risk;
    }
}
