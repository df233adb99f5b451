package io.github.dl4jadmm.quant;

import io.github.dl4jadmm.comm.EncodedTensor;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.TensorDecoder;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.comm.WireHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sends a tensor as bit-packed indices into a {@link QuantizationGrid} (pdADMM-G-Q, algorithms.md §2):
 * {@code ceil(log2 |grid|)} bits per element plus a small header. The reconstruction is the grid values, so both
 * ends hold {@code Proj_grid(value)}.
 *
 * <p>Values that are not on the grid are <b>projected</b> onto it first (nearest level, ties to the larger one,
 * out-of-range values clamp; see {@link QuantizationGrid}). When the engine has already projected {@code p} onto
 * the same grid this is exact; otherwise it is the quantisation. NaN is refused.
 *
 * <p>Message layout (little-endian), after the common {@link WireHeader} with kind {@link WireHeader#KIND_GRID}:
 *
 * <pre>
 *   element width (1 byte: 4 = float32, 8 = float64; the type the receiver reconstructs)
 *   grid kind     (1 byte: 1 = UNIFORM, 2 = INTEGER, 3 = EXPLICIT)
 *   grid          UNIFORM: bits (1) | min (float64) | max (float64)      17 bytes
 *                 INTEGER: from (int32) | to (int32)                       8 bytes
 *                 EXPLICIT: size (int32) | fingerprint (int64)            12 bytes
 *   indices       ceil(n * bitsPerIndex / 8) bytes, {@link BitPacker} order, C order of elements
 * </pre>
 *
 * UNIFORM and INTEGER headers describe the grid completely, so any decoder reads them. An EXPLICIT grid is only
 * named by its fingerprint: the decoder must hold the same grid, or decoding fails with "unknown grid".
 *
 * <p>Three ways to choose the grid of a link: {@link #fixed} (one grid everywhere), {@link #perLink} (the engine's
 * grid per boundary, e.g. the grids it projects {@code p_l} onto), and {@link #adaptive} (a uniform grid over
 * each message's own {@code [min, max]}, widened by a margin). Stateless per message; encoders and decoders only
 * cache the last grid they read.
 */
public final class GridCodec implements TensorCodec {

    static final byte GRID_UNIFORM = 1;
    static final byte GRID_INTEGER = 2;
    static final byte GRID_EXPLICIT = 3;

    private final String name;
    /** Grid of each link, or {@code null} for an adaptive codec. */
    private final Function<Transfer, QuantizationGrid> grids;
    private final int adaptiveBits;
    private final double adaptiveMargin;
    /** Told the grid of every decoded message, or {@code null}. */
    private final BiConsumer<Transfer, QuantizationGrid> onDecoded;

    private GridCodec(String name, Function<Transfer, QuantizationGrid> grids, int adaptiveBits, double adaptiveMargin,
                      BiConsumer<Transfer, QuantizationGrid> onDecoded) {
        this.name = name;
        this.grids = grids;
        this.adaptiveBits = adaptiveBits;
        this.adaptiveMargin = adaptiveMargin;
        this.onDecoded = onDecoded;
    }

    /** Every link sends indices into {@code grid}. */
    public static GridCodec fixed(QuantizationGrid grid) {
        if (grid == null) {
            throw new IllegalArgumentException("grid must not be null");
        }
        return new GridCodec("grid-" + describe(grid), link -> grid, 0, 0, null);
    }

    /**
     * Each link uses the grid {@code grids} returns for it; asked again on every message, so the engine may swap a
     * boundary's grid between iterations (both ends must then agree on EXPLICIT grids).
     */
    public static GridCodec perLink(Function<Transfer, QuantizationGrid> grids) {
        return perLink(grids, null);
    }

    /**
     * As {@link #perLink(Function)}, and tells {@code onDecoded} the grid of every message a decoder reads. A decoder
     * whose link has no grid yet ({@code grids} returns {@code null}) still reads UNIFORM and INTEGER messages, which
     * describe their grid: this is how a receiver in another process learns a boundary's grid from the first
     * message sent on it.
     */
    public static GridCodec perLink(Function<Transfer, QuantizationGrid> grids,
                                    BiConsumer<Transfer, QuantizationGrid> onDecoded) {
        if (grids == null) {
            throw new IllegalArgumentException("grid function must not be null");
        }
        return new GridCodec("grid-per-link", grids, 0, 0, onDecoded);
    }

    /**
     * Each message uses {@link QuantizationGrid#uniformFromStatistics}{@code (value, bits, margin)}: {@code 2^bits}
     * levels over its own range. Exact for the extremes; no grid has to be agreed in advance.
     */
    public static GridCodec adaptive(int bits, double margin) {
        BitPacker.checkBits(bits);
        if (!(margin >= 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("margin must be a finite fraction >= 0, got " + margin);
        }
        return new GridCodec("grid-adaptive-" + bits + "bit", null, bits, margin, null);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TensorEncoder newEncoder(Transfer link) {
        return value -> {
            QuantizationGrid grid = grids == null
                    ? QuantizationGrid.uniformFromStatistics(value, adaptiveBits, adaptiveMargin)
                    : requireGrid(link);
            return encode(value, grid);
        };
    }

    @Override
    public TensorDecoder newDecoder(Transfer link) {
        return new TensorDecoder() {
            private QuantizationGrid lastGrid;

            @Override
            public INDArray decode(ByteBuffer message) {
                // an EXPLICIT grid must be known; UNIFORM and INTEGER messages carry theirs
                QuantizationGrid known = grids == null ? null : grids.apply(link);
                Decoded decoded = decodeMessage(message, known, lastGrid);
                lastGrid = decoded.grid();
                if (onDecoded != null) {
                    onDecoded.accept(link, decoded.grid());
                }
                return decoded.toTensor();
            }
        };
    }

    private QuantizationGrid requireGrid(Transfer link) {
        QuantizationGrid grid = grids.apply(link);
        if (grid == null) {
            throw new IllegalStateException("no quantisation grid for link " + link);
        }
        return grid;
    }

    /**
     * Encodes {@code value} as indices into {@code grid} (projecting values that are off the grid).
     *
     * @return the message and the reconstruction {@code grid.project(value)}
     * @throws IllegalArgumentException on NaN, a type other than FLOAT/DOUBLE, or an empty tensor
     */
    public static EncodedTensor encode(INDArray value, QuantizationGrid grid) {
        double[] data = TensorData.read(value, "grid-coded tensor");
        int[] indices = grid.indicesOf(data);
        ByteBuffer message = encodeIndices(indices, value.shape(), width(value.dataType()), grid);
        return new EncodedTensor(message, grid.valuesAt(indices, value.shape(), value.dataType()));
    }

    /**
     * Decodes a grid message. {@code knownGrid} is the grid an EXPLICIT message must match (may be {@code null}
     * when only UNIFORM and INTEGER messages are expected).
     *
     * @throws IllegalArgumentException if the message is malformed or names a grid the decoder does not know
     */
    public static INDArray decode(ByteBuffer message, QuantizationGrid knownGrid) {
        return decodeMessage(message, knownGrid, null).toTensor();
    }

    /**
     * Exact size of a message of {@code shape} on a uniform grid of {@code 2^bits} levels:
     * common header + 2 + 17 + {@code ceil(n * bits / 8)}.
     */
    public static int expectedMessageBytes(long[] shape, int bits) {
        return new WireHeader(WireHeader.KIND_GRID, shape).sizeInBytes() + 2 + 17
                + BitPacker.packedBytes(TensorData.length(shape), bits);
    }

    /** Exact size of a message of {@code shape} on {@code grid}. */
    public static int expectedMessageBytes(long[] shape, QuantizationGrid grid) {
        return new WireHeader(WireHeader.KIND_GRID, shape).sizeInBytes() + 2 + gridBytes(grid)
                + BitPacker.packedBytes(TensorData.length(shape), grid.bitsPerIndex());
    }

    static ByteBuffer encodeIndices(int[] indices, long[] shape, byte width, QuantizationGrid grid) {
        WireHeader header = new WireHeader(WireHeader.KIND_GRID, shape);
        int bits = grid.bitsPerIndex();
        ByteBuffer buf = header.allocateWithPayload(2 + gridBytes(grid) + BitPacker.packedBytes(indices.length, bits));
        buf.put(width);
        writeGrid(buf, grid);
        BitPacker.pack(indices, indices.length, bits, buf);
        buf.flip();
        return buf;
    }

    /** A decoded grid message: shape, element width and the indices into {@code grid}. */
    record Decoded(long[] shape, byte width, QuantizationGrid grid, int[] indices) {

        INDArray toTensor() {
            return grid.valuesAt(indices, shape, width == 4 ? DataType.FLOAT : DataType.DOUBLE);
        }

        double[] values() {
            double[] out = new double[indices.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = grid.value(indices[i]);
            }
            return out;
        }
    }

    static Decoded decodeMessage(ByteBuffer message, QuantizationGrid knownGrid, QuantizationGrid cached) {
        ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        WireHeader header = WireHeader.read(in);
        if (header.kind() != WireHeader.KIND_GRID) {
            throw new IllegalArgumentException("grid codec cannot decode a message of kind " + header.kind()
                    + " (expected " + WireHeader.KIND_GRID + ")");
        }
        if (in.remaining() < 2) {
            throw new IllegalArgumentException("truncated grid message: element width and grid kind missing");
        }
        byte width = in.get();
        if (width != 4 && width != 8) {
            throw new IllegalArgumentException("grid message has element width " + width + ", expected 4 or 8");
        }
        QuantizationGrid grid = readGrid(in, knownGrid, cached);
        long n = header.length();
        int expected = BitPacker.packedBytes(n, grid.bitsPerIndex());
        if (in.remaining() != expected) {
            throw new IllegalArgumentException((in.remaining() < expected ? "truncated" : "oversized")
                    + " grid message: " + in.remaining() + " payload bytes, expected " + expected + " for "
                    + n + " indices of " + grid.bitsPerIndex() + " bits, shape " + Arrays.toString(header.shape()));
        }
        int[] indices = new int[(int) n];
        BitPacker.unpack(in, (int) n, grid.bitsPerIndex(), indices);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] >= grid.size()) {
                throw new IllegalArgumentException("corrupt grid message: index " + indices[i] + " at position " + i
                        + " but the grid has " + grid.size() + " levels");
            }
        }
        return new Decoded(header.shape(), width, grid, indices);
    }

    static byte width(DataType type) {
        TensorData.requireFloatingType(type, "grid-coded tensor");
        return (byte) (type == DataType.FLOAT ? 4 : 8);
    }

    static int gridBytes(QuantizationGrid grid) {
        return switch (grid.kind()) {
            case UNIFORM -> 17;
            case INTEGER -> 8;
            case EXPLICIT -> 12;
        };
    }

    private static void writeGrid(ByteBuffer buf, QuantizationGrid grid) {
        switch (grid.kind()) {
            case UNIFORM -> buf.put(GRID_UNIFORM).put((byte) grid.bitsPerIndex()).putDouble(grid.min()).putDouble(grid.max());
            case INTEGER -> buf.put(GRID_INTEGER).putInt((int) grid.min()).putInt((int) grid.max());
            case EXPLICIT -> buf.put(GRID_EXPLICIT).putInt(grid.size()).putLong(grid.fingerprint());
            default -> throw new IllegalStateException("unhandled grid kind " + grid.kind());
        }
    }

    private static QuantizationGrid readGrid(ByteBuffer in, QuantizationGrid known, QuantizationGrid cached) {
        byte kind = in.get();
        int need = switch (kind) {
            case GRID_UNIFORM -> 17;
            case GRID_INTEGER -> 8;
            case GRID_EXPLICIT -> 12;
            default -> throw new IllegalArgumentException("unknown grid kind " + kind
                    + " in grid message (expected 1 = UNIFORM, 2 = INTEGER, 3 = EXPLICIT)");
        };
        if (in.remaining() < need) {
            throw new IllegalArgumentException("truncated grid message: grid description needs " + need
                    + " bytes, only " + in.remaining() + " left");
        }
        switch (kind) {
            case GRID_UNIFORM -> {
                int bits = in.get();
                double min = in.getDouble();
                double max = in.getDouble();
                if (cached != null && cached.kind() == QuantizationGrid.Kind.UNIFORM && cached.bitsPerIndex() == bits
                        && cached.min() == min && cached.max() == max) {
                    return cached;
                }
                try {
                    return QuantizationGrid.uniform(bits, min, max);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("corrupt uniform grid in grid message: " + e.getMessage(), e);
                }
            }
            case GRID_INTEGER -> {
                int from = in.getInt();
                int to = in.getInt();
                if (cached != null && cached.kind() == QuantizationGrid.Kind.INTEGER && cached.min() == from
                        && cached.max() == to) {
                    return cached;
                }
                try {
                    return QuantizationGrid.integers(from, to);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("corrupt integer grid in grid message: " + e.getMessage(), e);
                }
            }
            default -> {
                int size = in.getInt();
                long fingerprint = in.getLong();
                if (known == null || known.kind() != QuantizationGrid.Kind.EXPLICIT || known.size() != size
                        || known.fingerprint() != fingerprint) {
                    throw new IllegalArgumentException(String.format("unknown grid: the message uses an explicit grid of"
                            + " %d levels with fingerprint %016x, but this decoder holds %s", size, fingerprint,
                            known == null ? "no explicit grid" : known + String.format(" (fingerprint %016x)",
                                    known.fingerprint())));
                }
                return known;
            }
        }
    }

    private static String describe(QuantizationGrid grid) {
        return switch (grid.kind()) {
            case UNIFORM -> "uniform-" + grid.bitsPerIndex() + "bit";
            case INTEGER -> "integer";
            case EXPLICIT -> "explicit-" + grid.size();
        };
    }
}
