package io.github.dl4jadmm.graph.download.python;

import io.github.dl4jadmm.graph.GraphDataException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Python pickle (protocols 0 to 5, as written by Python 2's {@code cPickle} or Python 3's {@code pickle})
 * into plain Java values, without executing anything. It exists for the Planetoid {@code ind.*} files, which hold
 * SciPy sparse matrices, NumPy arrays and a {@code collections.defaultdict}, so it knows exactly the globals those
 * need and refuses every other class or function with a message naming the file.
 *
 * <p>Python values map to: {@code None} to {@code null}, {@code bool} to {@link Boolean}, {@code int} to
 * {@link Long} (or {@link BigInteger} when too large), {@code float} to {@link Double}, text and Python 2
 * {@code str} to {@link String} (a Python 2 {@code str} is decoded as Latin-1, as {@code pickle.load(f,
 * encoding='latin1')} does, so byte strings survive unchanged), {@code bytes} to {@code byte[]}, {@code list} to
 * {@link ArrayList}, {@code tuple} to {@link PyTuple}, {@code dict} and {@code defaultdict} to
 * {@link LinkedHashMap}, {@code set} to {@link LinkedHashSet}, NumPy and SciPy instances to {@link PyObject}
 * (interpret them with {@link NumpyObjects} and {@link ScipySparse}).
 */
public final class PickleReader {

    /** Functions a pickle may call (with Python 2 module names already mapped to Python 3's). */
    private static final Set<String> FUNCTIONS = Set.of(
            "collections.defaultdict", "copyreg._reconstructor", "copyreg.__newobj__",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
            "numpy.dtype", "_codecs.encode", "builtins.set", "builtins.frozenset");
    /** Classes a pickle may name as a type (scipy.sparse matrix and array classes are allowed by pattern). */
    private static final Set<String> CLASSES = Set.of(
            "builtins.object", "builtins.list", "builtins.dict", "builtins.int", "builtins.float",
            "numpy.ndarray", "numpy.matrix", "numpy.matrixlib.defmatrix.matrix", "numpy.dtype");

    private final Path source;
    private final byte[] bytes;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /** A class or function named by a GLOBAL opcode; only allowed names are ever created. */
    private record Global(String name) {
    }

    private PickleReader(Path source, byte[] bytes) {
        this.source = source;
        this.bytes = bytes;
    }

    /**
     * Reads the first pickle in {@code bytes}.
     *
     * @param source the file, for messages
     * @throws GraphDataException naming {@code source} if the data is not a pickle, is truncated, or uses a class or
     *                            function other than those of NumPy arrays, SciPy sparse matrices and dicts
     */
    public static Object load(Path source, byte[] bytes) throws GraphDataException {
        PickleReader reader = new PickleReader(source, bytes);
        try {
            return reader.run();
        } catch (IndexOutOfBoundsException | ClassCastException | IllegalArgumentException
                 | IllegalStateException | ArithmeticException e) {
            throw reader.error("it is corrupt or not a pickle (" + e.getMessage() + ")");
        }
    }

    /** Whether a class or function name may appear in a pickle this reader accepts. */
    static boolean isAllowed(String name) {
        return FUNCTIONS.contains(name) || isAllowedClass(name);
    }

    private static boolean isAllowedClass(String name) {
        return CLASSES.contains(name)
                || name.startsWith("scipy.sparse.") && (name.endsWith("_matrix") || name.endsWith("_array"));
    }

    private GraphDataException error(String problem) {
        return new GraphDataException(source, "cannot read the pickle " + source + " (at byte " + pos + "): "
                + problem + ". Delete the file so that it is downloaded again, or check it came from the original"
                + " source");
    }

    private Object run() throws GraphDataException {
        while (true) {
            if (pos >= bytes.length) {
                throw error("it ends before the STOP opcode (truncated)");
            }
            int opcode = bytes[pos++] & 0xFF;
            switch (opcode) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > 5) {
                        throw error("pickle protocol " + protocol + " is newer than this reader (0 to 5)");
                    }
                }
                case 0x95 -> take(8); // FRAME: only a length prefix, the opcodes follow inline
                case '.' -> { // STOP
                    if (stack.size() != 1) {
                        throw error("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> push(parseIntLine(line()));
                case 'J' -> push((long) le(4).getInt());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) Short.toUnsignedInt(le(2).getShort()));
                case 'L' -> push(normalize(new BigInteger(stripSuffix(line(), 'L'))));
                case 0x8a -> push(longFromTwosComplement(take(u8())));
                case 0x8b -> push(longFromTwosComplement(take(length(le(4).getInt()))));
                case 'F' -> push(Double.parseDouble(line()));
                case 'G' -> push(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'S' -> push(new String(PythonStrings.unescapeBytes(quoted(line())), StandardCharsets.ISO_8859_1));
                case 'T' -> push(new String(take(length(le(4).getInt())), StandardCharsets.ISO_8859_1));
                case 'U' -> push(new String(take(u8()), StandardCharsets.ISO_8859_1));
                case 'V' -> push(PythonStrings.rawUnicodeEscape(line()));
                case 'X' -> push(new String(take(length(le(4).getInt())), StandardCharsets.UTF_8));
                case 0x8c -> push(new String(take(u8()), StandardCharsets.UTF_8));
                case 0x8d -> push(new String(take(length(le(8).getLong())), StandardCharsets.UTF_8));
                case 'B' -> push(take(length(le(4).getInt())));
                case 'C' -> push(take(u8()));
                case 0x8e, 0x96 -> push(take(length(le(8).getLong())));
                case ')' -> push(PyTuple.EMPTY);
                case 't' -> push(PyTuple.of(popMark()));
                case 0x85 -> push(PyTuple.of(List.of(pop())));
                case 0x86 -> {
                    Object second = pop();
                    push(PyTuple.of(listOf(pop(), second)));
                }
                case 0x87 -> {
                    Object third = pop();
                    Object second = pop();
                    push(PyTuple.of(listOf(pop(), second, third)));
                }
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> push(dictOf(popMark()));
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    dict(peek()).putAll(dictOf(items));
                }
                case 0x8f -> push(new LinkedHashSet<>());
                case 0x90 -> {
                    List<Object> items = popMark();
                    set(peek()).addAll(items);
                }
                case 0x91 -> push(new LinkedHashSet<>(popMark()));
                case 'p' -> memo.put(Long.parseLong(line()), peek());
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(Integer.toUnsignedLong(le(4).getInt()), peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'g' -> push(memoGet(Long.parseLong(line())));
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(Integer.toUnsignedLong(le(4).getInt())));
                case 'c' -> {
                    String module = line();
                    push(global(module, line()));
                }
                case 0x93 -> {
                    String name = string(pop());
                    push(global(string(pop()), name));
                }
                case 'R' -> {
                    Object args = pop();
                    push(call(pop(), tuple(args)));
                }
                case 0x81 -> {
                    PyTuple args = tuple(pop());
                    push(instantiate(pop(), args));
                }
                case 0x92 -> {
                    Object kwargs = pop();
                    PyTuple args = tuple(pop());
                    if (!dict(kwargs).isEmpty()) {
                        throw error("NEWOBJ_EX with keyword arguments is not used by NumPy or SciPy");
                    }
                    push(instantiate(pop(), args));
                }
                case 'b' -> {
                    Object state = pop();
                    build(peek(), state);
                }
                default -> throw error(String.format("opcode 0x%02x ('%s') is not supported", opcode,
                        opcode >= 32 && opcode < 127 ? Character.toString(opcode) : "?"));
            }
        }
    }

    private Object global(String module, String name) throws GraphDataException {
        String mappedModule = switch (module) {
            case "__builtin__" -> "builtins";
            case "copy_reg" -> "copyreg";
            default -> module;
        };
        String qualified = mappedModule + "." + name;
        if (!isAllowed(qualified)) {
            throw error("it refers to the Python object " + module + "." + name + ", which a Planetoid data file"
                    + " does not use; only NumPy arrays, SciPy sparse matrices, lists and dicts are read");
        }
        return new Global(qualified);
    }

    private Object call(Object callable, PyTuple args) throws GraphDataException {
        if (!(callable instanceof Global global)) {
            throw error("REDUCE applied to " + describe(callable) + ", which is not a function");
        }
        return switch (global.name()) {
            case "collections.defaultdict" -> new LinkedHashMap<>();
            case "copyreg._reconstructor" -> instantiate(args.get(0), PyTuple.EMPTY);
            case "copyreg.__newobj__" -> instantiate(args.get(0),
                    PyTuple.of(args.items().subList(1, args.size())));
            case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" ->
                    instantiate(args.get(0), args);
            case "numpy.dtype" -> new PyObject("numpy.dtype", args);
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> NumpyObjects.scalar(args);
            case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer" -> NumpyObjects.fromBuffer(args);
            case "_codecs.encode" -> encode(args);
            case "builtins.set", "builtins.frozenset" -> args.size() == 0 ? new LinkedHashSet<>()
                    : new LinkedHashSet<>(collection(args.get(0)));
            default -> throw error("the class " + global.name() + " is called directly, which NumPy and SciPy"
                    + " pickles never do");
        };
    }

    private PyObject instantiate(Object cls, PyTuple args) throws GraphDataException {
        if (!(cls instanceof Global global) || !isAllowedClass(global.name()) || global.name().startsWith("builtins.")) {
            throw error("cannot create an instance of " + describe(cls));
        }
        return new PyObject(global.name(), args);
    }

    private void build(Object target, Object state) throws GraphDataException {
        if (!(target instanceof PyObject object)) {
            throw error("BUILD applied to " + describe(target) + ", which is not an object with state");
        }
        object.build(state);
    }

    private byte[] encode(PyTuple args) throws GraphDataException {
        String text = string(args.get(0));
        String encoding = args.size() > 1 ? string(args.get(1)).toLowerCase(java.util.Locale.ROOT) : "utf-8";
        return switch (encoding) {
            case "latin1", "latin-1", "iso-8859-1" -> text.getBytes(StandardCharsets.ISO_8859_1);
            case "utf-8", "utf8" -> text.getBytes(StandardCharsets.UTF_8);
            default -> throw error("_codecs.encode with the encoding " + encoding + " is not supported");
        };
    }

    private static String describe(Object value) {
        if (value instanceof Global global) {
            return global.name();
        }
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() throws GraphDataException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) >= stack.size())) {
            throw error("the stack is empty where a value is needed");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws GraphDataException {
        if (stack.isEmpty()) {
            throw error("the stack is empty where a value is needed");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws GraphDataException {
        if (marks.isEmpty()) {
            throw error("an opcode needs a MARK, but there is none");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) throws GraphDataException {
        if (!memo.containsKey(key)) {
            throw error("it refers to memo entry " + key + ", which was never stored");
        }
        return memo.get(key);
    }

    private int u8() {
        return bytes[pos++] & 0xFF;
    }

    private ByteBuffer le(int n) {
        return ByteBuffer.wrap(take(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int length(long n) throws GraphDataException {
        if (n < 0 || n > bytes.length - pos) {
            throw error("a length of " + n + " bytes runs past the end of the data (" + (bytes.length - pos)
                    + " left)");
        }
        return (int) n;
    }

    private byte[] take(int n) {
        if (n < 0 || n > bytes.length - pos) {
            throw new IndexOutOfBoundsException("needs " + n + " bytes, " + (bytes.length - pos) + " left");
        }
        byte[] out = new byte[n];
        System.arraycopy(bytes, pos, out, 0, n);
        pos += n;
        return out;
    }

    private String line() throws GraphDataException {
        int start = pos;
        while (pos < bytes.length && bytes[pos] != '\n') {
            pos++;
        }
        if (pos >= bytes.length) {
            throw error("a text argument has no end of line (truncated)");
        }
        String text = new String(bytes, start, pos - start, StandardCharsets.ISO_8859_1);
        pos++;
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static Object parseIntLine(String text) {
        return switch (text) {
            case "00" -> Boolean.FALSE;
            case "01" -> Boolean.TRUE;
            default -> normalize(new BigInteger(stripSuffix(text, 'L')));
        };
    }

    private static String stripSuffix(String text, char suffix) {
        return !text.isEmpty() && text.charAt(text.length() - 1) == suffix ? text.substring(0, text.length() - 1)
                : text;
    }

    private String quoted(String text) throws GraphDataException {
        if (text.length() < 2 || (text.charAt(0) != '\'' && text.charAt(0) != '"')
                || text.charAt(text.length() - 1) != text.charAt(0)) {
            throw error("the STRING argument is not quoted: " + abbreviate(text));
        }
        return text.substring(1, text.length() - 1);
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static Object longFromTwosComplement(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return normalize(new BigInteger(bigEndian));
    }

    private static Object normalize(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static List<Object> listOf(Object... items) {
        List<Object> list = new ArrayList<>(items.length);
        java.util.Collections.addAll(list, items);
        return list;
    }

    private Map<Object, Object> dictOf(List<Object> items) throws GraphDataException {
        if (items.size() % 2 != 0) {
            throw error("a dict needs key/value pairs, but " + items.size() + " items were given");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) throws GraphDataException {
        if (value instanceof List<?> list && !(value instanceof PyTuple)) {
            return (List<Object>) list;
        }
        throw error("APPEND to " + describe(value) + ", which is not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object value) throws GraphDataException {
        if (value instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw error("SETITEM on " + describe(value) + ", which is not a dict");
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object value) throws GraphDataException {
        if (value instanceof Set<?> set) {
            return (Set<Object>) set;
        }
        throw error("ADDITEMS on " + describe(value) + ", which is not a set");
    }

    private Collection<?> collection(Object value) throws GraphDataException {
        if (value instanceof PyTuple tuple) {
            return tuple.items();
        }
        if (value instanceof Collection<?> items) {
            return items;
        }
        throw error("expected a list, got " + describe(value));
    }

    private PyTuple tuple(Object value) throws GraphDataException {
        if (value instanceof PyTuple tuple) {
            return tuple;
        }
        throw error("expected an argument tuple, got " + describe(value));
    }

    private String string(Object value) throws GraphDataException {
        if (value instanceof String text) {
            return text;
        }
        throw error("expected a string, got " + describe(value));
    }
}
