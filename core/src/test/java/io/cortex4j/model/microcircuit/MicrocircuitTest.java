package io.cortex4j.model.microcircuit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.metrics.Angles;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MicrocircuitTest {
    static final Backend BE = new Nd4jCpuBackend();

    static MicrocircuitParams params(
            int[] layers, MicrocircuitRule rule, double etaFw, double etaIP, double etaPI, double etaB, boolean sps) {
        int h = layers.length - 2;
        double[] fw = new double[layers.length - 1];
        Arrays.fill(fw, etaFw);
        double[] ip = new double[h], pi = new double[h], b = new double[h], alpha = new double[h];
        Arrays.fill(ip, etaIP);
        Arrays.fill(pi, etaPI);
        Arrays.fill(b, etaB);
        Arrays.fill(alpha, 1e-5);
        return new MicrocircuitParams(
                layers,
                MicrocircuitParams.uniform(layers, Activation.SIGMOID),
                0.01,
                Conductances.PUBLISHED,
                1.0,
                rule,
                fw,
                b,
                ip,
                pi,
                alpha,
                0.05,
                0.1,
                0.1,
                rule.lowPassesForward() ? 100 : 0,
                new double[] {-1, 1},
                new double[] {-1, 1},
                1.0,
                sps);
    }

    static void setInput(Microcircuit mc, long seed) {
        double[] x = new double[Math.toIntExact(mc.input().length())];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        mc.input().load(x);
    }

    static double maxApical(Microcircuit mc) {
        double m = 0;
        for (int l = 1; l < mc.depth(); l++) m = Math.max(m, BE.maxAbs(mc.apicalPotential(l)));
        return m;
    }

    /** §2.5: in the self-predicting state, without a target, apical potentials vanish (float64). */
    @Test
    void selfPredictingStateKeepsApicalPotentialBelow1e6WithoutTarget() {
        try (Microcircuit mc = new Microcircuit(
                params(new int[] {5, 8, 6, 4}, MicrocircuitRule.FA, 1.0, 0.05, 0.05, 0, true),
                BE,
                DType.FLOAT64,
                2,
                7)) {
            setInput(mc, 1);
            mc.setLearning(false, false, false);
            for (int i = 0; i < 20_000; i++) mc.step(); // 200 ms: potentials relax from N(0,1)
            mc.setLearning(true, true, true); // all plasticity on: in the SPS its increments vanish
            double worst = 0;
            for (int i = 0; i < 2_000; i++) {
                mc.step();
                worst = Math.max(worst, maxApical(mc));
            }
            assertTrue(worst < 1e-6, "max |v_api| in SPS without target = " + worst);
        }
        // the same circuit outside the self-predicting state has large apical potentials
        try (Microcircuit mc = new Microcircuit(
                params(new int[] {5, 8, 6, 4}, MicrocircuitRule.FA, 0, 0, 0, 0, false), BE, DType.FLOAT64, 2, 7)) {
            setInput(mc, 1);
            for (int i = 0; i < 20_000; i++) mc.step();
            assertTrue(maxApical(mc) > 1e-2, "without SPS v_api = " + maxApical(mc));
        }
    }

    /** With the target removed, a circuit whose W^IP and B^PI learn stays in the SPS across input changes' steady states. */
    @Test
    void lateralPlasticityKeepsSelfPredictingStateAcrossInputs() {
        try (Microcircuit mc = new Microcircuit(
                params(new int[] {5, 8, 4}, MicrocircuitRule.FA, 1.0, 0.5, 0.5, 0, true), BE, DType.FLOAT64, 1, 3)) {
            for (int k = 0; k < 5; k++) {
                setInput(mc, 10 + k);
                for (int i = 0; i < 20_000; i++) mc.step();
                assertTrue(maxApical(mc) < 1e-6, "input " + k + ": v_api = " + maxApical(mc));
            }
        }
    }

    /**
     * With weight transport (BP rule), one step's ΔW of every layer points along the backprop
     * gradient of the equivalent rate network u_ℓ = ĝ_ℓ W_ℓ φ(u_{ℓ−1}) for the output error
     * δ_N = φ'(u_N)(u_tgt − u_N), δ_ℓ = φ'(u_ℓ) W_{ℓ+1}ᵀ δ_{ℓ+1}; the spec reports 8–28° for PAL's
     * learned feedback (§7) — weight transport must do at least as well. Random feedback (FA) must not.
     */
    @Test
    void bpRuleIncrementPointsAlongBackpropGradient() {
        double[] bp = incrementAnglesVsBackprop(MicrocircuitRule.BP);
        for (int l = 0; l < bp.length; l++)
            assertTrue(
                    bp[l] < 10.0, "BP rule: angle(ΔW" + (l + 1) + ", ΔW_BP) = " + bp[l] + "° " + Arrays.toString(bp));
        double[] fa = incrementAnglesVsBackprop(MicrocircuitRule.FA);
        assertTrue(fa[0] > 30.0 && fa[1] > 30.0, "FA hidden layers should not follow backprop: " + Arrays.toString(fa));
        assertTrue(fa[2] < 10.0, "the output layer's increment is local under every rule: " + Arrays.toString(fa));
    }

    static double[] incrementAnglesVsBackprop(MicrocircuitRule rule) {
        int[] n = {4, 7, 6, 3};
        Conductances g = Conductances.PUBLISHED;
        try (Microcircuit mc = new Microcircuit(params(n, rule, 1.0, 0, 0, 0, true), BE, DType.FLOAT64, 1, 11)) {
            mc.setLearning(false, false, false);
            setInput(mc, 5);
            for (int i = 0; i < 20_000; i++) mc.step(); // free steady state
            double[] free = mc.prospectivePotential(3).toHost();
            double[] tgt = new double[free.length];
            for (int i = 0; i < tgt.length; i++) tgt[i] = free[i] + (i % 2 == 0 ? 0.3 : -0.3);
            mc.target().load(tgt);
            mc.setTargetOn(true);
            for (int i = 0; i < 30_000; i++) mc.step(); // nudged steady state
            double[] x = mc.input().toHost();
            // the equivalent rate network, from the same weights
            double[][] w = new double[4][], u = new double[4][], rr = new double[4][];
            rr[0] = x;
            for (int l = 1; l <= 3; l++) {
                w[l] = mc.forwardWeights(l).toHost();
                double gain = l == 3 ? g.outputBasalGain() : g.hiddenBasalGain();
                u[l] = new double[n[l]];
                rr[l] = new double[n[l]];
                for (int i = 0; i < n[l]; i++) {
                    double s = 0;
                    for (int j = 0; j < n[l - 1]; j++) s += w[l][i * n[l - 1] + j] * rr[l - 1][j];
                    u[l][i] = gain * s;
                    rr[l][i] = Activation.SIGMOID.apply(u[l][i]);
                }
            }
            double[][] delta = new double[4][];
            delta[3] = new double[n[3]];
            for (int i = 0; i < n[3]; i++) delta[3][i] = Activation.SIGMOID.derivative(u[3][i]) * (tgt[i] - u[3][i]);
            for (int l = 2; l >= 1; l--) {
                delta[l] = new double[n[l]];
                for (int i = 0; i < n[l]; i++) {
                    double s = 0;
                    for (int k = 0; k < n[l + 1]; k++) s += w[l + 1][k * n[l] + i] * delta[l + 1][k];
                    delta[l][i] = Activation.SIGMOID.derivative(u[l][i]) * s;
                }
            }
            double[] angles = new double[3];
            for (int l = 1; l <= 3; l++) {
                double[] ref = new double[n[l] * n[l - 1]];
                for (int i = 0; i < n[l]; i++)
                    for (int j = 0; j < n[l - 1]; j++) ref[i * n[l - 1] + j] = delta[l][i] * rr[l - 1][j];
                Tensor dw = BE.zeros(DType.FLOAT64, n[l], n[l - 1]);
                mc.forwardIncrement(l, dw, true);
                angles[l - 1] = Angles.degrees(dw.toHost(), ref);
                dw.close();
            }
            return angles;
        }
    }

    /** §3.6: OU noise with dt/τ_ξ = 0.1 has stationary std σ·sqrt(a/(1−(1−a)²)) = 0.7255σ. */
    @Test
    void ouNoiseStationaryStdIs0725Sigma() {
        MicrocircuitParams p = params(new int[] {3, 400, 2}, MicrocircuitRule.PAL, 0, 0, 0, 0, true);
        try (Microcircuit mc = new Microcircuit(p, BE, DType.FLOAT64, 25, 5)) {
            mc.setLearning(false, false, false);
            double s = 0, ss = 0;
            long count = 0;
            for (int i = 1; i <= 4000; i++) {
                mc.step();
                if (i > 500 && i % 20 == 0) {
                    for (double v : mc.noise(1).toHost()) {
                        s += v;
                        ss += v * v;
                        count++;
                    }
                }
            }
            double mean = s / count, std = Math.sqrt(ss / count - mean * mean);
            double a = 0.1, expected = Math.sqrt(a / (1 - (1 - a) * (1 - a)));
            assertEquals(0.7255, expected, 1e-4);
            assertEquals(expected, std / p.noiseSigma(), 0.005, "stationary std / σ");
            assertEquals(0.0, mean / p.noiseSigma(), 0.01);
        }
    }

    /** BP: B := W_{ℓ+1}ᵀ from before the step's update, B^PI = −B; FA and control keep B fixed; PAL changes it. */
    @Test
    void rulesFormFeedbackAsSpecified() {
        int[] n = {4, 6, 5, 3};
        for (MicrocircuitRule rule : MicrocircuitRule.values()) {
            try (Microcircuit mc = new Microcircuit(params(n, rule, 5.0, 0.1, 0, 50, true), BE, DType.FLOAT64, 1, 21)) {
                setInput(mc, 2);
                mc.target().load(new double[] {0.9, 0.1, 0.5});
                mc.setTargetOn(true);
                double[] b0 = mc.feedbackWeights(1).toHost();
                for (int i = 0; i < 300; i++) mc.step();
                double[] w2Before = mc.forwardWeights(2).toHost();
                mc.step();
                double[] b = mc.feedbackWeights(1).toHost();
                switch (rule) {
                    case BP -> {
                        assertArrayEquals(
                                Angles.transpose(w2Before, 5, 6), b, 0.0, "BP: B1 = W2ᵀ before the step's update");
                        double[] bpi = mc.interneuronToPyramidal(1).toHost();
                        for (int i = 0; i < b.length; i++) assertEquals(-b[i], bpi[i], 0.0);
                        assertFalse(Arrays.equals(w2Before, mc.forwardWeights(2).toHost()), "W2 learns");
                    }
                    case FA, CONTROL -> assertArrayEquals(b0, b, 0.0, rule + ": B stays fixed");
                    case PAL -> assertFalse(Arrays.equals(b0, b), "PAL: B learns");
                }
                if (rule == MicrocircuitRule.CONTROL || rule == MicrocircuitRule.PAL)
                    assertTrue(BE.maxAbs(mc.noise(1)) > 0, rule + " injects noise");
                else assertEquals(0.0, BE.maxAbs(mc.noise(1)), rule + " injects no noise");
            }
        }
    }

    /** float32 and float64 runs of the same circuit agree (the float32 form of ŭ is well conditioned, §10). */
    @Test
    void float32TracksFloat64() {
        MicrocircuitParams p = params(new int[] {5, 12, 4}, MicrocircuitRule.PAL, 2.0, 0.1, 0.1, 10, true);
        try (Microcircuit a = new Microcircuit(p, BE, DType.FLOAT32, 2, 9);
                Microcircuit b = new Microcircuit(p, BE, DType.FLOAT64, 2, 9)) {
            for (Microcircuit mc : new Microcircuit[] {a, b}) {
                setInput(mc, 4);
                mc.target().load(new double[] {0.2, 0.8, 0.3, 0.6, 0.2, 0.8, 0.3, 0.6});
                mc.setTargetOn(true);
                for (int i = 0; i < 5000; i++) mc.step();
            }
            for (String name : new String[] {"layer1.W", "layer2.W", "layer1.B", "layer1.BPI"}) {
                double[] x = a.parameters().get(name).toHost(),
                        y = b.parameters().get(name).toHost();
                double err = 0, norm = 0;
                for (int i = 0; i < x.length; i++) {
                    err = Math.max(err, Math.abs(x[i] - y[i]));
                    norm = Math.max(norm, Math.abs(y[i]));
                }
                assertTrue(err / norm < 1e-3, name + ": float32 deviates by " + err / norm + " (relative)");
            }
        }
    }
}
