package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Step 6 of algorithms.md §1.1, the output of a hidden layer: the exact minimiser of
 * {@code nu/2 ||q - f(z_l)||^2 - <u_l, q> + rho/2 ||p_{l+1} - q||^2}, i.e.
 * <pre>   q_l = (rho p_{l+1} + u_l + nu f(z_l)) / (rho + nu) </pre>
 */
public final class QUpdate {

    private QUpdate() {
    }

    /**
     * Writes the new {@code q_l} into {@code qOut}.
     *
     * @param activated {@code f(z_l)}
     * @param pRight    {@code p_{l+1}}, as received from the right neighbour
     * @param u         {@code u_l}
     */
    public static void apply(INDArray activated, INDArray pRight, INDArray u, double nu, double rho, INDArray qOut) {
        qOut.assign(activated).muli(nu).addi(u);
        Linalg.axpy(rho, pRight, qOut);
        qOut.divi(rho + nu);
    }
}
