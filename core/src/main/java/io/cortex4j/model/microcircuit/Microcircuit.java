package io.cortex4j.model.microcircuit;

import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dendritic cortical microcircuit of Sacramento et al. (2018) with latent-equilibrium
 * prospective rates and always-on plasticity, batched over B independent samples that share
 * weights (specs/pal.md §2–3). B = 1 reproduces the reference's single-sample simulation; with
 * B &gt; 1 every increment is the batch mean.
 *
 * <p>Layers ℓ = 0…N; layer 0 is the input (rates given, no activation). Every layer ℓ ≥ 1 has
 * pyramidal cells; each hidden layer ℓ = 1…N−1 also has n_{ℓ+1} interneurons that learn to predict
 * layer ℓ+1. Weights are {@code [post, pre]}: W_ℓ [n_ℓ, n_{ℓ−1}], W^IP_ℓ [n_{ℓ+1}, n_ℓ],
 * B_ℓ and B^PI_ℓ [n_ℓ, n_{ℓ+1}].
 *
 * <p>One {@link #step()} is one forward-Euler step of dt in the order of §9.1: (a) keep the old
 * rates and dendritic potentials, (b) prospective potentials ŭ and rates r̆ = φ(ŭ), (c) u_old ← u,
 * (d) dendritic potentials from the new rates, (e) OU noise, (f) somatic update, (g,h) plasticity
 * from pre-update quantities, (i) high-pass of the rates. ŭ is computed as
 * u_old + τ_r·(u_eff(n−1) − u_old), which equals the reference's u_old + τ_r·τ(u − u_old)/dt exactly in
 * exact arithmetic and avoids its τ/dt ≈ 526-fold amplification of float32 rounding (§10).
 */
public final class Microcircuit implements Network {
    /** Random stream ids: one per purpose and layer, so streams never overlap. */
    static final int STREAM_NOISE = 1_000,
            STREAM_INIT_W = 2_000,
            STREAM_INIT_B = 3_000,
            STREAM_INIT_U = 4_000,
            STREAM_INIT_UI = 5_000;

    private final MicrocircuitParams p;
    private final Backend be;
    private final DType dtype;
    private final int batch;
    private final int depth;
    private final CounterRandom rng;
    /** φ per layer ℓ = 1…N (index 0 unused); the interneurons of layer ℓ use phi[ℓ+1]. */
    private final Activation[] phi;

    private final Conductances g;

    // input rates (current and previous step) and the presenter's input/target tensors
    private Tensor r0, r0Old;
    private final Tensor input;
    private final Tensor target;
    private boolean hasTarget;

    // pyramidal state, index ℓ = 1..N (index 0 unused)
    private final Tensor[] u, uOld, uEff, uBreve, r, rOld, vBas, vBasOld, rHP, err;
    // hidden-layer state, index ℓ = 1..N-1
    private final Tensor[] vApi, vApiOld, xi, uI, uIOld, uEffI, uBreveI, rI, rIOld, vDen, vDenOld, errI;
    // weights
    private final Tensor[] w, wLowPass, wIP, b, bPI;
    private boolean learnForward = true, learnInterneurons = true, learnFeedback = true, noiseOn = true;
    private long step;

    public Microcircuit(MicrocircuitParams params, Backend backend, DType dtype, int batch, long seed) {
        if (batch <= 0) throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        this.p = params;
        this.be = backend;
        this.dtype = dtype;
        this.batch = batch;
        this.depth = params.depth();
        this.rng = new CounterRandom(seed);
        this.phi = new Activation[depth + 1];
        for (int l = 1; l <= depth; l++) phi[l] = params.activation(l);
        this.g = params.conductances();
        int[] n = params.layers();
        int N = depth;
        r0 = z(batch, n[0]);
        r0Old = z(batch, n[0]);
        input = z(batch, n[0]);
        target = z(batch, n[N]);
        u = new Tensor[N + 1];
        uOld = new Tensor[N + 1];
        uEff = new Tensor[N + 1];
        uBreve = new Tensor[N + 1];
        r = new Tensor[N + 1];
        rOld = new Tensor[N + 1];
        vBas = new Tensor[N + 1];
        vBasOld = new Tensor[N + 1];
        rHP = new Tensor[N + 1];
        err = new Tensor[N + 1];
        w = new Tensor[N + 1];
        wLowPass = new Tensor[N + 1];
        vApi = new Tensor[N];
        vApiOld = new Tensor[N];
        xi = new Tensor[N];
        uI = new Tensor[N];
        uIOld = new Tensor[N];
        uEffI = new Tensor[N];
        uBreveI = new Tensor[N];
        rI = new Tensor[N];
        rIOld = new Tensor[N];
        vDen = new Tensor[N];
        vDenOld = new Tensor[N];
        errI = new Tensor[N];
        wIP = new Tensor[N];
        b = new Tensor[N];
        bPI = new Tensor[N];
        for (int l = 1; l <= N; l++) {
            for (Tensor[] t : new Tensor[][] {u, uOld, uEff, uBreve, r, rOld, vBas, vBasOld, rHP, err})
                t[l] = z(batch, n[l]);
            w[l] = uniform(n[l], n[l - 1], params.weightRange(), STREAM_INIT_W + l);
            if (params.tauLowPass() > 0) wLowPass[l] = z(n[l], n[l - 1]);
            normalInit(u[l], STREAM_INIT_U + l);
        }
        for (int l = 1; l < N; l++) {
            for (Tensor[] t : new Tensor[][] {vApi, vApiOld, xi}) t[l] = z(batch, n[l]);
            for (Tensor[] t : new Tensor[][] {uI, uIOld, uEffI, uBreveI, rI, rIOld, vDen, vDenOld, errI})
                t[l] = z(batch, n[l + 1]);
            wIP[l] = uniform(n[l + 1], n[l], params.weightRange(), STREAM_INIT_W + 100 + l);
            b[l] = uniform(n[l], n[l + 1], params.feedbackRange(), STREAM_INIT_B + l);
            bPI[l] = uniform(n[l], n[l + 1], params.feedbackRange(), STREAM_INIT_B + 100 + l);
            normalInit(uI[l], STREAM_INIT_UI + l);
        }
        if (params.rule().transportsWeights()) {
            for (int l = 1; l < N; l++) be.transpose(w[l + 1], 1.0, b[l]);
        }
        if (params.selfPredictingInit()) setSelfPredictingState();
        // prospective potentials at step 1 equal the initial potentials; rates follow from them
        for (int l = 1; l <= N; l++) {
            be.copy(u[l], uOld[l]);
            be.copy(u[l], uEff[l]);
            be.activation(phi[l], 1.0, u[l], r[l]);
        }
        for (int l = 1; l < N; l++) {
            be.copy(uI[l], uIOld[l]);
            be.copy(uI[l], uEffI[l]);
            be.activation(phi[l + 1], 1.0, uI[l], rI[l]);
        }
    }

    private Tensor z(int rows, int cols) {
        return be.zeros(dtype, rows, cols);
    }

    private Tensor uniform(int rows, int cols, double[] range, int stream) {
        double[] h = new double[rows * cols];
        rng.uniforms(stream, 0, h, 0, h.length);
        for (int i = 0; i < h.length; i++) h[i] = range[0] + (range[1] - range[0]) * h[i];
        return be.fromHost(dtype, h, rows, cols);
    }

    private void normalInit(Tensor t, int stream) {
        t.load(rng.scaledNormals(stream, 0, Math.toIntExact(t.length()), p.initialPotentialStd()));
    }

    /**
     * Puts the lateral weights into the self-predicting state (§2.5): B^PI = −B, and W^IP_ℓ a scaled
     * copy of W_{ℓ+1} such that the interneurons' dendritic prediction matches the basal prediction of
     * layer ℓ+1 — so that, without a target, apical potentials vanish.
     */
    public void setSelfPredictingState() {
        for (int l = 1; l < depth; l++) {
            be.axpby(-1.0, b[l], 0.0, bPI[l]);
            boolean upperIsOutput = l + 1 == depth;
            double upperGain = upperIsOutput ? g.outputBasalGain() : g.hiddenBasalGain();
            double factor = upperGain / g.interneuronDendriteGain();
            be.axpby(factor, w[l + 1], 0.0, wIP[l]);
        }
    }

    /** The tensor [batch, n_0] the presenter writes input rates into; read at the next step. */
    @Override
    public Tensor input() {
        return input;
    }

    /** The output pyramidal somata are nudged towards the target (g_som), so their read-out carries it. */
    @Override
    public boolean outputNudged() {
        return true;
    }

    /** The tensor [batch, n_N] the presenter writes target potentials into; used while a target is on. */
    @Override
    public Tensor target() {
        return target;
    }

    /** Nudges the output towards {@link #target()} (true) or lets it run free (false). */
    public void setTargetOn(boolean on) {
        this.hasTarget = on;
    }

    public void setLearning(boolean forward, boolean interneurons, boolean feedback) {
        this.learnForward = forward;
        this.learnInterneurons = interneurons;
        this.learnFeedback = feedback;
    }

    /** Switches the OU noise of the rule on or off (off during settling and evaluation). */
    public void setNoise(boolean on) {
        this.noiseOn = on;
    }

    private static void swap(Tensor[] a, Tensor[] bb, int i) {
        Tensor t = a[i];
        a[i] = bb[i];
        bb[i] = t;
    }

    /** One forward-Euler step of dt (§9.1). */
    @Override
    public void step() {
        int N = depth;
        double dt = p.dt();
        double taur = p.prospectiveFactor();
        MicrocircuitRule rule = p.rule();
        boolean noise = noiseOn && rule.injectsNoise() && p.noiseSigma() > 0;
        double inv = 1.0 / batch;

        // (a) keep the previous step's rates and dendritic potentials
        Tensor t = r0;
        r0 = r0Old;
        r0Old = t;
        be.copy(input, r0);
        for (int l = 1; l <= N; l++) {
            swap(r, rOld, l);
            swap(vBas, vBasOld, l);
        }
        for (int l = 1; l < N; l++) {
            swap(vApi, vApiOld, l);
            swap(rI, rIOld, l);
            swap(vDen, vDenOld, l);
        }
        // (b) prospective potentials and rates; (c) u_old ← u
        for (int l = 1; l <= N; l++) {
            be.lincombActivation(uBreve[l], 1.0 - taur, uOld[l], taur, uEff[l], phi[l], r[l]);
            swap(u, uOld, l);
        }
        for (int l = 1; l < N; l++) {
            be.lincombActivation(uBreveI[l], 1.0 - taur, uIOld[l], taur, uEffI[l], phi[l + 1], rI[l]);
            swap(uI, uIOld, l);
        }
        // (d) dendritic potentials from the new rates
        for (int l = 1; l <= N; l++) be.gemm(false, true, 1.0, l == 1 ? r0 : r[l - 1], w[l], 0.0, vBas[l]);
        for (int l = 1; l < N; l++) {
            be.gemm(false, true, 1.0, r[l + 1], b[l], 0.0, vApi[l]);
            be.gemm(false, true, 1.0, rI[l], bPI[l], 1.0, vApi[l]);
            be.gemm(false, true, 1.0, r[l], wIP[l], 0.0, vDen[l]);
        }
        // (e) OU noise
        if (noise) {
            double tx = p.tauNoise();
            for (int l = 1; l < N; l++)
                be.ouStep(xi[l], rng, STREAM_NOISE + l, step, 1.0 - dt / tx, Math.sqrt(dt * tx) * p.noiseSigma() / tx);
        }
        // (f) somatic update towards the conductance-weighted steady state u_eff
        double tauP = g.tauPyramidal(), tauI = g.tauInterneuron(), tauN = g.tauOutput();
        for (int l = 1; l < N; l++) {
            be.lincombChain(
                    uEff[l],
                    tauP * g.basal(),
                    vBas[l],
                    tauP * g.apical(),
                    vApi[l],
                    tauP * g.apical(),
                    noise ? xi[l] : null,
                    u[l],
                    1.0 - dt / tauP,
                    uOld[l],
                    dt / tauP);
            be.lincombChain(
                    uEffI[l],
                    tauI * g.dendrite(),
                    vDen[l],
                    tauI * g.interneuronNudge(),
                    uBreve[l + 1],
                    0,
                    null,
                    uI[l],
                    1.0 - dt / tauI,
                    uIOld[l],
                    dt / tauI);
        }
        if (hasTarget) {
            be.lincombChain(
                    uEff[N],
                    tauN * g.basal(),
                    vBas[N],
                    tauN * g.target(),
                    target,
                    0,
                    null,
                    u[N],
                    1.0 - dt / tauN,
                    uOld[N],
                    dt / tauN);
        } else {
            be.axpby(g.outputBasalGain(), vBas[N], 0.0, uEff[N]);
            be.lincomb(u[N], 1.0 - dt / tauN, uOld[N], dt / tauN, uEff[N], 0, null);
        }

        // (g, h) plasticity. Each increment reads only quantities from before this step's weight
        // updates, so accumulating in place equals computing all increments first.
        for (int l = 1; l < N; l++) {
            if (rule.transportsWeights()) {
                be.transpose(w[l + 1], 1.0, b[l]);
                be.transpose(w[l + 1], -1.0, bPI[l]);
            }
            if (learnInterneurons && p.etaIP()[l - 1] > 0) {
                be.predictionError(rI[l], phi[l + 1], g.interneuronDendriteGain(), vDenOld[l], errI[l]);
                be.gemm(true, false, dt * p.etaIP()[l - 1] * inv, errI[l], rOld[l], 1.0, wIP[l]);
            }
            if (learnFeedback && p.etaPI()[l - 1] > 0) {
                be.gemm(true, false, -dt * p.etaPI()[l - 1] * inv, vApiOld[l], rIOld[l], 1.0, bPI[l]);
            }
            if (learnFeedback && rule.learnsFeedback() && p.etaFeedback()[l - 1] > 0) {
                double eta = p.etaFeedback()[l - 1];
                be.gemm(true, false, dt * eta * inv, xi[l], rHP[l + 1], 1.0 - dt * eta * p.alpha()[l - 1], b[l]);
            }
        }
        if (learnForward) {
            for (int l = 1; l <= N; l++) {
                double eta = p.etaForward()[l - 1];
                if (eta == 0) continue;
                forwardError(l);
                Tensor pre = previousPresynapticRate(l);
                if (wLowPass[l] != null) {
                    double k = dt / p.tauLowPass();
                    be.lowPassOuterApply(k * dt * eta * inv, err[l], pre, k, wLowPass[l], w[l]);
                } else {
                    be.gemm(true, false, dt * eta * inv, err[l], pre, 1.0, w[l]);
                }
            }
        }
        // (i) high-pass filtered rates
        if (rule.learnsFeedback()) {
            double k = dt / p.tauHighPass();
            for (int l = 2; l <= N; l++) be.highPass(rHP[l], r[l], rOld[l], k);
        }
        step++;
    }

    /**
     * Writes into {@code dst} [n_ℓ, n_{ℓ−1}] the raw forward increment ΔW_ℓ of the last step (before
     * any low-pass): dt·η·mean_b [φ(ŭ_ℓ) − φ(ĝ v^bas,old_ℓ)] ⊗ r̆^old_{ℓ−1}, with η = 1 if {@code unitRate}.
     */
    public void forwardIncrement(int layer, Tensor dst, boolean unitRate) {
        checkLayer(layer, 1, depth);
        double eta = unitRate ? 1.0 : p.etaForward()[layer - 1];
        forwardError(layer);
        be.gemm(true, false, p.dt() * eta / batch, err[layer], previousPresynapticRate(layer), 0.0, dst);
    }

    /** err_ℓ = φ(ŭ_ℓ) − φ(ĝ_ℓ v^bas,old_ℓ): the dendritic prediction error that drives ΔW_ℓ. */
    private void forwardError(int l) {
        be.predictionError(r[l], phi[l], l == depth ? g.outputBasalGain() : g.hiddenBasalGain(), vBasOld[l], err[l]);
    }

    /** r̆^old_{ℓ−1}, the previous step's rates presynaptic to W_ℓ (the input rates for ℓ = 1). */
    private Tensor previousPresynapticRate(int l) {
        return l == 1 ? r0Old : rOld[l - 1];
    }

    private void checkLayer(int l, int lo, int hi) {
        if (l < lo || l > hi) throw new IllegalArgumentException("layer " + l + " outside " + lo + ".." + hi);
    }

    public MicrocircuitParams params() {
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
        return depth;
    }

    /** W_ℓ, ℓ = 1…N. */
    public Tensor forwardWeights(int l) {
        checkLayer(l, 1, depth);
        return w[l];
    }

    /** B_ℓ, ℓ = 1…N−1. */
    public Tensor feedbackWeights(int l) {
        checkLayer(l, 1, depth - 1);
        return b[l];
    }

    public Tensor interneuronToPyramidal(int l) {
        checkLayer(l, 1, depth - 1);
        return bPI[l];
    }

    public Tensor pyramidalToInterneuron(int l) {
        checkLayer(l, 1, depth - 1);
        return wIP[l];
    }

    /** v^api_ℓ of the last step (without noise), hidden layers. */
    public Tensor apicalPotential(int l) {
        checkLayer(l, 1, depth - 1);
        return vApi[l];
    }

    public Tensor basalPotential(int l) {
        checkLayer(l, 1, depth);
        return vBas[l];
    }

    /** ŭ_ℓ of the last step. */
    public Tensor prospectivePotential(int l) {
        checkLayer(l, 1, depth);
        return uBreve[l];
    }

    public Tensor somaticPotential(int l) {
        checkLayer(l, 1, depth);
        return u[l];
    }

    /** r̆_ℓ = φ(ŭ_ℓ) of the last step. */
    public Tensor rate(int l) {
        checkLayer(l, 1, depth);
        return r[l];
    }

    public Tensor noise(int l) {
        checkLayer(l, 1, depth - 1);
        return xi[l];
    }

    /**
     * The learned parameters by name, 1-based by layer: {@code layerℓ.W} (ℓ = 1…N), and for the hidden
     * layers {@code layerℓ.WIP} (W^IP_ℓ, pyramidal → interneuron), {@code layerℓ.B} and {@code layerℓ.BPI}
     * (B^PI_ℓ, interneuron → apical), each {@code [post, pre]}.
     */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int l = 1; l <= depth; l++) m.put("layer" + l + ".W", w[l]);
        for (int l = 1; l < depth; l++) {
            m.put("layer" + l + ".WIP", wIP[l]);
            m.put("layer" + l + ".B", b[l]);
            m.put("layer" + l + ".BPI", bPI[l]);
        }
        return m;
    }

    private static final String[] PYRAMIDAL = {"u", "uOld", "uEff", "uBreve", "r", "rOld", "vBas", "vBasOld", "rHP"};
    private static final String[] HIDDEN = {
        "vApi", "vApiOld", "xi", "uI", "uIOld", "uEffI", "uBreveI", "rI", "rIOld", "vDen", "vDenOld"
    };

    /**
     * Every tensor that evolves apart from the parameters: the input rates ({@code input.r},
     * {@code input.rOld}) and the input and target tensors, and per layer ℓ its pyramidal state
     * ({@code layerℓ.u}, {@code .uOld}, {@code .uEff}, {@code .uBreve}, {@code .r}, {@code .rOld},
     * {@code .vBas}, {@code .vBasOld}, {@code .rHP}, the low-pass {@code .dWlowpass}) and, for hidden
     * layers, apical and interneuron state ({@code .vApi}, {@code .xi}, {@code .uI}, {@code .rI},
     * {@code .vDen}, ...). With {@link #steps()} this is all a checkpoint needs to continue bit-identically.
     */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input.r", r0);
        m.put("input.rOld", r0Old);
        m.put("input", input);
        m.put("target", target);
        Tensor[][] arrays = {u, uOld, uEff, uBreve, r, rOld, vBas, vBasOld, rHP};
        for (int l = 1; l <= depth; l++) {
            for (int i = 0; i < PYRAMIDAL.length; i++) m.put("layer" + l + "." + PYRAMIDAL[i], arrays[i][l]);
            if (wLowPass[l] != null) m.put("layer" + l + ".dWlowpass", wLowPass[l]);
        }
        Tensor[][] ha = {vApi, vApiOld, xi, uI, uIOld, uEffI, uBreveI, rI, rIOld, vDen, vDenOld};
        for (int l = 1; l < depth; l++)
            for (int i = 0; i < HIDDEN.length; i++) m.put("layer" + l + "." + HIDDEN[i], ha[i][l]);
        return m;
    }

    /** Parameters and state together (what a checkpoint holds). */
    public Map<String, Tensor> fullState() {
        Map<String, Tensor> m = parameters();
        m.putAll(stateTensors());
        return m;
    }

    @Override
    public Map<String, Double> stateScalars() {
        return Map.of("steps", (double) step);
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        step = Math.round(s.get("steps"));
    }

    /**
     * Probe-able signals of layer ℓ: {@code layerℓ.basal}, {@code .prospective} (ŭ), {@code .somatic} (u),
     * {@code .rate}; hidden layers also {@code .apical} (v^api, without noise), {@code .noise} (ξ), and
     * their interneurons' {@code .interneuron.prospective}, {@code .interneuron.somatic},
     * {@code .interneuron.rate}, {@code .interneuron.dendrite} (v^den).
     */
    @Override
    public Map<String, Tensor> signals() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int l = 1; l <= depth; l++) {
            String k = "layer" + l + ".";
            m.put(k + "basal", vBas[l]);
            m.put(k + "prospective", uBreve[l]);
            m.put(k + "somatic", u[l]);
            m.put(k + "rate", r[l]);
            if (l < depth) {
                m.put(k + "apical", vApi[l]);
                m.put(k + "noise", xi[l]);
                m.put(k + "interneuron.prospective", uBreveI[l]);
                m.put(k + "interneuron.somatic", uI[l]);
                m.put(k + "interneuron.rate", rI[l]);
                m.put(k + "interneuron.dendrite", vDen[l]);
            }
        }
        return m;
    }

    /** ŭ_N, the output layer's prospective potential. */
    @Override
    public Tensor output() {
        return uBreve[depth];
    }

    @Override
    public long steps() {
        return step;
    }

    private Phase phase;

    /** Learning switches W, W^IP, B and B^PI (forward weights only if {@link Phase#learnForward()}), target and noise. */
    @Override
    public void setPhase(Phase p) {
        phase = p;
        setLearning(p.learn() && p.learnForward(), p.learn(), p.learn());
        setTargetOn(p.target());
        setNoise(p.noise());
    }

    @Override
    public Phase phase() {
        return phase;
    }

    public boolean targetOn() {
        return hasTarget;
    }

    @Override
    public void close() {
        for (Tensor x : fullState().values()) x.close();
        for (int l = 1; l <= depth; l++) err[l].close();
        for (int l = 1; l < depth; l++) errI[l].close();
    }
}
