package io.github.dl4jadmm.distributed;

import io.github.dl4jadmm.comm.RawTensorCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Collectives over a chain of ranks where each rank talks only to its neighbours {@code rank-1} and {@code rank+1}:
 * an all-gather relays the values up the chain to the last rank and the complete list back down, {@code 2(n-1)}
 * messages in all. Used once per run, to agree on configurations and on the checkpoint to resume from, and once per
 * iteration where every rank needs the whole network's metrics (the residual-balancing schedule, a residual
 * tolerance); a {@link #forwardPass} relays activations down the chain when the ranks need the training loss (the
 * STALL_X10 schedule).
 */
public final class ChainCollective {

    static final int GATHER_TAG = -1;
    static final int BROADCAST_TAG = -2;
    static final int FORWARD_TAG = -3;

    private ChainCollective() {
    }

    /** The chain neighbours of {@code rank} among {@code size} ranks: {@code rank - 1} and {@code rank + 1}, in order. */
    public static Set<Integer> neighbours(int rank, int size) {
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank must be in 0.." + (size - 1) + ", got " + rank);
        }
        Set<Integer> peers = new TreeSet<>();
        if (rank > 0) {
            peers.add(rank - 1);
        }
        if (rank < size - 1) {
            peers.add(rank + 1);
        }
        return peers;
    }

    /**
     * Every rank's {@code value}, indexed by rank; every rank must call it with the same timeout.
     *
     * @throws TransportTimeoutException if a neighbour did not answer in time
     */
    public static List<String> allGather(MessageTransport transport, String value, Duration timeout) {
        return allGather(transport, value, ChainCollective::encode, ChainCollective::decode, timeout);
    }

    /**
     * Every rank's {@code values}, indexed by rank, each double as its 64 bits (so every rank sees exactly the same
     * numbers); every rank must call it with the same timeout.
     *
     * @throws TransportTimeoutException if a neighbour did not answer in time
     */
    public static List<double[]> allGather(MessageTransport transport, double[] values, Duration timeout) {
        return allGather(transport, values, ChainCollective::encodeDoubles, ChainCollective::decodeDoubles, timeout);
    }

    /**
     * A forward pass down the chain: rank 0 applies {@code ownLayers} to {@code null} (its own input), every later
     * rank to what the rank before it sent (raw, lossless, under a reserved tag), and the last rank applies
     * {@code result} to its output; that result then reaches every rank through an all-gather. {@code n-1} tensor
     * messages and {@code 2(n-1)} small ones.
     *
     * @return the last rank's {@code result}, on every rank
     * @throws TransportTimeoutException if a neighbour did not answer in time
     */
    public static double[] forwardPass(MessageTransport transport, UnaryOperator<INDArray> ownLayers,
                                       Function<INDArray, double[]> result, Duration timeout) {
        int rank = transport.rank();
        int size = transport.size();
        INDArray input = rank == 0 ? null
                : RawTensorCodec.INSTANCE.decode(transport.receive(rank - 1, FORWARD_TAG, timeout));
        INDArray output = ownLayers.apply(input);
        double[] mine = new double[0];
        if (rank < size - 1) {
            transport.send(rank + 1, FORWARD_TAG, RawTensorCodec.INSTANCE.encode(output).message());
        } else {
            mine = result.apply(output);
        }
        return allGather(transport, mine, timeout).get(size - 1);
    }

    private static <T> List<T> allGather(MessageTransport transport, T value, Function<List<T>, ByteBuffer> encoder,
                                         Function<ByteBuffer, List<T>> decoder, Duration timeout) {
        int rank = transport.rank();
        int size = transport.size();
        if (size == 1) {
            return List.of(value);
        }
        List<T> gathered = new ArrayList<>();
        if (rank > 0) {
            gathered.addAll(decoder.apply(transport.receive(rank - 1, GATHER_TAG, timeout)));
        }
        gathered.add(value);
        if (rank < size - 1) {
            transport.send(rank + 1, GATHER_TAG, encoder.apply(gathered));
            gathered = decoder.apply(transport.receive(rank + 1, BROADCAST_TAG, timeout));
        }
        if (rank > 0) {
            transport.send(rank - 1, BROADCAST_TAG, encoder.apply(gathered));
        }
        if (gathered.size() != size) {
            throw new TransportException("rank " + rank + " gathered " + gathered.size() + " values from a chain of "
                    + size + " ranks");
        }
        return List.copyOf(gathered);
    }

    static ByteBuffer encodeDoubles(List<double[]> values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + values.stream().mapToInt(v -> 4 + 8 * v.length).sum());
        buffer.putInt(values.size());
        for (double[] v : values) {
            buffer.putInt(v.length);
            for (double d : v) {
                buffer.putDouble(d);
            }
        }
        return buffer.flip();
    }

    static List<double[]> decodeDoubles(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        int count = b.getInt();
        List<double[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double[] v = new double[b.getInt()];
            for (int j = 0; j < v.length; j++) {
                v[j] = b.getDouble();
            }
            values.add(v);
        }
        return values;
    }

    static ByteBuffer encode(List<String> values) {
        List<byte[]> encoded = values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
        ByteBuffer buffer = ByteBuffer.allocate(4 + encoded.stream().mapToInt(b -> 4 + b.length).sum());
        buffer.putInt(encoded.size());
        for (byte[] b : encoded) {
            buffer.putInt(b.length).put(b);
        }
        return buffer.flip();
    }

    static List<String> decode(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        int count = b.getInt();
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[b.getInt()];
            b.get(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return values;
    }
}
