package io.github.dl4jadmm.graph.download.python;

import java.nio.ByteOrder;

/**
 * A NumPy element type as far as the downloader needs it: a kind ({@code b} bool, {@code i} signed integer,
 * {@code u} unsigned integer, {@code f} float, {@code O} Python object), a size in bytes and a byte order.
 *
 * @param kind     {@code 'b'}, {@code 'i'}, {@code 'u'}, {@code 'f'} or {@code 'O'}
 * @param itemSize bytes per element (for objects, the pointer size of the writing machine, unused)
 * @param order    byte order of the stored data
 */
public record DType(char kind, int itemSize, ByteOrder order) {

    /**
     * Parses a type string: an optional byte-order character ({@code <}, {@code >}, {@code |}, {@code =}) then a
     * kind and a size, as in an {@code .npy} header ({@code "<f4"}, {@code "|b1"}) or in the arguments of a pickled
     * {@code numpy.dtype} ({@code "f8"}, {@code "O8"}).
     *
     * @param text      the type string
     * @param orderChar the byte order from elsewhere (a pickled dtype's state), or 0 to take it from {@code text}
     * @throws IllegalArgumentException for types the downloader does not read (strings, complex, records, half)
     */
    public static DType parse(String text, char orderChar) {
        String rest = text;
        char order = orderChar;
        if (!rest.isEmpty() && "<>|=".indexOf(rest.charAt(0)) >= 0) {
            if (order == 0) {
                order = rest.charAt(0);
            }
            rest = rest.substring(1);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("empty NumPy type string '" + text + "'");
        }
        char kind = rest.charAt(0);
        int size;
        try {
            size = rest.length() == 1 ? 0 : Integer.parseInt(rest.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsupported NumPy type '" + text + "'");
        }
        ByteOrder byteOrder = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        boolean supported = switch (kind) {
            case 'b' -> size == 1;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 4 || size == 8;
            case 'O' -> true;
            default -> false;
        };
        if (!supported) {
            throw new IllegalArgumentException("unsupported NumPy type '" + text + "': only bool, integers, float32,"
                    + " float64 and objects are read");
        }
        return new DType(kind, size, byteOrder);
    }

    /** Whether elements are Python objects (stored as a list in a pickle, never as raw bytes). */
    public boolean isObject() {
        return kind == 'O';
    }

    @Override
    public String toString() {
        return (order == ByteOrder.BIG_ENDIAN ? ">" : "<") + kind + (isObject() ? "" : Integer.toString(itemSize));
    }
}
