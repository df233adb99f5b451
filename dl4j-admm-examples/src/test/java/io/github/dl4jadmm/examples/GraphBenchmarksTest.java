package io.github.dl4jadmm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.examples.GraphBenchmarks.AccuracyRow;
import io.github.dl4jadmm.examples.GraphExperiment.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging the accuracy suite's {@code Outcome} lines from several logs into the table one run would print. */
class GraphBenchmarksTest {

    private static final String QUANTIZED = "pdADMM-G-Q (8-bit p and q, exact W-step)";

    private static Outcome outcome(String dataset, String method, long seed, double test, double seconds) {
        return new Outcome(dataset, method, 10, 500, seed, test, test - 0.01, test + 0.001, seconds, 1_000_000L * seed,
                4200, 600);
    }

    @Test
    void anOutcomeLineParsesBackToTheSameOutcomeWhateverPrecedesIt() {
        Outcome o = new Outcome("coauthor_cs", QUANTIZED, 10, 500, 3, 0.9200000166893005, 0.9229999780654907,
                0.92, 236.989578405, 842279648, 2700576, 600);

        assertEquals(Optional.of(o), Outcome.parse(o.toString()));
        assertEquals(Optional.of(o), Outcome.parse("/tmp/s3.err:83:" + o));
        assertEquals(Optional.empty(), Outcome.parse("12:01:02 INFO Nd4jBackend - Loaded [CpuBackend] backend"));
    }

    @Test
    void logsOfSeparateRunsMergeIntoOneRowPerDatasetWidthAndMethod(@TempDir Path dir) throws IOException {
        Path seed1 = Files.writeString(dir.resolve("seed1.err"), String.join("\n", "INFO something",
                outcome("cora", "pdADMM-G (exact W-step)", 1, 0.79, 50).toString(),
                outcome("cora", QUANTIZED, 1, 0.80, 40).toString(),
                outcome("citeseer", QUANTIZED, 1, 0.71, 60).toString()));
        Path seed2 = Files.writeString(dir.resolve("seed2.err"), String.join("\n",
                outcome("cora", "pdADMM-G (exact W-step)", 2, 0.81, 70).toString(),
                outcome("cora", QUANTIZED, 2, 0.80, 40).toString()));

        List<AccuracyRow> rows = GraphBenchmarks.merge(List.of(seed1, seed2));

        assertEquals(List.of("cora/pdADMM-G (exact W-step)", "cora/" + QUANTIZED, "citeseer/" + QUANTIZED),
                rows.stream().map(r -> r.dataset() + "/" + r.method()).toList());
        AccuracyRow exact = rows.get(0);
        assertEquals(2, exact.runs());
        assertEquals(500, exact.neurons());
        assertEquals(0.80, exact.testMean(), 1e-12);
        assertEquals(Math.sqrt(2 * 0.01 * 0.01), exact.testStd(), 1e-12, "sample standard deviation, n - 1");
        assertEquals(60, exact.secondsPerRun(), 1e-12);
        assertEquals(1.5, exact.megabytesPerRun(), 1e-12);
        assertEquals(0.0, rows.get(1).testStd(), 1e-12);
        assertEquals(1, rows.get(2).runs());
        String markdown = GraphBenchmarks.accuracyTable(rows, 200).toMarkdown();
        assertTrue(markdown.contains("seeds as counted") && markdown.contains("0.800 +/- 0.014"), markdown);
    }

    @Test
    void theSameRunTwiceOrNoOutcomeAtAllIsRefused(@TempDir Path dir) throws IOException {
        String line = outcome("cora", QUANTIZED, 4, 0.80, 40).toString();
        Path a = Files.writeString(dir.resolve("a.err"), "header\n" + line + "\n");
        Path b = Files.writeString(dir.resolve("b.err"), line + "\n");

        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> GraphBenchmarks.merge(List.of(a, b)));
        assertTrue(twice.getMessage().contains("seed 4, appears twice: " + a + ":2 and " + b + ":1"),
                twice.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.err"), "nothing here\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> GraphBenchmarks.merge(List.of(empty)));
        assertTrue(none.getMessage().startsWith("no Outcome[...] lines in"), none.getMessage());
    }
}
