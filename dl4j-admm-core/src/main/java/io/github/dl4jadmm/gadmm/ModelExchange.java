package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.Transfer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The only path between workers: a worker's model goes to its chain neighbours through the {@link Channel} (encoded
 * to bytes, delivered, decoded, counted), and every worker reads its neighbours' models from it. Also keeps the
 * paper's bit count, each worker transmission counted once: {@code 32 d} for an exact model, the
 * {@link BroadcastDeltaCodec}'s count for a quantised one.
 */
final class ModelExchange {

    private final Channel channel;
    private final int workers;
    private final BroadcastDeltaCodec codec;
    private final int dimension;
    private final DataType type;
    private final AtomicLong paperBits = new AtomicLong();
    private final AtomicLong transmissions = new AtomicLong();
    private final LongAccumulator widestCode = new LongAccumulator(Math::max, 0);

    /**
     * @param codec the quantising codec the channel was built with, or null when models travel exactly
     */
    ModelExchange(Channel channel, int workers, BroadcastDeltaCodec codec, int dimension, DataType type) {
        this.channel = channel;
        this.workers = workers;
        this.codec = codec;
        this.dimension = dimension;
        this.type = type;
    }

    /**
     * The link carrying worker {@code from}'s model to its neighbour {@code to} (1-based): chain edge
     * {@code min(from, to)}, FORWARD when {@code to = from + 1}, BACKWARD when {@code to = from - 1}.
     */
    static Transfer link(int from, int to) {
        if (to == from + 1) {
            return Transfer.forward(from);
        }
        if (to == from - 1) {
            return Transfer.backward(to);
        }
        throw new IllegalArgumentException("workers " + from + " and " + to + " are not neighbours on the chain");
    }

    /**
     * Sends worker {@code worker}'s model to each of its neighbours (one message, quantised once) and returns the
     * worker's own {@code theta_hat}: exactly what the neighbours will decode.
     */
    double[] broadcast(int worker, double[] theta) {
        INDArray value = Vectors.toTensor(theta, type);
        INDArray own = null;
        if (worker > 1) {
            own = channel.send(link(worker, worker - 1), value);
        }
        if (worker < workers) {
            INDArray sent = channel.send(link(worker, worker + 1), value);
            own = own == null ? sent : own;
        }
        transmissions.incrementAndGet();
        if (codec == null) {
            paperBits.addAndGet(32L * dimension);
            widestCode.accumulate(32);
        } else {
            paperBits.addAndGet(codec.lastMessagePaperBits(worker));
            widestCode.accumulate(codec.lastMessageMaxBits(worker));
        }
        return Vectors.toDoubles(own);
    }

    /** Decodes the model worker {@code from} last sent to worker {@code to}. */
    double[] receive(int from, int to) {
        return Vectors.toDoubles(channel.receive(link(from, to)));
    }

    /** Paper bits of all transmissions so far, each worker transmission counted once. */
    long paperBitsSent() {
        return paperBits.get();
    }

    /** Number of worker transmissions so far (one per worker and phase). */
    long transmissions() {
        return transmissions.get();
    }

    /** The widest code width used since the last call (32 for exact models), and resets it. */
    int takeWidestCode() {
        return (int) widestCode.getThenReset();
    }

    Channel channel() {
        return channel;
    }
}
