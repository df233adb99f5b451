package io.github.dl4jadmm.gadmm;

import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.TensorDecoder;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.comm.WireHeader;
import io.github.dl4jadmm.quant.BitPacker;
import io.github.dl4jadmm.quant.StochasticQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The wire format of Q-GADMM models (algorithms.md §3.2): worker {@code n} quantises {@code theta_n - theta_hat_n}
 * <b>once</b> per message with the {@link StochasticQuantizer} (one random draw per element), sets
 * {@code theta_hat_n += Delta * code - R}, and the same bytes go to both of its neighbours, whose decoders apply the
 * same codes to their copies of {@code theta_hat_n}. So worker {@code n} and both neighbours hold one identical
 * {@code theta_hat_n}, bit for bit. (Per-link delta coding, {@link io.github.dl4jadmm.quant.DeltaCodec}, would draw
 * independently on the two links and give the neighbours different models.)
 *
 * <p><b>Links.</b> Chain edge {@code n} (between workers {@code n} and {@code n+1}) is boundary {@code n} of a
 * {@link Transfer}: {@code FORWARD} carries worker {@code n}'s model to {@code n+1}, {@code BACKWARD} worker
 * {@code n+1}'s to {@code n}. Every encoder of a sender's links shares one worker encoder. A message is encoded on
 * the first send and then served once to each link of the sender; the next send after every link got it starts a
 * new message. Sending a different model before every neighbour got the current one is an error.
 *
 * <p><b>Segments.</b> The model is cut into segments (a network's parameter tensors; one segment for a convex
 * model), each with its own range {@code R} and, under {@link BitWidthRule#NON_INCREASING_STEP}, its own width.
 *
 * <p><b>Message layout</b> (little-endian), after the common {@link WireHeader} with kind
 * {@link WireHeader#KIND_SEGMENTED_DELTA} and shape {@code [d]}:
 *
 * <pre>
 *   element width   1 byte (4 = float32, 8 = float64: the type theta_hat is rounded to on both ends)
 *   segment count   uint16
 *   per segment     bits (1 byte, 1..16) | R (float32; 0 = "unchanged", then no codes follow)
 *                   | codes: ceil(length * bits / 8) bytes, {@link BitPacker} order
 * </pre>
 *
 * <p><b>Accounting.</b> A channel counts the bytes of every delivery, so a worker with two neighbours is counted
 * twice per message (point-to-point links). {@link #paperBitsSent()} counts each message once, as the paper does for
 * a broadcast: per segment {@code b * length + 32} ({@code 32} when {@code R = 0}), plus 8 bits per segment for the
 * width under the adaptive rule.
 *
 * <p>Reproducible: worker {@code n} draws from generators seeded with {@link #workerSeed}{@code (seed, n)} (one per
 * bit width). Worker encoders are thread-safe across workers; each one is used by its own worker only.
 */
public final class BroadcastDeltaCodec implements TensorCodec {

    /** Bytes before the segments: element width and segment count. */
    static final int MESSAGE_HEADER_BYTES = 1 + 2;
    /** Bytes of a segment before its codes: bits and range. */
    static final int SEGMENT_HEADER_BYTES = 1 + 4;

    private final int workers;
    private final int[] segments;
    private final int dimension;
    private final double[] initialModel;
    private final DataType type;
    private final int bits;
    private final BitWidthRule rule;
    private final long seed;
    private final Map<Integer, WorkerEncoder> workerEncoders = new ConcurrentHashMap<>();
    private final AtomicLong paperBits = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();

    /**
     * @param workers      number of workers on the chain, at least 2
     * @param segments     segment lengths in flat order (each at least 1)
     * @param initialModel the model every {@code theta_hat} starts from (known to all workers)
     * @param type         FLOAT or DOUBLE: the type {@code theta_hat} is rounded to
     * @param bits         code width (the first message's width under the adaptive rule), 1..16
     * @param rule         fixed or non-increasing-step widths
     * @param seed         base seed of the stochastic rounding
     */
    public BroadcastDeltaCodec(int workers, int[] segments, double[] initialModel, DataType type, int bits,
                               BitWidthRule rule, long seed) {
        if (workers < 2) {
            throw new IllegalArgumentException("a chain needs at least 2 workers, got " + workers);
        }
        if (segments == null || segments.length == 0 || segments.length > 0xFFFF) {
            throw new IllegalArgumentException("need 1..65535 segments, got "
                    + (segments == null ? "null" : segments.length));
        }
        int total = 0;
        for (int s : segments) {
            if (s < 1) {
                throw new IllegalArgumentException("every segment needs at least one element, got "
                        + Arrays.toString(segments));
            }
            total = Math.addExact(total, s);
        }
        if (initialModel == null || initialModel.length != total) {
            throw new IllegalArgumentException("initial model has " + (initialModel == null ? 0 : initialModel.length)
                    + " elements but the segments sum to " + total);
        }
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("models travel as FLOAT or DOUBLE, got " + type);
        }
        if (bits < BitPacker.MIN_BITS || bits > BitPacker.MAX_BITS) {
            throw new IllegalArgumentException("bits must be in 1..16, got " + bits);
        }
        if (rule == null) {
            throw new IllegalArgumentException("bit width rule must not be null");
        }
        this.workers = workers;
        this.segments = segments.clone();
        this.dimension = total;
        this.initialModel = Vectors.roundTo(type, initialModel.clone());
        this.type = type;
        this.bits = bits;
        this.rule = rule;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "broadcast-delta-" + bits + "bit" + (rule == BitWidthRule.FIXED ? "" : "-adaptive");
    }

    @Override
    public TensorEncoder newEncoder(Transfer link) {
        checkLink(link);
        WorkerEncoder encoder = workerEncoders.computeIfAbsent(link.sender(), WorkerEncoder::new);
        return value -> encoder.encode(link, value);
    }

    @Override
    public TensorDecoder newDecoder(Transfer link) {
        checkLink(link);
        return new Decoder(link);
    }

    /** The seed of worker {@code n}'s stochastic rounding: a SplitMix64 mix of the base seed and {@code n}. */
    public static long workerSeed(long seed, int worker) {
        return StochasticQuantizer.mix64(seed ^ StochasticQuantizer.mix64(worker + 0x9E3779B97F4A7C15L));
    }

    /** Bits of all messages so far as the paper counts them, each message once (a broadcast). */
    public long paperBitsSent() {
        return paperBits.get();
    }

    /** Number of messages encoded so far (one per worker transmission, however many neighbours got it). */
    public long messagesEncoded() {
        return messages.get();
    }

    /** Paper bits of worker {@code n}'s last message (0 before its first). */
    public long lastMessagePaperBits(int worker) {
        WorkerEncoder e = workerEncoders.get(worker);
        return e == null ? 0 : e.lastPaperBits;
    }

    /** Widest code of worker {@code n}'s last message (0 before its first or if every range was 0). */
    public int lastMessageMaxBits(int worker) {
        WorkerEncoder e = workerEncoders.get(worker);
        return e == null ? 0 : e.lastMaxBits;
    }

    /** Number of parameters {@code d}. */
    public int dimension() {
        return dimension;
    }

    /** Exact size of a message in which every segment has a non-zero range and {@code bits}-bit codes. */
    public static int messageBytes(int[] segments, int bits) {
        int bytes = new WireHeader(WireHeader.KIND_SEGMENTED_DELTA, new long[]{Arrays.stream(segments).sum()})
                .sizeInBytes() + MESSAGE_HEADER_BYTES;
        for (int s : segments) {
            bytes += SEGMENT_HEADER_BYTES + BitPacker.packedBytes(s, bits);
        }
        return bytes;
    }

    private void checkLink(Transfer link) {
        if (link.boundary() >= workers) {
            throw new IllegalArgumentException("link " + link + " joins workers " + link.boundary() + " and "
                    + (link.boundary() + 1) + " but the chain has " + workers + " workers");
        }
    }

    private Set<Transfer> linksOf(int worker) {
        Set<Transfer> links = new LinkedHashSet<>();
        if (worker > 1) {
            links.add(Transfer.backward(worker - 1));
        }
        if (worker < workers) {
            links.add(Transfer.forward(worker));
        }
        return links;
    }

    /** One worker's sending side: its {@code theta_hat}, generators, adaptive steps and the message in flight. */
    private final class WorkerEncoder {
        private final int worker;
        private final double[] reconstruction = initialModel.clone();
        private final double[] previousStep = new double[segments.length];
        private final Map<Integer, StochasticQuantizer> quantizers = new HashMap<>();
        private final Set<Transfer> unserved = new LinkedHashSet<>();
        private double[] current;
        private INDArray currentReconstruction;
        private ByteBuffer message;
        private long lastPaperBits;
        private int lastMaxBits;

        WorkerEncoder(int worker) {
            this.worker = worker;
            Arrays.fill(previousStep, Double.NaN);
        }

        synchronized EncodedTensor encode(Transfer link, INDArray value) {
            if (value.dataType() != type) {
                throw new IllegalArgumentException("worker " + worker + " sent a " + value.dataType()
                        + " model; this codec carries " + type);
            }
            double[] data = Vectors.toDoubles(value);
            if (data.length != dimension) {
                throw new IllegalArgumentException("worker " + worker + " sent a model of " + data.length
                        + " parameters; this codec carries " + dimension);
            }
            if (unserved.isEmpty()) {
                message = encodeNew(data);
                current = data;
                currentReconstruction = Vectors.toTensor(reconstruction, type);
                unserved.addAll(linksOf(worker));
            } else if (!Arrays.equals(data, current)) {
                throw new IllegalStateException("worker " + worker + " sent a new model on " + link + " before "
                        + unserved + " received its previous one; Q-GADMM quantises once per worker and iteration "
                        + "and every neighbour must get the same message");
            }
            if (!unserved.remove(link)) {
                throw new IllegalStateException("worker " + worker + " sent the same message twice on " + link
                        + " while " + unserved + " still wait for it");
            }
            // every link of the message returns the same reconstruction tensor: callers copy it, never modify it
            return new EncodedTensor(message.duplicate(), currentReconstruction);
        }

        private ByteBuffer encodeNew(double[] data) {
            StochasticQuantizer.Quantized[] quantized = new StochasticQuantizer.Quantized[segments.length];
            int payload = MESSAGE_HEADER_BYTES;
            long paper = 0;
            int maxBits = 0;
            int offset = 0;
            for (int s = 0; s < segments.length; s++) {
                int length = segments[s];
                double[] delta = new double[length];
                for (int i = 0; i < length; i++) {
                    delta[i] = data[offset + i] - reconstruction[offset + i];
                }
                int width = widthFor(s, delta);
                StochasticQuantizer.Quantized q = quantizers
                        .computeIfAbsent(width, w -> new StochasticQuantizer(w, StochasticQuantizer.mix64(workerSeed(seed, worker) + w)))
                        .quantize(delta);
                quantized[s] = q;
                payload += SEGMENT_HEADER_BYTES + (q.isZero() ? 0 : BitPacker.packedBytes(length, width));
                paper += q.isZero() ? 32 : StochasticQuantizer.messageBits(length, width);
                if (rule != BitWidthRule.FIXED) {
                    paper += 8;
                }
                if (!q.isZero()) {
                    maxBits = Math.max(maxBits, width);
                    previousStep[s] = q.step();
                    apply(q, reconstruction, offset, length, type);
                }
                offset += length;
            }
            ByteBuffer buf = new WireHeader(WireHeader.KIND_SEGMENTED_DELTA, new long[]{dimension})
                    .allocateWithPayload(payload);
            buf.put(widthByte(type)).putShort((short) segments.length);
            for (int s = 0; s < segments.length; s++) {
                StochasticQuantizer.Quantized q = quantized[s];
                buf.put((byte) q.bits()).putFloat(q.range());
                if (!q.isZero()) {
                    BitPacker.pack(q.codes(), segments[s], q.bits(), buf);
                }
            }
            buf.flip();
            lastPaperBits = paper;
            lastMaxBits = maxBits;
            paperBits.addAndGet(paper);
            messages.incrementAndGet();
            return buf.asReadOnlyBuffer();
        }

        /** The width of segment {@code s} under the rule (algorithms.md §3.2, {@link BitWidthRule}). */
        private int widthFor(int s, double[] delta) {
            if (rule == BitWidthRule.FIXED || Double.isNaN(previousStep[s])) {
                return bits;
            }
            double range = 0;
            for (double v : delta) {
                range = Math.max(range, Math.abs(v));
            }
            for (int b = BitPacker.MIN_BITS; b < BitPacker.MAX_BITS; b++) {
                if (2 * range / ((1 << b) - 1) <= previousStep[s]) {
                    return b;
                }
            }
            return BitPacker.MAX_BITS;
        }
    }

    /** One link's receiving side: the receiver's copy of the sender's {@code theta_hat}. */
    private final class Decoder implements TensorDecoder {
        private final Transfer link;
        private final double[] reconstruction = initialModel.clone();

        Decoder(Transfer link) {
            this.link = link;
        }

        @Override
        public INDArray decode(ByteBuffer message) {
            ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            WireHeader header = WireHeader.read(in);
            if (header.kind() != WireHeader.KIND_SEGMENTED_DELTA) {
                throw new IllegalArgumentException("link " + link + " expects a Q-GADMM model message (kind "
                        + WireHeader.KIND_SEGMENTED_DELTA + "), got kind " + header.kind());
            }
            if (header.length() != dimension || in.remaining() < MESSAGE_HEADER_BYTES) {
                throw new IllegalArgumentException("link " + link + " expects a model of " + dimension
                        + " parameters, the message carries " + header.length());
            }
            byte width = in.get();
            int count = Short.toUnsignedInt(in.getShort());
            if (width != widthByte(type) || count != segments.length) {
                throw new IllegalArgumentException("link " + link + " expects " + segments.length + " segments of "
                        + type + ", the message has " + count + " segments of element width " + width);
            }
            int offset = 0;
            for (int s = 0; s < segments.length; s++) {
                int length = segments[s];
                if (in.remaining() < SEGMENT_HEADER_BYTES) {
                    throw new IllegalArgumentException("truncated model message on " + link + " at segment " + s);
                }
                int codeBits = in.get();
                float range = in.getFloat();
                if (codeBits < BitPacker.MIN_BITS || codeBits > BitPacker.MAX_BITS || !(range >= 0)) {
                    throw new IllegalArgumentException("segment " + s + " on " + link + " has " + codeBits
                            + " bits and range " + range);
                }
                if (range != 0) {
                    int[] codes = new int[length];
                    BitPacker.unpack(in, length, codeBits, codes);
                    apply(new StochasticQuantizer.Quantized(codeBits, range, codes), reconstruction, offset, length,
                            type);
                }
                offset += length;
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("model message on " + link + " has " + in.remaining()
                        + " trailing bytes");
            }
            return Vectors.toTensor(reconstruction, type);
        }
    }

    /**
     * {@code theta_hat[offset .. offset+length) += Delta * code - R}, rounded to {@code type}: the same arithmetic on
     * the sender and on every receiver.
     */
    private static void apply(StochasticQuantizer.Quantized q, double[] theta, int offset, int length, DataType type) {
        double[] segment = Arrays.copyOfRange(theta, offset, offset + length);
        q.addTo(segment);
        Vectors.roundTo(type, segment);
        System.arraycopy(segment, 0, theta, offset, length);
    }

    private static byte widthByte(DataType type) {
        return (byte) (type == DataType.FLOAT ? 4 : 8);
    }
}
