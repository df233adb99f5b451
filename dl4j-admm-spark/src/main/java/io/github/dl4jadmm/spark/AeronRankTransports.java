package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.ChainCollective;
import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.aeron.AeronTransport;
import io.github.dl4jadmm.distributed.aeron.AeronTransportOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * {@link AeronTransport}s between the barrier tasks of a run: each rank listens on an ephemeral UDP port of its
 * executor's host (the address Spark gives in {@code getTaskInfos()[rank]}), publishes {@code host:port} in the one
 * rendezvous, and connects to its chain neighbours {@code rank - 1} and {@code rank + 1}, the only ranks a pdADMM-G
 * or GADMM rank talks to. The run id the handshake checks is the job fingerprint, the Spark application and the
 * stage attempt, so tasks of an earlier attempt, or of another job, are refused. The default on masters whose tasks
 * run in other JVMs; choose it on a {@code local[N]} master with {@code .transports(new AeronRankTransports())}.
 *
 * <p>Aeron runs one media driver per JVM, whose directory every transport of the JVM shares: tasks of one executor
 * (all tasks, under a local master) use {@code dl4j-admm-aeron-<pid>} under the executor's temporary directory
 * (Spark's {@link SparkFiles#getRootDirectory()}, under {@code spark.local.dir}), rather than {@code /dev/shm},
 * which may be small in containers. The driver stops and the directory is removed when the executor's last transport
 * closes. The executors need {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} (see the module's pom).
 */
public final class AeronRankTransports implements RankTransports {

    private static final long serialVersionUID = 1L;

    private final String aeronParent;

    /** Transports with the driver directory under each executor's temporary directory. */
    public AeronRankTransports() {
        this(null);
    }

    /**
     * Transports with the driver directory {@code dl4j-admm-aeron-<pid>} under {@code aeronParent} on every executor.
     *
     * @param aeronParent a local directory of every executor host, or null for the executor's temporary directory
     */
    public AeronRankTransports(Path aeronParent) {
        this.aeronParent = aeronParent == null ? null : aeronParent.toAbsolutePath().toString();
    }

    @Override
    public Binding bind(RankContext<?> context, String job) {
        int rank = context.rank();
        int size = context.size();
        String host = host(context.barrierContext().getTaskInfos()[rank].address());
        AeronTransportOptions options = AeronTransportOptions.builder()
                .runId(runId(job, context.stageAttemptNumber()))
                .aeronDir(aeronDirectory())
                .build();
        AeronTransport transport = AeronTransport.bind(rank, size, host + ":0", options);
        return new Binding() {
            private boolean connected;

            @Override
            public String localEndpoint() {
                return transport.localEndpoint();
            }

            @Override
            public MessageTransport connect(List<String> endpoints, Duration timeout) {
                transport.connect(endpoints, ChainCollective.neighbours(rank, size), timeout);
                connected = true;
                return transport;
            }

            @Override
            public void close() {
                if (!connected) {
                    transport.close(); // bound but never connected, or the handshake failed
                }
            }
        };
    }

    /** The host of a barrier task's address {@code host:port} (an IPv6 host keeps its brackets). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        boolean hasPort = colon > 0 && colon > address.lastIndexOf(']')
                && address.substring(colon + 1).chars().allMatch(Character::isDigit);
        return hasPort ? address.substring(0, colon) : address;
    }

    /** The job fingerprint's first 16 digits, the Spark application and the stage attempt. */
    static String runId(String job, int stageAttempt) {
        SparkEnv env = SparkEnv.get();
        String application = env == null ? "" : env.conf().get("spark.app.id", "");
        return "dl4j-admm/" + job.substring(0, Math.min(16, job.length())) + "/" + application + "/attempt-"
                + stageAttempt;
    }

    /** {@code dl4j-admm-aeron-<pid>} under {@link #aeronParent} or the executor's temporary directory. */
    private Path aeronDirectory() {
        // on an executor outside local mode the root directory is "." , the executor's working directory
        Path parent = aeronParent != null ? Path.of(aeronParent) : Path.of(SparkFiles.getRootDirectory());
        return parent.toAbsolutePath().normalize().resolve("dl4j-admm-aeron-" + ProcessHandle.current().pid());
    }
}
