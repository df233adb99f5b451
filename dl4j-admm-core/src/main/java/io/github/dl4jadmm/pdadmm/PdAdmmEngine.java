package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.Direction;
import io.github.dl4jadmm.comm.LocalChannel;
import io.github.dl4jadmm.comm.RawTensorCodec;
import io.github.dl4jadmm.comm.TensorCodec;
import io.github.dl4jadmm.comm.TensorDecoder;
import io.github.dl4jadmm.comm.TensorEncoder;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.parallel.PhaseExecutor;
import io.github.dl4jadmm.quant.GridCodec;
import io.github.dl4jadmm.quant.QuantizationGrid;
import io.github.dl4jadmm.quant.QuantizerConfig;
import io.github.dl4jadmm.quant.Quantizers;
import io.github.dl4jadmm.trainer.HugePages;
import io.github.dl4jadmm.trainer.MemoryBudgetExceededException;
import io.github.dl4jadmm.trainer.MemoryEstimate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * pdADMM-G: gradient-free, layer-parallel ADMM training of an MLP (algorithms.md §1). The network is split into
 * one {@link LayerBlock} per layer; in each iteration every block runs the updates of §1.1 on its own variables,
 * all blocks of a phase at once, and only {@code p} (backward) and {@code q} (forward) cross a boundary, through
 * the {@link Channel}.
 *
 * <pre>{@code
 * PdAdmmEngine engine = PdAdmmEngine.withRandomWeights(MlpArchitecture.uniform(784, 100, 10, 4),
 *         PdAdmmConfig.builder().nu(1).rho(5).mu(1).iterations(200).build(), x, y);
 * engine.fit();
 * INDArray probabilities = engine.output(xTest);
 * }</pre>
 *
 * Not thread-safe: drive it from one thread. {@link #close()} releases the block executor.
 */
public final class PdAdmmEngine implements AutoCloseable {

    private final MlpArchitecture architecture;
    private final PdAdmmConfig config;
    private final INDArray features;
    private final INDArray labels;
    private final Channel channel;
    private final QuantizationGrid[] grids;
    private final List<LayerBlock> blocks = new ArrayList<>();
    /** Whether {@link #close()} has freed the blocks' row arrays. */
    private boolean released;
    private final List<PdAdmmListener> listeners = new ArrayList<>();
    private final PhaseExecutor executor;
    private final int nd4jThreads;
    private double nu;
    private double rho;
    private int iteration;
    private boolean forwardPending;
    /** The rho of the last phase B: the right-hand copy of each dual update must use it, even if rho changed since. */
    private double pendingDualRho;
    /** The layers whose blocks live in this engine (all of them unless it is one rank of a distributed run). */
    private final int firstLayer;
    private final int lastLayer;
    private double bestScheduleLoss = Double.POSITIVE_INFINITY;
    private int sinceImprovement;
    /** Where a rank-local engine gets the terms of the other ranks' layers; null: this engine's layers only. */
    private LayerTermsExchange layerTerms;
    /** Where a rank-local engine gets the whole network's training loss; null: it cannot. */
    private TrainingLossExchange trainingLoss;
    /** Default rows per chunk of an evaluation forward pass ({@link #evaluationChunkRows()}). */
    public static final int DEFAULT_EVALUATION_CHUNK_ROWS = 16_384;
    private int evaluationChunkRows = DEFAULT_EVALUATION_CHUNK_ROWS;

    /**
     * Sets up the blocks and initialises every variable (algorithms.md §1.1, Initialisation). The weights are
     * copied; use {@link #weight(int)} and {@link #bias(int)} to read the trained values.
     *
     * @param architecture the network
     * @param config       the run's configuration
     * @param features     training inputs {@code X}, {@code N x n_0}, rows are samples
     * @param labels       training targets {@code Y}, {@code N x n_L} (one-hot for softmax cross-entropy)
     * @param weights      {@code W_1 .. W_L}, each {@code [n_{l-1}, n_l]} (DL4J's layout)
     * @param biases       {@code b_1 .. b_L}, each of length {@code n_l}
     * @param transport    builds the channel where boundary tensors travel around the codec that the engine's
     *                     quantizer configuration calls for (e.g. {@code LocalChannel::new})
     * @throws IllegalArgumentException if any shape disagrees with the architecture
     * @throws MemoryBudgetExceededException before any allocation, if the run's {@link MemoryEstimate} exceeds
     *                                       {@link MemoryEstimate#defaultBudget()}; the message gives the estimate
     *                                       and over how many ranks ({@code dl4j-admm worker}, Spark tasks) it fits
     */
    public PdAdmmEngine(MlpArchitecture architecture, PdAdmmConfig config, INDArray features, INDArray labels,
                        List<INDArray> weights, List<INDArray> biases, Function<TensorCodec, Channel> transport) {
        this(architecture, config, features, labels, weights, biases, transport, 1,
                architecture == null ? 0 : architecture.layers(), null, MemoryEstimate.defaultBudget());
    }

    /**
     * The blocks of layers {@code firstLayer .. lastLayer} only, for one rank of a distributed run (see
     * {@code io.github.dl4jadmm.distributed.DistributedPdAdmm}): the other layers live in other processes and are
     * reached through {@code transport}'s channel, which must block in {@link Channel#receive} until the
     * neighbour's message arrives. The initial forward pass crosses the rank boundaries like every later q.
     * Only what one rank can compute alone is available: forward passes ({@link #output}) need every layer and are
     * refused; its metrics are those of the owned layers unless {@link #shareLayerTerms} brings in the others' (which
     * RESIDUAL_BALANCING and a residual tolerance need), and the training loss (which the STALL_X10 schedule needs)
     * comes from a forward pass over the ranks through {@link #shareTrainingLoss}.
     *
     * @param weights    {@code W_1 .. W_L} of the whole network (only those of the owned layers are used)
     * @param biases     {@code b_1 .. b_L}
     * @param firstLayer first owned layer, 1-based
     * @param lastLayer  last owned layer, inclusive
     */
    public static PdAdmmEngine forLayers(MlpArchitecture architecture, PdAdmmConfig config, INDArray features,
                                         INDArray labels, List<INDArray> weights, List<INDArray> biases,
                                         int firstLayer, int lastLayer, Function<TensorCodec, Channel> transport) {
        checkRange(architecture, firstLayer, lastLayer);
        if (weights == null || biases == null || weights.size() != architecture.layers()
                || biases.size() != architecture.layers()) {
            throw new IllegalArgumentException("give the weights and biases of all " + architecture.layers()
                    + " layers (the engine keeps those of layers " + firstLayer + ".." + lastLayer + ")");
        }
        return new PdAdmmEngine(architecture, config, features, labels, weights.subList(firstLayer - 1, lastLayer),
                biases.subList(firstLayer - 1, lastLayer), transport, firstLayer, lastLayer, null,
                MemoryEstimate.defaultBudget());
    }

    /**
     * How a rank-local engine ({@link #forLayers}) learns the terms of the layers that other processes hold, so that
     * its metrics, the residual-balancing schedule and the residual tolerance see the whole network.
     */
    @FunctionalInterface
    public interface LayerTermsExchange {
        /**
         * @param own one row per owned layer, in order ({@link #TERMS} values each)
         * @return one row per layer {@code 1 .. L} of the network, in order; every rank must get the same rows
         */
        double[][] allLayers(double[][] own);
    }

    /**
     * Values per layer in a {@link LayerTermsExchange} row: the layer's share of the objective, of the risk, of the
     * coupling terms, of the squared primal residual and of the squared change of q, and its step rejections.
     */
    public static final int TERMS = 6;

    /**
     * Makes this rank-local engine sum its metrics over the whole network through {@code exchange} (called once per
     * iteration, by every rank), summing in layer order as one engine would. Needed by the RESIDUAL_BALANCING schedule
     * and a residual tolerance, which a rank-local engine otherwise refuses at its first iteration.
     */
    public PdAdmmEngine shareLayerTerms(LayerTermsExchange exchange) {
        this.layerTerms = exchange;
        return this;
    }

    /**
     * How a rank-local engine ({@link #forLayers}) takes part in a forward pass of the whole network over the ranks,
     * for the training loss and accuracy: each rank in turn runs its own layers on what the previous rank passed
     * on, and the last rank's result reaches every rank.
     */
    @FunctionalInterface
    public interface TrainingLossExchange {
        /**
         * @param ownLayers the forward pass through this engine's layers: takes the activations entering its first
         *                  layer ({@code null} on the rank that holds layer 1: the training features) and returns
         *                  those leaving its last layer (the output pre-activation {@code z_L} on the last rank)
         * @param lossOf    on the rank that holds layer L: {@code z_L} to {training loss per sample, training
         *                  accuracy}
         * @return the last rank's {@code lossOf}, the same two values on every rank
         */
        double[] wholeNetwork(UnaryOperator<INDArray> ownLayers, Function<INDArray, double[]> lossOf);
    }

    /**
     * Makes this rank-local engine compute the whole network's training loss through {@code exchange} (called by
     * every rank in each iteration where the loss is needed: every iteration under the STALL_X10 schedule, and at the
     * {@link PdAdmmConfig#evaluationFrequency() evaluation frequency}), as one engine computes it; a rank-local
     * engine refuses STALL_X10 at its first iteration without it.
     */
    public PdAdmmEngine shareTrainingLoss(TrainingLossExchange exchange) {
        this.trainingLoss = exchange;
        return this;
    }

    /** Whether {@code config} needs the training loss of the whole network in every iteration (STALL_X10). */
    public static boolean needsTrainingLoss(PdAdmmConfig config) {
        return config.rhoSchedule() == RhoSchedule.STALL_X10;
    }

    private static void checkRange(MlpArchitecture architecture, int firstLayer, int lastLayer) {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture must not be null");
        }
        if (firstLayer < 1 || lastLayer > architecture.layers() || firstLayer > lastLayer) {
            throw new IllegalArgumentException("owned layers " + firstLayer + ".." + lastLayer + " are not a range "
                    + "within 1.." + architecture.layers());
        }
    }

    /**
     * Checkpoint support ({@link PdAdmmCheckpoint#resume}): the engine of layers {@code firstLayer .. lastLayer} with
     * the saved state, its blocks built from the saved arrays themselves ({@link LayerBlock#restored}), without the
     * initial forward pass: nothing crosses the channel and no saved variable is recomputed.
     *
     * @param restored the checkpoint's state; its arrays are taken over by the blocks
     */
    PdAdmmEngine(MlpArchitecture architecture, PdAdmmConfig config, INDArray features, INDArray labels,
                 PdAdmmCheckpoint.EngineState restored, Function<TensorCodec, Channel> transport, int firstLayer,
                 int lastLayer) {
        this(architecture, config, features, labels, savedArrays(restored, "W", firstLayer, lastLayer),
                savedArrays(restored, "b", firstLayer, lastLayer), transport, firstLayer, lastLayer, restored,
                MemoryEstimate.defaultBudget());
    }

    /**
     * The common constructor: {@code weights} and {@code biases} are those of the owned layers; with
     * {@code restored} (null for a fresh run) the blocks are built from a checkpoint's state instead of being
     * initialised.
     */
    private PdAdmmEngine(MlpArchitecture architecture, PdAdmmConfig config, INDArray features, INDArray labels,
                         List<INDArray> weights, List<INDArray> biases, Function<TensorCodec, Channel> transport,
                         int firstLayer, int lastLayer, PdAdmmCheckpoint.EngineState restored, long memoryBudget) {
        checkRange(architecture, firstLayer, lastLayer);
        validate(architecture, features, labels, weights, biases, firstLayer, lastLayer);
        if (transport == null) {
            throw new IllegalArgumentException("transport must not be null; use LocalChannel::new");
        }
        requireMemory(architecture, config, features.rows(), firstLayer, lastLayer, memoryBudget);
        this.firstLayer = firstLayer;
        this.lastLayer = lastLayer;
        this.architecture = architecture;
        this.config = config;
        this.grids = new QuantizationGrid[architecture.layers()];
        this.channel = transport.apply(transferCodec());
        this.nu = config.nu();
        this.rho = config.rho();
        DataType type = config.dataType();
        int layers = architecture.layers();
        int[] devices = Devices.placement(layers, config.devicePlacement());
        this.features = features.castTo(type).dup('c');
        this.labels = labels.castTo(type).dup('c');
        int owned = lastLayer - firstLayer + 1;
        int threads = config.threads() > 0 ? config.threads()
                : Math.min(owned, Runtime.getRuntime().availableProcessors());
        int cores = Runtime.getRuntime().availableProcessors();
        boolean parallel = config.executionMode() == ExecutionMode.PARALLEL;
        this.nd4jThreads = config.nd4jThreads() > 0 ? config.nd4jThreads()
                : parallel ? Math.max(1, cores / threads) : cores;
        this.executor = PhaseExecutor.withThreads(parallel ? threads : 1, "pdadmm-block", nd4jThreads);
        if (restored == null) {
            initialise(weights, biases, devices, type);
        } else {
            restore(restored, devices, type);
        }
    }

    /** The saved {@code name} ("W" or "b") of every block of a checkpoint's state, in layer order. */
    private static List<INDArray> savedArrays(PdAdmmCheckpoint.EngineState state, String name, int firstLayer,
                                              int lastLayer) {
        if (state.blockArrays.size() != lastLayer - firstLayer + 1) {
            throw new IllegalArgumentException("checkpoint has " + state.blockArrays.size() + " layers, the engine "
                    + (lastLayer - firstLayer + 1) + " (" + firstLayer + ".." + lastLayer + ")");
        }
        List<INDArray> saved = new ArrayList<>();
        for (int i = 0; i < state.blockArrays.size(); i++) {
            INDArray value = state.blockArrays.get(i).get(name);
            if (value == null) {
                throw new IllegalArgumentException("checkpoint lacks variable " + name + " of layer "
                        + (firstLayer + i));
            }
            saved.add(value);
        }
        return saved;
    }

    /**
     * The main constructor with an explicit memory budget instead of {@link MemoryEstimate#defaultBudget()} (what
     * {@code PdAdmmTrainer.Builder.memoryBudget} passes on).
     *
     * @param memoryBudget bytes this engine may take; more is refused before anything is allocated
     * @throws MemoryBudgetExceededException if the {@link MemoryEstimate} exceeds {@code memoryBudget}; its message
     *                                       gives the estimate and the number of ranks that would fit
     */
    public static PdAdmmEngine withMemoryBudget(MlpArchitecture architecture, PdAdmmConfig config, INDArray features,
                                                INDArray labels, List<INDArray> weights, List<INDArray> biases,
                                                Function<TensorCodec, Channel> transport, long memoryBudget) {
        if (memoryBudget <= 0) {
            throw new IllegalArgumentException("memoryBudget must be positive (bytes), got " + memoryBudget);
        }
        return new PdAdmmEngine(architecture, config, features, labels, weights, biases, transport, 1,
                architecture == null ? 0 : architecture.layers(), null, memoryBudget);
    }

    /**
     * Refuses, before any allocation, an engine whose blocks would not fit {@code budget}
     * ({@link MemoryEstimate}: the owned layers' N-row arrays and the engine's copy of the data).
     */
    private static void requireMemory(MlpArchitecture architecture, PdAdmmConfig config, long rows, int firstLayer,
                                      int lastLayer, long budget) {
        MemoryEstimate estimate = MemoryEstimate.of(architecture, rows, config.dataType());
        if (firstLayer == 1 && lastLayer == architecture.layers()) {
            estimate.requireWithin(budget);
        } else if (estimate.rankBytes(firstLayer, lastLayer) > budget) {
            throw new MemoryBudgetExceededException(estimate, budget, firstLayer, lastLayer);
        }
        HugePages.adviseFor(estimate.rankBytes(firstLayer, lastLayer));
    }

    /** An engine whose blocks talk through an in-JVM {@link LocalChannel}. See the main constructor. */
    public PdAdmmEngine(MlpArchitecture architecture, PdAdmmConfig config, INDArray features, INDArray labels,
                        List<INDArray> weights, List<INDArray> biases) {
        this(architecture, config, features, labels, weights, biases, LocalChannel::new);
    }

    /**
     * The codec of the boundary links for the configured quantizer (algorithms.md §2): raw floats; in GRID mode
     * {@code p} as indices into the boundary's grid (lossless, since the p-step keeps {@code p} on it) and
     * {@code q} raw unless it is projected too; in DELTA mode both directions delta-coded.
     */
    private TensorCodec transferCodec() {
        QuantizerConfig q = config.quantizer();
        return switch (q.mode()) {
            case NONE -> RawTensorCodec.INSTANCE;
            case DELTA -> Quantizers.codecFor(q);
            case GRID -> {
                // a rank that holds the receiving end of a boundary learns its grid from the first message on it
                TensorCodec grid = GridCodec.perLink(link -> grids[link.boundary()], this::learnGrid);
                yield config.projectQ() ? grid : byDirection(grid, RawTensorCodec.INSTANCE);
            }
        };
    }

    private void learnGrid(Transfer link, QuantizationGrid grid) {
        if (grids[link.boundary()] == null) {
            grids[link.boundary()] = grid;
        }
    }

    private static TensorCodec byDirection(TensorCodec backward, TensorCodec forward) {
        return new TensorCodec() {
            @Override
            public String name() {
                return backward.name() + "-p/" + forward.name() + "-q";
            }

            @Override
            public TensorEncoder newEncoder(Transfer link) {
                return (link.direction() == Direction.BACKWARD ? backward : forward).newEncoder(link);
            }

            @Override
            public TensorDecoder newDecoder(Transfer link) {
                return (link.direction() == Direction.BACKWARD ? backward : forward).newDecoder(link);
            }
        };
    }

    /**
     * An engine on a network with freshly initialised weights (Xavier normal, zero biases, seeded by
     * {@link PdAdmmConfig#seed()}) and an in-JVM lossless channel.
     *
     * @throws MemoryBudgetExceededException before any allocation, if the run does not fit
     *                                       {@link MemoryEstimate#defaultBudget()} (see the main constructor)
     */
    public static PdAdmmEngine withRandomWeights(MlpArchitecture architecture, PdAdmmConfig config,
                                                 INDArray features, INDArray labels) {
        InitialWeights initial = InitialWeights.xavier(architecture, config.seed());
        return new PdAdmmEngine(architecture, config, features, labels, initial.weights(), initial.biases());
    }

    private void initialise(List<INDArray> weights, List<INDArray> biases, int[] devices, DataType type) {
        int layers = architecture.layers();
        INDArray input;
        if (firstLayer == 1) {
            input = features;
        } else {
            // the previous layer lives in another process: its initial q arrives like any later one
            input = channel.receive(Transfer.forward(firstLayer - 1));
            if (config.quantizer().mode() == QuantizerConfig.Mode.GRID && grids[firstLayer - 1] == null) {
                // q travelled raw (not projected): the sender built the grid from this very tensor
                grids[firstLayer - 1] = Quantizers.gridFor(config.quantizer(), input);
            }
        }
        for (int l = firstLayer; l <= lastLayer; l++) {
            int device = devices[l - 1];
            Devices.pin(device);
            INDArray w = Devices.copyTo(device, weights.get(l - firstLayer).castTo(type));
            INDArray b = Devices.copyTo(device, biases.get(l - firstLayer).castTo(type)
                    .reshape(1, architecture.outputsOf(l)));
            INDArray p = l == 1 ? Devices.copyTo(device, input) : input;
            LayerBlock block = new LayerBlock(l, layers, device, architecture.activation(), architecture.risk(),
                    l == layers ? Devices.copyTo(device, labels) : null, p, w, b);
            block.inputGrid = l > 1 ? grids[l - 1] : null;
            block.exactTransfers = config.quantizer().mode() != QuantizerConfig.Mode.DELTA;
            if (l > 1) {
                block.acceptInitialInput(input);
            }
            if (l == layers && config.initialization() == Initialization.WARM_START) {
                block.warmStartOutput();
            }
            blocks.add(block);
            if (l < layers && config.quantizer().mode() == QuantizerConfig.Mode.GRID) {
                // the boundary's grid comes from the activations of the first forward pass
                grids[l] = Quantizers.gridFor(config.quantizer(), block.q);
                if (config.projectQ()) {
                    block.outputGrid = grids[l];
                    grids[l].projectInPlace(block.q);
                }
            }
            if (l < layers) {
                // the initial forward pass crosses the boundary like any other q: encoded and counted
                Transfer link = Transfer.forward(l);
                INDArray sent = channel.send(link, block.q);
                if (!block.exactTransfers) {
                    block.q.assign(sent);
                }
                if (l < lastLayer) {
                    input = channel.receive(link);
                }
            }
        }
    }

    /** Registers a listener, called after every iteration in registration order. */
    public PdAdmmEngine addListener(PdAdmmListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Runs {@link PdAdmmConfig#iterations()} iterations, stopping early if the residual falls below
     * {@link PdAdmmConfig#residualTolerance()}.
     *
     * @return the metrics of every iteration run
     * @throws AdmmDivergenceException if a variable becomes NaN or infinite
     */
    public List<IterationMetrics> fit() {
        return fit(config.iterations());
    }

    /** Runs up to {@code iterations} iterations (see {@link #fit()}). */
    public List<IterationMetrics> fit(int iterations) {
        List<IterationMetrics> history = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            IterationMetrics m = iterate();
            history.add(m);
            if (config.residualTolerance() > 0 && m.residual() < config.residualTolerance()) {
                break;
            }
        }
        synchronizeBoundaries();
        return history;
    }

    /**
     * One iteration of algorithms.md §1.1: phase A (p, W, b, z in every block, p sent backward), a barrier, then
     * phase B (q sent forward, u in both neighbours); then the metrics and the rho schedule.
     */
    public IterationMetrics iterate() {
        requireOpen();
        int previousThreads = Nd4j.getEnvironment().maxThreads();
        int previousBlasThreads = Nd4j.factory().blas().getMaxThreads();
        setNd4jThreads(nd4jThreads, nd4jThreads);
        try {
            return iterateWithThreads();
        } finally {
            setNd4jThreads(previousThreads, previousBlasThreads);
        }
    }

    private static void setNd4jThreads(int threads, int blasThreads) {
        if (Nd4j.getEnvironment().maxThreads() != threads) {
            Nd4j.getEnvironment().setMaxThreads(threads);
        }
        if (Nd4j.factory().blas().getMaxThreads() != blasThreads) {
            Nd4j.factory().blas().setMaxThreads(blasThreads);
        }
    }

    private IterationMetrics iterateWithThreads() {
        long bytesBefore = channel.bytesSent();
        blocks.forEach(b -> b.phaseNanos.clear());
        long start = System.nanoTime();
        boolean pending = forwardPending;
        double nuNow = nu;
        double rhoNow = rho;
        double mu = config.mu();
        double dualRho = pendingDualRho;
        runPhase(block -> block.phaseA(channel, config, nuNow, rhoNow, mu, pending, dualRho));
        runPhase(block -> block.phaseB(channel, nuNow, rhoNow, mu));
        pendingDualRho = rhoNow;
        forwardPending = true;
        double seconds = (System.nanoTime() - start) / 1e9;

        double[][] rows = new double[blocks.size()][];
        Map<BlockPhase, Double> phaseMax = new EnumMap<>(BlockPhase.class);
        Map<BlockPhase, Double> phaseTotal = new EnumMap<>(BlockPhase.class);
        for (int i = 0; i < blocks.size(); i++) {
            LayerBlock block = blocks.get(i);
            LayerBlock.BlockTerms t = block.terms;
            rows[i] = new double[] {t.fit + t.activationGap + t.weightDecay + t.risk, t.risk, t.coupling, t.residual,
                    t.qChange, block.pRejections + block.wRejections};
            block.phaseNanos.forEach((phase, nanos) -> {
                phaseMax.merge(phase, nanos / 1e9, Math::max);
                phaseTotal.merge(phase, nanos / 1e9, Double::sum);
            });
        }
        if (layerTerms != null && !holdsAllLayers()) {
            rows = layerTerms.allLayers(rows);
            if (rows.length != architecture.layers()) {
                throw new IllegalStateException("the layer terms exchange gave " + rows.length + " rows for a network "
                        + "of " + architecture.layers() + " layers");
            }
        } else if (!holdsAllLayers() && needsEveryLayer(config)) {
            throw new IllegalStateException("layers " + firstLayer + ".." + lastLayer + " alone cannot run "
                    + (config.residualTolerance() > 0 ? "a residual tolerance" : "rho schedule " + config.rhoSchedule())
                    + ": give the engine the other layers' terms with shareLayerTerms");
        }
        // summed in layer order, as one engine holding every layer sums them
        double objective = 0;
        double coupling = 0;
        double residual = 0;
        double qChange = 0;
        double risk = 0;
        int rejections = 0;
        for (double[] row : rows) {
            objective += row[0];
            risk += row[1];
            coupling += row[2];
            residual += row[3];
            qChange += row[4];
            rejections += (int) row[5];
        }
        double lagrangian = objective + coupling;
        if (!Double.isFinite(lagrangian)) {
            throw divergence();
        }
        double trainLoss = Double.NaN;
        double trainAccuracy = Double.NaN;
        boolean lastOfRun = iteration == config.iterations() - 1;
        int every = config.evaluationFrequency();
        boolean wanted = (every > 0 && (iteration % every == 0 || lastOfRun)) || needsTrainingLoss(config);
        if (wanted && (holdsAllLayers() || trainingLoss != null)) {
            double[] lossAndAccuracy = holdsAllLayers() ? lossAndAccuracy(preActivation(features))
                    : trainingLoss.wholeNetwork(in -> forwardOwnLayers(in == null ? features : in),
                    this::lossAndAccuracy);
            trainLoss = lossAndAccuracy[0];
            trainAccuracy = lossAndAccuracy[1];
        } else if (needsTrainingLoss(config)) {
            throw new IllegalStateException("layers " + firstLayer + ".." + lastLayer + " alone cannot run rho "
                    + "schedule STALL_X10, which needs the training loss of the whole network: give the engine a "
                    + "forward pass over the ranks with shareTrainingLoss");
        }
        long bytes = channel.bytesSent();
        IterationMetrics metrics = new IterationMetrics(iteration, lagrangian, objective, risk, residual,
                rho * Math.sqrt(qChange), trainLoss, trainAccuracy, bytes, bytes - bytesBefore, rho, nu, seconds,
                phaseMax, phaseTotal, rejections);
        adaptPenalty(metrics);
        iteration++;
        for (PdAdmmListener listener : listeners) {
            listener.iterationDone(this, metrics);
        }
        return metrics;
    }

    /** Whether {@code config} needs the terms of every layer in each iteration (a rank-local engine cannot alone). */
    public static boolean needsEveryLayer(PdAdmmConfig config) {
        return config.rhoSchedule() != RhoSchedule.FIXED || config.residualTolerance() > 0;
    }

    private AdmmDivergenceException divergence() {
        for (LayerBlock block : blocks) {
            String variable = block.firstNonFiniteVariable();
            if (variable != null) {
                return new AdmmDivergenceException(iteration, block.layer, variable);
            }
        }
        // every value is finite but a squared norm overflowed: name the variable of largest magnitude
        int layer = 1;
        int index = 0;
        double largest = -1;
        for (LayerBlock block : blocks) {
            double[] magnitudes = block.largestMagnitudes();
            for (int i = 0; i < magnitudes.length; i++) {
                if (magnitudes[i] > largest) {
                    largest = magnitudes[i];
                    layer = block.layer;
                    index = i;
                }
            }
        }
        return new AdmmDivergenceException(iteration, layer, LayerBlock.VARIABLE_NAMES[index],
                String.format(java.util.Locale.ROOT, "grew to %.3g and the augmented Lagrangian overflowed", largest));
    }

    private void adaptPenalty(IterationMetrics m) {
        switch (config.rhoSchedule()) {
            case FIXED -> {
            }
            case STALL_X10 -> {
                if (m.trainLoss() < bestScheduleLoss * (1 - 1e-4)) {
                    bestScheduleLoss = m.trainLoss();
                    sinceImprovement = 0;
                } else if (++sinceImprovement >= config.stallPatience()) {
                    rho *= config.stallFactor();
                    nu *= config.stallFactor();
                    sinceImprovement = 0;
                    bestScheduleLoss = Double.POSITIVE_INFINITY;
                }
            }
            case RESIDUAL_BALANCING -> {
                if ((iteration + 1) % config.balancingInterval() == 0) {
                    double primal = Math.sqrt(m.residual());
                    double dual = m.dualResidual();
                    if (primal > config.balancingRatio() * dual) {
                        rho *= 2;
                    } else if (dual > config.balancingRatio() * primal && rho / 2 > 4 * nu) {
                        rho /= 2;
                    }
                }
            }
        }
    }

    /**
     * Delivers the last forward message of every boundary, so that both copies of each dual are up to date and
     * the engine's state is complete (for checkpoints, or before changing the network). Called by {@link #fit}.
     */
    public void synchronizeBoundaries() {
        requireOpen();
        if (forwardPending) {
            runPhase(block -> {
                if (!block.first) {
                    block.receiveLeft(channel, pendingDualRho);
                }
            });
            forwardPending = false;
        }
    }

    private void runPhase(Consumer<LayerBlock> phase) {
        executor.run(blocks, block -> block.device, phase);
    }

    /**
     * The output pre-activation {@code z_L} of a real forward pass (no ADMM variables involved). The rows of
     * {@code x} go through the network {@link #evaluationChunkRows()} at a time, so the hidden activations held at
     * once are {@code chunk x width}, not {@code rows x width}, whatever the number of rows (10^6 validation nodes of
     * a 10 x 100 network: 6.5 MB instead of 400 MB per layer). Each row's result is that of one pass over all rows (bit
     * for bit in double precision; in float32 to the last bit of BLAS's size-dependent kernels).
     */
    public INDArray preActivation(INDArray x) {
        if (!holdsAllLayers()) {
            throw new IllegalStateException("this engine holds layers " + firstLayer + ".." + lastLayer + " of "
                    + architecture.layers() + " only; gather the weights of every rank to run a forward pass");
        }
        long rows = x.rows();
        if (rows <= evaluationChunkRows) {
            return forwardOwnLayers(x);
        }
        if (x.columns() != architecture.inputsOf(1)) {
            throw new IllegalArgumentException("input has " + x.columns() + " columns but layer 1 expects "
                    + architecture.inputsOf(1));
        }
        INDArray z = Nd4j.create(config.dataType(), rows, architecture.outputsOf(architecture.layers()));
        for (long from = 0, to; from < rows; from = to) {
            to = Math.min(rows, from + evaluationChunkRows);
            if (rows - to == 1) {
                // a one-row product takes BLAS's matrix-vector path, whose sums are rounded differently: the last
                // row joins this chunk instead
                to = rows;
            }
            INDArray chunk = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            z.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(forwardOwnLayers(chunk));
        }
        return z;
    }

    /**
     * The rows per chunk of the evaluation forward passes ({@link #preActivation}, {@link #output},
     * {@link #accuracy} and the training loss of the metrics): at most this many rows are in flight through the
     * hidden layers at once. Default {@value #DEFAULT_EVALUATION_CHUNK_ROWS}.
     */
    public int evaluationChunkRows() {
        return evaluationChunkRows;
    }

    /**
     * Sets the rows per evaluation chunk (see {@link #evaluationChunkRows()}); the results do not depend on it.
     *
     * @throws IllegalArgumentException if {@code rows < 2}
     */
    public PdAdmmEngine evaluationChunkRows(int rows) {
        if (rows < 2) {
            // one row at a time would take BLAS's matrix-vector path, rounded differently from the matrix product
            throw new IllegalArgumentException("evaluation chunks need at least 2 rows, got " + rows);
        }
        this.evaluationChunkRows = rows;
        return this;
    }

    /**
     * A real forward pass through the owned layers {@code firstLayer .. lastLayer} only: {@code x} enters the first
     * owned layer; the result is the activations of the last owned layer, or {@code z_L} if that is the output layer.
     */
    public INDArray forwardOwnLayers(INDArray x) {
        if (x.columns() != architecture.inputsOf(firstLayer)) {
            throw new IllegalArgumentException("input has " + x.columns() + " columns but layer " + firstLayer
                    + " expects " + architecture.inputsOf(firstLayer));
        }
        INDArray a = x.castTo(config.dataType());
        for (LayerBlock block : blocks) {
            Devices.pin(block.device);
            INDArray z = a.mmul(block.w).addiRowVector(block.b);
            a = block.last ? z : architecture.activation().applyInto(z, z);
        }
        return a;
    }

    /** {training loss per sample, training accuracy} of the output pre-activation {@code z} (layer L's engine). */
    private double[] lossAndAccuracy(INDArray z) {
        if (lastLayer != architecture.layers()) {
            throw new IllegalStateException("only the engine holding layer " + architecture.layers()
                    + " has the labels; this one holds layers " + firstLayer + ".." + lastLayer);
        }
        return new double[] {architecture.risk().value(z, labels) / features.rows(), OutputRisk.accuracy(z, labels)};
    }

    /** The network's output for {@code x}: class probabilities (softmax) or the regression values. */
    public INDArray output(INDArray x) {
        return architecture.risk().output(preActivation(x));
    }

    /** Accuracy of a forward pass on {@code x} against one-hot {@code y}. */
    public double accuracy(INDArray x, INDArray y) {
        return OutputRisk.accuracy(preActivation(x), y.castTo(config.dataType()));
    }

    /** The live weights {@code W_l} ({@code [n_{l-1}, n_l]}) of layer {@code l} (1-based); do not modify. */
    public INDArray weight(int layer) {
        return block(layer).w;
    }

    /** The live bias {@code b_l} ({@code [1, n_l]}) of layer {@code l} (1-based); do not modify. */
    public INDArray bias(int layer) {
        return block(layer).b;
    }

    /** Copies of the weights of the layers in this engine ({@link #firstLayer()} first; all layers normally). */
    public List<INDArray> weights() {
        return blocks.stream().map(b -> b.w.dup()).toList();
    }

    /** Copies of the biases of the layers in this engine, as {@link #weights()}. */
    public List<INDArray> biases() {
        return blocks.stream().map(b -> b.b.dup()).toList();
    }

    LayerBlock block(int layer) {
        if (layer < firstLayer || layer > lastLayer) {
            throw new IllegalArgumentException("layer must be in " + firstLayer + ".." + lastLayer + ", got " + layer);
        }
        return blocks.get(layer - firstLayer);
    }

    /** The first layer (1-based) whose block lives in this engine: 1 unless it is one rank of a distributed run. */
    public int firstLayer() {
        return firstLayer;
    }

    /** The last layer whose block lives in this engine. */
    public int lastLayer() {
        return lastLayer;
    }

    /** Whether every layer's block lives in this engine (false for one rank of a distributed run). */
    public boolean holdsAllLayers() {
        return firstLayer == 1 && lastLayer == architecture.layers();
    }

    /** Number of curvature-cap hits (steps that kept the old value) per layer, for diagnostics. */
    public int[] stepRejections() {
        return blocks.stream().mapToInt(b -> b.pRejections + b.wRejections).toArray();
    }

    /** Last p-step outcome of layer {@code l >= 2}, or null before the first iteration. */
    public StepOutcome lastPStep(int layer) {
        return block(layer).lastPStep;
    }

    /** Last W-step outcome of layer {@code l}, or null before the first iteration. */
    public StepOutcome lastWStep(int layer) {
        return block(layer).lastWStep;
    }

    public MlpArchitecture architecture() {
        return architecture;
    }

    public PdAdmmConfig config() {
        return config;
    }

    public Channel channel() {
        return channel;
    }

    /** Number of iterations run so far. */
    public int iterationCount() {
        return iteration;
    }

    /** Current penalty (it changes under a non-fixed {@link RhoSchedule}). */
    public double rho() {
        return rho;
    }

    /** Current relaxation weight. */
    public double nu() {
        return nu;
    }

    /** The grid of boundary {@code l} (between layers l and l+1) in GRID mode, else null. */
    public QuantizationGrid grid(int boundary) {
        return boundary >= 1 && boundary < grids.length ? grids[boundary] : null;
    }

    /** The device each layer block is pinned to. */
    public int[] devices() {
        return blocks.stream().mapToInt(b -> b.device).toArray();
    }

    private void requireOpen() {
        if (released) {
            throw new IllegalStateException("this engine was closed, which freed its blocks' arrays; build a new "
                    + "engine (or resume one from a checkpoint) to go on training");
        }
    }

    /**
     * Stops the block threads, closes the channel and frees the blocks' N-row arrays (p, z, q, u, their copies and
     * scratch buffers) at once rather than at a later garbage collection, so that the next engine (a growth
     * stage, a resumed run) does not hold its memory beside this one's. The weights and biases stay readable
     * ({@link #weights()}, {@link #biases()}); iterating, evaluating or checkpointing a closed engine is refused.
     */
    @Override
    public void close() {
        executor.close();
        channel.close();
        if (!released) {
            released = true;
            blocks.forEach(LayerBlock::release);
        }
    }

    private static void validate(MlpArchitecture a, INDArray x, INDArray y, List<INDArray> w, List<INDArray> b,
                                 int firstLayer, int lastLayer) {
        if (a == null || x == null || y == null || w == null || b == null) {
            throw new IllegalArgumentException("architecture, features, labels, weights and biases must not be null");
        }
        int layers = a.layers();
        if (x.rank() != 2 || x.columns() != a.inputsOf(1)) {
            throw new IllegalArgumentException("features must be [N, " + a.inputsOf(1) + "] (rows are samples), got "
                    + Arrays.toString(x.shape()));
        }
        if (y.rank() != 2 || y.rows() != x.rows() || y.columns() != a.outputsOf(layers)) {
            throw new IllegalArgumentException("labels must be [" + x.rows() + ", " + a.outputsOf(layers)
                    + "] to match the features and the output width, got " + Arrays.toString(y.shape()));
        }
        int owned = lastLayer - firstLayer + 1;
        if (w.size() != owned || b.size() != owned) {
            throw new IllegalArgumentException("need " + owned + " weight matrices and biases, got " + w.size()
                    + " and " + b.size());
        }
        for (int l = firstLayer; l <= lastLayer; l++) {
            INDArray wl = w.get(l - firstLayer);
            if (wl.rank() != 2 || wl.rows() != a.inputsOf(l) || wl.columns() != a.outputsOf(l)) {
                throw new IllegalArgumentException("W_" + l + " must be [" + a.inputsOf(l) + ", " + a.outputsOf(l)
                        + "] ([nIn, nOut], DL4J's layout), got " + Arrays.toString(wl.shape()));
            }
            if (b.get(l - firstLayer).length() != a.outputsOf(l)) {
                throw new IllegalArgumentException("b_" + l + " must have " + a.outputsOf(l) + " entries, got "
                        + Arrays.toString(b.get(l - firstLayer).shape()));
            }
        }
    }

    // ---- Checkpoints (PdAdmmCheckpoint) ----

    /**
     * Writes the whole ADMM state to a new checkpoint under {@code directory} (see {@link PdAdmmCheckpoint#save});
     * first delivers the pending forward messages ({@link #synchronizeBoundaries()}), which changes nothing in the
     * iterates that follow.
     *
     * @return the checkpoint's own directory
     * @throws IOException if writing fails; the checkpoints already there stay intact
     */
    public Path saveCheckpoint(Path directory) throws IOException {
        return PdAdmmCheckpoint.save(this, directory);
    }

    /**
     * An engine that continues a checkpointed run: the same configuration, the same iterates from the next
     * iteration on. Blocks talk through an in-JVM {@link LocalChannel}.
     *
     * @param checkpoint a checkpoint directory, or a directory of checkpoints (the newest is taken)
     * @param features   the training inputs of the checkpointed run (checked against its fingerprint)
     * @param labels     the training targets of the checkpointed run
     */
    public static PdAdmmEngine resume(Path checkpoint, INDArray features, INDArray labels) throws IOException {
        return PdAdmmCheckpoint.resume(checkpoint, features, labels, LocalChannel::new);
    }

    /** As {@link #resume(Path, INDArray, INDArray)}, with the channel built by {@code transport}. */
    public static PdAdmmEngine resume(Path checkpoint, INDArray features, INDArray labels,
                                      Function<TensorCodec, Channel> transport) throws IOException {
        return PdAdmmCheckpoint.resume(checkpoint, features, labels, transport);
    }

    /** Checkpoint support: the engine's complete state after delivering the pending forward messages (live arrays). */
    PdAdmmCheckpoint.EngineState exportState() {
        synchronizeBoundaries();
        PdAdmmCheckpoint.EngineState state = new PdAdmmCheckpoint.EngineState();
        state.iteration = iteration;
        state.nu = nu;
        state.rho = rho;
        state.bestScheduleLoss = bestScheduleLoss;
        state.sinceImprovement = sinceImprovement;
        state.bytesSent = channel.bytesSent();
        state.grids = grids.clone();
        state.codecStates.putAll(channel.codecStates());
        state.features = features;
        state.labels = labels;
        for (int i = 0; i < blocks.size(); i++) {
            Map<String, INDArray> arrays = new java.util.LinkedHashMap<>();
            Map<String, Double> scalars = new java.util.LinkedHashMap<>();
            blocks.get(i).exportState(arrays, scalars, i > 0);
            state.blockArrays.add(arrays);
            state.blockScalars.add(scalars);
        }
        return state;
    }

    /**
     * Checkpoint support: sets this engine's state to a saved one, building every block from its saved arrays
     * ({@link LayerBlock#restored}); a block whose left neighbour is in this engine and that has no saved
     * {@code qLeft}, {@code uLeft} copies them from that neighbour ({@link LayerBlock#adoptLeft}).
     */
    private void restore(PdAdmmCheckpoint.EngineState state, int[] devices, DataType type) {
        iteration = state.iteration;
        nu = state.nu;
        rho = state.rho;
        bestScheduleLoss = state.bestScheduleLoss;
        sinceImprovement = state.sinceImprovement;
        forwardPending = false;
        for (int l = 1; l < grids.length && l < state.grids.length; l++) {
            grids[l] = state.grids[l];
        }
        int layers = architecture.layers();
        boolean grid = config.quantizer().mode() == QuantizerConfig.Mode.GRID;
        for (int l = firstLayer; l <= lastLayer; l++) {
            int device = devices[l - 1];
            Devices.pin(device);
            Map<String, INDArray> arrays = state.blockArrays.get(l - firstLayer);
            LayerBlock block = LayerBlock.restored(l, layers, device, architecture.activation(), architecture.risk(),
                    l == layers ? Devices.copyTo(device, labels) : null, l == 1 ? Devices.copyTo(device, features)
                            : null, features.rows(), architecture.inputsOf(l), architecture.outputsOf(l), type,
                    arrays, state.blockScalars.get(l - firstLayer));
            block.exactTransfers = config.quantizer().mode() != QuantizerConfig.Mode.DELTA;
            // a rank-local engine has not seen the grid of the boundary on its left before now
            block.inputGrid = l > 1 ? grids[l - 1] : null;
            if (grid && config.projectQ() && l < layers) {
                block.outputGrid = grids[l];
            }
            if (l > 1 && block.qLeft == null) {
                if (l == firstLayer) {
                    throw new IllegalArgumentException("checkpoint lacks variables qLeft and uLeft of layer " + l
                            + ", the first of this engine's layers " + firstLayer + ".." + lastLayer
                            + ": it was not written by an engine of these layers");
                }
                block.adoptLeft(blocks.get(blocks.size() - 1));
            }
            blocks.add(block);
        }
        channel.restoreCodecStates(state.codecStates);
    }
}
