package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.report.BenchmarkReport;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.gadmm.BitWidthRule;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The seam between the command line and the Q-GADMM / Q-SGADMM runs (decentralised data-parallel training over a
 * chain of workers, algorithms.md §3). {@code gadmm} and {@code bench gadmm|q-sgadmm} find the implementation with
 * {@link ServiceLoader}; this module registers {@link QGadmmBackend} in
 * {@code META-INF/services/io.github.dl4jadmm.examples.cli.GadmmBackend}. A build without any implementation says
 * that Q-GADMM is not available and exits with {@link AdmmCli#EXIT_UNAVAILABLE}.
 */
public interface GadmmBackend {

    /** What the workers learn. */
    enum Problem {
        /** Seeded synthetic linear regression ({@code SyntheticRegression}), closed-form local steps. */
        LINEAR_REGRESSION("linear regression"),
        /** Seeded synthetic logistic regression (labels drawn from a logistic model), Newton local steps. */
        LOGISTIC_REGRESSION("logistic regression"),
        /** Q-SGADMM: the MLP 784-128-64-10 on Fashion-MNIST, local steps of DL4J's Adam. */
        FASHION_MNIST("Fashion-MNIST");

        private final String words;

        Problem(String words) {
            this.words = words;
        }

        /** The problem in words, e.g. {@code "linear regression"}. */
        public String words() {
            return words;
        }

        /** Whether this trains a network with stochastic local steps (Q-SGADMM) rather than a convex model. */
        public boolean network() {
            return this == FASHION_MNIST;
        }
    }

    /**
     * One run. Every value is already validated and has its problem's default filled in.
     *
     * @param problem       what the workers learn
     * @param workers       workers on the chain, at least 2
     * @param dimension     regression: model parameters {@code d}
     * @param samples       regression: rows per worker
     * @param condition     linear regression: condition number of the feature covariance
     * @param noise         linear regression: standard deviation of the target noise
     * @param dataDir       Fashion-MNIST: the folder of the {@code .gz} files
     * @param trainRows     Fashion-MNIST: training rows to use (the first ones; 0 for all 60,000)
     * @param localSteps    Fashion-MNIST: updater steps per primal step
     * @param batchSize     Fashion-MNIST: minibatch rows
     * @param learningRate  Fashion-MNIST: Adam's learning rate
     * @param rho           penalty
     * @param alpha         dual step factor
     * @param exact         models travel as raw floats (GADMM, SGADMM) instead of quantised
     * @param bits          bits per element of a quantised model (ignored when exact)
     * @param bitWidthRule  fixed width or the paper's non-increasing step
     * @param iterations    iterations
     * @param evalEvery     evaluate losses and accuracies every this many iterations (and after the last)
     * @param threads       worker threads, 0 for {@code min(workers, cores)}
     * @param seed          seed of the data, the initial network, the minibatches and the stochastic rounding
     */
    record Request(Problem problem, int workers, int dimension, int samples, double condition, double noise,
                   Path dataDir, int trainRows, int localSteps, int batchSize, double learningRate, double rho,
                   double alpha, boolean exact, int bits, BitWidthRule bitWidthRule, int iterations, int evalEvery,
                   int threads, long seed) {
    }

    /**
     * What a run produced.
     *
     * @param headline      one line saying what ran, e.g. {@code "10 workers, d = 13, 200 samples in all"}
     * @param configuration the run's full configuration (the trainer's {@code GadmmConfig} and the problem's
     *                      settings), for the JSON summary
     * @param results       the results by name (accuracies, relative error, bits, bytes, seconds), for the JSON
     *                      summary
     * @param report        closing lines for standard output
     */
    record Result(String headline, Map<String, Object> configuration, Map<String, Object> results,
                  java.util.List<String> report) {
    }

    /** A short name, e.g. {@code "Q-GADMM (io.github.dl4jadmm.gadmm)"}. */
    String name();

    /**
     * A one-line description of the run {@code request} asks for, printed before it starts (the data are not read
     * yet).
     */
    String describe(Request request);

    /**
     * Trains as {@code request} says, reporting each iteration: objective {@code sum_n f_n(theta_n)} where evaluated,
     * consensus residual {@code sum_n ||theta_n - theta_{n+1}||^2} as the residual, wire bytes sent between workers,
     * the consensus model's loss and accuracies where evaluated.
     *
     * @throws io.github.dl4jadmm.gadmm.GadmmDivergenceException if a model becomes NaN or infinite (the iterations
     *                                                           before it have been reported)
     */
    Result train(Request request, Consumer<IterationRecord> onIteration) throws Exception;

    /**
     * Runs a benchmark suite.
     *
     * @param suite   {@code gadmm} (GADMM against Q-GADMM, linear regression) or {@code q-sgadmm} (Fashion-MNIST)
     * @param options the suite's settings as {@code GadmmBenchmark} names them ({@code workers}, {@code dims},
     *                {@code data}, ...); missing ones take their defaults
     * @param log     progress lines
     * @return the tables, with the complete settings
     */
    BenchmarkReport benchmark(String suite, Map<String, String> options, Consumer<String> log) throws Exception;

    /** The implementation on the class path, if any. */
    static Optional<GadmmBackend> find() {
        return ServiceLoader.load(GadmmBackend.class).findFirst();
    }

    /** The implementation, or an {@link UnavailableException} saying that this build has none. */
    static GadmmBackend require(String what) {
        return find().orElseThrow(() -> new UnavailableException(what + ": Q-GADMM is not available in this build "
                + "(no implementation of " + GadmmBackend.class.getName() + " is on the class path: "
                + "META-INF/services/" + GadmmBackend.class.getName() + " is missing from the jar)"));
    }
}
