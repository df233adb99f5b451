package io.github.dl4jadmm.graph.trainer;

import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.trainer.DenseLayerSpec;
import io.github.dl4jadmm.trainer.NetworkAdapter;
import io.github.dl4jadmm.trainer.UnsupportedNetworkException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link ComputationGraph} as a pdADMM-G chain. Accepted: one network output; vertices that, in topological
 * order, form a single chain of {@code DenseLayer}s ending in an {@code OutputLayer} (each checked by
 * {@link DenseLayerSpec#inspect}); optionally, before the first layer, one {@link MergeVertex} whose inputs are all
 * network inputs, which is folded into the input by concatenating the features in the vertex's input order (the
 * GA-MLP's {@code hop<k>} blocks). Refused, naming the vertex: element-wise and every other vertex type, a merge of
 * anything but network inputs, branches and skip connections (a vertex feeding more than one vertex), unused
 * inputs, preprocessors. The graph must be initialised ({@code graph.init()}).
 *
 * <pre>{@code
 * ComputationGraphAdapter adapter = new ComputationGraphAdapter(graph);
 * INDArray x = adapter.features(multiDataSet);          // hop0 | hop1 | ... in the merge's order
 * }</pre>
 */
public final class ComputationGraphAdapter implements NetworkAdapter {

    private final ComputationGraph graph;
    private final MlpArchitecture architecture;
    private final List<String> layerNames = new ArrayList<>();
    private final List<String> inputOrder;
    private final List<String> networkInputs;
    private long[] inputWidths;

    /**
     * Walks the graph.
     *
     * @throws UnsupportedNetworkException naming the first vertex that pdADMM-G cannot train, and why
     * @throws IllegalStateException       if the graph was not initialised
     */
    public ComputationGraphAdapter(ComputationGraph graph) {
        if (graph == null) {
            throw new IllegalArgumentException("graph must not be null");
        }
        if (graph.getVertices() == null || graph.params() == null) {
            throw new IllegalStateException("the ComputationGraph is not initialised; call graph.init() first");
        }
        this.graph = graph;
        ComputationGraphConfiguration conf = graph.getConfiguration();
        this.networkInputs = List.copyOf(conf.getNetworkInputs());
        List<String> outputs = conf.getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new UnsupportedNetworkException("the graph", "has " + outputs.size() + " outputs " + outputs
                    + "; pdADMM-G trains a chain with exactly one output layer");
        }
        String output = outputs.get(0);
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        Map<String, List<String>> consumers = new HashMap<>();
        vertexInputs.forEach((vertex, inputs) -> inputs.forEach(
                input -> consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(vertex)));

        List<DenseLayerSpec> chain = new ArrayList<>();
        List<String> folded = null;
        String previous = null;
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (networkInputs.contains(name)) {
                continue;
            }
            String culprit = "vertex \"" + name + "\"";
            GraphVertex vertex = vertices.get(name);
            List<String> inputs = vertexInputs.getOrDefault(name, List.of());
            if (vertex instanceof MergeVertex merge) {
                if (previous != null || inputs.isEmpty() || !networkInputs.containsAll(inputs)) {
                    throw new UnsupportedNetworkException(culprit, "is a MergeVertex of " + inputs + "; only a "
                            + "MergeVertex of network inputs, before the first layer, can be folded into the input");
                }
                if (merge.getMergeAxis() != MergeVertex.DEFAULT_MERGE_DIM) {
                    throw new UnsupportedNetworkException(culprit, "merges along axis " + merge.getMergeAxis()
                            + "; only the feature axis (" + MergeVertex.DEFAULT_MERGE_DIM + ") can be folded");
                }
                folded = List.copyOf(inputs);
                previous = name;
            } else if (vertex instanceof LayerVertex layerVertex) {
                if (inputs.size() != 1) {
                    throw new UnsupportedNetworkException(culprit, "has " + inputs.size() + " inputs " + inputs
                            + "; a layer of the chain takes exactly one");
                }
                String source = inputs.get(0);
                if (previous == null) {
                    if (!networkInputs.contains(source)) {
                        throw new UnsupportedNetworkException(culprit, "is the first layer but takes " + source
                                + ", which is not a network input");
                    }
                    folded = List.of(source);
                } else if (!source.equals(previous)) {
                    throw new UnsupportedNetworkException(culprit, "takes its input from \"" + source + "\" instead "
                            + "of the vertex before it in the chain; pdADMM-G trains a single chain without "
                            + "branches or skip connections");
                }
                if (layerVertex.getPreProcessor() != null) {
                    throw new UnsupportedNetworkException(culprit, "has an input preprocessor ("
                            + layerVertex.getPreProcessor().getClass().getSimpleName() + "); pdADMM-G needs plain "
                            + "[N, nIn] inputs: reshape the data beforehand and remove the preprocessor");
                }
                chain.add(DenseLayerSpec.inspect(layerVertex.getLayerConf().getLayer(), culprit, name.equals(output)));
                layerNames.add(name);
                previous = name;
            } else {
                throw new UnsupportedNetworkException(culprit, "is a " + vertex.getClass().getSimpleName()
                        + "; pdADMM-G trains a chain of DenseLayers ending in an OutputLayer, optionally after a "
                        + "MergeVertex of the network inputs (no element-wise, subset, stack, reshape or other "
                        + "vertices)");
            }
            List<String> next = consumers.getOrDefault(name, List.of());
            if (!name.equals(output) && next.size() != 1) {
                throw new UnsupportedNetworkException(culprit, next.isEmpty() ? "feeds no vertex and is not the output"
                        : "feeds " + next.size() + " vertices " + next + "; pdADMM-G trains a single chain without "
                        + "branches");
            }
        }
        if (layerNames.isEmpty() || !layerNames.get(layerNames.size() - 1).equals(output)) {
            throw new UnsupportedNetworkException("vertex \"" + output + "\"", "is the output but not the end of a "
                    + "chain of layers");
        }
        for (String input : networkInputs) {
            if (folded == null || !folded.contains(input)) {
                throw new UnsupportedNetworkException("input \"" + input + "\"", "is not used by the chain");
            }
        }
        this.inputOrder = folded;
        this.architecture = DenseLayerSpec.architecture(chain);
    }

    /** The network inputs in the order their columns make up the chain's input. */
    public List<String> inputOrder() {
        return inputOrder;
    }

    /**
     * The chain's input for {@code data}: its feature arrays (given in the order of the graph's network inputs, as
     * {@code graph.fit(MultiDataSet)} takes them) concatenated in the merge vertex's input order.
     *
     * @throws IllegalArgumentException if the number of arrays, their ranks or their row counts do not fit
     */
    public INDArray features(MultiDataSet data) {
        INDArray[] arrays = data.getFeatures();
        if (arrays == null || arrays.length != networkInputs.size()) {
            throw new IllegalArgumentException("the graph has " + networkInputs.size() + " inputs " + networkInputs
                    + " but the data have " + (arrays == null ? 0 : arrays.length) + " feature arrays");
        }
        INDArray[] ordered = new INDArray[inputOrder.size()];
        long[] widths = new long[inputOrder.size()];
        for (int i = 0; i < ordered.length; i++) {
            String input = inputOrder.get(i);
            INDArray array = arrays[networkInputs.indexOf(input)];
            if (array == null || array.rank() != 2) {
                throw new IllegalArgumentException("features of input \"" + input + "\" must be a matrix [N, width], got "
                        + (array == null ? "null" : Arrays.toString(array.shape())));
            }
            if (i > 0 && array.rows() != ordered[0].rows()) {
                throw new IllegalArgumentException("features of input \"" + input + "\" have " + array.rows()
                        + " rows but those of \"" + inputOrder.get(0) + "\" have " + ordered[0].rows());
            }
            ordered[i] = i == 0 ? array : array.castTo(ordered[0].dataType());
            widths[i] = array.columns();
        }
        this.inputWidths = widths;
        return ordered.length == 1 ? ordered[0] : Nd4j.concat(1, ordered);
    }

    /**
     * The labels of {@code data}: its only label array.
     *
     * @throws IllegalArgumentException if it has more than one
     */
    public INDArray labels(MultiDataSet data) {
        INDArray[] labels = data.getLabels();
        if (labels == null || labels.length != 1) {
            throw new IllegalArgumentException("the graph has one output but the data have "
                    + (labels == null ? 0 : labels.length) + " label arrays");
        }
        return labels[0];
    }

    @Override
    public ComputationGraph network() {
        return graph;
    }

    @Override
    public MlpArchitecture architecture() {
        return architecture;
    }

    @Override
    public DataType dataType() {
        return graph.params().dataType();
    }

    @Override
    public String describeLayer(int layer) {
        return "vertex \"" + layerNames.get(layer - 1) + "\"";
    }

    @Override
    public INDArray weightView(int layer) {
        return graph.getLayer(layerNames.get(layer - 1)).getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    @Override
    public INDArray biasView(int layer) {
        return graph.getLayer(layerNames.get(layer - 1)).getParam(DefaultParamInitializer.BIAS_KEY);
    }

    @Override
    public String weightKey(int layer) {
        return layerNames.get(layer - 1) + "_" + DefaultParamInitializer.WEIGHT_KEY;
    }

    @Override
    public String biasKey(int layer) {
        return layerNames.get(layer - 1) + "_" + DefaultParamInitializer.BIAS_KEY;
    }

    @Override
    public Collection<TrainingListener> listeners() {
        return graph.getListeners();
    }

    /**
     * Gives the graph its inputs back as separate arrays (views of {@code features}, in the order of the network
     * inputs), using the widths seen by the last {@link #features(MultiDataSet)}.
     */
    @Override
    public void setInputAndLabels(INDArray features, INDArray labels) {
        INDArray[] inputs = new INDArray[networkInputs.size()];
        if (inputOrder.size() == 1) {
            inputs[0] = features;
        } else {
            if (inputWidths == null || Arrays.stream(inputWidths).sum() != features.columns()) {
                throw new IllegalStateException("cannot split the merged input back into the graph's inputs: build it "
                        + "with features(multiDataSet) first");
            }
            long from = 0;
            for (int i = 0; i < inputOrder.size(); i++) {
                inputs[networkInputs.indexOf(inputOrder.get(i))] = features.get(NDArrayIndex.all(),
                        NDArrayIndex.interval(from, from + inputWidths[i]));
                from += inputWidths[i];
            }
        }
        graph.setInputs(inputs);
        graph.setLabels(labels);
    }

    @Override
    public void setScore(double score) {
        graph.setScore(score);
    }

    @Override
    public void setGradient(Gradient gradient) {
        graph.setGradient(gradient);
    }

    @Override
    public int iterationCount() {
        return graph.getIterationCount();
    }

    @Override
    public int epochCount() {
        return graph.getEpochCount();
    }

    @Override
    public void incrementEpochCount() {
        graph.incrementEpochCount();
    }

    @Override
    public void clearInputAndLabels() {
        graph.clear();
    }
}
