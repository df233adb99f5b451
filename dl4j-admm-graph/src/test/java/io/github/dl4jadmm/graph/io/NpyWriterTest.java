package io.github.dl4jadmm.graph.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NpyWriterTest {

    @TempDir
    Path temp;

    @Test
    void headerIsTheOneNumpyWrites() {
        // numpy 2.4: np.save of np.zeros((2,), np.int32) and np.zeros((10556, 2), np.int32)
        assertEquals("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(60) + "\n",
                headerText(NpyWriter.header("<i4", new long[] {2})));
        assertEquals("{'descr': '<i4', 'fortran_order': False, 'shape': (10556, 2), }" + " ".repeat(54) + "\n",
                headerText(NpyWriter.header("<i4", new long[] {10556, 2})));
        for (long n : new long[] {0, 1, 63, 64, 1000, 123456789L}) {
            assertEquals(0, NpyWriter.header("<f4", new long[] {n}).length % 64, "aligned for " + n);
        }
    }

    private static String headerText(byte[] header) {
        return new String(header, 10, header.length - 10, StandardCharsets.US_ASCII);
    }

    @Test
    void roundTripThroughTheReader() throws Exception {
        Path ints = temp.resolve("ints.npy");
        NpyWriter.writeInt32(ints, new int[] {1, -2, 3, 4, 5, 6}, 3, 2);
        NpyArray array = NpyArray.read(ints);
        assertArrayEquals(new long[] {3, 2}, array.shape());
        assertArrayEquals(new int[] {1, -2, 3, 4, 5, 6}, array.ints());

        Path floats = temp.resolve("floats.npy");
        NpyWriter.writeFloat32(floats, new float[] {0.5f, -1f});
        assertArrayEquals(new float[] {0.5f, -1f}, NpyArray.read(floats).floats());
    }

    /** Rewriting every int32/float32 file of the project's data folders gives the same bytes. */
    @Test
    void rewritesTheProjectDataFilesByteForByte() throws Exception {
        String dataDir = System.getProperty("dl4jadmm.data.dir");
        assumeTrue(dataDir != null && Files.isDirectory(Path.of(dataDir, "cora")), "no data directory");
        for (String name : List.of("cora/edges.npy", "cora/features_data.npy", "cora/features_shape.npy",
                "cora/train.npy", "citeseer/labels.npy", "amazon_photo/pdadmm_val.npy")) {
            Path original = Path.of(dataDir, name);
            NpyArray array = NpyArray.read(original);
            Path copy = temp.resolve(name.replace('/', '_'));
            if (array.type() == NpyArray.Type.FLOAT32) {
                NpyWriter.writeFloat32(copy, array.floats(), array.shape());
            } else {
                NpyWriter.writeInt32(copy, array.ints(), array.shape());
            }
            assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), name);
        }
    }

    @Test
    void refusesAShapeThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class,
                () -> NpyWriter.writeInt32(temp.resolve("x.npy"), new int[] {1, 2, 3}, 2, 2));
    }
}
