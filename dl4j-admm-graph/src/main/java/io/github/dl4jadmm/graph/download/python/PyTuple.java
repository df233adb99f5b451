package io.github.dl4jadmm.graph.download.python;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple read from a pickle (lists become {@link java.util.ArrayList}s, so the two stay distinguishable).
 *
 * @param items the elements, unmodifiable
 */
public record PyTuple(List<Object> items) {

    /** The empty tuple. */
    public static final PyTuple EMPTY = new PyTuple(List.of());

    /** A tuple of these elements (copied; may contain {@code null} for Python's {@code None}). */
    public static PyTuple of(List<Object> items) {
        return new PyTuple(Collections.unmodifiableList(new ArrayList<>(items)));
    }

    /** Number of elements. */
    public int size() {
        return items.size();
    }

    /** Element {@code i}. */
    public Object get(int i) {
        return items.get(i);
    }
}
