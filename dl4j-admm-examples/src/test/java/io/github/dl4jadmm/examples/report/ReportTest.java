package io.github.dl4jadmm.examples.report;

import io.github.dl4jadmm.examples.report.ResultTable.Column;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    private static IterationRecord record(int iteration, double valAccuracy, long bytes) {
        return new IterationRecord(iteration, 0.5, 0.5 * (iteration + 1), 10, 9, 1e-3, 2e-2, 0.7, 0.9, valAccuracy,
                Double.NaN, bytes, 100, 5, 1);
    }

    @Test
    void metricsCsvRoundTripsWithEmptyFieldsForUnmeasuredValues(@TempDir Path dir) throws Exception {
        List<IterationRecord> history = List.of(record(0, 0.5, 100), record(1, Double.NaN, 200));
        Path file = dir.resolve("metrics.csv");
        MetricsCsv.write(history, file);
        List<IterationRecord> back = MetricsCsv.read(file);
        assertEquals(history, back);
        assertTrue(MetricsCsv.line(history.get(1)).contains(",,"), "NaN is an empty field");
        assertTrue(MetricsCsv.header().startsWith("iteration,seconds,elapsedSeconds,augmentedLagrangian"));
    }

    @Test
    void resultTablesFormatNumbersInMarkdownAndKeepThemInJson() {
        ResultTable table = new ResultTable("speed", List.of("one note"),
                List.of(Column.text("arrangement"), Column.number("seconds", "%.2f")),
                List.of(List.of("serial", 1.23456), Arrays.asList("parallel", Double.NaN)));
        String md = table.toMarkdown();
        assertTrue(md.startsWith("### speed\n\none note\n\n| arrangement | seconds |\n|---|---|\n"), md);
        assertTrue(md.contains("| serial | 1.23 |") && md.contains("| parallel | - |"), md);
        List<?> rows = (List<?>) table.toJsonMap().get("rows");
        assertEquals(1.23456, ((Map<?, ?>) rows.get(0)).get("seconds"));
        assertNull(((Map<?, ?>) rows.get(1)).get("seconds"), "NaN has no JSON number: null");
        assertThrows(IllegalArgumentException.class, () -> new ResultTable("t", List.of(),
                List.of(Column.text("a")), List.of(List.of("x", "y"))));
    }

    @Test
    void progressShowsCountEtaAndMetrics() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), "pdadmm-g", 10, 0, ProgressBar.Style.LINES);
        for (int i = 0; i < 10; i++) {
            bar.update(record(i, 0.8, 2_500_000L * (i + 1)));
        }
        bar.finish();
        String[] lines = text.toString().split("\n");
        assertEquals(10, lines.length, "a line every tenth: " + text);
        assertTrue(lines[9].startsWith("pdadmm-g 10/10 100%"), lines[9]);
        assertTrue(lines[9].contains("loss 0.7000  acc 0.900  val 0.800  res 1.00e-03  25.0 MB"), lines[9]);
        assertEquals("1:05", ProgressBar.clock(65));
        assertEquals("1:01:01", ProgressBar.clock(3661));
        assertEquals("999 B", ProgressBar.bytes(999));
        assertEquals("1.50 kB", ProgressBar.bytes(1500));
        assertEquals("123 MB", ProgressBar.bytes(123_000_000));
    }

    @Test
    void aBarRedrawsOneLineInPlace() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), "adam", 4, 0, ProgressBar.Style.BAR);
        for (int i = 0; i < 4; i++) {
            bar.update(record(i, 0.8, 0));
        }
        bar.finish();
        String out = text.toString();
        assertTrue(out.startsWith("\radam ["), out);
        assertTrue(out.contains("[====================] 4/4 100%"), out);
        assertTrue(out.endsWith(System.lineSeparator()), "the line is ended once at the finish");
        assertEquals(1, out.split("\n", -1).length - 1, "one line in all");
    }
}
