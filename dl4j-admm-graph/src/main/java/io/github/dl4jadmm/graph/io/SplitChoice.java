package io.github.dl4jadmm.graph.io;

import io.github.dl4jadmm.graph.SplitPart;

/** Which split files of a data folder to load. */
public enum SplitChoice {
    /**
     * {@code train.npy}, {@code val.npy}, {@code test.npy}: the public Planetoid split for Cora, CiteSeer and
     * PubMed; for the Amazon and Coauthor graphs the seed-0 split described in the folder's README.
     */
    PUBLIC(""),
    /**
     * {@code pdadmm_train.npy}, {@code pdadmm_val.npy}, {@code pdadmm_test.npy}: exactly the split the pdADMM-G code
     * draws (Amazon and Coauthor folders only).
     */
    PDADMM("pdadmm_");

    private final String filePrefix;

    SplitChoice(String filePrefix) {
        this.filePrefix = filePrefix;
    }

    /** File name holding the node ids of {@code part} under this choice, e.g. {@code pdadmm_train.npy}. */
    public String fileName(SplitPart part) {
        return filePrefix + part.fileStem() + ".npy";
    }

    /** The name given to a split loaded this way ({@code public} or {@code pdadmm}). */
    public String splitName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
