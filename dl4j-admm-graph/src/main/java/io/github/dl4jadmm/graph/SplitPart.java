package io.github.dl4jadmm.graph;

import java.util.Locale;

/** The three parts of a node split. Only training nodes are fitted; validation and test nodes are only evaluated. */
public enum SplitPart {
    /** Labelled nodes the model is fitted on. */
    TRAIN,
    /** Nodes used to choose hyper-parameters and the iterate to keep. */
    VAL,
    /** Nodes used once, for the reported accuracy. */
    TEST;

    /** Lower-case name as used in file names ({@code train}, {@code val}, {@code test}). */
    public String fileStem() {
        return name().toLowerCase(Locale.ROOT);
    }
}
