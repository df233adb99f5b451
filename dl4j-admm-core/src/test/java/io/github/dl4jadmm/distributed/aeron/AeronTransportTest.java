package io.github.dl4jadmm.distributed.aeron;

import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.LOOPBACK;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.bindAll;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.chainPeers;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.closeAll;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.connectedChain;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.endpoints;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.distributed.PeerFailedException;
import io.github.dl4jadmm.distributed.TransportException;
import io.github.dl4jadmm.distributed.TransportTimeoutException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AeronTransport} between threads of this JVM on 127.0.0.1: delivery, handshake failures, abort, CRC. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AeronTransportOptions OPTIONS = AeronTransportOptions.defaults();

    private final List<AeronTransport> opened = new ArrayList<>();

    @AfterEach
    void closeAndCheckTheDriverIsGone() {
        closeAll(opened);
        assertNull(AeronMediaDriver.runningDirectory(), "the last close stops the media driver");
        assertFalse(Files.exists(AeronMediaDriver.defaultDirectory()), "no Aeron directory is left behind");
    }

    private List<AeronTransport> chain(int size, AeronTransportOptions options) {
        List<AeronTransport> chain = connectedChain(size, options);
        opened.addAll(chain);
        return chain;
    }

    private List<AeronTransport> bound(int size, AeronTransportOptions options) {
        List<AeronTransport> transports = bindAll(size, options);
        opened.addAll(transports);
        return transports;
    }

    @Test
    void chainDeliversEveryMessageIntactInOrderWithTagsApart() {
        List<AeronTransport> chain = chain(3, OPTIONS);
        int[] lengths = {0, 1, 1024 * 1024 + 1, 5 * 1024 * 1024};
        int chunkPayload = OPTIONS.chunkSize() - FrameHeader.LENGTH;
        long[] expectedBytes = new long[3];
        long[] expectedChunks = new long[3];
        // every rank sends everything before anyone receives: the pollers must drain without the receivers' help
        for (AeronTransport sender : chain) {
            for (int peer : chainPeers(sender.rank(), 3)) {
                sender.send(peer, 8, ByteBuffer.wrap(pattern(sender.rank(), peer, 99, 10)));
                expectedBytes[sender.rank()] += 10;
                expectedChunks[sender.rank()]++;
                for (int i = 0; i < lengths.length; i++) {
                    sender.send(peer, 7, ByteBuffer.wrap(pattern(sender.rank(), peer, i, lengths[i])));
                    expectedBytes[sender.rank()] += lengths[i];
                    expectedChunks[sender.rank()] += Math.max(1, (lengths[i] + chunkPayload - 1) / chunkPayload);
                }
            }
        }
        for (AeronTransport receiver : chain) {
            for (int peer : chainPeers(receiver.rank(), 3)) {
                for (int i = 0; i < lengths.length; i++) {
                    ByteBuffer message = receiver.receive(peer, 7, WAIT);
                    assertArrayEquals(pattern(peer, receiver.rank(), i, lengths[i]), bytes(message),
                            "message " + i + " from rank " + peer + " to rank " + receiver.rank());
                }
                assertArrayEquals(pattern(peer, receiver.rank(), 99, 10), bytes(receiver.receive(peer, 8, WAIT)));
            }
        }
        for (AeronTransport t : chain) {
            assertEquals(expectedBytes[t.rank()], t.bytesSent(), "rank " + t.rank());
            assertEquals(expectedBytes[t.rank()] + FrameHeader.LENGTH * expectedChunks[t.rank()], t.wireBytesSent(),
                    "rank " + t.rank() + ": payload plus one header per chunk");
        }
        Path directory = chain.get(0).aeronDirectory();
        assertTrue(Files.isDirectory(directory));
        closeAll(chain);
        assertFalse(Files.exists(directory), "no Aeron directory after the last close");
    }

    @Test
    void connectTimesOutNamingTheMissingPeer() throws Exception {
        String nobody;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            nobody = "127.0.0.1:" + socket.getLocalPort();
        }
        AeronTransport lonely = AeronTransport.bind(0, 2, LOOPBACK, OPTIONS);
        opened.add(lonely);
        long start = System.nanoTime();
        TransportTimeoutException e = assertThrows(TransportTimeoutException.class,
                () -> lonely.connect(List.of(lonely.localEndpoint(), nobody), Set.of(1), Duration.ofSeconds(2)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 2000 && millis < 3000, "failed after " + millis + " ms");
        assertContains(e, "rank 0 could not connect to rank(s) [1]", "rank 1 at " + nobody, "nothing answers there");
    }

    @Test
    void peerListPointingAtTheWrongRankFailsFastOnEveryRank() {
        List<AeronTransport> ranks = bound(3, OPTIONS);
        List<String> right = endpoints(ranks);
        List<String> wrong = List.of(right.get(0), right.get(2), right.get(2));
        List<CompletableFuture<TransportException>> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (AeronTransport t : ranks) {
            List<String> list = t.rank() == 0 ? wrong : right;
            failures.add(CompletableFuture.supplyAsync(() -> connectFailure(t, list)));
        }
        // Who notices first depends on timing: rank 0 from rank 1's HELLO ("rank 0 and rank 1 were given different
        // peer lists"), rank 2 from rank 0's HELLO ("rank 0 expected rank 1 at <rank 2's endpoint> but rank 2
        // answered") or from rank 0's abort; rank 1 from rank 2's abort. Rank 2 may even have finished its handshake
        // with rank 1 first: then it aborts the run right after.
        List<TransportException> errors = failures.stream().map(CompletableFuture::join).toList();
        for (TransportException e : errors) {
            assertContains(e, "the peer lists differ");
        }
        assertEquals(2, assertInstanceOf(PeerFailedException.class, errors.get(1)).peer());
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("rank 0 and rank 1 were given different "
                + "peer lists") || e.getMessage().contains("rank 0 expected rank 1 at " + right.get(2)
                + " but rank 2 answered")), errors.toString());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5000, "took " + millis + " ms");
    }

    @Test
    void peerOfAnotherRunIsRefused() {
        List<AeronTransport> ranks = new ArrayList<>();
        ranks.add(AeronTransport.bind(0, 2, LOOPBACK, OPTIONS));
        opened.add(ranks.get(0));
        ranks.add(AeronTransport.bind(1, 2, LOOPBACK, OPTIONS.toBuilder().runId("another-run").build()));
        opened.add(ranks.get(1));
        List<String> endpoints = endpoints(ranks);
        List<CompletableFuture<TransportException>> failures = ranks.stream().map(t -> CompletableFuture.supplyAsync(
                () -> assertThrows(TransportException.class,
                        () -> t.connect(endpoints, chainPeers(t.rank(), 2), WAIT)))).toList();
        // each notices from the other's HELLO, or from the other's abort
        for (CompletableFuture<TransportException> failure : failures) {
            assertContains(failure.join(), "of run 'dl4j-admm'", "of run 'another-run'",
                    "the configurations of the ranks differ");
        }
    }

    @Test
    void abortWakesTheNeighboursBlockedReceive() throws Exception {
        List<AeronTransport> chain = chain(2, OPTIONS);
        CompletableFuture<PeerFailedException> blocked = CompletableFuture.supplyAsync(() -> assertThrows(
                PeerFailedException.class, () -> chain.get(1).receive(0, 3, WAIT)));
        Thread.sleep(200);
        long start = System.nanoTime();
        chain.get(0).abort("disk full");
        chain.get(0).abort("a second reason is ignored");
        PeerFailedException e = blocked.get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 1000, "noticed after " + millis + " ms");
        assertEquals(0, e.peer());
        assertEquals("rank 0 stopped the run: disk full", e.getMessage());
        assertContains(assertThrows(PeerFailedException.class, () -> chain.get(1).receive(0, 4, WAIT)),
                "rank 0 stopped the run: disk full");
        assertContains(assertThrows(PeerFailedException.class, () -> chain.get(1).send(0, 3, ByteBuffer.allocate(1))),
                "rank 0 stopped the run: disk full");
        assertContains(assertThrows(TransportException.class, () -> chain.get(0).send(1, 3, ByteBuffer.allocate(1))),
                "rank 0 cannot send to rank 1: it aborted (disk full)");
    }

    @Test
    void corruptedChunkFailsItsCrcCheck() {
        List<AeronTransport> chain = chain(2, OPTIONS);
        AeronTransport sender = chain.get(0);
        sender.send(1, 5, ByteBuffer.wrap(pattern(0, 1, 0, 100)));
        sender.corruptNextDataFrame();
        sender.send(1, 5, ByteBuffer.wrap(pattern(0, 1, 1, 2 * 1024 * 1024)));
        sender.send(1, 5, ByteBuffer.wrap(pattern(0, 1, 2, 100)));
        sender.send(1, 6, ByteBuffer.wrap(pattern(0, 1, 3, 100)));
        AeronTransport receiver = chain.get(1);
        assertArrayEquals(pattern(0, 1, 0, 100), bytes(receiver.receive(0, 5, WAIT)), "before the corruption");
        PeerFailedException e = assertThrows(PeerFailedException.class, () -> receiver.receive(0, 5, WAIT));
        assertEquals(0, e.peer());
        assertContains(e, "CRC mismatch", "from rank 0", "tag 5");
        assertContains(assertThrows(PeerFailedException.class, () -> receiver.receive(0, 5, WAIT)), "CRC mismatch");
        assertArrayEquals(pattern(0, 1, 3, 100), bytes(receiver.receive(0, 6, WAIT)), "other tags are unaffected");
    }

    @Test
    void gapInTheSequenceNumbersIsReportedAsLost() {
        List<AeronTransport> chain = chain(2, OPTIONS);
        chain.get(1).send(0, 2, ByteBuffer.allocate(0));
        chain.get(1).skipNextSequenceNumber();
        chain.get(1).send(0, 2, ByteBuffer.allocate(10));
        assertEquals(0, chain.get(0).receive(1, 2, WAIT).remaining());
        PeerFailedException e = assertThrows(PeerFailedException.class, () -> chain.get(0).receive(1, 2, WAIT));
        assertEquals(1, e.peer());
        assertContains(e, "message lost", "expected message #1 from rank 1 under tag 2", "message #2");
    }

    @Test
    void malformedEndpointsAreRefusedNamingTheEntry() {
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> AeronTransport.bind(0, 2, "localhost", OPTIONS)), "'localhost', expected host:port");
        AeronTransport t = AeronTransport.bind(0, 2, LOOPBACK, OPTIONS);
        opened.add(t);
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> t.connect(List.of(t.localEndpoint(), "node1:http"), Set.of(1), WAIT)),
                "entry 1 of the peer list is 'node1:http'");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> t.connect(List.of(t.localEndpoint()), Set.of(1), WAIT)), "the run has 2 ranks but the peer "
                + "list names 1 endpoints");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> t.connect(List.of(t.localEndpoint(), "127.0.0.1:1"), Set.of(0), WAIT)),
                "a peer must be another rank in 0..1, got 0");
        assertContains(assertThrows(IllegalStateException.class, () -> t.send(1, 0, ByteBuffer.allocate(1))),
                "must connect() before");
    }

    @Test
    void bindingATakenPortFailsClearly() {
        AeronTransport first = bound(1, OPTIONS).get(0);
        TransportException e = assertThrows(TransportException.class,
                () -> AeronTransport.bind(1, 2, first.localEndpoint(), OPTIONS));
        assertContains(e, "rank 1 could not listen on " + first.localEndpoint());
    }

    @Test
    void driverSettingsMustAgreeWithinOneJvm() {
        bound(1, OPTIONS);
        AeronTransportOptions sleeping = OPTIONS.toBuilder()
                .idleStrategy(AeronTransportOptions.IdleStrategyKind.SLEEPING).build();
        assertContains(assertThrows(IllegalStateException.class, () -> AeronTransport.bind(1, 2, LOOPBACK, sleeping)),
                "all transports of one JVM must use the same aeronDir and idleStrategy");
    }

    @Test
    void closeIsIdempotentAndEndsTheNeighboursWait() throws Exception {
        List<AeronTransport> chain = chain(2, OPTIONS);
        chain.get(0).send(1, 1, ByteBuffer.wrap(new byte[] {42}));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(chain.get(0)::close);
        assertArrayEquals(new byte[] {42}, bytes(chain.get(1).receive(0, 1, WAIT)), "the last message arrives");
        assertContains(assertThrows(PeerFailedException.class, () -> chain.get(1).receive(0, 1, WAIT)),
                "which has closed its transport");
        long start = System.nanoTime();
        chain.get(1).close();
        closing.get(10, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3000, "the FIN handshake ended the wait");
        chain.get(0).close();
        chain.get(1).close();
        assertContains(assertThrows(TransportException.class, () -> chain.get(0).send(1, 1, ByteBuffer.allocate(1))),
                "its transport is closed");
    }

    /**
     * The exception of {@code connect}, or if it succeeded, the one of the first send after the transport aborted the
     * run itself (polled for at most 5 s).
     */
    private static TransportException connectFailure(AeronTransport t, List<String> endpoints) {
        try {
            t.connect(endpoints, chainPeers(t.rank(), t.size()), WAIT);
        } catch (TransportException e) {
            return e;
        }
        int peer = chainPeers(t.rank(), t.size()).iterator().next();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            try {
                t.send(peer, 0, ByteBuffer.allocate(0));
                Thread.sleep(20);
            } catch (TransportException e) {
                return e;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("rank " + t.rank() + " connected and never failed");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static void assertContains(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    "'" + fragment + "' missing from: " + e.getMessage());
        }
    }
}
