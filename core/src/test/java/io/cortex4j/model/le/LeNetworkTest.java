package io.cortex4j.model.le;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.metrics.Angles;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeNetworkTest {
    static final Backend BE = new Nd4jCpuBackend();

    /** 2×7×7 → conv 3@3×3 pad 1 (tanh) → pool 2 → conv 2@2×2 (sigmoid) → dense 4 (linear). */
    static Topology convNet() {
        return new Topology(
                2,
                7,
                7,
                List.of(
                        new LayerSpec.Conv2d(3, 3, 1, 1, Activation.TANH),
                        new LayerSpec.MaxPool2d(2),
                        new LayerSpec.Conv2d(2, 2, 1, 0, Activation.SIGMOID),
                        new LayerSpec.Dense(4, Activation.LINEAR)));
    }

    static Topology mlp() {
        return Topology.mlp(new int[] {5, 7, 6, 3}, Activation.SIGMOID, Activation.TANH, Activation.LINEAR);
    }

    static double[][] randomRows(int rows, int cols, long seed, double scale) {
        Random r = new Random(seed);
        double[][] x = new double[rows][cols];
        for (double[] row : x) for (int j = 0; j < cols; j++) row[j] = scale * r.nextGaussian();
        return x;
    }

    static double[] flat(double[][] rows) {
        int c = rows[0].length;
        double[] f = new double[rows.length * c];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, f, i * c, c);
        return f;
    }

    static ReferenceNet reference(LeNetwork net) {
        int n = net.depth();
        double[][] w = new double[n][], b = new double[n][];
        for (int i : net.weightLayers()) {
            w[i] = net.weights(i).toHost();
            b[i] = net.bias(i).toHost();
        }
        return new ReferenceNet(net.params().architecture(), w, b);
    }

    static LeParams params(Topology arch, FeedbackRule rule, OutputError out, double eta) {
        return LeParams.defaults(arch, rule, out)
                .withLearningRate(eta, LeParams.fill(arch.layers().size(), 1.0))
                .withBeta(1.0);
    }

    @Test
    void convolutionAndPoolingForwardEqualsDirectLoops() {
        Topology arch = convNet();
        LeParams p = LeParams.defaults(arch, FeedbackRule.BP, OutputError.MSE);
        p = new LeParams(
                arch,
                p.rule(),
                p.outputError(),
                p.tau(),
                p.dt(),
                p.beta(),
                p.learningRate(),
                p.lrFactors(),
                p.feedbackLrFactors(),
                p.alpha(),
                p.sigma(),
                p.tauXi(),
                p.tauHighPass(),
                p.tauLowPass(),
                0.5,
                0.5,
                0.05); // larger weights: a non-trivial map
        int batch = 3;
        try (LeNetwork net = new LeNetwork(p, BE, DType.FLOAT64, batch, 11)) {
            double[][] x = randomRows(batch, arch.inputLength(), 1, 1.0);
            net.input().load(flat(x));
            net.setLearning(false);
            for (int s = 0; s < net.depth(); s++) net.step(); // the input reaches the output after one step per layer
            double[] got = net.output().toHost();
            ReferenceNet ref = reference(net);
            for (int b = 0; b < batch; b++) {
                double[][] pots = ref.potentials(x[b]);
                double[] want = pots[pots.length - 1];
                for (int j = 0; j < want.length; j++)
                    assertEquals(want[j], got[b * want.length + j], 1e-12, "sample " + b + " output " + j);
                double[] pooled = net.rate(1).toHost();
                for (int j = 0; j < pots[1].length; j++)
                    assertEquals(pots[1][j], pooled[b * pots[1].length + j], 1e-12, "pool " + j);
            }
            // one step less: the output has not yet seen the input (pipelined forward)
            net.input().load(flat(randomRows(batch, arch.inputLength(), 2, 1.0)));
            for (int s = 0; s < net.depth() - 1; s++) net.step();
            double[] stale = net.output().toHost();
            for (int j = 0; j < stale.length; j++)
                assertEquals(got[j], stale[j], 0.0, "output changed before the input reached it");
            net.step();
            assertNotEquals(got[0], net.output().toHost()[0]);
        }
    }

    /**
     * With BP feedback and the {@code mse} output error, once errors have settled on a fixed input
     * each step's ΔW equals −dt·η·β·∂L/∂W for L = mean_b ½‖y − ŭ_N‖², checked against central finite
     * differences of an independent loop implementation (the conv bias increment is the reference's
     * mean over positions, i.e. the gradient divided by the number of positions).
     */
    @Test
    void bpUpdateAfterSettlingIsTheGradient() {
        for (Topology arch : new Topology[] {mlp(), convNet()}) {
            double eta = 1e-6;
            LeParams p = params(arch, FeedbackRule.BP, OutputError.MSE, eta);
            int batch = 4;
            try (LeNetwork net = new LeNetwork(p, BE, DType.FLOAT64, batch, 5)) {
                double[][] x = randomRows(batch, arch.inputLength(), 3, 1.0);
                double[][] y = randomRows(batch, arch.outputLength(), 4, 1.0);
                net.input().load(flat(x));
                net.target().load(flat(y));
                for (int s = 0; s < 2 * net.depth() + 2; s++) net.step();
                int[] wl = net.weightLayers();
                double[][] w0 = new double[net.depth()][], b0 = new double[net.depth()][];
                for (int i : wl) {
                    w0[i] = net.weights(i).toHost();
                    b0[i] = net.bias(i).toHost();
                }
                net.step();
                ReferenceNet ref = new ReferenceNet(arch, w0, b0);
                double scale = -p.dt() * eta * p.beta();
                for (int i : wl) {
                    double[] w1 = net.weights(i).toHost(), b1 = net.bias(i).toHost();
                    int positions = arch.layers().get(i) instanceof LayerSpec.Conv2d
                            ? arch.geometry(i).positions()
                            : 1;
                    for (int k = 0; k < w1.length; k++) {
                        double g = fd(ref, ref.w[i], k, x, y);
                        assertEquals(
                                scale * g,
                                w1[k] - w0[i][k],
                                1e-4 * Math.abs(scale) * (Math.abs(g) + 1e-3),
                                arch.layers().get(i) + " W[" + k + "]");
                    }
                    for (int k = 0; k < b1.length; k++) {
                        double g = fd(ref, ref.b[i], k, x, y) / positions;
                        assertEquals(
                                scale * g,
                                b1[k] - b0[i][k],
                                1e-4 * Math.abs(scale) * (Math.abs(g) + 1e-3),
                                arch.layers().get(i) + " b[" + k + "]");
                    }
                }
            }
        }
    }

    private static double fd(ReferenceNet ref, double[] param, int k, double[][] x, double[][] y) {
        double h = 1e-6, keep = param[k];
        param[k] = keep + h;
        double up = ref.mseLoss(x, y);
        param[k] = keep - h;
        double down = ref.mseLoss(x, y);
        param[k] = keep;
        return (up - down) / (2 * h);
    }

    /** FA, PAL and the sign-concordant rules: e_ℓ(n) = ρ'_ℓ(n−1) ⊙ (e_{ℓ+1}(n−1) · B_{ℓ+1}), one step of delay. */
    @Test
    void pipelinedErrorsUseTheRulesFeedbackMatrix() {
        for (FeedbackRule rule : new FeedbackRule[] {
            FeedbackRule.BP, FeedbackRule.FA, FeedbackRule.USF, FeedbackRule.BRSF, FeedbackRule.FRSF
        }) {
            Topology arch = mlp();
            try (LeNetwork net = new LeNetwork(params(arch, rule, OutputError.MSE, 0.5), BE, DType.FLOAT64, 2, 9)) {
                net.input().load(flat(randomRows(2, 5, 1, 1.0)));
                net.target().load(flat(randomRows(2, 3, 2, 1.0)));
                net.startBatch();
                for (int s = 0; s < 3; s++) net.step(); // errors in flight, not settled
                double[] e2 = net.error(2).toHost(), d1 = net.rateDerivative(1).toHost();
                double[] bmat = net.feedback(2).toHost(); // from W before the step's update
                net.step();
                double[] e1 = net.error(1).toHost();
                int out = 3, hid = 6;
                for (int b = 0; b < 2; b++) {
                    for (int j = 0; j < hid; j++) {
                        double s = 0;
                        for (int k = 0; k < out; k++) s += e2[b * out + k] * bmat[k * hid + j];
                        assertEquals(d1[b * hid + j] * s, e1[b * hid + j], 1e-14, rule + " e1[" + b + "," + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void feedbackMatricesFollowTheirDefinitions() {
        Topology arch = mlp();
        try (LeNetwork bp =
                new LeNetwork(params(arch, FeedbackRule.BP, OutputError.MSE, 0.5), BE, DType.FLOAT64, 1, 1)) {
            assertArrayEqualsExact(bp.weights(2).toHost(), bp.feedback(2).toHost());
        }
        try (LeNetwork fa =
                new LeNetwork(params(arch, FeedbackRule.FA, OutputError.MSE, 0.5), BE, DType.FLOAT64, 1, 1)) {
            double angle = Angles.degrees(fa.weights(1).toHost(), fa.feedback(1).toHost());
            assertTrue(angle > 60 && angle < 120, "FA's B is unrelated to W: " + angle);
        }
        for (FeedbackRule rule : new FeedbackRule[] {FeedbackRule.USF, FeedbackRule.BRSF, FeedbackRule.FRSF}) {
            LeParams p = params(arch, rule, OutputError.MSE, 0.5);
            try (LeNetwork net = new LeNetwork(p, BE, DType.FLOAT64, 2, 3)) {
                net.input().load(flat(randomRows(2, 5, 1, 1.0)));
                net.target().load(flat(randomRows(2, 3, 2, 1.0)));
                net.startBatch();
                double[] firstMagnitudes = abs(net.feedback(2).toHost());
                for (int s = 0; s < 20; s++) net.step();
                double[] w = net.weights(2).toHost(), bmat = net.feedback(2).toHost();
                for (int k = 0; k < w.length; k++)
                    assertEquals(Math.signum(w[k]), Math.signum(bmat[k]), 0.0, rule + ": sign of B follows W");
                assertTrue(Angles.degrees(w, bmat) < 60, rule + " starts aligned: " + Angles.degrees(w, bmat));
                if (rule == FeedbackRule.USF) for (double v : bmat) assertEquals(p.signScale(), Math.abs(v), 1e-15);
                net.startBatch();
                double[] after = abs(net.feedback(2).toHost());
                if (rule == FeedbackRule.BRSF)
                    assertNotEquals(firstMagnitudes[0], after[0], "brSF redraws its magnitudes every mini-batch");
                else assertArrayEqualsExact(firstMagnitudes, after);
            }
        }
    }

    /** DFA: hidden errors come straight from the current output error through fixed D, without delay. */
    @Test
    void dfaErrorsComeDirectlyFromTheOutput() {
        Topology arch = convNet();
        try (LeNetwork net =
                new LeNetwork(params(arch, FeedbackRule.DFA, OutputError.MSE, 0.5), BE, DType.FLOAT64, 2, 4)) {
            net.input().load(flat(randomRows(2, arch.inputLength(), 1, 1.0)));
            net.target().load(flat(randomRows(2, 4, 2, 1.0)));
            for (int s = 0; s < 3; s++) net.step();
            double[] eN = net.error(3).toHost();
            for (int i : new int[] {0, 2}) {
                double[] e = net.error(i).toHost(),
                        d = net.rateDerivative(i).toHost(),
                        dm = net.direct(i).toHost();
                int n = e.length / 2;
                for (int b = 0; b < 2; b++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int k = 0; k < 4; k++) s += eN[b * 4 + k] * dm[k * n + j];
                        assertEquals(d[b * n + j] * s, e[b * n + j], 1e-14, "layer " + i + " unit " + j);
                    }
                }
            }
        }
    }

    @Test
    void outputErrorsFollowTheirDefinitions() {
        Topology arch = Topology.mlp(new int[] {3, 4}, Activation.SIGMOID);
        for (OutputError oe : OutputError.values()) {
            try (LeNetwork net =
                    new LeNetwork(params(arch, FeedbackRule.BP, oe, 0.0).withBeta(0.1), BE, DType.FLOAT64, 2, 2)) {
                double[] y = flat(randomRows(2, 4, 3, 1.0));
                net.input().load(flat(randomRows(2, 3, 1, 1.0)));
                net.target().load(y);
                net.step();
                double[] u = net.prospectivePotential(0).toHost(),
                        r = net.rate(0).toHost(),
                        d = net.rateDerivative(0).toHost();
                net.step();
                double[] e = net.error(0).toHost();
                for (int b = 0; b < 2; b++) {
                    double z = 0;
                    for (int j = 0; j < 4; j++) z += Math.exp(u[b * 4 + j]);
                    for (int j = 0; j < 4; j++) {
                        int k = b * 4 + j;
                        double want = switch (oe) {
                            case MSE -> 0.1 * (y[k] - u[k]);
                            case RATE -> 0.1 * d[k] * (y[k] - r[k]);
                            case CROSS_ENTROPY -> 0.1 * (y[k] - Math.exp(u[k]) / z);
                        };
                        assertEquals(want, e[k], 1e-14, oe + " " + k);
                    }
                }
            }
        }
    }

    /** PAL learns B towards Wᵀ's direction from noise alone (W frozen), as in the alignment experiments. */
    @Test
    void palFeedbackAlignsWithForwardWeights() {
        Topology arch = Topology.mlp(new int[] {10, 20, 10}, Activation.SIGMOID, Activation.SIGMOID);
        LeParams p = LeParams.defaults(arch, FeedbackRule.PAL, OutputError.MSE)
                .withLearningRate(0.8, new double[] {0, 0})
                .withPal(
                        new double[] {0, 30},
                        new double[] {1e-4, 1e-4},
                        new double[] {0.05, 0.05},
                        new double[] {1, 1},
                        new double[] {1, 1});
        p = new LeParams(
                arch,
                p.rule(),
                p.outputError(),
                p.tau(),
                p.dt(),
                p.beta(),
                p.learningRate(),
                p.lrFactors(),
                p.feedbackLrFactors(),
                p.alpha(),
                p.sigma(),
                p.tauXi(),
                p.tauHighPass(),
                p.tauLowPass(),
                0.5,
                0.05,
                0.05);
        try (LeNetwork net = new LeNetwork(p, BE, DType.FLOAT32, 16, 7)) {
            double[] w = net.weights(1).toHost();
            double before = Angles.degrees(w, net.feedback(1).toHost());
            Random r = new Random(1);
            double[] x = new double[16 * 10];
            for (int batch = 0; batch < 100; batch++) {
                for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
                net.input().load(x);
                for (int s = 0; s < 100; s++) net.step();
            }
            double after = Angles.degrees(w, net.feedback(1).toHost());
            assertArrayEqualsExact(w, net.weights(1).toHost());
            assertTrue(before > 75, "starts unaligned: " + before);
            assertTrue(after < 30, "B aligned with W: " + before + "° → " + after + "°");
        }
    }

    @Test
    void evaluationLeavesParametersAloneAndRunsWithoutNoise() {
        Topology arch = mlp();
        LeParams p = params(arch, FeedbackRule.PAL, OutputError.MSE, 0.5)
                .withPal(
                        new double[] {0, 1, 1},
                        LeParams.fill(3, 1e-4),
                        LeParams.fill(3, 0.1),
                        LeParams.fill(3, 1.0),
                        LeParams.fill(3, 1.0));
        try (LeNetwork net = new LeNetwork(p, BE, DType.FLOAT64, 2, 1)) {
            net.input().load(flat(randomRows(2, 5, 1, 1.0)));
            net.target().load(flat(randomRows(2, 3, 2, 1.0)));
            for (int s = 0; s < 10; s++) net.step();
            net.setLearning(false);
            double[] w = net.weights(1).toHost(), bm = net.feedback(1).toHost();
            for (int s = 0; s < 10; s++) net.step();
            assertArrayEqualsExact(w, net.weights(1).toHost());
            assertArrayEqualsExact(bm, net.feedback(1).toHost());
            double[] out = net.output().toHost();
            double[] want = reference(net).output(randomRows(2, 5, 1, 1.0)[1]);
            for (int j = 0; j < 3; j++) assertEquals(want[j], out[3 + j], 1e-12, "noise-free evaluation output");
        }
    }

    @Test
    void batchSizeChangesCarryTheStateLikeTheReference() {
        Topology arch = mlp();
        try (LeNetwork net =
                new LeNetwork(params(arch, FeedbackRule.FA, OutputError.MSE, 0.5), BE, DType.FLOAT64, 2, 1)) {
            net.input().load(flat(randomRows(2, 5, 1, 1.0)));
            net.target().load(flat(randomRows(2, 3, 2, 1.0)));
            for (int s = 0; s < 5; s++) net.step();
            double[] r = net.rate(1).toHost();
            net.setBatch(5); // rows 0,0,1,1,1 (the last row takes the remainder)
            double[] g = net.rate(1).toHost();
            int[] from = {0, 0, 1, 1, 1};
            for (int i = 0; i < 5; i++) for (int j = 0; j < 6; j++) assertEquals(r[from[i] * 6 + j], g[i * 6 + j], 0.0);
            net.setBatch(3); // shrinking keeps the last row
            double[] s = net.rate(1).toHost();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 6; j++) assertEquals(g[4 * 6 + j], s[i * 6 + j], 0.0);
            assertEquals(3, net.input().rows());
            net.step();
            assertFalse(net.backend().hasNonFinite(net.output()));
        }
    }

    @Test
    void impossibleArchitecturesAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Topology(
                        1,
                        4,
                        4,
                        List.of(
                                new LayerSpec.Conv2d(2, 5, 1, 0, Activation.TANH),
                                new LayerSpec.Dense(2, Activation.LINEAR))));
        assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Topology(1, 1, 4, List.of(new LayerSpec.MaxPool2d(2))));
    }

    private static double[] abs(double[] a) {
        double[] r = a.clone();
        for (int i = 0; i < r.length; i++) r[i] = Math.abs(r[i]);
        return r;
    }

    private static void assertArrayEqualsExact(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0.0, "element " + i);
    }

    /**
     * A convolutional input layer reuses its unfolded input while the input is held, and unfolds
     * again as soon as any element changes: the trajectory equals, bit for bit, that of a network
     * whose backend never reports equal content (so it unfolds every step).
     */
    @Test
    void heldInputUnfoldingIsReusedOnlyWhileTheInputIsUnchanged() {
        Topology arch = convNet();
        int[] reuses = {0};
        Backend counting = proxy(BE, (m, r) -> {
            if (m.equals("sameContent") && (Boolean) r) reuses[0]++;
            return r;
        });
        Backend never = proxy(BE, (m, r) -> m.equals("sameContent") ? Boolean.FALSE : r);
        // a backend whose host reads stall a device (CUDA): no content checks at all, the input is unfolded every step
        int[] checks = {0};
        Backend device = proxy(BE, (m, r) -> {
            if (m.equals("sameContent")) checks[0]++;
            return m.equals("hostSyncIsCheap") ? Boolean.FALSE : r;
        });
        LeParams p = params(arch, FeedbackRule.BP, OutputError.MSE, 0.5);
        try (LeNetwork a = new LeNetwork(p, counting, DType.FLOAT32, 3, 8);
                LeNetwork b = new LeNetwork(p, never, DType.FLOAT32, 3, 8);
                LeNetwork c = new LeNetwork(p, device, DType.FLOAT32, 3, 8)) {
            double[] x = flat(randomRows(3, arch.inputLength(), 5, 1.0)), y = flat(randomRows(3, 4, 6, 1.0));
            for (LeNetwork n : new LeNetwork[] {a, b, c}) n.target().load(y);
            for (int s = 0; s < 12; s++) {
                if (s == 4) x[x.length - 1] += 0.25; // one element of the last sample changes
                if (s == 8) x = flat(randomRows(3, arch.inputLength(), 7, 1.0));
                for (LeNetwork n : new LeNetwork[] {a, b, c}) {
                    n.input().load(x);
                    n.step();
                }
                assertArrayEqualsExact(b.output().toHost(), a.output().toHost());
                assertArrayEqualsExact(b.weights(0).toHost(), a.weights(0).toHost());
                assertArrayEqualsExact(b.output().toHost(), c.output().toHost());
                assertArrayEqualsExact(b.weights(0).toHost(), c.weights(0).toHost());
            }
        }
        assertEquals(9, reuses[0], "reused at every step but the first after each change");
        assertEquals(0, checks[0], "no content check where host syncs are not cheap");
    }

    interface ResultFilter {
        Object apply(String method, Object result);
    }

    static Backend proxy(Backend inner, ResultFilter filter) {
        return (Backend) java.lang.reflect.Proxy.newProxyInstance(
                Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (px, m, args) -> {
                    try {
                        return filter.apply(m.getName(), m.invoke(inner, args));
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
