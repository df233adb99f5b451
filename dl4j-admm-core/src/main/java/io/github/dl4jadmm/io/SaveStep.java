package io.github.dl4jadmm.io;

import java.io.IOException;

/**
 * A point of a checkpoint save after a file or folder is written, renamed or deleted. Tests stop a save there (by
 * throwing an {@link Error}, which a save does not clean up after) to show that a kill at any point leaves a
 * checkpoint that loads.
 */
@FunctionalInterface
public interface SaveStep {

    /** Steps that do nothing: what every save outside tests uses. */
    SaveStep NONE = step -> { };

    /** Called after {@code step} (e.g. "wrote layer2-u.nd4j") is done. */
    void reached(String step) throws IOException;
}
