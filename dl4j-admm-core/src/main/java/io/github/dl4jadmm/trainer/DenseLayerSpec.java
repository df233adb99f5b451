package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.HiddenActivation;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DL4J layer as a pdADMM-G block: a {@link DenseLayer} (hidden, with its activation) or the final
 * {@link OutputLayer} (with its risk). {@link #inspect} accepts a layer configuration or refuses it with an
 * {@link UnsupportedNetworkException} naming the layer; {@link #architecture} joins the blocks of a chain.
 *
 * @param culprit    how messages name the layer, e.g. {@code layer 1 "dense1"}
 * @param nIn        input width
 * @param nOut       output width
 * @param activation the hidden activation, null for the output layer
 * @param risk       the output risk, null for a hidden layer
 */
public record DenseLayerSpec(String culprit, int nIn, int nOut, HiddenActivation activation, OutputRisk risk) {

    private static final Logger log = LoggerFactory.getLogger(DenseLayerSpec.class);

    /**
     * Checks one layer of a chain.
     *
     * @param layer   the layer's configuration ({@code conf.getLayer()})
     * @param culprit how messages name the layer
     * @param last    whether it is the chain's last layer (which must be the output layer)
     * @throws UnsupportedNetworkException naming the layer: a type other than {@code DenseLayer}/{@code OutputLayer},
     *                                     dropout, layer normalisation, no bias, weight noise, constraints, an
     *                                     unsupported activation or loss, or an output activation that does not
     *                                     match its loss
     */
    public static DenseLayerSpec inspect(Layer layer, String culprit, boolean last) {
        if (layer == null) {
            throw new UnsupportedNetworkException(culprit, "has no layer configuration");
        }
        Class<?> type = layer.getClass();
        if (type != DenseLayer.class && type != OutputLayer.class) {
            throw new UnsupportedNetworkException(culprit, "is a " + type.getSimpleName() + "; pdADMM-G trains a "
                    + "chain of DenseLayer ending in an OutputLayer (no convolution, recurrent, normalisation, "
                    + "frozen or other layer types): train this network with DL4J's own fit");
        }
        if (last && type != OutputLayer.class) {
            throw new UnsupportedNetworkException(culprit, "is the last layer but a " + type.getSimpleName()
                    + "; the chain must end in an OutputLayer (MCXENT/NEGATIVELOGLIKELIHOOD + SOFTMAX, or "
                    + "MSE + IDENTITY)");
        }
        if (!last && type == OutputLayer.class) {
            throw new UnsupportedNetworkException(culprit, "is an OutputLayer before the end of the chain; only "
                    + "the last layer may be an output layer");
        }
        if (layer.getIDropout() != null) {
            throw new UnsupportedNetworkException(culprit, "uses dropout (" + layer.getIDropout() + "); pdADMM-G "
                    + "has no dropout: build the layer without dropOut(...) (ADMM regularises with the weight "
                    + "decay mu instead)");
        }
        if (layer instanceof DenseLayer dense && dense.hasLayerNorm()) {
            throw new UnsupportedNetworkException(culprit, "uses layer normalisation (hasLayerNorm(true)), which "
                    + "has no ADMM subproblem here; build the layer with hasLayerNorm(false)");
        }
        boolean hasBias = layer instanceof DenseLayer dense ? dense.hasBias() : ((BaseOutputLayer) layer).hasBias();
        if (!hasBias) {
            throw new UnsupportedNetworkException(culprit, "has no bias (hasBias(false)); pdADMM-G's b-step always "
                    + "fits a bias: build the layer with hasBias(true)");
        }
        BaseLayer base = (BaseLayer) layer;
        if (base.getWeightNoise() != null) {
            throw new UnsupportedNetworkException(culprit, "uses weight noise (" + base.getWeightNoise()
                    + "), which ADMM cannot apply; remove weightNoise(...)");
        }
        if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
            throw new UnsupportedNetworkException(culprit, "has parameter constraints " + layer.getConstraints()
                    + ", which ADMM cannot enforce; remove them");
        }
        if ((base.getRegularization() != null && !base.getRegularization().isEmpty())
                || (base.getRegularizationBias() != null && !base.getRegularizationBias().isEmpty())) {
            log.warn("{} has regularisation {} / {}, which pdADMM-G does not apply; its weight decay is mu",
                    culprit, base.getRegularization(), base.getRegularizationBias());
        }
        FeedForwardLayer ff = (FeedForwardLayer) layer;
        int nIn = Math.toIntExact(ff.getNIn());
        int nOut = Math.toIntExact(ff.getNOut());
        IActivation fn = base.getActivationFn();
        if (!last) {
            try {
                return new DenseLayerSpec(culprit, nIn, nOut, HiddenActivation.from(fn), null);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedNetworkException(culprit, "has an unsupported hidden activation: "
                        + e.getMessage());
            }
        }
        ILossFunction loss = ((BaseOutputLayer) layer).getLossFn();
        OutputRisk risk;
        try {
            risk = OutputRisk.from(loss);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedNetworkException(culprit, "has an unsupported loss: " + e.getMessage());
        }
        boolean matches = risk == OutputRisk.SOFTMAX_CROSS_ENTROPY ? fn instanceof ActivationSoftmax
                : fn instanceof ActivationIdentity;
        if (!matches) {
            throw new UnsupportedNetworkException(culprit, "combines loss " + loss + " with activation " + fn
                    + "; pdADMM-G supports MCXENT or NEGATIVELOGLIKELIHOOD with SOFTMAX, and MSE with IDENTITY");
        }
        return new DenseLayerSpec(culprit, nIn, nOut, null, risk);
    }

    /**
     * The architecture of a chain of inspected layers, the output layer last.
     *
     * @throws UnsupportedNetworkException if hidden activations differ or consecutive widths do not fit
     */
    public static MlpArchitecture architecture(List<DenseLayerSpec> chain) {
        if (chain.isEmpty()) {
            throw new UnsupportedNetworkException("the network", "has no layers");
        }
        int[] widths = new int[chain.size() + 1];
        widths[0] = chain.get(0).nIn();
        HiddenActivation activation = null;
        for (int i = 0; i < chain.size(); i++) {
            DenseLayerSpec spec = chain.get(i);
            if (i > 0 && spec.nIn() != widths[i]) {
                throw new UnsupportedNetworkException(spec.culprit(), "has nIn = " + spec.nIn() + " but the layer "
                        + "before it has nOut = " + widths[i]);
            }
            widths[i + 1] = spec.nOut();
            if (spec.activation() != null) {
                if (activation != null && !activation.equals(spec.activation())) {
                    throw new UnsupportedNetworkException(spec.culprit(), "uses activation " + spec.activation()
                            + " but " + chain.get(0).culprit() + " uses " + activation + "; pdADMM-G needs the same "
                            + "activation on every hidden layer");
                }
                activation = spec.activation();
            }
        }
        // a single output layer has no hidden activation; ReLU is a placeholder the engine never applies
        return new MlpArchitecture(widths, activation == null ? HiddenActivation.relu() : activation,
                chain.get(chain.size() - 1).risk());
    }
}
