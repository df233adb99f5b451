package io.github.dl4jadmm.graph.model;

import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Graph-Augmented MLP: a plain DL4J MLP on the stacked propagated features {@code [S^k1 H, S^k2 H, ...]}.
 *
 * <p>The network is {@code numLayers} layers <em>in total, the output layer included</em>: {@code numLayers - 1}
 * {@link DenseLayer}s of {@code hiddenWidth} units with ReLU, then an {@link OutputLayer} with softmax and
 * multi-class cross-entropy ({@code MCXENT}). The defaults, 10 layers and 100 units, are the pdADMM-G paper's
 * network: 9 hidden layers of 100 plus the output layer. The result is an ordinary {@link MultiLayerNetwork}, so
 * DL4J's own {@code fit} trains it, and the ADMM trainer can take it as it is.
 *
 * <p>{@link #createGraph} builds the same network as a {@link ComputationGraph} with one input per block
 * ({@code hop<k>} for the block holding {@code S^k H}) concatenated by a {@link MergeVertex}; feed it with
 * {@link AugmentedSplits#multiDataSet}.
 *
 * <pre>{@code
 * MultiLayerNetwork net = GaMlp.builder().forSplits(splits).build().createNetwork();
 * net.fit(splits.dataSet(SplitPart.TRAIN));
 * }</pre>
 */
public final class GaMlp {

    private final int nIn;
    private final int nOut;
    private final int[] hiddenSizes;
    private final Activation activation;
    private final WeightInit weightInit;
    private final IUpdater updater;
    private final double l2;
    private final long seed;
    private final DataType dataType;

    private GaMlp(Builder builder, int[] hiddenSizes) {
        this.nIn = builder.nIn;
        this.nOut = builder.nOut;
        this.hiddenSizes = hiddenSizes;
        this.activation = builder.activation;
        this.weightInit = builder.weightInit;
        this.updater = builder.updater.clone();
        this.l2 = builder.l2;
        this.seed = builder.seed;
        this.dataType = builder.dataType;
    }

    /** A builder with the defaults (10 layers in total, 100 hidden units, ReLU, Xavier, Adam 1e-3, seed 12345). */
    public static Builder builder() {
        return new Builder();
    }

    /** Input width. */
    public int nIn() {
        return nIn;
    }

    /** Number of classes. */
    public int nOut() {
        return nOut;
    }

    /** Widths of the hidden layers (a copy); empty for a softmax regression. */
    public int[] hiddenSizes() {
        return hiddenSizes.clone();
    }

    /** Layers in total, the output layer included. */
    public int numLayers() {
        return hiddenSizes.length + 1;
    }

    /** The MLP configuration. */
    public MultiLayerConfiguration multiLayerConfiguration() {
        NeuralNetConfiguration.ListBuilder list = baseConfiguration().list();
        int width = nIn;
        for (int hidden : hiddenSizes) {
            list.layer(new DenseLayer.Builder().nIn(width).nOut(hidden).activation(activation).build());
            width = hidden;
        }
        list.layer(outputLayer(width));
        return list.build();
    }

    /** A new, initialised {@link MultiLayerNetwork}. */
    public MultiLayerNetwork createNetwork() {
        MultiLayerNetwork network = new MultiLayerNetwork(multiLayerConfiguration());
        network.init();
        return network;
    }

    /**
     * The same network as a graph with one input per feature block: input {@code hop<k>} takes the block
     * {@code S^k H}, the inputs are concatenated in the given order by the {@link MergeVertex} {@code merge}, then
     * come layers {@code dense0 ..} and {@code output}.
     *
     * @param powers     power of {@code S} of each block, in column order ({@link AugmentedSplits#powers()})
     * @param blockWidth features per block ({@link AugmentedSplits#blockWidth()})
     * @throws IllegalArgumentException if {@code powers.size() * blockWidth} is not this network's {@code nIn}
     */
    public ComputationGraphConfiguration graphConfiguration(List<Integer> powers, int blockWidth) {
        if ((long) powers.size() * blockWidth != nIn) {
            throw new IllegalArgumentException(powers.size() + " blocks of " + blockWidth + " features give "
                    + (long) powers.size() * blockWidth + " inputs, but this GA-MLP was built with nIn = " + nIn);
        }
        String[] inputs = powers.stream().map(power -> "hop" + power).toArray(String[]::new);
        if (Arrays.stream(inputs).distinct().count() != inputs.length) {
            throw new IllegalArgumentException("powers must be distinct, got " + powers);
        }
        ComputationGraphConfiguration.GraphBuilder graph = baseConfiguration().graphBuilder().addInputs(inputs);
        String previous = "merge";
        graph.addVertex(previous, new MergeVertex(), inputs);
        int width = nIn;
        for (int layer = 0; layer < hiddenSizes.length; layer++) {
            String name = "dense" + layer;
            graph.addLayer(name, new DenseLayer.Builder().nIn(width).nOut(hiddenSizes[layer]).activation(activation)
                    .build(), previous);
            previous = name;
            width = hiddenSizes[layer];
        }
        graph.addLayer("output", outputLayer(width), previous);
        return graph.setOutputs("output").build();
    }

    /** A new, initialised {@link ComputationGraph}; see {@link #graphConfiguration}. */
    public ComputationGraph createGraph(List<Integer> powers, int blockWidth) {
        ComputationGraph graph = new ComputationGraph(graphConfiguration(powers, blockWidth));
        graph.init();
        return graph;
    }

    private NeuralNetConfiguration.Builder baseConfiguration() {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(weightInit)
                .updater(updater.clone())
                .dataType(dataType);
        if (l2 > 0) {
            base.l2(l2);
        }
        return base;
    }

    private OutputLayer outputLayer(int width) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(width).nOut(nOut)
                .activation(Activation.SOFTMAX).build();
    }

    @Override
    public String toString() {
        return "GaMlp[" + nIn + " -> " + Arrays.toString(hiddenSizes) + " -> " + nOut + ", " + activation + ", "
                + weightInit + ", " + updater + ", l2=" + l2 + ", seed=" + seed + "]";
    }

    /** Validating builder of {@link GaMlp}. */
    public static final class Builder {
        private int nIn;
        private int nOut;
        private int numLayers = 10;
        private int hiddenWidth = 100;
        private int[] hiddenSizes;
        private boolean uniformShapeSet;
        private Activation activation = Activation.RELU;
        private WeightInit weightInit = WeightInit.XAVIER;
        private IUpdater updater = new Adam(1e-3);
        private double l2;
        private long seed = 12345;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /** Sets {@code nIn} and {@code nOut} from augmented features. */
        public Builder forSplits(AugmentedSplits splits) {
            return nIn(splits.numFeatures()).nOut(splits.numClasses());
        }

        /** Input width: number of stacked features (required). */
        public Builder nIn(int nIn) {
            this.nIn = positive(nIn, "nIn");
            return this;
        }

        /** Number of classes (required). */
        public Builder nOut(int nOut) {
            this.nOut = positive(nOut, "nOut");
            return this;
        }

        /**
         * Layers in total, the output layer included (default 10: nine hidden layers and the output layer); 1 gives
         * a softmax regression. Cannot be combined with {@link #hiddenLayerSizes}.
         */
        public Builder numLayers(int numLayers) {
            this.numLayers = positive(numLayers, "numLayers");
            this.uniformShapeSet = true;
            return this;
        }

        /** Units of each hidden layer (default 100). Cannot be combined with {@link #hiddenLayerSizes}. */
        public Builder hiddenWidth(int hiddenWidth) {
            this.hiddenWidth = positive(hiddenWidth, "hiddenWidth");
            this.uniformShapeSet = true;
            return this;
        }

        /** Explicit widths of the hidden layers, replacing {@link #numLayers} and {@link #hiddenWidth}. */
        public Builder hiddenLayerSizes(int... sizes) {
            for (int size : sizes) {
                positive(size, "each hidden layer size");
            }
            this.hiddenSizes = sizes.clone();
            return this;
        }

        /** Hidden activation (default ReLU, the activation the ADMM z-update solves in closed form). */
        public Builder activation(Activation activation) {
            this.activation = Objects.requireNonNull(activation, "activation");
            return this;
        }

        /** Weight initialisation (default {@link WeightInit#XAVIER}). */
        public Builder weightInit(WeightInit weightInit) {
            this.weightInit = Objects.requireNonNull(weightInit, "weightInit");
            return this;
        }

        /** Updater used by DL4J's own {@code fit} (default Adam, learning rate 1e-3). */
        public Builder updater(IUpdater updater) {
            this.updater = Objects.requireNonNull(updater, "updater");
            return this;
        }

        /** L2 weight decay for DL4J's own {@code fit} (default 0, none). */
        public Builder l2(double l2) {
            if (!(l2 >= 0)) {
                throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
            }
            this.l2 = l2;
            return this;
        }

        /** Random seed of the weight initialisation (default 12345). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Data type of parameters and activations (default {@code FLOAT}, matching the augmented features). */
        public Builder dataType(DataType dataType) {
            if (dataType == null || !dataType.isFPType()) {
                throw new IllegalArgumentException("dataType must be a floating-point type, got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /**
         * The GA-MLP description.
         *
         * @throws IllegalStateException if {@code nIn} or {@code nOut} was not set, or both an explicit and a uniform
         *                               layer shape were given
         */
        public GaMlp build() {
            if (nIn == 0 || nOut == 0) {
                throw new IllegalStateException("GaMlp needs nIn and nOut: call nIn(...) and nOut(...), or"
                        + " forSplits(augmentedSplits)");
            }
            if (hiddenSizes != null && uniformShapeSet) {
                throw new IllegalStateException("give either hiddenLayerSizes(...) or numLayers(...)/hiddenWidth(...),"
                        + " not both");
            }
            int[] sizes = hiddenSizes;
            if (sizes == null) {
                sizes = new int[numLayers - 1];
                Arrays.fill(sizes, hiddenWidth);
            }
            return new GaMlp(this, sizes);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
