package io.github.dl4jadmm.examples.cli;

import static io.github.dl4jadmm.examples.cli.AdmmCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.examples.cli.AdmmCliTest.Run;
import io.github.dl4jadmm.examples.report.IterationRecord;
import io.github.dl4jadmm.graph.SyntheticGraph;
import io.github.dl4jadmm.graph.augment.AugmentationConfig;
import io.github.dl4jadmm.graph.augment.AugmentedSplits;
import io.github.dl4jadmm.graph.augment.FeatureAugmenter;
import io.github.dl4jadmm.io.CorruptCheckpointException;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 15, items 1, 2 and 6 for {@code train}: a kill at any step of a save loses nothing, a fresh run does not
 * replace another run's checkpoint unless told to, damaged checkpoint files are named, and the directories a run
 * writes into are checked before it starts.
 */
class CheckpointSafetyCliTest {

    private static final int TOTAL = 10;
    private static final int EVERY = 4;

    /** What a kill does to a save: it stops, and nothing cleans up after it. */
    private static final class Killed extends Error {
        Killed(String step) {
            super("killed after: " + step);
        }
    }

    private static final AugmentedSplits SPLITS = new FeatureAugmenter(AugmentationConfig.builder()
            .powers(2, 1, 0).build()).augment(SyntheticGraph.generate(SyntheticGraph.Spec.small(),
            DatasetOptions.SYNTHETIC_SEED));
    private static final MlpArchitecture NET = MlpArchitecture.uniform(SPLITS.numFeatures(), 12,
            SPLITS.numClasses(), 3);
    private static final PdAdmmConfig CONFIG = PdAdmmConfig.builder().seed(1).evaluationFrequency(2).build();
    private static final List<GrowthStage> STAGES = List.of(new GrowthStage(3, TOTAL, CONFIG.mu()));
    private static final Map<String, Object> SETTINGS = Map.of("--layers", 3);

    /** Trains to {@value #TOTAL} iterations (from {@code state} if not null), checkpointing into {@code checkpoint}. */
    private static List<IterationRecord> train(Checkpoint checkpoint, Checkpoint.State state) throws IOException {
        List<IterationRecord> history = state == null ? new ArrayList<>() : new ArrayList<>(checkpoint.history(state));
        new TrainingLoop(SPLITS, TOTAL, 2, history, r -> { }, checkpoint, EVERY, SETTINGS, state).pdAdmm(NET,
                CONFIG, STAGES);
        return history;
    }

    @Test
    void aKillAfterAnyStepOfASaveLeavesACheckpointThatResumesToTheUninterruptedRun(@TempDir Path dir)
            throws Exception {
        Checkpoint straight = new Checkpoint(dir.resolve("straight"));
        List<IterationRecord> expected = train(straight, null);
        Path straightFolder = straight.folder(straight.load());

        List<String> steps = new ArrayList<>();
        train(new Checkpoint(dir.resolve("recorded"), steps::add), null);
        // the saves at 4, 8 and 10: kill the second one at each of its steps
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith("created ")) {
                starts.add(i);
            }
        }
        assertEquals(3, starts.size(), steps.toString());
        List<String> second = steps.subList(starts.get(1), starts.get(2));
        assertTrue(second.contains("renamed checkpoint.json.tmp to checkpoint.json"), second.toString());
        assertTrue(second.stream().anyMatch(s -> s.startsWith("deleted .old-iteration-000004")), second.toString());

        for (int k = starts.get(1); k < starts.get(2); k++) {
            Path ckpt = dir.resolve("kill-" + k);
            int killAt = k;
            int[] step = {0};
            Checkpoint killed = new Checkpoint(ckpt, name -> {
                if (step[0]++ == killAt) {
                    throw new Killed(name);
                }
            });
            assertThrows(Killed.class, () -> train(killed, null));
            String what = "killed after: " + steps.get(k);
            Checkpoint after = new Checkpoint(ckpt);
            Checkpoint.State state = after.load();
            boolean switched = steps.subList(starts.get(1), k + 1).contains(
                    "renamed checkpoint.json.tmp to checkpoint.json");
            assertEquals(switched ? 8 : 4, state.iterationsDone(), what);
            List<IterationRecord> resumed = train(after, state);
            assertEquals(expected.size(), resumed.size(), what);
            assertSameWeights(straightFolder, after.folder(after.load()), what);
            try (Stream<Path> children = Files.list(ckpt)) {
                assertEquals(List.of("checkpoint.json", "iteration-000010"), children.map(p -> p.getFileName()
                        .toString()).sorted().toList(), "the next saves cleaned up (" + what + ")");
            }
        }
    }

    private static void assertSameWeights(Path expected, Path actual, String what) {
        for (int l = 1; l <= 3; l++) {
            for (String file : List.of("W_" + l + ".npy", "b_" + l + ".npy")) {
                INDArray e = Nd4j.createFromNpyFile(expected.resolve(file).toFile());
                INDArray a = Nd4j.createFromNpyFile(actual.resolve(file).toFile());
                double difference = e.sub(a).amaxNumber().doubleValue();
                assertTrue(difference <= 1e-6 * Math.max(1, e.amaxNumber().doubleValue()), file + " differs by "
                        + difference + " (" + what + ")");
            }
        }
    }

    @Test
    void aKilledSecondSaveOfTheSameIterationNeverLosesTheFirst(@TempDir Path dir) throws Exception {
        List<String> steps = new ArrayList<>();
        Path ckpt = dir.resolve("recorded");
        save(new Checkpoint(ckpt), "first");
        save(new Checkpoint(ckpt, steps::add), "second");
        assertTrue(steps.contains("renamed the folder to iteration-000005-2"), steps.toString());
        for (int k = 0; k < steps.size(); k++) {
            Path root = dir.resolve("kill-" + k);
            save(new Checkpoint(root), "first");
            int killAt = k;
            int[] step = {0};
            assertThrows(Killed.class, () -> save(new Checkpoint(root, name -> {
                if (step[0]++ == killAt) {
                    throw new Killed(name);
                }
            }), "second"));
            Checkpoint after = new Checkpoint(root);
            String model = Files.readString(after.folder(after.load()).resolve("model.txt"));
            boolean switched = steps.subList(0, k + 1).contains("renamed checkpoint.json.tmp to checkpoint.json");
            assertEquals(switched ? "second" : "first", model, "killed after: " + steps.get(k));
        }
    }

    private static void save(Checkpoint checkpoint, String model) {
        checkpoint.save("pdadmm-g", 5, 5, 1, 0, Map.of(), List.of(), folder -> Files.writeString(
                folder.resolve("model.txt"), model));
    }

    // ---- a used checkpoint directory ----

    private static String[] small(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--layers", "2", "--neurons", "8", "--growth", "none",
                "-q", "--no-plots", "--checkpoint-dir", dir.resolve("ckpt").toString(), "--checkpoint-every", "2"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void aFreshRunIntoAUsedCheckpointDirectoryIsRefusedUnlessTold(@TempDir Path dir) throws Exception {
        Run first = run(small(dir, "--iterations", "4", "-o", dir.resolve("a").toString()));
        assertEquals(0, first.exitCode(), first.err());
        byte[] index = Files.readAllBytes(dir.resolve("ckpt").resolve(Checkpoint.INDEX));

        Run again = run(small(dir, "--iterations", "3", "-o", dir.resolve("b").toString()));
        again.assertUsageError("--checkpoint-dir " + dir.resolve("ckpt") + " holds the checkpoint of another run "
                + "(pdadmm-g, 4 iterations done): add --resume to continue it, --overwrite-checkpoints to start "
                + "afresh");
        assertFalse(Files.exists(dir.resolve("b")), "refused before anything was written");
        assertEquals(new String(index, StandardCharsets.UTF_8), Files.readString(dir.resolve("ckpt")
                .resolve(Checkpoint.INDEX)), "the checkpoint is untouched");

        run(small(dir, "--iterations", "3", "--resume", "--overwrite-checkpoints")).assertUsageError(
                "--overwrite-checkpoints starts a fresh run in --checkpoint-dir: it cannot be used with --resume");
        Run overwriting = run(small(dir, "--iterations", "3", "--overwrite-checkpoints", "-o",
                dir.resolve("c").toString()));
        assertEquals(0, overwriting.exitCode(), overwriting.err());
        Checkpoint.State state = new Checkpoint(dir.resolve("ckpt")).load();
        assertEquals(3, state.iterationsDone());
        try (Stream<Path> children = Files.list(dir.resolve("ckpt"))) {
            assertEquals(List.of("checkpoint.json", "iteration-000003"), children.map(p -> p.getFileName().toString())
                    .sorted().toList(), "the old run's folder is gone once the new one is in place");
        }
    }

    // ---- damaged checkpoints ----

    @Test
    void damagedCheckpointFilesAreNamedWithTheRemedy(@TempDir Path dir) throws Exception {
        Run first = run(small(dir, "--iterations", "4", "-o", dir.resolve("a").toString()));
        assertEquals(0, first.exitCode(), first.err());
        Path ckpt = dir.resolve("ckpt");
        Path folder = ckpt.resolve("iteration-000004");
        String remedy = "The checkpoint in " + ckpt + " cannot be resumed: start the run afresh there with "
                + "--overwrite-checkpoints";

        // a flipped bit in an engine array: found by the engine's manifest, the advice is the command's
        Path engineFile;
        try (Stream<Path> files = Files.walk(folder.resolve(TrainingLoop.ENGINE_CHECKPOINT))) {
            engineFile = files.filter(p -> p.getFileName().toString().equals("layer1-u.nd4j")).findFirst()
                    .orElseThrow();
        }
        byte[] good = Files.readAllBytes(engineFile);
        byte[] flipped = good.clone();
        flipped[flipped.length - 5] ^= 0x01;
        Files.write(engineFile, flipped);
        Run resumed = run(small(dir, "--iterations", "6", "--resume", "-o", dir.resolve("b").toString()));
        assertEquals(AdmmCli.EXIT_FAILURE, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("checkpoint file " + engineFile + " is damaged: its CRC32C is "),
                resumed.err());
        assertTrue(resumed.err().contains(remedy), resumed.err());
        Files.write(engineFile, good);

        // a truncated weight file: found by the index
        Path weights = folder.resolve("W_1.npy");
        byte[] w = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(w, 10));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> new Checkpoint(ckpt).load());
        assertEquals(weights, e.file());
        assertTrue(e.getMessage().contains("it is 10 bytes long but " + w.length + " were written: it is truncated"),
                e.getMessage());
        Files.write(weights, w);

        // garbage in the index, and an edited value in it
        Path index = ckpt.resolve(Checkpoint.INDEX);
        String text = Files.readString(index);
        Files.write(index, new byte[]{0x01, 0x02, 0x03});
        Run garbage = run(small(dir, "--iterations", "6", "--resume", "-o", dir.resolve("c").toString()));
        assertEquals(AdmmCli.EXIT_FAILURE, garbage.exitCode(), garbage.err());
        assertTrue(garbage.err().contains("checkpoint file " + index + " is damaged: it is not a JSON object"),
                garbage.err());
        assertTrue(garbage.err().contains(remedy), garbage.err());
        Files.writeString(index, text.replace("\"iterationsDone\" : 4", "\"iterationsDone\" : 3"));
        e = assertThrows(CorruptCheckpointException.class, () -> new Checkpoint(ckpt).load());
        assertTrue(e.getMessage().contains(index + " is damaged: its CRC32C is "), e.getMessage());
        Files.writeString(index, text);

        Run ok = run(small(dir, "--iterations", "6", "--resume", "-o", dir.resolve("d").toString()));
        assertEquals(0, ok.exitCode(), "repaired, it resumes: " + ok.err());
    }

    // ---- directories checked up front ----

    @Test
    void directoriesThatCannotBeWrittenAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Run checkpoint = run("train", "--layers", "2", "--iterations", "2", "-q", "--no-plots", "--checkpoint-dir",
                file.resolve("ckpt").toString(), "-o", dir.resolve("out").toString());
        checkpoint.assertUsageError("--checkpoint-dir: cannot create the directory " + file.resolve("ckpt") + ": "
                + file.toAbsolutePath() + " is a regular file, not a directory; choose a directory you can write to");
        assertEquals("", checkpoint.out(), "refused before the data were read");

        Run output = run("train", "--layers", "2", "--iterations", "2", "-q", "--no-plots", "-o",
                file.resolve("out").toString());
        output.assertUsageError("--output: cannot create the directory " + file.resolve("out") + ": "
                + file.toAbsolutePath() + " is a regular file, not a directory");
        run("gadmm", "--iterations", "2", "-q", "--no-plots", "-o", file.resolve("out").toString())
                .assertUsageError("is a regular file, not a directory");
    }

    @Test
    void anOutputDirectoryHoldingARunIsRefusedUnlessTold(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Run first = run("train", "--layers", "2", "--neurons", "8", "--iterations", "2", "-q", "--no-plots", "-o",
                out.toString());
        assertEquals(0, first.exitCode(), first.err());
        String summary = Files.readString(out.resolve(RunSummary.SUMMARY));
        Run again = run("train", "--layers", "2", "--neurons", "8", "--iterations", "3", "-q", "--no-plots", "-o",
                out.toString());
        again.assertUsageError("--output " + out + " already holds a run's files (summary.json, metrics.csv): "
                + "choose another --output, leave --output out for a new folder under runs/, or add "
                + "--overwrite-output to replace them");
        assertEquals(summary, Files.readString(out.resolve(RunSummary.SUMMARY)), "untouched");
        Run overwriting = run("train", "--layers", "2", "--neurons", "8", "--iterations", "3", "-q", "--no-plots",
                "-o", out.toString(), "--overwrite-output");
        assertEquals(0, overwriting.exitCode(), overwriting.err());
        run("gadmm", "--iterations", "2", "-q", "--no-plots", "-o", out.toString()).assertUsageError(
                "already holds a run's files");
    }
}
