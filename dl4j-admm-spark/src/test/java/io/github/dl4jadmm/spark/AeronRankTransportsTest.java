package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.dl4jadmm.distributed.ChainCollective;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AeronRankTransportsTest {

    @Test
    void bindsOnTheHostOfTheTasksAddress() {
        assertEquals("10.0.0.5", AeronRankTransports.host("10.0.0.5:40123"));
        assertEquals("worker-3.example", AeronRankTransports.host("worker-3.example:7077"));
        assertEquals("[fe80::1]", AeronRankTransports.host("[fe80::1]:7077"));
        assertEquals("127.0.0.1", AeronRankTransports.host("127.0.0.1"));
    }

    @Test
    void connectsToTheChainNeighboursOnly() {
        assertEquals(Set.of(1), ChainCollective.neighbours(0, 4));
        assertEquals(Set.of(1, 3), ChainCollective.neighbours(2, 4));
        assertEquals(Set.of(2), ChainCollective.neighbours(3, 4));
        assertEquals(Set.of(), ChainCollective.neighbours(0, 1));
    }

    @Test
    void theRunIdNamesTheJobAndTheStageAttempt() {
        assertEquals("dl4j-admm/0123456789abcdef//attempt-1",
                AeronRankTransports.runId("0123456789abcdef0123456789abcdef", 1));
    }
}
