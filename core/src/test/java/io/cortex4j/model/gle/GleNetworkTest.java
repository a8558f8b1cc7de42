package io.cortex4j.model.gle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.optim.Adam;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GleNetworkTest {
    static final Backend BE = new Nd4jCpuBackend();

    /** The two-neuron softplus chain of specs/gle.md §12. */
    static GleNetwork chain(DType d) {
        GleParams p = new GleParams(
                1,
                List.of(
                        GleLayerSpec.uniform(1, Activation.SOFTPLUS, 1.0, 0.1, false)
                                .withGamma(1.0),
                        GleLayerSpec.uniform(1, Activation.SOFTPLUS, 2.0, 0.1, false)
                                .withGamma(1.0)),
                0.01,
                0.01,
                true,
                GleParams.Loss.MSE,
                GleParams.Feedback.TRANSPOSE,
                true,
                0.01,
                100);
        GleNetwork net = new GleNetwork(p, BE, d, 2, 1);
        BE.copyFromHost(new double[] {0.5}, net.weights(0));
        BE.copyFromHost(new double[] {1.5}, net.weights(1));
        BE.copyFromHost(new double[] {0.7, 0.2}, net.target());
        net.setTargetOn(true);
        return net;
    }

    /** Asserts got = want (a table entry) to 1e-5 relative, or to the table's last printed digit if that is coarser. */
    static void table(String want, double got, String what) {
        BigDecimal w = new BigDecimal(want);
        double lastDigit = 0.5 * Math.pow(10, -w.scale());
        double tol = Math.max(1e-5 * Math.abs(w.doubleValue()), lastDigit) + 1e-15;
        assertEquals(w.doubleValue(), got, tol, what);
    }

    @Test
    void reproducesTheSpecsTestVectors() {
        // step, r0 (b0 b1), r1 (b0 b1), e0 (b0 b1), e1 (b0 b1), W0.grad, W1.grad, τm0.grad, τm1.grad
        String[][] rows = {
            {"1", "0.693397", "0.718458", "0.693147", "0.693147", "0", "0", "0", "0", "0", "0", "0", "0"},
            {
                "2",
                "0.693670",
                "0.720763",
                "0.719505",
                "0.719187",
                "0",
                "0",
                "6.8528e-4",
                "-4.93147e-2",
                "0",
                "1.74777e-2",
                "0",
                "-1.250017e-2"
            },
            {
                "10",
                "0.695725",
                "0.726814",
                "0.739592",
                "0.739928",
                "-1.128916e-2",
                "-8.204395e-2",
                "-2.45852e-3",
                "-2.675295e-2",
                "4.138055e-2",
                "1.053619e-2",
                "-1.612743e-2",
                "-7.42537e-3"
            },
            {
                "100",
                "0.791717",
                "0.824486",
                "0.952252",
                "0.971280",
                "-5.59017e-3",
                "-8.44999e-3",
                "-4.54717e-3",
                "-8.83006e-3",
                "4.63476e-3",
                "5.43759e-3",
                "-7.7161e-4",
                "-2.55941e-3"
            },
            {
                "1000",
                "0.711493",
                "0.530156",
                "1.421973",
                "1.299537",
                "-1.87645e-3",
                "-3.70680e-3",
                "-4.92324e-3",
                "-6.55629e-3",
                "-2.06555e-3",
                "3.49432e-3",
                "4.5815e-4",
                "4.3651e-4"
            }
        };
        try (GleNetwork net = chain(DType.FLOAT64)) {
            int next = 0;
            for (int n = 1; n <= 1000; n++) {
                double t = n * 0.01;
                BE.copyFromHost(new double[] {Math.sin(t), Math.cos(t)}, net.input());
                net.step();
                if (n != Integer.parseInt(rows[next][0])) continue;
                String[] r = rows[next++];
                double[] r0 = net.rate(0).toHost(),
                        r1 = net.rate(1).toHost(),
                        e0 = net.error(0).toHost(),
                        e1 = net.error(1).toHost();
                String at = " at step " + n;
                table(r[1], r0[0], "r0 b0" + at);
                table(r[2], r0[1], "r0 b1" + at);
                table(r[3], r1[0], "r1 b0" + at);
                table(r[4], r1[1], "r1 b1" + at);
                table(r[5], e0[0], "e0 b0" + at);
                table(r[6], e0[1], "e0 b1" + at);
                table(r[7], e1[0], "e1 b0" + at);
                table(r[8], e1[1], "e1 b1" + at);
                table(r[9], net.weightGradient(0).toHost()[0], "W0.grad" + at);
                table(r[10], net.weightGradient(1).toHost()[0], "W1.grad" + at);
                table(r[11], net.tauGradient(0).toHost()[0], "τm0.grad" + at);
                table(r[12], net.tauGradient(1).toHost()[0], "τm1.grad" + at);
            }
            assertEquals(rows.length, next);
        }
    }

    @Test
    void float32FollowsFloat64() {
        try (GleNetwork a = chain(DType.FLOAT64);
                GleNetwork b = chain(DType.FLOAT32)) {
            for (int n = 1; n <= 1000; n++) {
                double t = n * 0.01;
                BE.copyFromHost(new double[] {Math.sin(t), Math.cos(t)}, a.input());
                BE.copyFromHost(new double[] {Math.sin(t), Math.cos(t)}, b.input());
                a.step();
                b.step();
            }
            assertArrayEquals(a.rate(1).toHost(), b.rate(1).toHost(), 1e-5);
            assertArrayEquals(a.error(0).toHost(), b.error(0).toHost(), 1e-6);
            assertArrayEquals(a.weightGradient(0).toHost(), b.weightGradient(0).toHost(), 1e-6);
        }
    }

    /**
     * §12 filter check: an error neuron with τm = 1.2, τr = dt = 0.2 driven by sin(ωt), ω = 0.5, has
     * the Euler gain 1.140 and phase lead 0.453 rad; with a small dt it approaches the continuous
     * D⁺_τm I⁻_τr (gain 1.160, phase 0.441), whose phase equals the true adjoint's.
     */
    @Test
    void errorNeuronFilterHasTheSpecsGainAndPhase() {
        double[] euler = filterResponse(0.2, 0.2, 1.2, 0.5);
        assertEquals(1.140, euler[0], 5e-4, "Euler gain");
        assertEquals(0.453, euler[1], 5e-4, "Euler phase");
        double[] fine = filterResponse(0.2, 0.001, 1.2, 0.5);
        double w = 0.5,
                cont = Math.hypot(1, w * 1.2) / Math.hypot(1, w * 0.2),
                phase = Math.atan(w * 1.2) - Math.atan(w * 0.2);
        assertEquals(1.160, cont, 5e-4);
        assertEquals(0.441, phase, 5e-4);
        assertEquals(cont, fine[0], 2e-3, "gain as dt → 0");
        assertEquals(phase, fine[1], 2e-3, "phase as dt → 0");
        // the true adjoint I⁺_τm D⁻_τr: same phase, reciprocal gain
        assertEquals(0.862, 1 / cont, 5e-4);
    }

    /** Gain and phase of e relative to the drive ie = sin(ωt), fitted over whole periods after the transient. */
    static double[] filterResponse(double tauR, double dt, double tauM, double omega) {
        Tensor s = BE.zeros(DType.FLOAT64, 1, 1),
                ie = BE.zeros(DType.FLOAT64, 1, 1),
                u = BE.zeros(DType.FLOAT64, 1, 1),
                v = BE.zeros(DType.FLOAT64, 1, 1),
                e = BE.zeros(DType.FLOAT64, 1, 1),
                ud = BE.zeros(DType.FLOAT64, 1, 1),
                ub = BE.zeros(DType.FLOAT64, 1, 1);
        Tensor tm = BE.fromHost(DType.FLOAT64, new double[] {tauM}, 1, 1),
                tr = BE.fromHost(DType.FLOAT64, new double[] {tauR}, 1, 1);
        double period = 2 * Math.PI / omega;
        int settle = (int) Math.round(10 * period / dt), fit = (int) Math.round(20 * period / dt);
        double sc = 0, ss = 0, cc = 0, ys = 0, yc = 0;
        for (int k = 0; k < settle + fit; k++) {
            double t = k * dt;
            BE.copyFromHost(new double[] {Math.sin(omega * t)}, ie);
            BE.gleNeuronStep(s, ie, tm, tr, dt, 0.0, true, u, v, e, ud, ub);
            if (k < settle) continue;
            double y = e.toHost()[0], sn = Math.sin(omega * t), cs = Math.cos(omega * t);
            ss += sn * sn;
            cc += cs * cs;
            sc += sn * cs;
            ys += y * sn;
            yc += y * cs;
        }
        // least squares y ≈ a sin + b cos = A sin(ωt + φ)
        double det = ss * cc - sc * sc, a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        return new double[] {Math.hypot(a, b), Math.atan2(b, a)};
    }

    /** A 3-20-10-4 tanh/linear network with per-unit τ, bias, and τr = τm everywhere (LE units). */
    static GleParams leUnits(boolean prospective, double gamma) {
        Random r = new Random(5);
        double[] t1 = new double[20], t2 = new double[10];
        for (int i = 0; i < t1.length; i++) t1[i] = 0.5 + r.nextDouble();
        for (int i = 0; i < t2.length; i++) t2[i] = 0.5 + r.nextDouble();
        return new GleParams(
                3,
                List.of(
                        new GleLayerSpec(20, Activation.TANH, t1, t1, true, gamma),
                        new GleLayerSpec(10, Activation.TANH, t2, t2, true, gamma),
                        GleLayerSpec.uniform(4, Activation.LINEAR, 1.0, 1.0, true)
                                .withGamma(gamma)),
                0.1,
                0.5,
                prospective,
                GleParams.Loss.MSE,
                GleParams.Feedback.TRANSPOSE,
                false,
                0.1,
                100);
    }

    /**
     * With τr = τm the error filter is the identity, so prospective errors equal instantaneous ones at
     * every step, and on a held input the settled gradients are β times the exact backprop gradient
     * of C = ½‖y − r_L‖² (central finite differences of an independent static forward).
     */
    @Test
    void withEqualTimeConstantsErrorsAreInstantaneousBackprop() {
        double[] x = {0.3, -0.8, 0.5}, y = {0.2, -0.1, 0.4, 0.0};
        try (GleNetwork gle = new GleNetwork(leUnits(true, 0.0), BE, DType.FLOAT64, 1, 7);
                GleNetwork inst = new GleNetwork(leUnits(false, 0.0), BE, DType.FLOAT64, 1, 7)) {
            for (GleNetwork n : List.of(gle, inst)) {
                BE.copyFromHost(x, n.input());
                BE.copyFromHost(y, n.target());
                n.setTargetOn(true);
            }
            for (int k = 0; k < 400; k++) {
                gle.step();
                inst.step();
                for (int l = 0; l < 3; l++)
                    assertArrayEquals(inst.error(l).toHost(), gle.error(l).toHost(), 1e-12, "e" + l + " at step " + k);
            }
            double beta = gle.params().beta();
            for (int l = 0; l < 3; l++) {
                double[] w = gle.weights(l).toHost(), g = gle.weightGradient(l).toHost();
                for (int i = 0; i < w.length; i++) {
                    double h = 1e-6, keep = w[i];
                    w[i] = keep + h;
                    double cp = staticLoss(gle, l, w, x, y);
                    w[i] = keep - h;
                    double cm = staticLoss(gle, l, w, x, y);
                    w[i] = keep;
                    assertEquals(beta * (cp - cm) / (2 * h), g[i], 1e-7, "∂W" + l + "[" + i + "]");
                }
            }
        }
    }

    /** C = ½‖y − r_L‖² of the settled static network, with layer l's weights replaced by w. */
    static double staticLoss(GleNetwork net, int replaced, double[] w, double[] x, double[] y) {
        double[] r = x;
        for (int l = 0; l < net.layerCount(); l++) {
            double[] W = l == replaced ? w : net.weights(l).toHost(),
                    b = net.bias(l).toHost();
            int n = b.length, in = r.length;
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int j = 0; j < in; j++) s += W[i * in + j] * r[j];
                out[i] = net.params().layers().get(l).activation().apply(s);
            }
            r = out;
        }
        double c = 0;
        for (int i = 0; i < r.length; i++) c += 0.5 * (y[i] - r[i]) * (y[i] - r[i]);
        return c;
    }

    /**
     * The error sent down is e·W with weight transport and e·B with fixed random feedback (one config
     * word): with instantaneous errors, e_l(n+1) = φ'_l(n) ⊙ (e_{l+1}(n)·F_{l+1}), F = W or B.
     */
    @Test
    void errorsTravelDownThroughWOrTheFixedRandomB() {
        for (GleParams.Feedback fb : GleParams.Feedback.values()) {
            GleParams base = leUnits(false, 0.0);
            GleParams p = new GleParams(
                    base.inputSize(), base.layers(), base.dt(), base.beta(), false, base.loss(), fb, false, 0.1, 100);
            try (GleNetwork net = new GleNetwork(p, BE, DType.FLOAT64, 2, 11)) {
                BE.copyFromHost(new double[] {0.3, -0.8, 0.5, -0.2, 0.1, 0.9}, net.input());
                BE.copyFromHost(new double[] {0.2, -0.1, 0.4, 0.0, 0.0, 0.3, -0.2, 0.1}, net.target());
                net.setTargetOn(true);
                for (int k = 0; k < 5; k++) net.step();
                double[] eAbove = net.error(2).toHost(),
                        rp = net.rateDerivative(1).toHost();
                Tensor f = fb == GleParams.Feedback.TRANSPOSE ? net.weights(2) : net.feedback(2);
                assertEquals(fb == GleParams.Feedback.FIXED_RANDOM, net.feedback(2) != null);
                double[] F = f.toHost(), w = net.weights(2).toHost();
                if (fb == GleParams.Feedback.FIXED_RANDOM) assertTrue(!java.util.Arrays.equals(F, w), "B is not W");
                net.step();
                double[] got = net.error(1).toHost();
                for (int b = 0; b < 2; b++) {
                    for (int j = 0; j < 10; j++) {
                        double s = 0;
                        for (int i = 0; i < 4; i++) s += eAbove[b * 4 + i] * F[i * 10 + j];
                        assertEquals(rp[b * 10 + j] * s, got[b * 10 + j], 1e-12, fb + " row " + b + " unit " + j);
                    }
                }
            }
        }
    }

    /** Growing the batch tiles the state rows (row i ← old row i mod B), shrinking keeps the first rows (§7). */
    @Test
    void batchSizeChangesTileOrTruncateTheState() {
        GleParams p = leUnits(true, 0.0);
        try (GleNetwork net = new GleNetwork(p, BE, DType.FLOAT64, 2, 3);
                GleNetwork ref = new GleNetwork(p, BE, DType.FLOAT64, 1, 3)) {
            net.setTargetOn(true);
            ref.setTargetOn(true);
            double[] x0 = {0.3, -0.8, 0.5},
                    x1 = {-0.2, 0.1, 0.9},
                    y0 = {0.2, -0.1, 0.4, 0.0},
                    y1 = {0.0, 0.3, -0.2, 0.1};
            BE.copyFromHost(concat(x0, x1), net.input());
            BE.copyFromHost(concat(y0, y1), net.target());
            BE.copyFromHost(x1, ref.input());
            BE.copyFromHost(y1, ref.target());
            for (int k = 0; k < 30; k++) {
                net.step();
                ref.step(); // ref follows stream 1 alone
            }
            double[] u = net.membrane(1).toHost();
            net.setBatch(5);
            double[] grown = net.membrane(1).toHost();
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 10; j++) assertEquals(u[(i % 2) * 10 + j], grown[i * 10 + j], 0.0, "row " + i);
            }
            // every stream carries on from its tiled state: rows 1 and 3 continue stream 1
            BE.copyFromHost(concat(x0, x1, x0, x1, x0), net.input());
            BE.copyFromHost(concat(y0, y1, y0, y1, y0), net.target());
            for (int k = 0; k < 20; k++) {
                net.step();
                ref.step();
            }
            double[] r = net.rate(2).toHost(), want = ref.rate(2).toHost();
            for (int j = 0; j < 4; j++) {
                assertEquals(want[j], r[4 + j], 1e-12, "row 1");
                assertEquals(want[j], r[12 + j], 1e-12, "row 3");
            }
            net.setBatch(1);
            BE.copyFromHost(x0, net.input());
            BE.copyFromHost(y0, net.target());
            double[] before = net.rate(2).toHost();
            assertArrayEquals(java.util.Arrays.copyOf(r, 4), before, 0.0, "shrinking keeps row 0");
        }
    }

    static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] p : parts) n += p.length;
        double[] out = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The first output of a stream is zero, and each step returns the previous step's top rate (§5). */
    @Test
    void stepReturnsThePreviousOutput() {
        try (GleNetwork net = chain(DType.FLOAT64)) {
            BE.copyFromHost(new double[] {1, 1}, net.input());
            net.step();
            assertArrayEquals(new double[] {0, 0}, net.output().toHost(), 0.0);
            double[] committed = net.rate(1).toHost();
            net.step();
            assertArrayEquals(committed, net.output().toHost(), 0.0);
        }
    }

    /** Learned τm follow −η·e·u̇ and stay clamped to [tauMin, tauMax]. */
    @Test
    void learnedTimeConstantsStayClamped() {
        GleParams p = new GleParams(
                1,
                List.of(
                        GleLayerSpec.uniform(1, Activation.SOFTPLUS, 0.2, 0.1, false)
                                .withGamma(1.0),
                        GleLayerSpec.uniform(1, Activation.SOFTPLUS, 0.2, 0.1, false)
                                .withGamma(1.0)),
                0.01,
                1.0,
                true,
                GleParams.Loss.MSE,
                GleParams.Feedback.TRANSPOSE,
                true,
                0.1,
                0.3);
        try (GleNetwork net = new GleNetwork(p, BE, DType.FLOAT64, 1, 1)) {
            net.setOptimizer(new Adam(BE, net.slots(), 0.05));
            net.setTargetOn(true);
            BE.copyFromHost(new double[] {3.0}, net.target());
            for (int k = 0; k < 2000; k++) {
                BE.copyFromHost(new double[] {Math.signum(Math.sin(k * 0.01))}, net.input());
                net.step();
                for (int l = 0; l < 2; l++) {
                    double t = net.tauM(l).toHost()[0];
                    assertTrue(t >= 0.1 && t <= 0.3, "τm" + l + " = " + t + " at step " + k);
                }
            }
            assertEquals(0.1, net.tauR(0).toHost()[0], 0.0, "τr is never learned");
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new GleNetwork(
                        new GleParams(
                                1,
                                p.layers(),
                                0.01,
                                1,
                                true,
                                GleParams.Loss.MSE,
                                GleParams.Feedback.TRANSPOSE,
                                true,
                                0.001,
                                1),
                        BE,
                        DType.FLOAT64,
                        1,
                        1),
                "tauMin below dt");
    }

    @Test
    void rejectsTimeConstantsBelowDtAndCrossEntropyOnANonlinearOutput() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new GleParams(
                        1,
                        List.of(GleLayerSpec.uniform(2, Activation.TANH, 0.1, 0.05, true)),
                        0.1,
                        1,
                        true,
                        GleParams.Loss.MSE,
                        GleParams.Feedback.TRANSPOSE,
                        false,
                        0.1,
                        100));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GleParams(
                        1,
                        List.of(GleLayerSpec.uniform(2, Activation.TANH, 1, 1, true)),
                        0.1,
                        1,
                        true,
                        GleParams.Loss.CROSS_ENTROPY,
                        GleParams.Feedback.TRANSPOSE,
                        false,
                        0.1,
                        100));
    }
}
