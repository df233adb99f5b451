package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.examples.report.ResultTable;
import io.github.dl4jadmm.examples.report.ResultTable.Column;
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
 * plain {@code mmul}s of the same shapes measured in the same run. Returns the results as rows and tables
 * ({@code dl4j-admm bench engine} writes them as markdown and JSON); {@link #main} prints markdown.
 *
 * <pre>
 * java -cp ... io.github.dl4jadmm.examples.EngineBenchmark [large|small|all] [iterations]
 * </pre>
 */
public final class EngineBenchmark {

    /** One benchmark shape. */
    public record Shape(String name, int samples, int inputs, int hidden, int outputs, int layers) {
        public MlpArchitecture architecture() {
            return MlpArchitecture.uniform(inputs, hidden, outputs, layers);
        }

        /**
         * Floating-point operations of the products of one iteration: layer 1 does the W-step's two products,
         * every other layer also the p-step's two (gradient and p+ W), each {@code 2 N nIn nOut}.
         */
        public double flopsPerIteration() {
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
    public record Result(String arrangement, double secondsPerIteration, double gflops, double mmulGflops,
                         Map<BlockPhase, Double> phaseTotal) {
    }

    /** The arrangements measured on one shape. */
    public record ShapeResult(Shape shape, List<Result> results) {
    }

    /** The paper's small shape: N = 140 samples, 7165 inputs, 10 layers of 100. */
    public static final Shape SMALL = new Shape("small (paper: N=140, 7165 in, 10 x 100)", 140, 7165, 100, 7, 10);
    /** A large shape: N = 10000 samples, 1000 inputs, 10 layers of 1000. */
    public static final Shape LARGE = new Shape("large (N=10000, 1000 in, 10 x 1000)", 10_000, 1000, 1000, 10, 10);

    private EngineBenchmark() {
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "all";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "cores: %d, ND4J threads: %d, BLAS: %s%n",
                Runtime.getRuntime().availableProcessors(), Nd4j.getEnvironment().maxThreads(),
                Nd4j.factory().blas().getBlasVendor());
        for (Shape shape : shapes(which)) {
            System.out.println();
            tables(measure(shape, iterations)).forEach(t -> System.out.println(t.toMarkdown()));
        }
    }

    /**
     * The shapes named by {@code which}: {@code small}, {@code large} or {@code all}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static List<Shape> shapes(String which) {
        return switch (which) {
            case "small" -> List.of(SMALL);
            case "large" -> List.of(LARGE);
            case "all" -> List.of(SMALL, LARGE);
            default -> List.of(parse(which));
        };
    }

    /**
     * A shape written {@code ROWSxINPUTSxHIDDENxOUTPUTSxLAYERS}, e.g. {@code 50000x500x100x10x10} (the 10^6-node
     * graph's training rows and augmented input, a 10 x 100 GA-MLP, 10 classes).
     */
    public static Shape parse(String spec) {
        String[] parts = spec.split("x");
        if (parts.length != 5) {
            throw new IllegalArgumentException("unknown engine benchmark shape '" + spec + "'; use small, large, all "
                    + "or ROWSxINPUTSxHIDDENxOUTPUTSxLAYERS (e.g. 50000x500x100x10x10)");
        }
        int[] v = new int[5];
        for (int i = 0; i < 5; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape '" + spec + "': '" + parts[i] + "' is not a whole number "
                        + "(ROWSxINPUTSxHIDDENxOUTPUTSxLAYERS, e.g. 50000x500x100x10x10)");
            }
            if (v[i] < 1 || (i == 4 && v[i] < 2)) {
                throw new IllegalArgumentException("shape '" + spec + "': every size must be at least 1 and the "
                        + "layers at least 2, got " + parts[i]);
            }
        }
        return new Shape(String.format(Locale.ROOT, "N=%d, %d in, %d x %d, %d out", v[0], v[1], v[4], v[2], v[3]),
                v[0], v[1], v[2], v[3], v[4]);
    }

    /**
     * Times {@code iterations} iterations (after one warm-up) of serial blocks, parallel blocks with ND4J's threads,
     * and parallel blocks with one ND4J thread each, on random data of {@code shape}.
     */
    public static ShapeResult measure(Shape shape, int iterations) {
        int cores = Runtime.getRuntime().availableProcessors();
        INDArray[] data = data(shape);
        INDArray x = data[0];
        INDArray y = data[1];
        List<Result> results = new ArrayList<>();
        results.add(measure(shape, x, y, iterations, ExecutionMode.SERIAL, cores,
                "(a) serial blocks, ND4J threads=" + cores));
        results.add(measure(shape, x, y, iterations, ExecutionMode.PARALLEL, 1,
                "(b) parallel blocks, ND4J threads=1 (default)"));
        results.add(measure(shape, x, y, iterations, ExecutionMode.PARALLEL, cores,
                "(b') parallel blocks, ND4J threads=" + cores));
        return new ShapeResult(shape, results);
    }

    /** The benchmark's seeded random inputs and round-robin one-hot labels of {@code shape}: {@code {x, y}}. */
    public static INDArray[] data(Shape shape) {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, shape.samples, shape.inputs);
        INDArray y = Nd4j.zeros(DataType.FLOAT, shape.samples, shape.outputs);
        for (int i = 0; i < shape.samples; i++) {
            y.putScalar(i, i % shape.outputs, 1);
        }
        return new INDArray[]{x, y};
    }

    /** Two tables per shape: seconds and GFLOP/s per arrangement, and seconds per phase. */
    public static List<ResultTable> tables(ShapeResult result) {
        Shape shape = result.shape();
        List<List<Object>> rows = new ArrayList<>();
        for (Result r : result.results()) {
            rows.add(List.of(r.arrangement, r.secondsPerIteration, r.gflops, r.mmulGflops, r.gflops / r.mmulGflops));
        }
        ResultTable speed = new ResultTable(String.format(Locale.ROOT, "%s: %.1f GFLOP of products per iteration",
                shape.name, shape.flopsPerIteration() / 1e9), List.of(),
                List.of(Column.text("arrangement"), Column.number("s / iteration", "%.4f"),
                        Column.number("GFLOP/s", "%.1f"), Column.number("in-run mmul GFLOP/s", "%.1f"),
                        Column.number("fraction of mmul rate", "%.2f")), rows);
        List<Column> phaseColumns = new ArrayList<>();
        phaseColumns.add(Column.text("phase (s / iteration, summed over blocks)"));
        result.results().forEach(r -> phaseColumns.add(Column.number(r.arrangement, "%.4f")));
        List<List<Object>> phaseRows = new ArrayList<>();
        for (BlockPhase phase : BlockPhase.values()) {
            List<Object> row = new ArrayList<>();
            row.add(phase.toString());
            result.results().forEach(r -> row.add(r.phaseTotal.getOrDefault(phase, 0.0)));
            phaseRows.add(row);
        }
        ResultTable phases = new ResultTable(shape.name + ": time per phase", List.of(), phaseColumns, phaseRows);
        return List.of(speed, phases);
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
