/**
 * Graph node-classification data: {@link io.github.dl4jadmm.graph.GraphDataset} (sparse features, undirected edges,
 * labels, a {@link io.github.dl4jadmm.graph.NodeSplit}) and its building blocks. Loaders live in
 * {@code io.github.dl4jadmm.graph.io}, the GA-MLP feature augmentation in {@code io.github.dl4jadmm.graph.augment},
 * the GA-MLP network builder in {@code io.github.dl4jadmm.graph.model}. Generated graphs: {@link
 * io.github.dl4jadmm.graph.SyntheticGraph} (small, in memory) and {@link io.github.dl4jadmm.graph.ContextualSbm}
 * (millions of nodes, written to the {@code .npy} layout).
 *
 * <pre>{@code
 * GraphDataset cora = NpyGraphLoader.loadBenchmark(Benchmark.CORA, dataDir);
 * AugmentedSplits splits = FeatureAugmenter.withDefaults().augment(cora);   // [H, SH, ..., S^4H]
 * MultiLayerNetwork net = GaMlp.builder().forSplits(splits).build().createNetwork();
 * net.fit(splits.dataSet(SplitPart.TRAIN));
 * }</pre>
 */
package io.github.dl4jadmm.graph;
