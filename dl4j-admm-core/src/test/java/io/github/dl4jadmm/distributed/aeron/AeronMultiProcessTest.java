package io.github.dl4jadmm.distributed.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link AeronTransport} between separate JVMs ({@link AeronChainWorker}), each with its own media driver. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AeronMultiProcessTest {

    private static final long PROCESS_WAIT_SECONDS = 60;

    @TempDir
    Path temp;

    @Test
    void threeProcessesSwapMegabyteMessagesAlongAChain() throws Exception {
        int size = 3;
        int rounds = 3;
        List<Worker> workers = new ArrayList<>();
        try {
            for (int rank = 0; rank < size; rank++) {
                workers.add(startWorker(true, rank, size, rounds));
            }
            for (int rank = 0; rank < size; rank++) {
                String output = workers.get(rank).awaitOutput();
                assertEquals(0, workers.get(rank).process.exitValue(), output);
                Matcher ok = Pattern.compile("OK rank " + rank + " checksum (\\d+) aeronDir (\\S+)").matcher(output);
                assertTrue(ok.find(), output);
                assertEquals(AeronChainWorker.expectedChecksum(rank, size, rounds), Long.parseLong(ok.group(1)),
                        "rank " + rank + " received every byte its neighbours sent");
                assertFalse(Files.exists(Path.of(ok.group(2))), "no Aeron directory left by rank " + rank);
            }
        } finally {
            workers.forEach(Worker::destroy);
        }
    }

    @Test
    void missingAddExportsFlagIsExplained() throws Exception {
        Worker worker = startWorker(false, 0, 1, 1);
        try {
            String output = worker.awaitOutput();
            assertEquals(1, worker.process.exitValue(), output);
            assertTrue(output.contains("Aeron needs the JVM option " + AeronMediaDriver.ADD_EXPORTS_FLAG), output);
        } finally {
            worker.destroy();
        }
    }

    @Test
    void jvmThatExitsWithTheTransportOpenEndsAndCleansUp() throws Exception {
        Worker worker = startWorker(true, 0, 1, 0, "leave-open");
        try {
            String output = worker.awaitOutput();
            assertEquals(0, worker.process.exitValue(), output);
            Matcher open = Pattern.compile("OPEN aeronDir (\\S+)").matcher(output);
            assertTrue(open.find(), output);
            assertFalse(Files.exists(Path.of(open.group(1))), "the shutdown hook removed the Aeron directory");
        } finally {
            worker.destroy();
        }
    }

    private Worker startWorker(boolean addExports, int rank, int size, int rounds, String... more)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        if (addExports) {
            command.add(AeronMediaDriver.ADD_EXPORTS_FLAG);
        }
        command.add("-cp");
        // Surefire's java.class.path may be a manifest-only jar; it keeps the real class path here
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(AeronChainWorker.class.getName());
        command.add(String.valueOf(rank));
        command.add(String.valueOf(size));
        command.add(temp.toString());
        command.add(String.valueOf(rounds));
        command.addAll(List.of(more));
        Path log = temp.resolve("rank-" + rank + (addExports ? "" : "-no-flag") + String.join("-", more) + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Worker(rank, process, log);
    }

    /** A worker JVM and the file that collects its output. */
    private record Worker(int rank, Process process, Path log) {

        /** Waits (bounded) for the worker to end; returns its output. */
        String awaitOutput() throws Exception {
            boolean ended = process.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS);
            String output = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (!ended) {
                fail("worker of rank " + rank + " did not end within " + PROCESS_WAIT_SECONDS + " s:\n" + output);
            }
            return output;
        }

        /** Ends the worker and anything it started, by process handle (never by name). */
        void destroy() {
            ProcessHandle handle = process.toHandle();
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
    }
}
