package io.github.dl4jadmm.graph.trainer;

import io.github.dl4jadmm.trainer.PdAdmmTrainer;
import io.github.dl4jadmm.trainer.PdAdmmTrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * {@link PdAdmmTrainer} for a {@link ComputationGraph}: the graph is adapted by {@link ComputationGraphAdapter}
 * (a chain of dense layers, optionally after a {@code MergeVertex} of the network inputs), the data's feature
 * arrays are concatenated in the merge's order, and everything else (checks, listeners, checkpoints, the weights
 * written into the graph's own views) is the trainer's.
 *
 * <pre>{@code
 * ComputationGraph graph = GaMlp.builder().forSplits(splits).build().createGraph(splits.powers(), splits.blockWidth());
 * PdAdmmTrainer trainer = new PdAdmmTrainer.Builder().nu(1).rho(5).mu(1).iterations(200).build();
 * new PdAdmmGraphTrainer(trainer).fit(graph, splits.multiDataSet(SplitPart.TRAIN));
 * }</pre>
 */
public final class PdAdmmGraphTrainer {

    private final PdAdmmTrainer trainer;

    /** Trains graphs with {@code trainer}'s settings. */
    public PdAdmmGraphTrainer(PdAdmmTrainer trainer) {
        if (trainer == null) {
            throw new IllegalArgumentException("trainer must not be null");
        }
        this.trainer = trainer;
    }

    /** The trainer whose settings are used. */
    public PdAdmmTrainer trainer() {
        return trainer;
    }

    /**
     * Trains {@code graph} on all rows of {@code data} (one feature array per network input, in the order of the
     * graph's inputs, as {@code graph.fit(MultiDataSet)} takes them).
     *
     * @see PdAdmmTrainer#fit(io.github.dl4jadmm.trainer.NetworkAdapter, org.nd4j.linalg.api.ndarray.INDArray,
     *      org.nd4j.linalg.api.ndarray.INDArray)
     */
    public PdAdmmTrainingResult fit(ComputationGraph graph, MultiDataSet data) {
        return fit(graph, data, null);
    }

    /** Trains {@code graph}, keeping the iterate with the best accuracy on {@code validation}. */
    public PdAdmmTrainingResult fit(ComputationGraph graph, MultiDataSet train, MultiDataSet validation) {
        ComputationGraphAdapter adapter = new ComputationGraphAdapter(graph);
        requireNoMasks(train, "training data");
        if (validation != null) {
            requireNoMasks(validation, "validation data");
            return trainer.fit(adapter, adapter.features(train), adapter.labels(train), adapter.features(validation),
                    adapter.labels(validation));
        }
        return trainer.fit(adapter, adapter.features(train), adapter.labels(train));
    }

    /** Trains a single-input {@code graph} on a {@link DataSet}. */
    public PdAdmmTrainingResult fit(ComputationGraph graph, DataSet data) {
        return fit(graph, new org.nd4j.linalg.dataset.MultiDataSet(data.getFeatures(), data.getLabels(),
                data.getFeaturesMaskArray(), data.getLabelsMaskArray()));
    }

    /** Trains {@code graph} on all batches of {@code data} at once (ADMM is full batch). */
    public PdAdmmTrainingResult fit(ComputationGraph graph, MultiDataSetIterator data) {
        return fit(graph, concatenate(data));
    }

    /** Continues a checkpointed run on {@code graph}; see {@link PdAdmmTrainer#resume}. */
    public PdAdmmTrainingResult resume(ComputationGraph graph, MultiDataSet data, Path checkpoint) {
        ComputationGraphAdapter adapter = new ComputationGraphAdapter(graph);
        requireNoMasks(data, "training data");
        return trainer.resume(adapter, adapter.features(data), adapter.labels(data), checkpoint);
    }

    /** All batches of {@code iterator} as one multi data set (reset first if it can be). */
    static MultiDataSet concatenate(MultiDataSetIterator iterator) {
        if (iterator == null) {
            throw new IllegalArgumentException("the multi data set iterator must not be null");
        }
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        List<MultiDataSet> batches = new ArrayList<>();
        while (iterator.hasNext()) {
            MultiDataSet batch = iterator.next();
            requireNoMasks(batch, "batch " + batches.size());
            batches.add(batch);
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("the multi data set iterator returned no batches (was it exhausted and "
                    + "not resettable?)");
        }
        return batches.size() == 1 ? batches.get(0) : org.nd4j.linalg.dataset.MultiDataSet.merge(batches);
    }

    private static void requireNoMasks(MultiDataSet data, String what) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException(what + ": a multi data set with features and labels is needed");
        }
        if (hasAny(data.getFeaturesMaskArrays()) || hasAny(data.getLabelsMaskArrays())) {
            throw new IllegalArgumentException(what + " has feature or label masks, which pdADMM-G does not support "
                    + "(feed-forward chains train on plain rows); drop the masks or the masked rows");
        }
    }

    private static boolean hasAny(Object[] arrays) {
        if (arrays == null) {
            return false;
        }
        for (Object a : arrays) {
            if (a != null) {
                return true;
            }
        }
        return false;
    }
}
