package io.github.dl4jadmm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.examples.LocalCluster;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.GadmmTrainer;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.pdadmm.PdAdmmEngine;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code dl4j-admm worker} as separate JVMs on loopback: three ranks train together over Aeron and their weights
 * equal the single-JVM engine's; a rank given a wrong peer list stops every rank quickly with a clear message.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WorkerProcessesTest {

    /**
     * pdADMM-G-Q as in the paper: 8-bit grids on p and q, built by the senders and learnt by the other ranks; with
     * the published code's stall schedule, whose training loss comes from a forward pass down the ranks.
     */
    private static final List<String> JOB = List.of("--dataset", "synthetic", "--layers", "6", "--neurons", "16",
            "--iterations", "12", "--hops", "1", "--seed", "3", "--quantization", "grid", "--bits", "8",
            "--schedule", "stall-x10");

    @TempDir
    Path dir;

    @Test
    void threeProcessesOverAeronReproduceTheSingleJvmRun() throws Exception {
        Path aeron = dir.resolve("aeron");
        String peers = LocalCluster.loopbackPeers(3);
        List<LocalCluster.RankProcess> ranks;
        try (LocalCluster cluster = new LocalCluster()) {
            cluster.start(3, "1g", dir.resolve("logs"), rank -> {
                List<String> args = new ArrayList<>(List.of("worker", "--rank", String.valueOf(rank), "--peers", peers,
                        "--output", dir.resolve("out").toString(), "--timeout", "60", "--aeron-dir",
                        aeron.resolve("rank-" + rank).toString()));
                args.addAll(JOB);
                return args;
            });
            ranks = cluster.await(240);
        }
        for (LocalCluster.RankProcess p : ranks) {
            assertEquals(0, p.exitCode(), "rank " + p.rank() + ":\n" + p.output());
        }

        Path jobFile = dir.resolve("job.bin");
        List<String> write = new ArrayList<>(List.of("worker", "--write-job", jobFile.toString()));
        write.addAll(JOB);
        assertEquals(0, AdmmCli.commandLine().execute(write.toArray(String[]::new)));
        PdAdmmJob job = PdAdmmJob.fromBytes(Files.readAllBytes(jobFile));
        // the recipe for depth: the 2- and 5-layer stages ran in each process, the ranks ran the 6-layer stage
        assertEquals(0.01, job.config().mu(), "the job is the full-depth growth stage, with its weight decay");
        try (PdAdmmEngine reference = new PdAdmmEngine(job.architecture(), job.config(), job.features(), job.labels(),
                job.weights(), job.biases())) {
            reference.fit();
            for (int l = 1; l <= 6; l++) {
                INDArray w = Nd4j.createFromNpyFile(dir.resolve("out").resolve("layer-" + l + "-W.npy").toFile());
                INDArray b = Nd4j.createFromNpyFile(dir.resolve("out").resolve("layer-" + l + "-b.npy").toFile());
                assertEquals(0, w.sub(reference.weight(l)).amaxNumber().doubleValue(), 1e-6, "W_" + l);
                assertEquals(0, b.reshape(reference.bias(l).shape()).sub(reference.bias(l)).amaxNumber().doubleValue(),
                        1e-6, "b_" + l);
            }
        }
        try (Stream<Path> left = Files.exists(aeron) ? Files.list(aeron) : Stream.empty()) {
            List<Path> dirs = left.filter(p -> new File(p.toFile(), "cnc.dat").exists()).toList();
            assertTrue(dirs.isEmpty(), "Aeron directories left behind: " + dirs);
        }
    }

    @Test
    void aRankWithAWrongPeerListFailsFastWithAClearMessage() throws Exception {
        String peers = LocalCluster.loopbackPeers(3);
        String[] p = peers.split(",");
        String swapped = p[1] + "," + p[0] + "," + p[2];
        long start = System.nanoTime();
        List<LocalCluster.RankProcess> ranks;
        try (LocalCluster cluster = new LocalCluster()) {
            cluster.start(3, "1g", dir.resolve("logs"), rank -> {
                List<String> args = new ArrayList<>(List.of("worker", "--rank", String.valueOf(rank), "--peers",
                        rank == 2 ? swapped : peers, "--timeout", "15", "--aeron-dir",
                        dir.resolve("aeron").resolve("rank-" + rank).toString()));
                args.addAll(JOB);
                return args;
            });
            ranks = cluster.await(120);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (LocalCluster.RankProcess r : ranks) {
            assertTrue(r.exitCode() == 1 || r.exitCode() == 2, "rank " + r.rank() + " exit " + r.exitCode() + ":\n"
                    + r.output());
        }
        String all = ranks.stream().map(LocalCluster.RankProcess::output).reduce("", String::concat);
        assertTrue(all.contains("peer lists differ") || all.contains("did not connect"), all);
        assertTrue(seconds < 100, "took " + seconds + " s");
    }

    @Test
    void qgadmmWorkersInTwoProcessesReproduceTheSingleJvmTrainer() throws Exception {
        String peers = LocalCluster.loopbackPeers(2);
        List<LocalCluster.RankProcess> ranks;
        try (LocalCluster cluster = new LocalCluster()) {
            cluster.start(2, "1g", dir.resolve("logs"), rank -> List.of("worker", "--problem", "linear-regression",
                    "--workers", "4", "--dimension", "6", "--samples", "20", "--bits", "3", "--rho", "3",
                    "--iterations", "30", "--seed", "3", "--rank", String.valueOf(rank), "--peers", peers,
                    "--timeout", "60", "--output", dir.resolve("out").toString(), "--aeron-dir",
                    dir.resolve("aeron").resolve("rank-" + rank).toString()));
            ranks = cluster.await(120);
        }
        for (LocalCluster.RankProcess p : ranks) {
            assertEquals(0, p.exitCode(), "rank " + p.rank() + ":\n" + p.output());
        }
        GadmmConfig config = GadmmConfig.builder().rho(3).iterations(30).seed(3).bits(3).build();
        List<LinearRegressionSolver> solvers = SyntheticRegression.shards(4, 20, 6, 10, 0.1, 3).stream()
                .map(LinearRegressionSolver::of).toList();
        try (GadmmTrainer reference = new GadmmTrainer(config, solvers)) {
            reference.fit();
            int worker = 1;
            for (int r = 0; r < 2; r++) {
                Map<String, Object> summary = Json.readObject(dir.resolve("out").resolve("rank-" + r + ".json"));
                for (Object model : (List<?>) summary.get("models")) {
                    double[] theta = ((List<?>) model).stream().mapToDouble(Json::toDouble).toArray();
                    assertArrayEquals(reference.model(worker), theta, 0, "worker " + worker);
                    worker++;
                }
            }
            assertEquals(5, worker);
        }
    }
}
