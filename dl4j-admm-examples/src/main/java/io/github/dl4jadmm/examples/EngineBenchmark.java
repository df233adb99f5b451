package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.pdadmm.BlockPhase;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Engine benchmark of issue #2: seconds per pdADMM-G iteration for serial blocks (ND4J's own threading) and
 * parallel blocks, time per phase, and achieved GFLOP/s of the iteration's matrix products against the rate of
 * plain {@code mmul}s of the same shapes measured in the same run. Prints markdown tables.
 *
 * <pre>
 * java -cp ... io.github.dl4jadmm.examples.EngineBenchmark [large|small|all] [iterations]
 * </pre>
 */
public final class EngineBenchmark {

    /** One benchmark shape. */
    record Shape(String name, int samples, int inputs, int hidden, int outputs, int layers) {
        MlpArchitecture architecture() {
            return MlpArchitecture.uniform(inputs, hidden, outputs, layers);
        }

        /**
         * Floating-point operations of the products of one iteration: layer 1 does the W-step's two products,
         * every other layer also the p-step's two (gradient and p+ W), each {@code 2 N nIn nOut}.
         */
        double flopsPerIteration() {
            MlpArchitecture a = architecture();
            double flops = 0;
            for (int l = 1; l <= layers; l++) {
                double product = 2.0 * samples * a.inputsOf(l) * a.outputsOf(l);
                flops += (l == 1 ? 2 : 4) * product;
            }
            return flops;
        }
    }

    /** One measured arrangement. */
    record Result(String arrangement, double secondsPerIteration, double gflops, double mmulGflops,
                  Map<BlockPhase, Double> phaseTotal) {
    }

    private EngineBenchmark() {
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "all";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Shape> shapes = new ArrayList<>();
        if (which.equals("small") || which.equals("all")) {
            shapes.add(new Shape("small (paper: N=140, 7165 in, 10 x 100)", 140, 7165, 100, 7, 10));
        }
        if (which.equals("large") || which.equals("all")) {
            shapes.add(new Shape("large (N=10000, 1000 in, 10 x 1000)", 10_000, 1000, 1000, 10, 10));
        }
        System.out.printf(Locale.ROOT, "cores: %d, ND4J threads: %d, BLAS: %s%n",
                Runtime.getRuntime().availableProcessors(), Nd4j.getEnvironment().maxThreads(),
                Nd4j.factory().blas().getBlasVendor());
        for (Shape shape : shapes) {
            run(shape, iterations);
        }
    }

    static void run(Shape shape, int iterations) {
        int cores = Runtime.getRuntime().availableProcessors();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, shape.samples, shape.inputs);
        INDArray y = Nd4j.zeros(DataType.FLOAT, shape.samples, shape.outputs);
        for (int i = 0; i < shape.samples; i++) {
            y.putScalar(i, i % shape.outputs, 1);
        }
        List<Result> results = new ArrayList<>();
        results.add(measure(shape, x, y, iterations, ExecutionMode.SERIAL, cores,
                "(a) serial blocks, ND4J threads=" + cores));
        results.add(measure(shape, x, y, iterations, ExecutionMode.PARALLEL, 1,
                "(b) parallel blocks, ND4J threads=1 (default)"));
        results.add(measure(shape, x, y, iterations, ExecutionMode.PARALLEL, cores,
                "(b') parallel blocks, ND4J threads=" + cores));

        System.out.printf(Locale.ROOT, "%n### %s: %.1f GFLOP of products per iteration%n%n", shape.name,
                shape.flopsPerIteration() / 1e9);
        System.out.println("| arrangement | s / iteration | GFLOP/s | in-run mmul GFLOP/s | fraction of mmul rate |");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.1f | %.1f | %.2f |%n", r.arrangement,
                    r.secondsPerIteration, r.gflops, r.mmulGflops, r.gflops / r.mmulGflops);
        }
        System.out.println();
        StringBuilder header = new StringBuilder("| phase (s / iteration, summed over blocks) |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Result r : results) {
            header.append(' ').append(r.arrangement).append(" |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (BlockPhase phase : BlockPhase.values()) {
            StringBuilder row = new StringBuilder("| ").append(phase).append(" |");
            for (Result r : results) {
                row.append(String.format(Locale.ROOT, " %.4f |", r.phaseTotal.getOrDefault(phase, 0.0)));
            }
            System.out.println(row);
        }
    }

    private static Result measure(Shape shape, INDArray x, INDArray y, int iterations, ExecutionMode mode,
                                  int nd4jThreads, String label) {
        PdAdmmConfig config = PdAdmmConfig.builder().iterations(iterations + 1).executionMode(mode)
                .nd4jThreads(nd4jThreads).evaluationFrequency(0).build();
        double seconds = 0;
        Map<BlockPhase, Double> phases = new EnumMap<>(BlockPhase.class);
        try (PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(shape.architecture(), config, x, y)) {
            engine.iterate(); // warm-up
            for (int i = 0; i < iterations; i++) {
                IterationMetrics m = engine.iterate();
                seconds += m.seconds();
                m.phaseSecondsTotal().forEach((p, s) -> phases.merge(p, s / iterations, Double::sum));
            }
        }
        double perIteration = seconds / iterations;
        // the reference rate: the same products as plain mmuls with all cores, measured right after
        int cores = Runtime.getRuntime().availableProcessors();
        Nd4j.getEnvironment().setMaxThreads(cores);
        Nd4j.factory().blas().setMaxThreads(cores);
        double mmul = mmulSeconds(shape, x);
        return new Result(label, perIteration, shape.flopsPerIteration() / perIteration / 1e9,
                shape.flopsPerIteration() / mmul / 1e9, phases);
    }

    /** Time of plain mmuls doing the same products as one iteration, under the current thread settings. */
    private static double mmulSeconds(Shape shape, INDArray x) {
        MlpArchitecture a = shape.architecture();
        double total = 0;
        for (int l = 1; l <= shape.layers; l++) {
            INDArray p = l == 1 ? x : Nd4j.rand(DataType.FLOAT, shape.samples, a.inputsOf(l));
            INDArray w = Nd4j.rand(DataType.FLOAT, a.inputsOf(l), a.outputsOf(l));
            INDArray out = Nd4j.create(DataType.FLOAT, shape.samples, a.outputsOf(l));
            Nd4j.gemm(p, w, out, false, false, 1, 0); // warm-up
            int products = l == 1 ? 2 : 4;
            long start = System.nanoTime();
            for (int k = 0; k < products; k++) {
                Nd4j.gemm(p, w, out, false, false, 1, 0);
            }
            total += (System.nanoTime() - start) / 1e9;
        }
        return total;
    }
}
