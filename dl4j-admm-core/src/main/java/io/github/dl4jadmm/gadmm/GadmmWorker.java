package io.github.dl4jadmm.gadmm;

/**
 * One worker of the chain (algorithms.md §3.1): its model {@code theta_n}, its own quantised model
 * {@code theta_hat_n}, its copies of the neighbours' quantised models, and its copies of the duals of its two edges
 * ({@code lambda_{n-1}} shared with the left neighbour, {@code lambda_n} with the right one). Missing neighbours
 * (worker 1 has no left, worker N no right) are null. Only this worker's task touches its state.
 */
final class GadmmWorker {

    /**
     * A parameter this large means the iteration diverged (no float32 range could quantise its change); checked
     * before the broadcast so that divergence is reported as such rather than as a quantiser overflow.
     */
    static final double DIVERGED = 1e30;

    /** 1-based position on the chain. */
    final int index;
    /** Odd workers are heads, even workers tails. */
    final boolean head;
    final int device;
    final LocalSolver solver;
    /** {@code theta_n}. */
    final double[] theta;
    /** {@code theta_hat_n}, as the neighbours hold it. */
    double[] ownHat;
    /** {@code theta_hat_{n-1}} (null for worker 1). */
    double[] leftHat;
    /** {@code theta_hat_{n+1}} (null for worker N). */
    double[] rightHat;
    /** This worker's copy of {@code lambda_{n-1}} (null for worker 1). */
    final double[] leftDual;
    /** This worker's copy of {@code lambda_n} (null for worker N). */
    final double[] rightDual;
    /** Wall time of the last primal step, seconds. */
    double primalSeconds;

    GadmmWorker(int index, int workers, int device, LocalSolver solver, double[] initialModel, double[] initialHat) {
        this.index = index;
        this.head = index % 2 == 1;
        this.device = device;
        this.solver = solver;
        int d = initialModel.length;
        this.theta = initialModel.clone();
        this.ownHat = initialHat.clone();
        this.leftHat = index > 1 ? initialHat.clone() : null;
        this.rightHat = index < workers ? initialHat.clone() : null;
        this.leftDual = index > 1 ? new double[d] : null;
        this.rightDual = index < workers ? new double[d] : null;
    }

    /** Number of neighbours {@code c_n}. */
    int neighbours() {
        return (leftHat == null ? 0 : 1) + (rightHat == null ? 0 : 1);
    }

    /**
     * The primal step of §3.1 with the neighbours' latest quantised models, then one broadcast of the new model:
     * {@code theta_n = argmin f_n + penalty/2 ||theta||^2 - <linear, theta>} with {@code penalty = c_n rho} and
     * {@code linear = lambda_{n-1} - lambda_n + rho (theta_hat_{n-1} + theta_hat_{n+1})}.
     */
    void primalStep(ModelExchange exchange, double rho) {
        long start = System.nanoTime();
        int d = theta.length;
        double[] linear = new double[d];
        for (int i = 0; i < d; i++) {
            double v = 0;
            if (leftHat != null) {
                v += leftDual[i] + rho * leftHat[i];
            }
            if (rightHat != null) {
                v += rho * rightHat[i] - rightDual[i];
            }
            linear[i] = v;
        }
        solver.solve(theta, linear, neighbours() * rho);
        primalSeconds = (System.nanoTime() - start) / 1e9;
        int bad = Vectors.firstBeyond(theta, DIVERGED);
        if (bad >= 0) {
            throw new GadmmDivergenceException(index, bad, theta[bad]);
        }
        ownHat = exchange.broadcast(index, theta);
    }

    /** Reads the models the neighbours sent in the current phase. */
    void receiveFromNeighbours(ModelExchange exchange) {
        if (leftHat != null) {
            leftHat = exchange.receive(index - 1, index);
        }
        if (rightHat != null) {
            rightHat = exchange.receive(index + 1, index);
        }
    }

    /**
     * §3.1 step 3 on this worker's copies: {@code lambda_e += alpha rho (theta_hat_e - theta_hat_{e+1})} for both
     * edges, from quantised models only, with the same expression on both endpoints so the copies stay identical.
     */
    void dualStep(double alpha, double rho) {
        double step = alpha * rho;
        if (leftDual != null) {
            ascend(leftDual, step, leftHat, ownHat);
        }
        if (rightDual != null) {
            ascend(rightDual, step, ownHat, rightHat);
        }
    }

    private static void ascend(double[] dual, double step, double[] leftModel, double[] rightModel) {
        for (int i = 0; i < dual.length; i++) {
            dual[i] += step * (leftModel[i] - rightModel[i]);
        }
    }
}
