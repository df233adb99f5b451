package io.github.dl4jadmm.gadmm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The primal step of Q-SGADMM (algorithms.md §3.3): a few steps of the network's own DL4J updater (Adam, SGD, ...)
 * on minibatches of the worker's shard, on the local augmented Lagrangian. Its gradient is the network's loss
 * gradient plus {@code penalty theta - linear} (see {@link LocalSolver}), which is
 * {@code -lambda_{n-1} + lambda_n + rho (c_n theta - theta_hat_{n-1} - theta_hat_{n+1})}.
 *
 * <p><b>How the term enters DL4J's update</b> (the same path {@code net.fit(DataSet)} takes through
 * {@code StochasticGradientDescent.optimize}, with one addition):
 *
 * <ol>
 *   <li>{@code setInput}, {@code setLabels}, {@code computeGradientAndScore()}: the flat gradient view
 *       ({@code getFlattenedGradients()}) holds the loss gradient <em>summed</em> over the minibatch;</li>
 *   <li>add {@code m * (penalty theta - linear)} to that view, {@code m} the minibatch size: DL4J's updater divides
 *       the whole view by {@code m} (when the configuration is in minibatch mode, the default), which turns it into
 *       the mean loss gradient plus the term;</li>
 *   <li>{@code getUpdater().update(net, gradient, iteration, epoch, m, ...)}: gradient normalisation, the
 *       configured regularisation and the updater (Adam moments, learning-rate schedule) turn the view into the
 *       step, in place;</li>
 *   <li>{@code params().subi(step)}, then the iteration count is incremented (Adam's bias correction reads it) and
 *       the layers' constraints are applied.</li>
 * </ol>
 *
 * With {@code penalty = 0} and {@code linear = 0} a step equals {@code net.fit(batch)} (tested). So the local loss
 * {@code f_n} is the network's mean minibatch loss (plus its regularisation), as in {@code fit}.
 *
 * <p>Parameters whose "gradient" is not a gradient (batch-normalisation running statistics, which DL4J exempts from
 * the minibatch division) are refused: a consensus term on them has no meaning.
 *
 * <p>The minibatches cycle through a seeded random permutation of the shard, reshuffled after every pass (rows
 * that do not fill a last minibatch wait for a later pass).
 */
public final class NetworkSolver implements LocalSolver {

    /** Local optimizer steps per primal step unless set (the authors' value). */
    public static final int DEFAULT_LOCAL_STEPS = 10;
    /** Minibatch size unless set (the authors' value). */
    public static final int DEFAULT_BATCH_SIZE = 100;

    private final MultiLayerNetwork network;
    private final DataSet shard;
    private final int localSteps;
    private final int batchSize;
    private final Random random;
    private final int[] order;
    private int cursor;
    private DataSet shuffled;
    private final int[] segments;
    private final double[] initialModel;
    private final boolean dividesByMinibatch;
    private double lastScore = Double.NaN;

    /**
     * @param replica    this worker's own network (e.g. {@code net.clone()}); it is trained in place
     * @param shard      this worker's data
     * @param localSteps optimizer steps per primal step, at least 1
     * @param batchSize  minibatch size, at least 1 (the whole shard if it is smaller)
     * @param seed       seed of the minibatch order
     * @throws IllegalArgumentException if the network is not initialised, holds non-gradient parameters, or the
     *                                  shard is empty
     */
    public NetworkSolver(MultiLayerNetwork replica, DataSet shard, int localSteps, int batchSize, long seed) {
        if (replica == null || shard == null) {
            throw new IllegalArgumentException("network and shard must not be null");
        }
        if (replica.params() == null || replica.numParams() == 0) {
            throw new IllegalArgumentException("the network has no parameters; call net.init() before training");
        }
        if (shard.getFeatures().rank() != 2 || shard.getLabels().rank() != 2) {
            throw new IllegalArgumentException("a worker's shard must hold features [samples, nIn] and labels "
                    + "[samples, nOut] (dense networks), got ranks " + shard.getFeatures().rank() + " and "
                    + shard.getLabels().rank());
        }
        if (shard.numExamples() < 1) {
            throw new IllegalArgumentException("the worker's shard is empty; every worker needs data");
        }
        if (localSteps < 1 || batchSize < 1) {
            throw new IllegalArgumentException("localSteps and batchSize must be >= 1, got " + localSteps + " and "
                    + batchSize);
        }
        this.network = replica;
        this.shard = shard;
        this.localSteps = localSteps;
        this.batchSize = Math.min(batchSize, shard.numExamples());
        this.random = new Random(seed);
        this.order = new int[shard.numExamples()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        this.cursor = order.length;
        this.segments = parameterSegments(replica);
        this.initialModel = replica.params().castTo(DataType.DOUBLE).toDoubleVector();
        this.dividesByMinibatch = replica.conf().isMiniBatch();
    }

    /**
     * The lengths of the network's parameter tensors in the order they lie in the flat parameter vector.
     *
     * @throws IllegalArgumentException if a parameter is not a contiguous piece of {@code params()} or is exempt
     *                                  from minibatch division (not trained by its gradient)
     */
    static int[] parameterSegments(MultiLayerNetwork net) {
        INDArray flat = net.params();
        record Piece(String name, long offset, long length) {
        }
        List<Piece> pieces = new ArrayList<>();
        Layer[] layers = net.getLayers();
        for (Layer layer : layers) {
            for (Map.Entry<String, INDArray> e : layer.paramTable(false).entrySet()) {
                String name = layer.getIndex() + "_" + e.getKey();
                if (!layer.updaterDivideByMinibatch(e.getKey())) {
                    throw new IllegalArgumentException("parameter " + name + " of layer " + layer.getIndex() + " ("
                            + layer.getClass().getSimpleName() + ") is not trained by its gradient (e.g. batch-norm "
                            + "running statistics); Q-SGADMM needs a network whose parameters are all gradient-trained");
                }
                pieces.add(new Piece(name, e.getValue().offset() - flat.offset(), e.getValue().length()));
            }
        }
        pieces.sort(Comparator.comparingLong(Piece::offset));
        int[] lengths = new int[pieces.size()];
        long expected = 0;
        for (int i = 0; i < lengths.length; i++) {
            Piece p = pieces.get(i);
            if (p.offset() != expected) {
                throw new IllegalArgumentException("parameter " + p.name() + " starts at " + p.offset()
                        + " of the flat parameter vector, expected " + expected + "; cannot cut the model into "
                        + "contiguous tensors");
            }
            lengths[i] = Math.toIntExact(p.length());
            expected += p.length();
        }
        if (expected != flat.length()) {
            throw new IllegalArgumentException("the parameter tensors cover " + expected + " of the "
                    + flat.length() + " parameters");
        }
        return lengths;
    }

    @Override
    public int dimension() {
        return initialModel.length;
    }

    @Override
    public int[] segments() {
        return segments.clone();
    }

    @Override
    public double[] initialModel() {
        return initialModel.clone();
    }

    @Override
    public DataType wireType() {
        return network.params().dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }

    @Override
    public void solve(double[] theta, double[] linear, double penalty) {
        INDArray params = network.params();
        DataType type = params.dataType();
        params.assign(Vectors.toTensor(theta, wireType()).castTo(type).reshape(params.shape()));
        INDArray target = Vectors.toTensor(linear, wireType()).castTo(type).reshape(params.shape());
        long n = params.length();
        double score = 0;
        for (int step = 0; step < localSteps; step++) {
            DataSet batch = nextBatch();
            int m = batch.numExamples();
            network.setInput(batch.getFeatures());
            network.setLabels(batch.getLabels());
            network.computeGradientAndScore();
            score += network.score();
            INDArray gradient = network.getFlattenedGradients();
            double scale = dividesByMinibatch ? m : 1;
            // gradient += scale * (penalty * theta - linear); the updater divides by m below
            Nd4j.getBlasWrapper().level1().axpy(n, scale * penalty, params, gradient);
            Nd4j.getBlasWrapper().level1().axpy(n, -scale, target, gradient);
            int iteration = network.getIterationCount();
            int epoch = network.getEpochCount();
            network.getUpdater().update(network, network.gradient(), iteration, epoch, m,
                    LayerWorkspaceMgr.noWorkspaces());
            params.subi(gradient.reshape(params.shape()));
            BaseOptimizer.incrementIterationCount(network, 1);
            network.applyConstraints(iteration, epoch);
        }
        lastScore = score / localSteps;
        double[] updated = params.castTo(DataType.DOUBLE).toDoubleVector();
        System.arraycopy(updated, 0, theta, 0, theta.length);
    }

    /** The network's mean loss (plus regularisation) on the whole shard at {@code theta}. */
    @Override
    public double loss(double[] theta) {
        INDArray params = network.params();
        params.assign(Vectors.toTensor(theta, wireType()).castTo(params.dataType()).reshape(params.shape()));
        return network.score(shard, false);
    }

    /** Mean minibatch score of the last primal step (NaN before the first). */
    public double lastScore() {
        return lastScore;
    }

    /** This worker's network (its parameters are the worker's model after each primal step). */
    public MultiLayerNetwork network() {
        return network;
    }

    /** The worker's shard. */
    public DataSet shard() {
        return shard;
    }

    private DataSet nextBatch() {
        if (batchSize == order.length) {
            return shard;
        }
        if (cursor + batchSize > order.length) {
            // one gather per pass over the shard; the minibatches are then contiguous row views of it
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            shuffled = new DataSet(Nd4j.pullRows(shard.getFeatures(), 1, order),
                    Nd4j.pullRows(shard.getLabels(), 1, order));
            cursor = 0;
        }
        INDArrayIndex rows = NDArrayIndex.interval(cursor, cursor + batchSize);
        cursor += batchSize;
        return new DataSet(shuffled.getFeatures().get(rows, NDArrayIndex.all()),
                shuffled.getLabels().get(rows, NDArrayIndex.all()));
    }
}
