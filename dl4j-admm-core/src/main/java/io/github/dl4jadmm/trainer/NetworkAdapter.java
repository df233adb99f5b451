package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import java.util.Collection;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A user's DL4J network seen as the chain of dense layers that pdADMM-G trains: its architecture, the live
 * parameter views of each layer (written in place, never replaced), and the hooks the DL4J listener contract needs.
 * An adapter is built once per network and checks the whole network when it is built, so that an unsupported
 * network is refused before any work. {@link MultiLayerNetworkAdapter} adapts a {@code MultiLayerNetwork};
 * {@code dl4j-admm-graph} adapts a {@code ComputationGraph}.
 */
public interface NetworkAdapter {

    /** The DL4J network itself (what listeners receive). */
    Model network();

    /** The chain as pdADMM-G sees it. */
    MlpArchitecture architecture();

    /** Data type of the network's parameters. */
    DataType dataType();

    /** How messages name layer {@code l} (1-based), e.g. {@code layer 1 "dense1"}. */
    String describeLayer(int layer);

    /** The network's own weight view {@code W} of layer {@code l} (1-based), {@code [nIn, nOut]}. */
    INDArray weightView(int layer);

    /** The network's own bias view {@code b} of layer {@code l} (1-based). */
    INDArray biasView(int layer);

    /** Key of layer {@code l}'s weights in the network's gradients (e.g. {@code 0_W}, or {@code dense0_W}). */
    String weightKey(int layer);

    /** Key of layer {@code l}'s bias in the network's gradients. */
    String biasKey(int layer);

    /** The network's listeners, in the order DL4J calls them. */
    Collection<TrainingListener> listeners();

    /**
     * Sets the network's input and labels, as DL4J's own fit does before listeners run (listeners read the batch
     * size from them).
     *
     * @param features the chain's input {@code X} (for a graph with merged inputs, the concatenation)
     */
    void setInputAndLabels(INDArray features, INDArray labels);

    /** Stores the score listeners read with {@code model.score()}. */
    void setScore(double score);

    /** Stores the gradient listeners read with {@code model.gradient()}. */
    void setGradient(Gradient gradient);

    /** The network's iteration counter. */
    int iterationCount();

    /** The network's epoch counter. */
    int epochCount();

    /** Adds one to the network's epoch counter. */
    void incrementEpochCount();

    /** Drops the input, labels and layer activations held for listeners (as DL4J does after fitting). */
    void clearInputAndLabels();
}
