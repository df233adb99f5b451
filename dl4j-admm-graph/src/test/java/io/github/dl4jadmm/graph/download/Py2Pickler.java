package io.github.dl4jadmm.graph.download;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes pickles the way Python 2.7's {@code cPickle.dump(obj, f, 2)} writes the objects of the Planetoid files:
 * a {@code scipy.sparse.csr.csr_matrix} (NEWOBJ plus a BUILD of its attribute dict), NumPy arrays
 * ({@code numpy.core.multiarray._reconstruct} plus a BUILD of {@code (1, shape, dtype, False, data)} with the data
 * as a Python 2 {@code str}), a {@code collections.defaultdict(list)}, memoised globals re-used through BINGET.
 * Used to make upstream-format test files without Python 2.
 */
final class Py2Pickler {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memoisedGlobals = new HashMap<>();
    private int nextMemo;

    private Py2Pickler() {
        out.write(0x80);
        out.write(2);
    }

    /** A pickled {@code csr_matrix} with float32 data and int32 indices. */
    static byte[] csrMatrix(int rows, int columns, int[] indptr, int[] indices, float[] data) {
        Py2Pickler p = new Py2Pickler();
        p.global("scipy.sparse.csr", "csr_matrix");
        p.op(')');
        p.op(0x81); // NEWOBJ
        p.put();
        p.op('}');
        p.put();
        p.op('(');
        p.str("_shape");
        p.integer(rows);
        p.integer(columns);
        p.op(0x86);
        p.put();
        p.str("maxprint");
        p.integer(50);
        p.str("indices");
        p.array("i4", new long[] {indices.length}, ints(indices));
        p.str("indptr");
        p.array("i4", new long[] {indptr.length}, ints(indptr));
        p.str("format");
        p.str("csr");
        p.str("data");
        p.array("f4", new long[] {data.length}, floats(data));
        p.op('u');
        p.op('b');
        return p.finish();
    }

    /** A pickled 2-D NumPy array of one-hot rows, as int32 ({@code "i4"}) or float64 ({@code "f8"}). */
    static byte[] oneHot(int[] labels, int numClasses, String typestr) {
        boolean float64 = typestr.equals("f8");
        ByteBuffer data = ByteBuffer.allocate(labels.length * numClasses * (float64 ? 8 : 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int label : labels) {
            for (int c = 0; c < numClasses; c++) {
                if (float64) {
                    data.putDouble(c == label ? 1 : 0);
                } else {
                    data.putInt(c == label ? 1 : 0);
                }
            }
        }
        Py2Pickler p = new Py2Pickler();
        p.array(typestr, new long[] {labels.length, numClasses}, data.array());
        return p.finish();
    }

    /** A pickled {@code defaultdict(list)} of neighbour lists, in the given key order. */
    static byte[] defaultdictOfLists(Map<Integer, List<Integer>> lists) {
        Py2Pickler p = new Py2Pickler();
        p.global("collections", "defaultdict");
        p.global("__builtin__", "list");
        p.op(0x85);
        p.put();
        p.op('R');
        p.put();
        int inBatch = 0;
        for (Map.Entry<Integer, List<Integer>> entry : lists.entrySet()) {
            if (inBatch == 0) {
                p.op('(');
            }
            p.integer(entry.getKey());
            p.list(entry.getValue());
            if (++inBatch == 1000) {
                p.op('u');
                inBatch = 0;
            }
        }
        if (inBatch > 0) {
            p.op('u');
        }
        return p.finish();
    }

    private void list(List<Integer> values) {
        op(']');
        put();
        if (values.size() == 1) {
            integer(values.get(0));
            op('a');
            return;
        }
        for (int start = 0; start < values.size(); start += 1000) {
            op('(');
            for (int v : values.subList(start, Math.min(values.size(), start + 1000))) {
                integer(v);
            }
            op('e');
        }
    }

    private void array(String typestr, long[] shape, byte[] raw) {
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        integer(0);
        op(0x85);
        put();
        str("b");
        op(0x87);
        put();
        op('R');
        put();
        op('(');
        integer(1);
        for (long dimension : shape) {
            integer((int) dimension);
        }
        if (shape.length == 1) {
            op(0x85);
        } else if (shape.length == 2) {
            op(0x86);
        } else {
            throw new IllegalArgumentException("rank " + shape.length);
        }
        put();
        dtype(typestr);
        op(0x89); // False: C order
        str(raw);
        op('t');
        put();
        op('b');
    }

    private void dtype(String typestr) {
        global("numpy", "dtype");
        str(typestr);
        integer(0);
        integer(1);
        op(0x87);
        put();
        op('R');
        put();
        op('(');
        integer(3);
        str("<");
        op('N');
        op('N');
        op('N');
        integer(-1);
        integer(-1);
        integer(0);
        op('t');
        put();
        op('b');
    }

    private void global(String module, String name) {
        String key = module + "\n" + name;
        Integer memo = memoisedGlobals.get(key);
        if (memo != null) {
            if (memo < 256) {
                op('h');
                out.write(memo);
            } else {
                op('j');
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(memo).array());
            }
            return;
        }
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        memoisedGlobals.put(key, nextMemo);
        put();
    }

    private void integer(int value) {
        if (value >= 0 && value < 256) {
            op('K');
            out.write(value);
        } else if (value >= 0 && value < 65536) {
            op('M');
            out.write(value & 0xFF);
            out.write(value >>> 8);
        } else {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }
    }

    private void str(String text) {
        str(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A Python 2 {@code str}: SHORT_BINSTRING or BINSTRING. */
    private void str(byte[] bytes) {
        if (bytes.length < 256) {
            op('U');
            out.write(bytes.length);
        } else {
            op('T');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        }
        out.writeBytes(bytes);
        put();
    }

    private void put() {
        if (nextMemo < 256) {
            op('q');
            out.write(nextMemo);
        } else {
            op('r');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(nextMemo).array());
        }
        nextMemo++;
    }

    private void op(int opcode) {
        out.write(opcode);
    }

    private byte[] finish() {
        op('.');
        return out.toByteArray();
    }

    private static byte[] ints(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(values);
        return buffer.array();
    }

    private static byte[] floats(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }
}
