package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.pdadmm.GrowthPolicy;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.RhoSchedule;
import io.github.dl4jadmm.pdadmm.WStep;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The GA-MLP and pdADMM-G settings that {@code train} and {@code worker} share, with the same defaults, so that a
 * run split over worker processes is the run that {@code train} makes with the same options.
 */
public final class ModelOptions {

    @Option(names = "--layers", paramLabel = "L", defaultValue = "4",
            description = "Dense layers, the output layer included (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--neurons", paramLabel = "N", defaultValue = "100",
            description = "Neurons per hidden layer (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--nu", paramLabel = "NU", defaultValue = "1",
            description = "pdADMM-G: weight of the relaxation terms (default: ${DEFAULT-VALUE}).")
    double nu;

    @Option(names = "--rho", paramLabel = "RHO", defaultValue = "5",
            description = "pdADMM-G: penalty of the coupling p_{l+1} = q_l; keep rho > 4 nu (Q-GADMM workers: the "
                    + "consensus penalty) (default: ${DEFAULT-VALUE}).")
    double rho;

    @Option(names = "--mu", paramLabel = "MU", defaultValue = "3",
            description = "pdADMM-G without growth (2 layers, or --growth none): weight decay mu/2 ||W||^2 "
                    + "(default: ${DEFAULT-VALUE}). With growth the stages' decays are --stage-mu.")
    double mu;

    @Option(names = "--growth", paramLabel = "DEPTHS", defaultValue = "standard",
            description = "pdADMM-G: the recipe for depth. standard (default): more than 2 layers are grown greedily, "
                    + "2 -> 5 -> L layers (2 -> L for L <= 5), new hidden layers identity-initialised; none: train all "
                    + "L layers from a random initialisation (generalises poorly when deep); or the depths before L, "
                    + "e.g. 2,4,7.")
    String growth;

    @Option(names = "--stage-mu", paramLabel = "MU", split = ",",
            description = "pdADMM-G with growth: the weight decay of each stage, one per --growth depth and one for "
                    + "the full depth (default: 10,1,0.01 for standard; a network of 5 layers or fewer takes the "
                    + "first two).")
    double[] stageMu;

    @Option(names = "--stage-iterations", paramLabel = "T",
            description = "pdADMM-G with growth: iterations of each stage before the full depth (default: as many as "
                    + "--iterations, which the full-depth stage runs).")
    Integer stageIterations;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "fixed", converter = DashedNames.Schedules.class,
            description = "pdADMM-G: rho schedule, fixed (default), stall-x10 or residual-balancing.")
    RhoSchedule schedule;

    @Option(names = "--w-step", paramLabel = "NAME", defaultValue = "exact", converter = DashedNames.WSteps.class,
            description = "pdADMM-G: weight update, exact (ridge solve; default: on raw bag-of-words graphs the "
                    + "linearised step crawls) or linearized (one prox-gradient step, as published).")
    WStep wStep;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the weight initialisation and stochastic rounding (default: ${DEFAULT-VALUE}). The "
                    + "synthetic graph is always the same.")
    long seed;

    /**
     * The growth policy the options give; a bad value, or an option that does not apply to the depth, is a usage
     * error naming it.
     */
    GrowthPolicy growthPolicy(CommandLine cmd) {
        boolean off = growth.trim().equalsIgnoreCase("none");
        if ((off || layers <= 2) && (stageMu != null || stageIterations != null)) {
            throw new ParameterException(cmd, "--stage-mu and --stage-iterations apply to greedy growth, which a "
                    + layers + "-layer network " + (off ? "does not get with --growth none" : "does not need")
                    + "; use --mu");
        }
        GrowthPolicy policy;
        try {
            String g = growth.trim();
            if (g.equalsIgnoreCase("none")) {
                policy = GrowthPolicy.none();
            } else if (g.equalsIgnoreCase("standard")) {
                policy = stageMu == null ? GrowthPolicy.standard()
                        : GrowthPolicy.standard().withWeightDecays(stageMu);
            } else {
                int[] depths;
                try {
                    depths = Arrays.stream(g.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                } catch (NumberFormatException e) {
                    throw new ParameterException(cmd, "--growth is standard, none or the depths before the full "
                            + "depth (e.g. 2,5), got '" + growth + "'");
                }
                if (stageMu == null) {
                    throw new ParameterException(cmd, "--growth " + growth + " needs --stage-mu with one weight decay "
                            + "per stage: " + (depths.length + 1) + " values (the depths " + growth + " and the full "
                            + "depth), e.g. 10,1,0.01 for 2,5");
                }
                policy = GrowthPolicy.of(depths, stageMu, 0);
            }
            if (stageIterations != null) {
                if (stageIterations < 1) {
                    throw new ParameterException(cmd, "--stage-iterations must be >= 1, got " + stageIterations);
                }
                policy = policy.withStageIterations(stageIterations);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, (stageMu != null ? "--growth/--stage-mu: " : "--growth: ")
                    + e.getMessage(), e);
        }
        boolean grows = policy.enabled() && layers > policy.depths()[0];
        if (!grows && (stageMu != null || stageIterations != null)) {
            throw new ParameterException(cmd, "--stage-mu and --stage-iterations apply to greedy growth, which a "
                    + layers + "-layer network " + (policy.enabled() ? "does not need" : "does not get with --growth "
                    + "none") + "; use --mu");
        }
        if (grows && cmd.getParseResult().hasMatchedOption("--mu")) {
            throw new ParameterException(cmd, "--mu applies without growth; the " + layers + " layers are grown "
                    + "(--growth " + growth + ") with a weight decay per stage: give them with --stage-mu (default "
                    + "10,1,0.01), or add --growth none to train all layers at once with --mu");
        }
        return policy;
    }

    /** The stages of a run whose full-depth stage runs {@code iterations} iterations. */
    List<GrowthStage> stages(CommandLine cmd, int iterations) {
        return growthPolicy(cmd).stages(layers, iterations, mu);
    }
}
