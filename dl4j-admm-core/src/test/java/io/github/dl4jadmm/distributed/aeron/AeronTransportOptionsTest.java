package io.github.dl4jadmm.distributed.aeron;

import static io.github.dl4jadmm.distributed.aeron.AeronTransportTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.dl4jadmm.distributed.aeron.AeronTransportOptions.IdleStrategyKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The defaults, and a clear message for every value Aeron or the framing could not use. */
class AeronTransportOptionsTest {

    @Test
    void defaults() {
        AeronTransportOptions options = AeronTransportOptions.defaults();
        assertEquals("dl4j-admm", options.runId());
        assertNull(options.aeronDir());
        assertEquals(8192, options.mtu());
        assertEquals(1 << 20, options.chunkSize());
        assertEquals(8 << 20, options.termLength(), "the smallest term whose eighth holds a chunk");
        assertEquals(Duration.ofSeconds(30), options.connectTimeout());
        assertEquals(Duration.ofSeconds(10), options.offerDeadline());
        assertEquals(Duration.ofSeconds(5), options.closeTimeout());
        assertEquals(IdleStrategyKind.BACKOFF, options.idleStrategy());
    }

    @Test
    void toBuilderKeepsEverySetting() {
        AeronTransportOptions options = AeronTransportOptions.builder().runId("r").aeronDir(Path.of("/tmp/a"))
                .mtu(1408).chunkSize(64 * 1024).termLength(1 << 20).connectTimeout(Duration.ofSeconds(3))
                .offerDeadline(Duration.ofSeconds(4)).closeTimeout(Duration.ZERO)
                .idleStrategy(IdleStrategyKind.SLEEPING).build();
        assertEquals(options.toString(), options.toBuilder().build().toString());
        assertEquals(1 << 20, options.termLength());
    }

    @Test
    void termLengthFollowsTheChunkSize() {
        assertEquals(64 * 1024, AeronTransportOptions.builder().chunkSize(4096).build().termLength());
        assertEquals(16 << 20, AeronTransportOptions.builder().chunkSize((1 << 20) + 1).build().termLength());
    }

    @Test
    void badValuesAreExplained() {
        assertRefused(AeronTransportOptions.builder().runId(" "), "runId must not be empty");
        assertRefused(AeronTransportOptions.builder().runId("x".repeat(300)), "runId must be at most 256 bytes");
        assertRefused(AeronTransportOptions.builder().mtu(1500), "mtu must be a multiple of 32 in 64..65504",
                "got 1500");
        assertRefused(AeronTransportOptions.builder().chunkSize(40), "chunkSize must be in 41..16777216");
        assertRefused(AeronTransportOptions.builder().termLength(3 << 20), "termLength must be a power of two");
        assertRefused(AeronTransportOptions.builder().termLength(1 << 20),
                "chunkSize 1048576 needs a termLength of at least 8388608", "got 1048576");
        assertRefused(AeronTransportOptions.builder().connectTimeout(Duration.ZERO),
                "connectTimeout must be a positive duration");
        assertRefused(AeronTransportOptions.builder().offerDeadline(Duration.ofSeconds(-1)),
                "offerDeadline must be a positive duration");
        assertRefused(AeronTransportOptions.builder().closeTimeout(Duration.ofSeconds(-1)),
                "closeTimeout must not be negative");
    }

    private static void assertRefused(AeronTransportOptions.Builder builder, String... fragments) {
        assertContains(assertThrows(IllegalArgumentException.class, builder::build), fragments);
    }
}
