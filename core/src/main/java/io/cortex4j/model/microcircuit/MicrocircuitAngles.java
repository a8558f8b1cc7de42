package io.cortex4j.model.microcircuit;

import io.cortex4j.metrics.Angles;
import io.cortex4j.tensor.Activation;

/** The alignment measures of the PAL paper for a microcircuit's feedback weights. */
public final class MicrocircuitAngles {
    private MicrocircuitAngles() {}

    /** ∠(B_ℓ, W_{ℓ+1}ᵀ) in degrees for ℓ = 1…N−1 (index ℓ−1). */
    public static double[] feedbackVsTranspose(Microcircuit mc) {
        int h = mc.depth() - 1;
        double[] out = new double[h];
        int[] n = mc.params().layers();
        for (int l = 1; l <= h; l++) {
            double[] wt = Angles.transpose(mc.forwardWeights(l + 1).toHost(), n[l + 1], n[l]);
            out[l - 1] = Angles.degrees(mc.feedbackWeights(l).toHost(), wt);
        }
        return out;
    }

    /**
     * ∠(B_ℓ, diag φ'(ĝ v^bas_ℓ) W_{ℓ+1}ᵀ diag φ'(ĝ v^bas_{ℓ+1})) in degrees (the "RHS" angle of §9.9),
     * with φ' averaged over the batch at the current state.
     */
    public static double[] feedbackVsJacobian(Microcircuit mc) {
        int h = mc.depth() - 1;
        double[] out = new double[h];
        int[] n = mc.params().layers();
        for (int l = 1; l <= h; l++) {
            double[] dl = meanDerivative(mc, l), du = meanDerivative(mc, l + 1);
            double[] w = mc.forwardWeights(l + 1).toHost(); // [n_{l+1}, n_l]
            double[] target = new double[n[l] * n[l + 1]];
            for (int i = 0; i < n[l]; i++)
                for (int j = 0; j < n[l + 1]; j++) target[i * n[l + 1] + j] = dl[i] * w[j * n[l] + i] * du[j];
            out[l - 1] = Angles.degrees(mc.feedbackWeights(l).toHost(), target);
        }
        return out;
    }

    private static double[] meanDerivative(Microcircuit mc, int l) {
        Conductances g = mc.params().conductances();
        double gain = l == mc.depth() ? g.outputBasalGain() : g.hiddenBasalGain();
        Activation f = mc.params().activation(l);
        double[] v = mc.basalPotential(l).toHost();
        int n = mc.params().layers()[l];
        double[] d = new double[n];
        int rows = v.length / n;
        for (int b = 0; b < rows; b++) for (int i = 0; i < n; i++) d[i] += f.derivative(gain * v[b * n + i]) / rows;
        return d;
    }
}
