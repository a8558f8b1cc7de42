package io.cortex4j.model.burst;

import io.cortex4j.metrics.Angles;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.model.burst.BurstSpec.FeedbackMode;
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
 * A layered sigmoid network that learns with bursts (BurstCCN, Burstprop), EDN, BP or FA, one
 * mini-batch per {@link #step()} (specs/burstccn.md §2–4, §7): the forward sweep of event rates
 * {@code v_ℓ = e_{ℓ−1}W_ℓᵀ + b_ℓ, e_ℓ = σ(v_ℓ)} and, while learning, one top-down sweep from the output
 * (the teacher there while {@link Phase#target()} is on, else y := e) that gives every layer its
 * update signal δ_ℓ, then the updates of all layers, then the feedback pathways, then the ties.
 * Rows are samples; W_ℓ is {@code [n_ℓ, n_{ℓ−1}]}; the feedback into hidden layer ℓ is {@code [n_ℓ, n_{ℓ+1}]}.
 *
 * <p>BurstCCN: the output's burst probability p_L = p_b((y − e)(1 − e) + 1); a hidden layer's apical
 * potential {@code u_ℓ = burst_{ℓ+1}Y_ℓᵀ − e_{ℓ+1}Q_ℓᵀ} and {@code p_ℓ = 2p_b·σ((2/p_b)·u_ℓ⊙(1 − e_ℓ))}
 * (the general form, equal to the NeurIPS code's σ(4u(1−e)) at p_b = 0.5); δ_ℓ = (p_ℓ − p_b)⊙e_ℓ;
 * ΔW_ℓ = η·δ_ℓᵀe_{ℓ−1}/B; ΔQ_ℓ = η_Q·u_ℓᵀe_{ℓ+1}/B.
 */
public final class BurstNetwork implements Network {
    private static final int W_STREAM = 100,
            Y_STREAM = 200,
            Q_STREAM = 300,
            Z_STREAM = 400,
            WPI_STREAM = 500,
            WIP_STREAM = 600;
    private static final double LN4 = Math.log(4.0);

    private final BurstSpec spec;
    private final BurstRule rule;
    private final Backend be;
    private final DType dtype;
    private final int batch;
    private final CounterRandom rng;
    private final Layer[] layers;
    private final double pb, lr, momentum, decay, biasDecay;
    private final double[] factors;
    private final boolean recurrent;
    private final BurstSpec.Continuous continuous; // null: one sweep per mini-batch
    private final List<Tensor> owned = new ArrayList<>();
    private final Tensor input, target, lastInput, lastTarget, ones;
    private Phase phase = Phase.FREE;
    private long step, batches;

    /**
     * One weight layer (dense, or convolutional with geometry g) with its neurons and, if hidden, the
     * feedback it receives from the layer above. Outputs are flat rows per sample, channel-major for
     * convolutions.
     */
    private final class Layer {
        final int index, in, out; // input and output lengths per sample
        final ConvGeometry g; // null for a dense layer
        final int rows, cols, positions; // W is [rows, cols]: [out, in], or [filters, C·k·k] applied at each position
        Layer above; // null for the output layer
        final Tensor w, b;
        Tensor vW, vb; // momentum
        final Tensor v, e, p, burst, delta;
        Tensor colsIn, vRows, dRows; // convolution: unfolded input, potentials and δ as position rows
        Tensor xRows, dcols; // convolution: scratch for carrying a signal of this layer down to the layer below
        Tensor u, u2, y, q; // apical potential (and BurstCCN's Q part of it), feedback (hidden)
        Tensor deriv, h, f, fTeacher, pTeacher, burstTeacher, bPre, rz, z; // BP/FA and Burstprop
        Tensor wpi, bpi, wip, intnBasal, intnBasalRate, intnSoma, intnRate, intnDiff, somaT, rateT; // EDN
        Tensor dBp, dFa, grad; // angles (allocated on first use)
        Tensor eOld, bOld, pOld, base, eMa, bMa, pMa, pMaOld, drive, driveQ; // continuous time

        Layer(int index, Topology.Shape inShape, Topology.Shape outShape, ConvGeometry g) {
            this.index = index;
            this.in = inShape.length();
            this.out = outShape.length();
            this.g = g;
            this.rows = g == null ? out : outShape.channels();
            this.cols = g == null ? in : g.patch();
            this.positions = g == null ? 1 : g.positions();
            int k2 = g == null ? 1 : g.kernel() * g.kernel();
            // PyTorch's xavier_normal_: fan_in = C_in·k·k, fan_out = C_out·k·k
            double std = spec.model().init().gain() * Math.sqrt(2.0 / (cols + rows * k2));
            w = normal(W_STREAM + index, std, rows, cols);
            b = zeros(1, rows);
            if (momentum > 0) {
                vW = zeros(rows, cols);
                vb = zeros(1, rows);
            }
            v = zeros(batch, out);
            e = zeros(batch, out);
            p = zeros(batch, out);
            burst = zeros(batch, out);
            delta = zeros(batch, out);
            if (g != null) {
                colsIn = zeros(batch * positions, cols);
                vRows = zeros(batch * positions, rows);
                dRows = zeros(batch * positions, rows);
                xRows = zeros(batch * positions, rows);
                dcols = zeros(batch * positions, cols);
            }
            if (rule == BurstRule.BP || rule == BurstRule.FA) deriv = zeros(batch, out);
            if (rule == BurstRule.BURSTPROP) {
                pTeacher = zeros(batch, out);
                burstTeacher = zeros(batch, out);
            }
            if (rule == BurstRule.EDN) {
                somaT = zeros(batch, out);
                rateT = zeros(batch, out);
            }
            if (continuous != null) {
                eOld = zeros(batch, out);
                bOld = zeros(batch, out);
                pOld = zeros(batch, out);
                base = zeros(batch, out);
                be.fill(base, pb);
                if (rule == BurstRule.BURSTPROP) {
                    eMa = zeros(batch, out);
                    bMa = zeros(batch, out);
                    pMa = zeros(batch, out);
                    pMaOld = zeros(batch, out);
                }
            }
        }

        /** The feedback pathways from the layer above, once it is known. */
        void connect(Layer above) {
            this.above = above;
            int next = above.out;
            // dense above: [n_ℓ, n_ℓ+1]; convolution above: its kernel's shape
            int fr = above.g == null ? out : above.rows, fc = above.g == null ? next : above.cols;
            u = zeros(batch, out);
            if (rule.usesY()) y = zeros(fr, fc);
            if (rule == BurstRule.BURSTCCN) {
                q = zeros(fr, fc);
                u2 = zeros(batch, out);
            }
            if (continuous != null) {
                drive = zeros(batch, out);
                driveQ = zeros(batch, out);
                h = zeros(batch, out);
            }
            if (rule == BurstRule.BURSTPROP && continuous == null) {
                h = zeros(batch, out);
                f = zeros(batch, out);
                fTeacher = zeros(batch, out);
                if (recurrent) {
                    bPre = zeros(batch, out);
                    rz = zeros(batch, out);
                    z = normal(Z_STREAM + index, spec.rule().recurrent().scale(), out, out);
                }
            }
            if (rule == BurstRule.EDN) {
                wpi = zeros(next, out);
                bpi = zeros(1, next);
                wip = zeros(out, next);
                intnBasal = zeros(batch, next);
                intnBasalRate = zeros(batch, next);
                intnSoma = zeros(batch, next);
                intnRate = zeros(batch, next);
                intnDiff = zeros(batch, next);
            }
        }

        boolean hidden() {
            return above != null;
        }

        String name() {
            return "layer" + (index + 1) + ".";
        }
    }

    BurstNetwork(BurstSpec spec, Topology arch, Backend be, DType dtype, int batch, long seed) {
        this.spec = spec;
        this.rule = spec.rule().name();
        this.be = be;
        this.dtype = dtype;
        this.batch = batch;
        this.rng = new CounterRandom(seed);
        BurstSpec.Rule r = spec.rule();
        this.pb = spec.model().pBaseline() != null ? spec.model().pBaseline() : 0.5;
        this.lr = r.learningRate();
        this.factors = r.lrFactors().clone();
        this.momentum = r.momentum();
        this.decay = 1.0 - r.weightDecay();
        this.biasDecay = rule == BurstRule.BURSTPROP ? 1.0 : decay; // the Burstprop code does not decay biases
        this.recurrent = r.recurrent() != null && r.recurrent().enabled();
        this.continuous = spec.model().continuous();
        List<LayerSpec> specs = arch.layers();
        List<Topology.Shape> shapes = arch.outputShapes();
        int n = specs.size();
        layers = new Layer[n];
        for (int i = 0; i < n; i++) {
            ConvGeometry g = specs.get(i) instanceof LayerSpec.Conv2d ? arch.geometry(i) : null;
            layers[i] = new Layer(i, i == 0 ? arch.input() : shapes.get(i - 1), shapes.get(i), g);
        }
        for (int i = 0; i + 1 < n; i++) layers[i].connect(layers[i + 1]);
        int ins = arch.inputLength(), outs = arch.outputLength();
        input = zeros(batch, ins);
        target = zeros(batch, outs);
        lastInput = zeros(batch, ins);
        lastTarget = zeros(batch, outs);
        ones = rule == BurstRule.EDN ? zeros(batch, outs) : null;
        if (ones != null) be.fill(ones, 1.0);
        initFeedback();
    }

    private Tensor zeros(int r, int c) {
        Tensor t = be.zeros(dtype, r, c);
        owned.add(t);
        return t;
    }

    private Tensor normal(int stream, double std, int r, int c) {
        Tensor t = be.fromHost(dtype, rng.scaledNormals(stream, 0, r * c, std), r, c);
        owned.add(t);
        return t;
    }

    private void fillNormal(Tensor t, int stream, double std) {
        be.copyFromHost(rng.scaledNormals(stream, 0, Math.toIntExact(t.length()), std), t);
    }

    /** Y, Q and EDN's interneuron weights at the start (specs/burstccn.md §3.1). */
    private void initFeedback() {
        BurstSpec.Rule r = spec.rule();
        for (Layer l : layers) {
            if (!l.hidden()) continue;
            Layer above = layers[l.index + 1];
            if (l.y != null) {
                if (r.Y().mode() == FeedbackMode.RANDOM) fillNormal(l.y, Y_STREAM + l.index, r.Y().scale());
                else mirror(above, r.Y().scale(), l.y);
            }
            if (l.q != null) {
                double s = r.Q().scale();
                switch (r.Q().mode()) {
                    case SYMMETRIC, TIED -> be.lincomb(l.q, pb * s, l.y, 0.0, l.y, 0.0, null);
                    case RANDOM -> fillNormal(l.q, Q_STREAM + l.index, s);
                    case W_SYMMETRIC -> mirror(above, pb * s, l.q);
                }
            }
            if (rule == BurstRule.EDN) {
                BurstSpec.Edn edn = r.edn();
                if (edn.interneurons() == FeedbackMode.RANDOM) {
                    fillNormal(
                            l.wpi,
                            WPI_STREAM + l.index,
                            spec.model().init().gain() * Math.sqrt(2.0 / (l.out + above.out)));
                    fillNormal(l.wip, WIP_STREAM + l.index, edn.interneuronScale());
                } else {
                    tieInterneurons(l, above);
                }
            }
        }
    }

    /** {@code dst = scale·W_above} in the orientation of a feedback matrix: transposed for a dense layer above, as it is for a convolution (its kernel's shape). */
    private void mirror(Layer above, double scale, Tensor dst) {
        if (above.g == null) be.transpose(above.w, scale, dst);
        else be.lincomb(dst, scale, above.w, 0.0, above.w, 0.0, null);
    }

    /**
     * {@code out} (the shape of the layer below {@code above}) = x (the shape of {@code above}) carried
     * down through k: for a dense layer above x·kᵀ with k a feedback matrix [n_ℓ, n_ℓ+1], or x·k with k =
     * W_ℓ+1 ({@code forwardShaped}); for a convolution above the transposed convolution
     * col2im(rows(x)·k) with k of its kernel's shape.
     */
    private void down(Layer above, Tensor x, Tensor k, boolean forwardShaped, Tensor out) {
        if (above.g == null) {
            be.gemm(false, !forwardShaped, 1.0, x, k, 0.0, out);
        } else {
            be.blockTranspose(x, above.rows, above.positions, above.xRows);
            be.gemm(false, false, 1.0, above.xRows, k, 0.0, above.dcols);
            be.col2im(above.dcols, above.g, out);
        }
    }

    private void tieInterneurons(Layer l, Layer above) {
        be.copy(above.w, l.wpi);
        be.copy(above.b, l.bpi);
        be.lincomb(l.wip, spec.rule().edn().interneuronScale(), l.y, 0.0, l.y, 0.0, null);
    }

    // ------------------------------------------------------------------------------------ the step

    /** One mini-batch: the forward sweep, and while learning the top-down sweep and every update. */
    @Override
    public void step() {
        if (continuous != null) {
            continuousStep();
            return;
        }
        step++;
        forward(input);
        if (!phase.learn()) return;
        batches++;
        be.copy(input, lastInput);
        be.copy(target, lastTarget);
        topDown(phase.target() ? target : null);
        update();
    }

    private void forward(Tensor x0) {
        Tensor x = x0;
        for (Layer l : layers) {
            if (l.g == null) {
                be.gemm(false, true, 1.0, x, l.w, 0.0, l.v);
                be.addRowVector(1.0, l.b, l.v);
            } else {
                be.im2col(x, l.g, l.colsIn);
                be.gemm(false, true, 1.0, l.colsIn, l.w, 0.0, l.vRows);
                be.addRowVector(1.0, l.b, l.vRows);
                be.blockTranspose(l.vRows, l.positions, l.rows, l.v);
            }
            be.activation(Activation.SIGMOID, 1.0, l.v, l.e);
            if (l.intnBasal != null) {
                be.gemm(false, true, 1.0, l.e, l.wpi, 0.0, l.intnBasal);
                be.addRowVector(1.0, l.bpi, l.intnBasal);
            }
            x = l.e;
        }
    }

    /** The top-down sweep: every layer's δ (and what the feedback pathways learn from); y null: no teacher. */
    private void topDown(Tensor y) {
        Layer top = layers[layers.length - 1];
        switch (rule) {
            case BURSTCCN -> {
                be.burstOutput(top.e, y != null ? y : top.e, pb, top.p, top.burst, top.delta);
                for (int i = layers.length - 2; i >= 0; i--) {
                    Layer l = layers[i], a = layers[i + 1];
                    // u = burst·Yᵀ − e·Qᵀ as the difference of two rounded products, so that Q = p_b·Y
                    // without a teacher gives u = 0 exactly (a GEMM accumulating into u would leave the
                    // rounding residue of the first product)
                    down(a, a.burst, l.y, false, l.u);
                    down(a, a.e, l.q, false, l.u2);
                    be.axpby(-1.0, l.u2, 1.0, l.u);
                    be.burstHidden(l.u, l.e, 2 * pb, 2 / pb, pb, l.p, l.burst, l.delta);
                }
            }
            case BURSTPROP -> burstprop(top, y);
            case EDN -> edn(top, y);
            case BP, FA -> backprop(y, rule, null);
        }
    }

    /**
     * Burstprop (§4.1 as the BurstCCN repository re-implements it): two top-down passes, the first
     * without the teacher. Output: burst = p_b·e, burstTeacher = p_b((y − e)(1 − e) + 1)·e. Hidden:
     * f = burst_{ℓ+1}Y_ℓᵀ; with recurrence b_pre = σ(f)⊙e and u = f⊙(1 − e) − b_pre Zᵀ, p = σ(u), and
     * the same with the teacher's f; δ = burstTeacher − burst.
     */
    private void burstprop(Layer top, Tensor y) {
        be.burstOutput(top.e, y != null ? y : top.e, pb, top.pTeacher, top.burstTeacher, top.delta);
        be.lincomb(top.burst, pb, top.e, 0.0, top.e, 0.0, null);
        be.fill(top.p, pb);
        for (int i = layers.length - 2; i >= 0; i--) {
            Layer l = layers[i], a = layers[i + 1];
            be.gemm(false, true, 1.0, a.burst, l.y, 0.0, l.f);
            be.gemm(false, true, 1.0, a.burstTeacher, l.y, 0.0, l.fTeacher);
            be.fill(l.h, 1.0);
            be.axpby(-1.0, l.e, 1.0, l.h); // 1 − e
            if (recurrent) {
                be.activation(Activation.SIGMOID, 1.0, l.f, l.bPre);
                be.mul(l.bPre, l.e, l.bPre);
                be.gemm(false, true, 1.0, l.bPre, l.z, 0.0, l.rz);
            }
            be.mul(l.f, l.h, l.u);
            be.mul(l.fTeacher, l.h, l.fTeacher);
            if (recurrent) {
                be.axpby(-1.0, l.rz, 1.0, l.u);
                be.axpby(-1.0, l.rz, 1.0, l.fTeacher);
            }
            be.activation(Activation.SIGMOID, 1.0, l.u, l.p);
            be.activation(Activation.SIGMOID, 1.0, l.fTeacher, l.pTeacher);
            be.mul(l.p, l.e, l.burst);
            be.mul(l.pTeacher, l.e, l.burstTeacher);
            be.lincomb(l.delta, 1.0, l.burstTeacher, -1.0, l.burst, 0.0, null);
        }
    }

    /**
     * EDN (the BurstCCN repository's discrete form): the output soma moves λ_out towards the target
     * potential logit(0.2 + 0.6y) = ln4·(2y − 1) for one-hot y; each hidden layer's interneurons move
     * λ_int towards the nudged soma above, its apical potential is u = rateT_{ℓ+1}Y_ℓᵀ − intnRate·Wipᵀ,
     * its soma v + λ_hid·u; δ = σ(nudged soma) − e.
     */
    private void edn(Layer top, Tensor y) {
        BurstSpec.Edn p = spec.rule().edn();
        if (y != null) {
            double lo = p.lambdaOutput();
            be.lincomb(top.somaT, 1.0 - lo, top.v, 2 * lo * LN4, y, -lo * LN4, ones);
        } else {
            be.copy(top.v, top.somaT);
        }
        be.activation(Activation.SIGMOID, 1.0, top.somaT, top.rateT);
        be.lincomb(top.delta, 1.0, top.rateT, -1.0, top.e, 0.0, null);
        for (int i = layers.length - 2; i >= 0; i--) {
            Layer l = layers[i], a = layers[i + 1];
            be.lincomb(l.intnSoma, 1.0 - p.lambdaInterneuron(), l.intnBasal, p.lambdaInterneuron(), a.somaT, 0.0, null);
            be.activation(Activation.SIGMOID, 1.0, l.intnSoma, l.intnRate);
            be.activation(Activation.SIGMOID, 1.0, l.intnBasal, l.intnBasalRate);
            be.gemm(false, true, 1.0, a.rateT, l.y, 0.0, l.u);
            be.gemm(false, true, -1.0, l.intnRate, l.wip, 1.0, l.u);
            be.lincomb(l.somaT, 1.0, l.v, p.lambdaHidden(), l.u, 0.0, null);
            be.activation(Activation.SIGMOID, 1.0, l.somaT, l.rateT);
            be.lincomb(l.delta, 1.0, l.rateT, -1.0, l.e, 0.0, null);
        }
    }

    /**
     * Backprop (through W) or feedback alignment (through Y) of the output error (y − e)σ'(v) into
     * {@code into} (each layer's δ when null; else one tensor per layer, for the angle metrics).
     */
    private void backprop(Tensor y, BurstRule through, Tensor[] into) {
        for (int i = layers.length - 1; i >= 0; i--) {
            Layer l = layers[i];
            Tensor d = into != null ? into[i] : l.delta;
            if (l.deriv == null) l.deriv = zeros(batch, l.out);
            be.activationDerivative(Activation.SIGMOID, 1.0, l.v, l.deriv);
            if (i == layers.length - 1) {
                if (y != null) be.lincomb(d, 1.0, y, -1.0, l.e, 0.0, null);
                else be.fill(d, 0.0);
            } else {
                Tensor above = into != null ? into[i + 1] : layers[i + 1].delta;
                if (through == BurstRule.BP) down(l.above, above, l.above.w, true, d);
                else down(l.above, above, l.y, false, d);
            }
            be.mul(d, l.deriv, d);
        }
    }

    /** The updates of W and b (while the forward weights learn), then the feedback pathways, then the ties. */
    private void update() {
        if (phase.learnForward()) {
            for (Layer l : layers) {
                Tensor x = l.index == 0 ? input : layers[l.index - 1].e, d = l.delta;
                if (l.g != null) { // per position: δ rows against the unfolded input; the bias sums over positions
                    be.blockTranspose(l.delta, l.rows, l.positions, l.dRows);
                    d = l.dRows;
                    x = l.colsIn;
                }
                double k = lr * factors[l.index] / batch;
                if (momentum == 0) {
                    be.gemm(true, false, k, d, x, decay, l.w);
                    be.columnSums(k, d, biasDecay, l.b);
                } else {
                    be.gemm(true, false, k, d, x, momentum, l.vW);
                    be.columnSums(k, d, momentum, l.vb);
                    be.axpby(1.0, l.vW, decay, l.w);
                    be.axpby(1.0, l.vb, biasDecay, l.b);
                }
            }
        }
        BurstSpec.Rule r = spec.rule();
        for (Layer l : layers) {
            if (!l.hidden() || l.g != null || l.above.g != null) continue; // Y and Q learn in dense layers only
            Layer a = layers[l.index + 1];
            switch (rule) {
                case BURSTCCN -> {
                    if (r.Q().learningRate() > 0)
                        be.gemm(true, false, r.Q().learningRate() / batch, l.u, a.e, 1.0, l.q);
                    if (r.Y().learningRate() > 0)
                        be.gemm(true, false, -r.Y().learningRate() / batch, l.u, a.e, 1.0, l.y);
                }
                case BURSTPROP -> {
                    if (r.Y().learningRate() > 0) // Y takes W_{ℓ+1}'s update, transposed, and its decay
                    be.gemm(true, false, r.Y().learningRate() / batch, l.e, a.delta, decay, l.y);
                    if (recurrent && r.recurrent().learningRate() > 0)
                        be.gemm(true, false, r.recurrent().learningRate(), l.u, l.bPre, 1.0, l.z);
                }
                case EDN -> {
                    double k = r.edn().interneuronLrScale() * lr / batch;
                    be.lincomb(l.intnDiff, 1.0, l.intnRate, -1.0, l.intnBasalRate, 0.0, null);
                    be.gemm(true, false, k, l.intnDiff, l.rateT, 1.0, l.wpi);
                    be.columnSums(k, l.intnDiff, 1.0, l.bpi);
                    be.gemm(true, false, k, l.u, l.intnRate, 1.0, l.wip);
                }
                case BP, FA -> {}
            }
        }
        for (Layer l : layers) {
            if (!l.hidden()) continue;
            Layer a = layers[l.index + 1];
            if (l.y != null && r.Y().mode() == FeedbackMode.TIED) mirror(a, r.Y().scale(), l.y);
            if (l.q != null && r.Q().mode() == FeedbackMode.TIED)
                be.lincomb(l.q, pb * r.Q().scale(), l.y, 0.0, l.y, 0.0, null);
            if (rule == BurstRule.EDN && r.edn().interneurons() == FeedbackMode.TIED) tieInterneurons(l, a);
        }
    }

    /**
     * PyTorch nn.Linear's default initialisation, W and b uniform in ±1/√fan_in, with W scaled by
     * {@code scale} (the teacher of the continuous regression task, §5), from this network's seed.
     */
    void linearInit(double scale) {
        for (Layer l : layers) {
            double bound = 1 / Math.sqrt(l.cols);
            double[] w = new double[Math.toIntExact(l.w.length())], b = new double[Math.toIntExact(l.b.length())];
            for (int i = 0; i < w.length; i++) w[i] = scale * bound * (2 * rng.uniform(W_STREAM + l.index, 1, i) - 1);
            for (int i = 0; i < b.length; i++) b[i] = bound * (2 * rng.uniform(W_STREAM + l.index, 2, i) - 1);
            be.copyFromHost(w, l.w);
            be.copyFromHost(b, l.b);
        }
    }

    /**
     * One Euler step of the continuous-time network in the reference's order (specs/burstccn.md §5.1):
     * <ol>
     *   <li>every layer's event rate, burst rate and burst probability (and Burstprop's p̄) are kept as
     *       they were at the start of the step (e_old, b_old, p_old);
     *   <li>forward, bottom-up: v ← (1 − dt/τ_z)v + (dt/τ_z)(e_below Wᵀ + c), e = σ(v), with the new rate
     *       of the layer below;
     *   <li>output: p = p_b((y − e)(1 − e) + 1) while the teacher is on (Burstprop: its moving average ē
     *       for e), else p_b; burst = p·e; it sends its old (e, b) down;
     *   <li>hidden layers, top-down: u ← (1 − dt/τ_u)u + (dt/τ_u)·β·(1 − e)⊙(b̂Yᵀ − êQᵀ) with the new e
     *       and what the layer above sent; p = σ(u), burst = p·e; a hidden layer sends its new e and old
     *       b; Burstprop updates ē, b̄ from e (the output: its old e) and b_old, and p̄ = b̄/ē;
     *   <li>while learning with the teacher: post = (p_old − p̄)⊙e (the output: its old e), p̄ = p_b or
     *       Burstprop's p̄ of the start of the step; W += η·(dt/τ_W)·postᵀ·e_below/B with the new rate
     *       below (the input for the first layer), c likewise; then the ties (Y = Wᵀ, Q = p_b·Y).
     * </ol>
     * The state starts at zero (e and p too, not σ(0) and p_b).
     */
    private void continuousStep() {
        step++;
        BurstSpec.Continuous ct = continuous;
        double kz = ct.dt() / ct.tauSoma(), ku = ct.dt() / ct.tauApical(), kma = ct.dt() / ct.tauAverage();
        boolean teach = phase.learn() && phase.target();
        boolean prop = rule == BurstRule.BURSTPROP;
        for (Layer l : layers) {
            be.copy(l.e, l.eOld);
            be.copy(l.burst, l.bOld);
            be.copy(l.p, l.pOld);
            if (prop) be.copy(l.pMa, l.pMaOld);
        }
        Tensor x = input;
        for (Layer l : layers) {
            be.gemm(false, true, kz, x, l.w, 1.0 - kz, l.v);
            be.addRowVector(kz, l.b, l.v);
            be.activation(Activation.SIGMOID, 1.0, l.v, l.e);
            x = l.e;
        }
        Layer top = layers[layers.length - 1];
        if (!prop) {
            be.burstOutput(top.e, teach ? target : top.e, pb, top.p, top.burst, top.delta);
        } else {
            if (teach) be.burstOutput(top.eMa, target, pb, top.p, top.burst, top.delta);
            else be.fill(top.p, pb);
            be.mul(top.p, top.e, top.burst);
            movingAverages(top, top.eOld, kma);
        }
        Tensor sendE = top.eOld, sendB = top.bOld;
        for (int i = layers.length - 2; i >= 0; i--) {
            Layer l = layers[i];
            be.gemm(false, true, 1.0, sendB, l.y, 0.0, l.drive);
            if (l.q != null) {
                be.gemm(false, true, 1.0, sendE, l.q, 0.0, l.driveQ);
                be.axpby(-1.0, l.driveQ, 1.0, l.drive);
            }
            be.fill(l.h, 1.0);
            be.axpby(-1.0, l.e, 1.0, l.h);
            be.mul(l.h, l.drive, l.drive);
            be.axpby(ku * ct.beta(), l.drive, 1.0 - ku, l.u);
            be.activation(Activation.SIGMOID, 1.0, l.u, l.p);
            be.mul(l.p, l.e, l.burst);
            if (prop) movingAverages(l, l.e, kma);
            sendE = l.e;
            sendB = l.bOld;
        }
        if (!teach) return;
        batches++;
        double k = spec.rule().learningRate() * ct.dt() / ct.tauWeights() / batch;
        for (Layer l : layers) {
            Tensor e = l.hidden() ? l.e : l.eOld;
            be.lincomb(l.delta, 1.0, l.pOld, -1.0, prop ? l.pMaOld : l.base, 0.0, null);
            be.mul(l.delta, e, l.delta);
            Tensor pre = l.index == 0 ? input : layers[l.index - 1].e;
            be.gemm(true, false, k * factors[l.index], l.delta, pre, 1.0, l.w);
            be.columnSums(k * factors[l.index], l.delta, 1.0, l.b);
        }
        BurstSpec.Rule r = spec.rule();
        for (Layer l : layers) {
            if (!l.hidden()) continue;
            if (r.Y().mode() == FeedbackMode.TIED) mirror(l.above, r.Y().scale(), l.y);
            if (l.q != null && r.Q().mode() == FeedbackMode.TIED)
                be.lincomb(l.q, pb * r.Q().scale(), l.y, 0.0, l.y, 0.0, null);
        }
    }

    /** Burstprop's moving averages: ē += k(e_cache − ē), b̄ += k(b_old − b̄), p̄ = b̄/ē. */
    private void movingAverages(Layer l, Tensor eCache, double k) {
        be.axpby(k, eCache, 1.0 - k, l.eMa);
        be.axpby(k, l.bOld, 1.0 - k, l.bMa);
        be.div(l.bMa, l.eMa, l.pMa);
    }

    // ------------------------------------------------------------------------------------ metrics

    /**
     * The angles of {@link BurstFamily#epochMetrics} on the last training mini-batch: ∠(Y_ℓ, W_{ℓ+1}ᵀ),
     * ∠(Q_ℓ, Y_ℓ), and per layer the angle between the rule's ΔW and the BP gradient and the FA update
     * (the update the network would make now, with the teacher; nothing is changed).
     */
    double[] angles() {
        List<Double> out = new ArrayList<>();
        int n = layers.length;
        if (rule.usesY() && spec.rule().Y().mode() != FeedbackMode.TIED)
            for (int i = 0; i < n - 1; i++) {
                Layer a = layers[i + 1];
                out.add(Angles.degrees(host(layers[i].y), a.g == null ? transposed(a.w) : host(a.w)));
            }
        if (rule == BurstRule.BURSTCCN && spec.rule().Q().mode() != FeedbackMode.TIED)
            for (int i = 0; i < n - 1; i++) out.add(Angles.degrees(host(layers[i].q), host(layers[i].y)));
        if (rule != BurstRule.BP && continuous == null) {
            forward(lastInput);
            topDown(lastTarget);
            double[][] own = new double[n][];
            for (Layer l : layers) own[l.index] = gradient(l, l.delta);
            Tensor[] d = new Tensor[n];
            for (Layer l : layers) {
                if (l.dBp == null) l.dBp = zeros(batch, l.out);
                d[l.index] = l.dBp;
            }
            backprop(lastTarget, BurstRule.BP, d);
            for (Layer l : layers) out.add(Angles.degrees(own[l.index], gradient(l, l.dBp)));
            if (rule != BurstRule.FA) {
                for (Layer l : layers) {
                    if (l.dFa == null) l.dFa = zeros(batch, l.out);
                    d[l.index] = l.dFa;
                }
                backprop(lastTarget, BurstRule.FA, d);
                for (Layer l : layers) out.add(Angles.degrees(own[l.index], gradient(l, l.dFa)));
            }
        }
        double[] a = new double[out.size()];
        for (int i = 0; i < a.length; i++) a[i] = out.get(i);
        return a;
    }

    /** δᵀx / B of layer l on the last training batch, on the host. */
    private double[] gradient(Layer l, Tensor d) {
        if (l.grad == null) l.grad = zeros(l.rows, l.cols);
        Tensor x = l.index == 0 ? lastInput : layers[l.index - 1].e;
        if (l.g != null) { // the forward sweep just unfolded x into colsIn
            be.blockTranspose(d, l.rows, l.positions, l.dRows);
            d = l.dRows;
            x = l.colsIn;
        }
        be.gemm(true, false, 1.0 / batch, d, x, 0.0, l.grad);
        return l.grad.toHost();
    }

    private static double[] host(Tensor t) {
        return t.toHost();
    }

    private static double[] transposed(Tensor t) {
        double[] a = t.toHost(), o = new double[a.length];
        int r = t.rows(), c = t.cols();
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) o[j * r + i] = a[i * c + j];
        return o;
    }

    // ------------------------------------------------------------------------------------ Network

    /** Number of weight layers. */
    public int depth() {
        return layers.length;
    }

    public BurstRule rule() {
        return rule;
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

    @Override
    public Tensor input() {
        return input;
    }

    @Override
    public Tensor target() {
        return target;
    }

    /** The output layer's event rates e_L of the last forward sweep. */
    @Override
    public Tensor output() {
        return layers[layers.length - 1].e;
    }

    @Override
    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public long steps() {
        return step;
    }

    /**
     * {@code layerℓ.W} {@code [n_ℓ, n_{ℓ−1}]}, {@code layerℓ.b}; for hidden layers the feedback they
     * receive: {@code layerℓ.Y}, {@code layerℓ.Q} (BurstCCN), {@code layerℓ.Z} (Burstprop's recurrence),
     * {@code layerℓ.Wpi}, {@code layerℓ.bpi} (EDN's pyramid-to-interneuron weights, {@code [n_{ℓ+1}, n_ℓ]})
     * and {@code layerℓ.Wip} (interneuron-to-pyramid, {@code [n_ℓ, n_{ℓ+1}]}).
     */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String s = l.name();
            m.put(s + "W", l.w);
            m.put(s + "b", l.b);
            if (l.y != null) m.put(s + "Y", l.y);
            if (l.q != null) m.put(s + "Q", l.q);
            if (l.z != null) m.put(s + "Z", l.z);
            if (l.wpi != null) {
                m.put(s + "Wpi", l.wpi);
                m.put(s + "bpi", l.bpi);
                m.put(s + "Wip", l.wip);
            }
        }
        return m;
    }

    /**
     * Per layer the somatic potential {@code somatic} (v), event rate {@code rate} (e), burst probability
     * {@code burstProbability} (p), burst rate {@code burst} and update signal {@code delta}; hidden
     * layers' apical potential {@code apical} (u); Burstprop's teacher pass
     * ({@code burstProbabilityTeacher}, {@code burstTeacher}); EDN's nudged soma and its rate
     * ({@code somaticTeacher}, {@code rateTeacher}) and its interneurons' rates ({@code interneuron.rate}).
     */
    @Override
    public Map<String, Tensor> signals() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            String s = l.name();
            m.put(s + "somatic", l.v);
            m.put(s + "rate", l.e);
            m.put(s + "burstProbability", l.p);
            m.put(s + "burst", l.burst);
            m.put(s + "delta", l.delta);
            if (l.u != null) m.put(s + "apical", l.u);
            if (l.pTeacher != null) {
                m.put(s + "burstProbabilityTeacher", l.pTeacher);
                m.put(s + "burstTeacher", l.burstTeacher);
            }
            if (l.somaT != null) {
                m.put(s + "somaticTeacher", l.somaT);
                m.put(s + "rateTeacher", l.rateT);
            }
            if (l.intnRate != null) m.put(s + "interneuron.rate", l.intnRate);
        }
        return m;
    }

    /**
     * One sweep per mini-batch: the momentum buffers and the last training mini-batch (which the angle
     * metrics read); continuous time: every layer's potentials, rates, burst probabilities and (Burstprop)
     * moving averages.
     */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            if (l.vW != null) {
                m.put(l.name() + "velocityW", l.vW);
                m.put(l.name() + "velocityb", l.vb);
            }
        }
        if (continuous != null) { // the dynamics: potentials, rates, burst probabilities, moving averages
            for (Layer l : layers) {
                String s = l.name();
                m.put(s + "somatic", l.v);
                m.put(s + "rate", l.e);
                m.put(s + "burstProbability", l.p);
                m.put(s + "burst", l.burst);
                if (l.u != null) m.put(s + "apical", l.u);
                if (l.eMa != null) {
                    m.put(s + "rateAverage", l.eMa);
                    m.put(s + "burstAverage", l.bMa);
                    m.put(s + "burstProbabilityAverage", l.pMa);
                }
            }
            return m;
        }
        m.put("lastInput", lastInput);
        m.put("lastTarget", lastTarget);
        return m;
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) step);
        m.put("batches", (double) batches);
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        step = Math.round(s.get("steps"));
        batches = Math.round(s.get("batches"));
    }

    @Override
    public void close() {
        for (Tensor t : owned) t.close();
        owned.clear();
    }
}
