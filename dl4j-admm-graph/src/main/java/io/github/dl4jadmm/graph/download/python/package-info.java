/**
 * Readers for the upstream file formats of the benchmark graphs, written for the downloader: Python pickles
 * ({@link io.github.dl4jadmm.graph.download.python.PickleReader}, restricted to the NumPy, SciPy and dict objects
 * the Planetoid files use, executing nothing), pickled or {@code .npy} NumPy arrays of any numeric type
 * ({@link io.github.dl4jadmm.graph.download.python.NdArray}), SciPy sparse matrices
 * ({@link io.github.dl4jadmm.graph.download.python.ScipySparse}) and {@code .npz} archives
 * ({@link io.github.dl4jadmm.graph.download.python.NpzFile}).
 */
package io.github.dl4jadmm.graph.download.python;
