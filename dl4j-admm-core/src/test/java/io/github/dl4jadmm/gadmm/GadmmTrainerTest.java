package io.github.dl4jadmm.gadmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.WireHeader;
import io.github.dl4jadmm.data.SyntheticRegression;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class GadmmTrainerTest {

    private static final int WORKERS = 10;
    private static final int D = 6;

    private static List<LinearRegressionSolver> regressionShards(long seed) {
        return SyntheticRegression.shards(WORKERS, 20, D, 10, 0.1, seed).stream()
                .map(LinearRegressionSolver::of).toList();
    }

    private static double relativeError(double[] x, double[] reference) {
        return Math.sqrt(Vectors.squaredDistance(x, reference) / Vectors.squaredNorm(reference));
    }

    /** Runs to convergence and checks the least-squares solution, identical dual copies and identical models. */
    private static GadmmTrainer assertConvergesToLeastSquares(GadmmConfig config) {
        List<LinearRegressionSolver> solvers = regressionShards(7);
        double[] star = LinearRegressionSolver.stackedLeastSquares(solvers);
        GadmmTrainer trainer = new GadmmTrainer(config, solvers);
        trainer.fit();
        for (int n = 1; n <= WORKERS; n++) {
            double error = relativeError(trainer.model(n), star);
            assertTrue(error < 1e-6, "worker " + n + " is " + error + " away from the least-squares solution");
        }
        assertTrue(relativeError(trainer.consensus(), star) < 1e-6);
        for (int edge = 1; edge < WORKERS; edge++) {
            assertArrayEquals(trainer.dual(edge, edge), trainer.dual(edge, edge + 1), 0.0,
                    "the two copies of lambda_" + edge + " differ");
        }
        for (int n = 1; n <= WORKERS; n++) {
            GadmmWorker w = trainer.worker(n);
            if (n > 1) {
                assertArrayEquals(w.ownHat, trainer.worker(n - 1).rightHat, 0.0, "left neighbour of " + n);
            }
            if (n < WORKERS) {
                assertArrayEquals(w.ownHat, trainer.worker(n + 1).leftHat, 0.0, "right neighbour of " + n);
            }
        }
        return trainer;
    }

    @Test
    void exactGadmmConvergesToTheStackedLeastSquaresSolution() {
        GadmmConfig config = GadmmConfig.builder().rho(3).exact().iterations(600).threads(1).build();
        try (GadmmTrainer trainer = assertConvergesToLeastSquares(config)) {
            assertEquals(600L * WORKERS * 32 * D, trainer.paperBitsSent());
            // raw float64 on the wire, each model delivered to each neighbour: 2 (N - 1) deliveries per iteration
            int raw = RawTensorCodec.INSTANCE.encode(Nd4j.zeros(D).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE))
                    .sizeInBytes();
            assertEquals(600L * 2 * (WORKERS - 1) * raw, trainer.channel().bytesSent());
        }
    }

    @Test
    void quantisedGadmmWithThreeBitsConvergesToTheSameSolution() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(3).iterations(600).threads(1).build();
        try (GadmmTrainer trainer = assertConvergesToLeastSquares(config)) {
            long perMessage = 3L * D + 32;
            // a message whose range is 0 costs only its 32-bit range, so at most this many bits
            assertTrue(trainer.paperBitsSent() <= 600L * WORKERS * perMessage);
            assertTrue(trainer.paperBitsSent() >= 500L * WORKERS * perMessage);
        }
    }

    @Test
    void bitsAndBytesOfOneIterationAreThoseOfTheMessages() {
        GadmmConfig config = GadmmConfig.builder().rho(3).bits(2).threads(1).build();
        try (GadmmTrainer trainer = new GadmmTrainer(config, regressionShards(3))) {
            GadmmIterationMetrics m = trainer.iterate();
            assertEquals((long) WORKERS * (2 * D + 32), m.paperBitsThisIteration());
            int message = BroadcastDeltaCodec.messageBytes(new int[]{D}, 2);
            assertEquals(2L * (WORKERS - 1) * message, m.wireBytesThisIteration());
            assertEquals(2, m.widestCode());
            assertEquals(message, new WireHeader(WireHeader.KIND_SEGMENTED_DELTA, new long[]{D}).sizeInBytes()
                    + 3 + 5 + (2 * D + 7) / 8);
        }
    }

    @Test
    void runsAreReproducibleAndIndependentOfTheNumberOfThreads() {
        GadmmConfig serial = GadmmConfig.builder().rho(24).bits(2).iterations(40).threads(1).build();
        GadmmConfig parallel = serial.toBuilder().threads(4).build();
        try (GadmmTrainer a = new GadmmTrainer(serial, regressionShards(5));
             GadmmTrainer b = new GadmmTrainer(parallel, regressionShards(5))) {
            List<GadmmIterationMetrics> ma = a.fit();
            List<GadmmIterationMetrics> mb = b.fit();
            for (int n = 1; n <= WORKERS; n++) {
                assertArrayEquals(a.model(n), b.model(n), 0.0);
            }
            assertEquals(ma.get(39).objective(), mb.get(39).objective(), 0.0);
            assertEquals(a.paperBitsSent(), b.paperBitsSent());
        }
        GadmmConfig otherSeed = serial.toBuilder()
                .quantizer(serial.quantizer().toBuilder().seed(99).build()).build();
        try (GadmmTrainer a = new GadmmTrainer(serial, regressionShards(5));
             GadmmTrainer c = new GadmmTrainer(otherSeed, regressionShards(5))) {
            a.fit();
            c.fit();
            assertTrue(Vectors.squaredDistance(a.model(1), c.model(1)) > 0, "the quantiser seed matters");
        }
    }

    @Test
    void logisticRegressionReachesTheCentralisedOptimum() {
        Random r = new Random(4);
        int perWorker = 30;
        int d = 4;
        List<DataSet> shards = new ArrayList<>();
        double[] allX = new double[4 * perWorker * d];
        double[] allY = new double[4 * perWorker];
        for (int w = 0; w < 4; w++) {
            double[] x = new double[perWorker * d];
            double[] y = new double[perWorker];
            for (int i = 0; i < perWorker; i++) {
                double z = 0;
                for (int j = 0; j < d; j++) {
                    x[i * d + j] = r.nextGaussian();
                    z += x[i * d + j] * (1 - j);
                }
                y[i] = z + r.nextGaussian() > 0 ? 1 : 0;
            }
            System.arraycopy(x, 0, allX, w * perWorker * d, x.length);
            System.arraycopy(y, 0, allY, w * perWorker, y.length);
            shards.add(new DataSet(Nd4j.create(x, new long[]{perWorker, d}, 'c'), Nd4j.createFromArray(y)
                    .reshape(perWorker, 1)));
        }
        // the centralised optimum: Newton on all data with a vanishing penalty
        LogisticRegressionSolver central = new LogisticRegressionSolver(
                Nd4j.create(allX, new long[]{4L * perWorker, d}, 'c'), Nd4j.createFromArray(allY), 100, 1e-14);
        double[] optimum = new double[d];
        central.solve(optimum, new double[d], 1e-12);
        GadmmConfig config = GadmmConfig.builder().rho(2).bits(4).iterations(300).threads(1).build();
        try (GadmmTrainer trainer = GadmmTrainer.logisticRegression(config, shards)) {
            trainer.fit();
            assertTrue(relativeError(trainer.consensus(), optimum) < 1e-5,
                    "consensus " + relativeError(trainer.consensus(), optimum) + " from the optimum");
        }
    }

    @Test
    void oneBitDivergesAndTheErrorSaysWhatToChange() {
        GadmmConfig config = GadmmConfig.builder().rho(24).bits(1).threads(1).objectiveFrequency(0).build();
        try (GadmmTrainer trainer = new GadmmTrainer(config, regressionShards(2))) {
            GadmmDivergenceException e = assertThrows(GadmmDivergenceException.class, () -> trainer.fit(5000));
            assertTrue(e.getMessage().contains("use bits >= 3"), e.getMessage());
        }
    }

    @Test
    void badInputFailsWithAMessageSayingWhatToChange() {
        List<LinearRegressionSolver> one = regressionShards(1).subList(0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GadmmTrainer(GadmmConfig.builder().build(), one));
        assertTrue(e.getMessage().contains("at least 2 workers") && e.getMessage().contains("2 or more shards"),
                e.getMessage());

        List<DataSet> shards = new ArrayList<>(SyntheticRegression.shards(3, 10, 5, 1, 0.1, 1));
        shards.add(SyntheticRegression.shards(1, 10, 4, 1, 0.1, 1).get(0));
        e = assertThrows(IllegalArgumentException.class,
                () -> GadmmTrainer.linearRegression(GadmmConfig.builder().build(), shards));
        assertTrue(e.getMessage().contains("shard 4 has 4 feature columns but shard 1 has 5")
                && e.getMessage().contains("same features"), e.getMessage());

        List<LocalSolver> mixed = List.of(LinearRegressionSolver.of(shards.get(0)),
                LinearRegressionSolver.of(shards.get(3)));
        e = assertThrows(IllegalArgumentException.class, () -> new GadmmTrainer(GadmmConfig.builder().build(), mixed));
        assertTrue(e.getMessage().contains("worker 2's model has 4 parameters but worker 1's has 5"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new GadmmTrainer(
                GadmmConfig.builder().devicePlacement(0, 0).build(), regressionShards(1)));
        assertTrue(e.getMessage().contains("one device per worker"), e.getMessage());
    }
}
