package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.IterationMetrics;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A listener for what only ADMM has: residual, augmented Lagrangian, rho, bytes sent (all in
 * {@link IterationMetrics}). It is a DL4J {@link TrainingListener}, so it sits in the same list as DL4J's own
 * listeners ({@code net.setListeners(new ScoreIterationListener(10), myAdmmListener)}); {@link PdAdmmTrainer} calls
 * {@link #onAdmmIteration} after each ADMM iteration, just before this listener's {@code iterationDone}. Every DL4J
 * callback defaults to doing nothing, so the listener stays harmless when the network is later trained by DL4J's
 * own {@code fit}.
 */
public interface AdmmTrainingListener extends TrainingListener {

    /**
     * One ADMM iteration finished; the network's parameters already hold its weights.
     *
     * @param model   the network being trained
     * @param metrics the iteration's metrics ({@code bytesSent} counted from the start of the run, across resumes)
     */
    void onAdmmIteration(Model model, IterationMetrics metrics);

    @Override
    default void iterationDone(Model model, int iteration, int epoch) {
    }

    @Override
    default void onEpochStart(Model model) {
    }

    @Override
    default void onEpochEnd(Model model) {
    }

    @Override
    default void onForwardPass(Model model, List<INDArray> activations) {
    }

    @Override
    default void onForwardPass(Model model, Map<String, INDArray> activations) {
    }

    @Override
    default void onGradientCalculation(Model model) {
    }

    @Override
    default void onBackwardPass(Model model) {
    }
}
