package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.GraphDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NumPy {@code .npy} array read into memory: its element type, shape and raw little-endian data.
 *
 * <p>Reads format versions 1.0 to 3.0 (magic {@code \x93NUMPY}, two version bytes, a little-endian header length of
 * 2 bytes in version 1 or 4 bytes in versions 2 and 3, an ASCII Python-dict header, then the data), C order (or
 * Fortran order for arrays of at most one dimension, where the two agree), little-endian {@code int32},
 * {@code int64}, {@code float32} and {@code float64}. Anything else is refused with a message naming the file.
 */
public final class NpyArray {

    /** Element types this reader understands. */
    public enum Type {
        /** {@code <i4} */
        INT32(4),
        /** {@code <i8} */
        INT64(8),
        /** {@code <f4} */
        FLOAT32(4),
        /** {@code <f8} */
        FLOAT64(8);

        private final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }

        /** Size of one element in bytes. */
        public int bytes() {
            return bytes;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final Path file;
    private final Type type;
    private final long[] shape;
    private final ByteBuffer data;

    private NpyArray(Path file, Type type, long[] shape, ByteBuffer data) {
        this.file = file;
        this.type = type;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Reads a whole {@code .npy} file.
     *
     * @throws GraphDataException if the file is missing, unreadable, not a {@code .npy} file, of an unsupported
     *                            type or layout, or shorter than its header says (the message names the file)
     */
    public static NpyArray read(Path file) throws GraphDataException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GraphDataException(file, "missing file " + file + ": it does not exist", e);
        } catch (IOException e) {
            throw new GraphDataException(file, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    static NpyArray parse(Path file, byte[] bytes) throws GraphDataException {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw corrupt(file, "it does not start with the .npy magic \\x93NUMPY (" + bytes.length + " bytes)");
        }
        int major = bytes[6];
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw corrupt(file, "the header is truncated");
            }
            headerLength = Integer.toUnsignedLong(buffer.getInt(8));
            headerStart = 12;
        } else {
            throw corrupt(file, "unsupported .npy format version " + major + "." + bytes[7]);
        }
        if (headerStart + headerLength > bytes.length) {
            throw corrupt(file, "the header says it is " + headerLength + " bytes long, but the file ends after "
                    + (bytes.length - headerStart));
        }
        String header = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Type type = parseType(file, field(file, header, DESCR, "descr"));
        long[] shape = parseShape(file, field(file, header, SHAPE, "shape"));
        if (field(file, header, FORTRAN, "fortran_order").equals("True") && shape.length > 1) {
            throw corrupt(file, "it is stored in Fortran order; save it in C order (numpy.ascontiguousarray)");
        }
        long elements = 1;
        for (long dimension : shape) {
            elements = Math.multiplyExact(elements, dimension);
        }
        long dataStart = headerStart + headerLength;
        long expected = elements * type.bytes();
        long available = bytes.length - dataStart;
        if (available < expected) {
            throw corrupt(file, "it is truncated: shape " + Arrays.toString(shape) + " of " + type + " needs "
                    + expected + " data bytes, but only " + available + " follow the header");
        }
        if (expected > Integer.MAX_VALUE) {
            throw corrupt(file, "it holds " + elements + " elements, more than this reader supports");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) expected).slice()
                .order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new NpyArray(file, type, shape, data);
    }

    private static String field(Path file, String header, Pattern pattern, String name) throws GraphDataException {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw corrupt(file, "its header has no readable '" + name + "' entry: " + header.trim());
        }
        return matcher.group(1);
    }

    private static Type parseType(Path file, String descr) throws GraphDataException {
        return switch (descr) {
            case "<i4" -> Type.INT32;
            case "<i8" -> Type.INT64;
            case "<f4" -> Type.FLOAT32;
            case "<f8" -> Type.FLOAT64;
            default -> throw corrupt(file, "its element type '" + descr + "' is not supported; use little-endian"
                    + " int32, int64, float32 or float64 (<i4, <i8, <f4, <f8)");
        };
    }

    private static long[] parseShape(Path file, String text) throws GraphDataException {
        String[] parts = text.split(",");
        long[] shape = new long[parts.length];
        int dimensions = 0;
        for (String part : parts) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                shape[dimensions] = Long.parseLong(trimmed.endsWith("L") ? trimmed.substring(0, trimmed.length() - 1)
                        : trimmed);
            } catch (NumberFormatException e) {
                throw corrupt(file, "its shape (" + text + ") is not a tuple of integers");
            }
            if (shape[dimensions] < 0) {
                throw corrupt(file, "its shape (" + text + ") has a negative dimension");
            }
            dimensions++;
        }
        return Arrays.copyOf(shape, dimensions);
    }

    private static GraphDataException corrupt(Path file, String problem) {
        return new GraphDataException(file, "corrupt .npy file " + file + ": " + problem);
    }

    /** The file the array was read from. */
    public Path file() {
        return file;
    }

    /** Element type. */
    public Type type() {
        return type;
    }

    /** Shape (a copy); empty for a scalar. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return data.capacity() / type.bytes();
    }

    /**
     * Checks the number of dimensions.
     *
     * @throws GraphDataException naming the file when the array has another rank
     */
    public NpyArray requireRank(int rank) throws GraphDataException {
        if (shape.length != rank) {
            throw new GraphDataException(file, file + " has shape " + Arrays.toString(shape) + ", expected " + rank
                    + " dimension(s)");
        }
        return this;
    }

    /**
     * The elements as {@code int}s (integer types only).
     *
     * @throws GraphDataException naming the file if the type is a float type or an int64 value does not fit
     */
    public int[] ints() throws GraphDataException {
        int n = (int) size();
        int[] values = new int[n];
        switch (type) {
            case INT32 -> data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(values);
            case INT64 -> {
                ByteBuffer view = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    long value = view.getLong(i * 8);
                    if (value != (int) value) {
                        throw new GraphDataException(file, file + " holds the int64 value " + value + " at position "
                                + i + ", which does not fit in an int");
                    }
                    values[i] = (int) value;
                }
            }
            default -> throw new GraphDataException(file, file + " holds " + type + " values, expected integers"
                    + " (int32 or int64)");
        }
        return values;
    }

    /** The elements as {@code float}s (any supported type; float64 and int64 are rounded). */
    public float[] floats() {
        int n = (int) size();
        float[] values = new float[n];
        ByteBuffer view = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> view.asFloatBuffer().get(values);
            case FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = (float) view.getDouble(i * 8);
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = view.getInt(i * 4);
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = view.getLong(i * 8);
                }
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return "NpyArray[" + file.getFileName() + ", " + type + " " + Arrays.toString(shape) + "]";
    }
}
