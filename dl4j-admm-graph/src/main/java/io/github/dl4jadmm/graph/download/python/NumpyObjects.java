package io.github.dl4jadmm.graph.download.python;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Interprets pickled NumPy objects: {@code ndarray} (and {@code matrix}) instances rebuilt by
 * {@code numpy.core.multiarray._reconstruct} plus a {@code BUILD} state {@code (version, shape, dtype, is_fortran,
 * data)}, {@code dtype} instances {@code dtype(typestr, align, copy)} with state {@code (version, byteorder, ...)},
 * and scalars. Malformed objects raise {@link IllegalArgumentException} with the reason.
 */
public final class NumpyObjects {

    private NumpyObjects() {
    }

    /** Whether {@code value} is a NumPy array, pickled or already converted. */
    public static boolean isArray(Object value) {
        return value instanceof NdArray || value instanceof PyObject object && isArrayClass(object.className());
    }

    private static boolean isArrayClass(String className) {
        return className.equals("numpy.ndarray") || className.equals("numpy.matrix")
                || className.equals("numpy.matrixlib.defmatrix.matrix");
    }

    /**
     * The array {@code value} stands for.
     *
     * @throws IllegalArgumentException if it is not a NumPy array or its state is malformed
     */
    public static NdArray toArray(Object value) {
        if (value instanceof NdArray array) {
            return array;
        }
        if (!(value instanceof PyObject object) || !isArrayClass(object.className())) {
            throw new IllegalArgumentException("expected a NumPy array, found " + describe(value));
        }
        if (!(object.state() instanceof PyTuple state)) {
            throw new IllegalArgumentException("the pickled " + object.className() + " has no state tuple");
        }
        // version 1 and later: (version, shape, dtype, is_fortran, data); version 0: (shape, dtype, is_fortran, data)
        int offset = state.size() == 5 ? 1 : 0;
        if (state.size() != 4 + offset) {
            throw new IllegalArgumentException("the pickled array state has " + state.size() + " entries, expected 5");
        }
        long[] shape = shape(state.get(offset));
        DType dtype = toDType(state.get(offset + 1));
        boolean fortran = truth(state.get(offset + 2));
        Object data = state.get(offset + 3);
        if (dtype.isObject()) {
            if (!(data instanceof List<?> list)) {
                throw new IllegalArgumentException("an object array must store a list, found " + describe(data));
            }
            return NdArray.ofObjects(dtype, shape, fortran, new ArrayList<>(list));
        }
        return NdArray.ofBytes(dtype, shape, fortran, bytes(data));
    }

    /**
     * The element type a pickled {@code numpy.dtype} stands for.
     *
     * @throws IllegalArgumentException if {@code value} is not a dtype this reader knows
     */
    public static DType toDType(Object value) {
        if (!(value instanceof PyObject object) || !object.className().equals("numpy.dtype")
                || object.args().size() < 1 || !(object.args().get(0) instanceof String typeString)) {
            throw new IllegalArgumentException("expected a NumPy dtype, found " + describe(value));
        }
        char order = 0;
        if (object.state() instanceof PyTuple state && state.size() > 1 && state.get(1) instanceof String text
                && text.length() == 1) {
            order = text.charAt(0);
        }
        return DType.parse(typeString, order);
    }

    /** {@code numpy.core.multiarray.scalar(dtype, data)}: one number as {@link Long}, {@link Double} or Boolean. */
    static Object scalar(PyTuple args) {
        DType dtype = toDType(args.get(0));
        if (dtype.isObject()) {
            return args.get(1);
        }
        NdArray one = NdArray.ofBytes(dtype, new long[0], false, bytes(args.get(1)));
        return switch (dtype.kind()) {
            case 'b' -> one.getLong(0) != 0;
            case 'f' -> one.getDouble(0);
            default -> one.getLong(0);
        };
    }

    /** {@code numpy.core.numeric._frombuffer(buffer, dtype, shape, order)} (pickle protocol 5). */
    static NdArray fromBuffer(PyTuple args) {
        DType dtype = toDType(args.get(1));
        boolean fortran = args.size() > 3 && "F".equals(args.get(3));
        return NdArray.ofBytes(dtype, shape(args.get(2)), fortran, bytes(args.get(0)));
    }

    /** A shape tuple of non-negative integers. */
    static long[] shape(Object value) {
        if (!(value instanceof PyTuple tuple)) {
            throw new IllegalArgumentException("expected a shape tuple, found " + describe(value));
        }
        long[] shape = new long[tuple.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(tuple.get(i) instanceof Long dimension) || dimension < 0) {
                throw new IllegalArgumentException("the shape " + tuple.items() + " is not a tuple of sizes");
            }
            shape[i] = dimension;
        }
        return shape;
    }

    /** Raw bytes: a Python 3 {@code bytes}, or a Python 2 {@code str} read as Latin-1. */
    static byte[] bytes(Object value) {
        if (value instanceof byte[] raw) {
            return raw;
        }
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] copy = new byte[buffer.remaining()];
            buffer.duplicate().get(copy);
            return copy;
        }
        throw new IllegalArgumentException("expected raw array data, found " + describe(value));
    }

    private static boolean truth(Object value) {
        if (value instanceof Boolean flag) {
            return flag;
        }
        if (value instanceof Long number) {
            return number != 0;
        }
        return value != null;
    }

    static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof PyObject object) {
            return "an instance of " + object.className();
        }
        return "a " + value.getClass().getSimpleName();
    }
}
