/**
 * Q-GADMM and Q-SGADMM: decentralised, quantised group ADMM over a chain of workers (algorithms.md §3).
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.github.dl4jadmm.gadmm.GadmmTrainer}: the engine. Heads (odd workers), then tails, then the duals;
 *       each worker a task on an executor, pinned to its device; models travel only through a
 *       {@link io.github.dl4jadmm.comm.Channel}. {@code GadmmTrainer.forWorkers} holds only a range of the chain's
 *       workers, for one rank of a distributed run ({@code io.github.dl4jadmm.distributed.DistributedGadmm}).</li>
 *   <li>{@link io.github.dl4jadmm.gadmm.GadmmConfig}: rho, alpha, iterations, exact or quantised models
 *       ({@link io.github.dl4jadmm.quant.QuantizerConfig} mode NONE or DELTA), {@link
 *       io.github.dl4jadmm.gadmm.BitWidthRule}, threads, devices, seeds; validating builder, JSON.</li>
 *   <li>{@link io.github.dl4jadmm.gadmm.LocalSolver}: the primal step {@code argmin f_n + penalty/2 ||theta||^2 -
 *       <linear, theta>}; {@link io.github.dl4jadmm.gadmm.LinearRegressionSolver} (closed form, cached Cholesky),
 *       {@link io.github.dl4jadmm.gadmm.LogisticRegressionSolver} (Newton), {@link
 *       io.github.dl4jadmm.gadmm.NetworkSolver} (a few steps of a DL4J network's own updater).</li>
 *   <li>{@link io.github.dl4jadmm.gadmm.BroadcastDeltaCodec}: the wire format. One stochastic quantisation per
 *       worker and message (the quantiser of {@link io.github.dl4jadmm.quant.StochasticQuantizer}, the packing of
 *       {@link io.github.dl4jadmm.quant.BitPacker}), the same bytes delivered to both neighbours.</li>
 *   <li>{@link io.github.dl4jadmm.gadmm.SgadmmTrainer}: Q-SGADMM for a user's {@code MultiLayerNetwork}.</li>
 * </ul>
 *
 * <h2>Byte accounting</h2>
 * A channel counts every delivery: a worker with two neighbours sends its message over two point-to-point links
 * and is counted twice ({@code wireBytes}, headers included). The paper counts a broadcast once:
 * {@code b d + 32} bits per quantised segment, {@code 32 d} for an exact model ({@code paperBits}). Both are reported
 * in {@link io.github.dl4jadmm.gadmm.GadmmIterationMetrics}.
 *
 * <h2>Why there is no ParallelWrapper route</h2>
 * {@code ParallelWrapper} (deeplearning4j-parallel-wrapper, not a dependency) was considered as a front end through
 * a custom {@code TrainerContext} and rejected, because in 1.0.0-M2.1 it cannot run Q-SGADMM correctly:
 * <ol>
 *   <li><b>Incomplete rounds deadlock the chain.</b> {@code fit(iterator)} takes up to {@code workers} DataSets per
 *       round and feeds only that many trainers ({@code for pos < dataSets.length}); at the end of an epoch a round
 *       can be short. A tail waits for its heads' models of the same iteration, a head for its tails'; a trainer
 *       that is not fed never sends, and its neighbours block forever. Making the waits tolerate absent neighbours
 *       would skip dual updates on one end of an edge only, so the two copies of {@code lambda_n} would differ,
 *       which algorithms.md §3.1 forbids.</li>
 *   <li><b>No end-of-round hook.</b> The dual step needs all of a round's models; {@code
 *       TrainerContext.finalizeRound} and {@code finalizeTraining} are never called, so neither the dual step nor
 *       writing the consensus model back into the user's network has a place to run. The wrapper only writes
 *       parameters back while averaging, which ADMM must switch off.</li>
 *   <li><b>No fixed shards.</b> The wrapper deals DataSets from one shared iterator round-robin, so worker
 *       {@code n}'s loss {@code f_n} changes from round to round; decentralised ADMM is defined on fixed local
 *       data, and round-robin dealing also breaks the heads-then-tails order within a round.</li>
 *   <li><b>Configuration traps.</b> {@code Builder.trainerFactory(ctx)} is silently replaced by {@code build()}
 *       (only {@code setTrainerContext} after {@code build()} sticks), and {@code build()} moves the model's
 *       listeners into the wrapper.</li>
 * </ol>
 * What ParallelWrapper would add, one replica per worker on its own thread pinned to a device, is what {@link
 * io.github.dl4jadmm.gadmm.SgadmmTrainer} does directly (replicas via {@code net.clone()}, an executor,
 * {@code Nd4j.getAffinityManager()} pinning), with fixed shards and complete rounds.
 */
package io.github.dl4jadmm.gadmm;
