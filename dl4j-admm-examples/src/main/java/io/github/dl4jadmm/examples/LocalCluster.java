package io.github.dl4jadmm.examples;

import io.github.dl4jadmm.trainer.HugePages;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Starts the ranks of a distributed run as separate JVMs on this machine ({@code dl4j-admm worker} on loopback),
 * for tests and benchmarks: each child's output goes to a log file, a run is bounded by a timeout, and every child
 * (and its descendants) is ended by PID whatever happens.
 */
public final class LocalCluster implements AutoCloseable {

    /** What a rank's process did. */
    public record RankProcess(int rank, int exitCode, Path log) {

        /** The process's output. */
        public String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        }
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private boolean forTimings;

    /**
     * A cluster for timings: its children split this machine's cores between them ({@code OMP_NUM_THREADS}, see
     * start). They inherit the rest of this JVM's environment, {@code GLIBC_TUNABLES} included, so that they
     * allocate as a run in this JVM does ({@link HugePages}) and the two can be compared.
     */
    public static LocalCluster forTimings() {
        LocalCluster cluster = new LocalCluster();
        cluster.forTimings = true;
        return cluster;
    }

    /**
     * {@code n} free UDP ports on 127.0.0.1 as a {@code --peers} list. A port is free when probed; a run that loses
     * the race fails at bind with a clear message.
     */
    public static String loopbackPeers(int n) throws IOException {
        List<DatagramSocket> sockets = new ArrayList<>();
        StringBuilder peers = new StringBuilder();
        try {
            for (int i = 0; i < n; i++) {
                DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                peers.append(i == 0 ? "" : ",").append("127.0.0.1:").append(socket.getLocalPort());
            }
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
        return peers.toString();
    }

    /**
     * Starts {@code n} child JVMs running {@code io.github.dl4jadmm.examples.cli.AdmmCli} with the arguments
     * {@code argsOfRank.apply(rank)}, on this JVM's class path. A cluster made by {@link #forTimings()} gives
     * each child {@code OMP_NUM_THREADS} = cores / n (at least 1) unless this JVM's environment sets it: with the
     * default (all cores per process) every rank's native operations fork a team of all cores and the ranks' teams
     * fight over them (2 ranks of a 20,000 x 500, 10 x 100 job on 2 cores: about 1.0 s per iteration with it, 1.3 s
     * without, alternated runs). The team sizes change the float rounding, so a run that must equal a single-JVM
     * run bit for bit uses {@code new LocalCluster()}, whose children inherit this JVM's environment.
     *
     * @param heap     the children's {@code -Xmx}, e.g. {@code "2g"}
     * @param logDir   where {@code rank-R.log} files go
     */
    public void start(int n, String heap, Path logDir, IntFunction<List<String>> argsOfRank) throws IOException {
        Files.createDirectories(logDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int rank = 0; rank < n; rank++) {
            List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap,
                    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", System.getProperty("java.class.path"), "io.github.dl4jadmm.examples.cli.AdmmCli"));
            command.addAll(argsOfRank.apply(rank));
            Path log = logDir.resolve(String.format(Locale.ROOT, "rank-%d.log", rank));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (forTimings && System.getenv("OMP_NUM_THREADS") == null) {
                int cores = Runtime.getRuntime().availableProcessors();
                builder.environment().put("OMP_NUM_THREADS", String.valueOf(Math.max(1, cores / n)));
            }
            Process p = builder.start();
            processes.add(p);
            logs.add(log);
        }
    }

    /**
     * Waits for every child, at most {@code timeoutSeconds} in all; children still running then are ended.
     *
     * @return each rank's exit code (-1 for one that had to be ended) and log
     */
    public List<RankProcess> await(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<RankProcess> results = new ArrayList<>();
        for (int rank = 0; rank < processes.size(); rank++) {
            Process p = processes.get(rank);
            long left = deadline - System.nanoTime();
            boolean done = left > 0 && p.waitFor(left, TimeUnit.NANOSECONDS);
            if (!done) {
                destroy(p);
            }
            results.add(new RankProcess(rank, done ? p.exitValue() : -1, logs.get(rank)));
        }
        return results;
    }

    /** The child of {@code rank}. */
    public Process process(int rank) {
        return processes.get(rank);
    }

    private static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends every child still running. */
    @Override
    public void close() {
        processes.stream().filter(Process::isAlive).forEach(LocalCluster::destroy);
    }
}
