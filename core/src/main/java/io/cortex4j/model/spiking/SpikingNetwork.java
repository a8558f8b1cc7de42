package io.cortex4j.model.spiking;

import io.cortex4j.metrics.Angles;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.model.rule.Feedback;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layered spiking network of discrete-time LIF neurons (specs/yangli.md §3–4), one unit time step
 * per {@link #step}. Every held presentation starts from rest ({@link #startPresentation}).
 *
 * <p>One step, bottom-up: the input trace (the pixels themselves, or the trace of Poisson spikes);
 * per layer the current I = a_below·Wᵀ + b and {@link Backend#lifStep}. While learning with the
 * target on, top-down at the same step: the output error δ_L = (a_L − â)⊙g_L/τ_s of E = ½Σ(a_L − â)²
 * (â: the trace of the desired spike train, or a constant rate), then δ_ℓ = (δ_{ℓ+1}·M_{ℓ+1})⊙g_ℓ/τ_s
 * with M = W (BP), B (FA) or sign-concordant B; the gradients δ_ℓᵀ·a_{ℓ−1}/batch and the column sums
 * of δ_ℓ/batch add up over the presentation, and after its last step the optimizer applies them. These
 * are the gradients of E through one step with the state of earlier steps held fixed (no
 * backpropagation through time), g standing in for the spike's derivative.
 */
public final class SpikingNetwork implements Network {
    static final int W_STREAM = 1000, REDRAW_STREAM = 3000, POISSON_STREAM = 5000;

    private final SpikingSpec spec;
    private final Backend be;
    private final DType dtype;
    private final int batch, steps;
    private final CounterRandom rng;
    private final FeedbackRule rule;
    /** Microcircuit with fixed synapse types: each W's sign at the start (null otherwise). */
    private final boolean fixedSign;

    private final Layer[] layers;
    private final Tensor input, target, inputSpikes, inputTrace;
    // the desired spike train's trace â (kernel loss), made by a memoryless LIF relay with its scratch
    private final Tensor desired, desiredU, desiredS, desiredG, desiredTrace;
    private final double tauS;
    /** The last training mini-batch's input and target, for the epoch metrics. */
    private final Tensor lastInput, lastTarget;
    /** Set while an epoch metric replays a presentation: the summed gradients stay unapplied. */
    private boolean replay;

    private Optimizer optimizer;
    private Phase phase = Phase.FREE;
    private long step, batches;
    private int presented;

    private final class Layer {
        final int index, in, out; // input and output lengths per sample
        final ConvGeometry geom; // null for a dense layer
        final int rows, cols, positions; // W is [rows, cols]: [out, in], or [filters, C·k·k] at each position
        final double initStd;
        final Tensor w, b, gW, gb, sign0, scratch;
        final Feedback fb;
        final Tensor current, u, refractory, s, a, g, delta, count;
        // convolution: the unfolded input, the currents and δ as position rows, δ carried down as columns
        final Tensor colsIn, curRows, dRows, dcols;

        Layer(int index, Topology.Shape inShape, Topology.Shape outShape, ConvGeometry geometry) {
            this.index = index;
            this.in = inShape.length();
            this.out = outShape.length();
            this.geom = geometry;
            this.rows = geometry == null ? out : outShape.channels();
            this.cols = geometry == null ? in : geometry.patch();
            this.positions = geometry == null ? 1 : geometry.positions();
            int k2 = geometry == null ? 1 : geometry.kernel() * geometry.kernel();
            // xavier: fan_in = C_in·k·k, fan_out = C_out·k·k
            this.initStd = Math.sqrt(2.0 / (cols + rows * k2));
            double bound = spec.model().init().gain() * Math.sqrt(6.0 / (cols + rows * k2));
            double[] v = new double[rows * cols];
            rng.uniforms(W_STREAM + 16 * index, 0, v, 0, v.length);
            for (int i = 0; i < v.length; i++) v[i] = bound * (2 * v[i] - 1);
            w = be.fromHost(dtype, v, rows, cols);
            b = be.zeros(dtype, 1, rows);
            gW = be.zeros(dtype, rows, cols);
            gb = be.zeros(dtype, 1, rows);
            if (fixedSign) {
                double[] sg = new double[v.length];
                for (int i = 0; i < v.length; i++) sg[i] = Math.signum(v[i]);
                sign0 = be.fromHost(dtype, sg, rows, cols);
                scratch = be.zeros(dtype, rows, cols);
            } else {
                sign0 = null;
                scratch = null;
            }
            SpikingSpec.Rule r = spec.rule();
            fb = index == 0 || rule == FeedbackRule.BP
                    ? null
                    : new Feedback(
                            rule,
                            be,
                            w,
                            rng,
                            W_STREAM + 16 * index,
                            REDRAW_STREAM + index,
                            r.feedbackStd() != null ? r.feedbackStd() : initStd,
                            r.signScale() != null ? r.signScale() : initStd);
            current = zeros(out);
            u = zeros(out);
            refractory = spec.model().neuron().refractory() > 0 ? zeros(out) : null;
            s = zeros(out);
            a = zeros(out);
            g = zeros(out);
            delta = zeros(out);
            count = zeros(out);
            colsIn = geometry == null ? null : be.zeros(dtype, batch * positions, cols);
            curRows = geometry == null ? null : be.zeros(dtype, batch * positions, rows);
            dRows = geometry == null ? null : be.zeros(dtype, batch * positions, rows);
            dcols = geometry == null ? null : be.zeros(dtype, batch * positions, cols);
        }

        /** What carries δ down through this layer's W: W itself (BP) or B. */
        Tensor backward() {
            return fb == null ? w : fb.backward();
        }

        List<Tensor> state() {
            List<Tensor> l = new ArrayList<>(List.of(current, u, s, a, g, delta, count));
            if (refractory != null) l.add(refractory);
            return l;
        }
    }

    /**
     * @param steps the steps of one presentation (T), after which the summed gradients are applied
     */
    public SpikingNetwork(SpikingSpec spec, Topology arch, Backend be, DType dtype, int batch, int steps, long seed) {
        this.spec = spec;
        this.be = be;
        this.dtype = dtype;
        this.batch = batch;
        this.steps = steps;
        this.rng = new CounterRandom(seed);
        SpikingSpec.Circuit circuit = spec.rule().circuit();
        this.rule = spec.rule().name().feedback(circuit);
        this.fixedSign = circuit != null && circuit.sign() == SpikingSpec.Circuit.Sign.FIXED;
        this.tauS = spec.model().neuron().tauS();
        int n = arch.layers().size();
        layers = new Layer[n];
        List<Topology.Shape> shapes = arch.outputShapes();
        for (int i = 0; i < n; i++) {
            ConvGeometry geometry = arch.layers().get(i) instanceof LayerSpec.Conv2d ? arch.geometry(i) : null;
            layers[i] = new Layer(i, i == 0 ? arch.input() : shapes.get(i - 1), shapes.get(i), geometry);
        }
        input = zeros(arch.inputLength());
        boolean poisson = spec.model().encoding().type() == SpikingSpec.Encoding.Kind.POISSON;
        inputSpikes = poisson ? zeros(arch.inputLength()) : null;
        inputTrace = poisson ? zeros(arch.inputLength()) : null;
        int outs = arch.outputLength();
        target = zeros(outs);
        boolean kernel = spec.rule().loss().type() == SpikingSpec.Loss.Kind.KERNEL;
        desired = kernel ? zeros(outs) : null;
        desiredU = kernel ? zeros(outs) : null;
        desiredS = kernel ? zeros(outs) : null;
        desiredG = kernel ? zeros(outs) : null;
        desiredTrace = kernel ? zeros(outs) : null;
        lastInput = zeros(arch.inputLength());
        lastTarget = zeros(outs);
        for (Layer l : layers) if (l.fb != null) l.fb.refresh();
    }

    private Tensor zeros(int cols) {
        return be.zeros(dtype, batch, cols);
    }

    // ------------------------------------------------------------------------------------ the step

    /** A presentation starts from rest: potentials, refractory counters, traces, counts and â are 0. */
    @Override
    public void startPresentation() {
        presented = 0;
        for (Layer l : layers) for (Tensor t : l.state()) be.fill(t, 0.0);
        if (inputTrace != null) be.fill(inputTrace, 0.0);
        if (desiredTrace != null) be.fill(desiredTrace, 0.0);
    }

    /** A training mini-batch: brSF redraws its magnitudes; the sign-concordant B follow W. */
    @Override
    public void startBatch() {
        batches++;
        be.copy(input, lastInput);
        be.copy(target, lastTarget);
        for (Layer l : layers)
            if (l.fb != null) {
                l.fb.redraw(batches);
                l.fb.refresh();
            }
    }

    @Override
    public void step() {
        step++;
        presented++;
        SpikingSpec.Neuron nu = spec.model().neuron();
        SpikingSpec.SurrogateSpec sg = spec.model().surrogate();
        Tensor x = input;
        if (inputTrace != null) {
            be.bernoulli(input, spec.model().encoding().maxRate(), rng, POISSON_STREAM, step, inputSpikes);
            be.lincomb(inputTrace, 1.0, inputTrace, 1.0 / tauS, inputSpikes, -1.0 / tauS, inputTrace);
            x = inputTrace;
        }
        double decay = 1.0 - 1.0 / nu.tauM();
        for (Layer l : layers) {
            if (l.geom == null) {
                be.gemm(false, true, 1.0, x, l.w, 0.0, l.current);
                be.addRowVector(1.0, l.b, l.current);
            } else { // per position: the unfolded input against the kernels, then back to channel maps
                be.im2col(x, l.geom, l.colsIn);
                be.gemm(false, true, 1.0, l.colsIn, l.w, 0.0, l.curRows);
                be.addRowVector(1.0, l.b, l.curRows);
                be.blockTranspose(l.curRows, l.positions, l.rows, l.current);
            }
            be.lifStep(
                    l.current,
                    l.u,
                    l.refractory,
                    l.s,
                    l.a,
                    l.g,
                    decay,
                    nu.threshold(),
                    tauS,
                    nu.refractory(),
                    sg.shape(),
                    sg.width());
            be.axpby(1.0, l.s, 1.0, l.count);
            x = l.a;
        }
        if (phase.learn() && phase.target()) {
            learnStep();
            // a presentation's end (also when a bench steps on without presentations)
            if (presented % steps == 0 && !replay) {
                if (optimizer != null) optimizer.step();
                if (fixedSign) for (Layer l : layers) keepSign(l);
                for (Layer l : layers) {
                    be.fill(l.gW, 0.0);
                    be.fill(l.gb, 0.0);
                }
            }
        }
    }

    /** A convolution's δ as position rows [batch·positions, filters]; nothing for a dense layer. */
    private void toRows(Layer l) {
        if (l.geom != null) be.blockTranspose(l.delta, l.rows, l.positions, l.dRows);
    }

    /** Dale's law with fixed synapse types: a weight that would cross 0 stops there, W ← s₀ ⊙ max(s₀ ⊙ W, 0). */
    private void keepSign(Layer l) {
        be.mul(l.w, l.sign0, l.scratch);
        be.clamp(l.scratch, 0.0, Double.MAX_VALUE);
        be.mul(l.scratch, l.sign0, l.w);
    }

    /** This step's δ of every layer, top-down, and its gradients added to the presentation's. */
    private void learnStep() {
        Layer top = layers[layers.length - 1];
        Tensor aHat = target;
        if (desired != null) { // the desired train: a spike per step for the label after the silent steps
            be.fill(desired, 0.0);
            if (presented > spec.rule().loss().silentSteps()) be.copy(target, desired);
            // a relay LIF (no memory, threshold ½) passes the train through the neurons' own trace update
            be.lifStep(
                    desired,
                    desiredU,
                    null,
                    desiredS,
                    desiredTrace,
                    desiredG,
                    0.0,
                    0.5,
                    tauS,
                    0,
                    Surrogate.RECTANGLE,
                    1.0);
            aHat = desiredTrace;
        }
        be.lincomb(top.delta, 1.0 / tauS, top.a, -1.0 / tauS, aHat, 0.0, null);
        be.mul(top.delta, top.g, top.delta);
        toRows(top);
        for (int i = layers.length - 2; i >= 0; i--) {
            Layer l = layers[i], above = layers[i + 1];
            if (above.geom == null) {
                be.gemm(false, false, 1.0 / tauS, above.delta, above.backward(), 0.0, l.delta);
            } else { // the transposed convolution: position rows against the kernels, folded back
                be.gemm(false, false, 1.0 / tauS, above.dRows, above.backward(), 0.0, above.dcols);
                be.col2im(above.dcols, above.geom, l.delta);
            }
            be.mul(l.delta, l.g, l.delta);
            toRows(l);
        }
        double k = 1.0 / batch;
        for (Layer l : layers) {
            if (l.geom == null) {
                Tensor x = l.index == 0 ? (inputTrace != null ? inputTrace : input) : layers[l.index - 1].a;
                be.gemm(true, false, k, l.delta, x, 1.0, l.gW);
                be.columnSums(k, l.delta, 1.0, l.gb);
            } else { // per position against the unfolded input; the bias sums over positions
                be.gemm(true, false, k, l.dRows, l.colsIn, 1.0, l.gW);
                be.columnSums(k, l.dRows, 1.0, l.gb);
            }
        }
    }

    // ------------------------------------------------------------------------------------ the SPI

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public Tensor input() {
        return input;
    }

    /** One-hot targets (data.targets): the desired train's label (kernel loss) or the rates â (rate loss). */
    @Override
    public Tensor target() {
        return target;
    }

    /** The output layer's trace a_L. */
    @Override
    public Tensor output() {
        return layers[layers.length - 1].a;
    }

    @Override
    public void setPhase(Phase p) {
        phase = p;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public long steps() {
        return step;
    }

    public int depth() {
        return layers.length;
    }

    public void setOptimizer(Optimizer opt) {
        optimizer = opt;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The trainable parameters with their gradient tensors (summed over a presentation), for an {@link Optimizer}. */
    public List<Optimizer.Slot> slots() {
        List<Optimizer.Slot> out = new ArrayList<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            out.add(new Optimizer.Slot(k + "W", l.w, l.gW));
            out.add(new Optimizer.Slot(k + "b", l.b, l.gb));
        }
        return out;
    }

    /** W and b of every layer; FA's B, and the magnitudes R of brSF and frSF. */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "W", l.w);
            m.put(k + "b", l.b);
            if (l.fb != null && rule == FeedbackRule.FA) m.put(k + "B", l.fb.matrix());
            if (l.fb != null && l.fb.magnitudes() != null) m.put(k + "R", l.fb.magnitudes());
        }
        return m;
    }

    /**
     * Per layer: potential u (after the reset), spikes s, rate (the synaptic trace a the next layer
     * receives), spike count of the presentation so far, surrogate g, and error δ; the input's trace
     * under Poisson encoding.
     */
    @Override
    public Map<String, Tensor> signals() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (inputTrace != null) m.put("input.trace", inputTrace);
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "potential", l.u);
            m.put(k + "spikes", l.s);
            m.put(k + "rate", l.a);
            m.put(k + "count", l.count);
            m.put(k + "surrogate", l.g);
            m.put(k + "error", l.delta);
        }
        return m;
    }

    /** Neuron state, the summed gradients, the input and desired traces, and the optimizer's moments. */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "u", l.u);
            m.put(k + "s", l.s);
            m.put(k + "a", l.a);
            m.put(k + "count", l.count);
            if (l.refractory != null) m.put(k + "refractory", l.refractory);
            m.put(k + "gradW", l.gW);
            m.put(k + "gradB", l.gb);
        }
        if (inputTrace != null) m.put("input.trace", inputTrace);
        if (desiredTrace != null) m.put("desired.trace", desiredTrace);
        if (optimizer != null)
            for (Map.Entry<String, Tensor> e : optimizer.state().entrySet())
                m.put("optimizer." + e.getKey(), e.getValue());
        return m;
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) step);
        m.put("presented", (double) presented);
        m.put("batches", (double) batches);
        if (optimizer != null) {
            m.put("optimizer.steps", (double) optimizer.steps());
            m.put("optimizer.learningRate", optimizer.learningRate());
        }
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        step = Math.round(s.get("steps"));
        presented = (int) Math.round(s.get("presented"));
        batches = Math.round(s.get("batches"));
        if (optimizer != null) {
            optimizer.setSteps(Math.round(s.get("optimizer.steps")));
            optimizer.setLearningRate(s.get("optimizer.learningRate"));
        }
    }

    /** The matrix that carries errors down through layer {@code layer}'s W (1-based, ≥ 2), as it is now. */
    double[] feedback(int layer) {
        Layer l = layers[layer - 1];
        if (l.fb != null) l.fb.refresh();
        return l.backward().toHost();
    }

    /** The fraction of each layer's weights that sit at 0 (microcircuit with fixed synapse types: pinned by Dale's law). */
    double[] zeroFractions() {
        double[] out = new double[layers.length];
        for (int i = 0; i < layers.length; i++) {
            double[] w = layers[i].w.toHost();
            int z = 0;
            for (double v : w) if (v == 0) z++;
            out[i] = (double) z / w.length;
        }
        return out;
    }

    /** Per layer ℓ ≥ 2 the angle between B_ℓ and W_ℓ (0 for BP; sign-concordant B as it is now). */
    double[] feedbackAngles() {
        double[] out = new double[layers.length - 1];
        for (int i = 1; i < layers.length; i++) {
            Layer l = layers[i];
            if (l.fb != null) l.fb.refresh();
            out[i - 1] = Angles.degrees(l.w.toHost(), l.backward().toHost());
        }
        return out;
    }

    /**
     * Per layer, the angle between the update this network sums over one presentation of the last
     * training mini-batch and the update of its equivalent rate network under the same rule: rates the
     * presentation's mean traces r̄, derivatives its mean surrogates ḡ, target the mean of â, so
     * δ̄_L = (r̄_L − mean â)⊙ḡ_L/τ_s, δ̄_ℓ = (δ̄_{ℓ+1}·M_{ℓ+1})⊙ḡ_ℓ/τ_s and ΔW_ℓ = T·δ̄_ℓᵀ·r̄_{ℓ−1}/batch
     * (for the microcircuit: the sign-concordant FA update of the rate network). The presentation is
     * replayed without applying anything; the network's step count, state and tensors are as before.
     */
    double[] rateAngles() {
        for (Layer l : layers)
            if (l.geom != null) throw new IllegalStateException("the rate-network angles are for dense networks");
        long step0 = step;
        int presented0 = presented;
        Phase phase0 = phase;
        double[] in0 = input.toHost(), target0 = target.toHost();
        be.copy(lastInput, input);
        be.copy(lastTarget, target);
        for (Layer l : layers) {
            be.fill(l.gW, 0.0);
            be.fill(l.gb, 0.0);
            if (l.fb != null) l.fb.refresh();
        }
        replay = true;
        phase = Phase.TRAIN;
        int n = layers.length;
        double[][] r = new double[n + 1][], g = new double[n][];
        double[] hat = null;
        try {
            startPresentation();
            for (int t = 0; t < steps; t++) {
                step();
                double[] x = (inputTrace != null ? inputTrace : input).toHost();
                r[0] = add(r[0], x);
                for (int i = 0; i < n; i++) {
                    r[i + 1] = add(r[i + 1], layers[i].a.toHost());
                    g[i] = add(g[i], layers[i].g.toHost());
                }
                hat = add(hat, (desiredTrace != null ? desiredTrace : target).toHost());
            }
            for (double[] v : r) for (int i = 0; i < v.length; i++) v[i] /= steps;
            for (double[] v : g) for (int i = 0; i < v.length; i++) v[i] /= steps;
            for (int i = 0; i < hat.length; i++) hat[i] /= steps;
            double[] out = new double[n];
            double[] delta = new double[hat.length];
            for (int i = 0; i < delta.length; i++) delta[i] = (r[n][i] - hat[i]) * g[n - 1][i] / tauS;
            for (int i = n - 1; i >= 0; i--) {
                Layer l = layers[i];
                double[] rate = new double[l.out * l.in], below = r[i];
                for (int b = 0; b < batch; b++)
                    for (int k = 0; k < l.out; k++) {
                        double d = delta[b * l.out + k] * steps / batch;
                        if (d != 0) for (int j = 0; j < l.in; j++) rate[k * l.in + j] += d * below[b * l.in + j];
                    }
                out[i] = Angles.degrees(l.gW.toHost(), rate);
                if (i > 0) {
                    double[] m = l.backward().toHost(), next = new double[batch * l.in];
                    for (int b = 0; b < batch; b++)
                        for (int k = 0; k < l.out; k++) {
                            double d = delta[b * l.out + k];
                            if (d != 0) for (int j = 0; j < l.in; j++) next[b * l.in + j] += d * m[k * l.in + j];
                        }
                    for (int j = 0; j < next.length; j++) next[j] *= g[i - 1][j] / tauS;
                    delta = next;
                }
            }
            return out;
        } finally {
            replay = false;
            phase = phase0;
            step = step0;
            presented = presented0;
            for (Layer l : layers) {
                be.fill(l.gW, 0.0);
                be.fill(l.gb, 0.0);
            }
            startPresentation();
            input.load(in0);
            target.load(target0);
        }
    }

    private static double[] add(double[] sum, double[] v) {
        if (sum == null) return v.clone();
        for (int i = 0; i < v.length; i++) sum[i] += v[i];
        return sum;
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            for (Tensor t : l.state()) t.close();
            l.w.close();
            l.b.close();
            l.gW.close();
            l.gb.close();
            if (l.fb != null) l.fb.close();
            if (l.sign0 != null) {
                l.sign0.close();
                l.scratch.close();
            }
            if (l.geom != null) for (Tensor t : new Tensor[] {l.colsIn, l.curRows, l.dRows, l.dcols}) t.close();
        }
        for (Tensor t : new Tensor[] {
            input,
            target,
            inputSpikes,
            inputTrace,
            desired,
            desiredU,
            desiredS,
            desiredG,
            desiredTrace,
            lastInput,
            lastTarget
        }) if (t != null) t.close();
    }
}
