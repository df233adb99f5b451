package io.github.dl4jadmm.graph.io;

/** Whether a loader checks each file it reads against the sha256 and size listed in the folder's {@code stats.json}. */
public enum ChecksumPolicy {
    /** Check every file read; fail if {@code stats.json} is missing or does not list a file. */
    REQUIRE,
    /** Check the files {@code stats.json} lists, when there is a {@code stats.json} (the default). */
    IF_PRESENT,
    /** Do not check. */
    SKIP
}
