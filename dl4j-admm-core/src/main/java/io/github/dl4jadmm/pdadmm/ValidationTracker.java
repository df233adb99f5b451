package io.github.dl4jadmm.pdadmm;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps the iterate with the best validation accuracy (model selection by validation, algorithms.md §1.1): every
 * {@code frequency} iterations it runs a forward pass on the validation data and, on improvement, copies the
 * weights. Register it with {@link PdAdmmEngine#addListener}.
 */
public final class ValidationTracker implements PdAdmmListener {

    private final INDArray features;
    private final INDArray labels;
    private final int frequency;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private double lastAccuracy = Double.NaN;
    private int bestIteration = -1;
    private int seen;
    private List<INDArray> bestWeights;
    private List<INDArray> bestBiases;

    /**
     * @param features  validation inputs
     * @param labels    one-hot validation labels
     * @param frequency evaluate every this many iterations (>= 1)
     */
    public ValidationTracker(INDArray features, INDArray labels, int frequency) {
        if (frequency < 1) {
            throw new IllegalArgumentException("validation frequency must be >= 1, got " + frequency);
        }
        if (features.rows() != labels.rows()) {
            throw new IllegalArgumentException("validation features and labels have " + features.rows() + " and "
                    + labels.rows() + " rows");
        }
        this.features = features;
        this.labels = labels;
        this.frequency = frequency;
    }

    @Override
    public void iterationDone(PdAdmmEngine engine, IterationMetrics metrics) {
        if (seen++ % frequency != 0) {
            return;
        }
        lastAccuracy = engine.accuracy(features, labels);
        if (lastAccuracy > bestAccuracy) {
            bestAccuracy = lastAccuracy;
            bestIteration = seen - 1;
            bestWeights = engine.weights();
            bestBiases = engine.biases();
        }
    }

    /** Best validation accuracy seen, or -infinity before the first evaluation. */
    public double bestAccuracy() {
        return bestAccuracy;
    }

    /** Accuracy of the most recent evaluation, NaN before the first. */
    public double lastAccuracy() {
        return lastAccuracy;
    }

    /** Index (counted over all iterations this tracker saw) of the best iterate, -1 before the first evaluation. */
    public int bestIteration() {
        return bestIteration;
    }

    /** Copies of the best iterate's weights, or null before the first evaluation. */
    public List<INDArray> bestWeights() {
        return bestWeights;
    }

    /** Copies of the best iterate's biases, or null before the first evaluation. */
    public List<INDArray> bestBiases() {
        return bestBiases;
    }
}
