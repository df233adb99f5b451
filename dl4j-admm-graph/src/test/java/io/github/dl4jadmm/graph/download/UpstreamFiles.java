package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.CsrMatrix;
import io.github.dl4jadmm.graph.GraphDataset;
import io.github.dl4jadmm.graph.download.BenchmarkSource.RawFile;
import io.github.dl4jadmm.graph.testing.NpyFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Makes raw files in the upstream formats (Planetoid pickles, gnn-benchmark npz) from a graph, for tests. */
final class UpstreamFiles {

    private UpstreamFiles() {
    }

    /**
     * A graph as raw files describe it: CSR features, labels, and a directed edge list that may hold duplicates,
     * self-loops and one-way edges.
     */
    record Graph(int numNodes, int numFeatures, int[] indptr, int[] indices, float[] values, int[] labels,
                 int numClasses, int[] sources, int[] targets) {

        /** Feature row {@code node} as a dense array. */
        float[] row(int node) {
            float[] row = new float[numFeatures];
            for (int k = indptr[node]; k < indptr[node + 1]; k++) {
                row[indices[k]] += values[k];
            }
            return row;
        }

        /** The graph of a loaded data set (both directions of each edge). */
        static Graph of(GraphDataset dataset) {
            CsrMatrix x = dataset.features();
            return new Graph(dataset.numNodes(), dataset.numFeatures(), x.indptr(), x.indices(), x.values(),
                    dataset.labels(), dataset.numClasses(), dataset.edgeSources(), dataset.edgeTargets());
        }
    }

    /** A random graph: about {@code density} of the features set to small counts, {@code edges} random edges. */
    static Graph random(int numNodes, int numFeatures, int numClasses, int edges, double density, long seed) {
        Random random = new Random(seed);
        int[] indptr = new int[numNodes + 1];
        List<Integer> indices = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int node = 0; node < numNodes; node++) {
            for (int f = 0; f < numFeatures; f++) {
                if (random.nextDouble() < density) {
                    indices.add(f);
                    values.add((float) (1 + random.nextInt(3)));
                }
            }
            indptr[node + 1] = indices.size();
        }
        int[] labels = new int[numNodes];
        for (int node = 0; node < numNodes; node++) {
            labels[node] = random.nextInt(numClasses);
        }
        int[] sources = new int[edges];
        int[] targets = new int[edges];
        for (int e = 0; e < edges; e++) {
            sources[e] = random.nextInt(numNodes);
            targets[e] = random.nextInt(numNodes);
        }
        return new Graph(numNodes, numFeatures, indptr, indices.stream().mapToInt(Integer::intValue).toArray(),
                toFloats(values), labels, numClasses, sources, targets);
    }

    /**
     * The eight Planetoid files of {@code graph}: {@code x} = rows {@code 0..numTrain-1}, {@code allx} = rows
     * {@code 0..allxRows-1}, {@code tx} row {@code i} = node {@code testOrder[i]}, one-hot {@code y} and
     * {@code ally} as int32 and {@code ty} as float64, the neighbour lists of every node with edges, and
     * {@code test.index} in {@code testOrder}.
     */
    static Map<String, byte[]> planetoid(String prefix, Graph graph, int numTrain, int allxRows, int[] testOrder) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        String p = "ind." + prefix + ".";
        files.put(p + "x", rows(graph, java.util.stream.IntStream.range(0, numTrain).toArray()));
        files.put(p + "tx", rows(graph, testOrder));
        files.put(p + "allx", rows(graph, java.util.stream.IntStream.range(0, allxRows).toArray()));
        files.put(p + "y", Py2Pickler.oneHot(Arrays.copyOf(graph.labels(), numTrain), graph.numClasses(), "i4"));
        files.put(p + "ty", Py2Pickler.oneHot(Arrays.stream(testOrder).map(n -> graph.labels()[n]).toArray(),
                graph.numClasses(), "f8"));
        files.put(p + "ally", Py2Pickler.oneHot(Arrays.copyOf(graph.labels(), allxRows), graph.numClasses(), "i4"));
        Map<Integer, List<Integer>> adjacency = new LinkedHashMap<>();
        for (int e = 0; e < graph.sources().length; e++) {
            adjacency.computeIfAbsent(graph.sources()[e], k -> new ArrayList<>()).add(graph.targets()[e]);
        }
        Map<Integer, List<Integer>> ordered = new LinkedHashMap<>();
        adjacency.keySet().stream().sorted().forEach(k -> ordered.put(k, adjacency.get(k)));
        files.put(p + "graph", Py2Pickler.defaultdictOfLists(ordered));
        files.put(p + "test.index", (Arrays.stream(testOrder).mapToObj(Integer::toString)
                .collect(Collectors.joining("\n")) + "\n").getBytes(StandardCharsets.US_ASCII));
        return files;
    }

    private static byte[] rows(Graph graph, int[] nodes) {
        int[] indptr = new int[nodes.length + 1];
        List<Integer> indices = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            int node = nodes[i];
            if (node < graph.numNodes()) {
                for (int k = graph.indptr()[node]; k < graph.indptr()[node + 1]; k++) {
                    indices.add(graph.indices()[k]);
                    values.add(graph.values()[k]);
                }
            }
            indptr[i + 1] = indices.size();
        }
        return Py2Pickler.csrMatrix(nodes.length, graph.numFeatures(), indptr,
                indices.stream().mapToInt(Integer::intValue).toArray(), toFloats(values));
    }

    /**
     * A gnn-benchmark {@code .npz}: {@code attr_*} (float32 data), {@code adj_*} (the edge list as a CSR matrix of
     * ones), {@code labels} (int64), and an object array {@code class_names} that a reader must not need.
     *
     * @param deflated     whether members are compressed ({@code savez_compressed}) or stored ({@code savez})
     * @param int64Indices whether the index arrays are int64 rather than int32
     */
    static byte[] npz(Graph graph, boolean deflated, boolean int64Indices) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("adj_data", npy("<f4", new long[] {graph.sources().length}, floats(ones(graph.sources().length))));
        int[][] adjacency = csrOf(graph.numNodes(), graph.sources(), graph.targets());
        members.put("adj_indices", indexArray(adjacency[1], int64Indices));
        members.put("adj_indptr", indexArray(adjacency[0], int64Indices));
        members.put("adj_shape", npy("<i8", new long[] {2}, longs(graph.numNodes(), graph.numNodes())));
        members.put("attr_data", npy("<f4", new long[] {graph.values().length}, floats(graph.values())));
        members.put("attr_indices", indexArray(graph.indices(), int64Indices));
        members.put("attr_indptr", indexArray(graph.indptr(), int64Indices));
        members.put("attr_shape", npy("<i8", new long[] {2}, longs(graph.numNodes(), graph.numFeatures())));
        members.put("labels", npy("<i8", new long[] {graph.numNodes()},
                longs(Arrays.stream(graph.labels()).asLongStream().toArray())));
        members.put("class_names", npy("|O", new long[] {1}, new byte[] {(byte) 0x80, 2, 'N', '.'}));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                ZipEntry entry = new ZipEntry(member.getKey() + ".npy");
                if (!deflated) {
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(member.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(member.getValue());
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(member.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** CSR row pointer and column indices of a directed edge list, in edge order within each row. */
    private static int[][] csrOf(int numNodes, int[] sources, int[] targets) {
        int[] indptr = new int[numNodes + 1];
        for (int source : sources) {
            indptr[source + 1]++;
        }
        for (int node = 0; node < numNodes; node++) {
            indptr[node + 1] += indptr[node];
        }
        int[] next = Arrays.copyOf(indptr, numNodes);
        int[] indices = new int[sources.length];
        for (int e = 0; e < sources.length; e++) {
            indices[next[sources[e]]++] = targets[e];
        }
        return new int[][] {indptr, indices};
    }

    private static byte[] indexArray(int[] values, boolean int64) {
        return int64 ? npy("<i8", new long[] {values.length}, longs(Arrays.stream(values).asLongStream().toArray()))
                : npy("<i4", new long[] {values.length}, ints(values));
    }

    /** An {@code .npy} file (format 1.0) as bytes. */
    static byte[] npy(String descr, long[] shape, byte[] data) {
        return NpyFiles.bytes(descr, shape, data);
    }

    /** Raw-file pins: the sha256 of each file, or its git blob id (full or to 8 digits), sizes included. */
    static List<RawFile> pins(Map<String, byte[]> files, String how) {
        List<RawFile> pins = new ArrayList<>();
        files.forEach((name, bytes) -> pins.add(switch (how) {
            case "sha256" -> new RawFile(name, bytes.length, sha256(bytes), null);
            case "blob" -> new RawFile(name, -1, null, gitBlob(bytes));
            case "blob8" -> new RawFile(name, -1, null, gitBlob(bytes).substring(0, 8));
            default -> throw new IllegalArgumentException(how);
        }));
        return pins;
    }

    static String sha256(byte[] bytes) {
        return hex("SHA-256", bytes);
    }

    /** {@code git hash-object}: sha1 of {@code "blob <size>\0"} followed by the content. */
    static String gitBlob(byte[] bytes) {
        byte[] prefix = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(prefix, prefix.length + bytes.length);
        System.arraycopy(bytes, 0, all, prefix.length, bytes.length);
        return hex("SHA-1", all);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] ones(int n) {
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        return ones;
    }

    private static float[] toFloats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static byte[] ints(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(values);
        return buffer.array();
    }

    private static byte[] longs(long... values) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return buffer.array();
    }

    private static byte[] floats(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }
}
