package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.examples.GraphExperiment;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.examples.report.MetricsCsv;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line through picocli's {@code execute}, with captured standard output and error. */
class AdmmCliTest {

    /** What one execution printed and returned. */
    record Run(int exitCode, String out, String err) {
        void assertUsageError(String message) {
            assertEquals(AdmmCli.EXIT_USAGE, exitCode, "exit code; stderr: " + err);
            assertTrue(err.contains(message), "expected '" + message + "' in stderr: " + err);
            assertNoStackTrace();
        }

        void assertNoStackTrace() {
            assertFalse(err.contains("\tat ") || err.contains("Exception:"), "stack trace in stderr: " + err);
        }
    }

    static Run run(String... args) {
        CommandLine cmd = AdmmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainWithNoArgumentsTrainsOnTheSyntheticGraphAndWritesItsFiles(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("run");
        Run run = run("train", "--output", output.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("pdadmm-g on synthetic"), run.out());
        // 4 layers by default, grown 2 -> 4 with 200 iterations per stage
        assertTrue(run.out().contains("greedy growth 2 -> 4 layers, mu 10 / 1, 200 + 200 = 400 iterations"), run.out());
        List<IterationRecord> history = MetricsCsv.read(output.resolve("metrics.csv"));
        assertEquals(400, history.size());
        assertEquals(399, history.get(399).iteration());
        assertTrue(history.get(399).bytesSent() > 0);

        Map<String, Object> summary = Json.readObject(output.resolve("summary.json"));
        assertEquals("dl4j-admm train --output " + output, summary.get("command"));
        assertEquals("pdadmm-g", summary.get("algorithm"));
        assertTrue(summary.containsKey("pdAdmmConfig"), "the engine's full configuration is in the summary");
        assertEquals("synthetic", ((Map<?, ?>) summary.get("dataset")).get("name"));
        double test = ((Number) ((Map<?, ?>) summary.get("results")).get("testAccuracy")).doubleValue();
        assertTrue(test > 0.6, "5 classes: far above chance (0.2), got " + test);

        for (String png : List.of("objective_residual.png", "accuracy.png", "accuracy_vs_bytes.png")) {
            BufferedImage image = ImageIO.read(output.resolve(png).toFile());
            assertNotNull(image, png + " is a readable image");
            assertTrue(image.getWidth() >= 800 && image.getHeight() >= 400, png);
        }
        // progress goes to stderr as plain lines when stderr is not a terminal
        assertTrue(run.err().contains("pdadmm-g 400/400 100%"), run.err());
    }

    @Test
    void quietRunsPrintNoProgress(@TempDir Path dir) {
        Run run = run("train", "--iterations", "3", "--layers", "2", "--neurons", "8", "--quiet", "--no-plots",
                "-o", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.err().contains("3/3"), run.err());
        assertFalse(Files.exists(dir.resolve("accuracy.png")));
    }

    @Test
    void anUnknownDatasetIsAUsageError() {
        run("train", "--dataset", "no-such-graph").assertUsageError(
                "unknown dataset 'no-such-graph': not synthetic, not a benchmark (cora, citeseer");
    }

    @Test
    void bitsOutOfRangeAreAUsageError() {
        run("train", "--algorithm", "pdadmm-g-q", "--bits", "17").assertUsageError("bits must be in 1..16");
        run("train", "--algorithm", "pdadmm-g-q", "--bits", "0").assertUsageError("bits must be in 1..16");
    }

    @Test
    void aMissingDataDirectoryIsAUsageError(@TempDir Path dir) {
        Path missing = dir.resolve("nothing-here");
        run("train", "--dataset", "cora", "--data-dir", missing.toString())
                .assertUsageError("data directory " + missing + " does not exist");
    }

    @Test
    void otherBadArgumentsAreUsageErrors() {
        run("train", "--algorithm", "sgd").assertUsageError("expected one of pdadmm-g, pdadmm-g-q, adam but was 'sgd'");
        run("train", "--schedule", "sometimes").assertUsageError("fixed, stall-x10, residual-balancing");
        run("train", "--algorithm", "adam", "--rho", "3").assertUsageError("--rho applies to pdadmm-g and pdadmm-g-q");
        run("train", "--bits", "4").assertUsageError("--bits applies to pdadmm-g-q");
        run("train", "--rho", "-1").assertUsageError("rho must be positive");
        run("train", "--resume").assertUsageError("--resume needs --checkpoint-dir");
        run("train", "--iteratoins", "5").assertUsageError("Unknown options: '--iteratoins', '5'");
        run("bench", "everything").assertUsageError("unknown suite 'everything'");
        run("bench", "engine", "--seeds", "3").assertUsageError("--seeds does not apply to the engine suite");
        run("bench", "engine", "--ranks", "3").assertUsageError("--ranks does not apply to the engine suite");
        run("bench", "engine", "--adam-lrs", "1e-3").assertUsageError("--adam-lrs does not apply to the engine suite");
        run("bench", "accuracy", "--data-dir", System.getProperty("java.io.tmpdir"), "--adam-lrs", "0")
                .assertUsageError("--adam-lrs takes finite values > 0, got 0.0");
        run("bench", "accuracy", "--data-dir", System.getProperty("java.io.tmpdir"), "--adam-l2s", "-1")
                .assertUsageError("--adam-l2s takes finite values >= 0, got -1.0");
        run("bench", "distributed", "--shapes", "small", "--ranks", "1").assertUsageError("--ranks must be in 2..10");
        run("worker", "--peers", "127.0.0.1:1,127.0.0.1:2", "--rank", "2").assertUsageError("--rank must be in 0..1");
        run("worker", "--rank", "0", "--peers", "127.0.0.1:1,nohost").assertUsageError("expected host:port");
        run("worker", "--rank", "0", "--peers", "127.0.0.1:1,127.0.0.1:2", "--problem", "linear-regression",
                "--checkpoint-dir", "x").assertUsageError("--checkpoint-dir applies to --problem pdadmm-g only");
        run("worker", "--rank", "0", "--peers", "127.0.0.1:1,127.0.0.1:2", "--problem", "linear-regression",
                "--schedule", "stall-x10").assertUsageError("--schedule applies to --problem pdadmm-g only");
        run("worker", "--write-job", "job.bin", "--quantization", "delta", "--project-q")
                .assertUsageError("--[no-]project-q applies to --quantization grid only");
        run().assertUsageError("missing command");
    }

    @Test
    void unreadableDataFailsWithTheMessageAndExitCodeOneAndAStackTraceOnlyWhenVerbose(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("features_shape.npy"), "not a numpy file");
        Run quiet = run("train", "--dataset", dir.toString(), "-q");
        assertEquals(AdmmCli.EXIT_FAILURE, quiet.exitCode(), quiet.err());
        assertTrue(quiet.err().contains("features_shape.npy"), quiet.err());
        quiet.assertNoStackTrace();

        Run verbose = run("train", "--dataset", dir.toString(), "-q", "--verbose");
        assertEquals(AdmmCli.EXIT_FAILURE, verbose.exitCode());
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose: " + verbose.err());
    }

    @Test
    void trainsOnAGraphOfCsvFilesInADirectory(@TempDir Path dir) throws Exception {
        Path graph = csvGraph(dir.resolve("my-graph"));

        Run run = run("train", "--dataset", graph.toString(), "--csv-header-lines", "1", "--iterations", "3",
                "--layers", "2", "--neurons", "8", "-q", "--no-plots", "-o", dir.resolve("out").toString());
        assertEquals(0, run.exitCode(), run.err());
        Map<?, ?> dataset = (Map<?, ?>) Json.readObject(dir.resolve("out").resolve("summary.json")).get("dataset");
        assertEquals("csv", dataset.get("source"));
        assertEquals(30, ((Number) dataset.get("nodes")).intValue());
        assertEquals(3, ((Number) dataset.get("classes")).intValue());
    }

    @Test
    void gadmmConvergesOnATinySyntheticLinearRegressionAndWritesItsFiles(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("run");
        Run run = run("gadmm", "--workers", "4", "--samples", "10", "--dimension", "5", "--iterations", "80",
                "-o", output.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("q-gadmm on synthetic linear regression"), run.out());
        assertTrue(run.out().contains("relative error"), run.out());
        List<IterationRecord> history = MetricsCsv.read(output.resolve("metrics.csv"));
        assertEquals(80, history.size());
        IterationRecord last = history.get(79);
        assertEquals(79, last.iteration());
        assertTrue(last.bytesSent() > 0 && last.bytesThisIteration() > 0, "models travel between workers");
        assertTrue(last.residual() < 1e-8, "the workers agree: consensus residual " + last.residual());

        Map<String, Object> summary = Json.readObject(output.resolve("summary.json"));
        assertEquals("q-gadmm", summary.get("algorithm"));
        assertEquals("linear-regression", summary.get("problem"));
        Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) summary.get("configuration")).get("gadmmConfig");
        assertEquals(3, ((Number) ((Map<?, ?>) config.get("quantizer")).get("bits")).intValue(), "3 bits by default");
        Map<?, ?> results = (Map<?, ?>) summary.get("results");
        double error = ((Number) results.get("relativeError")).doubleValue();
        assertTrue(error < 1e-4, "Q-GADMM reaches the least-squares solution of the stacked data: relative error "
                + error);
        assertTrue(((Number) results.get("paperBits")).longValue() > 0);
        BufferedImage image = ImageIO.read(output.resolve("objective_residual.png").toFile());
        assertNotNull(image, "objective and residual plot");
        assertFalse(Files.exists(output.resolve("accuracy.png")), "linear regression has no accuracy");
        assertTrue(run.err().contains("q-gadmm 80/80 100%"), run.err());
    }

    @Test
    void gadmmOnLogisticRegressionReportsAccuracyAgainstBytes(@TempDir Path dir) throws Exception {
        Run run = run("gadmm", "--problem", "logistic-regression", "--exact", "--workers", "3", "--iterations", "40",
                "--eval-every", "5", "-q", "-o", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("gadmm on synthetic logistic regression"), run.out());
        Map<?, ?> results = (Map<?, ?>) Json.readObject(dir.resolve("summary.json")).get("results");
        double test = ((Number) results.get("testAccuracy")).doubleValue();
        assertTrue(test > 0.65, "well above chance on held-out rows, got " + test);
        assertTrue(((Number) results.get("relativeError")).doubleValue() < 1e-2, results.toString());
        List<IterationRecord> history = MetricsCsv.read(dir.resolve("metrics.csv"));
        assertFalse(Double.isNaN(history.get(5).testAccuracy()), "evaluated every 5 iterations");
        assertTrue(Double.isNaN(history.get(6).testAccuracy()));
        for (String png : List.of("objective_residual.png", "accuracy.png", "accuracy_vs_bytes.png")) {
            assertNotNull(ImageIO.read(dir.resolve(png).toFile()), png);
        }
    }

    @Test
    void gadmmTrainsTheMlpOnFashionMnist(@TempDir Path dir) throws Exception {
        String data = System.getProperty("dl4jadmm.data.dir");
        Assumptions.assumeTrue(data != null && Files.isDirectory(Path.of(data, "fashion-mnist")),
                "Fashion-MNIST is not under dl4jadmm.data.dir");
        Run run = run("gadmm", "--problem", "fashion-mnist", "--data-dir", data, "--workers", "2", "--iterations",
                "2", "--train-rows", "600", "--local-steps", "3", "--batch-size", "50", "-q", "--no-plots", "-o",
                dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("q-sgadmm on Fashion-MNIST (MLP 784-128-64-10"), run.out());
        Map<String, Object> summary = Json.readObject(dir.resolve("summary.json"));
        Map<?, ?> results = (Map<?, ?>) summary.get("results");
        assertEquals(2, ((Number) results.get("iterations")).intValue());
        assertTrue(((Number) results.get("testAccuracy")).doubleValue() > 0, results.toString());
        Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) summary.get("configuration")).get("gadmmConfig");
        assertEquals(0.01, ((Number) config.get("alpha")).doubleValue(), 0.0, "the authors' damped dual step");
        assertEquals(2, MetricsCsv.read(dir.resolve("metrics.csv")).size());
    }

    @Test
    void badGadmmArgumentsAreUsageErrors(@TempDir Path dir) {
        run("gadmm", "--workers", "1").assertUsageError("--workers must be >= 2");
        run("gadmm", "--bits", "0").assertUsageError("--bits must be in 1..16, got 0");
        run("gadmm", "--bits", "17").assertUsageError("--bits must be in 1..16, got 17");
        run("gadmm", "--exact", "--bits", "4").assertUsageError("--bits and --exact exclude each other");
        run("gadmm", "--rho", "0").assertUsageError("--rho must be positive");
        run("gadmm", "--problem", "svm").assertUsageError(
                "expected one of linear-regression, logistic-regression, fashion-mnist but was 'svm'");
        run("gadmm", "--lr", "0.1").assertUsageError("--lr applies to --problem fashion-mnist");
        run("gadmm", "--problem", "logistic-regression", "--noise", "1")
                .assertUsageError("--noise applies to --problem linear-regression");
        run("gadmm", "--workers", "2", "--samples", "3", "--dimension", "13")
                .assertUsageError("fewer rows than the 13 parameters");
        Path missing = dir.resolve("nothing-here");
        run("gadmm", "--problem", "fashion-mnist", "--data-dir", missing.toString())
                .assertUsageError("Fashion-MNIST is not in " + missing);
        run("bench", "gadmm", "--bits", "0").assertUsageError("--bits and --adaptive must be in 1..16");
        run("bench", "gadmm", "--lr", "0.1").assertUsageError("--lr does not apply to the gadmm suite");
        run("bench", "engine", "--workers", "3").assertUsageError("--workers does not apply to the engine suite");
    }

    @Test
    void benchGadmmWritesItsTableAsJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("gadmm.json");
        Run run = run("bench", "gadmm", "--workers", "4", "--samples", "5", "--dims", "3", "--rhos", "3",
                "--bits", "3", "--max-iterations", "2000", "--json", json.toString(), "-q");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| 3 | 3.00 | Q-GADMM b=3 | ok |"), run.out());
        Map<String, Object> report = Json.readObject(json);
        assertEquals("gadmm", report.get("suite"));
        assertEquals(4, ((Number) ((Map<?, ?>) report.get("settings")).get("workers")).intValue());
        List<?> rows = (List<?>) ((Map<?, ?>) ((List<?>) report.get("tables")).get(0)).get("rows");
        assertEquals(2, rows.size(), "GADMM and Q-GADMM b=3");
        for (Object row : rows) {
            assertEquals("ok", ((Map<?, ?>) row).get("status"), "converged: " + row);
        }
    }

    @Test
    void benchAccuracyMergesTheOutcomesOfEarlierRunsIntoOneTable(@TempDir Path dir) throws Exception {
        String method = "pdADMM-G-Q (8-bit p and q, exact W-step)";
        Path a = Files.writeString(dir.resolve("seed1.txt"), new GraphExperiment.Outcome("cora", method, 10, 500, 1,
                0.80, 0.76, 0.80, 60, 393_159_648, 1_260_576, 600) + "\n");
        Path b = Files.writeString(dir.resolve("seed2.txt"), "some log line\n" + new GraphExperiment.Outcome("cora",
                method, 10, 500, 2, 0.81, 0.77, 0.81, 80, 393_159_648, 1_260_576, 600) + "\n");
        Path json = dir.resolve("merged.json");

        Run run = run("bench", "accuracy", "--merge", a + "," + b, "--json", json.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| cora | 500 | " + method + " | 2 | 0.805 +/- 0.007 | 0.765 +/- 0.007 | 70.0 | "
                + "393.2 |"), run.out());
        assertEquals(List.of(a.toAbsolutePath().toString(), b.toAbsolutePath().toString()),
                ((Map<?, ?>) Json.readObject(json).get("settings")).get("merged"));
        run("bench", "accuracy", "--merge", a + "," + a).assertUsageError("appears twice");
        run("bench", "accuracy", "--merge", a.toString(), "--seeds", "2")
                .assertUsageError("--seeds does not apply with --merge");
        run("bench", "accuracy", "--merge", dir.resolve("missing.txt").toString()).assertUsageError("cannot read");
        run("bench", "accuracy", "--data-dir", dir.toString(), "--methods", "exact,sgd")
                .assertUsageError("--methods must be among train,train-q8,adam-tuned,adam-tuned-2,linear,exact,linearized,quantized,adam");
        run("bench", "quantization", "--first-seed", "3").assertUsageError("--first-seed does not apply");
        run("bench", "engine", "--outcomes", "x.txt").assertUsageError("--outcomes does not apply to the engine");
    }

    /** Also with delta-coded transfers, whose link coders' state (reconstructions, random generators) is saved. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pdadmm-g", "pdadmm-g-q"})
    void aResumedPdAdmmRunHasTheIteratesOfAnUninterruptedOne(String algorithm, @TempDir Path dir) throws Exception {
        String[] small = algorithm.equals("pdadmm-g")
                ? new String[]{"--layers", "3", "--neurons", "16", "--eval-every", "3", "-q", "--no-plots", "--growth",
                "none"}
                : new String[]{"--layers", "3", "--neurons", "16", "--eval-every", "3", "-q", "--no-plots", "--growth",
                "none",
                "--algorithm", "pdadmm-g-q", "--quantization", "delta", "--bits", "6"};
        Run straight = run(concat(new String[]{"train", "--iterations", "10", "-o", dir.resolve("straight").toString(),
                "--checkpoint-dir", dir.resolve("straight-checkpoint").toString(), "--checkpoint-every", "100"},
                small));
        assertEquals(0, straight.exitCode(), straight.err());
        Path checkpoints = dir.resolve("checkpoints");
        Run half = run(concat(new String[]{"train", "--iterations", "5", "-o", dir.resolve("first-half").toString(),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "2"}, small));
        assertEquals(0, half.exitCode(), half.err());
        Run resumed = run(concat(new String[]{"train", "--iterations", "10", "--resume", "-o",
                dir.resolve("resumed").toString(), "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every",
                "2"}, small));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming from " + checkpoints + " at iteration 5 of 10 (the whole ADMM "
                + "state)"), resumed.out());

        List<IterationRecord> expected = MetricsCsv.read(dir.resolve("straight").resolve("metrics.csv"));
        List<IterationRecord> actual = MetricsCsv.read(dir.resolve("resumed").resolve("metrics.csv"));
        assertEquals(10, actual.size());
        for (int i = 5; i < 10; i++) {
            IterationRecord e = expected.get(i);
            IterationRecord a = actual.get(i);
            assertEquals(e.iteration(), a.iteration());
            assertClose(e.augmentedLagrangian(), a.augmentedLagrangian(), "L_rho at iteration " + i);
            assertClose(e.objective(), a.objective(), "objective at iteration " + i);
            assertClose(e.residual(), a.residual(), "residual at iteration " + i);
            assertClose(e.dualResidual(), a.dualResidual(), "dual residual at iteration " + i);
            assertEquals(e.bytesSent(), a.bytesSent(), "bytes at iteration " + i);
        }
        IterationRecord e = expected.get(9);
        IterationRecord a = actual.get(9);
        assertClose(e.trainLoss(), a.trainLoss(), "train loss after the last iteration");
        assertEquals(e.testAccuracy(), a.testAccuracy(), 1e-9, "test accuracy after the last iteration");

        for (String file : List.of("W_1.npy", "W_2.npy", "W_3.npy", "b_1.npy", "b_2.npy", "b_3.npy")) {
            INDArray w = Nd4j.createFromNpyFile(dir.resolve("straight-checkpoint").resolve("iteration-000010")
                    .resolve(file).toFile());
            INDArray v = Nd4j.createFromNpyFile(checkpoints.resolve("iteration-000010").resolve(file).toFile());
            double difference = w.sub(v).amaxNumber().doubleValue();
            assertTrue(difference <= 1e-6 * Math.max(1, w.amaxNumber().doubleValue()), file + " differs by "
                    + difference);
        }

        run(concat(new String[]{"train", "--iterations", "12", "--resume", "--rho", "6", "--checkpoint-dir",
                checkpoints.toString()}, small)).assertUsageError("was made with --rho 5.0, this run has 6.0");
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void aRunResumesFromItsCheckpointAndRefusesADifferentModel(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        String[] small = {"--neurons", "16", "--eval-every", "2", "-q", "--no-plots",
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "3"};
        Run first = run(concat(new String[]{"train", "--iterations", "7", "--layers", "2", "-o", dir.resolve("a").toString()}, small));
        assertEquals(0, first.exitCode(), first.err());
        Map<String, Object> index = Json.readObject(checkpoints.resolve("checkpoint.json"));
        assertEquals(7, ((Number) index.get("iterationsDone")).intValue(), "saved at 3, 6 and at the end");
        try (var folders = Files.list(checkpoints)) {
            assertEquals(List.of("checkpoint.json", "iteration-000007"),
                    folders.map(p -> p.getFileName().toString()).sorted().toList(), "older checkpoints removed");
        }

        Run resumed = run(concat(new String[]{"train", "--iterations", "12", "--layers", "2", "--resume", "-o",
                dir.resolve("b").toString()}, small));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming from"), resumed.out());
        List<IterationRecord> history = MetricsCsv.read(dir.resolve("b").resolve("metrics.csv"));
        assertEquals(12, history.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(i, history.get(i).iteration());
        }
        assertTrue(history.get(11).bytesSent() > history.get(6).bytesSent(), "bytes keep counting after resuming");

        run(concat(new String[]{"train", "--iterations", "20", "--resume", "--layers", "3"}, small))
                .assertUsageError("was made with --layers 2, this run has 3");
    }

    /** Issue 15, item 9: a copy of the data elsewhere resumes; changed data are refused, naming both and the fix. */
    @Test
    void aResumeComparesTheDataByContentNotByPath(@TempDir Path dir) throws Exception {
        Path original = csvGraph(dir.resolve("original"));
        Path checkpoints = dir.resolve("checkpoints");
        String[] small = {"--csv-header-lines", "1", "--layers", "2", "--neurons", "8", "--growth", "none", "-q",
                "--no-plots", "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "2"};
        Run first = run(concat(new String[]{"train", "--dataset", original.toString(), "--iterations", "3", "-o",
                dir.resolve("first").toString()}, small));
        assertEquals(0, first.exitCode(), first.err());

        Path copy = Files.createDirectories(dir.resolve("elsewhere").resolve("copy"));
        for (String file : List.of("features.csv", "edges.csv", "labels.csv")) {
            Files.copy(original.resolve(file), copy.resolve(file));
        }
        Run resumed = run(concat(new String[]{"train", "--dataset", copy.toString(), "--iterations", "5",
                "--resume", "-o", dir.resolve("resumed").toString()}, small));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming from " + checkpoints + " at iteration 3 of 5"), resumed.out());

        // the checkpoint now names the copy; a third folder holds one feature value changed
        Path changedData = Files.createDirectories(dir.resolve("changed"));
        for (String file : List.of("edges.csv", "labels.csv")) {
            Files.copy(original.resolve(file), changedData.resolve(file));
        }
        Files.writeString(changedData.resolve("features.csv"), Files.readString(original.resolve("features.csv"))
                .replaceFirst("\n0,1,0,0\n", "\n0,2,0,0\n"));
        Run changed = run(concat(new String[]{"train", "--dataset", changedData.toString(), "--iterations", "7",
                "--resume"}, small));
        changed.assertUsageError("--resume: the checkpoint in " + checkpoints + " was made on other data");
        assertTrue(changed.err().contains("--dataset " + copy + " --data-dir")
                && changed.err().contains("--dataset " + changedData + " --data-dir")
                && changed.err().contains("SHA-256"), "both data sets named: " + changed.err());
        assertTrue(changed.err().contains("resume with the data it was made on")
                && changed.err().contains("without --resume in another --checkpoint-dir"), changed.err());

        // a checkpoint of an older version records no fingerprint: its data must be read from the same place
        Map<String, Object> index = Json.readObject(checkpoints.resolve("checkpoint.json"));
        ((Map<?, ?>) index.get("settings")).remove(TrainCommand.DATA_FINGERPRINT);
        // nor checksums: it loads unverified
        index.remove("files");
        index.remove("checksum");
        Json.write(index, checkpoints.resolve("checkpoint.json"));
        run(concat(new String[]{"train", "--dataset", original.toString(), "--iterations", "7", "--resume"}, small))
                .assertUsageError("was made with --dataset " + copy + ", this run has " + original
                        + "; it records no fingerprint of its data");
        Run sameFolder = run(concat(new String[]{"train", "--dataset", copy.toString(), "--iterations", "7",
                "--resume", "-o", dir.resolve("old").toString()}, small));
        assertEquals(0, sameFolder.exitCode(), sameFolder.err());
    }

    /** The same, for a benchmark read from a copy of the data directory (Cora, when the data are there). */
    @Test
    void aBenchmarkResumesFromACopyOfTheDataDirectory(@TempDir Path dir) throws Exception {
        String data = System.getProperty("dl4jadmm.data.dir");
        Assumptions.assumeTrue(data != null && Files.isDirectory(Path.of(data, "cora")),
                "Cora is not under dl4jadmm.data.dir");
        Path checkpoints = dir.resolve("checkpoints");
        String[] small = {"--dataset", "cora", "--hops", "1", "--layers", "2", "--neurons", "8", "--growth", "none",
                "-q", "--no-plots", "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "2"};
        Run first = run(concat(new String[]{"train", "--data-dir", data, "--iterations", "2", "-o",
                dir.resolve("first").toString()}, small));
        assertEquals(0, first.exitCode(), first.err());
        Path copy = Files.createDirectories(dir.resolve("copy").resolve("cora"));
        try (var files = Files.list(Path.of(data, "cora"))) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        Run resumed = run(concat(new String[]{"train", "--data-dir", copy.getParent().toString(), "--iterations",
                "4", "--resume", "-o", dir.resolve("resumed").toString()}, small));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming from " + checkpoints + " at iteration 2 of 4"), resumed.out());
    }

    /** A graph of 30 nodes and 3 classes as features.csv, edges.csv and labels.csv (one header line each). */
    private static Path csvGraph(Path graph) throws Exception {
        StringBuilder features = new StringBuilder("node,a,b,c\n");
        StringBuilder edges = new StringBuilder("source,target\n");
        StringBuilder labels = new StringBuilder("node,label,part\n");
        String[] parts = {"train", "train", "val", "test", "test"};
        for (int node = 0; node < 30; node++) {
            int label = node % 3;
            features.append(node).append(',').append(label == 0 ? 1 : 0).append(',').append(label == 1 ? 1 : 0)
                    .append(',').append(label == 2 ? 1 : 0).append('\n');
            edges.append(node).append(',').append((node + 3) % 30).append('\n');
            labels.append(node).append(',').append(label).append(',').append(parts[node / 3 % 5]).append('\n');
        }
        Files.createDirectories(graph);
        Files.writeString(graph.resolve("features.csv"), features);
        Files.writeString(graph.resolve("edges.csv"), edges);
        Files.writeString(graph.resolve("labels.csv"), labels);
        return graph;
    }

    /** Issue 15, item 9: the 1-bit warning of Q-GADMM is logged once (the quantiser's own warning is gone). */
    @Test
    void oneBitGadmmWarnsOnceNamingTheOption(@TempDir Path dir) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Run run;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            run = run("gadmm", "--bits", "1", "--workers", "3", "--samples", "10", "--dimension", "4",
                    "--iterations", "3", "-q", "--no-plots", "-o", dir.toString());
        } finally {
            System.setErr(stderr);
        }
        String printed = log.toString(StandardCharsets.UTF_8) + run.err();
        assertEquals(1, printed.split("1 bit per element", -1).length - 1, "one warning: " + printed);
        assertTrue(printed.contains("Q-GADMM with 1 bit per element diverged") && printed.contains("--bits 2"),
                printed);
    }

    @Test
    void adamTrainsTheSameNetworkWithDl4jsFit(@TempDir Path dir) throws Exception {
        Run run = run("train", "--algorithm", "adam", "--iterations", "4", "--layers", "2", "--neurons", "16", "-q",
                "-o", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<IterationRecord> history = MetricsCsv.read(dir.resolve("metrics.csv"));
        assertEquals(4, history.size());
        assertTrue(Double.isNaN(history.get(0).residual()), "Adam has no residual");
        assertTrue(Files.exists(dir.resolve("objective_residual.png")), "the loss plot");
        assertFalse(Files.exists(dir.resolve("accuracy_vs_bytes.png")), "Adam sends nothing between blocks");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
