/**
 * Fetching the benchmark graphs from their public originals: {@link io.github.dl4jadmm.graph.download.GraphDownloader}
 * downloads, verifies and converts them into the {@code .npy} folder layout of
 * {@link io.github.dl4jadmm.graph.io.NpyGraphLoader}; {@link io.github.dl4jadmm.graph.download.BenchmarkSource}
 * pins where each comes from and its checksums; {@link io.github.dl4jadmm.graph.download.DataDirectories} finds the
 * data directory ({@code --data-dir}, a system property, an environment variable, or {@code ~/.dl4j-admm/data});
 * {@link io.github.dl4jadmm.graph.download.SplitRecipes} draws the seeded Amazon/Coauthor splits exactly as their
 * Python recipes do.
 */
package io.github.dl4jadmm.graph.download;
