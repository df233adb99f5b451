package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 7 of algorithms.md §1.1: {@code u_l += rho (p_{l+1} - q_l)}. Both neighbours of a boundary run it on
 * identical inputs (the p and q that crossed the boundary), so {@code u} itself never travels (§1.2).
 */
public final class DualUpdate {

    private DualUpdate() {
    }

    /**
     * Updates {@code u} in place.
     *
     * @return {@code ||p_{l+1} - q_l||^2}, this boundary's share of the residual
     */
    public static double apply(INDArray u, INDArray pRight, INDArray q, double rho) {
        Linalg.axpy(rho, pRight, u);
        Linalg.axpy(-rho, q, u);
        double d = pRight.distance2(q);
        return d * d;
    }
}
