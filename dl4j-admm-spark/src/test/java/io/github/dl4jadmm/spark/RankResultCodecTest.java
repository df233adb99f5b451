package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.distributed.DistributedGadmm;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.gadmm.GadmmIterationMetrics;
import io.github.dl4jadmm.pdadmm.BlockPhase;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class RankResultCodecTest {

    @Test
    void aRankResultSurvivesTheTripToTheDriver() {
        IterationMetrics metrics = new IterationMetrics(11, 1.5, 2.5, 0.5, 1e-3, 2e-3, Double.NaN, Double.NaN, 4096,
                512, 5, 1, 0.01, Map.of(BlockPhase.P_STEP, 0.002), Map.of(BlockPhase.P_STEP, 0.003, BlockPhase.Z_STEP,
                0.004), 1);
        RankResult result = new RankResult(2, 3, 4,
                List.of(Nd4j.rand(DataType.DOUBLE, 10, 10), Nd4j.rand(DataType.DOUBLE, 10, 3)),
                List.of(Nd4j.rand(DataType.DOUBLE, 10), Nd4j.rand(DataType.DOUBLE, 3)), 10, 20, 123, 45, 67, 0.25,
                List.of(metrics));

        byte[] bytes = RankResultCodec.encode(result, 1);

        assertEquals(1, RankResultCodec.stageAttempt(bytes));
        assertEquals(result, RankResultCodec.decode(bytes));
    }

    @Test
    void aGadmmRankResultSurvivesTheTripToTheDriverBitForBit() {
        GadmmIterationMetrics metrics = new GadmmIterationMetrics(7, Double.NaN, 0.125, 1e-9, 4096, 512, 8192, 1024,
                3, 0.01);
        DistributedGadmm.RankResult result = new DistributedGadmm.RankResult(1, 3, 4,
                List.of(new double[] {0.1, -Double.MIN_VALUE, 1e300}, new double[] {Math.PI, -0.0, 2}), 8, 4096,
                8192, 2048, 3000, 0.5, List.of(metrics));

        byte[] bytes = GadmmRankResultCodec.encode(result, 2);
        DistributedGadmm.RankResult decoded = GadmmRankResultCodec.decode(bytes);

        assertEquals(2, GadmmRankResultCodec.stageAttempt(bytes));
        assertEquals(2, decoded.models().size());
        for (int n = 3; n <= 4; n++) {
            assertArrayEquals(result.model(n), decoded.model(n));
        }
        assertEquals(List.of(result.rank(), result.firstWorker(), result.lastWorker(), result.iterations()),
                List.of(decoded.rank(), decoded.firstWorker(), decoded.lastWorker(), decoded.iterations()));
        assertEquals(List.of(result.paperBits(), result.bytesSent(), result.transportBytes(), result.wireBytes()),
                List.of(decoded.paperBits(), decoded.bytesSent(), decoded.transportBytes(), decoded.wireBytes()));
        assertEquals(result.seconds(), decoded.seconds());
        assertEquals(result.history(), decoded.history());
    }

    @Test
    void bytesOfOneKindOfResultAreRefusedByTheOtherAndTruncatedBytesAreNamed() {
        DistributedGadmm.RankResult gadmm = new DistributedGadmm.RankResult(0, 1, 1, List.of(new double[] {1}), 1, 0,
                0, 0, 0, 0.1, List.of());
        byte[] bytes = GadmmRankResultCodec.encode(gadmm, 0);

        IllegalArgumentException wrongKind = assertThrows(IllegalArgumentException.class,
                () -> RankResultCodec.decode(bytes));
        assertTrue(wrongKind.getMessage().startsWith("not a pdADMM-G rank result"), wrongKind.getMessage());
        UncheckedIOException truncated = assertThrows(UncheckedIOException.class,
                () -> GadmmRankResultCodec.decode(Arrays.copyOf(bytes, bytes.length - 3)));
        assertEquals("truncated GADMM rank result", truncated.getMessage());
    }
}
