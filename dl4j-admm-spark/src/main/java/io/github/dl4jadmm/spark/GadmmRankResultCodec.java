package io.github.dl4jadmm.spark;

import io.github.dl4jadmm.distributed.DistributedGadmm.RankResult;
import io.github.dl4jadmm.gadmm.GadmmIterationMetrics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A (Q-)GADMM rank's {@link RankResult} as the bytes a barrier task returns to the driver; every double travels as
 * its 64 bits, so the driver sees exactly the models the rank trained.
 */
final class GadmmRankResultCodec {

    /** "ga", format 2 (format 1 had no tag of its own). */
    private static final ResultFrame FRAME = new ResultFrame(0x67610002, "GADMM rank result");

    private GadmmRankResultCodec() {
    }

    static byte[] encode(RankResult result, int stageAttempt) {
        return FRAME.encode(stageAttempt, result.rank(), out -> {
            out.writeInt(result.rank());
            out.writeInt(result.firstWorker());
            out.writeInt(result.lastWorker());
            for (double[] model : result.models()) {
                out.writeInt(model.length);
                for (double v : model) {
                    out.writeDouble(v);
                }
            }
            out.writeInt(result.iterations());
            out.writeLong(result.paperBits());
            out.writeLong(result.bytesSent());
            out.writeLong(result.transportBytes());
            out.writeLong(result.wireBytes());
            out.writeDouble(result.seconds());
            out.writeInt(result.history().size());
            for (GadmmIterationMetrics m : result.history()) {
                out.writeInt(m.iteration());
                out.writeDouble(m.objective());
                out.writeDouble(m.consensusResidual());
                out.writeDouble(m.quantizationError());
                out.writeLong(m.paperBits());
                out.writeLong(m.paperBitsThisIteration());
                out.writeLong(m.wireBytes());
                out.writeLong(m.wireBytesThisIteration());
                out.writeInt(m.widestCode());
                out.writeDouble(m.seconds());
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
            List<double[]> models = new ArrayList<>();
            for (int n = first; n <= last; n++) {
                double[] model = new double[in.readInt()];
                for (int i = 0; i < model.length; i++) {
                    model[i] = in.readDouble();
                }
                models.add(model);
            }
            int iterations = in.readInt();
            long paperBits = in.readLong();
            long bytesSent = in.readLong();
            long transportBytes = in.readLong();
            long wireBytes = in.readLong();
            double seconds = in.readDouble();
            int count = in.readInt();
            List<GadmmIterationMetrics> history = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                history.add(new GadmmIterationMetrics(in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(),
                        in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readDouble()));
            }
            return new RankResult(rank, first, last, models, iterations, paperBits, bytesSent, transportBytes,
                    wireBytes, seconds, history);
        });
    }
}
