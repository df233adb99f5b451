package io.github.dl4jadmm.distributed.aeron;

import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.chainPeers;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.pattern;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One rank of {@link AeronMultiProcessTest}, run as its own JVM: binds an ephemeral port, publishes it as a file in
 * the exchange directory, reads the others', connects as a chain and swaps {@code rounds} messages of 1 MiB with each
 * neighbour, checking every byte. Prints {@code OK rank R checksum C aeronDir D} and exits 0, or prints
 * {@code FAILED} and exits 1.
 *
 * <p>Arguments: {@code rank size exchangeDir rounds}, or {@code rank size exchangeDir rounds leave-open} to bind, print
 * {@code OPEN aeronDir D} and return from {@code main} without closing (the JVM must still end and clean up).
 */
final class AeronChainWorker {

    static final int MESSAGE_LENGTH = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private AeronChainWorker() {
    }

    public static void main(String[] args) {
        int rank = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        Path exchange = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        if (args.length > 4 && args[4].equals("leave-open")) {
            AeronTransport transport = AeronTransport.bind(rank, size, AeronTestChains.LOOPBACK,
                    AeronTransportOptions.defaults());
            System.out.println("OPEN aeronDir " + transport.aeronDirectory());
            return;
        }
        int status = 1;
        try {
            Path aeronDir;
            long checksum;
            try (AeronTransport transport = AeronTransport.bind(rank, size, AeronTestChains.LOOPBACK,
                    AeronTransportOptions.builder().runId("multi-process-test").build())) {
                aeronDir = transport.aeronDirectory();
                transport.connect(exchangeEndpoints(rank, size, transport.localEndpoint(), exchange),
                        chainPeers(rank, size), WAIT);
                checksum = exchangeMessages(transport, rounds);
            }
            if (Files.exists(aeronDir)) {
                throw new IllegalStateException("the Aeron directory " + aeronDir + " is still there after close");
            }
            System.out.println("OK rank " + rank + " checksum " + checksum + " aeronDir " + aeronDir);
            status = 0;
        } catch (Throwable e) {
            System.out.println("FAILED rank " + rank + ": " + e);
            e.printStackTrace(System.out);
        }
        System.out.flush();
        System.exit(status);
    }

    /** CRC32 over every message received, in order of rounds and peers; {@link #expectedChecksum} recomputes it. */
    private static long exchangeMessages(AeronTransport transport, int rounds) {
        int rank = transport.rank();
        CRC32 crc = new CRC32();
        for (int round = 0; round < rounds; round++) {
            for (int peer : chainPeers(rank, transport.size())) {
                transport.send(peer, 1, ByteBuffer.wrap(pattern(rank, peer, round, MESSAGE_LENGTH)));
            }
            for (int peer : chainPeers(rank, transport.size())) {
                ByteBuffer message = transport.receive(peer, 1, WAIT);
                byte[] bytes = new byte[message.remaining()];
                message.get(bytes);
                if (!Arrays.equals(bytes, pattern(peer, rank, round, MESSAGE_LENGTH))) {
                    throw new IllegalStateException("round " + round + ": the message from rank " + peer
                            + " differs from what it sent");
                }
                crc.update(bytes);
            }
        }
        return crc.getValue();
    }

    /** What {@link #exchangeMessages} returns on {@code rank} when every message arrived intact. */
    static long expectedChecksum(int rank, int size, int rounds) {
        CRC32 crc = new CRC32();
        for (int round = 0; round < rounds; round++) {
            for (int peer : chainPeers(rank, size)) {
                crc.update(pattern(peer, rank, round, MESSAGE_LENGTH));
            }
        }
        return crc.getValue();
    }

    /** A file-based rendezvous: writes {@code rank-R.endpoint} atomically and waits (bounded) for everyone's. */
    private static List<String> exchangeEndpoints(int rank, int size, String endpoint, Path exchange)
            throws Exception {
        Path temp = exchange.resolve("rank-" + rank + ".tmp");
        Files.writeString(temp, endpoint, StandardCharsets.UTF_8);
        Files.move(temp, exchange.resolve("rank-" + rank + ".endpoint"), StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> endpoints = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            Path file = exchange.resolve("rank-" + r + ".endpoint");
            while (!Files.exists(file)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("rank " + r + " did not publish its endpoint within " + WAIT);
                }
                Thread.sleep(20);
            }
            endpoints.add(Files.readString(file, StandardCharsets.UTF_8));
        }
        return endpoints;
    }
}
