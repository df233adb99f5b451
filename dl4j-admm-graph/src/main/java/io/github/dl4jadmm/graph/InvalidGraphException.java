package io.github.dl4jadmm.graph;

import java.util.List;

/**
 * A graph data set broke one of the rules of {@link GraphDataset} or {@link NodeSplit}. The message says what was
 * wrong; {@link #components()} says which parts of the data set are involved, so that a loader can name the files
 * they came from.
 */
public class InvalidGraphException extends IllegalArgumentException {

    private final List<GraphComponent> components;

    /**
     * @param message    what is wrong, and where (node id, edge index, ...)
     * @param components the parts of the data set involved, at least one
     */
    public InvalidGraphException(String message, GraphComponent... components) {
        super(message);
        if (components.length == 0) {
            throw new IllegalArgumentException("an InvalidGraphException must name at least one component");
        }
        this.components = List.of(components);
    }

    /** The parts of the data set the error is about. */
    public List<GraphComponent> components() {
        return components;
    }
}
