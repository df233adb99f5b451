package io.github.dl4jadmm.examples.cli;

import static io.github.dl4jadmm.examples.cli.AdmmCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.examples.cli.AdmmCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A diverging Adam run stops with a failure instead of training on NaN and exiting 0. */
class AdamDivergenceCliTest {

    @Test
    void adamWithAnAbsurdLearningRateStopsAndSaysWhatToChange(@TempDir Path dir) {
        Path output = dir.resolve("run");
        Run run = run("train", "--algorithm", "adam", "--lr", "1e12", "--iterations", "20", "--layers", "3",
                "--neurons", "16", "-o", output.toString(), "--no-plots", "-q");
        assertEquals(AdmmCli.EXIT_FAILURE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("Adam diverged in epoch") && run.err().contains("--lr 1.0E12"), run.err());
        assertTrue(run.out().contains("stopped: Adam diverged"), run.out());
        assertTrue(Files.exists(output.resolve("summary.json")), "the summary of the epochs before is written");
    }
}
