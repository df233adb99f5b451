package io.github.dl4jadmm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.graph.ContextualSbm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scale suite runs end to end on a small generated graph and reports every part it promises. */
class ScaleBenchmarkTest {

    @Test
    void reportsMemoryTimingsAndConvergenceOfEveryMethod(@TempDir Path dir) throws Exception {
        ContextualSbm.write(new ContextualSbm.Spec(3000, 4, 40, 4, 0.6, 8, 0.8, 300, 300, 300), 1, dir);
        String report = ScaleBenchmark.run(dir, 3, 16, 2, 0.5, 4, 1, 2, 0.01, 1);
        for (String expected : new String[] {"| load s |", "| layer 1 |", "| layer 3 |", "| whole engine |",
                "| parallel blocks |", "| serial blocks |", "| 8-bit delta coding, parallel |",
                "pdADMM-G, 3 layers from random weights", "initialised to the identity", "grown 2 -> 3 layers",
                "DL4J Adam, same GA-MLP", "linear softmax on the augmented input", "peak resident"}) {
            assertTrue(report.contains(expected), "missing '" + expected + "' in\n" + report);
        }
    }
}
