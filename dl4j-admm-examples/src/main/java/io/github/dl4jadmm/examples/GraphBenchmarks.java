package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.examples.GraphExperiment.Outcome;
import io.github.dl4jadmm.graph.io.Benchmark;
import io.github.dl4jadmm.pdadmm.AdmmDivergenceException;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The graph benchmark suites, printing markdown tables:
 * <ul>
 *   <li>{@code accuracy}: GA-MLP test accuracy (mean +/- std over seeds) and wall time of pdADMM-G,
 *       pdADMM-G-Q (8-bit grid on p and q) and DL4J's Adam on the paper's splits (issue #5);</li>
 *   <li>{@code quantization}: bytes per iteration, total bytes and test accuracy of every transfer mode on
 *       Cora, Citeseer and Amazon Computers, 10 layers x 100 (issue #4).</li>
 * </ul>
 * <pre>
 * GraphBenchmarks accuracy|quantization DATA_DIR [datasets=cora,citeseer,...] [seeds=5] [iterationsPerStage=200]
 *                 [widths=100,500]
 * </pre>
 */
public final class GraphBenchmarks {

    private GraphBenchmarks() {
    }

    /** A transfer mode of the quantisation suite. */
    record Mode(String name, QuantizerConfig quantizer, boolean projectQ) {
    }

    static final List<Mode> MODES = List.of(
            new Mode("float32", QuantizerConfig.none(), false),
            new Mode("p-grid 8 bits", grid(8), false),
            new Mode("p-and-q grid 8 bits", grid(8), true),
            new Mode("delta 4 bits", delta(4), false),
            new Mode("delta 2 bits", delta(2), false));

    static QuantizerConfig grid(int bits) {
        return QuantizerConfig.builder().mode(QuantizerConfig.Mode.GRID).bits(bits).build();
    }

    static QuantizerConfig delta(int bits) {
        return QuantizerConfig.builder().mode(QuantizerConfig.Mode.DELTA).bits(bits).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GraphBenchmarks accuracy|quantization DATA_DIR [key=value ...]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        Path dataDir = Path.of(args[1]);
        int seeds = Integer.parseInt(options.getOrDefault("seeds", args[0].equals("accuracy") ? "5" : "1"));
        int iterations = Integer.parseInt(options.getOrDefault("iterationsPerStage", "200"));
        switch (args[0]) {
            case "accuracy" -> accuracy(dataDir, list(options.getOrDefault("datasets",
                    "cora,citeseer,amazon_computers,amazon_photo,coauthor_cs")), seeds, iterations,
                    Arrays.stream(options.getOrDefault("widths", "100,500").split(",")).mapToInt(Integer::parseInt)
                            .toArray());
            case "quantization" -> quantization(dataDir, list(options.getOrDefault("datasets",
                    "cora,citeseer,amazon_computers")), seeds, iterations);
            default -> {
                System.err.println("unknown suite '" + args[0] + "'; use accuracy or quantization");
                System.exit(2);
            }
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static void accuracy(Path dataDir, List<String> datasets, int seeds, int iterations, int[] widths)
            throws Exception {
        System.out.printf(Locale.ROOT, "%n## GA-MLP test accuracy, 10 layers, %d seeds (iterate chosen on validation)%n%n",
                seeds);
        System.out.println("pdADMM-G: greedy growth 2 -> 5 -> 10 layers, " + iterations + " iterations per stage, "
                + "nu = 1, rho = 5, mu = 10 / 1 / 0.01. Adam: DL4J fit, full batch, " + 3 * iterations
                + " epochs (the same number of passes), lr in {1e-3, 1e-2} chosen on validation.");
        System.out.println();
        System.out.println("| dataset | neurons | method | test accuracy | validation accuracy | seconds / run | MB sent / run |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : datasets) {
            GraphExperiment experiment = GraphExperiment.load(Benchmark.fromName(name), dataDir);
            for (int width : widths) {
                Map<String, List<Outcome>> byMethod = new LinkedHashMap<>();
                for (int seed = 1; seed <= seeds; seed++) {
                    add(byMethod, experiment.pdAdmm(10, width, seed, iterations, 10, QuantizerConfig.none(), false,
                            "pdADMM-G"));
                    add(byMethod, experiment.pdAdmm(10, width, seed, iterations, 10, grid(8), true,
                            "pdADMM-G-Q (8-bit p and q)"));
                    add(byMethod, experiment.adam(10, width, seed, 3 * iterations, 10, new double[]{1e-3, 1e-2}));
                }
                byMethod.forEach((method, outcomes) -> System.out.printf(Locale.ROOT,
                        "| %s | %d | %s | %s | %s | %.1f | %.1f |%n", name, width, method,
                        meanStd(outcomes.stream().mapToDouble(Outcome::testAccuracy).toArray()),
                        meanStd(outcomes.stream().mapToDouble(Outcome::validationAccuracy).toArray()),
                        outcomes.stream().mapToDouble(Outcome::seconds).average().orElse(Double.NaN),
                        outcomes.stream().mapToDouble(Outcome::bytesSent).average().orElse(0) / 1e6));
            }
        }
    }

    private static void add(Map<String, List<Outcome>> byMethod, Outcome o) {
        byMethod.computeIfAbsent(o.method(), k -> new ArrayList<>()).add(o);
    }

    static void quantization(Path dataDir, List<String> datasets, int seeds, int iterations) throws Exception {
        System.out.printf(Locale.ROOT, "%n## Quantised transfers, 10 layers x 100, growth 2 -> 5 -> 10, %d iterations "
                + "per stage, %d seed(s)%n%n", iterations, seeds);
        System.out.println("| dataset | mode | bytes / iteration (10 layers) | total MB | vs float32 | test accuracy | "
                + "change vs float32 (points) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : datasets) {
            GraphExperiment experiment = GraphExperiment.load(Benchmark.fromName(name), dataDir);
            double baseBytes = Double.NaN;
            double baseAccuracy = Double.NaN;
            for (Mode mode : MODES) {
                List<Outcome> outcomes = new ArrayList<>();
                String failure = null;
                for (int seed = 1; seed <= seeds; seed++) {
                    try {
                        outcomes.add(experiment.pdAdmm(10, 100, seed, iterations, 10, mode.quantizer(),
                                mode.projectQ(), mode.name()));
                    } catch (AdmmDivergenceException e) {
                        failure = "diverged (iteration " + e.iteration() + ", layer " + e.layer() + ", " + e.variable() + ")";
                    }
                }
                if (failure != null) {
                    System.out.printf(Locale.ROOT, "| %s | %s | - | - | - | %s | - |%n", name, mode.name(), failure);
                    continue;
                }
                double perIteration = outcomes.stream().mapToDouble(Outcome::bytesPerIteration).average().orElse(0);
                double total = outcomes.stream().mapToDouble(Outcome::bytesSent).average().orElse(0);
                double accuracy = outcomes.stream().mapToDouble(Outcome::testAccuracy).average().orElse(0);
                if (mode.quantizer().mode() == QuantizerConfig.Mode.NONE) {
                    baseBytes = total;
                    baseAccuracy = accuracy;
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.2fx fewer | %.4f | %+.1f |%n", name,
                        mode.name(), perIteration, total / 1e6, baseBytes / total, accuracy,
                        100 * (accuracy - baseAccuracy));
            }
        }
    }

    static String meanStd(double[] values) {
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.length - 1);
        return String.format(Locale.ROOT, "%.3f +/- %.3f", mean, Math.sqrt(var));
    }
}
