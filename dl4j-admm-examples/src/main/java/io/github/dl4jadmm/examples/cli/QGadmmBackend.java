package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.examples.FashionMnist;
import io.github.dl4jadmm.examples.GadmmBenchmark;
import io.github.dl4jadmm.examples.report.BenchmarkReport;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.ProgressBar;
import io.github.dl4jadmm.gadmm.BitWidthRule;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmIterationMetrics;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.gadmm.LogisticRegressionSolver;
import io.github.dl4jadmm.gadmm.NetworkSolver;
import io.github.dl4jadmm.gadmm.SgadmmTrainer;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The Q-GADMM / Q-SGADMM runs behind {@code dl4j-admm gadmm} and {@code bench gadmm|q-sgadmm}, on the trainers of
 * {@code io.github.dl4jadmm.gadmm}: {@link GadmmTrainer} with {@link LinearRegressionSolver} or
 * {@link LogisticRegressionSolver} workers on seeded synthetic data, and {@link SgadmmTrainer} training the MLP
 * 784-128-64-10 ({@link GadmmBenchmark#mlp}) on Fashion-MNIST. The suites are those of {@link GadmmBenchmark}.
 */
public final class QGadmmBackend implements GadmmBackend {

    /** Rows of the held-out test set of the synthetic logistic regression. */
    static final int LOGISTIC_TEST_ROWS = 2000;

    /** The public no-argument constructor {@link java.util.ServiceLoader} needs. */
    public QGadmmBackend() {
    }

    @Override
    public String name() {
        return "Q-GADMM (io.github.dl4jadmm.gadmm)";
    }

    @Override
    public String describe(Request r) {
        String transfers = r.exact() ? "exact float models" : r.bits() + "-bit quantised models"
                + (r.bitWidthRule() == BitWidthRule.FIXED ? "" : " (non-increasing step)");
        String problem = switch (r.problem()) {
            case LINEAR_REGRESSION -> String.format(Locale.ROOT, "synthetic linear regression (d = %d, %d samples "
                    + "per worker, condition %.3g, noise %.3g)", r.dimension(), r.samples(), r.condition(), r.noise());
            case LOGISTIC_REGRESSION -> String.format(Locale.ROOT, "synthetic logistic regression (d = %d, %d "
                    + "samples per worker)", r.dimension(), r.samples());
            case FASHION_MNIST -> String.format(Locale.ROOT, "Fashion-MNIST (MLP 784-128-64-10, %d local Adam steps "
                    + "of %d samples, lr %.3g)", r.localSteps(), r.batchSize(), r.learningRate());
        };
        return String.format(Locale.ROOT, "%s on %s: %d workers on a chain, %s, rho %.3g, alpha %.3g",
                algorithm(r), problem, r.workers(), transfers, r.rho(), r.alpha());
    }

    /** The algorithm's command-line name: {@code q-gadmm}, {@code gadmm}, {@code q-sgadmm} or {@code sgadmm}. */
    static String algorithm(Request r) {
        return (r.exact() ? "" : "q-") + (r.problem().network() ? "sgadmm" : "gadmm");
    }

    @Override
    public Result train(Request request, Consumer<IterationRecord> onIteration) throws Exception {
        return switch (request.problem()) {
            case LINEAR_REGRESSION, LOGISTIC_REGRESSION -> convex(request, onIteration);
            case FASHION_MNIST -> fashion(request, onIteration);
        };
    }

    private static GadmmConfig.Builder config(Request r, GadmmConfig.Builder base) {
        base.rho(r.rho()).alpha(r.alpha()).iterations(r.iterations()).threads(r.threads()).seed(r.seed());
        if (r.exact()) {
            return base.quantizer(QuantizerConfig.builder().seed(r.seed()).build());
        }
        return base.quantizer(QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(r.bits())
                .seed(r.seed()).build()).bitWidthRule(r.bitWidthRule());
    }

    private static boolean evaluate(Request r, int iteration) {
        return iteration % r.evalEvery() == 0 || iteration == r.iterations() - 1;
    }

    // ---------------------------------------------------------------- linear and logistic regression

    private Result convex(Request r, Consumer<IterationRecord> onIteration) {
        boolean linear = r.problem() == Problem.LINEAR_REGRESSION;
        List<DataSet> shards = linear
                ? SyntheticRegression.shards(r.workers(), r.samples(), r.dimension(), r.condition(), r.noise(),
                r.seed())
                : logisticShards(r.workers(), r.samples(), r.dimension(), r.seed());
        DataSet test = linear ? null : logisticShards(1, LOGISTIC_TEST_ROWS, r.dimension(), r.seed()).get(0);
        int rows = r.workers() * r.samples();
        GadmmConfig config = config(r, GadmmConfig.builder()).objectiveFrequency(1).build();
        double[] optimum = linear ? leastSquares(shards) : logisticOptimum(shards);
        long start = System.nanoTime();
        List<GadmmIterationMetrics> last = new ArrayList<>(1);
        try (GadmmTrainer trainer = linear ? GadmmTrainer.linearRegression(config, shards)
                : GadmmTrainer.logisticRegression(config, shards)) {
            double optimalObjective = objective(trainer, optimum);
            trainer.addListener((t, m) -> {
                last.clear();
                last.add(m);
                double loss = Double.NaN;
                double trainAccuracy = Double.NaN;
                double testAccuracy = Double.NaN;
                if (evaluate(r, m.iteration())) {
                    double[] consensus = t.consensus();
                    loss = objective(t, consensus) / rows;
                    if (!linear) {
                        trainAccuracy = accuracy(shards, consensus);
                        testAccuracy = accuracy(List.of(test), consensus);
                    }
                }
                onIteration.accept(record(m, start, loss, trainAccuracy, testAccuracy, r.rho()));
            });
            trainer.fit();
            double[] consensus = trainer.consensus();
            GadmmIterationMetrics m = last.isEmpty() ? null : last.get(0);
            double relativeError = relativeError(consensus, optimum);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("iterations", trainer.iterationCount());
            results.put("seconds", Json.number((System.nanoTime() - start) / 1e9));
            results.put("relativeError", Json.number(relativeError));
            results.put("relativeErrorMeaning", "||mean of the workers' models - centralised optimum|| / "
                    + "||centralised optimum||");
            results.put("objective", m == null ? null : Json.number(m.objective()));
            results.put("optimalObjective", Json.number(optimalObjective));
            results.put("consensusResidual", m == null ? null : Json.number(m.consensusResidual()));
            results.put("quantizationError", m == null ? null : Json.number(m.quantizationError()));
            results.put("consensusLossPerSample", Json.number(objective(trainer, consensus) / rows));
            if (!linear) {
                results.put("trainAccuracy", Json.number(accuracy(shards, consensus)));
                results.put("testAccuracy", Json.number(accuracy(List.of(test), consensus)));
                results.put("testRows", LOGISTIC_TEST_ROWS);
            }
            results.put("paperBits", trainer.paperBitsSent());
            results.put("wireBytes", trainer.channel().bytesSent());
            List<String> report = new ArrayList<>();
            report.add(String.format(Locale.ROOT, "%d iterations in %.1f s: %s paper bits, %s on the wire",
                    trainer.iterationCount(), (System.nanoTime() - start) / 1e9, trainer.paperBitsSent(),
                    ProgressBar.bytes(trainer.channel().bytesSent())));
            report.add(String.format(Locale.ROOT, "relative error %.3e from the centralised optimum; objective %.8g "
                    + "(optimum %.8g), consensus residual %.3e", relativeError, m == null ? Double.NaN
                    : m.objective(), optimalObjective, m == null ? Double.NaN : m.consensusResidual()));
            if (!linear) {
                report.add(String.format(Locale.ROOT, "accuracy of the consensus model: train %.4f, test %.4f",
                        accuracy(shards, consensus), accuracy(List.of(test), consensus)));
            }
            Map<String, Object> configuration = new LinkedHashMap<>();
            configuration.put("gadmmConfig", Json.readObject(config.toJson()));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("problem", r.problem().words());
            data.put("generator", linear ? "SyntheticRegression.shards(workers, samples, dimension, condition, "
                    + "noise, seed)" : "x ~ N(0, I), theta* ~ N(0, I), label 1 with probability "
                    + "sigmoid(x . theta*)");
            data.put("workers", r.workers());
            data.put("dimension", r.dimension());
            data.put("samplesPerWorker", r.samples());
            if (linear) {
                data.put("condition", r.condition());
                data.put("noise", r.noise());
            }
            data.put("seed", r.seed());
            configuration.put("data", data);
            configuration.put("evalEvery", r.evalEvery());
            return new Result(String.format(Locale.ROOT, "%d workers, d = %d, %d samples in all", r.workers(),
                    r.dimension(), rows), configuration, results, report);
        }
    }

    private static double[] leastSquares(List<DataSet> shards) {
        return LinearRegressionSolver.stackedLeastSquares(shards.stream().map(LinearRegressionSolver::of).toList());
    }

    /** The centralised maximum-likelihood model: Newton on all rows with a vanishing penalty. */
    private static double[] logisticOptimum(List<DataSet> shards) {
        DataSet all = DataSet.merge(shards);
        int d = (int) all.getFeatures().columns();
        LogisticRegressionSolver central = new LogisticRegressionSolver(all.getFeatures(), all.getLabels(), 200,
                1e-14);
        double[] optimum = new double[d];
        central.solve(optimum, new double[d], 1e-12);
        return optimum;
    }

    /**
     * {@code workers} shards of {@code samples} rows: features standard normal, labels 1 with probability
     * {@code sigmoid(x . theta*)} for a standard normal {@code theta*} (so the classes overlap and the
     * maximum-likelihood model exists), DOUBLE.
     */
    static List<DataSet> logisticShards(int workers, int samples, int dimension, long seed) {
        Random truthRandom = new Random(seed);
        double[] truth = new double[dimension];
        for (int j = 0; j < dimension; j++) {
            truth[j] = truthRandom.nextGaussian();
        }
        // the test set (one shard of other rows) shares theta* but not the rows: its generator is seeded apart
        Random random = new Random(seed * 31 + workers * 1_000_003L + samples);
        List<DataSet> shards = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            double[] x = new double[samples * dimension];
            double[] y = new double[samples];
            for (int i = 0; i < samples; i++) {
                double z = 0;
                for (int j = 0; j < dimension; j++) {
                    double v = random.nextGaussian();
                    x[i * dimension + j] = v;
                    z += v * truth[j];
                }
                y[i] = random.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
            }
            shards.add(new DataSet(Nd4j.create(x, new long[]{samples, dimension}, 'c'),
                    Nd4j.create(y, new long[]{samples, 1}, 'c')));
        }
        return shards;
    }

    /** {@code sum_n f_n(theta)}: the workers' losses at one common model. */
    private static double objective(GadmmTrainer trainer, double[] theta) {
        double sum = 0;
        for (int n = 1; n <= trainer.workers(); n++) {
            sum += trainer.solver(n).loss(theta);
        }
        return sum;
    }

    /** Fraction of rows whose sign of {@code x . theta} matches the 0/1 label. */
    private static double accuracy(List<DataSet> parts, double[] theta) {
        long right = 0;
        long rows = 0;
        for (DataSet part : parts) {
            double[] x = part.getFeatures().castTo(DataType.DOUBLE).data().asDouble();
            double[] y = part.getLabels().castTo(DataType.DOUBLE).data().asDouble();
            int d = theta.length;
            for (int i = 0; i < y.length; i++) {
                double z = 0;
                for (int j = 0; j < d; j++) {
                    z += x[i * d + j] * theta[j];
                }
                if ((z > 0) == (y[i] > 0.5)) {
                    right++;
                }
            }
            rows += y.length;
        }
        return (double) right / rows;
    }

    private static double relativeError(double[] theta, double[] optimum) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            difference += (theta[i] - optimum[i]) * (theta[i] - optimum[i]);
            norm += optimum[i] * optimum[i];
        }
        return Math.sqrt(difference / norm);
    }

    private static IterationRecord record(GadmmIterationMetrics m, long start, double loss, double trainAccuracy,
                                          double testAccuracy, double rho) {
        return new IterationRecord(m.iteration(), m.seconds(), (System.nanoTime() - start) / 1e9, Double.NaN,
                m.objective(), m.consensusResidual(), Double.NaN, loss, trainAccuracy, Double.NaN, testAccuracy,
                m.wireBytes(), m.wireBytesThisIteration(), rho, Double.NaN);
    }

    // ---------------------------------------------------------------- Fashion-MNIST

    private Result fashion(Request r, Consumer<IterationRecord> onIteration) throws IOException {
        DataSet train = FashionMnist.train(r.dataDir());
        DataSet test = FashionMnist.test(r.dataDir());
        if (r.trainRows() > 0 && r.trainRows() < train.numExamples()) {
            train = new DataSet(train.getFeatures().get(NDArrayIndex.interval(0, r.trainRows()), NDArrayIndex.all())
                    .dup(), train.getLabels().get(NDArrayIndex.interval(0, r.trainRows()), NDArrayIndex.all()).dup());
        }
        if (train.numExamples() < r.workers()) {
            throw new IllegalArgumentException(train.numExamples() + " training rows cannot feed " + r.workers()
                    + " workers");
        }
        DataSet trainData = train;
        GadmmConfig config = config(r, SgadmmTrainer.authorsConfig()).objectiveFrequency(0).build();
        int cores = Runtime.getRuntime().availableProcessors();
        int workerThreads = r.threads() > 0 ? r.threads() : Math.min(r.workers(), cores);
        int previousThreads = Nd4j.getEnvironment().maxThreads();
        MultiLayerNetwork net = GadmmBenchmark.mlp(r.learningRate(), r.seed());
        long start = System.nanoTime();
        List<GadmmIterationMetrics> last = new ArrayList<>(1);
        // workers run on their own threads: one ND4J thread each, as in the benchmark
        if (workerThreads > 1) {
            Nd4j.getEnvironment().setMaxThreads(1);
        }
        try (SgadmmTrainer trainer = SgadmmTrainer.builder(net).config(config).localSteps(r.localSteps())
                .batchSize(r.batchSize()).build(SgadmmTrainer.shards(trainData, r.workers(), r.seed()))) {
            trainer.engine().addListener((t, m) -> {
                last.clear();
                last.add(m);
                double score = 0;
                for (int n = 1; n <= t.workers(); n++) {
                    score += ((NetworkSolver) t.solver(n)).lastScore();
                }
                double trainAccuracy = Double.NaN;
                double testAccuracy = Double.NaN;
                if (evaluate(r, m.iteration())) {
                    trainer.writeConsensus();
                    trainAccuracy = trainer.evaluate(trainData).accuracy();
                    testAccuracy = trainer.evaluate(test).accuracy();
                }
                onIteration.accept(record(m, start, score / t.workers(), trainAccuracy, testAccuracy, r.rho()));
            });
            trainer.fit();
            double trainAccuracy = trainer.evaluate(trainData).accuracy();
            double testAccuracy = trainer.evaluate(test).accuracy();
            double disagreement = trainer.relativeDisagreement();
            GadmmIterationMetrics m = last.isEmpty() ? null : last.get(0);
            long paperBits = trainer.engine().paperBitsSent();
            long wireBytes = trainer.engine().channel().bytesSent();
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("iterations", trainer.engine().iterationCount());
            results.put("seconds", Json.number((System.nanoTime() - start) / 1e9));
            results.put("trainAccuracy", Json.number(trainAccuracy));
            results.put("testAccuracy", Json.number(testAccuracy));
            results.put("relativeDisagreement", Json.number(disagreement));
            results.put("consensusResidual", m == null ? null : Json.number(m.consensusResidual()));
            results.put("paperBits", paperBits);
            results.put("wireBytes", wireBytes);
            List<String> report = new ArrayList<>();
            report.add(String.format(Locale.ROOT, "%d iterations in %.1f s: %d paper bits, %s on the wire",
                    trainer.engine().iterationCount(), (System.nanoTime() - start) / 1e9, paperBits,
                    ProgressBar.bytes(wireBytes)));
            report.add(String.format(Locale.ROOT, "accuracy of the workers' mean model: train %.4f, test %.4f; "
                    + "largest worker distance from it %.3f of its norm", trainAccuracy, testAccuracy, disagreement));
            Map<String, Object> configuration = new LinkedHashMap<>();
            configuration.put("gadmmConfig", Json.readObject(config.toJson()));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("problem", r.problem().words());
            data.put("dataDir", r.dataDir().toAbsolutePath().normalize().toString());
            data.put("trainRows", trainData.numExamples());
            data.put("testRows", test.numExamples());
            data.put("workers", r.workers());
            data.put("seed", r.seed());
            configuration.put("data", data);
            Map<String, Object> network = new LinkedHashMap<>();
            network.put("layers", "784-128-64-10, ReLU, softmax cross-entropy, Xavier");
            network.put("updater", String.format(Locale.ROOT, "Adam(%s)", r.learningRate()));
            network.put("localSteps", r.localSteps());
            network.put("batchSize", r.batchSize());
            network.put("consensusModel", "MEAN");
            configuration.put("network", network);
            configuration.put("evalEvery", r.evalEvery());
            configuration.put("workerThreads", workerThreads);
            return new Result(String.format(Locale.ROOT, "%d workers, %d training rows (%d per worker), %d test rows",
                    r.workers(), trainData.numExamples(), trainData.numExamples() / r.workers(), test.numExamples()),
                    configuration, results, report);
        } finally {
            Nd4j.getEnvironment().setMaxThreads(previousThreads);
        }
    }

    // ---------------------------------------------------------------- benchmarks

    @Override
    public BenchmarkReport benchmark(String suite, Map<String, String> options, Consumer<String> log)
            throws Exception {
        return switch (suite) {
            case "gadmm" -> {
                GadmmBenchmark.RegressionSettings settings = GadmmBenchmark.RegressionSettings.from(options);
                yield BenchmarkReport.now(suite, settings.toMap(), List.of(GadmmBenchmark.regression(settings, log)));
            }
            case "q-sgadmm" -> {
                GadmmBenchmark.FashionSettings settings = GadmmBenchmark.FashionSettings.from(options);
                yield BenchmarkReport.now(suite, settings.toMap(), List.of(GadmmBenchmark.fashion(settings, log)));
            }
            default -> throw new IllegalArgumentException("unknown Q-GADMM suite '" + suite + "'; use gadmm or "
                    + "q-sgadmm");
        };
    }
}
