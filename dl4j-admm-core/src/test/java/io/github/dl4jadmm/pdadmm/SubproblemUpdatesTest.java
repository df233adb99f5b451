package io.github.dl4jadmm.pdadmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Each update of algorithms.md §1.1 does what the equation says. */
class SubproblemUpdatesTest {

    private static final int N = 12;
    private static final int N_IN = 5;
    private static final int N_OUT = 4;

    private static INDArray randn(long seed, int rows, int cols) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, rows, cols);
    }

    private static double phi(INDArray p, INDArray w, INDArray b, INDArray z, INDArray q, INDArray u,
                              double nu, double rho) {
        INDArray r = p.mmul(w).addiRowVector(b).subi(z);
        INDArray d = p.sub(q);
        return nu / 2 * Linalg.sumSquares(r) + u.mul(d).sumNumber().doubleValue() + rho / 2 * Linalg.sumSquares(d);
    }

    @Test
    void pStepDecreasesItsSubproblemAndPassesTheAcceptanceTest() {
        INDArray p = randn(1, N, N_IN);
        INDArray w = randn(2, N_IN, N_OUT);
        INDArray b = randn(3, 1, N_OUT);
        INDArray z = randn(4, N, N_OUT);
        INDArray q = randn(5, N, N_IN);
        INDArray u = randn(6, N, N_IN);
        double nu = 1.5;
        double rho = 7;
        INDArray pOut = p.ulike();
        INDArray pWOut = Nd4j.create(DataType.DOUBLE, N, N_OUT);
        // start from a deliberately small tau so that backtracking must double it
        StepOutcome outcome = new PUpdate(p, z).apply(p, p.mmul(w), w, b, z, q, u, nu, rho, 0.1, 40, pOut, pWOut);
        assertTrue(outcome.accepted());
        assertTrue(outcome.doublings() > 0, "a tau of 0.1 is below the curvature and must be doubled");
        double before = phi(p, w, b, z, q, u, nu, rho);
        double after = phi(pOut, w, b, z, q, u, nu, rho);
        assertEquals(before, outcome.before(), 1e-9 * Math.abs(before));
        assertEquals(after, outcome.after(), 1e-9 * Math.abs(before));
        // acceptance test: phi(p+) <= phi(p) + <g, p+ - p> + tau/2 ||p+ - p||^2
        INDArray g = p.mmul(w).addiRowVector(b).subi(z).mmul(w.transpose()).muli(nu).addi(u).addi(p.sub(q).muli(rho));
        INDArray step = pOut.sub(p);
        double bound = before + g.mul(step).sumNumber().doubleValue()
                + outcome.curvature() / 2 * Linalg.sumSquares(step);
        assertTrue(after <= bound + 1e-9, after + " > " + bound);
        assertTrue(after < before);
        assertEquals(0, pWOut.sub(pOut.mmul(w)).norm2Number().doubleValue(), 1e-10);
        // with tau at the exact curvature nu ||W||^2 + rho, the first try is accepted
        double curvature = nu * Math.pow(w.norm2Number().doubleValue(), 2) + rho; // Frobenius >= spectral
        StepOutcome exact = new PUpdate(p, z).apply(p, p.mmul(w), w, b, z, q, u, nu, rho, curvature, 0, pOut, pWOut);
        assertTrue(exact.accepted());
        assertEquals(0, exact.doublings());
    }

    @Test
    void pStepKeepsTheOldValueWhenTheDoublingCapIsHit() {
        INDArray p = randn(1, N, N_IN);
        INDArray w = randn(2, N_IN, N_OUT).muli(10);
        INDArray b = randn(3, 1, N_OUT);
        INDArray z = randn(4, N, N_OUT);
        INDArray pOut = p.ulike();
        INDArray pWOut = Nd4j.create(DataType.DOUBLE, N, N_OUT);
        StepOutcome outcome = new PUpdate(p, z).apply(p, p.mmul(w), w, b, z, randn(5, N, N_IN), randn(6, N, N_IN),
                1, 5, 1e-3, 2, pOut, pWOut);
        assertTrue(!outcome.accepted());
        assertEquals(p, pOut);
    }

    @Test
    void wStepDecreasesItsSubproblemAndPassesTheAcceptanceTest() {
        INDArray p = randn(11, N, N_IN);
        INDArray w = randn(12, N_IN, N_OUT);
        INDArray b = randn(13, 1, N_OUT);
        INDArray z = randn(14, N, N_OUT);
        double nu = 2;
        double mu = 0.5;
        INDArray wOut = w.ulike();
        INDArray pWOut = Nd4j.create(DataType.DOUBLE, N, N_OUT);
        StepOutcome outcome = new WUpdate(w, z).apply(p, w, p.mmul(w), b, z, nu, mu, 0.01, 40, wOut, pWOut);
        assertTrue(outcome.accepted());
        double before = psi(p, w, b, z, nu, mu);
        double after = psi(p, wOut, b, z, nu, mu);
        INDArray g = p.transpose().mmul(p.mmul(w).addiRowVector(b).subi(z)).muli(nu).addi(w.mul(mu));
        assertTrue(after <= before - Linalg.sumSquares(g) / (2 * outcome.curvature()) + 1e-9);
        assertEquals(after, outcome.after(), 1e-9 * before);
        assertEquals(0, pWOut.sub(p.mmul(wOut)).norm2Number().doubleValue(), 1e-10);
        // the curvature nu ||p||_2^2 + mu estimated by power iteration is accepted at once or after one doubling
        double theta = nu * Linalg.spectralNormSquared(p, Nd4j.ones(DataType.DOUBLE, N_IN, 1), 30) + mu;
        StepOutcome estimated = new WUpdate(w, z).apply(p, w, p.mmul(w), b, z, nu, mu, theta, 1, wOut, pWOut);
        assertTrue(estimated.accepted() && estimated.doublings() <= 1);
    }

    @Test
    void exactWStepZeroesTheGradientOnBothSidesOfTheSolve() {
        // N > nIn (primal solve) and N < nIn (dual solve); with and without weight decay
        int[][] shapes = {{N, N_IN}, {4, 9}};
        for (int[] shape : shapes) {
            for (double mu : new double[]{0.0, 0.7}) {
                INDArray p = randn(91, shape[0], shape[1]);
                INDArray w = randn(92, shape[1], N_OUT);
                INDArray b = randn(93, 1, N_OUT);
                INDArray z = randn(94, shape[0], N_OUT);
                double nu = 1.3;
                INDArray wOut = w.ulike();
                INDArray pWOut = Nd4j.create(DataType.DOUBLE, shape[0], N_OUT);
                WUpdate update = new WUpdate(w, z);
                StepOutcome outcome = update.exact(p, w, p.mmul(w), b, z, nu, mu, false, wOut, pWOut);
                assertTrue(outcome.accepted());
                INDArray gradient = p.transpose().mmul(p.mmul(wOut).addiRowVector(b).subi(z)).muli(nu)
                        .addi(wOut.mul(mu));
                // zero up to the tiny ridge (1e-6 of the mean diagonal) that keeps the solve definite
                double scale = p.transpose().mmul(z.subRowVector(b)).muli(nu).norm2Number().doubleValue();
                double norm = gradient.norm2Number().doubleValue();
                assertTrue(norm <= 1e-4 * scale, "shape " + shape[0] + "x" + shape[1] + " mu " + mu + ": gradient "
                        + norm + " vs scale " + scale);
                assertTrue(outcome.after() <= outcome.before());
                assertEquals(psi(p, wOut, b, z, nu, mu), outcome.after(), 1e-9 * Math.max(1, outcome.before()));
                // at least as good as the linearised step
                INDArray wLinear = w.ulike();
                StepOutcome linear = new WUpdate(w, z).apply(p, w, p.mmul(w), b, z, nu, mu, 0.1, 60, wLinear,
                        pWOut.ulike());
                assertTrue(outcome.after() <= linear.after() + 1e-9);
            }
        }
    }

    private static double psi(INDArray p, INDArray w, INDArray b, INDArray z, double nu, double mu) {
        return nu / 2 * Linalg.sumSquares(p.mmul(w).addiRowVector(b).subi(z)) + mu / 2 * Linalg.sumSquares(w);
    }

    @Test
    void spectralNormEstimateMatchesTheLargestSingularValue() {
        INDArray a = Nd4j.create(new double[][]{{3, 0}, {0, 1}, {0, 0}});
        assertEquals(9, Linalg.spectralNormSquared(a, Nd4j.ones(DataType.DOUBLE, 2, 1), 50), 1e-9);
    }

    @Test
    void bStepIsTheExactMinimiser() {
        INDArray p = randn(21, N, N_IN);
        INDArray w = randn(22, N_IN, N_OUT);
        INDArray z = randn(23, N, N_OUT);
        INDArray pW = p.mmul(w);
        INDArray b = Nd4j.zeros(DataType.DOUBLE, 1, N_OUT);
        BUpdate.apply(z, pW, b);
        // gradient of nu/2 ||z - pW - b||^2 in b vanishes
        INDArray gradient = pW.addRowVector(b).subi(z).sum(0);
        assertEquals(0, gradient.norm2Number().doubleValue(), 1e-10);
        double best = Linalg.sumSquares(pW.addRowVector(b).subi(z));
        for (int trial = 0; trial < 5; trial++) {
            INDArray other = b.add(randn(30 + trial, 1, N_OUT).muli(0.1));
            assertTrue(Linalg.sumSquares(pW.addRowVector(other).subi(z)) > best);
        }
    }

    /** Brute force: the best of a fine grid on [-8, 8] plus the candidate itself. */
    private static void assertMinimises(HiddenActivation f, double m, double q, double z0, double z) {
        double candidate = ZHiddenUpdate.objective(f, m, q, z0, z);
        double best = Double.POSITIVE_INFINITY;
        for (double x = -8; x <= 8; x += 1e-4) {
            best = Math.min(best, ZHiddenUpdate.objective(f, m, q, z0, x));
        }
        assertTrue(candidate <= best + 1e-7, f + " m=" + m + " q=" + q + " z0=" + z0 + ": h(" + z + ")="
                + candidate + " > brute force " + best);
        assertTrue(candidate <= ZHiddenUpdate.objective(f, m, q, z0, z0) + 1e-12);
    }

    @Test
    void hiddenZClosedFormsAgreeWithBruteForce() {
        java.util.Random random = new java.util.Random(42);
        HiddenActivation[] kinds = {HiddenActivation.relu(), HiddenActivation.leakyRelu(0.2),
            HiddenActivation.identity(), HiddenActivation.tanh(), HiddenActivation.sigmoid()};
        for (HiddenActivation f : kinds) {
            for (int trial = 0; trial < 40; trial++) {
                double m = random.nextGaussian() * 2;
                double q = f.kind() == HiddenActivation.Kind.SIGMOID ? random.nextDouble() : random.nextGaussian();
                double z0 = random.nextGaussian() * 2;
                INDArray mm = Nd4j.scalar(m).reshape(1, 1);
                INDArray qq = Nd4j.scalar(q).reshape(1, 1);
                INDArray zz = Nd4j.scalar(z0).reshape(1, 1);
                ZHiddenUpdate.apply(f, mm, qq, zz);
                assertMinimises(f, m, q, z0, zz.getDouble(0));
            }
        }
    }

    @Test
    void hiddenZUpdateWorksOnWholeFloatArrays() {
        INDArray m = randn(41, N, N_OUT).castTo(DataType.FLOAT);
        INDArray q = randn(42, N, N_OUT).castTo(DataType.FLOAT);
        INDArray z = randn(43, N, N_OUT).castTo(DataType.FLOAT);
        INDArray z0 = z.dup();
        ZHiddenUpdate.apply(HiddenActivation.relu(), m, q, z);
        for (int i = 0; i < z.length(); i++) {
            double expected = ZHiddenUpdate.piecewiseLinear(0, m.getDouble(i), q.getDouble(i), z0.getDouble(i));
            assertEquals(expected, z.getDouble(i), 1e-6);
        }
    }

    @Test
    void fusedBiasZUpdateEqualsTheUpdateOnTheMaterialisedPreActivation() {
        for (HiddenActivation f : new HiddenActivation[]{HiddenActivation.relu(), HiddenActivation.tanh()}) {
            INDArray pW = randn(44, N, N_OUT);
            INDArray bias = randn(45, 1, N_OUT);
            INDArray q = randn(46, N, N_OUT);
            INDArray fused = randn(47, N, N_OUT);
            INDArray reference = fused.dup();
            ZHiddenUpdate.apply(f, pW, bias, q, fused);
            ZHiddenUpdate.apply(f, pW.addRowVector(bias), q, reference);
            assertEquals(0, fused.distance2(reference), 1e-12, f.toString());
        }
        INDArray z = randn(48, N, N_OUT);
        INDArray pW = randn(49, N, N_OUT);
        INDArray b = Nd4j.zeros(DataType.DOUBLE, 1, N_OUT);
        BUpdate.apply(z, pW, Nd4j.ones(DataType.DOUBLE, 1, N), b);
        assertEquals(0, b.distance2(z.sub(pW).mean(0).reshape(1, N_OUT)), 1e-12);
    }

    @Test
    void squaredErrorOutputIsTheClosedForm() {
        INDArray m = randn(51, N, 3);
        INDArray y = randn(52, N, 3);
        INDArray z = Nd4j.zeros(DataType.DOUBLE, N, 3);
        ZOutputUpdate.apply(OutputRisk.SQUARED_ERROR, m, y, z, 2.0, 2, 10, 1e-9);
        // gradient of 1/2||z - y||^2 + nu/2||z - m||^2 vanishes
        assertEquals(0, z.sub(y).addi(z.sub(m).muli(2.0)).norm2Number().doubleValue(), 1e-12);
    }

    @Test
    void fistaAgreesWithALongRunReference() {
        INDArray m = randn(61, N, 4).muli(3);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, N, 4);
        for (int i = 0; i < N; i++) {
            y.putScalar(i, i % 4, 1.0);
        }
        double nu = 0.5;
        INDArray z = m.dup();
        int used = ZOutputUpdate.apply(OutputRisk.SOFTMAX_CROSS_ENTROPY, m, y, z, nu, 2, 200, 1e-10);
        assertTrue(used < 200, "FISTA should meet the tolerance, took " + used);
        // reference: 20,000 plain gradient steps of size 1/(1/2 + nu) on the full objective
        INDArray reference = m.dup();
        double step = 1 / (0.5 + nu);
        for (int k = 0; k < 20_000; k++) {
            INDArray gradient = Transforms.softmax(reference, true).subi(y).addi(reference.sub(m).muli(nu));
            reference.subi(gradient.muli(step));
        }
        assertEquals(0, z.distance2(reference), 1e-6);
        // and it really is a stationary point of R(z) + nu/2 ||z - m||^2
        INDArray gradient = Transforms.softmax(z, true).subi(y).addi(z.sub(m).muli(nu));
        assertEquals(0, gradient.norm2Number().doubleValue(), 1e-6);
    }

    @Test
    void qStepIsTheExactMinimiser() {
        INDArray fz = randn(71, N, N_OUT);
        INDArray pRight = randn(72, N, N_OUT);
        INDArray u = randn(73, N, N_OUT);
        double nu = 1.2;
        double rho = 6;
        INDArray q = fz.ulike();
        QUpdate.apply(fz, pRight, u, nu, rho, q);
        // gradient of nu/2 ||q - f||^2 + <u, p - q> + rho/2 ||p - q||^2 in q vanishes
        INDArray gradient = q.sub(fz).muli(nu).subi(u).subi(pRight.sub(q).muli(rho));
        assertEquals(0, gradient.norm2Number().doubleValue(), 1e-10);
    }

    @Test
    void dualStepAddsRhoTimesTheResidual() {
        INDArray u = randn(81, N, N_OUT);
        INDArray p = randn(82, N, N_OUT);
        INDArray q = randn(83, N, N_OUT);
        INDArray expected = u.add(p.sub(q).muli(3));
        double residual = DualUpdate.apply(u, p, q, 3);
        assertEquals(0, u.distance2(expected), 1e-12);
        assertEquals(Linalg.sumSquares(p.sub(q)), residual, 1e-9);
    }
}
