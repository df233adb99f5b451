package io.github.dl4jadmm.pdadmm;

/**
 * One stage of greedy layer growth: train a network of {@code layers} layers for {@code iterations} iterations
 * with weight decay {@code mu}.
 *
 * @param layers     number of layers {@code L} in this stage (at least 2; more than the previous stage)
 * @param iterations ADMM iterations of this stage
 * @param mu         weight decay of this stage (it must shrink as depth grows, algorithms.md §1.1)
 */
public record GrowthStage(int layers, int iterations, double mu) {

    public GrowthStage {
        if (layers < 2) {
            throw new IllegalArgumentException("a growth stage needs at least 2 layers, got " + layers);
        }
        if (iterations < 0 || !(mu >= 0)) {
            throw new IllegalArgumentException("a growth stage needs iterations >= 0 and mu >= 0, got " + iterations
                    + " and " + mu);
        }
    }
}
