package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.gadmm.BitWidthRule;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmDivergenceException;
import io.github.dl4jadmm.gadmm.GadmmIterationMetrics;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Benchmark of issue #6 (algorithms.md §3): GADMM against Q-GADMM on linear regression, and Q-SGADMM against exact
 * SGADMM and plain Adam on Fashion-MNIST. Prints markdown tables.
 *
 * <pre>
 * java -cp ... io.github.dl4jadmm.examples.GadmmBenchmark [regression|fashion|all] [key=value ...]
 *   regression: workers=50 samples=5 condition=10 noise=0.1 tolerance=1e-4 streak=50 maxIterations=20000
 *               dims=10,13 rhos=3,24 bits=2,3,8 adaptive= (initial widths of NON_INCREASING_STEP runs)
 *   fashion:    data=DIR (default: system property dl4jadmm.data.dir + /fashion-mnist) fashionWorkers=10
 *               iterations=60 adamEpochs=3 lr=0.001 seed=1 fashionRhos=20,1 alpha=0.01
 * </pre>
 *
 * Bits are counted as the paper does (each worker transmission once: {@code b d + 32} per quantised segment,
 * {@code 32 d} exact); wire bytes are what the in-JVM channel encoded, headers included, each delivery to each
 * neighbour counted (exact models travel as raw float64 in the regression, float32 for networks).
 */
public final class GadmmBenchmark {

    private GadmmBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String which = args.length > 0 && !args[0].contains("=") ? args[0] : "all";
        Map<String, String> options = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                options.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        System.out.printf(Locale.ROOT, "cores: %d, ND4J threads: %d%n", Runtime.getRuntime().availableProcessors(),
                Nd4j.getEnvironment().maxThreads());
        if (which.equals("regression") || which.equals("all")) {
            regression(options);
        }
        if (which.equals("fashion") || which.equals("all")) {
            fashion(options);
        }
    }

    // ------------------------------------------------------------------ linear regression

    /** Outcome of one regression run. */
    record RegressionRun(String method, int bits, int iterations, long paperBits, long wireBytes, double seconds,
                         String status) {
    }

    static void regression(Map<String, String> o) {
        int workers = Integer.parseInt(o.getOrDefault("workers", "50"));
        int samples = Integer.parseInt(o.getOrDefault("samples", "5"));
        double condition = Double.parseDouble(o.getOrDefault("condition", "10"));
        double noise = Double.parseDouble(o.getOrDefault("noise", "0.1"));
        double tolerance = Double.parseDouble(o.getOrDefault("tolerance", "1e-4"));
        int streak = Integer.parseInt(o.getOrDefault("streak", "50"));
        int maxIterations = Integer.parseInt(o.getOrDefault("maxIterations", "20000"));
        int[] dims = ints(o.getOrDefault("dims", "10,13"));
        double[] rhos = java.util.Arrays.stream(o.getOrDefault("rhos", "3,24").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        int[] widths = ints(o.getOrDefault("bits", "2,3,8"));
        int[] adaptiveFrom = ints(o.getOrDefault("adaptive", ""));
        System.out.printf(Locale.ROOT, "%n## Linear regression: %d workers on a chain, %d samples each, feature "
                        + "condition %.0f, noise %.2f; converged when |F - F*| < %.0e for %d consecutive iterations "
                        + "(iterations and bits counted up to the first iteration of that run)%n%n", workers, samples,
                condition, noise, tolerance, streak);
        System.out.println("| d | rho | method | iterations | paper bits | saved vs GADMM | ideal 32d/(bd+32) "
                + "| achieved / ideal | wire bytes | wire saved | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (int d : dims) {
            List<DataSet> shards = SyntheticRegression.shards(workers, samples, d, condition, noise, 1000L + d);
            List<LinearRegressionSolver> solvers = shards.stream().map(LinearRegressionSolver::of).toList();
            double[] star = LinearRegressionSolver.stackedLeastSquares(solvers);
            double optimum = solvers.stream().mapToDouble(s -> s.loss(star)).sum();
            for (double rho : rhos) {
                GadmmConfig.Builder base = GadmmConfig.builder().rho(rho).threads(1).objectiveFrequency(1);
                RegressionRun exact = runRegression("GADMM", 32, base.exact().build(), solvers, optimum, tolerance,
                        streak, maxIterations);
                printRow(d, rho, exact, exact);
                for (int b : widths) {
                    RegressionRun q = runRegression("Q-GADMM b=" + b, b, base.bits(b).build(), solvers, optimum,
                            tolerance, streak, maxIterations);
                    printRow(d, rho, q, exact);
                }
                for (int b : adaptiveFrom) {
                    RegressionRun q = runRegression("Q-GADMM non-increasing step from b=" + b, 0, base.bits(b)
                            .bitWidthRule(BitWidthRule.NON_INCREASING_STEP).build(), solvers, optimum, tolerance,
                            streak, maxIterations);
                    printRow(d, rho, q, exact);
                }
            }
        }
    }

    private static int[] ints(String csv) {
        return csv.isEmpty() ? new int[0] : java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt)
                .toArray();
    }

    private static RegressionRun runRegression(String method, int bits, GadmmConfig config,
                                               List<LinearRegressionSolver> solvers, double optimum,
                                               double tolerance, int streak, int maxIterations) {
        long start = System.nanoTime();
        try (GadmmTrainer trainer = new GadmmTrainer(config, solvers)) {
            int run = 0;
            int first = -1;
            long bitsAtFirst = 0;
            long bytesAtFirst = 0;
            for (int k = 0; k < maxIterations; k++) {
                GadmmIterationMetrics m;
                try {
                    m = trainer.iterate();
                } catch (GadmmDivergenceException e) {
                    return new RegressionRun(method, bits, k + 1, trainer.paperBitsSent(),
                            trainer.channel().bytesSent(), seconds(start), "diverged");
                }
                if (!Double.isFinite(m.objective())) {
                    return new RegressionRun(method, bits, k + 1, m.paperBits(), m.wireBytes(), seconds(start),
                            "diverged");
                }
                if (Math.abs(m.objective() - optimum) < tolerance) {
                    if (run++ == 0) {
                        first = k + 1;
                        bitsAtFirst = m.paperBits();
                        bytesAtFirst = m.wireBytes();
                    }
                    if (run >= streak) {
                        return new RegressionRun(method, bits, first, bitsAtFirst, bytesAtFirst, seconds(start),
                                "ok");
                    }
                } else {
                    run = 0;
                }
            }
            return new RegressionRun(method, bits, maxIterations, trainer.paperBitsSent(),
                    trainer.channel().bytesSent(), seconds(start), "not converged");
        }
    }

    private static void printRow(int d, double rho, RegressionRun r, RegressionRun exact) {
        boolean ok = r.status.equals("ok") && exact.status.equals("ok");
        String saved = ok ? String.format(Locale.ROOT, "%.2fx", (double) exact.paperBits / r.paperBits) : "-";
        // bits 0 marks an adaptive width, which has no single ideal
        double ideal = r.bits == 32 ? 1.0 : r.bits == 0 ? Double.NaN : 32.0 * d / (r.bits * d + 32);
        String fraction = ok && r.bits != 0
                ? String.format(Locale.ROOT, "%.3f", (double) exact.paperBits / r.paperBits / ideal) : "-";
        String wireSaved = ok ? String.format(Locale.ROOT, "%.2fx", (double) exact.wireBytes / r.wireBytes) : "-";
        String iterations = r.status.equals("ok") ? Integer.toString(r.iterations)
                : r.status + " (" + r.iterations + ")";
        String idealText = Double.isNaN(ideal) ? "-" : String.format(Locale.ROOT, "%.2fx", ideal);
        System.out.printf(Locale.ROOT, "| %d | %.0f | %s | %s | %d | %s | %s | %s | %d | %s | %.1f |%n", d, rho,
                r.method, iterations, r.paperBits, saved, idealText, fraction, r.wireBytes, wireSaved, r.seconds);
    }

    // ------------------------------------------------------------------ Fashion-MNIST

    /** Outcome of one Fashion-MNIST run. */
    record NetworkRun(String method, double accuracy, long paperBits, long wireBytes, double seconds,
                      String budget) {
    }

    static void fashion(Map<String, String> o) throws IOException {
        Path dir = dataDirectory(o);
        int workers = Integer.parseInt(o.getOrDefault("fashionWorkers", "10"));
        int iterations = Integer.parseInt(o.getOrDefault("iterations", "60"));
        int adamEpochs = Integer.parseInt(o.getOrDefault("adamEpochs", "3"));
        double lr = Double.parseDouble(o.getOrDefault("lr", "0.001"));
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        double[] rhos = java.util.Arrays.stream(o.getOrDefault("fashionRhos", "20,1").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        double alpha = Double.parseDouble(o.getOrDefault("alpha", "0.01"));
        DataSet train = FashionMnist.train(dir);
        DataSet test = FashionMnist.test(dir);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "%n## Fashion-MNIST: MLP 784-128-64-10 (ReLU, softmax), Adam lr %.4g, seed %d; "
                        + "%d workers, %d iterations of 10 local steps on minibatches of 100 (%.1f passes over each "
                        + "worker's shard), alpha %.3g, 8 bits; Adam on all data for %d epochs%n%n", lr, seed, workers,
                iterations, iterations * 10.0 * 100 / (train.numExamples() / workers), alpha, adamEpochs);
        List<DataSet> shards = SgadmmTrainer.shards(train, workers, seed);
        List<NetworkRun> runs = new ArrayList<>();
        for (double rho : rhos) {
            // workers run on one thread per core with one ND4J thread each; plain Adam gets every core
            Nd4j.getEnvironment().setMaxThreads(1);
            GadmmConfig quantised = SgadmmTrainer.authorsConfig().rho(rho).alpha(alpha).iterations(iterations)
                    .threads(cores).build();
            String tag = String.format(Locale.ROOT, ", rho %.3g", rho);
            runs.add(runSgadmm("Q-SGADMM (8 bits)" + tag, quantised, shards, test, lr, seed, iterations));
            runs.add(runSgadmm("SGADMM (exact, float32)" + tag, quantised.toBuilder().exact().build(), shards, test,
                    lr, seed, iterations));
        }
        Nd4j.getEnvironment().setMaxThreads(cores);
        if (adamEpochs > 0) {
            runs.add(runAdam(train, test, lr, seed, adamEpochs));
        }

        System.out.println("| method | test accuracy | vs exact SGADMM (points) | paper bits | fewer bits than "
                + "SGADMM | wire bytes | seconds | budget |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < runs.size(); i++) {
            NetworkRun r = runs.get(i);
            NetworkRun exact = i < 2 * rhos.length ? runs.get(i - i % 2 + 1) : null;
            String points = exact == null ? "-" : String.format(Locale.ROOT, "%+.2f",
                    100 * (r.accuracy - exact.accuracy));
            String fewer = exact == null ? "-" : String.format(Locale.ROOT, "%.3fx",
                    (double) exact.paperBits / r.paperBits);
            System.out.printf(Locale.ROOT, "| %s | %.4f | %s | %d | %s | %d | %.0f | %s |%n", r.method, r.accuracy,
                    points, r.paperBits, fewer, r.wireBytes, r.seconds, r.budget);
        }
    }

    private static NetworkRun runSgadmm(String method, GadmmConfig config, List<DataSet> shards, DataSet test,
                                        double lr, long seed, int iterations) {
        long start = System.nanoTime();
        MultiLayerNetwork net = mlp(lr, seed);
        try (SgadmmTrainer trainer = SgadmmTrainer.builder(net).config(config).localSteps(10).batchSize(100)
                .build(shards)) {
            int every = Math.max(1, iterations / 6);
            trainer.engine().addListener((t, m) -> {
                if ((m.iteration() + 1) % every == 0) {
                    System.err.printf(Locale.ROOT, "%s: iteration %d, consensus accuracy %.4f, disagreement %.4f, "
                                    + "%.1f s%n", method, m.iteration() + 1, accuracyOf(trainer, test),
                            trainer.relativeDisagreement(), seconds(start));
                }
            });
            List<GadmmIterationMetrics> history = trainer.fit();
            GadmmIterationMetrics last = history.get(history.size() - 1);
            double accuracy = trainer.evaluate(test).accuracy();
            return new NetworkRun(method, accuracy, last.paperBits(), last.wireBytes(), seconds(start),
                    iterations + " iterations x 10 steps x 100 samples per worker");
        }
    }

    private static double accuracyOf(SgadmmTrainer trainer, DataSet test) {
        trainer.writeConsensus();
        return trainer.evaluate(test).accuracy();
    }

    private static NetworkRun runAdam(DataSet train, DataSet test, double lr, long seed, int epochs) {
        long start = System.nanoTime();
        MultiLayerNetwork net = mlp(lr, seed);
        for (int e = 0; e < epochs; e++) {
            DataSet shuffled = train.copy();
            shuffled.shuffle(seed + e);
            for (DataSet batch : shuffled.batchBy(100)) {
                net.fit(batch);
            }
        }
        Evaluation evaluation = new Evaluation();
        evaluation.eval(test.getLabels(), net.output(test.getFeatures(), false));
        return new NetworkRun("Adam, all data, one worker", evaluation.accuracy(), 0, 0, seconds(start),
                epochs + " epochs, minibatches of 100");
    }

    static MultiLayerNetwork mlp(double lr, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(lr))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(128).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static Path dataDirectory(Map<String, String> o) throws IOException {
        String explicit = o.get("data");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String base = System.getProperty("dl4jadmm.data.dir");
        if (base == null) {
            throw new IOException("no data directory: pass data=DIR (the folder of the Fashion-MNIST .gz files) or "
                    + "-Ddl4jadmm.data.dir=DIR (the folder holding fashion-mnist/)");
        }
        Path dir = Path.of(base, "fashion-mnist");
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " does not exist; pass data=DIR");
        }
        return dir;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
