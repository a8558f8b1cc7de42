package io.cortex4j.model.microcircuit;

import io.cortex4j.tensor.Activation;
import java.util.Arrays;

/**
 * Everything that defines a dendritic microcircuit and its plasticity, in ms units (specs/pal.md
 * §2–3, §5). Learning-rate arrays are indexed by layer: {@code etaForward[ℓ−1]} is W_ℓ's rate for
 * ℓ = 1…N; {@code etaFeedback}, {@code etaIP}, {@code etaPI} and {@code alpha} have one entry per
 * hidden layer ℓ = 1…N−1. {@code activations[ℓ−1]} is φ_ℓ of layer ℓ's pyramidal cells; the
 * interneurons of layer ℓ represent layer ℓ+1 and use its φ_{ℓ+1} (specs/pal.md §2.4).
 */
public record MicrocircuitParams(
        int[] layers,
        Activation[] activations,
        double dt,
        Conductances conductances,
        double prospectiveFactor,
        MicrocircuitRule rule,
        double[] etaForward,
        double[] etaFeedback,
        double[] etaIP,
        double[] etaPI,
        double[] alpha,
        double noiseSigma,
        double tauNoise,
        double tauHighPass,
        double tauLowPass,
        double[] weightRange,
        double[] feedbackRange,
        double initialPotentialStd,
        boolean selfPredictingInit) {

    public MicrocircuitParams {
        if (layers == null || layers.length < 2)
            throw new IllegalArgumentException("layers: need at least an input and an output layer");
        for (int n : layers)
            if (n <= 0)
                throw new IllegalArgumentException("layers: sizes must be positive, got " + Arrays.toString(layers));
        int hidden = layers.length - 2;
        if (!(dt > 0)) throw new IllegalArgumentException("dt must be > 0, got " + dt);
        if (activations == null || activations.length != layers.length - 1)
            throw new IllegalArgumentException(
                    "activation: need one per layer above the input (" + (layers.length - 1) + ")");
        activations = activations.clone();
        checkLength("etaForward", etaForward, layers.length - 1);
        checkLength("etaFeedback", etaFeedback, hidden);
        checkLength("etaIP", etaIP, hidden);
        checkLength("etaPI", etaPI, hidden);
        checkLength("alpha", alpha, hidden);
        if (rule.injectsNoise()) {
            if (tauNoise < dt)
                throw new IllegalArgumentException("noise.tau (" + tauNoise + ") must be ≥ dt (" + dt + ")");
            if (tauHighPass < dt)
                throw new IllegalArgumentException("tauHighPass (" + tauHighPass + ") must be ≥ dt (" + dt + ")");
            if (noiseSigma < 0) throw new IllegalArgumentException("noise.sigma must be ≥ 0, got " + noiseSigma);
        }
        if (tauLowPass != 0 && tauLowPass < dt)
            throw new IllegalArgumentException("tauLowPass (" + tauLowPass + ") must be 0 (off) or ≥ dt (" + dt + ")");
        double tauMin = Math.min(
                conductances.tauPyramidal(), Math.min(conductances.tauInterneuron(), conductances.tauOutput()));
        if (tauMin < dt)
            throw new IllegalArgumentException(
                    "the fastest membrane time constant (" + tauMin + " ms) is below dt (" + dt + " ms)");
        checkRange("weights", weightRange);
        checkRange("feedback", feedbackRange);
        layers = layers.clone();
    }

    private static void checkLength(String name, double[] a, int n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(name + ": need " + n + " value(s) (one per "
                    + (name.equals("etaForward") ? "weight layer" : "hidden layer") + "), got "
                    + (a == null ? "none" : a.length));
        }
        for (double v : a)
            if (!(v >= 0) || !Double.isFinite(v))
                throw new IllegalArgumentException(name + ": values must be finite and ≥ 0, got " + Arrays.toString(a));
    }

    private static void checkRange(String name, double[] r) {
        if (r == null || r.length != 2 || !(r[0] <= r[1]))
            throw new IllegalArgumentException("init." + name + ": need [low, high] with low ≤ high");
    }

    /** A microcircuit whose every population uses {@code phi}. */
    public static Activation[] uniform(int[] layers, Activation phi) {
        Activation[] a = new Activation[layers.length - 1];
        Arrays.fill(a, phi);
        return a;
    }

    /** φ_ℓ of the pyramidal cells of layer ℓ = 1…N; the interneurons of layer ℓ use φ_{ℓ+1}. */
    public Activation activation(int layer) {
        return activations[layer - 1];
    }

    @Override
    public Activation[] activations() {
        return activations.clone();
    }

    /** Number of layers above the input: N. */
    public int depth() {
        return layers.length - 1;
    }
}
