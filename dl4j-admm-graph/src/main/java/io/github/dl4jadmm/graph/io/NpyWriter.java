package io.github.dl4jadmm.graph.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes {@code int32} and {@code float32} arrays as NumPy {@code .npy} files, byte for byte as
 * {@code numpy.save} (NumPy 1.24 and later) writes them: format 1.0, little-endian, C order, the header dict in
 * sorted key order, the spare space NumPy leaves for growing the first axis, and the header padded with spaces to a
 * multiple of 64 bytes. Files written here therefore have the same sha256 as the same arrays saved from Python,
 * which is what lets converted downloads be checked against the checksums listed in the data READMEs.
 */
public final class NpyWriter {

    /** NumPy's {@code GROWTH_AXIS_MAX_DIGITS}: room left in the header to rewrite the first dimension in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int ARRAY_ALIGN = 64;
    /** Magic (6) + version (2) + header length (2) of format 1.0. */
    private static final int PREAMBLE = 10;

    private NpyWriter() {
    }

    /**
     * Writes an {@code int32} array.
     *
     * @param file   the file to write (replaced if it exists)
     * @param values the elements in C order
     * @param shape  the shape; none means a one-dimensional array of {@code values.length}
     * @throws IllegalArgumentException if the shape does not hold {@code values.length} elements
     */
    public static void writeInt32(Path file, int[] values, long... shape) throws IOException {
        long[] dims = shapeOf(values.length, shape);
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(4, values.length)).order(ByteOrder.LITTLE_ENDIAN);
        data.asIntBuffer().put(values);
        write(file, "<i4", dims, data.array());
    }

    /**
     * Writes a {@code float32} array.
     *
     * @param file   the file to write (replaced if it exists)
     * @param values the elements in C order
     * @param shape  the shape; none means a one-dimensional array of {@code values.length}
     * @throws IllegalArgumentException if the shape does not hold {@code values.length} elements
     */
    public static void writeFloat32(Path file, float[] values, long... shape) throws IOException {
        long[] dims = shapeOf(values.length, shape);
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(4, values.length)).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        write(file, "<f4", dims, data.array());
    }

    /**
     * Opens an {@code int32} ({@code dtype="<i4"}) or {@code float32} ({@code "<f4"}) array of a known shape for writing
     * element by element, so that an array too large to hold twice in memory (the edge list of a generated graph
     * with millions of nodes) can be written as it is produced. The bytes are those of {@link #writeInt32} and
     * {@link #writeFloat32} for the same elements.
     *
     * @param file  the file to write (replaced if it exists)
     * @param descr {@code "<i4"} or {@code "<f4"}
     * @param shape the shape; {@link Streamed#close()} checks that exactly that many elements were written
     */
    public static Streamed open(Path file, String descr, long... shape) throws IOException {
        if (!descr.equals("<i4") && !descr.equals("<f4")) {
            throw new IllegalArgumentException("only <i4 and <f4 can be streamed, got " + descr);
        }
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, dimension);
        }
        return new Streamed(file, descr, shape.clone(), elements);
    }

    /** A {@code .npy} file being written element by element; see {@link NpyWriter#open}. */
    public static final class Streamed implements AutoCloseable {
        private final Path file;
        private final OutputStream out;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private final long expected;
        private long written;

        private Streamed(Path file, String descr, long[] shape, long expected) throws IOException {
            this.file = file;
            this.expected = expected;
            this.out = Files.newOutputStream(file);
            out.write(header(descr, shape));
        }

        /** Appends one {@code int32} element. */
        public void putInt(int value) throws IOException {
            room();
            buffer.putInt(value);
        }

        /** Appends one {@code float32} element. */
        public void putFloat(float value) throws IOException {
            room();
            buffer.putFloat(value);
        }

        private void room() throws IOException {
            if (written++ >= expected) {
                throw new IllegalStateException(file + ": more than the " + expected + " elements of its shape");
            }
            if (!buffer.hasRemaining()) {
                flush();
            }
        }

        private void flush() throws IOException {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }

        /**
         * Writes what is buffered and closes the file.
         *
         * @throws IllegalStateException if fewer elements were written than the shape holds
         */
        @Override
        public void close() throws IOException {
            try (out) {
                flush();
            }
            if (written != expected) {
                throw new IllegalStateException(file + ": " + written + " elements written but its shape holds "
                        + expected);
            }
        }
    }

    /** The header NumPy writes for an array of this dtype descriptor and shape, preamble included. */
    static byte[] header(String descr, long[] shape) {
        String shapeRepr = shape.length == 1 ? "(" + shape[0] + ",)"
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(shapeRepr).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int withNewline = dict.length() + 1;
        int padding = ARRAY_ALIGN - (PREAMBLE + withNewline) % ARRAY_ALIGN;
        dict.append(" ".repeat(padding)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException("npy header too long for format 1.0: " + text.length + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(PREAMBLE + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) text.length).put(text);
        return out.array();
    }

    private static void write(Path file, String descr, long[] shape, byte[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header(descr, shape));
            out.write(data);
        }
    }

    private static long[] shapeOf(int length, long[] shape) {
        if (shape.length == 0) {
            return new long[] {length};
        }
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, dimension);
        }
        if (elements != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements
                    + " elements, but " + length + " values were given");
        }
        return shape.clone();
    }
}
