package io.github.dl4jadmm.graph.augment;

import io.github.dl4jadmm.graph.SplitPart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The GA-MLP inputs of the train, validation and test nodes: for each part, a {@code [nodes, blocks * F]} feature
 * matrix (rows = the part's nodes in increasing id order, columns as described in {@link AugmentationConfig}) and
 * one-hot labels {@code [nodes, numClasses]}, both of the configured data type.
 *
 * <p>The arrays are shared, not copied, by the accessors: treat them as read-only (copy with {@code dup()} before
 * modifying). {@link #dataSet(SplitPart)} wraps them in a DL4J {@link DataSet}.
 */
public final class AugmentedSplits {

    private final String datasetName;
    private final List<Integer> powers;
    private final int blockWidth;
    private final int numClasses;
    private final Map<SplitPart, int[]> nodeIds;
    private final Map<SplitPart, int[]> classes;
    private final Map<SplitPart, INDArray> features;
    private final Map<SplitPart, INDArray> labels;
    private final AugmentationReport report;

    AugmentedSplits(String datasetName, List<Integer> powers, int blockWidth, int numClasses,
                    Map<SplitPart, int[]> nodeIds, Map<SplitPart, int[]> classes, Map<SplitPart, INDArray> features,
                    Map<SplitPart, INDArray> labels, AugmentationReport report) {
        this.datasetName = datasetName;
        this.powers = List.copyOf(powers);
        this.blockWidth = blockWidth;
        this.numClasses = numClasses;
        this.nodeIds = new EnumMap<>(nodeIds);
        this.classes = new EnumMap<>(classes);
        this.features = new EnumMap<>(features);
        this.labels = new EnumMap<>(labels);
        this.report = report;
    }

    /** Name of the data set the features came from. */
    public String datasetName() {
        return datasetName;
    }

    /** Power of {@code S} of each block, in column order. */
    public List<Integer> powers() {
        return powers;
    }

    /** Number of blocks ({@code powers().size()}). */
    public int numBlocks() {
        return powers.size();
    }

    /** Columns per block: the number of raw node features {@code F}. */
    public int blockWidth() {
        return blockWidth;
    }

    /** Columns of the feature matrices: {@code numBlocks() * blockWidth()}; the GA-MLP's {@code nIn}. */
    public int numFeatures() {
        return powers.size() * blockWidth;
    }

    /** Number of classes (columns of the one-hot labels); the GA-MLP's {@code nOut}. */
    public int numClasses() {
        return numClasses;
    }

    /** Node ids of the rows of {@code part}'s arrays (a copy). */
    public int[] nodeIds(SplitPart part) {
        return nodeIds.get(part).clone();
    }

    /** Class index of each row of {@code part} (a copy). */
    public int[] classes(SplitPart part) {
        return classes.get(part).clone();
    }

    /** The {@code [nodes, numFeatures]} feature matrix of {@code part} (shared; do not modify). */
    public INDArray features(SplitPart part) {
        return features.get(part);
    }

    /** The {@code [nodes, numClasses]} one-hot labels of {@code part} (shared; do not modify). */
    public INDArray labels(SplitPart part) {
        return labels.get(part);
    }

    /** Features and labels of {@code part} as a DL4J {@link DataSet} (sharing the arrays). */
    public DataSet dataSet(SplitPart part) {
        return new DataSet(features(part), labels(part));
    }

    /**
     * Features of {@code part} split into one input per block, in column order, for a GA-MLP
     * {@code ComputationGraph} with one input per hop (the block arrays are copies).
     */
    public MultiDataSet multiDataSet(SplitPart part) {
        INDArray[] inputs = new INDArray[numBlocks()];
        for (int block = 0; block < inputs.length; block++) {
            inputs[block] = features(part).get(NDArrayIndex.all(),
                    NDArrayIndex.interval((long) block * blockWidth, (long) (block + 1) * blockWidth)).dup();
        }
        return new MultiDataSet(inputs, new INDArray[] {labels(part)});
    }

    /** What the augmentation cost. */
    public AugmentationReport report() {
        return report;
    }

    @Override
    public String toString() {
        return "AugmentedSplits[" + datasetName + ", powers " + powers + " x " + blockWidth + " features, train "
                + features(SplitPart.TRAIN).rows() + ", val " + features(SplitPart.VAL).rows() + ", test "
                + features(SplitPart.TEST).rows() + "]";
    }
}
