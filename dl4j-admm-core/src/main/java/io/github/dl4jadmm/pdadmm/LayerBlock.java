package io.github.dl4jadmm.pdadmm;

import io.github.dl4jadmm.comm.Channel;
import io.github.dl4jadmm.comm.Transfer;
import io.github.dl4jadmm.quant.QuantizationGrid;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Layer {@code l} of the network and every variable it owns (algorithms.md §1): {@code p_l} (its input; for
 * layer 1 the fixed data), {@code W_l}, {@code b_l}, {@code z_l}, and for hidden layers {@code q_l} and its copy
 * of the dual {@code u_l}. It also keeps what its neighbours sent: {@code q_{l-1}} with its own copy of
 * {@code u_{l-1}}, and {@code p_{l+1}}. Neighbours see nothing else; they talk through the {@link Channel}.
 *
 * <p>An iteration is two phases separated by a barrier across blocks: {@link #phaseA} (receive {@code q_{l-1}},
 * dual update of the left boundary, p-, W-, b-, z-steps, send {@code p_l}) and {@link #phaseB} (receive
 * {@code p_{l+1}}, q-step, send {@code q_l}, dual update of the right boundary, metrics).
 */
final class LayerBlock {

    final int layer;
    final boolean first;
    final boolean last;
    final int device;
    private final HiddenActivation activation;
    private final OutputRisk risk;
    private final INDArray labels;

    INDArray p;
    private INDArray pW;
    final INDArray w;
    final INDArray b;
    final INDArray z;
    INDArray q;
    INDArray u;
    INDArray qLeft;
    INDArray uLeft;
    INDArray pRight;

    private INDArray pScratch;
    private INDArray pWScratch;
    private INDArray wScratch;
    private INDArray qScratch;
    private final INDArray m;
    private final INDArray onesRow;
    private final INDArray activated;
    private final PUpdate pUpdate;
    private final WUpdate wUpdate;
    private final INDArray powerW;
    private final INDArray powerP;
    private double inputSpectralNormSquared = Double.NaN;
    /**
     * Whether what crosses a boundary arrives unchanged: true for raw floats and for grid indices of values that
     * are already on the grid; false for delta coding, where the sender must adopt the reconstruction.
     */
    boolean exactTransfers = true;
    /** pdADMM-G-Q: the grid {@code p_l} is constrained to (the left boundary's), or null. */
    QuantizationGrid inputGrid;
    /** pdADMM-G-Q with projected q: the grid {@code q_l} is projected onto (the right boundary's), or null. */
    QuantizationGrid outputGrid;

    /** Terms of this block in the objective and augmented Lagrangian, from the last {@link #phaseB}. */
    final BlockTerms terms = new BlockTerms();
    final Map<BlockPhase, Long> phaseNanos = new EnumMap<>(BlockPhase.class);
    StepOutcome lastPStep;
    StepOutcome lastWStep;
    int pRejections;
    int wRejections;
    int fistaIterations;

    /**
     * Creates the block with its variables already initialised (see {@link PdAdmmEngine}).
     *
     * @param p input {@code p_l} (for layer 1, the data, shared and never written)
     * @param w weights, owned by the block from now on
     * @param b bias row, owned by the block from now on
     */
    LayerBlock(int layer, int layers, int device, HiddenActivation activation, OutputRisk risk, INDArray labels,
               INDArray p, INDArray w, INDArray b) {
        this(layer, layers, device, activation, risk, labels, p, w, b, null, null, null, null);
    }

    /**
     * The common constructor: takes over the given variables; those given as null are initialised from {@code p},
     * {@code W} and {@code b} (algorithms.md §1.1, Initialisation): {@code pW = p W}, {@code z = pW + b},
     * {@code q = f(z)}, {@code u = 0}. The curvature warm-start vectors start at ones; scratch buffers are allocated.
     */
    private LayerBlock(int layer, int layers, int device, HiddenActivation activation, OutputRisk risk,
                       INDArray labels, INDArray p, INDArray w, INDArray b, INDArray pW, INDArray z, INDArray q,
                       INDArray u) {
        this.layer = layer;
        this.first = layer == 1;
        this.last = layer == layers;
        this.device = device;
        this.activation = activation;
        this.risk = risk;
        this.labels = last ? labels : null;
        this.p = p;
        this.w = w;
        this.b = b;
        if (pW == null) {
            pW = Nd4j.create(w.dataType(), p.rows(), w.columns());
            Linalg.gemm(p, false, w, false, 1, pW);
        }
        this.pW = pW;
        this.pWScratch = pW.ulike();
        this.wScratch = w.ulike();
        this.z = z != null ? z : pW.dup().addiRowVector(b);
        this.m = pW.ulike();
        this.onesRow = Nd4j.ones(w.dataType(), 1, p.rows());
        this.activated = last ? null : pW.ulike();
        this.pScratch = first ? null : p.ulike();
        this.pUpdate = first ? null : new PUpdate(p, this.z);
        this.wUpdate = new WUpdate(w, this.z);
        this.powerW = Nd4j.ones(w.dataType(), w.columns(), 1);
        this.powerP = Nd4j.ones(w.dataType(), w.rows(), 1);
        if (!last) {
            this.q = q != null ? q : activation.applyInto(this.z, pW.ulike());
            this.u = u != null ? u : Nd4j.zeros(w.dataType(), p.rows(), w.columns());
            this.qScratch = this.q.ulike();
        }
    }

    /**
     * Frees the native memory of the arrays this block holds for its rows ({@code p} but layer 1's, {@code pW},
     * {@code z}, {@code q}, {@code u}, the received and copied neighbour variables and the scratch buffers) now,
     * instead of at some later garbage collection: an engine built right after this one (the next growth stage)
     * then does not hold both at once. {@code W} and {@code b}, which the engine hands out, the data and the
     * labels stay. The block must not be used afterwards.
     */
    void release() {
        Set<INDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (INDArray a : new INDArray[] {first ? null : p, pW, pWScratch, wScratch, z, m, onesRow, activated,
                pScratch, q, u, qLeft, uLeft, pRight, qScratch}) {
            if (a != null) {
                owned.add(a);
            }
        }
        if (pUpdate != null) {
            owned.addAll(pUpdate.buffers());
        }
        owned.addAll(wUpdate.buffers());
        owned.remove(w);
        owned.remove(b);
        owned.remove(labels);
        for (INDArray a : owned) {
            // views and workspace arrays are not closeable; close() also skips arrays already released
            if (a.closeable()) {
                a.close();
            }
        }
    }

    /** The layer's current {@code p_l W_l + b_l}: its pre-activation for the current variables. */
    INDArray preActivation() {
        return m.assign(pW).addiRowVector(b);
    }

    /** Sets {@code z_L} to +1 on the true class and -1 elsewhere (the paper's warm start). */
    void warmStartOutput() {
        z.assign(labels).muli(2).subi(1);
    }

    /** Receives the left neighbour's initial {@code q_{l-1}}; sets {@code p_l = q_{l-1}} and {@code u_{l-1} = 0}. */
    void acceptInitialInput(INDArray qFromLeft) {
        p = qFromLeft.dup();
        if (inputGrid != null) {
            inputGrid.projectInPlace(p);
        }
        qLeft = qFromLeft;
        uLeft = Nd4j.zeros(w.dataType(), p.rows(), p.columns());
        Linalg.gemm(p, false, w, false, 1, pW);
        z.assign(pW).addiRowVector(b);
        if (!last) {
            activation.applyInto(z, q);
        }
    }

    /**
     * Phase A of an iteration.
     *
     * @param receivePending whether a {@code q_{l-1}} from the previous iteration waits on the channel
     * @param pendingRho     the rho with which the left neighbour updated its copy of {@code u_{l-1}}
     */
    void phaseA(Channel channel, PdAdmmConfig config, double nu, double rho, double mu, boolean receivePending,
                double pendingRho) {
        long t = System.nanoTime();
        if (!first && receivePending) {
            receiveLeft(channel, pendingRho);
        }
        t = mark(BlockPhase.RECEIVE_Q, t);
        if (!first) {
            double tau = nu * Linalg.spectralNormSquared(w, powerW, config.powerIterations()) + rho;
            lastPStep = pUpdate.apply(p, pW, w, b, z, qLeft, uLeft, nu, rho, tau, config.maxDoublings(),
                    inputGrid, pScratch, pWScratch);
            if (!lastPStep.accepted()) {
                pRejections++;
            }
            INDArray swap = p;
            p = pScratch;
            pScratch = swap;
            swap = pW;
            pW = pWScratch;
            pWScratch = swap;
            t = mark(BlockPhase.P_STEP, t);
            INDArray sent = channel.send(Transfer.backward(layer - 1), p);
            if (!exactTransfers) {
                // a lossy codec: adopt what the left neighbour will see so both copies agree
                p.assign(sent);
                Linalg.gemm(p, false, w, false, 1, pW);
            }
            t = mark(BlockPhase.SEND_P, t);
        }
        if (config.wStep() == WStep.EXACT) {
            lastWStep = wUpdate.exact(p, w, pW, b, z, nu, mu, first, wScratch, pWScratch);
        } else {
            double inputNorm = first && !Double.isNaN(inputSpectralNormSquared) ? inputSpectralNormSquared
                    : Linalg.spectralNormSquared(p, powerP, first ? 20 : config.powerIterations());
            if (first) {
                inputSpectralNormSquared = inputNorm;
            }
            double theta = nu * inputNorm + mu;
            lastWStep = wUpdate.apply(p, w, pW, b, z, nu, mu, theta, config.maxDoublings(), wScratch, pWScratch);
        }
        if (!lastWStep.accepted()) {
            wRejections++;
        }
        w.assign(wScratch);
        INDArray swap = pW;
        pW = pWScratch;
        pWScratch = swap;
        t = mark(BlockPhase.W_STEP, t);
        BUpdate.apply(z, pW, onesRow, b);
        t = mark(BlockPhase.B_STEP, t);
        if (last) {
            preActivation();
            fistaIterations = ZOutputUpdate.apply(risk, m, labels, z, nu, config.fistaStep(),
                    config.fistaIterations(), config.fistaTolerance());
        } else {
            ZHiddenUpdate.apply(activation, pW, b, q, z);
        }
        mark(BlockPhase.Z_STEP, t);
    }

    /** Phase B of an iteration: q-step, forward transfer, dual update of the right boundary, metrics. */
    void phaseB(Channel channel, double nu, double rho, double mu) {
        long t = System.nanoTime();
        double qChange = 0;
        double residual = 0;
        double coupling = 0;
        double activationGap = 0;
        if (!last) {
            pRight = channel.receive(Transfer.backward(layer));
            t = mark(BlockPhase.RECEIVE_P, t);
            activation.applyInto(z, activated);
            QUpdate.apply(activated, pRight, u, nu, rho, qScratch);
            if (outputGrid != null) {
                // the projection of the separable closed form is the exact minimiser over the grid
                outputGrid.projectInPlace(qScratch);
            }
            t = mark(BlockPhase.Q_STEP, t);
            INDArray sent = channel.send(Transfer.forward(layer), qScratch);
            if (!exactTransfers) {
                qScratch.assign(sent);
            }
            double dq = qScratch.distance2(q);
            qChange = dq * dq;
            INDArray previous = q;
            q = qScratch;
            qScratch = previous;
            t = mark(BlockPhase.SEND_Q, t);
            residual = DualUpdate.apply(u, pRight, q, rho);
            t = mark(BlockPhase.U_STEP, t);
            // <u, p - q> + rho/2 ||p - q||^2 with the new u
            coupling = Linalg.dot(u, pRight) - Linalg.dot(u, q) + rho / 2 * residual;
            double gap = q.distance2(activated);
            activationGap = nu / 2 * gap * gap;
        }
        preActivation();
        double fit = z.distance2(m);
        terms.fit = nu / 2 * fit * fit;
        terms.activationGap = activationGap;
        terms.weightDecay = mu / 2 * Linalg.sumSquares(w);
        terms.risk = last ? risk.value(z, labels) : 0;
        terms.coupling = coupling;
        terms.residual = residual;
        terms.qChange = qChange;
        mark(BlockPhase.METRICS, t);
    }

    /** Receives {@code q_{l-1}} and applies the right-hand copy of {@code u_{l-1} += rho (p_l - q_{l-1})}. */
    void receiveLeft(Channel channel, double rho) {
        qLeft = channel.receive(Transfer.forward(layer - 1));
        DualUpdate.apply(uLeft, p, qLeft, rho);
    }

    /** Name of the first variable holding NaN or Inf, or null if all are finite. */
    String firstNonFiniteVariable() {
        String[] names = VARIABLE_NAMES;
        INDArray[] values = variables();
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null && !Double.isFinite(values[i].sumNumber().doubleValue())) {
                return names[i];
            }
        }
        return null;
    }

    /** Largest absolute value of each variable (null entries for variables this layer does not have). */
    double[] largestMagnitudes() {
        INDArray[] values = variables();
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i] == null ? Double.NaN : values[i].amaxNumber().doubleValue();
        }
        return result;
    }

    static final String[] VARIABLE_NAMES = {"p", "W", "b", "z", "q", "u"};

    private INDArray[] variables() {
        return new INDArray[]{p, w, b, z, q, u};
    }

    private long mark(BlockPhase phase, long start) {
        long now = System.nanoTime();
        phaseNanos.merge(phase, now - start, Long::sum);
        return now;
    }

    /**
     * Checkpoint support ({@link PdAdmmCheckpoint}): puts every array that carries state from one iteration to the
     * next and cannot be recomputed into {@code arrays} under its variable name, live (not copied): {@code p}
     * (layers 2..L; layer 1's input is the data), {@code W}, {@code b}, {@code z}, {@code q} and {@code u} (hidden
     * layers), the warm-start vectors {@code powerW}, {@code powerP} of the curvature estimates, and, only where the
     * left neighbour is not in the same engine ({@code leftInEngine} false: a rank's first layer), the received
     * {@code qLeft} with this block's copy {@code uLeft} of the left dual. Derived arrays are left out and rebuilt
     * by {@link #restored} and {@link #adoptLeft}: the product {@code pW = p W}, and {@code qLeft}, {@code uLeft}
     * where the left block holds the same values as its {@code q} and {@code u} (both ends of a boundary hold
     * identical copies once the pending forward message is delivered, algorithms.md §1.2). The received
     * {@code pRight} is never saved: it is overwritten by the next iteration's receive before anything reads it.
     * Scratch buffers are left out: every step overwrites them before reading. Scalars go into {@code scalars}.
     */
    void exportState(Map<String, INDArray> arrays, Map<String, Double> scalars, boolean leftInEngine) {
        if (!first) {
            arrays.put("p", p);
            if (!leftInEngine) {
                arrays.put("qLeft", qLeft);
                arrays.put("uLeft", uLeft);
            }
        }
        arrays.put("W", w);
        arrays.put("b", b);
        arrays.put("z", z);
        if (!last) {
            arrays.put("q", q);
            arrays.put("u", u);
        }
        arrays.put("powerW", powerW);
        arrays.put("powerP", powerP);
        scalars.put("inputSpectralNormSquared", inputSpectralNormSquared);
        scalars.put("pRejections", (double) pRejections);
        scalars.put("wRejections", (double) wRejections);
        scalars.put("fistaIterations", (double) fistaIterations);
    }

    /**
     * Checkpoint support: the block that {@link #exportState} saved, built from the saved arrays themselves: they
     * are taken over, not copied (an array is copied only where it must move to another device, is not a dense
     * c-order array, or has another data type than the run), and no saved variable is recomputed. Only what the
     * checkpoint leaves out is computed, once: {@code pW = p W} (checkpoints of earlier versions carry it and it is
     * taken as it is) and the scratch buffers. Without {@code qLeft} and {@code uLeft} in {@code arrays}, the engine
     * hands them over from the left block ({@link #adoptLeft}).
     *
     * @param data   layer 1's input (the training features, on this block's device); unused for other layers
     * @param rows   training rows {@code N}
     * @param inputs {@code n_{l-1}}
     * @param outputs {@code n_l}
     * @param type   the run's data type
     * @throws IllegalArgumentException if a variable is missing or has the wrong shape
     */
    static LayerBlock restored(int layer, int layers, int device, HiddenActivation activation, OutputRisk risk,
                               INDArray labels, INDArray data, long rows, long inputs, long outputs, DataType type,
                               Map<String, INDArray> arrays, Map<String, Double> scalars) {
        boolean first = layer == 1;
        boolean last = layer == layers;
        INDArray p = first ? data : saved(arrays, "p", layer, device, type, rows, inputs);
        INDArray w = saved(arrays, "W", layer, device, type, inputs, outputs);
        INDArray b = saved(arrays, "b", layer, device, type, 1, outputs);
        INDArray z = saved(arrays, "z", layer, device, type, rows, outputs);
        INDArray pW = arrays.containsKey("pW") ? saved(arrays, "pW", layer, device, type, rows, outputs) : null;
        INDArray q = last ? null : saved(arrays, "q", layer, device, type, rows, outputs);
        INDArray u = last ? null : saved(arrays, "u", layer, device, type, rows, outputs);
        LayerBlock block = new LayerBlock(layer, layers, device, activation, risk, labels, p, w, b, pW, z, q, u);
        if (!first && (arrays.containsKey("qLeft") || arrays.containsKey("uLeft"))) {
            block.qLeft = saved(arrays, "qLeft", layer, device, type, rows, inputs);
            block.uLeft = saved(arrays, "uLeft", layer, device, type, rows, inputs);
        }
        block.powerW.assign(saved(arrays, "powerW", layer, device, type, outputs, 1));
        block.powerP.assign(saved(arrays, "powerP", layer, device, type, inputs, 1));
        block.inputSpectralNormSquared = scalars.getOrDefault("inputSpectralNormSquared", Double.NaN);
        block.pRejections = (int) (double) scalars.getOrDefault("pRejections", 0.0);
        block.wRejections = (int) (double) scalars.getOrDefault("wRejections", 0.0);
        block.fistaIterations = (int) (double) scalars.getOrDefault("fistaIterations", 0.0);
        return block;
    }

    /**
     * Checkpoint support: for a block {@link #restored} from a checkpoint without its {@code qLeft} and
     * {@code uLeft}, copies them from the restored left block: the {@code q_{l-1}} it sent and its copy of
     * {@code u_{l-1}}, which are this block's copies once the boundary is synchronised (this block updates its copy
     * of the dual on its own from then on, so it needs one of its own).
     */
    void adoptLeft(LayerBlock left) {
        qLeft = Devices.copyTo(device, left.q);
        uLeft = Devices.copyTo(device, left.u);
    }

    /** A saved variable, checked against the shape the network needs, as this block can use it. */
    private static INDArray saved(Map<String, INDArray> arrays, String name, int layer, int device, DataType type,
                                  long... shape) {
        INDArray value = arrays.get(name);
        if (value == null) {
            throw new IllegalArgumentException("checkpoint lacks variable " + name + " of layer " + layer);
        }
        if (!java.util.Arrays.equals(value.shape(), shape)) {
            throw new IllegalArgumentException("checkpoint variable " + name + " of layer " + layer + " has shape "
                    + java.util.Arrays.toString(value.shape()) + " but the network needs "
                    + java.util.Arrays.toString(shape));
        }
        return Devices.adopt(device, value.dataType() == type ? value : value.castTo(type));
    }

    /** This block's share of the objective {@code F} and of the augmented Lagrangian. */
    static final class BlockTerms {
        double fit;
        double activationGap;
        double weightDecay;
        double risk;
        double coupling;
        double residual;
        double qChange;
    }
}
