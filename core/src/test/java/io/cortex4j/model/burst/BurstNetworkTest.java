package io.cortex4j.model.burst;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.metrics.Angles;
import io.cortex4j.model.Phase;
import io.cortex4j.run.Experiment;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The burst network against the validation tests of specs/burstccn.md §12 and plain statements of its rules. */
class BurstNetworkTest {
    static final Backend BE = new Nd4jCpuBackend();
    static final int B = 32;

    /** A 20-30-30-10 sigmoid network (§12 T1) with the given rule settings as YAML. */
    static BurstSpec spec(String model, String rule) {
        String yaml = "name: t\nmodel:\n  family: burst\n  input: 20\n  layers:\n"
                + "    - {type: dense, units: 30}\n    - {type: dense, units: 30}\n    - {type: dense, units: 10}\n"
                + model + "rule:\n" + rule + "data: {name: yinyang}\n";
        return Experiment.parse(yaml, "test", List.of()).spec(BurstSpec.class);
    }

    static BurstNetwork build(BurstSpec s, DType d, long seed) {
        return new BurstNetwork(s, BurstFamily.topology(s), BE, d, B, seed);
    }

    /** Inputs in [0, 1) and one-hot targets of a mini-batch, written into the network. */
    static void batch(BurstNetwork n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[B * 20], y = new double[B * 10];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        for (int b = 0; b < B; b++) y[b * 10 + r.nextInt(10)] = 1;
        BE.copyFromHost(x, n.input());
        BE.copyFromHost(y, n.target());
    }

    static double[] host(BurstNetwork n, String name) {
        return n.parameters().get(name).toHost();
    }

    /**
     * Backprop gradients −∂ℓ/∂W of ℓ = ½‖y − e_L‖² (batch mean) for the network's current weights,
     * computed here in plain double loops from the parameters alone.
     */
    static List<double[]> bpGradients(BurstNetwork n) {
        int L = n.depth();
        List<double[]> w = new ArrayList<>(), bias = new ArrayList<>(), e = new ArrayList<>();
        int[] sizes = new int[L + 1];
        for (int l = 0; l < L; l++) {
            var W = n.parameters().get("layer" + (l + 1) + ".W");
            w.add(W.toHost());
            bias.add(host(n, "layer" + (l + 1) + ".b"));
            sizes[l] = W.cols();
            sizes[l + 1] = W.rows();
        }
        double[] x = n.input().toHost(), y = n.target().toHost();
        e.add(x);
        for (int l = 0; l < L; l++) {
            double[] in = e.get(l), out = new double[B * sizes[l + 1]];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < sizes[l + 1]; j++) {
                    double v = bias.get(l)[j];
                    for (int k = 0; k < sizes[l]; k++) v += in[b * sizes[l] + k] * w.get(l)[j * sizes[l] + k];
                    out[b * sizes[l + 1] + j] = 1 / (1 + Math.exp(-v));
                }
            e.add(out);
        }
        double[][] delta = new double[L][];
        double[] top = e.get(L);
        delta[L - 1] = new double[top.length];
        for (int i = 0; i < top.length; i++) delta[L - 1][i] = (y[i] - top[i]) * top[i] * (1 - top[i]);
        for (int l = L - 2; l >= 0; l--) {
            int n1 = sizes[l + 1], n2 = sizes[l + 2];
            double[] a = e.get(l + 1);
            delta[l] = new double[B * n1];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < n1; j++) {
                    double s = 0;
                    for (int k = 0; k < n2; k++) s += delta[l + 1][b * n2 + k] * w.get(l + 1)[k * n1 + j];
                    delta[l][b * n1 + j] = s * a[b * n1 + j] * (1 - a[b * n1 + j]);
                }
        }
        List<double[]> g = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            int o = sizes[l + 1], in = sizes[l];
            double[] gw = new double[o * in];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < o; j++)
                    for (int k = 0; k < in; k++) gw[j * in + k] += delta[l][b * o + j] * e.get(l)[b * in + k] / B;
            g.add(gw);
        }
        return g;
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    /**
     * §12 T1: with Y tied to W and Q = p_b·Y, BurstCCN's update of every layer is the backprop
     * gradient scaled by p_b = 0.5 (§2.7: 0.32°, 0.45°, 0.00° and norm ratios 0.494, 0.496, 0.500 in
     * the spec's numpy check): within 1° and 0.5 ± 0.01.
     */
    @Test
    void tiedFeedbackGivesTheBackpropGradientTimesPb() {
        BurstSpec s = spec(
                "  pBaseline: 0.5\n",
                "  name: burstccn\n  learningRate: 1.0\n  Y: {mode: tied, scale: 1.0}\n"
                        + "  Q: {mode: tied, learningRate: 0}\n");
        try (BurstNetwork n = build(s, DType.FLOAT64, 7)) {
            batch(n, 11);
            List<double[]> bp = bpGradients(n);
            List<double[]> before = new ArrayList<>();
            for (int l = 1; l <= 3; l++) before.add(host(n, "layer" + l + ".W"));
            n.setPhase(Phase.TRAIN);
            n.step();
            for (int l = 0; l < 3; l++) {
                double[] after = host(n, "layer" + (l + 1) + ".W"), dw = new double[after.length];
                for (int i = 0; i < dw.length; i++) dw[i] = after[i] - before.get(l)[i]; // η = 1
                double angle = Angles.degrees(dw, bp.get(l)), ratio = norm(dw) / norm(bp.get(l));
                assertTrue(angle < 1.0, "layer " + (l + 1) + ": ∠(ΔW, BP) = " + angle + "°");
                assertEquals(0.5, ratio, 0.01, "layer " + (l + 1) + ": |ΔW|/|BP|");
            }
            // the tie is re-made after the update: Y_ℓ = W_{ℓ+1}ᵀ, Q_ℓ = p_b·Y_ℓ
            double[] w2 = host(n, "layer2.W"), y1 = host(n, "layer1.Y"), q1 = host(n, "layer1.Q");
            for (int j = 0; j < 30; j++)
                for (int k = 0; k < 30; k++) {
                    assertEquals(w2[j * 30 + k], y1[k * 30 + j], 0.0);
                    assertEquals(0.5 * y1[k * 30 + j], q1[k * 30 + j], 0.0);
                }
        }
    }

    /**
     * §12 T2: without a teacher and with Q = p_b·Y every apical potential is 0, every burst probability
     * is p_b, and nothing learns: W, b and the learned Q are unchanged bit for bit (float32).
     */
    @Test
    void withoutATeacherSymmetricQSilencesEveryLayer() {
        BurstSpec s = spec("  pBaseline: 0.5\n", "  name: burstccn\n  learningRate: 0.3\n  Q: {learningRate: 0.01}\n");
        try (BurstNetwork n = build(s, DType.FLOAT32, 3)) {
            Map<String, double[]> before = new java.util.LinkedHashMap<>();
            for (String k : n.parameters().keySet()) before.put(k, host(n, k));
            n.setPhase(Phase.TRAIN.withTarget(false));
            for (int i = 0; i < 3; i++) {
                batch(n, 100 + i);
                n.step();
                for (int l = 1; l <= 2; l++) {
                    for (double u : n.signals().get("layer" + l + ".apical").toHost()) assertEquals(0.0, u, 0.0);
                    for (double p :
                            n.signals().get("layer" + l + ".burstProbability").toHost()) assertEquals(0.5, p, 0.0);
                }
            }
            for (String k : before.keySet()) assertArrayEquals(before.get(k), host(n, k), 0.0, k + " changed");
        }
    }

    /**
     * §2.3: the general form p = 2p_b·σ((2/p_b)·u⊙(1−e)) keeps the baseline at p_b for p_b ≠ 0.5 (the
     * NeurIPS form σ(4u(1−e)) would give 0.5 at u = 0); with a teacher the hidden layers then deviate.
     */
    @Test
    void theGeneralFormKeepsAnyBaseline() {
        BurstSpec s = spec("  pBaseline: 0.3\n", "  name: burstccn\n  learningRate: 0.3\n  Q: {learningRate: 0}\n");
        try (BurstNetwork n = build(s, DType.FLOAT64, 5)) {
            batch(n, 9);
            n.setPhase(Phase.TRAIN.withTarget(false));
            n.step();
            for (int l = 1; l <= 3; l++)
                for (double p :
                        n.signals().get("layer" + l + ".burstProbability").toHost())
                    assertEquals(0.3, p, 1e-12, "layer " + l);
            n.setPhase(Phase.TRAIN);
            n.step();
            double dev = 0;
            for (double p : n.signals().get("layer2.burstProbability").toHost()) dev = Math.max(dev, Math.abs(p - 0.3));
            assertTrue(dev > 1e-4, "with a teacher the hidden burst probabilities move: max |p − p_b| = " + dev);
        }
    }

    /**
     * §12 T3: from random Q, learning Q alone without a teacher shrinks the apical potentials: on a
     * fixed mini-batch mean |u| of the top hidden layer falls at every step and every layer's falls to
     * less than half; on fresh mini-batches Q then turns towards p_b·Y.
     */
    @Test
    void qHomeostasisShrinksTheApicalPotentials() {
        BurstSpec s = spec(
                "  pBaseline: 0.5\n",
                "  name: burstccn\n  learningRate: 0.3\n  Q: {mode: random, scale: 0.5, learningRate: 0.05}\n");
        try (BurstNetwork n = build(s, DType.FLOAT64, 13)) {
            batch(n, 21);
            n.setPhase(new Phase(true, false, false, false)); // Q learns, W frozen, no teacher
            double[] first = new double[2], last = new double[2], prev = {Double.MAX_VALUE, Double.MAX_VALUE};
            double a0 = Angles.degrees(host(n, "layer2.Q"), host(n, "layer2.Y"));
            for (int t = 0; t < 200; t++) {
                n.step();
                for (int l = 1; l <= 2; l++) {
                    double m = 0;
                    for (double u : n.signals().get("layer" + l + ".apical").toHost()) m += Math.abs(u);
                    if (t == 0) first[l - 1] = m;
                    last[l - 1] = m;
                    if (l == 2) assertTrue(m < prev[1], "step " + t + ": mean |u_2| " + m + " after " + prev[1]);
                    prev[l - 1] = m;
                }
            }
            for (int l = 0; l < 2; l++)
                assertTrue(last[l] < 0.5 * first[l], "layer " + (l + 1) + ": |u| " + first[l] + " → " + last[l]);
            // on fresh mini-batches Q turns towards p_b·Y (slowly: the event rates are all positive and correlated)
            double b0 = Angles.degrees(host(n, "layer1.Q"), host(n, "layer1.Y"));
            for (int t = 0; t < 3000; t++) {
                batch(n, 1000 + t);
                n.step();
            }
            double a1 = Angles.degrees(host(n, "layer2.Q"), host(n, "layer2.Y"));
            double b1 = Angles.degrees(host(n, "layer1.Q"), host(n, "layer1.Y"));
            assertTrue(
                    a1 < a0 - 8 && b1 < b0 - 8,
                    "∠(Q, Y): layer 2 " + a0 + "° → " + a1 + "°, layer 1 " + b0 + "° → " + b1 + "°");
        }
    }

    /** The same steps in float32 and float64 agree to float32 precision. */
    @Test
    void float32FollowsFloat64() {
        for (String rule : List.of("burstccn", "burstprop", "edn", "bp", "fa")) {
            BurstSpec s = spec("", "  name: " + rule + "\n  learningRate: 0.1\n");
            try (BurstNetwork a = build(s, DType.FLOAT32, 17);
                    BurstNetwork b = build(s, DType.FLOAT64, 17)) {
                a.setPhase(Phase.TRAIN);
                b.setPhase(Phase.TRAIN);
                for (int t = 0; t < 5; t++) {
                    batch(a, 40 + t);
                    batch(b, 40 + t);
                    a.step();
                    b.step();
                }
                for (String k : b.parameters().keySet()) {
                    double[] x = host(a, k), y = host(b, k);
                    double err = 0, scale = 0;
                    for (int i = 0; i < x.length; i++) {
                        err = Math.max(err, Math.abs(x[i] - y[i]));
                        scale = Math.max(scale, Math.abs(y[i]));
                    }
                    assertTrue(err <= 1e-5 * Math.max(1, scale), rule + " " + k + ": max |Δ| " + err);
                }
            }
        }
    }

    /** A small convolutional network: 2×9×9 → conv 4@3×3 → conv 5@3×3 stride 2 → dense 12 → dense 10. */
    static BurstSpec convSpec(String rule) {
        String yaml = "name: t\nmodel:\n  family: burst\n  input: [2, 9, 9]\n  layers:\n"
                + "    - {type: conv, filters: 4, kernel: 3}\n    - {type: conv, filters: 5, kernel: 3, stride: 2}\n"
                + "    - {type: dense, units: 12}\n    - {type: dense, units: 10}\n"
                + "rule:\n" + rule + "data: {name: yinyang}\n";
        return Experiment.parse(yaml, "test", List.of()).spec(BurstSpec.class);
    }

    /**
     * Backprop gradients of the conv network of {@link #convSpec}, in plain loops over channels and
     * positions (direct convolution, no im2col), from the network's parameters, input and target.
     */
    static List<double[]> convBpGradients(BurstNetwork n) {
        // shapes: (channels, size) per layer output; kernel 3, strides 1 and 2
        int[][] shape = {{2, 9}, {4, 7}, {5, 3}};
        int[] stride = {1, 2};
        double[] x = n.input().toHost(), y = n.target().toHost();
        List<double[]> acts = new ArrayList<>();
        acts.add(x);
        double[][] w = new double[4][], bias = new double[4][];
        for (int l = 0; l < 4; l++) {
            w[l] = host(n, "layer" + (l + 1) + ".W");
            bias[l] = host(n, "layer" + (l + 1) + ".b");
        }
        for (int l = 0; l < 2; l++) { // conv layers
            int ci = shape[l][0], si = shape[l][1], co = shape[l + 1][0], so = shape[l + 1][1];
            double[] in = acts.get(l), o = new double[B * co * so * so];
            for (int b = 0; b < B; b++)
                for (int f = 0; f < co; f++)
                    for (int oy = 0; oy < so; oy++)
                        for (int ox = 0; ox < so; ox++) {
                            double v = bias[l][f];
                            for (int c = 0; c < ci; c++)
                                for (int ky = 0; ky < 3; ky++)
                                    for (int kx = 0; kx < 3; kx++)
                                        v += w[l][f * ci * 9 + c * 9 + ky * 3 + kx]
                                                * in[
                                                        b * ci * si * si
                                                                + c * si * si
                                                                + (oy * stride[l] + ky) * si
                                                                + ox * stride[l]
                                                                + kx];
                            o[b * co * so * so + f * so * so + oy * so + ox] = 1 / (1 + Math.exp(-v));
                        }
            acts.add(o);
        }
        int[] dn = {45, 12, 10};
        for (int l = 2; l < 4; l++) {
            int ni = dn[l - 2], no = dn[l - 1];
            double[] in = acts.get(l), o = new double[B * no];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < no; j++) {
                    double v = bias[l][j];
                    for (int k = 0; k < ni; k++) v += in[b * ni + k] * w[l][j * ni + k];
                    o[b * no + j] = 1 / (1 + Math.exp(-v));
                }
            acts.add(o);
        }
        double[][] d = new double[4][];
        double[] top = acts.get(4);
        d[3] = new double[top.length];
        for (int i = 0; i < top.length; i++) d[3][i] = (y[i] - top[i]) * top[i] * (1 - top[i]);
        for (int l = 2; l >= 0; l--) { // δ_l = σ'(v_l) ⊙ (δ_l+1 carried back through W_l+1)
            double[] a = acts.get(l + 1), back = new double[a.length];
            if (l >= 1) { // dense layer above
                int ni = dn[l - 1], no = dn[l];
                for (int b = 0; b < B; b++)
                    for (int k = 0; k < ni; k++)
                        for (int j = 0; j < no; j++) back[b * ni + k] += d[l + 1][b * no + j] * w[l + 1][j * ni + k];
            } else { // conv layer above (layer 2, stride 2) back into layer 1's maps
                int ci = 4, si = 7, co = 5, so = 3;
                for (int b = 0; b < B; b++)
                    for (int f = 0; f < co; f++)
                        for (int oy = 0; oy < so; oy++)
                            for (int ox = 0; ox < so; ox++)
                                for (int c = 0; c < ci; c++)
                                    for (int ky = 0; ky < 3; ky++)
                                        for (int kx = 0; kx < 3; kx++)
                                            back[b * ci * si * si + c * si * si + (oy * 2 + ky) * si + ox * 2 + kx] +=
                                                    d[1][b * co * so * so + f * so * so + oy * so + ox]
                                                            * w[1][f * ci * 9 + c * 9 + ky * 3 + kx];
            }
            d[l] = new double[a.length];
            for (int i = 0; i < a.length; i++) d[l][i] = back[i] * a[i] * (1 - a[i]);
        }
        List<double[]> g = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            int ci = shape[l][0], si = shape[l][1], co = shape[l + 1][0], so = shape[l + 1][1];
            double[] in = acts.get(l), gw = new double[co * ci * 9];
            for (int b = 0; b < B; b++)
                for (int f = 0; f < co; f++)
                    for (int oy = 0; oy < so; oy++)
                        for (int ox = 0; ox < so; ox++)
                            for (int c = 0; c < ci; c++)
                                for (int ky = 0; ky < 3; ky++)
                                    for (int kx = 0; kx < 3; kx++)
                                        gw[f * ci * 9 + c * 9 + ky * 3 + kx] +=
                                                d[l][b * co * so * so + f * so * so + oy * so + ox]
                                                        * in[
                                                                b * ci * si * si
                                                                        + c * si * si
                                                                        + (oy * stride[l] + ky) * si
                                                                        + ox * stride[l]
                                                                        + kx]
                                                        / B;
            g.add(gw);
        }
        for (int l = 2; l < 4; l++) {
            int ni = dn[l - 2], no = dn[l - 1];
            double[] in = acts.get(l), gw = new double[no * ni];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < no; j++)
                    for (int k = 0; k < ni; k++) gw[j * ni + k] += d[l][b * no + j] * in[b * ni + k] / B;
            g.add(gw);
        }
        return g;
    }

    /**
     * §2.6–2.7 for convolutions: with tied Y (kernel-shaped for a convolution above, its apical pass the
     * transposed convolution) and Q = p_b·Y, every layer's ΔW is p_b times the backprop gradient
     * (computed here by direct convolution): with a target near the output, within 0.1° and 0.5 ± 0.001.
     */
    @Test
    void convolutionalLayersFollowBackpropUnderTiedFeedback() {
        BurstSpec s =
                convSpec("  name: burstccn\n  learningRate: 1.0\n  Y: {mode: tied, scale: 1.0}\n  Q: {mode: tied}\n");
        try (BurstNetwork n = new BurstNetwork(s, BurstFamily.topology(s), BE, DType.FLOAT64, B, 7)) {
            Random r = new Random(3);
            double[] x = new double[B * 162], y = new double[B * 10];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int b = 0; b < B; b++) y[b * 10 + r.nextInt(10)] = 1;
            BE.copyFromHost(x, n.input());
            // a target near the output keeps every apical potential small, where p − p_b = u(1 − e) holds
            // closely (§2.7): the test then measures the wiring of the transposed convolutions, not the
            // linearisation
            n.setPhase(Phase.FREE);
            n.step();
            double[] out = n.output().toHost();
            for (int i = 0; i < y.length; i++) y[i] = out[i] + 0.05 * (y[i] - out[i]);
            BE.copyFromHost(y, n.target());
            List<double[]> bp = convBpGradients(n);
            List<double[]> before = new ArrayList<>();
            for (int l = 1; l <= 4; l++) before.add(host(n, "layer" + l + ".W"));
            n.setPhase(Phase.TRAIN);
            n.step();
            for (int l = 0; l < 4; l++) {
                double[] after = host(n, "layer" + (l + 1) + ".W"), dw = new double[after.length];
                for (int i = 0; i < dw.length; i++) dw[i] = after[i] - before.get(l)[i];
                double angle = Angles.degrees(dw, bp.get(l)), ratio = norm(dw) / norm(bp.get(l));
                assertTrue(angle < 0.1, "layer " + (l + 1) + ": ∠(ΔW, BP) = " + angle + "°");
                assertEquals(0.5, ratio, 0.001, "layer " + (l + 1) + ": |ΔW|/|BP|");
            }
            // a convolution's Y has its kernel's shape and is tied to it
            assertArrayEquals(host(n, "layer2.W"), host(n, "layer1.Y"), 0.0);
        }
    }

    /** A continuous 3-4-2 network (§5) with the given rule. */
    static BurstSpec continuousSpec(String rule) {
        String yaml = "name: t\ntask: teacher-student\nmodel:\n  family: burst\n  input: 3\n"
                + "  layers: [{type: dense, units: 4}, {type: dense, units: 2}]\n  init: {gain: 1.0}\n"
                + "  continuous: {dt: 0.1, tauSoma: 0.1, tauApical: 0.1, tauWeights: 100}\n"
                + "rule: {name: " + rule + ", learningRate: 1.0}\n"
                + "teacher: {layers: [{type: dense, units: 3}, {type: dense, units: 2}]}\n"
                + "data: {name: signal, signal: {type: cosines, minPeriod: 4.0}}\n"
                + "schedule: {settle: 1.0, duration: 2.0}\n";
        return Experiment.parse(yaml, "test", List.of()).spec(BurstSpec.class);
    }

    static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * The continuous BurstCCN, step for step against a literal statement of the reference's step
     * (specs/burstccn.md §5.1, column form, batch 1) written here in plain loops: 10 prediction steps,
     * then 30 teaching steps; every potential, rate, burst probability and weight agrees to 1e-12.
     */
    @Test
    void continuousStepsFollowTheReferenceOrder() {
        BurstSpec s = continuousSpec("burstccn");
        int[] n = {3, 4, 2};
        double pb = 0.5, kz = 1, ku = 1, kw = 0.1 / 100, beta = 4;
        try (BurstNetwork net = new BurstNetwork(s, BurstFamily.topology(s), BE, DType.FLOAT64, 1, 9)) {
            double[][] w = {host(net, "layer1.W"), host(net, "layer2.W")},
                    c = {host(net, "layer1.b"), host(net, "layer2.b")};
            double[][] v = new double[2][], e = new double[2][], p = new double[2][], b = new double[2][];
            for (int l = 0; l < 2; l++) {
                v[l] = new double[n[l + 1]];
                e[l] = new double[n[l + 1]];
                p[l] = new double[n[l + 1]];
                b[l] = new double[n[l + 1]];
            }
            double[] u = new double[4];
            for (int k = 0; k < 40; k++) {
                boolean teach = k >= 10;
                double[] x = {Math.cos(0.1 * k), Math.cos(0.07 * k + 1), Math.cos(0.05 * k + 2)};
                double[] y = {0.3 + 0.2 * Math.sin(0.1 * k), 0.6};
                // the network
                BE.copyFromHost(x, net.input());
                BE.copyFromHost(y, net.target());
                net.setPhase(teach ? Phase.TRAIN : new Phase(false, false, true, false));
                net.step();
                // the statement of §5.1
                double[][] eOld = {e[0].clone(), e[1].clone()},
                        bOld = {b[0].clone(), b[1].clone()},
                        pOld = {p[0].clone(), p[1].clone()};
                double[] r = x;
                for (int l = 0; l < 2; l++) {
                    for (int j = 0; j < n[l + 1]; j++) {
                        double a = c[l][j];
                        for (int i = 0; i < n[l]; i++) a += w[l][j * n[l] + i] * r[i];
                        v[l][j] = (1 - kz) * v[l][j] + kz * a;
                        e[l][j] = sig(v[l][j]);
                    }
                    r = e[l];
                }
                for (int j = 0; j < 2; j++) {
                    p[1][j] = teach ? 0.5 + 0.5 * (y[j] - e[1][j]) * (1 - e[1][j]) : 0.5;
                    b[1][j] = p[1][j] * e[1][j];
                }
                for (int j = 0;
                        j < 4;
                        j++) { // sent down: the output's old e and b; Y = W₂ᵀ, Q = −p_b·W₂ᵀ (reference signs)
                    double d = 0;
                    for (int o = 0; o < 2; o++) d += w[1][o * 4 + j] * bOld[1][o] - pb * w[1][o * 4 + j] * eOld[1][o];
                    u[j] = (1 - ku) * u[j] + ku * beta * (1 - e[0][j]) * d;
                    p[0][j] = sig(u[j]);
                    b[0][j] = p[0][j] * e[0][j];
                }
                if (teach) {
                    double[][] post = new double[2][];
                    post[0] = new double[4];
                    post[1] = new double[2];
                    for (int j = 0; j < 4; j++) post[0][j] = (pOld[0][j] - pb) * e[0][j];
                    for (int j = 0; j < 2; j++) post[1][j] = (pOld[1][j] - 0.5) * eOld[1][j];
                    double[][] pre = {x, e[0]};
                    for (int l = 0; l < 2; l++)
                        for (int j = 0; j < n[l + 1]; j++) {
                            c[l][j] += kw * post[l][j];
                            for (int i = 0; i < n[l]; i++) w[l][j * n[l] + i] += kw * post[l][j] * pre[l][i];
                        }
                }
                for (int l = 0; l < 2; l++) {
                    assertArrayEquals(
                            v[l],
                            net.signals().get("layer" + (l + 1) + ".somatic").toHost(),
                            1e-12,
                            "v step " + k);
                    assertArrayEquals(
                            e[l], net.signals().get("layer" + (l + 1) + ".rate").toHost(), 1e-12, "e step " + k);
                    assertArrayEquals(
                            p[l],
                            net.signals()
                                    .get("layer" + (l + 1) + ".burstProbability")
                                    .toHost(),
                            1e-12,
                            "p step " + k);
                    assertArrayEquals(w[l], host(net, "layer" + (l + 1) + ".W"), 1e-12, "W step " + k);
                    assertArrayEquals(c[l], host(net, "layer" + (l + 1) + ".b"), 1e-12, "c step " + k);
                }
                assertArrayEquals(u, net.signals().get("layer1.apical").toHost(), 1e-12, "u step " + k);
            }
        }
    }

    /** BP and FA with Y tied to W make the same updates; BurstCCN's output update is p_b times theirs. */
    @Test
    void rulesAgreeWhereTheyShould() {
        BurstSpec bp = spec("", "  name: bp\n  learningRate: 0.5\n");
        BurstSpec fa = spec("", "  name: fa\n  learningRate: 0.5\n  Y: {mode: tied, scale: 1.0}\n");
        BurstSpec ccn = spec("", "  name: burstccn\n  learningRate: 1.0\n");
        try (BurstNetwork a = build(bp, DType.FLOAT64, 2);
                BurstNetwork b = build(fa, DType.FLOAT64, 2);
                BurstNetwork c = build(ccn, DType.FLOAT64, 2)) {
            double[] w3 = host(a, "layer3.W");
            for (BurstNetwork n : List.of(a, b, c)) {
                batch(n, 5);
                n.setPhase(Phase.TRAIN);
                n.step();
            }
            for (String k : a.parameters().keySet())
                assertArrayEquals(host(a, k), host(b, k), 1e-12, "bp vs fa with tied Y: " + k);
            double[] da = host(a, "layer3.W"), dc = host(c, "layer3.W");
            for (int i = 0; i < w3.length; i++)
                assertEquals(da[i] - w3[i], dc[i] - w3[i], 1e-12, "layer3.W[" + i + "]");
        }
    }
}
