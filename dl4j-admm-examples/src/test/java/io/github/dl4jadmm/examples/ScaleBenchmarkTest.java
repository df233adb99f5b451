package io.github.dl4jadmm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.examples.cli.AdmmCli;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.trainer.MemoryEstimate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;

/** {@code bench scale} runs end to end on a small generated graph and reports every part it promises. */
class ScaleBenchmarkTest {

    private record Result(int exitCode, String out, String err) {
    }

    private static Result bench(String... args) {
        CommandLine cmd = AdmmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void benchScaleGeneratesTheGraphAndReportsMemoryTimingsAndTimeToAccuracyOfEveryMethod(@TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("scale.json");
        String[] args = {"bench", "scale", "--nodes", "3000", "--scratch-dir", dir.resolve("graphs").toString(),
                "--layers", "3", "--widths", "16", "--iterations", "1", "--ranks", "0", "--stage-iterations", "30",
                "--train-iterations", "30", "--adam-epochs", "10", "--target", "0.5", "--json", json.toString()};
        Result run = bench(args);
        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertTrue(run.err().contains("scale: generating"), run.err());
        assertTrue(Files.isRegularFile(dir.resolve("graphs/sbm-3000-seed1/labels.npy")));

        Map<String, Object> report = Json.readObject(json);
        assertEquals("scale", report.get("suite"));
        List<?> tables = (List<?>) report.get("tables");
        String md = run.out();
        for (String expected : new String[] {"loading", "| parallel blocks (the default) |", "| serial blocks |",
                "| 8-bit delta coding, parallel |", "| layer 1 |", "| layer 3 |", "time to validation accuracy 0.500",
                "peak resident memory"}) {
            assertTrue(md.contains(expected), "missing '" + expected + "' in\n" + md);
        }
        // 3,000 nodes: 150 training rows; [S^4H .. H] of 100 features = 500 columns; 10 classes
        MemoryEstimate estimate = MemoryEstimate.of(MlpArchitecture.uniform(500, 16, 10, 3), 150, DataType.FLOAT);
        assertTrue(md.contains("| whole engine | " + MemoryEstimate.format(estimate.bytes()) + " |"), md);

        Map<?, ?> convergence = tables.stream().map(t -> (Map<?, ?>) t)
                .filter(t -> ((String) t.get("title")).contains("time to validation accuracy")).findFirst()
                .orElseThrow();
        List<?> rows = (List<?>) convergence.get("rows");
        assertEquals(3, rows.size(), "train, adam, linear: " + rows);
        Map<?, ?> train = (Map<?, ?>) rows.get(0);
        assertTrue(((String) train.get("method")).startsWith("pdADMM-G (dl4j-admm train"), train.toString());
        assertEquals(30 + 30, ((Number) train.get("steps run")).intValue(),
                "a 2-layer stage of 30 iterations, then 30 at full depth, each evaluated");
        for (Object row : rows) {
            Map<?, ?> r = (Map<?, ?>) row;
            assertTrue(((Number) r.get("best val")).doubleValue() >= 0.5, "the generated graph is easy: " + r);
            assertTrue(!r.get("steps to target").equals("not reached"), r.toString());
        }
        assertEquals(10, ((Number) ((Map<?, ?>) rows.get(1)).get("steps run")).intValue(), "Adam's epochs");

        Result again = bench(args);
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("scale: reusing"), "the generated graph is kept: " + again.err());
    }

    @Test
    void optionsOfOtherSuitesAreRefusedAndScaleOptionsElsewhere() {
        Result wrongSuite = bench("bench", "scale", "--datasets", "cora");
        assertEquals(2, wrongSuite.exitCode());
        assertTrue(wrongSuite.err().contains("--datasets does not apply to the scale suite"), wrongSuite.err());
        Result elsewhere = bench("bench", "engine", "--nodes", "1000");
        assertEquals(2, elsewhere.exitCode());
        assertTrue(elsewhere.err().contains("--nodes does not apply to the engine suite"), elsewhere.err());
        Result method = bench("bench", "scale", "--methods", "adam-tuned");
        assertEquals(2, method.exitCode());
        assertTrue(method.err().contains("unknown method 'adam-tuned'; use train, train-q8"), method.err());
        Result ranks = bench("bench", "scale", "--layers", "4", "--ranks", "5");
        assertEquals(2, ranks.exitCode());
        assertTrue(ranks.err().contains("ranks must be 0 (no distributed timing) or in 2..4"), ranks.err());
    }
}
