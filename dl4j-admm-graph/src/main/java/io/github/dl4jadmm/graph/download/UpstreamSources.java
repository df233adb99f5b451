package io.github.dl4jadmm.graph.download;

import io.github.dl4jadmm.graph.download.BenchmarkSource.Format;
import io.github.dl4jadmm.graph.download.BenchmarkSource.RawFile;
import io.github.dl4jadmm.graph.io.Benchmark;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pinned upstream sources of the six benchmarks, with the checksums recorded in the data folder READMEs
 * (the README.md of each benchmark data folder).
 *
 * <ul>
 *   <li>Planetoid graphs: {@code kimiyoung/planetoid} at commit {@code af6abf46...}, the URL PyTorch Geometric
 *       uses with the commit pinned. The READMEs give each file's git blob id to 8 hex digits (32 bits), so the
 *       raw check catches damaged or changed files but is not proof against deliberate tampering; the full check
 *       is the reference sha256 of the converted {@code .npy} files, which a correct conversion reproduces exactly.
 *       {@code ind.pubmed.allx} is pinned in full (size, sha256, blob id).</li>
 *   <li>Amazon and Coauthor graphs: {@code shchur/gnn-benchmark} {@code data/npz/}, the URL PyTorch Geometric uses
 *       (branch {@code master}; the READMEs pin no commit), each pinned by size, sha256 and git blob id.</li>
 * </ul>
 */
final class UpstreamSources {

    static final URI PLANETOID_BASE = URI.create(
            "https://raw.githubusercontent.com/kimiyoung/planetoid/af6abf468a772cc055bec88c52e4d6f51b7c37e3/data/");
    static final URI GNN_BENCHMARK_BASE = URI.create(
            "https://raw.githubusercontent.com/shchur/gnn-benchmark/master/data/npz/");

    /** Planetoid file suffixes in the order PyTorch Geometric reads them. */
    static final List<String> PLANETOID_SUFFIXES = List.of("x", "tx", "allx", "y", "ty", "ally", "graph",
            "test.index");

    private UpstreamSources() {
    }

    static BenchmarkSource of(Benchmark benchmark) {
        return switch (benchmark) {
            case CORA -> planetoid(benchmark, Map.of(
                            "allx", "44d53b1f", "ally", "04fbd0b0", "graph", "4d3bf85d", "test.index", "ded8092d",
                            "tx", "6e856d77", "ty", "da1734ab", "x", "c4a91d00", "y", "58e30ef1"), null,
                    reference(
                            "edges.npy", "82b2c5119474b1c8a3cb4cc599da5fdae0b0f12a6a991f3e3790d7ff798ea13b",
                            "features_data.npy", "f0fe03c3c45c848b4ac612f5320c247d47426b06d6df9e06939a198a687cab54",
                            "features_indices.npy", "52663bc41a81c6a177c030309dd4682420a40491699084698b3031c01e105ea8",
                            "features_indptr.npy", "3f89606fee83e724c13115e4fdc410175a971b50dd92550d74f8a9f96909b4b2",
                            "features_shape.npy", "58f1d72219c4ebddec1a1c94607bd190e0618fe1c7150b90d9b4a64030a5b952",
                            "labels.npy", "0efe1a4b4d5e9887da16e8103c198807160d407846e329a8b16b3b7acc278304",
                            "test.npy", "75770f49be1b027b1be8f0ef2ad355468ced2be81e277f3aaee56b7da5772396",
                            "train.npy", "6070f6fb2f1f1151a40b49d270368a3b3bf518d3c09b18ef4faf1c4dcd515b7b",
                            "val.npy", "7aae9df250556c7d49380f56d7a8468b1a52d1c77daed933795ae305ec881efa"));
            case CITESEER -> planetoid(benchmark, Map.of(
                            "allx", "59209107", "ally", "7503f81a", "graph", "a01dca66", "test.index", "62d9e3d5",
                            "tx", "b2aff18a", "ty", "3795f79d", "x", "f094104a", "y", "e857ac49"), null,
                    reference(
                            "edges.npy", "ec94ad86873461188bba58afb10a4e5ff5cda849d506d0469549cdf226a5ee2e",
                            "features_data.npy", "ef51ecc62521bf93adda5f1f7879d603330fc05517d7204e7c18293030c392fd",
                            "features_indices.npy", "7d94064239aa6cbe933e4f8f1e9ae4a3003f5b6f16ea899bd90d3d5d97d667a7",
                            "features_indptr.npy", "5e94275632d2bb152e82af892cd361bb68a7bb28f11ab0c3ae309590e235b823",
                            "features_shape.npy", "1479613a3acfff7a3ec5656cb78750fccb81486b3d99ce61bf644bed6b57dbc5",
                            "labels.npy", "2c1b4b09bea9a46d5e4c19f08e13ab1cdbe362f8484de7922c2570c05273ea47",
                            "test.npy", "46050add6ef8c52abd5af47522eac720ebb60b11545dc4655aa57cb66c07eb11",
                            "train.npy", "21038bb831fc30c1bbf8bc505fe5bd20ad267ef408bcd173d771e113776d40de",
                            "val.npy", "63e9cdd6c991fef1acfa2f72dc97312faf165140e5a8da13d26b94226e6577b2"));
            // The project's PubMed folder lacks ind.pubmed.allx, so its feature files have no reference checksum.
            case PUBMED -> planetoid(benchmark, Map.of(
                            "allx", "3b86bccf08111c37c632a9dd8ab63db25ea76361", "ally", "4c8bcdc8", "graph",
                            "76eb87e6", "test.index", "41f6befc", "tx", "eee4f3c9", "ty", "225a0bb9", "x", "16c0eca8",
                            "y", "e8667057"),
                    new RawFile("ind.pubmed.allx", 7_578_385,
                            "508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e",
                            "3b86bccf08111c37c632a9dd8ab63db25ea76361"),
                    reference(
                            "edges.npy", "b369b9d245d313b4215ab07625a867c356b4e9051133799af2b2332ec01f1978",
                            "labels.npy", "c08d4c0a8f4ee5f05634e436bbf203ec9033433177239f1d1ad0bbb55cb1e7eb",
                            "test.npy", "9daece165ea700d90691ad88650b50791c4b22524be5f88d9ae273aed2abe12d",
                            "train.npy", "0ebb6002644980474a0642fba846775097f9a1eb7cd49cfb893706a1b72f8036",
                            "val.npy", "394138beb9ccd602d70371d0ca9eee30b00a0e3160f46d796ba686f9cdde3890"));
            case AMAZON_COMPUTERS -> npz(benchmark, new RawFile("amazon_electronics_computers.npz", 31_921_488,
                            "736ba1d9fd85eac2da83a5ad25c463f04b0031a6ca01563f90a7099d9e8ffb2c",
                            "8120e4148a330b3fafe37c4476823302d9d834b9"),
                    reference(
                            "edges.npy", "7c6a5d569ff9069a43e07bfef2f2f32a80617434530d16691a7375f0a36d0c89",
                            "features_data.npy", "3b4bc29f8172d297cf985a7b6c166fcbe01c5237c0253393a17632c05a3745e0",
                            "features_indices.npy", "e16aa63cd1c6afdc2a0ed5851c6a67f56ced99fa6b2312e942dda2d42ac69361",
                            "features_indptr.npy", "ab3e4de7c5ffd9a8e0f9e75aa3547dac43e169f6a384cecaee4182704ac39d54",
                            "features_shape.npy", "4fa2c41c581b7bf29baf5c44df3269312f3f145a8dfa03d9c9bd052318f841f2",
                            "labels.npy", "91151b269fb12e2b0929759da16a42aeb014f7d26ce0f68ae03d816d93935bf8",
                            "pdadmm_test.npy", "836baf47ed2cf15a951ab059f3ea3203231cfcc642560270dc05fd16fcdc0688",
                            "pdadmm_train.npy", "cf9edab2ee9bab9a9e78bfc86fa8117696069938f3d4d009ebe8649a31a36d33",
                            "pdadmm_val.npy", "e7d24d037b0bbbb67d59dbd88e052e6c700ef5403ceac5a08a8990514c1ba9f4",
                            "test.npy", "67788cbc6fc97b742ce02404fff50b6eaa8617e8811c52800ea4735a59e87909",
                            "train.npy", "e4ba9e042eda459a13506a32bb6b1473ee0130c48133d715a9f954d5559c93ab",
                            "val.npy", "c7fdc9c889e4197639f4c50275156b6840b0e733b98631e16a4a46f6f041cc59"));
            case AMAZON_PHOTO -> npz(benchmark, new RawFile("amazon_electronics_photo.npz", 17_113_960,
                            "bdb1feb8e6ff42ee44024b04479145029c563fd42fc31bff80af20887ba0439a",
                            "97323743cb56aca9dd611f5b4b46862c1c9c6bd9"),
                    reference(
                            "edges.npy", "7a88a2d55271f66e8a7dcf5729fd6c02bfb30809d782271346408c3f3bff3b14",
                            "features_data.npy", "dfad231c4f07d5b5c21f0b5cea932264e848b990af3a52c3df7bb6bf860a0b9b",
                            "features_indices.npy", "f83094febd7ba0e7cf1e962d220fc6010a0153839295fcbe8b42ada523ebea42",
                            "features_indptr.npy", "d677aa8e7062b38bc0a10073ddc2a33e75d01beff92ed025e99b49cd88dfeff2",
                            "features_shape.npy", "dc3960b46486da1327dd41407099ac4b6719a2f5099d0691d2b5e104e8a280f2",
                            "labels.npy", "23f36b238bf8ad672294c079673bc2455ebcf1ee4c6665e610adc16d0d44913a",
                            "pdadmm_test.npy", "ab6acac9d5c3001ca34e3316517acda41cbc46243c649d71e858e7029a49b74b",
                            "pdadmm_train.npy", "fae8d717526a8837f82248e51a86178b00ef87a8f02accd6d58456309ef305a8",
                            "pdadmm_val.npy", "bc3930244584a22934f7d3b4bd24b79f5d44b313f3547eb6bdff199edd977fb0",
                            "test.npy", "521fda12f3dd7177f3a21a009229b6e954be100e3ad1847d777099a70e5fc552",
                            "train.npy", "2bac81f8bf6e4616fbfc1e40d2f8b5c91f95d81ea006c32a5628e248a8a88706",
                            "val.npy", "d621ac15ae0ec09cbe51d5515a65e057824aad84a03cb6d149cfc5a63064868a"));
            case COAUTHOR_CS -> npz(benchmark, new RawFile("ms_academic_cs.npz", 12_835_626,
                            "933c745734e78908c7eb77172a673fee0503f30e26e5a99b36814d88534c42e3",
                            "9bdd7da943d86b74297e8d32e99eb64245b52835"),
                    reference(
                            "edges.npy", "361abdf24a8039206aec791c6427c63881b8df474720e4b2e2df619c1d6b2ff7",
                            "features_data.npy", "f26861e73a56f44ae37368012449e68e98528358e35a94e096cf804f83dc4057",
                            "features_indices.npy", "284e7630fd411138e155131f67d42dd4e0a4051cad896c056bd598ec5b48b558",
                            "features_indptr.npy", "f79b28ac9e11b131af4ded400f2b59806bdaf12dbca55161882f081c5aea668e",
                            "features_shape.npy", "7ea9004cdf6901a5ea9b216a798b0edd7cb6b90c27b1c12727e68063d3b4be51",
                            "labels.npy", "e9de6b2f3907421ba85360dfa848c9aa1450482fefce9011c90ff4328a1410c2",
                            "pdadmm_test.npy", "5f84f0b8f3397eb15a00f1c38d739a6641a75b8c044b3a43af73f0edd8156a08",
                            "pdadmm_train.npy", "650e97d48e878ef7f6760f78429dce981cbcfa4caf7d5abc116ee5f9dc638063",
                            "pdadmm_val.npy", "a7c80595338733a8e3d5dbf9e96d382735eb8ad64c94a041b7a7789af48edf36",
                            "test.npy", "d37a918668cb9f40b70a45bd6762ce70f0c4d81c99e1cadab60f0c1336051d26",
                            "train.npy", "b82086ef9b1bdf22a2450ec68319950200258eb97a654f9257911ccd1fad06af",
                            "val.npy", "1d5fe0771a9ccb4fbce726df7aae28a278811004c9ee779a169f4e774c7f8ff5"));
        };
    }

    private static BenchmarkSource planetoid(Benchmark benchmark, Map<String, String> blobIds, RawFile fullyPinned,
                                             Map<String, String> reference) {
        String prefix = "ind." + benchmark.folderName() + ".";
        List<RawFile> files = new ArrayList<>();
        for (String suffix : PLANETOID_SUFFIXES) {
            String name = prefix + suffix;
            files.add(fullyPinned != null && fullyPinned.name().equals(name) ? fullyPinned
                    : new RawFile(name, -1, null, blobIds.get(suffix)));
        }
        return new BenchmarkSource(benchmark, Format.PLANETOID, PLANETOID_BASE, files, reference,
                benchmark.numNodes(), benchmark.numFeatures(), benchmark.numClasses());
    }

    private static BenchmarkSource npz(Benchmark benchmark, RawFile file, Map<String, String> reference) {
        return new BenchmarkSource(benchmark, Format.GNN_BENCHMARK_NPZ, GNN_BENCHMARK_BASE, List.of(file),
                reference, benchmark.numNodes(), benchmark.numFeatures(), benchmark.numClasses());
    }

    private static Map<String, String> reference(String... nameThenSha256) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSha256.length; i += 2) {
            map.put(nameThenSha256[i], nameThenSha256[i + 1]);
        }
        return map;
    }
}
