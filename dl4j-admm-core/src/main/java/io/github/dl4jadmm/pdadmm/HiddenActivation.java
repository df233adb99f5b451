package io.github.dl4jadmm.pdadmm;

import java.util.Locale;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The activation {@code f} of the hidden layers, restricted to those whose z-subproblem has a closed form or a
 * cheap safeguarded 1-D solve: ReLU, leaky ReLU, identity, tanh and sigmoid (algorithms.md §1.1, step 4).
 *
 * @param kind  which function
 * @param alpha negative slope of leaky ReLU (0 for the others)
 */
public record HiddenActivation(Kind kind, double alpha) {

    /** The supported functions. */
    public enum Kind { RELU, LEAKY_RELU, IDENTITY, TANH, SIGMOID }

    public HiddenActivation {
        if (kind == null) {
            throw new IllegalArgumentException("activation kind must not be null");
        }
        if (kind == Kind.LEAKY_RELU && !(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("leaky ReLU needs a negative slope alpha in (0, 1), got " + alpha);
        }
        if (kind != Kind.LEAKY_RELU) {
            alpha = 0;
        }
    }

    public static HiddenActivation relu() {
        return new HiddenActivation(Kind.RELU, 0);
    }

    public static HiddenActivation leakyRelu(double alpha) {
        return new HiddenActivation(Kind.LEAKY_RELU, alpha);
    }

    public static HiddenActivation identity() {
        return new HiddenActivation(Kind.IDENTITY, 0);
    }

    public static HiddenActivation tanh() {
        return new HiddenActivation(Kind.TANH, 0);
    }

    public static HiddenActivation sigmoid() {
        return new HiddenActivation(Kind.SIGMOID, 0);
    }

    /**
     * Maps a DL4J activation enum value.
     *
     * @throws IllegalArgumentException naming the activation if it is not supported
     */
    public static HiddenActivation from(Activation activation) {
        return from(activation.getActivationFunction());
    }

    /**
     * Maps a DL4J activation function object (as found in a layer configuration).
     *
     * @throws IllegalArgumentException naming the activation if it is not supported
     */
    public static HiddenActivation from(IActivation fn) {
        if (fn instanceof ActivationReLU r) {
            boolean plain = r.getMax() == null && r.getThreshold() == null && r.getNegativeSlope() == null;
            if (!plain) {
                throw unsupported(fn + " (ReLU with max, threshold or negative slope set)");
            }
            return relu();
        }
        if (fn instanceof ActivationLReLU l) {
            return leakyRelu(l.getAlpha());
        }
        if (fn instanceof ActivationIdentity) {
            return identity();
        }
        if (fn instanceof ActivationTanH) {
            return tanh();
        }
        if (fn instanceof ActivationSigmoid) {
            return sigmoid();
        }
        throw unsupported(String.valueOf(fn));
    }

    /**
     * Parses a name as used on the command line: {@code relu}, {@code leakyrelu}, {@code identity}, {@code tanh},
     * {@code sigmoid}.
     */
    public static HiddenActivation parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")) {
            case "relu" -> relu();
            case "leakyrelu", "lrelu" -> leakyRelu(0.01);
            case "identity", "linear" -> identity();
            case "tanh" -> tanh();
            case "sigmoid" -> sigmoid();
            default -> throw unsupported(name);
        };
    }

    private static IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException("activation " + what + " is not supported by pdADMM-G hidden layers; "
                + "use RELU, LEAKYRELU, IDENTITY, TANH or SIGMOID");
    }

    /** The equivalent DL4J activation function object. */
    public IActivation toDl4j() {
        return switch (kind) {
            case RELU -> new ActivationReLU();
            case LEAKY_RELU -> new ActivationLReLU(alpha);
            case IDENTITY -> new ActivationIdentity();
            case TANH -> new ActivationTanH();
            case SIGMOID -> new ActivationSigmoid();
        };
    }

    /** {@code f(z)} as a new array; {@code z} is not modified. */
    public INDArray apply(INDArray z) {
        return switch (kind) {
            case RELU -> Transforms.relu(z, true);
            case LEAKY_RELU -> Transforms.leakyRelu(z, alpha, true);
            case IDENTITY -> z.dup();
            case TANH -> Transforms.tanh(z, true);
            case SIGMOID -> Transforms.sigmoid(z, true);
        };
    }

    /** {@code f(z)} written into {@code out} (same shape as {@code z}); returns {@code out}. */
    public INDArray applyInto(INDArray z, INDArray out) {
        out.assign(z);
        return switch (kind) {
            case RELU -> Transforms.relu(out, false);
            case LEAKY_RELU -> Transforms.leakyRelu(out, alpha, false);
            case IDENTITY -> out;
            case TANH -> Transforms.tanh(out, false);
            case SIGMOID -> Transforms.sigmoid(out, false);
        };
    }

    /** Scalar {@code f(z)}. */
    public double value(double z) {
        return switch (kind) {
            case RELU -> Math.max(z, 0);
            case LEAKY_RELU -> z >= 0 ? z : alpha * z;
            case IDENTITY -> z;
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }

    /** Scalar {@code f'(z)} (for ReLU-like functions, the right derivative at 0). */
    double derivative(double z) {
        return switch (kind) {
            case RELU -> z >= 0 ? 1 : 0;
            case LEAKY_RELU -> z >= 0 ? 1 : alpha;
            case IDENTITY -> 1;
            case TANH -> {
                double t = Math.tanh(z);
                yield 1 - t * t;
            }
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-z));
                yield s * (1 - s);
            }
        };
    }

    /** Scalar {@code f''(z)} (0 for the piecewise-linear functions). */
    double secondDerivative(double z) {
        return switch (kind) {
            case RELU, LEAKY_RELU, IDENTITY -> 0;
            case TANH -> {
                double t = Math.tanh(z);
                yield -2 * t * (1 - t * t);
            }
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-z));
                yield s * (1 - s) * (1 - 2 * s);
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU ? "LEAKYRELU(" + alpha + ")" : kind.name();
    }
}
