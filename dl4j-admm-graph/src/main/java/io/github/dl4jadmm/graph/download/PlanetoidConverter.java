package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.InvalidGraphException;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.download.BenchmarkSource.RawFile;
import io.github.dl4jadmm.graph.download.python.NdArray;
import io.github.dl4jadmm.graph.download.python.NumpyObjects;
import io.github.dl4jadmm.graph.download.python.PickleReader;
import io.github.dl4jadmm.graph.download.python.PyTuple;
import io.github.dl4jadmm.graph.download.python.ScipySparse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Converts the Planetoid files {@code ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index}} exactly as PyTorch
 * Geometric's {@code read_planetoid_data} does (the loader pdADMM-G uses):
 *
 * <ul>
 *   <li>features: the rows of {@code allx} (nodes {@code 0..allx.rows-1}) followed by the test range; row
 *       {@code i} of {@code tx} belongs to node {@code test.index[i]}. Where the test range has ids that are not
 *       test nodes (CiteSeer's 15 isolated nodes) the row is all zero, and its label is 0 (the arg-max of a zero
 *       one-hot row).</li>
 *   <li>labels: the arg-max of each one-hot row of {@code ally} and {@code ty}, placed the same way.</li>
 *   <li>edges: the {@code graph} dict of neighbour lists, self-loops dropped, sorted and de-duplicated. PyG does not
 *       add reverse edges for Planetoid because its graphs are already symmetric; reverse edges are added here too,
 *       which changes nothing for them and keeps the folder layout's both-directions rule for any input.</li>
 *   <li>split: train = nodes {@code 0..y.rows-1}, val = the next 500 nodes, test = {@code test.index}.</li>
 * </ul>
 *
 * <p>Feature values are rounded to float32; zeros are not stored.
 */
final class PlanetoidConverter {

    private static final int NUM_VAL = 500;

    private PlanetoidConverter() {
    }

    /**
     * The {@code <name>} of {@code ind.<name>.*}, checking that the files are exactly the eight Planetoid files.
     *
     * @throws IllegalArgumentException if they are not
     */
    static String prefixOf(List<RawFile> files) {
        if (files.isEmpty() || !files.get(0).name().startsWith("ind.")) {
            throw new IllegalArgumentException("Planetoid files are named ind.<name>.<part>, got " + files);
        }
        String first = files.get(0).name();
        String prefix = first.substring(4, first.indexOf('.', 4));
        List<String> expected = UpstreamSources.PLANETOID_SUFFIXES.stream().map(s -> "ind." + prefix + "." + s)
                .sorted().toList();
        List<String> actual = files.stream().map(RawFile::name).sorted().toList();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException("a Planetoid source needs exactly the files " + expected + ", got "
                    + actual);
        }
        return prefix;
    }

    /**
     * Reads and converts the files in {@code rawDir}.
     *
     * @throws GraphDataException naming the file whose content is unreadable or inconsistent
     */
    static ConvertedGraph convert(Path rawDir, BenchmarkSource source) throws GraphDataException {
        String prefix = prefixOf(source.files());
        Path base = rawDir.resolve("ind." + prefix + ".");
        ScipySparse.Csr x = matrix(base, "x");
        ScipySparse.Csr tx = matrix(base, "tx");
        ScipySparse.Csr allx = matrix(base, "allx");
        ScipySparse.Csr y = matrix(base, "y");
        ScipySparse.Csr ty = matrix(base, "ty");
        ScipySparse.Csr ally = matrix(base, "ally");
        Path graphFile = file(base, "graph");
        Object graph = PickleReader.load(graphFile, read(graphFile));
        Path testFile = file(base, "test.index");
        int[] testIndex = readTestIndex(testFile);

        check(x.rows() == y.rows(), file(base, "y"), "it has " + y.rows() + " rows but ind." + prefix + ".x has "
                + x.rows() + "; both list the labelled training nodes");
        check(allx.rows() == ally.rows(), file(base, "ally"), "it has " + ally.rows() + " rows but ind." + prefix
                + ".allx has " + allx.rows());
        check(tx.rows() == testIndex.length && ty.rows() == testIndex.length, testFile, "it lists "
                + testIndex.length + " test nodes but tx has " + tx.rows() + " rows and ty " + ty.rows());
        check(x.columns() == allx.columns() && tx.columns() == allx.columns(), file(base, "tx"),
                "x, tx and allx must have the same number of feature columns, but have " + x.columns() + ", "
                        + tx.columns() + " and " + allx.columns());
        check(y.columns() == ally.columns() && ty.columns() == ally.columns(), file(base, "ty"),
                "y, ty and ally must have the same number of classes, but have " + y.columns() + ", "
                        + ty.columns() + " and " + ally.columns());
        check(testIndex.length > 0, testFile, "it lists no test nodes");
        int[] sortedTest = testIndex.clone();
        Arrays.sort(sortedTest);
        for (int i = 1; i < sortedTest.length; i++) {
            check(sortedTest[i] != sortedTest[i - 1], testFile, "it lists node " + sortedTest[i] + " twice");
        }
        check(sortedTest[0] == allx.rows(), testFile, "the test nodes must start right after the " + allx.rows()
                + " rows of allx, but the smallest is " + sortedTest[0]);
        // PyG pads the test range to max - min + 1 rows (CiteSeer); for the other graphs it is exactly tx.
        int numNodes = sortedTest[sortedTest.length - 1] + 1;

        // The CSR row each node takes its features and label from: -1 - i means row i of allx/ally, i >= 0 row i of
        // tx/ty, and NO_ROW a zero row.
        ScipySparse.Csr allxCanonical = allx.canonical();
        ScipySparse.Csr txCanonical = tx.canonical();
        int[] txRowOfNode = new int[numNodes];
        Arrays.fill(txRowOfNode, -1);
        for (int i = 0; i < testIndex.length; i++) {
            txRowOfNode[testIndex[i]] = i;
        }
        ScipySparse.Csr features = stack(numNodes, allxCanonical, txCanonical, txRowOfNode);
        ConvertedGraph.Features floats = ConvertedGraph.features(features, false);

        int[] labels = new int[numNodes];
        for (int node = 0; node < numNodes; node++) {
            if (node < ally.rows()) {
                labels[node] = argmax(ally.denseRow(node));
            } else if (txRowOfNode[node] >= 0) {
                labels[node] = argmax(ty.denseRow(txRowOfNode[node]));
            }
        }
        int numClasses = Arrays.stream(labels).max().orElse(0) + 1;

        int[] edgePairs = edges(graph, graphFile, numNodes);

        int numTrain = y.rows();
        check(numTrain + NUM_VAL <= numNodes, file(base, "y"), "PyG's validation nodes " + numTrain + ".."
                + (numTrain + NUM_VAL - 1) + " do not exist in a graph of " + numNodes + " nodes");
        int[] train = range(0, numTrain);
        int[] val = range(numTrain, numTrain + NUM_VAL);
        NodeSplit split;
        try {
            split = new NodeSplit("public", train, val, sortedTest);
        } catch (InvalidGraphException e) {
            throw new GraphDataException(testFile, "the Planetoid split read from " + rawDir + " is invalid: "
                    + e.getMessage(), e);
        }
        return new ConvertedGraph(numNodes, floats.columns(), floats.indptr(), floats.indices(), floats.values(),
                edgePairs, labels, numClasses, split, null);
    }

    private static Path file(Path base, String suffix) {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    private static byte[] read(Path file) throws GraphDataException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new GraphDataException(file, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ScipySparse.Csr matrix(Path base, String suffix) throws GraphDataException {
        Path file = file(base, suffix);
        Object value = PickleReader.load(file, read(file));
        try {
            return ScipySparse.toCsr(value);
        } catch (IllegalArgumentException | ArithmeticException | IllegalStateException e) {
            throw unexpected(file, "a SciPy sparse matrix or a 2-D NumPy array", e.getMessage());
        }
    }

    private static int[] readTestIndex(Path file) throws GraphDataException {
        String text = new String(read(file), StandardCharsets.ISO_8859_1);
        List<Integer> ids = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                ids.add(Integer.parseInt(trimmed));
            } catch (NumberFormatException e) {
                throw unexpected(file, "one node id per line", "line " + lineNumber + " is '" + trimmed + "'");
            }
            if (ids.get(ids.size() - 1) < 0) {
                throw unexpected(file, "one node id per line", "line " + lineNumber + " is negative");
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Rows {@code 0..allx.rows-1} from allx, the test rows from tx, zero rows elsewhere. */
    private static ScipySparse.Csr stack(int numNodes, ScipySparse.Csr allx, ScipySparse.Csr tx, int[] txRowOfNode) {
        int[] indptr = new int[numNodes + 1];
        int nnz = 0;
        for (int node = 0; node < numNodes; node++) {
            if (node < allx.rows()) {
                nnz += allx.indptr()[node + 1] - allx.indptr()[node];
            } else if (txRowOfNode[node] >= 0) {
                nnz += tx.indptr()[txRowOfNode[node] + 1] - tx.indptr()[txRowOfNode[node]];
            }
            indptr[node + 1] = nnz;
        }
        int[] indices = new int[nnz];
        double[] values = new double[nnz];
        for (int node = 0; node < numNodes; node++) {
            ScipySparse.Csr from = node < allx.rows() ? allx : txRowOfNode[node] >= 0 ? tx : null;
            if (from == null) {
                continue;
            }
            int row = from == allx ? node : txRowOfNode[node];
            int start = from.indptr()[row];
            int length = from.indptr()[row + 1] - start;
            System.arraycopy(from.indices(), start, indices, indptr[node], length);
            System.arraycopy(from.values(), start, values, indptr[node], length);
        }
        return new ScipySparse.Csr(numNodes, allx.columns(), indptr, indices, values);
    }

    /** Index of the first largest entry, as {@code torch.max(dim=1)} and {@code numpy.argmax} give it. */
    private static int argmax(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    private static int[] edges(Object graph, Path file, int numNodes) throws GraphDataException {
        if (!(graph instanceof Map<?, ?> adjacency)) {
            throw unexpected(file, "a dict of neighbour lists", NumpyObjects.isArray(graph) ? "an array"
                    : graph == null ? "None" : graph.getClass().getSimpleName());
        }
        int total = 0;
        for (Object neighbours : adjacency.values()) {
            total += neighbours(neighbours, file).size();
        }
        int[] sources = new int[total];
        int[] targets = new int[total];
        int k = 0;
        for (Map.Entry<?, ?> entry : adjacency.entrySet()) {
            int source = nodeId(entry.getKey(), file, numNodes);
            for (Object target : neighbours(entry.getValue(), file)) {
                sources[k] = source;
                targets[k++] = nodeId(target, file, numNodes);
            }
        }
        return ConvertedGraph.undirectedEdges(sources, targets, numNodes);
    }

    private static Collection<?> neighbours(Object value, Path file) throws GraphDataException {
        if (value instanceof PyTuple tuple) {
            return tuple.items();
        }
        if (value instanceof Collection<?> list) {
            return list;
        }
        if (NumpyObjects.isArray(value)) {
            NdArray array = NumpyObjects.toArray(value);
            List<Long> ids = new ArrayList<>();
            for (long i = 0; i < array.size(); i++) {
                ids.add(array.getLong(i));
            }
            return ids;
        }
        throw unexpected(file, "lists of neighbour ids", "a " + (value == null ? "None"
                : value.getClass().getSimpleName()));
    }

    private static int nodeId(Object value, Path file, int numNodes) throws GraphDataException {
        if (!(value instanceof Long id)) {
            throw unexpected(file, "integer node ids", value == null ? "None" : value.toString());
        }
        if (id < 0 || id >= numNodes) {
            throw new GraphDataException(file, "the graph in " + file + " names node " + id + ", but the features"
                    + " and test index describe " + numNodes + " nodes (0.." + (numNodes - 1) + "); the files do not"
                    + " belong together. Delete the raw folder " + file.getParent() + " so that it is downloaded"
                    + " again");
        }
        return (int) (long) id;
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    private static void check(boolean condition, Path file, String problem) throws GraphDataException {
        if (!condition) {
            throw new GraphDataException(file, "inconsistent Planetoid file " + file + ": " + problem
                    + ". Delete the raw folder " + file.getParent() + " so that it is downloaded again");
        }
    }

    private static GraphDataException unexpected(Path file, String expected, String found) {
        return new GraphDataException(file, "unexpected content in " + file + ": expected " + expected + ", found "
                + found + ". Delete it so that it is downloaded again, or check it came from the original source");
    }
}
