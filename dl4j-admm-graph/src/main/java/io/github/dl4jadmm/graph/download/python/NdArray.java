package io.github.dl4jadmm.graph.download.python;

import io.github.dl4jadmm.graph.GraphDataException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy array read from an upstream file: a pickled {@code numpy.ndarray} or a member of an {@code .npz} archive.
 * Unlike the project's strict {@link io.github.dl4jadmm.graph.io.NpyArray}, it reads any of the element types the
 * original data sets happen to use ({@link DType}), either byte order, and Fortran order. Elements are addressed by
 * their position in C (row-major) order whatever the storage order.
 */
public final class NdArray {

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final DType dtype;
    private final long[] shape;
    private final boolean fortranOrder;
    private final ByteBuffer data;
    private final List<Object> objects;
    private final long size;

    private NdArray(DType dtype, long[] shape, boolean fortranOrder, ByteBuffer data, List<Object> objects) {
        this.dtype = dtype;
        this.shape = shape;
        this.fortranOrder = fortranOrder;
        this.data = data == null ? null : data.order(dtype.order());
        this.objects = objects;
        this.size = elements(shape);
    }

    /**
     * An array over raw element bytes.
     *
     * @throws IllegalArgumentException if the byte count does not match the shape and type
     */
    public static NdArray ofBytes(DType dtype, long[] shape, boolean fortranOrder, byte[] bytes) {
        if (dtype.isObject()) {
            throw new IllegalArgumentException("an object array holds Python objects, not raw bytes");
        }
        long expected = elements(shape) * dtype.itemSize();
        if (bytes.length != expected) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " bytes, but " + bytes.length + " are stored");
        }
        return new NdArray(dtype, shape.clone(), fortranOrder, ByteBuffer.wrap(bytes), null);
    }

    /**
     * An object array over a list of Python values.
     *
     * @throws IllegalArgumentException if the list length does not match the shape
     */
    public static NdArray ofObjects(DType dtype, long[] shape, boolean fortranOrder, List<Object> values) {
        if (values.size() != elements(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + elements(shape)
                    + " objects, but " + values.size() + " are stored");
        }
        return new NdArray(dtype, shape.clone(), fortranOrder, null, List.copyOf(values));
    }

    /**
     * Parses a whole {@code .npy} file (format 1.0 to 3.0).
     *
     * @param source the file or archive member, for messages
     * @throws GraphDataException naming {@code source} if it is not an {@code .npy} file of a readable type
     */
    public static NdArray parseNpy(Path source, byte[] bytes) throws GraphDataException {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, NPY_MAGIC.length), NPY_MAGIC)) {
            throw corrupt(source, "it does not start with the .npy magic \\x93NUMPY");
        }
        int major = bytes[6];
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort(8));
            headerStart = 10;
        } else if ((major == 2 || major == 3) && bytes.length >= 12) {
            headerLength = Integer.toUnsignedLong(buffer.getInt(8));
            headerStart = 12;
        } else {
            throw corrupt(source, "unsupported .npy format version " + major + "." + bytes[7]);
        }
        if (headerStart + headerLength > bytes.length) {
            throw corrupt(source, "the header runs past the end of the file");
        }
        String header = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DType dtype;
        try {
            dtype = DType.parse(field(source, header, DESCR, "descr"), (char) 0);
        } catch (IllegalArgumentException e) {
            throw corrupt(source, e.getMessage());
        }
        if (dtype.isObject()) {
            throw corrupt(source, "it holds Python objects (a pickle), which are not read");
        }
        boolean fortran = field(source, header, FORTRAN, "fortran_order").equals("True");
        long[] shape = parseShape(source, field(source, header, SHAPE, "shape"));
        int dataStart = headerStart + (int) headerLength;
        long expected = elements(shape) * dtype.itemSize();
        if (bytes.length - dataStart < expected) {
            throw corrupt(source, "it is truncated: shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " data bytes, but only " + (bytes.length - dataStart) + " follow the header");
        }
        byte[] payload = Arrays.copyOfRange(bytes, dataStart, dataStart + (int) expected);
        return new NdArray(dtype, shape, fortran, ByteBuffer.wrap(payload), null);
    }

    private static String field(Path source, String header, Pattern pattern, String name) throws GraphDataException {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw corrupt(source, "its header has no readable '" + name + "' entry: " + header.trim());
        }
        return matcher.group(1);
    }

    private static long[] parseShape(Path source, String text) throws GraphDataException {
        String[] parts = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].endsWith("L") ? parts[i].substring(0, parts[i].length() - 1) : parts[i];
            try {
                shape[i] = Long.parseLong(part);
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw corrupt(source, "its shape (" + text + ") is not a tuple of non-negative integers");
            }
        }
        return shape;
    }

    private static GraphDataException corrupt(Path source, String problem) {
        return new GraphDataException(source, "corrupt NumPy array " + source + ": " + problem);
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Element type. */
    public DType dtype() {
        return dtype;
    }

    /** Shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Storage position of the element at C-order position {@code index}. */
    private long storagePosition(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("element " + index + " of an array of " + size);
        }
        if (!fortranOrder || shape.length < 2) {
            return index;
        }
        long remaining = index;
        long position = 0;
        long stride = 1;
        long[] multi = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            multi[d] = remaining % shape[d];
            remaining /= shape[d];
        }
        for (int d = 0; d < shape.length; d++) {
            position += multi[d] * stride;
            stride *= shape[d];
        }
        return position;
    }

    /**
     * The element at C-order position {@code index} as a {@code long} (bool and integer types).
     *
     * @throws IllegalStateException for float and object arrays
     */
    public long getLong(long index) {
        int at = Math.toIntExact(storagePosition(index) * dtype.itemSize());
        return switch (dtype.kind()) {
            case 'b' -> data.get(at) != 0 ? 1 : 0;
            case 'i' -> switch (dtype.itemSize()) {
                case 1 -> data.get(at);
                case 2 -> data.getShort(at);
                case 4 -> data.getInt(at);
                default -> data.getLong(at);
            };
            case 'u' -> switch (dtype.itemSize()) {
                case 1 -> Byte.toUnsignedLong(data.get(at));
                case 2 -> Short.toUnsignedLong(data.getShort(at));
                case 4 -> Integer.toUnsignedLong(data.getInt(at));
                default -> {
                    long value = data.getLong(at);
                    if (value < 0) {
                        throw new ArithmeticException("uint64 value " + Long.toUnsignedString(value)
                                + " does not fit in a long");
                    }
                    yield value;
                }
            };
            default -> throw new IllegalStateException("a " + dtype + " array holds no integers");
        };
    }

    /**
     * The element at C-order position {@code index} as a {@code double} (any numeric type).
     *
     * @throws IllegalStateException for object arrays
     */
    public double getDouble(long index) {
        if (dtype.kind() == 'f') {
            int at = Math.toIntExact(storagePosition(index) * dtype.itemSize());
            return dtype.itemSize() == 4 ? data.getFloat(at) : data.getDouble(at);
        }
        if (dtype.isObject()) {
            throw new IllegalStateException("an object array holds no numbers");
        }
        return getLong(index);
    }

    /**
     * The element at C-order position {@code index} of an object array.
     *
     * @throws IllegalStateException for numeric arrays
     */
    public Object getObject(long index) {
        if (objects == null) {
            throw new IllegalStateException("a " + dtype + " array holds numbers, not objects");
        }
        return objects.get(Math.toIntExact(storagePosition(index)));
    }

    /**
     * All elements as {@code int}s, checking that each is an integer that fits (float arrays must hold whole
     * numbers).
     *
     * @throws ArithmeticException naming the first element that is not such a number
     */
    public int[] toIntArray() {
        int[] values = new int[Math.toIntExact(size)];
        boolean floats = dtype.kind() == 'f';
        for (int i = 0; i < values.length; i++) {
            if (floats) {
                double value = getDouble(i);
                if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
                    throw new ArithmeticException("element " + i + " is " + value + ", not an int");
                }
                values[i] = (int) value;
            } else {
                long value = getLong(i);
                if (value != (int) value) {
                    throw new ArithmeticException("element " + i + " is " + value + ", which does not fit in an int");
                }
                values[i] = (int) value;
            }
        }
        return values;
    }

    /** All elements as {@code double}s. */
    public double[] toDoubleArray() {
        double[] values = new double[Math.toIntExact(size)];
        for (int i = 0; i < values.length; i++) {
            values[i] = getDouble(i);
        }
        return values;
    }

    @Override
    public String toString() {
        return "ndarray(" + dtype + ", shape=" + Arrays.toString(shape) + (fortranOrder ? ", fortran" : "") + ")";
    }
}
