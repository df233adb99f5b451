package io.github.dl4jadmm.distributed.aeron;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an {@link AeronTransport}; immutable, built with {@link #builder()}, every value checked by
 * {@link Builder#build()}.
 *
 * <pre>{@code
 * AeronTransportOptions options = AeronTransportOptions.builder().runId("app-42/attempt-0").build();
 * }</pre>
 *
 * <p>Every rank of a run must use the same {@link #runId()}; the handshake refuses a peer with another one. The
 * media driver settings ({@link #aeronDir()}, {@link #idleStrategy()}) are shared by all transports of one JVM,
 * which therefore must agree on them.
 */
public final class AeronTransportOptions {

    /** How the transport's threads (the media driver's and the receiving poller) wait when there is no work. */
    public enum IdleStrategyKind {
        /** A few tries, then parks that grow from 10 µs to 1 ms: low latency, little CPU. The default. */
        BACKOFF,
        /** Parks 1 ms every time: least CPU, up to a millisecond more latency per hop. */
        SLEEPING
    }

    /** Aeron's smallest and largest term length (bytes, a power of two). */
    static final int MIN_TERM_LENGTH = 64 * 1024;
    static final int MAX_TERM_LENGTH = 1024 * 1024 * 1024;
    /** Aeron's largest message, whatever the term length. */
    static final int MAX_AERON_MESSAGE = 16 * 1024 * 1024;
    /** The MTU limits of Aeron: above its 32-byte data header, at most a UDP payload, a multiple of 32. */
    static final int MIN_MTU = 64;
    static final int MAX_MTU = 65504;
    static final int MAX_RUN_ID_BYTES = 256;

    private final String runId;
    private final Path aeronDir;
    private final int mtu;
    private final int chunkSize;
    private final int termLength;
    private final Duration connectTimeout;
    private final Duration offerDeadline;
    private final Duration closeTimeout;
    private final IdleStrategyKind idleStrategy;

    private AeronTransportOptions(Builder b, int termLength) {
        this.runId = b.runId;
        this.aeronDir = b.aeronDir;
        this.mtu = b.mtu;
        this.chunkSize = b.chunkSize;
        this.termLength = termLength;
        this.connectTimeout = b.connectTimeout;
        this.offerDeadline = b.offerDeadline;
        this.closeTimeout = b.closeTimeout;
        this.idleStrategy = b.idleStrategy;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: run id {@code "dl4j-admm"}, everything else as documented on the {@link Builder}. */
    public static AeronTransportOptions defaults() {
        return builder().build();
    }

    /** A builder holding these settings, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.runId = runId;
        b.aeronDir = aeronDir;
        b.mtu = mtu;
        b.chunkSize = chunkSize;
        b.termLength = termLength;
        b.connectTimeout = connectTimeout;
        b.offerDeadline = offerDeadline;
        b.closeTimeout = closeTimeout;
        b.idleStrategy = idleStrategy;
        return b;
    }

    /** Identifies the run; every rank must use the same one, the handshake checks it. */
    public String runId() {
        return runId;
    }

    /** The media driver directory, or {@code null} for the per-process default (see {@link AeronTransport}). */
    public Path aeronDir() {
        return aeronDir;
    }

    /** Largest UDP datagram Aeron sends, bytes. */
    public int mtu() {
        return mtu;
    }

    /** Largest frame (transport header plus a slice of a message) handed to Aeron at once, bytes. */
    public int chunkSize() {
        return chunkSize;
    }

    /** Aeron term length of each publication, bytes (a power of two, at least 8 x {@link #chunkSize()}). */
    public int termLength() {
        return termLength;
    }

    /** How long {@link AeronTransport#connect(java.util.List, java.util.Set)} waits for every peer. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long a send keeps retrying while Aeron is back-pressured or not connected before it gives up. */
    public Duration offerDeadline() {
        return offerDeadline;
    }

    /** How long {@link AeronTransport#close()} waits for the closing handshake (FIN) of every peer. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** How idle threads wait. */
    public IdleStrategyKind idleStrategy() {
        return idleStrategy;
    }

    @Override
    public String toString() {
        return "AeronTransportOptions{runId='" + runId + "', aeronDir=" + (aeronDir == null ? "default" : aeronDir)
                + ", mtu=" + mtu + ", chunkSize=" + chunkSize + ", termLength=" + termLength + ", connectTimeout="
                + connectTimeout + ", offerDeadline=" + offerDeadline + ", closeTimeout=" + closeTimeout
                + ", idleStrategy=" + idleStrategy + "}";
    }

    /** Builds {@link AeronTransportOptions}; {@link #build()} checks every value. */
    public static final class Builder {
        private String runId = "dl4j-admm";
        private Path aeronDir;
        private int mtu = 8192;
        private int chunkSize = 1024 * 1024;
        private int termLength;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration offerDeadline = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private IdleStrategyKind idleStrategy = IdleStrategyKind.BACKOFF;

        private Builder() {
        }

        /** Identifies the run (e.g. Spark application id and stage attempt); default {@code "dl4j-admm"}. */
        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        /**
         * Media driver directory; default {@code null}: {@code dl4j-admm-aeron-<pid>} under {@code /dev/shm} when
         * it exists and has room, else under {@code java.io.tmpdir}. Deleted when the driver starts and stops.
         */
        public Builder aeronDir(Path aeronDir) {
            this.aeronDir = aeronDir;
            return this;
        }

        /** Largest UDP datagram, bytes: a multiple of 32 in 64..65504; default 8192. */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** Largest frame handed to Aeron, header included, bytes; default 1 MiB (1048576). */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /**
         * Aeron term length, bytes: a power of two in 64 KiB..1 GiB and at least 8 x the chunk size (Aeron's largest
         * message is a term length / 8); default 0: the smallest that fits the chunk size (8 MiB for 1 MiB chunks).
         */
        public Builder termLength(int termLength) {
            this.termLength = termLength;
            return this;
        }

        /** Default wait for every peer in {@code connect}; default 30 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** How long a send retries a back-pressured or unconnected publication; default 10 s. */
        public Builder offerDeadline(Duration offerDeadline) {
            this.offerDeadline = offerDeadline;
            return this;
        }

        /** How long {@code close} waits for the peers' closing handshake; default 5 s (zero: do not wait). */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** How idle threads wait; default {@link IdleStrategyKind#BACKOFF}. */
        public Builder idleStrategy(IdleStrategyKind idleStrategy) {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException naming the first bad value and what is allowed
         */
        public AeronTransportOptions build() {
            if (runId == null || runId.isBlank()) {
                throw new IllegalArgumentException("runId must not be empty: give every rank of the run the same id");
            }
            if (runId.getBytes(StandardCharsets.UTF_8).length > MAX_RUN_ID_BYTES) {
                throw new IllegalArgumentException("runId must be at most " + MAX_RUN_ID_BYTES + " bytes, got '"
                        + runId + "'");
            }
            if (mtu < MIN_MTU || mtu > MAX_MTU || mtu % 32 != 0) {
                throw new IllegalArgumentException("mtu must be a multiple of 32 in " + MIN_MTU + ".." + MAX_MTU
                        + " bytes, got " + mtu);
            }
            int smallestChunk = FrameHeader.LENGTH + 1;
            if (chunkSize < smallestChunk || chunkSize > MAX_AERON_MESSAGE) {
                throw new IllegalArgumentException("chunkSize must be in " + smallestChunk + ".." + MAX_AERON_MESSAGE
                        + " bytes (Aeron's largest message), got " + chunkSize);
            }
            int term = termLength == 0 ? smallestTermLength(chunkSize) : termLength;
            if (term < MIN_TERM_LENGTH || term > MAX_TERM_LENGTH || Integer.bitCount(term) != 1) {
                throw new IllegalArgumentException("termLength must be a power of two in " + MIN_TERM_LENGTH + ".."
                        + MAX_TERM_LENGTH + " bytes (or 0 for the smallest that fits the chunk size), got " + term);
            }
            if (chunkSize > term / 8) {
                throw new IllegalArgumentException("chunkSize " + chunkSize + " needs a termLength of at least "
                        + smallestTermLength(chunkSize) + " (Aeron's largest message is termLength / 8), got "
                        + term);
            }
            checkPositive("connectTimeout", connectTimeout);
            checkPositive("offerDeadline", offerDeadline);
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, got " + closeTimeout);
            }
            Objects.requireNonNull(idleStrategy, "idleStrategy");
            return new AeronTransportOptions(this, term);
        }

        private static void checkPositive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
            }
        }

        /** The smallest power of two, at least Aeron's minimum, whose eighth holds {@code chunkSize} bytes. */
        static int smallestTermLength(int chunkSize) {
            long needed = 8L * chunkSize;
            long term = MIN_TERM_LENGTH;
            while (term < needed) {
                term <<= 1;
            }
            return (int) Math.min(term, MAX_TERM_LENGTH);
        }
    }
}
