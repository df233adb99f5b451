package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link PdAdmmTrainer} run leaves besides the trained network.
 *
 * @param config                   the configuration the engine ran with (the checkpoint's, after a resume)
 * @param architecture             the chain that was trained (at the last stage: the network's)
 * @param history                  the metrics of every iteration run by this call, every growth stage in order
 * @param weights                  copies of the weights written into the network, layer 1 first
 * @param biases                   copies of the biases written into the network
 * @param stoppedEarly             whether the residual fell below the configured tolerance before the last iteration
 * @param bestValidationIteration  the iteration whose weights were kept by validation (an index into
 *                                 {@code history}; always one of the last stage's), or -1 without validation
 * @param bestValidationAccuracy   its validation accuracy, or NaN without validation
 * @param lastCheckpoint           the last checkpoint written, or null
 * @param stages                   the stages this call ran: the greedy growth stages, or one stage of the network's
 *                                 depth without growth
 */
public record PdAdmmTrainingResult(PdAdmmConfig config, MlpArchitecture architecture, List<IterationMetrics> history,
                                   List<INDArray> weights, List<INDArray> biases, boolean stoppedEarly,
                                   int bestValidationIteration, double bestValidationAccuracy, Path lastCheckpoint,
                                   List<GrowthStage> stages) {

    public PdAdmmTrainingResult {
        history = List.copyOf(history);
        weights = List.copyOf(weights);
        biases = List.copyOf(biases);
        stages = List.copyOf(stages);
    }

    /** Metrics of the last iteration run, or null if none was run. */
    public IterationMetrics last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
