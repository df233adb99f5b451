package io.github.dl4jadmm.pdadmm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The risk {@code R(z_L; Y)} on the output pre-activation, summed over samples (algorithms.md §1). Softmax
 * cross-entropy pairs with DL4J's {@code OutputLayer(MCXENT or NEGATIVELOGLIKELIHOOD, SOFTMAX)}; squared error
 * {@code 1/2 ||z - Y||^2} pairs with {@code OutputLayer(MSE, IDENTITY)}.
 */
public enum OutputRisk {

    /** {@code sum_i -log softmax(z_i)[y_i]}; labels one-hot. */
    SOFTMAX_CROSS_ENTROPY,
    /** {@code 1/2 ||z - Y||^2}. */
    SQUARED_ERROR;

    /**
     * Maps a DL4J loss function object.
     *
     * @throws IllegalArgumentException naming the loss if it is not supported
     */
    public static OutputRisk from(ILossFunction loss) {
        if (loss instanceof LossMCXENT mcxent) {
            if (mcxent.getWeights() != null) {
                throw new IllegalArgumentException("loss " + loss + " has per-class weights, which pdADMM-G does not "
                        + "support; use an unweighted MCXENT or NEGATIVELOGLIKELIHOOD loss");
            }
            return SOFTMAX_CROSS_ENTROPY;
        }
        if (loss instanceof LossMSE) {
            return SQUARED_ERROR;
        }
        throw new IllegalArgumentException("loss " + loss + " is not supported by pdADMM-G; use MCXENT or "
                + "NEGATIVELOGLIKELIHOOD with SOFTMAX, or MSE with IDENTITY");
    }

    /** The DL4J loss function of the matching output layer. */
    public LossFunctions.LossFunction toDl4j() {
        return this == SOFTMAX_CROSS_ENTROPY ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE;
    }

    /** {@code R(z; Y)}, summed over samples. */
    public double value(INDArray z, INDArray labels) {
        if (this == SQUARED_ERROR) {
            double d = z.distance2(labels);
            return 0.5 * d * d;
        }
        INDArray logSoftmax = logSoftmax(z);
        return -logSoftmax.muli(labels).sumNumber().doubleValue();
    }

    /** The network output for pre-activation {@code z}: softmax probabilities, or {@code z} itself. */
    public INDArray output(INDArray z) {
        return this == SOFTMAX_CROSS_ENTROPY ? Transforms.softmax(z, true) : z.dup();
    }

    /**
     * Fraction of rows whose arg-max of {@code z} equals the arg-max of the labels; for one-hot labels, the
     * classification accuracy.
     */
    public static double accuracy(INDArray z, INDArray labels) {
        INDArray predicted = Nd4j.argMax(z, 1);
        INDArray truth = Nd4j.argMax(labels, 1);
        return predicted.eq(truth).castTo(z.dataType()).meanNumber().doubleValue();
    }

    /** Row-wise log-softmax, numerically stable. */
    static INDArray logSoftmax(INDArray z) {
        INDArray shifted = z.subColumnVector(z.max(1).reshape(z.rows(), 1));
        INDArray logSum = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(z.rows(), 1);
        return shifted.subiColumnVector(logSum);
    }
}
