package io.cortex4j.model.spiking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.model.Phase;
import io.cortex4j.optim.SgdMomentum;
import io.cortex4j.run.Experiment;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The spiking network's learning against an independent reverse-mode differentiation of its loss. */
class SpikingNetworkTest {
    static final Backend BE = new Nd4jCpuBackend();

    /** A scalar node of a computation graph: its value, its parents with the local derivatives, its gradient. */
    static final class V {
        final double val;
        final V[] parents;
        final double[] local;
        double grad;

        V(double val, V[] parents, double[] local) {
            this.val = val;
            this.parents = parents;
            this.local = local;
        }

        static V constant(double v) {
            return new V(v, new V[0], new double[0]);
        }

        V plus(V o) {
            return new V(val + o.val, new V[] {this, o}, new double[] {1, 1});
        }

        V times(V o) {
            return new V(val * o.val, new V[] {this, o}, new double[] {o.val, val});
        }

        V scale(double k) {
            return new V(k * val, new V[] {this}, new double[] {k});
        }

        /** The Heaviside step H(u − θ) (1 at u ≥ θ), whose derivative is replaced by the surrogate g. */
        V spike(double theta, double g) {
            return new V(val >= theta ? 1 : 0, new V[] {this}, new double[] {g});
        }

        /** Reverse mode from this (scalar) node: every reachable node's gradient, in topological order. */
        void backward() {
            List<V> order = new ArrayList<>();
            Map<V, Boolean> seen = new IdentityHashMap<>();
            topo(this, seen, order);
            grad = 1;
            for (int i = order.size() - 1; i >= 0; i--) {
                V v = order.get(i);
                for (int p = 0; p < v.parents.length; p++) v.parents[p].grad += v.local[p] * v.grad;
            }
        }

        private static void topo(V v, Map<V, Boolean> seen, List<V> order) {
            if (seen.put(v, Boolean.TRUE) != null) return;
            for (V p : v.parents) topo(p, seen, order);
            order.add(v);
        }
    }

    static SpikingSpec spec(String rule, String extra) {
        return spec(rule, extra, null);
    }

    static SpikingSpec spec(String rule, String extra, String ruleExtra) {
        return spec(rule, extra, ruleExtra, 1);
    }

    static SpikingSpec spec(String rule, String extra, String ruleExtra, int refractory) {
        String yaml = "name: t\nmodel:\n  family: spiking\n  input: 5\n"
                + "  layers: [{type: dense, units: 6}, {type: dense, units: 4}, {type: dense, units: 3}]\n"
                + "  neuron: {tauM: 4.0, tauS: 2.0, threshold: 0.4, refractory: " + refractory + "}\n"
                + "  surrogate: {shape: rectangle, width: 2.0}\n"
                + "  init: {gain: 2.0}\n"
                + extra
                + "rule: {name: " + rule + (ruleExtra != null ? ", " + ruleExtra : "") + "}\n"
                + "optimizer: {name: sgd, learningRate: 1.0}\n"
                + "data: {name: yinyang}\n"
                + "schedule: {presentation: 6.0}\n";
        return Experiment.parse(yaml, "test", List.of()).spec(SpikingSpec.class);
    }

    /**
     * With BP feedback, the gradient the network sums over one presentation (6 steps, batch 3, float64,
     * refractory period 1, kernel loss with one silent step) equals the gradient of the same loss,
     * ½·Σ_t Σ_k (a_k[t] − â_k[t])² per sample and averaged over the batch, computed here by reverse-mode
     * differentiation of the forward pass written out in scalars, with the state of earlier steps held
     * fixed and the spike's derivative replaced by the surrogate, to 1e-12. Each layer's gradient is
     * non-zero.
     */
    @Test
    void bpGradientEqualsReverseModeDifferentiation() {
        SpikingSpec s = spec("bp", "");
        int batch = 3, steps = 6;
        int[] sizes = {5, 6, 4, 3};
        try (SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, batch, steps, 11)) {
            n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
            Random r = new Random(4);
            double[] x = new double[batch * 5], y = new double[batch * 3];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int b = 0; b < batch; b++) y[b * 3 + b % 3] = 1;
            BE.copyFromHost(x, n.input());
            BE.copyFromHost(y, n.target());
            double[][] w0 = new double[3][], b0 = new double[3][];
            for (int l = 0; l < 3; l++) {
                w0[l] = n.parameters().get("layer" + (l + 1) + ".W").toHost();
                b0[l] = n.parameters().get("layer" + (l + 1) + ".b").toHost();
            }
            n.setPhase(Phase.TRAIN);
            n.startBatch();
            n.startPresentation();
            for (int t = 0; t < steps; t++) n.step();
            // the optimizer (SGD, lr 1) applied the summed gradient: g = W_before − W_after
            double[][] gw = new double[3][], gb = new double[3][];
            for (int l = 0; l < 3; l++) {
                double[] w1 = n.parameters().get("layer" + (l + 1) + ".W").toHost();
                double[] b1 = n.parameters().get("layer" + (l + 1) + ".b").toHost();
                gw[l] = new double[w1.length];
                gb[l] = new double[b1.length];
                for (int i = 0; i < w1.length; i++) gw[l][i] = w0[l][i] - w1[i];
                for (int i = 0; i < b1.length; i++) gb[l][i] = b0[l][i] - b1[i];
            }
            // the same presentation, differentiated in reverse mode
            V[][] W = new V[3][], Bv = new V[3][];
            for (int l = 0; l < 3; l++) {
                W[l] = new V[w0[l].length];
                Bv[l] = new V[b0[l].length];
                for (int i = 0; i < W[l].length; i++) W[l][i] = V.constant(w0[l][i]);
                for (int i = 0; i < Bv[l].length; i++) Bv[l][i] = V.constant(b0[l][i]);
            }
            double decay = 1 - 1 / 4.0, tauS = 2.0, theta = 0.4;
            V loss = V.constant(0);
            for (int b = 0; b < batch; b++) {
                double[][] u = new double[4][], a = new double[4][], refr = new double[4][];
                for (int l = 1; l <= 3; l++) {
                    u[l] = new double[sizes[l]];
                    a[l] = new double[sizes[l]];
                    refr[l] = new double[sizes[l]];
                }
                double hat[] = new double[3];
                for (int t = 1; t <= steps; t++) {
                    V[] below = new V[5];
                    for (int j = 0; j < 5; j++) below[j] = V.constant(x[b * 5 + j]);
                    for (int l = 1; l <= 3; l++) {
                        V[] out = new V[sizes[l]];
                        for (int k = 0; k < sizes[l]; k++) {
                            V cur = Bv[l - 1][k];
                            for (int j = 0; j < sizes[l - 1]; j++)
                                cur = cur.plus(W[l - 1][k * sizes[l - 1] + j].times(below[j]));
                            V spike;
                            if (refr[l][k] > 0) { // held at rest: no path to the weights
                                refr[l][k]--;
                                u[l][k] = 0;
                                spike = V.constant(0);
                            } else {
                                V uk = cur.plus(V.constant(decay * u[l][k]));
                                double g = Math.abs(uk.val - theta) < 1.0 ? 0.5 : 0.0; // rectangle, width 2
                                spike = uk.spike(theta, g);
                                u[l][k] = spike.val == 1 ? 0 : uk.val;
                                if (spike.val == 1) refr[l][k] = 1;
                            }
                            // a ← a + (s − a)/τ_s with the earlier a held fixed
                            out[k] = V.constant(a[l][k] - a[l][k] / tauS).plus(spike.scale(1 / tauS));
                            a[l][k] = out[k].val;
                        }
                        below = out;
                    }
                    for (int k = 0; k < 3; k++) {
                        double d = t > 1 && y[b * 3 + k] == 1 ? 1 : 0; // one silent step, then a spike per step
                        hat[k] += (d - hat[k]) / tauS;
                        V e = below[k].plus(V.constant(-hat[k]));
                        loss = loss.plus(e.times(e).scale(0.5 / batch));
                    }
                }
            }
            loss.backward();
            for (int l = 0; l < 3; l++) {
                double norm = 0;
                for (int i = 0; i < gw[l].length; i++) {
                    assertEquals(W[l][i].grad, gw[l][i], 1e-12, "layer " + (l + 1) + " W[" + i + "]");
                    norm += gw[l][i] * gw[l][i];
                }
                for (int i = 0; i < gb[l].length; i++)
                    assertEquals(Bv[l][i].grad, gb[l][i], 1e-12, "layer " + (l + 1) + " b[" + i + "]");
                assertTrue(norm > 1e-12, "layer " + (l + 1) + " learns: |g|² = " + norm);
            }
        }
    }

    /** Three presentations (T = 6, batch 3) of fixed random data in training, from seed 11. */
    static SpikingNetwork trained(SpikingSpec s, int presentations) {
        return trained(s, presentations, 0.5);
    }

    static SpikingNetwork trained(SpikingSpec s, int presentations, double lr) {
        SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, 3, 6, 11);
        n.setOptimizer(new SgdMomentum(BE, n.slots(), lr, 0.0));
        Random r = new Random(4);
        n.setPhase(Phase.TRAIN);
        for (int p = 0; p < presentations; p++) {
            double[] x = new double[15], y = new double[9];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int b = 0; b < 3; b++) y[b * 3 + r.nextInt(3)] = 1;
            BE.copyFromHost(x, n.input());
            BE.copyFromHost(y, n.target());
            n.startBatch();
            n.startPresentation();
            for (int t = 0; t < 6; t++) n.step();
        }
        return n;
    }

    static double[] weights(SpikingNetwork n, int layer) {
        return n.parameters().get("layer" + layer + ".W").toHost();
    }

    /**
     * The reconstruction's equivalences (specs/yangli.md §4.3, §5): the microcircuit with fixed
     * reciprocal strengths and migrating synapses learns exactly as frSF, with batch-redrawn strengths
     * as brSF, with uniform ones as uSF, and with transported strengths R = |W| exactly as BP (V1, the
     * BP limit): the same weights bit for bit after 5 presentations.
     */
    @Test
    void theMicrocircuitIsSignConcordantFeedbackAndBpInItsLimit() {
        String[][] pairs = {
            {"fixed", "frsf"}, {"batch", "brsf"}, {"uniform", "usf"}, {"transport", "bp"},
        };
        for (String[] p : pairs) {
            try (SpikingNetwork mc = trained(spec("microcircuit", "", "circuit: {magnitudes: " + p[0] + "}"), 5);
                    SpikingNetwork ref = trained(spec(p[1], "", null), 5)) {
                for (int l = 1; l <= 3; l++)
                    assertArrayEquals(weights(ref, l), weights(mc, l), 0.0, p[0] + " vs " + p[1] + ", layer " + l);
            }
        }
    }

    /**
     * V2: the microcircuit's feedback has the sign of W everywhere on its support, and is aligned with
     * it (⟨W, B⟩ &gt; 0), at every one of 5 presentations' ends.
     */
    @Test
    void theFeedbackHasTheSignOfW() {
        SpikingSpec s = spec("microcircuit", "", null);
        for (int presentations = 1; presentations <= 5; presentations++)
            try (SpikingNetwork n = trained(s, presentations)) {
                for (int l = 2; l <= 3; l++) {
                    double[] w = weights(n, l), b = n.feedback(l);
                    double dot = 0;
                    for (int i = 0; i < w.length; i++) {
                        assertEquals(Math.signum(w[i]), Math.signum(b[i]), 0.0, "layer " + l + " [" + i + "]");
                        dot += w[i] * b[i];
                    }
                    assertTrue(dot > 0, "⟨W, B⟩ = " + dot);
                }
            }
    }

    /**
     * V4: with fixed synapse types every weight keeps the sign it started with or stops at 0 (Dale's
     * law), under a learning rate that drives some across 0 when they may migrate.
     */
    @Test
    void fixedSynapseTypesKeepTheirSign() {
        SpikingSpec fixed = spec("microcircuit", "", "circuit: {sign: fixed}");
        SpikingSpec migrate = spec("microcircuit", "", "circuit: {sign: migrate}");
        try (SpikingNetwork f0 = trained(fixed, 0);
                SpikingNetwork f = trained(fixed, 40, 200.0);
                SpikingNetwork m = trained(migrate, 40, 200.0)) {
            int flippedWhenFree = 0, pinned = 0;
            for (int l = 1; l <= 3; l++) {
                double[] w0 = weights(f0, l), wf = weights(f, l), wm = weights(m, l);
                for (int i = 0; i < w0.length; i++) {
                    assertTrue(wf[i] == 0 || Math.signum(wf[i]) == Math.signum(w0[i]), "layer " + l + " [" + i + "]");
                    if (Math.signum(wm[i]) == -Math.signum(w0[i])) flippedWhenFree++;
                    if (wf[i] == 0) pinned++;
                }
            }
            assertTrue(flippedWhenFree > 0, "some weights cross 0 when they may migrate");
            assertTrue(pinned > 0, "and stop at 0 when they may not");
        }
    }

    /**
     * V6: the circuit declares exactly three cell types and two types of connectivity, every synapse
     * group belongs to them, and only synapses on pyramidal cells' basal dendrites learn.
     */
    @Test
    void theCircuitHasThreeCellTypesAndTwoConnectivities() {
        List<Microcircuit.Synapses> all = Microcircuit.synapses(3);
        Set<Microcircuit.CellType> cells = new HashSet<>();
        Set<Microcircuit.Connectivity> types = new HashSet<>();
        for (Microcircuit.Synapses g : all) {
            cells.add(g.pre());
            cells.add(g.post());
            types.add(g.type());
            if (g.plastic()) {
                assertEquals(Microcircuit.CellType.PYRAMIDAL, g.post(), g.name());
                assertEquals(Microcircuit.Compartment.BASAL, g.compartment(), g.name());
            }
        }
        assertEquals(3, Microcircuit.CellType.values().length);
        assertEquals(2, Microcircuit.Connectivity.values().length);
        assertEquals(EnumSet.allOf(Microcircuit.CellType.class), cells);
        assertEquals(EnumSet.allOf(Microcircuit.Connectivity.class), types);
    }

    /** One training presentation of {@code steps} steps on batch-{@code batch} data from seed 4; returns W of every layer after it. */
    static double[][] presentOnce(SpikingNetwork n, int batch, int steps) {
        Random r = new Random(4);
        double[] x = new double[batch * 5], y = new double[batch * 3];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        for (int b = 0; b < batch; b++) y[b * 3 + b % 3] = 1;
        BE.copyFromHost(x, n.input());
        BE.copyFromHost(y, n.target());
        n.setPhase(Phase.TRAIN);
        n.startBatch();
        n.startPresentation();
        for (int t = 0; t < steps; t++) n.step();
        double[][] w = new double[3][];
        for (int l = 0; l < 3; l++) w[l] = weights(n, l + 1);
        return w;
    }

    /**
     * V9: the error is defined at the output only and reaches hidden layers only through the
     * feedback: with every feedback matrix 0 (the microcircuit's strengths R set to 0), the hidden
     * layers do not change at all, and the output layer changes exactly as with the feedback on.
     */
    @Test
    void withoutFeedbackOnlyTheOutputLearns() {
        SpikingSpec s = spec("microcircuit", "", null);
        try (SpikingNetwork on = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, 3, 6, 11);
                SpikingNetwork off = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, 3, 6, 11)) {
            on.setOptimizer(new SgdMomentum(BE, on.slots(), 1.0, 0.0));
            off.setOptimizer(new SgdMomentum(BE, off.slots(), 1.0, 0.0));
            double[][] w0 = new double[3][];
            for (int l = 0; l < 3; l++) w0[l] = weights(off, l + 1);
            for (int l = 2; l <= 3; l++) BE.fill(off.parameters().get("layer" + l + ".R"), 0.0);
            double[][] wOn = presentOnce(on, 3, 6), wOff = presentOnce(off, 3, 6);
            for (int l = 0; l < 2; l++) assertArrayEquals(w0[l], wOff[l], 0.0, "hidden layer " + (l + 1));
            assertArrayEquals(wOn[2], wOff[2], 0.0, "the output layer");
            boolean changed = false;
            for (int i = 0; i < w0[2].length; i++) changed |= w0[2][i] != wOff[2][i];
            assertTrue(changed, "the output layer learns");
        }
    }

    /**
     * V5: when the output already fires the desired train (each output unit's bias drives it to spike
     * at every step, or never, as the target says) the error is 0 and no weight changes.
     */
    @Test
    void theDesiredOutputLearnsNothing() {
        SpikingSpec s = spec("microcircuit", "", "loss: {silentSteps: 0}", 0); // no refractory pause in the train
        try (SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, 2, 6, 11)) {
            n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
            BE.fill(n.parameters().get("layer3.W"), 0.0);
            n.parameters().get("layer3.b").load(new double[] {-5.0, 0.5, -5.0}); // unit 1 at θ = 0.4 every step
            double[] x = {0.1, 0.9, 0.3, 0.5, 0.7, 0.2, 0.4, 0.6, 0.8, 0.0};
            BE.copyFromHost(x, n.input());
            BE.copyFromHost(new double[] {0, 1, 0, 0, 1, 0}, n.target());
            double[][] w0 = new double[3][];
            for (int l = 0; l < 3; l++) w0[l] = weights(n, l + 1);
            double[] b0 = n.parameters().get("layer3.b").toHost();
            n.setPhase(Phase.TRAIN);
            n.startBatch();
            n.startPresentation();
            for (int t = 0; t < 6; t++) {
                n.step();
                for (double e : n.signals().get("layer3.error").toHost()) assertEquals(0.0, e, 0.0, "step " + t);
            }
            for (int l = 0; l < 3; l++) assertArrayEquals(w0[l], weights(n, l + 1), 0.0, "layer " + (l + 1));
            assertArrayEquals(b0, n.parameters().get("layer3.b").toHost(), 0.0);
        }
    }

    /**
     * V8: one sample, one step: each layer's update is the outer product of one postsynaptic factor
     * (its error) and one presynaptic trace: rank 1, every 2×2 minor 0.
     */
    @Test
    void oneSampleOneStepUpdatesAreRankOne() {
        SpikingSpec s = spec("microcircuit", "", "loss: {type: rate}"); // the label's rate 1 is never met in one step
        try (SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, 1, 1, 11)) {
            n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
            double[][] w0 = new double[3][];
            for (int l = 0; l < 3; l++) w0[l] = weights(n, l + 1);
            double[][] w1 = presentOnce(n, 1, 1);
            int[] sizes = {5, 6, 4, 3};
            double learned = 0;
            for (int l = 0; l < 3; l++) {
                int rows = sizes[l + 1], cols = sizes[l];
                double max = 0;
                for (int i = 0; i < w0[l].length; i++) max = Math.max(max, Math.abs(w0[l][i] - w1[l][i]));
                for (int i = 0; i < rows; i++)
                    for (int k = 0; k < rows; k++)
                        for (int j = 0; j < cols; j++)
                            for (int m = 0; m < cols; m++) {
                                double a = w0[l][i * cols + j] - w1[l][i * cols + j],
                                        b = w0[l][k * cols + m] - w1[l][k * cols + m];
                                double c = w0[l][i * cols + m] - w1[l][i * cols + m],
                                        d = w0[l][k * cols + j] - w1[l][k * cols + j];
                                assertEquals(a * b, c * d, 1e-12 * Math.max(1, max * max), "layer " + (l + 1));
                            }
                learned = Math.max(learned, max);
            }
            assertTrue(learned > 0, "the step changes some layer");
        }
    }

    /**
     * In the limit of many steps per sample the microcircuit's update points along the sign-concordant
     * FA update of the equivalent rate network (mean traces as rates, mean surrogates as derivatives):
     * below 10° in every layer at T = 100 (20-30-10, batch 16, rate loss). The replay changes nothing:
     * weights, step count and input are as before.
     */
    @Test
    void manyStepsPerSampleFollowTheRateNetwork() {
        String yaml = "name: t\nmodel:\n  family: spiking\n  input: 20\n"
                + "  layers: [{type: dense, units: 30}, {type: dense, units: 10}]\n"
                + "  surrogate: {shape: rectangle, width: 2.0}\n  init: {gain: 2.0}\n"
                + "rule: {name: microcircuit, loss: {type: rate}}\n"
                + "optimizer: {name: sgd, learningRate: 1.0}\ndata: {name: yinyang}\nschedule: {presentation: 100.0}\n";
        SpikingSpec s = Experiment.parse(yaml, "test", List.of()).spec(SpikingSpec.class);
        int batch = 16;
        try (SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, batch, 100, 5)) {
            n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
            Random r = new Random(1);
            double[] x = new double[batch * 20], y = new double[batch * 10];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int b = 0; b < batch; b++) y[b * 10 + r.nextInt(10)] = 0.3;
            BE.copyFromHost(x, n.input());
            BE.copyFromHost(y, n.target());
            n.setPhase(Phase.TRAIN);
            n.startBatch();
            double[] w1 = weights(n, 1);
            long steps = n.steps();
            double[] angles = n.rateAngles();
            for (int l = 0; l < 2; l++) assertTrue(angles[l] < 10, "layer " + (l + 1) + ": " + angles[l] + "°");
            assertArrayEquals(w1, weights(n, 1), 0.0, "nothing applied");
            assertEquals(steps, n.steps(), "the step count is restored");
            assertArrayEquals(x, n.input().toHost(), 0.0, "the input is restored");
        }
    }

    /** The dense matrix [F·H'·W', C·H·W] of a convolution with kernels k [F, C·kk·kk] (no padding), channel-major maps. */
    static double[] toeplitz(double[] k, int f, int c, int h, int w, int kk, int stride) {
        int oh = (h - kk) / stride + 1, ow = (w - kk) / stride + 1, in = c * h * w;
        double[] m = new double[f * oh * ow * in];
        for (int q = 0; q < f; q++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < kk; i++)
                            for (int j = 0; j < kk; j++)
                                m[((q * oh + y) * ow + x) * in + ch * h * w + (y * stride + i) * w + x * stride + j] =
                                        k[q * c * kk * kk + ch * kk * kk + i * kk + j];
        return m;
    }

    /** The kernel-shaped sum over positions of a dense update, the inverse of {@link #toeplitz}'s spreading. */
    static double[] gather(double[] d, int f, int c, int h, int w, int kk, int stride) {
        int oh = (h - kk) / stride + 1, ow = (w - kk) / stride + 1, in = c * h * w;
        double[] k = new double[f * c * kk * kk];
        for (int q = 0; q < f; q++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < kk; i++)
                            for (int j = 0; j < kk; j++)
                                k[q * c * kk * kk + ch * kk * kk + i * kk + j] += d[
                                        ((q * oh + y) * ow + x) * in
                                                + ch * h * w
                                                + (y * stride + i) * w
                                                + x * stride
                                                + j];
        return k;
    }

    /**
     * Convolutional spiking layers: a network 1×6×6 → conv 2@3×3 → conv 3@2×2 stride 2 → dense 3
     * spikes and learns (BP, one presentation of 6 steps, batch 2, float64) exactly as the dense
     * network whose weights are the convolutions' unrolled matrices: each kernel's update is the sum
     * over positions of the dense update (the second convolution's transposed convolution carries δ
     * to the first), each filter's bias update the sum over its positions, to 1e-12.
     */
    @Test
    void convolutionsLearnAsTheirUnrolledMatrices() {
        String conv = "name: t\nmodel:\n  family: spiking\n  input: [1, 6, 6]\n"
                + "  layers: [{type: conv, filters: 2, kernel: 3}, {type: conv, filters: 3, kernel: 2, stride: 2},"
                + " {type: dense, units: 3}]\n"
                + "  neuron: {tauM: 4.0, tauS: 2.0, threshold: 0.4, refractory: 1}\n"
                + "  surrogate: {shape: rectangle, width: 2.0}\n  init: {gain: 3.0}\n"
                + "rule: {name: bp}\noptimizer: {name: sgd, learningRate: 1.0}\ndata: {name: yinyang}\n"
                + "schedule: {presentation: 6.0}\n";
        String dense = conv.replace("input: [1, 6, 6]", "input: 36")
                .replace(
                        "[{type: conv, filters: 2, kernel: 3}, {type: conv, filters: 3, kernel: 2, stride: 2},",
                        "[{type: dense, units: 32}, {type: dense, units: 12},");
        SpikingSpec sc = Experiment.parse(conv, "c", List.of()).spec(SpikingSpec.class);
        SpikingSpec sd = Experiment.parse(dense, "d", List.of()).spec(SpikingSpec.class);
        int batch = 2;
        try (SpikingNetwork c = new SpikingNetwork(sc, SpikingFamily.topology(sc), BE, DType.FLOAT64, batch, 6, 3);
                SpikingNetwork d = new SpikingNetwork(sd, SpikingFamily.topology(sd), BE, DType.FLOAT64, batch, 6, 3)) {
            double[] k1 = weights(c, 1), k2 = weights(c, 2), w3 = weights(c, 3);
            d.parameters().get("layer1.W").load(toeplitz(k1, 2, 1, 6, 6, 3, 1));
            d.parameters().get("layer2.W").load(toeplitz(k2, 3, 2, 4, 4, 2, 2));
            d.parameters().get("layer3.W").load(w3);
            double[] d1 = weights(d, 1), d2 = weights(d, 2);
            Random r = new Random(8);
            double[] x = new double[batch * 36], y = {1, 0, 0, 0, 0, 1};
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (SpikingNetwork n : List.of(c, d)) {
                n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
                BE.copyFromHost(x, n.input());
                BE.copyFromHost(y, n.target());
                n.setPhase(Phase.TRAIN);
                n.startBatch();
                n.startPresentation();
                for (int t = 0; t < 6; t++) n.step();
            }
            for (int l = 1; l <= 3; l++)
                assertArrayEquals(
                        d.signals().get("layer" + l + ".spikes").toHost(),
                        c.signals().get("layer" + l + ".spikes").toHost(),
                        0.0,
                        "layer " + l + " spikes alike");
            double[] dd1 = new double[d1.length], dd2 = new double[d2.length];
            double[] e1 = weights(d, 1), e2 = weights(d, 2);
            for (int i = 0; i < d1.length; i++) dd1[i] = d1[i] - e1[i];
            for (int i = 0; i < d2.length; i++) dd2[i] = d2[i] - e2[i];
            double[] g1 = gather(dd1, 2, 1, 6, 6, 3, 1), g2 = gather(dd2, 3, 2, 4, 4, 2, 2);
            double[] c1 = weights(c, 1), c2 = weights(c, 2);
            double norm = 0;
            for (int i = 0; i < g1.length; i++) {
                assertEquals(g1[i], k1[i] - c1[i], 1e-12, "kernel 1 [" + i + "]");
                norm += g1[i] * g1[i];
            }
            for (int i = 0; i < g2.length; i++) assertEquals(g2[i], k2[i] - c2[i], 1e-12, "kernel 2 [" + i + "]");
            assertTrue(norm > 0, "the first convolution learns");
            assertArrayEquals(weights(d, 3), weights(c, 3), 1e-12, "the dense output layer");
            double[] bd = d.parameters().get("layer2.b").toHost(),
                    bc = c.parameters().get("layer2.b").toHost();
            for (int q = 0; q < 3; q++) {
                double sum = 0;
                for (int p = 0; p < 4; p++) sum += bd[q * 4 + p];
                assertEquals(sum, bc[q], 1e-12, "filter " + q + "'s bias");
            }
        }
    }

    /**
     * V7, locality: each layer's change over a presentation is Σ_t ε_ℓ[t]ᵀ·a_{ℓ−1}[t]/batch computed
     * from two signals alone, the error held by its own pyramidal cells and the presynaptic trace at
     * the synapse, recorded at every step (microcircuit, batch 3, T = 6); nothing else enters, to 1e-12.
     */
    @Test
    void eachUpdateReadsOnlyItsOwnErrorAndPresynapticTrace() {
        SpikingSpec s = spec("microcircuit", "", null);
        int batch = 3, steps = 6;
        int[] sizes = {5, 6, 4, 3};
        try (SpikingNetwork n = new SpikingNetwork(s, SpikingFamily.topology(s), BE, DType.FLOAT64, batch, steps, 11)) {
            n.setOptimizer(new SgdMomentum(BE, n.slots(), 1.0, 0.0));
            Random r = new Random(6);
            double[] x = new double[batch * 5], y = new double[batch * 3];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int b = 0; b < batch; b++) y[b * 3 + (b + 1) % 3] = 1;
            BE.copyFromHost(x, n.input());
            BE.copyFromHost(y, n.target());
            double[][] w0 = new double[3][], sum = new double[3][];
            for (int l = 0; l < 3; l++) {
                w0[l] = weights(n, l + 1);
                sum[l] = new double[w0[l].length];
            }
            n.setPhase(Phase.TRAIN);
            n.startBatch();
            n.startPresentation();
            for (int t = 0; t < steps; t++) {
                n.step();
                for (int l = 0; l < 3; l++) {
                    double[] e = n.signals().get("layer" + (l + 1) + ".error").toHost();
                    double[] pre =
                            l == 0 ? x : n.signals().get("layer" + l + ".rate").toHost();
                    for (int b = 0; b < batch; b++)
                        for (int k = 0; k < sizes[l + 1]; k++)
                            for (int j = 0; j < sizes[l]; j++)
                                sum[l][k * sizes[l] + j] += e[b * sizes[l + 1] + k] * pre[b * sizes[l] + j] / batch;
                }
            }
            for (int l = 0; l < 3; l++) {
                double[] w1 = weights(n, l + 1);
                for (int i = 0; i < w1.length; i++)
                    assertEquals(sum[l][i], w0[l][i] - w1[i], 1e-12, "layer " + (l + 1) + " [" + i + "]");
            }
        }
    }
}
