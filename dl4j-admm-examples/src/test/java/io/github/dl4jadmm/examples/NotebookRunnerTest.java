package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.examples.report.Json;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every notebook in {@code notebooks/} through the {@code jdk.jshell} API, as a JShell-based kernel would: the
 * code cells in order, each split into snippets by {@link SourceCodeAnalysis#analyzeCompletion}, on the test class
 * path. A snippet that does not compile (rejected, or referring to something undefined) or that throws fails the
 * test with the cell and the message. The cell tagged {@code parameters} is followed by overrides for small
 * settings (few iterations, the data directory of the build, a temporary output directory).
 */
class NotebookRunnerTest {

    private static final Path NOTEBOOKS = Path.of("..", "notebooks");
    private static final String PARAMETERS_TAG = "parameters";

    static Stream<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
            assertFalse(list.isEmpty(), "no notebooks in " + NOTEBOOKS.toAbsolutePath());
            return list.stream();
        }
    }

    /** Small settings, by the name of the variable a parameters cell declares. */
    private static Map<String, String> overrides(Path output) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("iterations", "4");
        m.put("iterationsPerStage", "3");
        m.put("evalEvery", "1");
        m.put("sgadmmIterations", "2");
        m.put("fashionTrainRows", "1000");
        m.put("outputDir", "Path.of(" + javaString(output.toAbsolutePath().toString()) + ")");
        String dataDir = System.getProperty("dl4jadmm.data.dir");
        if (dataDir != null) {
            m.put("dataDir", "Path.of(" + javaString(dataDir) + ")");
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void runsUnderJShell(Path notebook, @TempDir Path output) throws Exception {
        List<Map<String, Object>> cells = cells(notebook);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (JShell shell = JShell.builder().out(console).err(console)
                .remoteVMOptions("-Xmx1g", "-Djava.awt.headless=true", "-Dorg.bytedeco.javacpp.maxbytes=4G",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .build()) {
            for (String entry : testClassPath()) {
                shell.addToClasspath(entry);
            }
            int number = 0;
            for (Map<String, Object> cell : cells) {
                number++;
                if (!"code".equals(cell.get("cell_type"))) {
                    continue;
                }
                String where = notebook.getFileName() + ", cell " + number;
                evalCell(shell, source(cell), where, printed);
                if (tags(cell).contains(PARAMETERS_TAG)) {
                    Set<String> declared = shell.variables().map(VarSnippet::name).collect(Collectors.toSet());
                    StringBuilder small = new StringBuilder();
                    overrides(output).forEach((name, value) -> {
                        if (declared.contains(name)) {
                            small.append(name).append(" = ").append(value).append(";\n");
                        }
                    });
                    evalCell(shell, small.toString(), where + " (test overrides)", printed);
                }
            }
        } finally {
            System.out.println("---- " + notebook.getFileName() + " ----");
            System.out.println(printed.toString(StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void isStrippedPlainJavaWithTheDependencyLinesAtTheTop(Path notebook) throws Exception {
        Map<String, Object> json = Json.readObject(notebook);
        assertEquals(4, ((Number) json.get("nbformat")).intValue(), "nbformat 4");
        List<Map<String, Object>> cells = cells(notebook);
        assertEquals("markdown", cells.get(0).get("cell_type"));
        String top = source(cells.get(0));
        for (String kernel : List.of("%jars ", "%classpath add jar ", "jshell --class-path ")) {
            assertTrue(top.contains(kernel), "the first cell gives the dependency line '" + kernel + "'");
        }
        long parameterCells = cells.stream().filter(c -> tags(c).contains(PARAMETERS_TAG)).count();
        assertEquals(1, parameterCells, "one cell tagged parameters");
        for (Map<String, Object> cell : cells) {
            if ("code".equals(cell.get("cell_type"))) {
                assertEquals(List.of(), cell.get("outputs"), "outputs are stripped");
                assertNull(cell.get("execution_count"), "execution counts are stripped");
                for (String line : source(cell).split("\n")) {
                    assertFalse(line.trim().startsWith("%"), "no magics in code cells: " + line);
                }
            }
        }
    }

    @Test
    void theRunnerReportsACompileErrorAndAnException(@TempDir Path dir) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (JShell shell = JShell.builder().out(new PrintStream(printed)).err(new PrintStream(printed)).build()) {
            AssertionError rejected = expectFailure(() -> evalCell(shell, "int a = \"text\";", "cell 1", printed));
            assertTrue(rejected.getMessage().contains("does not compile"), rejected.getMessage());
            AssertionError thrown = expectFailure(() -> evalCell(shell,
                    "int b = 1;\nObject o = java.util.List.of().get(0);", "cell 2", printed));
            assertTrue(thrown.getMessage().contains("IndexOutOfBoundsException"), thrown.getMessage());
        }
    }

    private static AssertionError expectFailure(Runnable r) {
        try {
            r.run();
        } catch (AssertionError e) {
            return e;
        }
        return fail("expected the runner to fail");
    }

    /** Evaluates one cell snippet by snippet; fails on a snippet that does not compile or that throws. */
    static void evalCell(JShell shell, String source, String where, ByteArrayOutputStream printed) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = source;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                fail(where + ": incomplete Java at the end of the cell: " + remaining.strip());
            }
            for (SnippetEvent event : shell.eval(info.source())) {
                Snippet snippet = event.snippet();
                if (event.status() == Snippet.Status.REJECTED
                        || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                        || event.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                    String diagnostics = shell.diagnostics(snippet).map(d -> message(d, snippet))
                            .collect(Collectors.joining("; "));
                    List<String> unresolved = snippet instanceof DeclarationSnippet declaration
                            ? shell.unresolvedDependencies(declaration).toList() : List.of();
                    fail(where + ": does not compile (" + event.status() + "): " + snippet.source().strip() + "\n"
                            + diagnostics + (unresolved.isEmpty() ? "" : " unresolved: " + unresolved));
                }
                if (event.exception() != null) {
                    fail(where + ": " + describe(event.exception()) + "\nin: " + snippet.source().strip()
                            + "\nprinted so far:\n" + printed.toString(StandardCharsets.UTF_8));
                }
            }
            remaining = info.remaining();
        }
    }

    private static String message(Diag diag, Snippet snippet) {
        return diag.getMessage(null) + " at " + diag.getStartPosition() + " of '" + snippet.source().strip() + "'";
    }

    private static String describe(Throwable exception) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = exception; t != null; t = t.getCause()) {
            String type = t instanceof EvalException ee ? ee.getExceptionClassName() : t.getClass().getName();
            s.append(s.isEmpty() ? "" : "\ncaused by ").append(type).append(": ").append(t.getMessage());
            for (StackTraceElement e : t.getStackTrace()) {
                s.append("\n\tat ").append(e);
            }
        }
        return s.toString();
    }

    /** The class path of this test: Surefire's real one when it runs the tests through a manifest-only jar. */
    private static List<String> testClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cells(Path notebook) throws IOException {
        return (List<Map<String, Object>>) Json.readObject(notebook).get("cells");
    }

    @SuppressWarnings("unchecked")
    private static List<String> tags(Map<String, Object> cell) {
        Map<String, Object> metadata = (Map<String, Object>) cell.getOrDefault("metadata", Map.of());
        return (List<String>) metadata.getOrDefault("tags", List.of());
    }

    /** A cell's source: nbformat stores a string or a list of lines. */
    private static String source(Map<String, Object> cell) {
        Object source = cell.get("source");
        return source instanceof List<?> lines
                ? lines.stream().map(String::valueOf).collect(Collectors.joining()) : String.valueOf(source);
    }

    private static String javaString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
