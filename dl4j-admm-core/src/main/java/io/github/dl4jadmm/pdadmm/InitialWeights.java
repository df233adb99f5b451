package io.github.dl4jadmm.pdadmm;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded starting weights for an {@link MlpArchitecture}: Xavier normal ({@code N(0, 2 / (nIn + nOut))}, as
 * DL4J's {@code WeightInit.XAVIER}) and zero biases, in float64 (the engine casts to its own type).
 *
 * @param weights {@code W_1 .. W_L}, each {@code [n_{l-1}, n_l]}
 * @param biases  {@code b_1 .. b_L}, each {@code [1, n_l]}
 */
public record InitialWeights(List<INDArray> weights, List<INDArray> biases) {

    /** Xavier-normal weights and zero biases drawn from {@code new Random(seed)}. */
    public static InitialWeights xavier(MlpArchitecture architecture, long seed) {
        List<INDArray> w = new ArrayList<>();
        List<INDArray> b = new ArrayList<>();
        Random random = new Random(seed);
        for (int l = 1; l <= architecture.layers(); l++) {
            int nIn = architecture.inputsOf(l);
            int nOut = architecture.outputsOf(l);
            double std = Math.sqrt(2.0 / (nIn + nOut));
            double[] values = new double[nIn * nOut];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextGaussian() * std;
            }
            w.add(Nd4j.create(values, new long[]{nIn, nOut}, DataType.DOUBLE));
            b.add(Nd4j.zeros(DataType.DOUBLE, 1, nOut));
        }
        return new InitialWeights(List.copyOf(w), List.copyOf(b));
    }
}
