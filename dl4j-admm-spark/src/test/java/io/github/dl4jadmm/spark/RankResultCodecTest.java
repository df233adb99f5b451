package io.github.dl4jadmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.pdadmm.BlockPhase;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
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
}
