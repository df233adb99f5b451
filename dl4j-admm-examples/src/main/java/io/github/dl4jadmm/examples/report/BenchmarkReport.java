package io.github.dl4jadmm.examples.report;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The result of one benchmark suite: its tables with the date, the machine and the settings, so that a figure can be
 * traced to where and how it was measured.
 *
 * @param suite    the suite's name ({@code engine}, {@code quantization}, {@code accuracy}, ...)
 * @param date     when it ran (ISO-8601 with offset)
 * @param machine  cores, memory, operating system, Java and ND4J backend
 * @param settings the suite's settings
 * @param tables   the result tables
 */
public record BenchmarkReport(String suite, String date, Map<String, Object> machine, Map<String, Object> settings,
                              List<ResultTable> tables) {

    public BenchmarkReport {
        machine = new LinkedHashMap<>(machine);
        settings = new LinkedHashMap<>(settings);
        tables = List.copyOf(tables);
    }

    /** A report stamped with the current date and this machine. */
    public static BenchmarkReport now(String suite, Map<String, Object> settings, List<ResultTable> tables) {
        return new BenchmarkReport(suite, ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                thisMachine(), settings, tables);
    }

    /** This machine: cores, maximum heap, OS, Java, ND4J backend and BLAS, ND4J threads. */
    public static Map<String, Object> thisMachine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapMB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("nd4jBackend", Nd4j.getBackend().getClass().getSimpleName());
        m.put("blas", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        m.put("nd4jThreads", Nd4j.getEnvironment().maxThreads());
        return m;
    }

    /** One line naming the date and the machine, for under a heading. */
    public String provenance() {
        return "Measured " + date + " on " + machine.get("cores") + " cores, " + machine.get("os") + ", "
                + machine.get("java") + ", ND4J " + machine.get("nd4jBackend") + " (" + machine.get("blas")
                + " BLAS).";
    }

    /** The whole report as markdown. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder("## Benchmark: ").append(suite).append("\n\n").append(provenance())
                .append("\n\n");
        tables.forEach(t -> md.append(t.toMarkdown()).append('\n'));
        return md.toString();
    }

    /** The whole report as a JSON-ready map. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", suite);
        m.put("date", date);
        m.put("machine", machine);
        m.put("settings", settings);
        m.put("tables", tables.stream().map(ResultTable::toJsonMap).toList());
        return m;
    }
}
