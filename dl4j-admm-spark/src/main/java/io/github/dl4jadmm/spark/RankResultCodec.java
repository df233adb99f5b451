package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.pdadmm.BlockPhase;
import io.github.dl4jadmm.pdadmm.IterationMetrics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A rank's {@link RankResult} as the bytes a barrier task returns to the driver (arrays in ND4J's binary format). */
final class RankResultCodec {

    /** "pd", format 2 (format 1 had no tag of its own). */
    private static final ResultFrame FRAME = new ResultFrame(0x70640002, "pdADMM-G rank result");

    private RankResultCodec() {
    }

    static byte[] encode(RankResult result, int stageAttempt) {
        return FRAME.encode(stageAttempt, result.rank(), out -> {
            out.writeInt(result.rank());
            out.writeInt(result.firstLayer());
            out.writeInt(result.lastLayer());
            for (int l = 0; l <= result.lastLayer() - result.firstLayer(); l++) {
                Nd4j.write(result.weights().get(l), out);
                Nd4j.write(result.biases().get(l), out);
            }
            out.writeInt(result.startIteration());
            out.writeInt(result.iterations());
            out.writeLong(result.bytesSent());
            out.writeLong(result.transportBytes());
            out.writeLong(result.wireBytes());
            out.writeDouble(result.seconds());
            out.writeInt(result.history().size());
            for (IterationMetrics m : result.history()) {
                write(m, out);
            }
        });
    }

    /** The stage attempt that produced {@code bytes}. */
    static int stageAttempt(byte[] bytes) {
        return FRAME.stageAttempt(bytes);
    }

    static RankResult decode(byte[] bytes) {
        return FRAME.decode(bytes, in -> {
            int rank = in.readInt();
            int first = in.readInt();
            int last = in.readInt();
            List<INDArray> weights = new ArrayList<>();
            List<INDArray> biases = new ArrayList<>();
            for (int l = first; l <= last; l++) {
                weights.add(Nd4j.read(in));
                biases.add(Nd4j.read(in));
            }
            int start = in.readInt();
            int iterations = in.readInt();
            long bytesSent = in.readLong();
            long transportBytes = in.readLong();
            long wireBytes = in.readLong();
            double seconds = in.readDouble();
            int count = in.readInt();
            List<IterationMetrics> history = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                history.add(read(in));
            }
            return new RankResult(rank, first, last, List.copyOf(weights), List.copyOf(biases), start, iterations,
                    bytesSent, transportBytes, wireBytes, seconds, List.copyOf(history));
        });
    }

    private static void write(IterationMetrics m, DataOutputStream out) throws IOException {
        out.writeInt(m.iteration());
        for (double v : new double[] {m.augmentedLagrangian(), m.objective(), m.risk(), m.residual(),
                m.dualResidual(), m.trainLoss(), m.trainAccuracy()}) {
            out.writeDouble(v);
        }
        out.writeLong(m.bytesSent());
        out.writeLong(m.bytesThisIteration());
        out.writeDouble(m.rho());
        out.writeDouble(m.nu());
        out.writeDouble(m.seconds());
        write(m.phaseSecondsMax(), out);
        write(m.phaseSecondsTotal(), out);
        out.writeInt(m.stepRejections());
    }

    private static void write(Map<BlockPhase, Double> phases, DataOutputStream out) throws IOException {
        out.writeInt(phases.size());
        for (Map.Entry<BlockPhase, Double> e : phases.entrySet()) {
            out.writeUTF(e.getKey().name());
            out.writeDouble(e.getValue());
        }
    }

    private static IterationMetrics read(DataInputStream in) throws IOException {
        int iteration = in.readInt();
        double[] d = new double[7];
        for (int i = 0; i < d.length; i++) {
            d[i] = in.readDouble();
        }
        long bytesSent = in.readLong();
        long bytesThisIteration = in.readLong();
        double rho = in.readDouble();
        double nu = in.readDouble();
        double seconds = in.readDouble();
        Map<BlockPhase, Double> max = readPhases(in);
        Map<BlockPhase, Double> total = readPhases(in);
        int stepRejections = in.readInt();
        return new IterationMetrics(iteration, d[0], d[1], d[2], d[3], d[4], d[5], d[6], bytesSent, bytesThisIteration,
                rho, nu, seconds, max, total, stepRejections);
    }

    private static Map<BlockPhase, Double> readPhases(DataInputStream in) throws IOException {
        Map<BlockPhase, Double> phases = new EnumMap<>(BlockPhase.class);
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            phases.put(BlockPhase.valueOf(in.readUTF()), in.readDouble());
        }
        return phases;
    }
}
