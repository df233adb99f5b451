package io.github.dl4jadmm.graph.download.python;

import io.github.dl4jadmm.graph.GraphDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads pickles written by real CPython 3 with NumPy and SciPy (the fixtures next to this class, made by
 * {@code make_pickles.py}) at protocols 0, 2, 4 and 5.
 */
class PickleReaderTest {

    private static final double[][] DENSE = {{0, 1.5, 0, 0}, {0, 0, 0, 0}, {2, 0, 0, -1}};

    private static Object fixture(int protocol) throws IOException {
        String name = "objects.protocol" + protocol + ".pkl";
        try (InputStream in = PickleReaderTest.class.getResourceAsStream(name)) {
            return PickleReader.load(Path.of(name), in.readAllBytes());
        }
    }

    private static double[][] dense(ScipySparse.Csr csr) {
        double[][] rows = new double[csr.rows()][];
        for (int r = 0; r < csr.rows(); r++) {
            rows[r] = csr.denseRow(r);
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 4, 5})
    void readsSparseMatricesArraysDictsAndScalars(int protocol) throws Exception {
        PyTuple objects = assertInstanceOf(PyTuple.class, fixture(protocol));
        assertEquals(9, objects.size());

        ScipySparse.Csr csr = ScipySparse.toCsr(objects.get(0));
        assertEquals(3, csr.rows());
        assertEquals(4, csr.columns());
        assertArrayEquals(new int[] {0, 1, 1, 3}, csr.indptr());
        assertArrayEquals(DENSE, dense(csr));

        NdArray oneHot = NumpyObjects.toArray(objects.get(1));
        assertArrayEquals(new long[] {3, 3}, oneHot.shape());
        assertEquals('f', oneHot.dtype().kind());
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0, 0, 0, 1}, oneHot.toDoubleArray());

        NdArray fortran = NumpyObjects.toArray(objects.get(2));
        assertArrayEquals(new int[] {1, 0, 0, 1, 1, 0}, fortran.toIntArray(), "C order whatever the storage");

        Map<?, ?> graph = assertInstanceOf(Map.class, objects.get(3));
        assertEquals(List.of(1L, 2L), graph.get(0L));
        assertEquals(List.of(0L), graph.get(3L));

        for (int i : new int[] {4, 5, 6}) {
            assertArrayEquals(DENSE, dense(ScipySparse.toCsr(objects.get(i)).canonical()), "format " + i);
        }
        List<?> scalars = assertInstanceOf(List.class, objects.get(7));
        assertEquals(List.of(7L, 0.5, true), scalars);
        assertArrayEquals(DENSE, dense(ScipySparse.toCsr(objects.get(8))), "csr_array");
    }

    @Test
    void refusesGlobalsOutsideNumpyScipyAndDicts() {
        byte[] evil = "cos\nsystem\n(S'echo hi'\ntR.".getBytes(StandardCharsets.ISO_8859_1);
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> PickleReader.load(Path.of("ind.cora.x"), evil));
        assertTrue(e.getMessage().contains("ind.cora.x") && e.getMessage().contains("os.system"), e.getMessage());
    }

    @Test
    void truncatedPickleFailsNamingTheFile() throws Exception {
        byte[] whole;
        try (InputStream in = getClass().getResourceAsStream("objects.protocol2.pkl")) {
            whole = in.readAllBytes();
        }
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> PickleReader.load(Path.of("ind.cora.allx"), Arrays.copyOf(whole, whole.length / 2)));
        assertTrue(e.getMessage().startsWith("cannot read the pickle ind.cora.allx"), e.getMessage());
        assertTrue(e.getMessage().contains("downloaded again"), e.getMessage());
    }

    @Test
    void notAPickleAtAll() {
        GraphDataException e = assertThrows(GraphDataException.class,
                () -> PickleReader.load(Path.of("x"), "<html>404</html>".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("not supported") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void protocolZeroStringEscapes() {
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff, '\n', '\'', '\\', 'a'},
                PythonStrings.unescapeBytes("\\x00\\x01\\xff\\n\\'\\\\a"));
        assertArrayEquals(new byte[] {7, 0, 63}, PythonStrings.unescapeBytes("\\a\\0\\077"));
        assertEquals("caf\u00e9 \u20ac", PythonStrings.rawUnicodeEscape("caf\u00e9 \\u20ac"));
    }
}
