package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticClassification;
import io.github.dl4jadmm.io.CorruptCheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Issue 15, items 1 and 2 for the engine's checkpoints: a save killed after any of its writes, renames or deletes
 * leaves a checkpoint that resumes to the uninterrupted run's iterates, and a damaged checkpoint file is refused
 * with a message naming the file, what is wrong and what to do.
 */
class CheckpointIntegrityTest {

    private static final DataSet DATA = SyntheticClassification.blobs(60, 8, 3, 4.0, 21);
    private static final MlpArchitecture NET = MlpArchitecture.uniform(8, 6, 3, 3);
    private static final int TOTAL = 9;

    /** The engine's state after {@value #TOTAL} uninterrupted iterations. */
    private static PdAdmmCheckpoint.EngineState straight;

    @TempDir
    Path dir;

    /** What a kill does to a save: it stops, and nothing cleans up after it. */
    private static final class Killed extends Error {
        Killed(String step) {
            super("killed after: " + step);
        }
    }

    private static PdAdmmEngine engine() {
        PdAdmmConfig config = PdAdmmConfig.builder().nu(1).rho(5).mu(0.1).iterations(TOTAL)
                .dataType(DataType.DOUBLE).build();
        return PdAdmmEngine.withRandomWeights(NET, config, DATA.getFeatures(), DATA.getLabels());
    }

    @BeforeAll
    static void runStraight() {
        try (PdAdmmEngine engine = engine()) {
            engine.fit(TOTAL);
            straight = EngineStates.copy(engine.exportState());
        }
    }

    /** The steps of a save, by name, as {@link io.github.dl4jadmm.io.SaveStep} reports them. */
    private List<String> stepsOfASave(boolean sameIteration) throws IOException {
        List<String> steps = new ArrayList<>();
        Path root = dir.resolve("recorded-" + sameIteration);
        try (PdAdmmEngine engine = engine()) {
            engine.fit(4);
            PdAdmmCheckpoint.save(engine, root, 1);
            if (!sameIteration) {
                engine.fit(2);
            }
            PdAdmmCheckpoint.save(engine, root, 1, steps::add);
        }
        return steps;
    }

    @Test
    void aKillAfterAnyStepOfASaveLeavesACheckpointThatResumesToTheUninterruptedIterates() throws IOException {
        List<String> steps = stepsOfASave(false);
        assertTrue(steps.contains("wrote " + PdAdmmCheckpoint.MANIFEST), steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("renamed ")), steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("deleted .old-checkpoint-000000004")),
                "keep = 1 prunes the older checkpoint: " + steps);
        for (int k = 0; k < steps.size(); k++) {
            Path root = dir.resolve("kill-" + k);
            try (PdAdmmEngine engine = engine()) {
                engine.fit(4);
                PdAdmmCheckpoint.save(engine, root, 1);
                engine.fit(2);
                killSaveAt(engine, root, k);
            }
            boolean renamed = steps.indexOf(steps.stream().filter(s -> s.startsWith("renamed ")).findFirst()
                    .orElseThrow()) <= k;
            assertResumesToTheStraightRun(root, renamed ? 6 : 4, "killed after: " + steps.get(k));
        }
    }

    @Test
    void aKillAfterAnyStepOfASecondSaveOfTheSameIterationLeavesTheFirstResumable() throws IOException {
        List<String> steps = stepsOfASave(true);
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("moved checkpoint-000000004 aside")), steps.toString());
        for (int k = 0; k < steps.size(); k++) {
            Path root = dir.resolve("again-" + k);
            try (PdAdmmEngine engine = engine()) {
                engine.fit(4);
                PdAdmmCheckpoint.save(engine, root, 1);
                killSaveAt(engine, root, k);
                // the next save puts things in order: nothing hidden is left, one checkpoint of iteration 4
                if (k % 3 == 0) {
                    PdAdmmCheckpoint.save(engine, root, 1);
                    try (Stream<Path> children = Files.list(root)) {
                        assertEquals(List.of("checkpoint-000000004"), children.map(p -> p.getFileName().toString())
                                .toList(), "after the next save (killed after: " + steps.get(k) + ")");
                    }
                }
            }
            assertResumesToTheStraightRun(root, 4, "killed after: " + steps.get(k));
        }
    }

    private static void killSaveAt(PdAdmmEngine engine, Path root, int k) {
        int[] step = {0};
        Killed killed = assertThrows(Killed.class, () -> PdAdmmCheckpoint.save(engine, root, 1, name -> {
            if (step[0]++ == k) {
                throw new Killed(name);
            }
        }));
        assertTrue(killed.getMessage().startsWith("killed after: "));
    }

    private static void assertResumesToTheStraightRun(Path root, int iteration, String what) throws IOException {
        try (PdAdmmEngine resumed = PdAdmmEngine.resume(root, DATA.getFeatures(), DATA.getLabels())) {
            assertEquals(iteration, resumed.iterationCount(), what);
            resumed.fit(TOTAL - iteration);
            PdAdmmCheckpoint.EngineState state = resumed.exportState();
            assertEquals(straight.iteration, state.iteration, what);
            assertEquals(straight.rho, state.rho, 0.0, what);
            for (int l = 0; l < straight.blockArrays.size(); l++) {
                for (Map.Entry<String, INDArray> e : straight.blockArrays.get(l).entrySet()) {
                    double difference = e.getValue().sub(state.blockArrays.get(l).get(e.getKey())).amaxNumber()
                            .doubleValue();
                    assertTrue(difference <= 1e-9, e.getKey() + " of block " + l + " differs by " + difference
                            + " (" + what + ")");
                }
            }
        }
    }

    // ---- damaged files ----

    /** Two checkpoints (iterations 2 and 3); returns the newer. */
    private Path twoCheckpoints() throws IOException {
        try (PdAdmmEngine engine = engine()) {
            engine.fit(2);
            engine.saveCheckpoint(dir);
            engine.fit(1);
            return engine.saveCheckpoint(dir);
        }
    }

    private CorruptCheckpointException refused() {
        return assertThrows(CorruptCheckpointException.class,
                () -> PdAdmmEngine.resume(dir, DATA.getFeatures(), DATA.getLabels()).close());
    }

    private void assertNamesTheOlderCheckpoint(CorruptCheckpointException e) {
        assertTrue(e.getMessage().contains("The older checkpoint " + dir.resolve("checkpoint-000000002")
                + " is kept: resume from that directory"), e.getMessage());
    }

    @Test
    void aFlippedBitInAnArrayFileIsFoundAndTheFileNamed() throws IOException {
        Path file = twoCheckpoints().resolve("layer2-u.nd4j");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(file, bytes);
        CorruptCheckpointException e = refused();
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains(file + " is damaged: its CRC32C is "), e.getMessage());
        assertTrue(e.getMessage().contains("its contents changed after it was written"), e.getMessage());
        assertNamesTheOlderCheckpoint(e);
        // and the older checkpoint is what the message says: it resumes
        try (PdAdmmEngine older = PdAdmmEngine.resume(dir.resolve("checkpoint-000000002"), DATA.getFeatures(),
                DATA.getLabels())) {
            assertEquals(2, older.iterationCount());
        }
    }

    @Test
    void aTruncatedOrMissingFileIsNamed() throws IOException {
        Path newest = twoCheckpoints();
        Path file = newest.resolve("layer3-z.nd4j");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CorruptCheckpointException e = refused();
        assertTrue(e.getMessage().contains(file + " is damaged: it is " + bytes.length / 2 + " bytes long but "
                + bytes.length + " were written: it is truncated"), e.getMessage());
        Files.delete(file);
        assertTrue(refused().getMessage().contains(file + " is damaged: it is missing"));
    }

    @Test
    void aGarbledManifestIsNamed() throws IOException {
        Path manifest = twoCheckpoints().resolve(PdAdmmCheckpoint.MANIFEST);
        String text = Files.readString(manifest);
        Files.write(manifest, new byte[]{'{', 0x13, (byte) 0xff, 0x7f});
        CorruptCheckpointException e = refused();
        assertEquals(manifest, e.file());
        assertTrue(e.getMessage().contains(manifest + " is damaged: "), e.getMessage());
        assertNamesTheOlderCheckpoint(e);
        Files.writeString(manifest, "[1, 2");
        assertTrue(refused().getMessage().contains(manifest + " is damaged: it is not a JSON object"));

        // valid JSON with one changed value: the manifest's own checksum finds it
        Files.writeString(manifest, text.replaceFirst("\"rho\" : \"[^\"]*\"", "\"rho\" : \"6.0\""));
        assertFalse(Files.readString(manifest).equals(text), "the test changed rho");
        e = assertThrows(CorruptCheckpointException.class, () -> PdAdmmCheckpoint.info(dir));
        assertTrue(e.getMessage().contains(manifest + " is damaged: its CRC32C is "), e.getMessage());
    }

    @Test
    void aGarbledConfigurationIsNamed() throws IOException {
        Path config = twoCheckpoints().resolve(PdAdmmCheckpoint.CONFIG);
        String text = Files.readString(config);
        Files.writeString(config, text.replace("\"rho\"", "\"rhp\""), StandardCharsets.UTF_8);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> PdAdmmCheckpoint.info(dir));
        assertEquals(config, e.file());
        assertTrue(e.getMessage().contains(config + " is damaged: its CRC32C is "), e.getMessage());
    }

    @Test
    void withoutAnOlderCheckpointTheMessageSaysToStartAfresh() throws IOException {
        Path only;
        try (PdAdmmEngine engine = engine()) {
            engine.fit(2);
            only = engine.saveCheckpoint(dir);
        }
        Path file = only.resolve("layer1-W.nd4j");
        Files.write(file, new byte[0]);
        CorruptCheckpointException e = refused();
        assertTrue(e.getMessage().contains("No older checkpoint is kept under " + dir + ": start the run afresh"),
                e.getMessage());
    }
}
