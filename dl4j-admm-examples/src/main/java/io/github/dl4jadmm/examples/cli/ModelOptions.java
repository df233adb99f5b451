package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.pdadmm.RhoSchedule;
import io.github.dl4jadmm.pdadmm.WStep;
import picocli.CommandLine.Option;

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
            description = "pdADMM-G: weight decay mu/2 ||W||^2 (default: ${DEFAULT-VALUE}).")
    double mu;

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
}
