/**
 * Reading graphs from disk: the {@code .npy} folder layout of the project's data directory
 * ({@link io.github.dl4jadmm.graph.io.NpyGraphLoader}, the six paper benchmarks in
 * {@link io.github.dl4jadmm.graph.io.Benchmark}) and a user's own CSV files
 * ({@link io.github.dl4jadmm.graph.io.CsvGraphLoader}). Every failure names the file and the problem.
 */
package io.github.dl4jadmm.graph.io;
