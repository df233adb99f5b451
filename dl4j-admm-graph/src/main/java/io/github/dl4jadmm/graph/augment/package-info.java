/**
 * The GA-MLP input: the sparse operator {@code S = D^-1/2 (A+I) D^-1/2}
 * ({@link io.github.dl4jadmm.graph.augment.NormalizedAdjacency}) and the stacked, propagated features
 * {@code [S^k1 H, S^k2 H, ...]} of the split nodes ({@link io.github.dl4jadmm.graph.augment.FeatureAugmenter}),
 * computed chunk by chunk of feature columns so that neither a dense {@code N x F} nor an {@code N x N} matrix is
 * ever held.
 */
package io.github.dl4jadmm.graph.augment;
