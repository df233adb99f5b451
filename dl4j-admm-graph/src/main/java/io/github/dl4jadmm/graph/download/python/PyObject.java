package io.github.dl4jadmm.graph.download.python;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of an allowed Python class as a pickle describes it: the class, the arguments it was created with
 * and the state its {@code BUILD} step set. Nothing is executed; {@link NumpyObjects} and {@link ScipySparse}
 * interpret the NumPy and SciPy instances afterwards.
 */
public final class PyObject {

    private final String className;
    private final PyTuple args;
    private final Map<String, Object> dict = new LinkedHashMap<>();
    private Object state;

    PyObject(String className, PyTuple args) {
        this.className = className;
        this.args = args;
    }

    /** Fully qualified class name, with Python 2 module names mapped to Python 3's ({@code numpy.ndarray}). */
    public String className() {
        return className;
    }

    /** The arguments the instance was created with. */
    public PyTuple args() {
        return args;
    }

    /** The state given by {@code BUILD} when it was not a plain attribute dict ({@code null} if none). */
    public Object state() {
        return state;
    }

    /** Attributes set by a {@code BUILD} with a dict state (the {@code __dict__} of a plain object). */
    public Map<String, Object> dict() {
        return dict;
    }

    /** Applies a {@code BUILD} state: attribute dicts are merged into {@link #dict()}, anything else is kept. */
    @SuppressWarnings("unchecked")
    void build(Object newState) {
        if (newState instanceof Map<?, ?> map && !className.startsWith("numpy.")) {
            map.forEach((k, v) -> dict.put(String.valueOf(k), v));
        } else if (newState instanceof PyTuple tuple && tuple.size() == 2 && !className.startsWith("numpy.")
                && (tuple.get(0) == null || tuple.get(0) instanceof Map) && tuple.get(1) instanceof Map) {
            // (dict, slots) state of a class with __slots__
            if (tuple.get(0) != null) {
                ((Map<Object, Object>) tuple.get(0)).forEach((k, v) -> dict.put(String.valueOf(k), v));
            }
            ((Map<Object, Object>) tuple.get(1)).forEach((k, v) -> dict.put(String.valueOf(k), v));
        } else {
            state = newState;
        }
    }

    @Override
    public String toString() {
        return className + "(...)";
    }
}
