package io.cortex4j.model.le;

import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.model.rule.Feedback;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layered latent-equilibrium network (specs/pal.md §4, "vanilla" variant), batched: B copies of
 * the state are stepped in parallel and every increment is a batch mean.
 *
 * <h2>One Euler step n</h2>
 * Every layer reads the previous step's rate of the layer below (only the input x is current), so
 * each layer adds one dt of latency, and errors move down one weight layer per step (§10):
 * <ol>
 *   <li><b>Pipelined errors</b> (every rule but DFA), bottom-up so that each reads the previous
 *       step's values: e_{ℓ}(n) = ρ'_ℓ(n−1) ⊙ (e_{ℓ+1}(n−1) · B_{ℓ+1}), B = W (BP), fixed random (FA),
 *       learned (PAL) or |R| ⊙ sign(W) (uSF, brSF, frSF); through a convolution this is the
 *       transposed convolution ({@code col2im}).</li>
 *   <li><b>Output error</b> from the previous step's output: β(y − ŭ_N) ({@code mse}),
 *       β ρ'_N ⊙ (y − ρ_N) ({@code rate}) or β(y − softmax ŭ_N) ({@code cross-entropy}).</li>
 *   <li><b>Forward and weight updates</b>, top-down (so every layer still sees the old rate below):
 *       basal = ρ_in Wᵀ + b, ŭ = basal + ξ, ρ = φ(ŭ), ρ' = φ'(ŭ), then
 *       W += dt·η_ℓ·mean_b(e_ℓ ⊗ ρ_in) (optionally low-passed) and b likewise. A max-pool layer pools
 *       the rate below and passes its error down at once (through the argmax). With DFA the error of
 *       a hidden layer is ρ'_ℓ(n) ⊙ (e_N(n) · D_ℓ), without delay.</li>
 *   <li><b>PAL</b>: B_ℓ += dt·η_B·(mean_b(ρ^HP_ℓ ⊗ ξ_{ℓ−1}) − αB_ℓ) with the current noise of the
 *       layer below (a pool passes the pooled noise below plus its own).</li>
 * </ol>
 * The membrane potential u of the reference never feeds back (its error term is multiplied by 0
 * and ŭ = u + τu̇ = basal + ξ exactly), so it is not kept. A convolutional input layer unfolds the
 * input ({@code im2col}) only when it differs from the one it last unfolded: inputs are held for
 * the presentation time, so the unfolding is mostly reused. The state carries over between samples
 * and batches (a continuous stream); evaluation mode turns off learning, target and noise.
 */
public final class LeNetwork implements Network {
    private final LeParams p;
    private final Backend be;
    private final DType dtype;
    private final CounterRandom rng;
    private final Layer[] layers;
    private int batch;
    private long step;
    private long batchCount;
    private boolean learning = true;
    private Tensor input;
    private Tensor target;
    private Tensor softmax;

    public LeNetwork(LeParams params, Backend backend, DType dtype, int batch, long seed) {
        if (batch < 1) throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        this.p = params;
        this.be = backend;
        this.dtype = dtype;
        this.rng = new CounterRandom(seed);
        Topology arch = params.architecture();
        List<Topology.Shape> shapes = arch.outputShapes();
        int n = arch.layers().size();
        layers = new Layer[n];
        for (int i = 0; i < n; i++) {
            Topology.Shape in = i == 0 ? arch.input() : shapes.get(i - 1);
            Topology.Shape out = shapes.get(i);
            layers[i] = switch (arch.layers().get(i)) {
                case LayerSpec.Dense d -> new Weighted(i, in, out, d.activation(), null);
                case LayerSpec.Conv2d c -> new Weighted(i, in, out, c.activation(), arch.geometry(i));
                case LayerSpec.MaxPool2d m -> new Pool(i, in, out, m.kernel());
            };
        }
        for (Layer l : layers) l.allocateParameters();
        this.batch = batch;
        allocateState(batch);
    }

    // ------------------------------------------------------------------------------------ layers

    private abstract class Layer {
        final int index;
        final Topology.Shape in, out;
        final int inLen, outLen;
        Tensor rate, deriv, error, noise;

        Layer(int index, Topology.Shape in, Topology.Shape out) {
            this.index = index;
            this.in = in;
            this.out = out;
            this.inLen = in.length();
            this.outLen = out.length();
        }

        boolean hasNoise() {
            return p.rule() == FeedbackRule.PAL && p.sigma()[index] > 0;
        }

        void allocateParameters() {}

        abstract void allocate(int b);

        abstract void forward(Tensor x);

        /** The noise this layer hands up for the PAL rule of the layer above, or null. */
        abstract Tensor noiseSignal();

        void ouStep() {
            double tx = p.tauXi()[index];
            be.ouStep(noise, rng, 100 + index, step, 1.0 - p.dt() / tx, p.sigma()[index] * Math.sqrt(p.dt() / tx));
        }

        void stateTensors(Map<String, Tensor> m) {
            String s = "layer" + (index + 1) + ".";
            m.put(s + "rate", rate);
            m.put(s + "rateDerivative", deriv);
            m.put(s + "error", error);
            if (noise != null) m.put(s + "noise", noise);
        }
    }

    /** A dense or convolutional layer: weights, bias, feedback, and the neurons' state. */
    private final class Weighted extends Layer {
        final Activation f;
        final ConvGeometry g; // null for dense
        final int rows, cols; // W is [rows, cols]: [out, in] or [filters, C·k·k]
        final int positions;
        Tensor w, b, feedback, magnitudes, direct, loW, loB;
        /** What carries errors down through W (null for BP, DFA and the first layer); feedback and magnitudes are its B and R. */
        Feedback fb;
        // state
        Tensor uBreve, hp, rateOld;
        // convolution work space
        Tensor colsIn, basalRows, eRows, dcols, hpRows, noiseCols;
        /** Input layer only: the input colsIn was unfolded from; the unfolding is reused while the input is held. */
        Tensor colsSource;

        boolean colsValid;
        boolean first = true;

        Weighted(int index, Topology.Shape in, Topology.Shape out, Activation f, ConvGeometry g) {
            super(index, in, out);
            this.f = f;
            this.g = g;
            this.rows = g == null ? outLen : out.channels();
            this.cols = g == null ? inLen : g.patch();
            this.positions = g == null ? 1 : g.positions();
        }

        boolean isOutput() {
            return index == layers.length - 1;
        }

        boolean learnsFeedback() {
            return p.rule() == FeedbackRule.PAL && index > 0 && p.feedbackLrFactors()[index] > 0;
        }

        @Override
        void allocateParameters() {
            int base = 1000 + 16 * index;
            w = normal(base, p.initStd(), rows, cols);
            b = normal(base + 1, p.initStd(), 1, rows);
            if (index > 0 && p.rule() != FeedbackRule.BP && p.rule() != FeedbackRule.DFA) {
                fb = new Feedback(p.rule(), be, w, rng, base, 3000 + index, p.feedbackStd(), p.signScale());
                feedback = fb.matrix();
                magnitudes = fb.magnitudes();
            }
            if (p.rule() == FeedbackRule.DFA && !isOutput())
                direct = normal(base + 4, p.feedbackStd(), p.architecture().outputLength(), outLen);
            if (p.tauLowPass()[index] > 0) {
                loW = be.zeros(dtype, rows, cols);
                loB = be.zeros(dtype, 1, rows);
            }
        }

        @Override
        void allocate(int bs) {
            rate = be.zeros(dtype, bs, outLen);
            deriv = be.zeros(dtype, bs, outLen);
            error = be.zeros(dtype, bs, outLen);
            uBreve = be.zeros(dtype, bs, outLen);
            if (hasNoise()) noise = be.zeros(dtype, bs, outLen);
            if (learnsFeedback()) {
                hp = be.zeros(dtype, bs, outLen);
                rateOld = be.zeros(dtype, bs, outLen);
            }
            if (g != null) {
                colsIn = be.zeros(dtype, bs * positions, cols);
                if (index == 0
                        && be.hostSyncIsCheap()) { // reuse the input's columns while the input is held (a content
                    // check per step)
                    colsSource = be.zeros(dtype, bs, inLen);
                    colsValid = false;
                }
                basalRows = be.zeros(dtype, bs * positions, rows);
                eRows = be.zeros(dtype, bs * positions, rows);
                if (index > 0) dcols = be.zeros(dtype, bs * positions, cols);
                if (learnsFeedback()) {
                    hpRows = be.zeros(dtype, bs * positions, rows);
                    noiseCols = be.zeros(dtype, bs * positions, cols);
                }
            }
        }

        /** The matrix that carries errors down: W for BP, else B. */
        Tensor backwardMatrix() {
            return p.rule() == FeedbackRule.BP ? w : feedback;
        }

        void refreshSignConcordant() {
            fb.refresh();
        }

        /** Step 1: the error of the layer below from this layer's previous error. */
        void backward(Layer below) {
            Tensor bm = backwardMatrix();
            if (g == null) {
                be.gemm(false, false, 1.0, error, bm, 0.0, below.error);
            } else {
                be.blockTranspose(error, rows, positions, eRows);
                be.gemm(false, false, 1.0, eRows, bm, 0.0, dcols);
                be.col2im(dcols, g, below.error);
            }
            be.mul(below.error, below.deriv, below.error);
        }

        @Override
        void forward(Tensor x) {
            if (g == null) {
                be.gemm(false, true, 1.0, x, w, 0.0, uBreve);
                be.addRowVector(1.0, b, uBreve);
            } else {
                if (colsSource == null || !colsValid || !be.sameContent(x, colsSource)) {
                    be.im2col(x, g, colsIn);
                    if (colsSource != null) {
                        be.copy(x, colsSource);
                        colsValid = true;
                    }
                }
                be.gemm(false, true, 1.0, colsIn, w, 0.0, basalRows);
                be.addRowVector(1.0, b, basalRows);
                be.blockTranspose(basalRows, positions, rows, uBreve);
            }
            if (noise != null && learning) {
                ouStep();
                be.axpby(1.0, noise, 1.0, uBreve);
            }
            if (hp != null && learning) be.copy(rate, rateOld);
            be.activationAndDerivative(f, 1.0, uBreve, rate, deriv);
            if (hp != null && learning) {
                if (!first) be.highPass(hp, rate, rateOld, p.dt() / p.tauHighPass()[index]);
                first = false;
            }
        }

        /** Step 3: W and b from this layer's current error and the previous rate below. */
        void update(Tensor x) {
            double factor = p.lrFactors()[index];
            if (factor == 0) return;
            double alpha = p.dt() * p.learningRate() * factor / batch;
            double tlo = p.tauLowPass()[index];
            double k = tlo > 0 ? p.dt() / tlo : 1.0;
            Tensor e = error, xin = x;
            if (g != null) {
                be.blockTranspose(error, rows, positions, eRows);
                e = eRows;
                xin = colsIn;
            }
            double biasAlpha = alpha / positions; // the reference averages the conv bias increment over positions
            if (loW == null) {
                be.gemm(true, false, alpha, e, xin, 1.0, w);
                be.columnSums(biasAlpha, e, 1.0, b);
            } else {
                be.lowPassOuterApply(alpha * k, e, xin, k, loW, w);
                be.columnSums(biasAlpha * k, e, 1.0 - k, loB);
                be.axpby(1.0, loB, 1.0, b);
            }
        }

        /** Step 4 (PAL): ΔB = dt·η_B·(mean_b(ρ^HP ⊗ ξ_below) − αB). */
        void updateFeedback(Tensor noiseBelow) {
            double eta = p.dt() * p.learningRate() * p.feedbackLrFactors()[index];
            double decay = 1.0 - eta * p.alpha()[index];
            if (noiseBelow == null) {
                be.axpby(0.0, feedback, decay, feedback);
                return;
            }
            if (g == null) {
                be.gemm(true, false, eta / batch, hp, noiseBelow, decay, feedback);
            } else {
                be.blockTranspose(hp, rows, positions, hpRows);
                be.im2col(noiseBelow, g, noiseCols);
                be.gemm(true, false, eta / batch, hpRows, noiseCols, decay, feedback);
            }
        }

        @Override
        Tensor noiseSignal() {
            return noise;
        }

        @Override
        void stateTensors(Map<String, Tensor> m) {
            super.stateTensors(m);
            String s = "layer" + (index + 1) + ".";
            m.put(s + "uBreve", uBreve);
            if (hp != null) {
                m.put(s + "rateHighPass", hp);
                m.put(s + "rateOld", rateOld);
            }
        }
    }

    /** Non-overlapping max-pooling: no parameters, no delay for errors. */
    private final class Pool extends Layer {
        final int k;
        Tensor argmax, noiseOut;

        Pool(int index, Topology.Shape in, Topology.Shape out, int k) {
            super(index, in, out);
            this.k = k;
        }

        @Override
        void allocate(int bs) {
            rate = be.zeros(dtype, bs, outLen);
            deriv = be.zeros(dtype, bs, outLen);
            error = be.zeros(dtype, bs, outLen);
            argmax = be.zeros(dtype, bs, outLen);
            if (hasNoise()) noise = be.zeros(dtype, bs, outLen);
            if (p.rule() == FeedbackRule.PAL) noiseOut = be.zeros(dtype, bs, outLen);
        }

        @Override
        void forward(Tensor x) {
            be.maxPool(x, in.channels(), in.height(), in.width(), k, rate, argmax);
            if (index > 0) be.gatherRows(layers[index - 1].deriv, argmax, deriv);
            if (noise != null && learning) {
                ouStep();
                be.axpby(1.0, noise, 1.0, rate);
            }
        }

        /** The pooled noise of the layer below plus this layer's own (step 4, when all noise is current). */
        void poolNoise() {
            Tensor below = index > 0 ? layers[index - 1].noiseSignal() : null;
            if (below != null) be.gatherRows(below, argmax, noiseOut);
            else be.fill(noiseOut, 0.0);
            if (noise != null) be.axpby(1.0, noise, 1.0, noiseOut);
        }

        @Override
        Tensor noiseSignal() {
            return noiseOut;
        }

        @Override
        void stateTensors(Map<String, Tensor> m) {
            super.stateTensors(m);
            m.put("layer" + (index + 1) + ".argmax", argmax);
        }
    }

    private Tensor normal(int stream, double std, int r, int c) {
        return be.fromHost(dtype, rng.scaledNormals(stream, 0, r * c, std), r, c);
    }

    private void allocateState(int b) {
        input = be.zeros(dtype, b, p.architecture().inputLength());
        target = be.zeros(dtype, b, p.architecture().outputLength());
        softmax = p.outputError() == OutputError.CROSS_ENTROPY
                ? be.zeros(dtype, b, p.architecture().outputLength())
                : null;
        for (Layer l : layers) l.allocate(b);
    }

    // ------------------------------------------------------------------------------------ the step

    /** One Euler step on the current {@link #input()} (and {@link #target()} while learning). */
    @Override
    public void step() {
        step++;
        int n = layers.length;
        Weighted top = (Weighted) layers[n - 1];
        boolean dfa = p.rule() == FeedbackRule.DFA;
        if (learning) {
            // 1. pipelined errors, bottom-up (each reads the previous step's error above it)
            if (!dfa) {
                for (int j = 1; j < n; j++) {
                    if (layers[j] instanceof Weighted w) {
                        if (p.rule().signConcordant()) w.refreshSignConcordant();
                        w.backward(layers[j - 1]);
                    }
                }
            }
            // 2. output error from the previous step's output
            outputError(top);
        }
        // 3. forward and weight updates, top-down
        for (int i = n - 1; i >= 0; i--) {
            Layer l = layers[i];
            Tensor x = i == 0 ? input : layers[i - 1].rate;
            l.forward(x);
            if (!learning) continue;
            if (l instanceof Pool pool) {
                if (!dfa && i > 0) be.scatterRows(pool.error, pool.argmax, layers[i - 1].error);
            } else {
                Weighted w = (Weighted) l;
                if (dfa && w.direct != null) {
                    be.gemm(false, false, 1.0, top.error, w.direct, 0.0, w.error);
                    be.mul(w.error, w.deriv, w.error);
                }
                w.update(x);
            }
        }
        // 4. PAL: learn B from the high-passed rates and the noise below
        if (learning && p.rule() == FeedbackRule.PAL) {
            for (Layer l : layers) if (l instanceof Pool pool) pool.poolNoise();
            for (int j = 1; j < n; j++) {
                if (layers[j] instanceof Weighted w && w.learnsFeedback())
                    w.updateFeedback(layers[j - 1].noiseSignal());
            }
        }
    }

    private void outputError(Weighted top) {
        double beta = p.beta();
        switch (p.outputError()) {
            case MSE -> be.lincomb(top.error, beta, target, -beta, top.uBreve, 0.0, null);
            case RATE -> {
                be.lincomb(top.error, beta, target, -beta, top.rate, 0.0, null);
                be.mul(top.error, top.deriv, top.error);
            }
            case CROSS_ENTROPY -> {
                be.softmaxRows(top.uBreve, softmax);
                be.lincomb(top.error, beta, target, -beta, softmax, 0.0, null);
            }
        }
    }

    /** Start of a new mini-batch: brSF redraws its feedback magnitudes. */
    @Override
    public void startBatch() {
        batchCount++;
        if (p.rule() == FeedbackRule.BRSF) {
            for (Layer l : layers) {
                if (l instanceof Weighted w && w.fb != null) w.fb.redraw(batchCount);
            }
        }
    }

    /**
     * Learning on (training: target error, weight and B updates, noise) or off (evaluation: no
     * learning, no target, no noise). Turning it off clears the errors in flight.
     */
    public void setLearning(boolean on) {
        if (!on && learning) for (Layer l : layers) be.fill(l.error, 0.0);
        learning = on;
    }

    public boolean learning() {
        return learning;
    }

    /**
     * Changes the number of parallel samples. The state carries over as in the reference: growing
     * repeats each old row (the last one also takes the remainder), shrinking keeps copies of the
     * last row.
     */
    @Override
    public void setBatch(int b) {
        if (b == batch) return;
        if (b < 1) throw new IllegalArgumentException("batch must be ≥ 1, got " + b);
        int old = batch;
        int[] from = new int[b];
        if (b >= old) {
            int r = b / old, at = 0;
            for (int i = 0; i < old; i++) {
                int reps = r + (i == old - 1 ? b % old : 0);
                for (int k = 0; k < reps; k++) from[at++] = i;
            }
        } else {
            java.util.Arrays.fill(from, old - 1);
        }
        Map<String, double[]> saved = new LinkedHashMap<>();
        Map<String, int[]> widths = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : layerStates().entrySet()) {
            if (e.getValue().rows() != old) continue;
            saved.put(e.getKey(), e.getValue().toHost());
            widths.put(e.getKey(), new int[] {e.getValue().cols()});
        }
        closeState();
        batch = b;
        allocateState(b);
        for (Map.Entry<String, Tensor> e : layerStates().entrySet()) {
            double[] src = saved.get(e.getKey());
            if (src == null) continue;
            int w = widths.get(e.getKey())[0];
            if (e.getValue().rows() != b || e.getValue().cols() != w) continue;
            double[] dst = new double[b * w];
            for (int i = 0; i < b; i++) System.arraycopy(src, from[i] * w, dst, i * w, w);
            e.getValue().load(dst);
        }
    }

    // ------------------------------------------------------------------------------------ access

    /** The input rates x [batch, input length]; write the samples here before stepping. */
    @Override
    public Tensor input() {
        return input;
    }

    /** The targets y [batch, outputs]. */
    @Override
    public Tensor target() {
        return target;
    }

    /** The read-out: ŭ_N for {@code mse} and {@code cross-entropy}, ρ_N for {@code rate}. */
    @Override
    public Tensor output() {
        Weighted top = (Weighted) layers[layers.length - 1];
        return p.outputError() == OutputError.RATE ? top.rate : top.uBreve;
    }

    /** Rate ρ of layer i (0-based) [batch, its output length]. */
    public Tensor rate(int i) {
        return layers[i].rate;
    }

    /** Rate derivative ρ' of layer i (for a pool: ρ' of the pooled units). */
    public Tensor rateDerivative(int i) {
        return layers[i].deriv;
    }

    /** Error e at the output units of layer i (0-based). */
    public Tensor error(int i) {
        return layers[i].error;
    }

    /** Prospective potential ŭ of weight layer i. */
    public Tensor prospectivePotential(int i) {
        return weighted(i).uBreve;
    }

    public Tensor weights(int i) {
        return weighted(i).w;
    }

    public Tensor bias(int i) {
        return weighted(i).b;
    }

    /** The matrix that carries errors down from layer i (W for BP, B otherwise; null for DFA and layer 0). */
    public Tensor feedback(int i) {
        Weighted w = weighted(i);
        if (p.rule().signConcordant() && w.feedback != null) w.refreshSignConcordant();
        return w.backwardMatrix();
    }

    /** DFA's direct matrix D_i [outputs, units of layer i], or null. */
    public Tensor direct(int i) {
        return weighted(i).direct;
    }

    /** Indices of the layers that carry weights (dense and conv). */
    public int[] weightLayers() {
        List<Integer> out = new ArrayList<>();
        for (Layer l : layers) if (l instanceof Weighted) out.add(l.index);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private Weighted weighted(int i) {
        if (layers[i] instanceof Weighted w) return w;
        throw new IllegalArgumentException(
                "layer " + (i + 1) + " (" + p.architecture().layers().get(i) + ") has no weights");
    }

    public LeParams params() {
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

    @Override
    public int batch() {
        return batch;
    }

    public int depth() {
        return layers.length;
    }

    /** The learned and fixed parameters by name ({@code layer1.W}, {@code layer1.b}, {@code layer2.B}, …), W as [post, pre]. */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            if (!(l instanceof Weighted w)) continue;
            String s = "layer" + (l.index + 1) + ".";
            m.put(s + "W", w.w);
            m.put(s + "b", w.b);
            if (w.feedback != null && !p.rule().signConcordant()) m.put(s + "B", w.feedback);
            if (w.magnitudes != null) m.put(s + "R", w.magnitudes);
            if (w.direct != null) m.put(s + "D", w.direct);
        }
        return m;
    }

    /** Parameters and every state tensor: what a checkpoint must hold to continue bit-identically. */
    public Map<String, Tensor> fullState() {
        Map<String, Tensor> m = parameters();
        for (Layer l : layers) {
            if (l instanceof Weighted w && w.loW != null) {
                m.put("layer" + (l.index + 1) + ".lowPassW", w.loW);
                m.put("layer" + (l.index + 1) + ".lowPassB", w.loB);
            }
        }
        m.putAll(layerStates());
        return m;
    }

    /**
     * Every tensor that evolves apart from the parameters: the low-pass filters of ΔW and Δb
     * ({@code layerℓ.lowPassW}), each layer's rate, rate derivative, error, noise and pooling argmax
     * ({@code layerℓ.rate}, ...), and the input and target tensors.
     */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = fullState();
        for (String k : parameters().keySet()) m.remove(k);
        m.put("input", input);
        m.put("target", target);
        return m;
    }

    /** The step and mini-batch counters and whether each layer's PAL high-pass has started. */
    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) step);
        m.put("batches", (double) batchCount);
        boolean[] hp = highPassStarted();
        for (int i = 0; i < hp.length; i++) m.put("layer" + (i + 1) + ".highPassStarted", hp[i] ? 1.0 : 0.0);
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        step = Math.round(s.get("steps"));
        batchCount = Math.round(s.get("batches"));
        boolean[] hp = new boolean[layers.length];
        for (int i = 0; i < hp.length; i++) hp[i] = s.get("layer" + (i + 1) + ".highPassStarted") != 0;
        setHighPassStarted(hp);
    }

    /** Probe-able signals of layer ℓ: {@code layerℓ.rate}, {@code .rateDerivative}, {@code .error}, {@code .noise}, and {@code .prospective} (ŭ) of dense and conv layers. */
    @Override
    public Map<String, Tensor> signals() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String k = "layer" + (l.index + 1) + ".";
            m.put(k + "rate", l.rate);
            m.put(k + "rateDerivative", l.deriv);
            m.put(k + "error", l.error);
            if (l instanceof Weighted w) m.put(k + "prospective", w.uBreve);
            if (l.noise != null) m.put(k + "noise", l.noise);
        }
        return m;
    }

    @Override
    public long steps() {
        return step;
    }

    private Phase phase;

    /** Learning on or off; in an LE network the target and the noise follow learning (evaluation turns all three off). */
    @Override
    public void setPhase(Phase p) {
        if (p.learn() && !p.learnForward())
            throw new UnsupportedOperationException("an LE network cannot learn with frozen forward weights");
        phase = p;
        setLearning(p.learn());
    }

    @Override
    public Phase phase() {
        return phase;
    }

    /** Whether the PAL high-pass filters have seen a first rate (part of the resumable state). */
    public boolean[] highPassStarted() {
        boolean[] s = new boolean[layers.length];
        for (Layer l : layers) s[l.index] = l instanceof Weighted w && !w.first;
        return s;
    }

    public void setHighPassStarted(boolean[] s) {
        for (Layer l : layers) if (l instanceof Weighted w) w.first = !s[l.index];
    }

    private Map<String, Tensor> layerStates() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) l.stateTensors(m);
        return m;
    }

    private void closeState() {
        for (Tensor t : layerStates().values()) t.close();
        input.close();
        target.close();
        if (softmax != null) softmax.close();
        for (Layer l : layers) {
            if (l instanceof Weighted w) {
                for (Tensor t :
                        new Tensor[] {w.colsIn, w.basalRows, w.eRows, w.dcols, w.hpRows, w.noiseCols, w.colsSource})
                    if (t != null) t.close();
            } else if (l instanceof Pool pool && pool.noiseOut != null) {
                pool.noiseOut.close();
            }
        }
    }

    @Override
    public void close() {
        closeState();
        for (Tensor t : parameters().values()) t.close();
        for (Layer l : layers) {
            if (l instanceof Weighted w) {
                if (w.loW != null) w.loW.close();
                if (w.loB != null) w.loB.close();
                if (p.rule().signConcordant() && w.feedback != null) w.feedback.close();
            }
        }
    }
}
