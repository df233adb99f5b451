package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.GraphDataException;
import io.github.dl4jadmm.graph.InvalidGraphException;
import io.github.dl4jadmm.graph.NodeSplit;
import io.github.dl4jadmm.graph.download.python.NdArray;
import io.github.dl4jadmm.graph.download.python.NpzFile;
import io.github.dl4jadmm.graph.download.python.ScipySparse;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Converts a {@code shchur/gnn-benchmark} {@code .npz} archive exactly as PyTorch Geometric's {@code read_npz}
 * ({@code Amazon}, {@code Coauthor}) does: features from the CSR arrays {@code attr_data/indices/indptr/shape},
 * rounded to float32 and binarised ({@code x[x > 0] = 1}); edges from the CSR adjacency
 * {@code adj_data/indices/indptr/shape} with self-loops removed, made undirected, sorted and de-duplicated; labels
 * from {@code labels}. The two splits are drawn by {@link SplitRecipes}.
 */
final class GnnBenchmarkConverter {

    private GnnBenchmarkConverter() {
    }

    /**
     * Reads and converts the archive.
     *
     * @throws GraphDataException naming the archive if it is corrupt or its arrays are inconsistent
     */
    static ConvertedGraph convert(Path npz) throws GraphDataException {
        try (NpzFile archive = NpzFile.open(npz)) {
            ScipySparse.Csr attributes = csr(archive, "attr");
            ScipySparse.Csr adjacency = csr(archive, "adj");
            int numNodes = attributes.rows();
            check(npz, adjacency.rows() == numNodes && adjacency.columns() == numNodes, "the adjacency is "
                    + adjacency.rows() + " x " + adjacency.columns() + " but there are " + numNodes + " nodes");
            NdArray labelArray = archive.array("labels");
            check(npz, labelArray.rank() == 1 && labelArray.size() == numNodes, "labels has shape "
                    + java.util.Arrays.toString(labelArray.shape()) + ", expected [" + numNodes + "]");
            int[] labels = ints(npz, labelArray, "labels");
            int numClasses = 0;
            for (int node = 0; node < numNodes; node++) {
                check(npz, labels[node] >= 0, "node " + node + " has the negative label " + labels[node]);
                numClasses = Math.max(numClasses, labels[node] + 1);
            }

            ConvertedGraph.Features features = ConvertedGraph.features(attributes.canonical(), true);
            int[] sources = new int[adjacency.nnz()];
            for (int r = 0; r < numNodes; r++) {
                for (int k = adjacency.indptr()[r]; k < adjacency.indptr()[r + 1]; k++) {
                    sources[k] = r;
                }
            }
            int[] edgePairs = ConvertedGraph.undirectedEdges(sources, adjacency.indices(), numNodes);

            NodeSplit publicSplit;
            NodeSplit pdadmmSplit;
            try {
                publicSplit = SplitRecipes.seededPublic(labels, numClasses);
                pdadmmSplit = SplitRecipes.pdadmm(labels, numClasses);
            } catch (InvalidGraphException e) {
                throw new GraphDataException(npz, "cannot draw the benchmark splits for " + npz + ": "
                        + e.getMessage() + " (the graph is too small for the recipe)", e);
            }
            return new ConvertedGraph(numNodes, features.columns(), features.indptr(), features.indices(),
                    features.values(), edgePairs, labels, numClasses, publicSplit, pdadmmSplit);
        } catch (IOException e) {
            if (e instanceof GraphDataException graphDataException) {
                throw graphDataException;
            }
            throw new GraphDataException(npz, "cannot read " + npz + ": " + e.getMessage(), e);
        }
    }

    private static ScipySparse.Csr csr(NpzFile archive, String prefix) throws GraphDataException {
        Path npz = archive.file();
        if (!archive.contains(prefix + "_data")) {
            throw new GraphDataException(npz, "unexpected archive " + npz + ": it has no " + prefix + "_data array;"
                    + " only the sparse (CSR) gnn-benchmark layout is read");
        }
        NdArray shapeArray = archive.array(prefix + "_shape");
        int[] shape = ints(npz, shapeArray, prefix + "_shape");
        check(npz, shape.length == 2, prefix + "_shape must hold two numbers");
        int[] indptr = ints(npz, archive.array(prefix + "_indptr"), prefix + "_indptr");
        int[] indices = ints(npz, archive.array(prefix + "_indices"), prefix + "_indices");
        double[] values = archive.array(prefix + "_data").toDoubleArray();
        check(npz, indptr.length == shape[0] + 1 && indices.length == values.length && indptr[0] == 0
                        && indptr[shape[0]] == indices.length,
                "the " + prefix + "_* arrays do not form a CSR matrix of shape " + shape[0] + " x " + shape[1]);
        for (int r = 0; r < shape[0]; r++) {
            check(npz, indptr[r] <= indptr[r + 1], prefix + "_indptr decreases at row " + r);
        }
        for (int column : indices) {
            check(npz, column >= 0 && column < shape[1], prefix + "_indices holds " + column + ", outside 0.."
                    + (shape[1] - 1));
        }
        return new ScipySparse.Csr(shape[0], shape[1], indptr, indices, values);
    }

    private static int[] ints(Path npz, NdArray array, String key) throws GraphDataException {
        try {
            return array.toIntArray();
        } catch (ArithmeticException | IllegalStateException e) {
            throw new GraphDataException(npz, "unexpected archive " + npz + ": " + key + " must hold integers ("
                    + e.getMessage() + ")", e);
        }
    }

    private static void check(Path npz, boolean condition, String problem) throws GraphDataException {
        if (!condition) {
            throw new GraphDataException(npz, "inconsistent archive " + npz + ": " + problem + ". Delete it so that"
                    + " it is downloaded again");
        }
    }
}
