package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.examples.report.ResultTable.Column;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
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
 * SGADMM and plain Adam on Fashion-MNIST. Each suite returns a {@link ResultTable}; {@code dl4j-admm bench gadmm}
 * and {@code bench q-sgadmm} run them from the command line, {@link #main} prints them as markdown.
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
        System.out.printf(Locale.ROOT, "cores: %d, ND4J threads: %d%n%n", Runtime.getRuntime().availableProcessors(),
                Nd4j.getEnvironment().maxThreads());
        if (which.equals("regression") || which.equals("all")) {
            System.out.println(regression(RegressionSettings.from(options), System.err::println).toMarkdown());
        }
        if (which.equals("fashion") || which.equals("all")) {
            System.out.println(fashion(FashionSettings.from(options), System.err::println).toMarkdown());
        }
    }

    // ------------------------------------------------------------------ linear regression

    /**
     * Settings of the regression suite.
     *
     * @param workers       workers on the chain
     * @param samples       rows per worker
     * @param condition     condition number of the feature covariance
     * @param noise         standard deviation of the target noise
     * @param tolerance     converged when {@code |F - F*| < tolerance} ...
     * @param streak        ... for this many consecutive iterations
     * @param maxIterations a run that has not converged by then is reported as such
     * @param dims          model dimensions {@code d}
     * @param rhos          penalties
     * @param bits          fixed code widths of the Q-GADMM runs
     * @param adaptive      initial widths of runs with {@link BitWidthRule#NON_INCREASING_STEP} (may be empty)
     */
    public record RegressionSettings(int workers, int samples, double condition, double noise, double tolerance,
                                     int streak, int maxIterations, int[] dims, double[] rhos, int[] bits,
                                     int[] adaptive) {

        /** The defaults of the published comparison: 50 workers, d = 10 and 13, rho = 3 and 24, 2, 3 and 8 bits. */
        public static RegressionSettings defaults() {
            return from(Map.of());
        }

        /** Settings from {@code key=value} options (the keys of the class comment); missing keys take defaults. */
        public static RegressionSettings from(Map<String, String> o) {
            return new RegressionSettings(Integer.parseInt(o.getOrDefault("workers", "50")),
                    Integer.parseInt(o.getOrDefault("samples", "5")),
                    Double.parseDouble(o.getOrDefault("condition", "10")),
                    Double.parseDouble(o.getOrDefault("noise", "0.1")),
                    Double.parseDouble(o.getOrDefault("tolerance", "1e-4")),
                    Integer.parseInt(o.getOrDefault("streak", "50")),
                    Integer.parseInt(o.getOrDefault("maxIterations", "20000")),
                    ints(o.getOrDefault("dims", "10,13")), doubles(o.getOrDefault("rhos", "3,24")),
                    ints(o.getOrDefault("bits", "2,3,8")), ints(o.getOrDefault("adaptive", "")));
        }

        /** The settings as a JSON-ready map. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("workers", workers);
            m.put("samples", samples);
            m.put("condition", condition);
            m.put("noise", noise);
            m.put("tolerance", tolerance);
            m.put("streak", streak);
            m.put("maxIterations", maxIterations);
            m.put("dims", Arrays.stream(dims).boxed().toList());
            m.put("rhos", Arrays.stream(rhos).boxed().toList());
            m.put("bits", Arrays.stream(bits).boxed().toList());
            m.put("adaptive", Arrays.stream(adaptive).boxed().toList());
            return m;
        }
    }

    /** Outcome of one regression run. */
    record RegressionRun(String method, int bits, int iterations, long paperBits, long wireBytes, double seconds,
                         String status) {
    }

    /**
     * GADMM and Q-GADMM on seeded synthetic linear regression, for every {@code d} and {@code rho}: iterations and
     * bits until the objective stays within the tolerance of the optimum, and the saving against GADMM.
     *
     * @param log told about every finished run (progress output), may be null
     */
    public static ResultTable regression(RegressionSettings s, Consumer<String> log) {
        List<List<Object>> rows = new ArrayList<>();
        for (int d : s.dims()) {
            List<DataSet> shards = SyntheticRegression.shards(s.workers(), s.samples(), d, s.condition(), s.noise(),
                    1000L + d);
            List<LinearRegressionSolver> solvers = shards.stream().map(LinearRegressionSolver::of).toList();
            double[] star = LinearRegressionSolver.stackedLeastSquares(solvers);
            double optimum = solvers.stream().mapToDouble(solver -> solver.loss(star)).sum();
            for (double rho : s.rhos()) {
                GadmmConfig.Builder base = GadmmConfig.builder().rho(rho).threads(1).objectiveFrequency(1);
                List<RegressionRun> runs = new ArrayList<>();
                runs.add(runRegression("GADMM", 32, base.exact().build(), solvers, optimum, s));
                for (int b : s.bits()) {
                    runs.add(runRegression("Q-GADMM b=" + b, b, base.bits(b).build(), solvers, optimum, s));
                }
                for (int b : s.adaptive()) {
                    runs.add(runRegression("Q-GADMM non-increasing step from b=" + b, 0, base.bits(b)
                            .bitWidthRule(BitWidthRule.NON_INCREASING_STEP).build(), solvers, optimum, s));
                }
                RegressionRun exact = runs.get(0);
                for (RegressionRun r : runs) {
                    rows.add(regressionRow(d, rho, r, exact));
                    if (log != null) {
                        log.accept(String.format(Locale.ROOT, "gadmm: d=%d rho=%.3g %s: %s after %d iterations, "
                                + "%.1f s", d, rho, r.method, r.status, r.iterations, r.seconds));
                    }
                }
            }
        }
        return new ResultTable(String.format(Locale.ROOT, "Linear regression: GADMM against Q-GADMM, %d workers on a "
                        + "chain", s.workers()),
                List.of(String.format(Locale.ROOT, "%d samples per worker, feature condition %.3g, noise %.3g; "
                                + "converged when |F - F*| < %.0e for %d consecutive iterations (iterations and bits "
                                + "counted up to the first iteration of that run; at most %d iterations).",
                        s.samples(), s.condition(), s.noise(), s.tolerance(), s.streak(), s.maxIterations()),
                        "Paper bits count each worker transmission once (b d + 32 per quantised message, 32 d "
                                + "exact); wire bytes are the encoded messages per delivery to each neighbour, "
                                + "headers included (exact models as raw float64). The ideal saving is "
                                + "32 d / (b d + 32)."),
                List.of(Column.number("d", "%d"), Column.number("rho", "%.3g"), Column.text("method"),
                        Column.text("status"), Column.number("iterations", "%d"),
                        Column.number("paper bits", "%d"), Column.number("saved vs GADMM", "%.2fx"),
                        Column.number("ideal 32d/(bd+32)", "%.2fx"), Column.number("achieved / ideal", "%.3f"),
                        Column.number("wire bytes", "%d"), Column.number("wire saved", "%.2fx"),
                        Column.number("seconds", "%.1f")),
                rows);
    }

    private static RegressionRun runRegression(String method, int bits, GadmmConfig config,
                                               List<LinearRegressionSolver> solvers, double optimum,
                                               RegressionSettings s) {
        long start = System.nanoTime();
        try (GadmmTrainer trainer = new GadmmTrainer(config, solvers)) {
            int run = 0;
            int first = -1;
            long bitsAtFirst = 0;
            long bytesAtFirst = 0;
            for (int k = 0; k < s.maxIterations(); k++) {
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
                if (Math.abs(m.objective() - optimum) < s.tolerance()) {
                    if (run++ == 0) {
                        first = k + 1;
                        bitsAtFirst = m.paperBits();
                        bytesAtFirst = m.wireBytes();
                    }
                    if (run >= s.streak()) {
                        return new RegressionRun(method, bits, first, bitsAtFirst, bytesAtFirst, seconds(start),
                                "ok");
                    }
                } else {
                    run = 0;
                }
            }
            return new RegressionRun(method, bits, s.maxIterations(), trainer.paperBitsSent(),
                    trainer.channel().bytesSent(), seconds(start), "not converged");
        }
    }

    private static List<Object> regressionRow(int d, double rho, RegressionRun r, RegressionRun exact) {
        boolean ok = r.status.equals("ok") && exact.status.equals("ok");
        Double saved = ok ? (double) exact.paperBits / r.paperBits : null;
        // bits 0 marks an adaptive width, which has no single ideal
        Double ideal = r.bits == 32 ? Double.valueOf(1.0) : r.bits == 0 ? null : 32.0 * d / (r.bits * d + 32);
        Double fraction = ok && ideal != null ? saved / ideal : null;
        Double wireSaved = ok ? (double) exact.wireBytes / r.wireBytes : null;
        return Arrays.asList(d, rho, r.method, r.status, r.iterations, r.paperBits, saved, ideal, fraction,
                r.wireBytes, wireSaved, r.seconds);
    }

    // ------------------------------------------------------------------ Fashion-MNIST

    /**
     * Settings of the Fashion-MNIST suite.
     *
     * @param dataDir    the folder of the Fashion-MNIST {@code .gz} files
     * @param workers    workers on the chain (the training set is split evenly)
     * @param iterations Q-SGADMM iterations, each 10 local Adam steps on minibatches of 100 per worker
     * @param adamEpochs epochs of the Adam baseline on all data (0: no baseline)
     * @param lr         Adam's learning rate (local steps and baseline)
     * @param seed       seed of the network, the shards and the minibatches
     * @param rhos       penalties; each gets a quantised (8 bits) and an exact run
     * @param alpha      dual step factor
     */
    public record FashionSettings(Path dataDir, int workers, int iterations, int adamEpochs, double lr, long seed,
                                  double[] rhos, double alpha) {

        /** Settings from {@code key=value} options (the keys of the class comment); missing keys take defaults. */
        public static FashionSettings from(Map<String, String> o) throws IOException {
            return new FashionSettings(dataDirectory(o), Integer.parseInt(o.getOrDefault("fashionWorkers", "10")),
                    Integer.parseInt(o.getOrDefault("iterations", "60")),
                    Integer.parseInt(o.getOrDefault("adamEpochs", "3")),
                    Double.parseDouble(o.getOrDefault("lr", "0.001")), Long.parseLong(o.getOrDefault("seed", "1")),
                    doubles(o.getOrDefault("fashionRhos", "20,1")),
                    Double.parseDouble(o.getOrDefault("alpha", "0.01")));
        }

        /** The settings as a JSON-ready map. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("dataDir", dataDir.toAbsolutePath().normalize().toString());
            m.put("workers", workers);
            m.put("iterations", iterations);
            m.put("adamEpochs", adamEpochs);
            m.put("lr", lr);
            m.put("seed", seed);
            m.put("rhos", Arrays.stream(rhos).boxed().toList());
            m.put("alpha", alpha);
            return m;
        }
    }

    /** Outcome of one Fashion-MNIST run. */
    record NetworkRun(String method, double accuracy, long paperBits, long wireBytes, double seconds,
                      String budget) {
    }

    /**
     * Q-SGADMM (8 bits) and exact SGADMM for every {@code rho}, and Adam on all data, training the MLP
     * 784-128-64-10 on Fashion-MNIST: test accuracy of the consensus model, bits and bytes sent.
     *
     * @param log told about progress, may be null
     * @throws IOException if the data cannot be read
     */
    public static ResultTable fashion(FashionSettings s, Consumer<String> log) throws IOException {
        Consumer<String> say = log != null ? log : line -> { };
        DataSet train = FashionMnist.train(s.dataDir());
        DataSet test = FashionMnist.test(s.dataDir());
        int cores = Runtime.getRuntime().availableProcessors();
        List<DataSet> shards = SgadmmTrainer.shards(train, s.workers(), s.seed());
        List<NetworkRun> runs = new ArrayList<>();
        int previousThreads = Nd4j.getEnvironment().maxThreads();
        try {
            for (double rho : s.rhos()) {
                // workers run on one thread per core with one ND4J thread each; plain Adam gets every core
                Nd4j.getEnvironment().setMaxThreads(1);
                GadmmConfig quantised = SgadmmTrainer.authorsConfig().rho(rho).alpha(s.alpha())
                        .iterations(s.iterations()).threads(cores).build();
                String tag = String.format(Locale.ROOT, ", rho %.3g", rho);
                runs.add(runSgadmm("Q-SGADMM (8 bits)" + tag, quantised, shards, test, s, say));
                runs.add(runSgadmm("SGADMM (exact, float32)" + tag, quantised.toBuilder().exact().build(), shards,
                        test, s, say));
            }
        } finally {
            Nd4j.getEnvironment().setMaxThreads(previousThreads);
        }
        if (s.adamEpochs() > 0) {
            runs.add(runAdam(train, test, s.lr(), s.seed(), s.adamEpochs()));
        }

        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            NetworkRun r = runs.get(i);
            NetworkRun exact = i < 2 * s.rhos().length ? runs.get(i - i % 2 + 1) : null;
            Double points = exact == null ? null : 100 * (r.accuracy - exact.accuracy);
            Double fewer = exact == null ? null : (double) exact.paperBits / r.paperBits;
            rows.add(Arrays.asList(r.method, r.accuracy, points, r.paperBits, fewer, r.wireBytes, r.seconds,
                    r.budget));
        }
        return new ResultTable("Fashion-MNIST: Q-SGADMM against exact SGADMM and Adam, MLP 784-128-64-10",
                List.of(String.format(Locale.ROOT, "ReLU, softmax, Adam lr %.4g, seed %d; %d workers, %d iterations "
                                + "of 10 local steps on minibatches of 100 (%.1f passes over each worker's shard), "
                                + "alpha %.3g, 8 bits; Adam on all data for %d epochs. Test accuracy of the workers' "
                                + "mean model.", s.lr(), s.seed(), s.workers(), s.iterations(),
                        s.iterations() * 10.0 * 100 / (train.numExamples() / s.workers()), s.alpha(),
                        s.adamEpochs())),
                List.of(Column.text("method"), Column.number("test accuracy", "%.4f"),
                        Column.number("vs exact SGADMM (points)", "%+.2f"), Column.number("paper bits", "%d"),
                        Column.number("fewer bits than SGADMM", "%.3fx"), Column.number("wire bytes", "%d"),
                        Column.number("seconds", "%.0f"), Column.text("budget")),
                rows);
    }

    private static NetworkRun runSgadmm(String method, GadmmConfig config, List<DataSet> shards, DataSet test,
                                        FashionSettings s, Consumer<String> say) {
        long start = System.nanoTime();
        int iterations = s.iterations();
        MultiLayerNetwork net = mlp(s.lr(), s.seed());
        try (SgadmmTrainer trainer = SgadmmTrainer.builder(net).config(config).localSteps(10).batchSize(100)
                .build(shards)) {
            int every = Math.max(1, iterations / 6);
            trainer.engine().addListener((t, m) -> {
                if ((m.iteration() + 1) % every == 0) {
                    say.accept(String.format(Locale.ROOT, "%s: iteration %d, consensus accuracy %.4f, "
                                    + "disagreement %.4f, %.1f s", method, m.iteration() + 1,
                            accuracyOf(trainer, test), trainer.relativeDisagreement(), seconds(start)));
                }
            });
            List<GadmmIterationMetrics> history = trainer.fit();
            long paperBits = history.isEmpty() ? 0 : history.get(history.size() - 1).paperBits();
            long wireBytes = history.isEmpty() ? 0 : history.get(history.size() - 1).wireBytes();
            double accuracy = trainer.evaluate(test).accuracy();
            return new NetworkRun(method, accuracy, paperBits, wireBytes, seconds(start),
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

    /** The MLP 784-128-64-10 of the Q-SGADMM paper (ReLU, softmax cross-entropy, Xavier), with Adam at {@code lr}. */
    public static MultiLayerNetwork mlp(double lr, long seed) {
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

    private static int[] ints(String csv) {
        return csv.isBlank() ? new int[0] : Arrays.stream(csv.split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
    }

    private static double[] doubles(String csv) {
        return csv.isBlank() ? new double[0] : Arrays.stream(csv.split(",")).map(String::trim)
                .mapToDouble(Double::parseDouble).toArray();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
