package io.github.dl4jadmm.graph;

/**
 * The part of a graph data set a validation error is about. Loaders use it to name the file that holds that
 * part when they report an {@link InvalidGraphException}.
 */
public enum GraphComponent {
    /** The data set's name. */
    NAME,
    /** The node-feature matrix. */
    FEATURES,
    /** The stored values of the node-feature matrix (not its shape or sparsity pattern). */
    FEATURE_VALUES,
    /** The edge list. */
    EDGES,
    /** The node labels. */
    LABELS,
    /** The number of classes. */
    CLASSES,
    /** The training node ids. */
    TRAIN_SPLIT,
    /** The validation node ids. */
    VAL_SPLIT,
    /** The test node ids. */
    TEST_SPLIT;

    /** The component holding the node ids of {@code part}. */
    public static GraphComponent of(SplitPart part) {
        return switch (part) {
            case TRAIN -> TRAIN_SPLIT;
            case VAL -> VAL_SPLIT;
            case TEST -> TEST_SPLIT;
        };
    }
}
