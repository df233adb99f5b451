package io.github.dl4jadmm.comm;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder and the decoder of every link of a {@link Channel}, each made by the codec on first use, and the state
 * that stateful ones carry from message to message (delta coding's reconstructions and random generators), by link
 * end, for checkpoints. Thread-safe.
 */
public final class LinkCodecs {

    private static final Pattern KEY = Pattern.compile("(forward|backward)-(\\d+)\\.(encoder|decoder)");

    private final TensorCodec codec;
    private final Map<Transfer, TensorEncoder> encoders = new ConcurrentHashMap<>();
    private final Map<Transfer, TensorDecoder> decoders = new ConcurrentHashMap<>();
    /** The last array decoded on each link, which the next message on it is decoded into. */
    private final Map<Transfer, INDArray> received = new ConcurrentHashMap<>();

    /** The link ends of a channel whose links all use {@code codec}. */
    public LinkCodecs(TensorCodec codec) {
        if (codec == null) {
            throw new IllegalArgumentException("codec must not be null (use RawTensorCodec.INSTANCE for lossless float "
                    + "transfers)");
        }
        this.codec = codec;
    }

    public TensorCodec codec() {
        return codec;
    }

    /** The sending end of {@code link}. */
    public TensorEncoder encoder(Transfer link) {
        return encoders.computeIfAbsent(link, codec::newEncoder);
    }

    /** The receiving end of {@code link}. */
    public TensorDecoder decoder(Transfer link) {
        return decoders.computeIfAbsent(link, codec::newDecoder);
    }

    /**
     * Decodes {@code message}, received on {@code link}, into the array this method returned for the link's previous
     * message where the codec can ({@link TensorDecoder#decode(ByteBuffer, INDArray)}), so that a channel allocates
     * no N-row array per message; this is what {@link Channel#receive} promises its callers.
     */
    public INDArray decode(Transfer link, ByteBuffer message) {
        INDArray value = decoder(link).decode(message, received.get(link));
        received.put(link, value);
        return value;
    }

    /**
     * The state of every link end that carries one, keyed {@code forward-2.encoder}, {@code backward-3.decoder}, ...
     * (in key order); empty for stateless codecs.
     */
    public Map<String, byte[]> states() {
        Map<String, byte[]> states = new TreeMap<>();
        encoders.forEach((link, encoder) -> put(states, key(link, "encoder"), encoder.state()));
        decoders.forEach((link, decoder) -> put(states, key(link, "decoder"), decoder.state()));
        return states;
    }

    /**
     * Puts back {@link #states()} of a channel with the same codec: the named link ends continue from there.
     *
     * @throws IllegalArgumentException if a key names no link end, or a state is not one of this codec's
     */
    public void restore(Map<String, byte[]> states) {
        for (Map.Entry<String, byte[]> e : states.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + e.getKey() + "' names no link end (expected e.g. "
                        + "forward-2.encoder or backward-3.decoder)");
            }
            int boundary = Integer.parseInt(m.group(2));
            Transfer link = m.group(1).equals("forward") ? Transfer.forward(boundary) : Transfer.backward(boundary);
            if (m.group(3).equals("encoder")) {
                encoder(link).restoreState(e.getValue());
            } else {
                decoder(link).restoreState(e.getValue());
            }
        }
    }

    private static String key(Transfer link, String end) {
        return link.direction().name().toLowerCase(Locale.ROOT) + "-" + link.boundary() + "." + end;
    }

    private static void put(Map<String, byte[]> states, String key, byte[] state) {
        if (state.length > 0) {
            states.put(key, state);
        }
    }
}
