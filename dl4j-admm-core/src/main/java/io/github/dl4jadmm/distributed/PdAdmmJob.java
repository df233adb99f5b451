package io.github.dl4jadmm.distributed;

import io.github.dl4jadmm.pdadmm.HiddenActivation;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything a rank of a distributed pdADMM-G run needs, identical on every rank: the network, the configuration,
 * the training data and the initial weights. It travels as bytes ({@link #toBytes()}, e.g. inside a Spark closure or
 * a file handed to {@code dl4j-admm worker}), and its {@link #fingerprint()} lets the ranks check that they were
 * all given the same job before the first iteration.
 *
 * @param architecture the network
 * @param config       the run's configuration
 * @param features     training inputs {@code X}, {@code N x n_0}
 * @param labels       training targets {@code Y}, {@code N x n_L}
 * @param weights      initial {@code W_1 .. W_L}
 * @param biases       initial {@code b_1 .. b_L}
 */
public record PdAdmmJob(MlpArchitecture architecture, PdAdmmConfig config, INDArray features, INDArray labels,
                        List<INDArray> weights, List<INDArray> biases) {

    private static final int FORMAT = 1;

    public PdAdmmJob {
        if (architecture == null || config == null || features == null || labels == null || weights == null
                || biases == null) {
            throw new IllegalArgumentException("architecture, config, features, labels, weights and biases must not "
                    + "be null");
        }
        if (weights.size() != architecture.layers() || biases.size() != architecture.layers()) {
            throw new IllegalArgumentException("the job needs the initial weights and biases of all "
                    + architecture.layers() + " layers, got " + weights.size() + " and " + biases.size());
        }
        weights = List.copyOf(weights);
        biases = List.copyOf(biases);
    }

    /** The job as bytes (format 1: configuration JSON, architecture, then the arrays in ND4J's binary format). */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(config.toJson());
            int[] widths = architecture.widths();
            out.writeInt(widths.length);
            for (int w : widths) {
                out.writeInt(w);
            }
            out.writeUTF(architecture.activation().kind().name());
            out.writeDouble(architecture.activation().alpha());
            out.writeUTF(architecture.risk().name());
            Nd4j.write(features, out);
            Nd4j.write(labels, out);
            for (INDArray w : weights) {
                Nd4j.write(w, out);
            }
            for (INDArray b : biases) {
                Nd4j.write(b, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialise the pdADMM-G job", e);
        }
        return bytes.toByteArray();
    }

    /** Reads a job written by {@link #toBytes()}. */
    public static PdAdmmJob fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("not a pdADMM-G job of format " + FORMAT + " (read " + format + ")");
            }
            PdAdmmConfig config = PdAdmmConfig.fromJson(in.readUTF());
            int[] widths = new int[in.readInt()];
            for (int i = 0; i < widths.length; i++) {
                widths[i] = in.readInt();
            }
            HiddenActivation activation = new HiddenActivation(HiddenActivation.Kind.valueOf(in.readUTF()),
                    in.readDouble());
            MlpArchitecture architecture = new MlpArchitecture(widths, activation, OutputRisk.valueOf(in.readUTF()));
            INDArray features = Nd4j.read(in);
            INDArray labels = Nd4j.read(in);
            List<INDArray> weights = new ArrayList<>();
            List<INDArray> biases = new ArrayList<>();
            for (int l = 0; l < architecture.layers(); l++) {
                weights.add(Nd4j.read(in));
            }
            for (int l = 0; l < architecture.layers(); l++) {
                biases.add(Nd4j.read(in));
            }
            return new PdAdmmJob(architecture, config, features, labels, weights, biases);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the pdADMM-G job (truncated or not a job file)", e);
        }
    }

    /** SHA-256 of {@link #toBytes()}, in hex: equal on every rank that was given the same job. */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(toBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
