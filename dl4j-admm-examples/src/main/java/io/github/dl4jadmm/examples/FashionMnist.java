package io.github.dl4jadmm.examples;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads Fashion-MNIST from its gzip-compressed IDX files (the layout of MNIST: big-endian int32 header, then unsigned
 * bytes). Images become float rows of 784 values in [0, 1]; labels become one-hot rows of 10.
 */
public final class FashionMnist {

    private static final int IMAGES_MAGIC = 2051;
    private static final int LABELS_MAGIC = 2049;
    private static final int CLASSES = 10;
    /** The four files of the data set. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    /** The folder name of the data set inside the project's data directory. */
    public static final String FOLDER = "fashion-mnist";

    private FashionMnist() {
    }

    /**
     * The folder holding the four {@link #FILES}: {@code dir} itself, or its sub-folder {@value #FOLDER} (so both
     * the data directory and the Fashion-MNIST folder can be given); empty if neither holds all four.
     */
    public static Optional<Path> find(Path dir) {
        for (Path candidate : List.of(dir, dir.resolve(FOLDER))) {
            if (FILES.stream().allMatch(f -> Files.isRegularFile(candidate.resolve(f)))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The 60,000 training images ({@code train-*-idx?-ubyte.gz}) in {@code dir}. */
    public static DataSet train(Path dir) throws IOException {
        return read(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    /** The 10,000 test images ({@code t10k-*-idx?-ubyte.gz}) in {@code dir}. */
    public static DataSet test(Path dir) throws IOException {
        return read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    /**
     * Reads one pair of image and label files.
     *
     * @throws IOException if a file is missing, not gzip, or has a wrong IDX header
     */
    public static DataSet read(Path images, Path labels) throws IOException {
        float[] pixels;
        int count;
        int size;
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(images + " is not an IDX image file (magic " + magic + ", expected "
                        + IMAGES_MAGIC + ")");
            }
            count = in.readInt();
            size = in.readInt() * in.readInt();
            byte[] raw = new byte[count * size];
            in.readFully(raw);
            pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xFF) / 255f;
            }
        }
        float[] oneHot;
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IOException(labels + " is not an IDX label file (magic " + magic + ", expected "
                        + LABELS_MAGIC + ")");
            }
            int labelCount = in.readInt();
            if (labelCount != count) {
                throw new IOException(labels + " has " + labelCount + " labels for " + count + " images");
            }
            byte[] raw = new byte[count];
            in.readFully(raw);
            oneHot = new float[count * CLASSES];
            for (int i = 0; i < count; i++) {
                int label = raw[i] & 0xFF;
                if (label >= CLASSES) {
                    throw new IOException("label " + label + " of image " + i + " is not in 0..9");
                }
                oneHot[i * CLASSES + label] = 1;
            }
        }
        return new DataSet(Nd4j.create(pixels, new long[]{count, size}, 'c'),
                Nd4j.create(oneHot, new long[]{count, CLASSES}, 'c'));
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("missing " + file + "; point the data directory at the folder holding the "
                    + "Fashion-MNIST .gz files");
        }
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    }
}
