package io.github.dl4jadmm.graph.download.python;

import io.github.dl4jadmm.graph.GraphDataException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A NumPy {@code .npz} archive (a zip of {@code .npy} files, stored or deflated) opened for reading single arrays
 * by key. Members holding pickled objects are never read.
 */
public final class NpzFile implements AutoCloseable {

    private final Path file;
    private final ZipFile zip;

    private NpzFile(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    /**
     * Opens an archive.
     *
     * @throws GraphDataException naming the file if it is missing or not a zip archive
     */
    public static NpzFile open(Path file) throws GraphDataException {
        try {
            return new NpzFile(file, new ZipFile(file.toFile()));
        } catch (ZipException e) {
            throw new GraphDataException(file, "corrupt archive " + file + ": it is not a zip/npz file ("
                    + e.getMessage() + "). Delete it so that it is downloaded again", e);
        } catch (IOException e) {
            throw new GraphDataException(file, "cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the archive holds the array {@code key}. */
    public boolean contains(String key) {
        return zip.getEntry(key + ".npy") != null;
    }

    /**
     * Reads the array {@code key} (member {@code key.npy}).
     *
     * @throws GraphDataException naming the archive and member if it is missing or corrupt
     */
    public NdArray array(String key) throws GraphDataException {
        String name = key + ".npy";
        Path member = Path.of(file + "!", name);
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new GraphDataException(file, "corrupt archive " + file + ": it has no array '" + key + "' ("
                    + name + "); this is not the expected data set file. Delete it so that it is downloaded again");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new GraphDataException(member, "corrupt archive " + file + ": cannot read " + name + " ("
                    + e.getMessage() + "). Delete it so that it is downloaded again", e);
        }
        return NdArray.parseNpy(member, bytes);
    }

    /** The archive file. */
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
