package io.cortex4j.model.gle;

import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Generalized Latent Equilibrium network (specs/gle.md), batched: B streams are stepped in
 * parallel and every gradient is a batch mean.
 *
 * <h2>One Euler step (§5)</h2>
 * A synchronous ("Jacobi") update: every layer reads only the previous step's state of its
 * neighbours, then all layers commit together, so each layer adds one dt of latency forward and
 * one backward. For layer l, with r_in the input x(t) (l = 0) or the old rate below, and e_in the
 * old error sent down from above or, for the top layer, the output error of the old output rate:
 * <pre>
 *   ie = φ'(ŭ_old) ⊙ e_in                         instantaneous error (φ' of the receiving layer)
 *   s  = r_in·Wᵀ + b                               synaptic drive
 *   error neuron:  τr v̇ = ie − v,  e = v + τm v̇     (prospective errors; else e = ie)
 *   representation neuron:  τm u̇ = s + γe − u,  ŭ = u_old + τr u̇,  r = φ(ŭ),  r' = φ'(ŭ)
 *   gradients:  ∂W = −mean_b(e ⊗ r_in),  ∂b = −mean_b(e),  ∂τm = mean_b(e ⊙ u̇)
 *   sent down:  e·W (weight transport) or e·B (fixed random feedback)
 * </pre>
 * The step returns the top layer's rate of the <em>previous</em> step, as the reference does (the
 * first output of a stream is zero), then the optimizer (if one is attached and learning is on)
 * takes one step, and learned τm are clamped. State starts at zero (r and r' included, so the
 * first step's errors are 0) and carries over between samples and batches.
 */
public final class GleNetwork implements Network {
    private final GleParams p;
    private final Backend be;
    private final DType dtype;
    private final Layer[] layers;
    private final int nIn, nOut;
    private int batch;
    private int cur; // index of the committed ("old") buffers
    private long step;
    private boolean learning = true;
    private boolean targetOn;
    private Optimizer optimizer;
    private Tensor input, target, targetError, softmax;
    private Tensor lastOutput;
    private Phase phase;

    private final class Layer {
        final int index, n, in;
        final GleLayerSpec spec;
        final Tensor w, b, tauM, tauR, feedback;
        final Tensor gW, gb, gTau;
        Tensor u, v, s, ie, e, uDot, uBreve, tmp;
        Tensor[] r = new Tensor[2], rp = new Tensor[2], eb = new Tensor[2];

        Layer(int index, CounterRandom rng) {
            this.index = index;
            this.spec = p.layers().get(index);
            this.n = spec.units();
            this.in = p.inputSizeOf(index);
            double bound = 1.0 / Math.sqrt(in);
            w = uniform(rng, 1000 + 16 * index, bound, n, in);
            b = spec.bias() ? uniform(rng, 1000 + 16 * index + 1, bound, 1, n) : null;
            feedback = p.feedback() == GleParams.Feedback.FIXED_RANDOM
                    ? uniform(rng, 1000 + 16 * index + 2, bound, n, in)
                    : null;
            tauM = be.fromHost(dtype, spec.tauM(), 1, n);
            tauR = be.fromHost(dtype, spec.tauR(), 1, n);
            gW = be.zeros(dtype, n, in);
            gb = spec.bias() ? be.zeros(dtype, 1, n) : null;
            gTau = p.learnTauM() ? be.zeros(dtype, 1, n) : null;
        }

        void allocate(int B) {
            u = be.zeros(dtype, B, n);
            v = be.zeros(dtype, B, n);
            s = be.zeros(dtype, B, n);
            ie = be.zeros(dtype, B, n);
            e = be.zeros(dtype, B, n);
            uDot = be.zeros(dtype, B, n);
            uBreve = be.zeros(dtype, B, n);
            tmp = p.learnTauM() ? be.zeros(dtype, B, n) : null;
            for (int k = 0; k < 2; k++) {
                r[k] = be.zeros(dtype, B, n);
                rp[k] = be.zeros(dtype, B, n);
                eb[k] = index > 0 ? be.zeros(dtype, B, in) : null;
            }
        }

        void closeState() {
            for (Tensor t : new Tensor[] {u, v, s, ie, e, uDot, uBreve, tmp, r[0], r[1], rp[0], rp[1], eb[0], eb[1]})
                if (t != null) t.close();
        }
    }

    /**
     * @param seed weights and biases ~ U(±1/√fan_in) (PyTorch's {@code nn.Linear} default), and the
     *             fixed random feedback likewise, drawn from counter streams of this seed
     */
    public GleNetwork(GleParams params, Backend backend, DType dtype, int batch, long seed) {
        if (batch < 1) throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        if (params.learnTauM() && params.tauMin() < params.dt()) {
            throw new IllegalArgumentException(
                    "learned τm needs tauMin ≥ dt (" + params.dt() + "), got " + params.tauMin());
        }
        this.p = params;
        this.be = backend;
        this.dtype = dtype;
        this.nIn = params.inputSize();
        this.nOut = params.outputSize();
        CounterRandom rng = new CounterRandom(seed);
        layers = new Layer[params.layers().size()];
        for (int l = 0; l < layers.length; l++) layers[l] = new Layer(l, rng);
        this.batch = batch;
        allocateState(batch);
    }

    private Tensor uniform(CounterRandom rng, int stream, double bound, int rows, int cols) {
        double[] x = new double[rows * cols];
        rng.uniforms(stream, 0, x, 0, x.length);
        for (int i = 0; i < x.length; i++) x[i] = bound * (2 * x[i] - 1);
        return be.fromHost(dtype, x, rows, cols);
    }

    private void allocateState(int B) {
        for (Layer l : layers) l.allocate(B);
        input = be.zeros(dtype, B, nIn);
        target = be.zeros(dtype, B, nOut);
        targetError = be.zeros(dtype, B, nOut);
        softmax = be.zeros(dtype, B, nOut);
    }

    private void closeState() {
        for (Layer l : layers) l.closeState();
        for (Tensor t : new Tensor[] {input, target, targetError, softmax}) t.close();
    }

    // ------------------------------------------------------------------------------------ the step

    /**
     * One Euler step with the current {@link #input()} (and {@link #target()} if the target is on);
     * afterwards {@link #output()} is the output rate of the previous step, as the reference returns it.
     */
    @Override
    public void step() {
        int old = cur, nxt = 1 - cur;
        Layer top = layers[layers.length - 1];
        if (targetOn) {
            double beta = p.beta();
            if (p.loss() == GleParams.Loss.MSE) {
                be.lincomb(targetError, beta, target, -beta, top.r[old], 0, null);
            } else {
                be.softmaxRows(top.r[old], softmax);
                be.lincomb(targetError, beta, target, -beta, softmax, 0, null);
            }
        } else {
            be.fill(targetError, 0.0);
        }
        double invB = 1.0 / batch;
        for (Layer l : layers) {
            Tensor rIn = l.index == 0 ? input : layers[l.index - 1].r[old];
            Tensor eIn = l == top ? targetError : layers[l.index + 1].eb[old];
            be.mul(l.rp[old], eIn, l.ie);
            be.gemm(false, true, 1.0, rIn, l.w, 0.0, l.s);
            if (l.b != null) be.addRowVector(1.0, l.b, l.s);
            be.gleNeuronStep(
                    l.s,
                    l.ie,
                    l.tauM,
                    l.tauR,
                    p.dt(),
                    l.spec.gamma(),
                    p.prospectiveErrors(),
                    l.u,
                    l.v,
                    l.e,
                    l.uDot,
                    l.uBreve);
            if (learning) {
                be.gemm(true, false, -invB, l.e, rIn, 0.0, l.gW);
                if (l.gb != null) be.columnSums(-invB, l.e, 0.0, l.gb);
                if (l.gTau != null) {
                    be.mul(l.e, l.uDot, l.tmp);
                    be.columnSums(invB, l.tmp, 0.0, l.gTau);
                }
            }
            if (l.index > 0) be.gemm(false, false, 1.0, l.e, l.feedback != null ? l.feedback : l.w, 0.0, l.eb[nxt]);
            be.activationAndDerivative(l.spec.activation(), 1.0, l.uBreve, l.r[nxt], l.rp[nxt]);
        }
        cur = nxt;
        step++;
        if (learning && optimizer != null) {
            optimizer.step();
            if (p.learnTauM()) for (Layer l : layers) be.clamp(l.tauM, p.tauMin(), p.tauMax());
        }
        lastOutput = top.r[old]; // the previous step's rate; this buffer is next written by the next step
    }

    /** The output rate of the previous step [batch, outputs] (the reference's return value), valid until the next step. */
    @Override
    public Tensor output() {
        return lastOutput != null ? lastOutput : layers[layers.length - 1].r[1 - cur];
    }

    // ------------------------------------------------------------------------------------ control

    /** Learning on: gradients are computed every step and the attached optimizer steps. */
    public void setLearning(boolean on) {
        learning = on;
    }

    public boolean learning() {
        return learning;
    }

    /** Whether the output error is driven by {@link #target()} (off: the top error is 0). */
    public void setTargetOn(boolean on) {
        targetOn = on;
    }

    public boolean targetOn() {
        return targetOn;
    }

    /** Attaches the optimizer that steps after every Euler step (built on {@link #slots()}); null detaches. */
    public void setOptimizer(Optimizer opt) {
        this.optimizer = opt;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Changes the number of parallel streams as the reference does: growing tiles the old rows
     * (row i takes old row i mod B_old), shrinking keeps the first rows.
     */
    @Override
    public void setBatch(int b) {
        if (b == batch) return;
        if (b < 1) throw new IllegalArgumentException("batch must be ≥ 1, got " + b);
        int old = batch;
        Map<String, double[]> saved = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state().entrySet())
            saved.put(e.getKey(), e.getValue().toHost());
        closeState();
        lastOutput = null;
        batch = b;
        allocateState(b);
        for (Map.Entry<String, Tensor> e : state().entrySet()) {
            double[] src = saved.get(e.getKey());
            int w = e.getValue().cols();
            double[] dst = new double[b * w];
            for (int i = 0; i < b; i++) System.arraycopy(src, (i % old) * w, dst, i * w, w);
            be.copyFromHost(dst, e.getValue());
        }
    }

    // ------------------------------------------------------------------------------------ access

    /** The input current x(t) [batch, inputs]; write it before each step. */
    @Override
    public Tensor input() {
        return input;
    }

    /** With γ ≠ 0 on the output layer its error feeds back into its own membrane: the read-out carries the target. */
    @Override
    public boolean outputNudged() {
        return layers[layers.length - 1].spec.gamma() != 0;
    }

    /** The targets y [batch, outputs] (one-hot for cross-entropy). */
    @Override
    public Tensor target() {
        return target;
    }

    @Override
    public int batch() {
        return batch;
    }

    public GleParams params() {
        return p;
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public int layerCount() {
        return layers.length;
    }

    /** Committed rate r_l [batch, units] (after the last step). */
    public Tensor rate(int l) {
        return layers[l].r[cur];
    }

    /** Committed φ'(ŭ_l). */
    public Tensor rateDerivative(int l) {
        return layers[l].rp[cur];
    }

    /** Prospective error e_l computed in the last step. */
    public Tensor error(int l) {
        return layers[l].e;
    }

    /** Membrane potential u_l after the last step. */
    public Tensor membrane(int l) {
        return layers[l].u;
    }

    /** Error-neuron membrane v_l after the last step. */
    public Tensor errorMembrane(int l) {
        return layers[l].v;
    }

    public Tensor weights(int l) {
        return layers[l].w;
    }

    /** Bias of layer l, or null if it has none. */
    public Tensor bias(int l) {
        return layers[l].b;
    }

    public Tensor tauM(int l) {
        return layers[l].tauM;
    }

    public Tensor tauR(int l) {
        return layers[l].tauR;
    }

    /** The fixed random feedback matrix of layer l (FA), or null with weight transport. */
    public Tensor feedback(int l) {
        return layers[l].feedback;
    }

    /** ∂W_l of the last step (PyTorch sign: the optimizer moves against it). */
    public Tensor weightGradient(int l) {
        return layers[l].gW;
    }

    public Tensor biasGradient(int l) {
        return layers[l].gb;
    }

    /** ∂τm_l of the last step, or null if τm is not learned. */
    public Tensor tauGradient(int l) {
        return layers[l].gTau;
    }

    /** The trainable parameters with their gradient tensors, for an {@link Optimizer}. */
    public List<Optimizer.Slot> slots() {
        List<Optimizer.Slot> out = new ArrayList<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            out.add(new Optimizer.Slot(k + "W", l.w, l.gW));
            if (l.b != null) out.add(new Optimizer.Slot(k + "b", l.b, l.gb));
            if (l.gTau != null) out.add(new Optimizer.Slot(k + "tauM", l.tauM, l.gTau));
        }
        return out;
    }

    /** Parameters by name, 1-based by layer: {@code layerℓ.W, .b, .tauM, .tauR} and {@code .B} (FA). */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "W", l.w);
            if (l.b != null) m.put(k + "b", l.b);
            m.put(k + "tauM", l.tauM);
            m.put(k + "tauR", l.tauR);
            if (l.feedback != null) m.put(k + "B", l.feedback);
        }
        return m;
    }

    /** The dynamic state that carries over between steps (committed buffers), by name. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "u", l.u);
            m.put(k + "v", l.v);
            m.put(k + "r", l.r[cur]);
            m.put(k + "rPrime", l.rp[cur]);
            if (l.eb[cur] != null) m.put(k + "eBottom", l.eb[cur]);
        }
        return m;
    }

    /** The dynamic state ({@link #state()}) and the optimizer's moments ({@code optimizer.<its names>}). */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = state();
        if (optimizer != null)
            for (Map.Entry<String, Tensor> e : optimizer.state().entrySet())
                m.put("optimizer." + e.getKey(), e.getValue());
        return m;
    }

    /** Steps, and the optimizer's step count and learning rate. */
    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) step);
        if (optimizer != null) {
            m.put("optimizer.steps", (double) optimizer.steps());
            m.put("optimizer.learningRate", optimizer.learningRate());
        }
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        step = Math.round(s.get("steps"));
        if (optimizer != null) {
            optimizer.setSteps(Math.round(s.get("optimizer.steps")));
            optimizer.setLearningRate(s.get("optimizer.learningRate"));
        }
    }

    /**
     * Probe-able signals of layer ℓ: {@code layerℓ.u} (membrane), {@code .v} (error-neuron membrane),
     * {@code .rate}, {@code .rateDerivative}, {@code .error} (e), {@code .prospective} (ŭ).
     */
    @Override
    public Map<String, Tensor> signals() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "u", l.u);
            m.put(k + "v", l.v);
            m.put(k + "rate", l.r[cur]);
            m.put(k + "rateDerivative", l.rp[cur]);
            m.put(k + "error", l.e);
            m.put(k + "prospective", l.uBreve);
        }
        return m;
    }

    /** Learning (gradients and the optimizer's step) and the output target; GLE has no exploration noise. */
    @Override
    public void setPhase(Phase p) {
        phase = p;
        setLearning(p.learn());
        setTargetOn(p.target());
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public long steps() {
        return step;
    }

    @Override
    public boolean resizable() {
        return true;
    }

    @Override
    public void close() {
        closeState();
        for (Layer l : layers) {
            for (Tensor t : new Tensor[] {l.w, l.b, l.tauM, l.tauR, l.feedback, l.gW, l.gb, l.gTau})
                if (t != null) t.close();
        }
    }
}
