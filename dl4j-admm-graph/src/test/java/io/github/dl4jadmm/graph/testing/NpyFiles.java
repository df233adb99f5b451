package io.github.dl4jadmm.graph.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Writes NumPy .npy files (format 1.0, little-endian, C order) by hand, for tests. */
public final class NpyFiles {

    private NpyFiles() {
    }

    /** Writes an int32 array of the given shape. */
    public static void writeInts(Path file, int[] values, long... shape) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asIntBuffer().put(values);
        write(file, "<i4", shape.length == 0 ? new long[] {values.length} : shape, data.array());
    }

    /** Writes a float32 array of the given shape. */
    public static void writeFloats(Path file, float[] values, long... shape) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        write(file, "<f4", shape.length == 0 ? new long[] {values.length} : shape, data.array());
    }

    /** Writes header + raw data: magic, version 1.0, uint16 header length, dict padded to a multiple of 64. */
    public static void write(Path file, String descr, long[] shape, byte[] data) throws IOException {
        Files.write(file, bytes(descr, shape, data));
    }

    /** An {@code .npy} file (format 1.0) as bytes: header padded to a multiple of 64, then {@code data}. */
    public static byte[] bytes(String descr, long[] shape, byte[] data) {
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + shapeText + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(10 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) headerBytes.length).put(headerBytes).put(data);
        return out.array();
    }

    /** Hex sha256 of a file. */
    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
