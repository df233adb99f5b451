/**
 * The drop-in trainer: pdADMM-G on a user's existing DL4J network, which is left a normal network afterwards.
 *
 * <pre>{@code
 * MultiLayerNetwork net = ...;   // DenseLayers + OutputLayer(MCXENT, SOFTMAX), net.init()
 * net.setListeners(new ScoreIterationListener(10), new AdmmLoggingListener(10));
 * PdAdmmTrainer trainer = new PdAdmmTrainer.Builder().nu(1).rho(5).mu(1).iterations(200).build();
 * trainer.fit(net, trainData);
 * Evaluation eval = net.evaluate(testIterator);
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.github.dl4jadmm.trainer.PdAdmmTrainer}: the trainer (builder, fit, resume);</li>
 *   <li>{@link io.github.dl4jadmm.trainer.NetworkAdapter}, {@link io.github.dl4jadmm.trainer.MultiLayerNetworkAdapter},
 *       {@link io.github.dl4jadmm.trainer.DenseLayerSpec}: a network seen as a chain of dense blocks, and the
 *       refusal of everything else ({@link io.github.dl4jadmm.trainer.UnsupportedNetworkException});</li>
 *   <li>{@link io.github.dl4jadmm.trainer.TrainingData}, {@link io.github.dl4jadmm.trainer.MemoryEstimate}: the
 *       checks before any work;</li>
 *   <li>{@link io.github.dl4jadmm.trainer.AdmmTrainingListener}, {@link io.github.dl4jadmm.trainer.AdmmLoggingListener}:
 *       ADMM metrics for listeners that sit beside DL4J's own.</li>
 * </ul>
 * The {@code ComputationGraph} adapter lives in {@code dl4j-admm-graph} ({@code io.github.dl4jadmm.graph.trainer}).
 */
package io.github.dl4jadmm.trainer;
