package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The seam between the command line and a Q-GADMM / Q-SGADMM implementation (decentralised data-parallel training
 * over a chain of workers, algorithms.md §3). {@code gadmm} and {@code bench gadmm|q-sgadmm} find the implementation
 * with {@link ServiceLoader}: to connect one, implement this interface and list the class in
 * {@code META-INF/services/io.github.dl4jadmm.examples.cli.GadmmBackend}. Without one, these commands say that
 * Q-GADMM is not available in this build and exit with {@link AdmmCli#EXIT_UNAVAILABLE}.
 */
public interface GadmmBackend {

    /**
     * One Q-GADMM run.
     *
     * @param data        the GA-MLP inputs; the training rows are split over the workers
     * @param workers     workers in the chain
     * @param layers      dense layers of the model each worker holds, the output layer included
     * @param neurons     neurons per hidden layer
     * @param bits        bits per transmitted model element (stochastic quantisation), or 32 for full precision
     * @param stochastic  Q-SGADMM: each worker uses a minibatch of {@code batchSize} rows per iteration
     * @param batchSize   minibatch rows per worker (Q-SGADMM)
     * @param rho         the ADMM penalty
     * @param iterations  iterations
     * @param seed        seed of every random choice
     */
    record Request(AugmentedSplits data, int workers, int layers, int neurons, int bits, boolean stochastic,
                   int batchSize, double rho, int iterations, long seed) {
    }

    /**
     * What a run produced.
     *
     * @param trainAccuracy accuracy of the consensus (or average) model on the training rows
     * @param testAccuracy  accuracy on the test rows
     * @param configuration the implementation's full configuration, for the JSON summary
     */
    record Result(double trainAccuracy, double testAccuracy, Map<String, Object> configuration) {
    }

    /** A short name, e.g. {@code "Q-GADMM (io.github.dl4jadmm.gadmm)"}. */
    String name();

    /**
     * Trains as {@code request} says, reporting each iteration (bytes sent between workers in
     * {@link IterationRecord#bytesSent()}, test accuracy where evaluated).
     */
    Result train(Request request, Consumer<IterationRecord> onIteration) throws Exception;

    /**
     * Runs a benchmark suite.
     *
     * @param suite    {@code gadmm} (Q-GADMM) or {@code q-sgadmm}
     * @param settings the suite's settings from the command line (data directory, datasets, seeds, ...)
     */
    List<ResultTable> benchmark(String suite, Map<String, Object> settings) throws Exception;

    /** The implementation on the class path, if any. */
    static Optional<GadmmBackend> find() {
        return ServiceLoader.load(GadmmBackend.class).findFirst();
    }

    /** The implementation, or an {@link UnavailableException} saying that this build has none. */
    static GadmmBackend require(String what) {
        return find().orElseThrow(() -> new UnavailableException(what + ": Q-GADMM is not available in this build "
                + "(no implementation of " + GadmmBackend.class.getName() + " is on the class path; the Q-GADMM "
                + "trainer, package io.github.dl4jadmm.gadmm, has not been merged yet)"));
    }
}
