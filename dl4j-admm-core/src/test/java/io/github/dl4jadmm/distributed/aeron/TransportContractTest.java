package io.github.dl4jadmm.distributed.aeron;

import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.closeAll;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.connectedChain;
import static io.github.dl4jadmm.distributed.aeron.AeronTestChains.inParallel;
import static io.github.dl4jadmm.distributed.aeron.AeronTransportTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.distributed.ChainCollective;
import io.github.dl4jadmm.distributed.InJvmTransport;
import io.github.dl4jadmm.distributed.MessageTransport;
import io.github.dl4jadmm.distributed.PeerFailedException;
import io.github.dl4jadmm.distributed.TransportTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link MessageTransport} promises, checked on the reference {@link InJvmTransport} and on
 * {@link AeronTransport} alike: the same calls must give the same answers and the same byte counts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportContractTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Ways to build a connected chain of ranks. */
    enum Kind {
        IN_JVM(size -> {
            InJvmTransport.Hub hub = InJvmTransport.hub(size);
            return IntStream.range(0, size).<MessageTransport>mapToObj(hub::transport).toList();
        }),
        AERON(size -> List.copyOf(connectedChain(size, AeronTransportOptions.defaults())));

        private final IntFunction<List<MessageTransport>> chain;

        Kind(IntFunction<List<MessageTransport>> chain) {
            this.chain = chain;
        }
    }

    private final List<MessageTransport> opened = new ArrayList<>();

    @AfterEach
    void close() {
        closeAll(opened);
    }

    private List<MessageTransport> chain(Kind kind, int size) {
        List<MessageTransport> chain = kind.chain.apply(size);
        opened.addAll(chain);
        return chain;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void messagesArriveInOrderPerTagAndCountTheSameBytes(Kind kind) {
        List<MessageTransport> chain = chain(kind, 2);
        MessageTransport sender = chain.get(0);
        ByteBuffer direct = ByteBuffer.allocateDirect(300);
        direct.put(new byte[300]).flip();
        ByteBuffer readOnly = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}).asReadOnlyBuffer();
        ByteBuffer offset = ByteBuffer.wrap(new byte[] {9, 8, 7, 6});
        offset.position(1).limit(3);
        sender.send(1, 0, ByteBuffer.allocate(0));
        sender.send(1, 0, direct);
        sender.send(1, 1, readOnly);
        sender.send(1, 0, offset);
        assertEquals(1, offset.position(), "send leaves the caller's buffer as it was");
        assertEquals(0, chain.get(1).receive(0, 0, WAIT).remaining());
        assertEquals(300, chain.get(1).receive(0, 0, WAIT).remaining());
        ByteBuffer sliced = chain.get(1).receive(0, 0, WAIT);
        assertEquals(2, sliced.remaining(), "only the remaining bytes travel");
        assertEquals(8, sliced.get(0));
        assertEquals(7, sliced.get(1));
        assertEquals(5, chain.get(1).receive(0, 1, WAIT).remaining());
        assertEquals(0 + 300 + 5 + 2, sender.bytesSent(), "the same count on every transport");
        assertTrue(sender.wireBytesSent() >= sender.bytesSent());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void receiveTimesOutNamingRankPeerAndTag(Kind kind) {
        List<MessageTransport> chain = chain(kind, 2);
        long start = System.nanoTime();
        TransportTimeoutException e = assertThrows(TransportTimeoutException.class,
                () -> chain.get(1).receive(0, 42, Duration.ofMillis(200)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 200 && millis < 2000, "waited " + millis + " ms");
        assertContains(e, "rank 1 waited 200 ms", "tag 42", "from rank 0");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sendingToItselfIsRefused(Kind kind) {
        List<MessageTransport> chain = chain(kind, 2);
        assertThrows(IllegalArgumentException.class, () -> chain.get(0).send(0, 0, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> chain.get(0).send(2, 0, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> chain.get(0).receive(-1, 0, WAIT));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void abortFailsTheNeighboursReceiveNamingRankAndReason(Kind kind) {
        List<MessageTransport> chain = chain(kind, 3);
        chain.get(1).send(0, 0, ByteBuffer.allocate(3));
        chain.get(1).abort("out of memory");
        assertEquals(3, chain.get(0).receive(1, 0, WAIT).remaining(), "what was sent before the abort arrives");
        for (int neighbour : new int[] {0, 2}) {
            PeerFailedException e = assertThrows(PeerFailedException.class,
                    () -> chain.get(neighbour).receive(1, 0, WAIT));
            assertEquals(1, e.peer());
            assertEquals("rank 1 stopped the run: out of memory", e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedPeerEndsTheWaitOnceItsMessagesAreRead(Kind kind) throws Exception {
        List<MessageTransport> chain = chain(kind, 2);
        chain.get(0).send(1, 0, ByteBuffer.allocate(7));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(chain.get(0)::close);
        assertEquals(7, chain.get(1).receive(0, 0, WAIT).remaining());
        assertContains(assertThrows(PeerFailedException.class, () -> chain.get(1).receive(0, 0, WAIT)),
                "which has closed its transport");
        chain.get(1).close();
        closing.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void chainAllGatherCollectsEveryRanksValue(Kind kind) {
        List<MessageTransport> chain = chain(kind, 4);
        List<Callable<List<String>>> gathers = chain.stream().<Callable<List<String>>>map(
                t -> () -> ChainCollective.allGather(t, "value-" + t.rank(), WAIT)).toList();
        for (List<String> gathered : inParallel(gathers)) {
            assertEquals(List.of("value-0", "value-1", "value-2", "value-3"), gathered);
        }
    }
}
