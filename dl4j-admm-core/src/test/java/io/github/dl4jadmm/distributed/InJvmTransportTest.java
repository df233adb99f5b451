package io.github.dl4jadmm.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InJvmTransportTest {

    @Test
    void messagesArriveInOrderPerTagAndAreCounted() {
        InJvmTransport.Hub hub = InJvmTransport.hub(2);
        MessageTransport a = hub.transport(0);
        MessageTransport b = hub.transport(1);
        a.send(1, 7, ByteBuffer.wrap(new byte[]{1, 2, 3}));
        a.send(1, 8, ByteBuffer.wrap(new byte[]{9}));
        a.send(1, 7, ByteBuffer.wrap(new byte[0]));
        assertEquals(ByteBuffer.wrap(new byte[]{9}), b.receive(0, 8, Duration.ofSeconds(1)));
        assertEquals(ByteBuffer.wrap(new byte[]{1, 2, 3}), b.receive(0, 7, Duration.ofSeconds(1)));
        assertEquals(0, b.receive(0, 7, Duration.ofSeconds(1)).remaining());
        assertEquals(4, a.bytesSent());
    }

    @Test
    void aMissingMessageTimesOutNamingThePeerAndTag() {
        InJvmTransport.Hub hub = InJvmTransport.hub(2);
        long start = System.nanoTime();
        TransportTimeoutException e = assertThrows(TransportTimeoutException.class,
                () -> hub.transport(1).receive(0, 3, Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("tag 3"), e.getMessage());
        assertTrue(e.getMessage().contains("may have died") && e.getMessage().contains("restart every rank")
                && e.getMessage().contains("--timeout"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 5);
    }

    @Test
    void anAbortWakesTheWaitingNeighbourWithTheReason() throws Exception {
        InJvmTransport.Hub hub = InJvmTransport.hub(2);
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                hub.transport(1).receive(0, 1, Duration.ofSeconds(20));
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        Thread.sleep(50);
        hub.transport(0).abort("disk full");
        Throwable e = waiting.get(5, TimeUnit.SECONDS);
        assertTrue(e instanceof PeerFailedException, String.valueOf(e));
        assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("disk full"), e.getMessage());
    }

    @Test
    void chainAllGatherGivesEveryRankEveryValue() throws Exception {
        InJvmTransport.Hub hub = InJvmTransport.hub(4);
        List<CompletableFuture<List<String>>> all = java.util.stream.IntStream.range(0, 4)
                .mapToObj(r -> CompletableFuture.supplyAsync(() -> ChainCollective.allGather(hub.transport(r),
                        "rank" + r, Duration.ofSeconds(10))))
                .toList();
        for (CompletableFuture<List<String>> f : all) {
            assertEquals(List.of("rank0", "rank1", "rank2", "rank3"), f.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void staticPeerListsAreCheckedEntryByEntry() {
        assertEquals(List.of("h1:1", "h2:2"), StaticRendezvous.parse("h1:1, h2:2").endpoints());
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class,
                () -> StaticRendezvous.parse("h1:1,h2"));
        assertTrue(noPort.getMessage().contains("peer 1") && noPort.getMessage().contains("host:port"));
        assertThrows(IllegalArgumentException.class, () -> StaticRendezvous.parse("h1:70000"));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> StaticRendezvous.parse("h1:1,h2:2").exchangeEndpoints(0, 3, "h1:1", Duration.ofSeconds(1)));
        assertTrue(size.getMessage().contains("3 ranks"), size.getMessage());
    }

    @Test
    void inJvmRendezvousNamesTheRanksThatNeverCame() {
        InJvmRendezvous rendezvous = new InJvmRendezvous(3);
        TransportTimeoutException e = assertThrows(TransportTimeoutException.class,
                () -> rendezvous.exchangeEndpoints(0, 3, "a:1", Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
    }
}
