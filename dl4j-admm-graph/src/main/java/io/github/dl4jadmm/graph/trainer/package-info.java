/**
 * pdADMM-G on a user's {@code ComputationGraph}: {@link io.github.dl4jadmm.graph.trainer.ComputationGraphAdapter}
 * (a chain of dense layers, optionally after a {@code MergeVertex} of the network inputs, such as the GA-MLP graph)
 * and {@link io.github.dl4jadmm.graph.trainer.PdAdmmGraphTrainer}, which feeds a {@code MultiDataSet} to the core
 * {@link io.github.dl4jadmm.trainer.PdAdmmTrainer}.
 */
package io.github.dl4jadmm.graph.trainer;
