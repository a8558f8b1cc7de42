package io.cortex4j.model.microcircuit;

import io.cortex4j.config.Key;

/**
 * The config of a dendritic microcircuit ({@code model.family: microcircuit}), in ms (specs/pal.md
 * §2–3, §5): its {@code model} section, its {@code rule} and, for teacher–student runs, its
 * {@code teacher}. Learning rates have one value per weight layer ({@code etaForward}, ℓ = 1…N) or per
 * hidden layer ({@code etaFeedback}, {@code etaIP}, {@code etaPI}, {@code alpha}, ℓ = 1…N−1).
 */
public record MicrocircuitSpec(
        Model model, Rule rule, @Key(def = Key.ABSENT) Teacher teacher) {

    /**
     * @param layers      sizes n_0 (input) … n_N (output)
     * @param activation  φ of every population, or one per layer 1…N
     * @param prospective τ_r of the prospective rates (1 = latent equilibrium, 0 = plain rates)
     * @param init        initial weights U[low, high], feedback U[low, high], potentials N(0, std²), self-predicting state
     */
    public record Model(
            @Key(def = "ms", doc = "time unit: the microcircuit uses ms")
            String units,

            int[] layers,
            @Key(def = "sigmoid") Activations activation,

            @Key(def = "0.01", above = 0, doc = "Euler step [ms]")
            double dt,

            @Key(def = "1.0", min = 0) double prospective,
            @Key(def = "{}") Conductances conductances,
            @Key(def = "{}") Init init) {}

    public record Init(
            @Key(def = "[-1.0, 1.0]") double[] weights,
            @Key(def = "[-1.0, 1.0]") double[] feedback,
            @Key(def = "1.0", min = 0) double potentialStd,
            @Key(def = "true") boolean selfPredicting) {}

    /**
     * @param name        bp (weight transport), fa (fixed random B), pal (B learned from noise), control (PAL with η_B = 0)
     * @param tauLowPass  low-pass of ΔW [ms]; 0 switches it off (default: 100 for pal and control, 0 otherwise)
     */
    public record Rule(
            MicrocircuitRule name,
            @Key(def = Key.ABSENT, min = 0) double[] etaForward,
            @Key(def = Key.ABSENT, min = 0) double[] etaFeedback,
            @Key(def = Key.ABSENT, min = 0) double[] etaIP,
            @Key(def = Key.ABSENT, min = 0) double[] etaPI,
            @Key(def = Key.ABSENT, min = 0) double[] alpha,
            @Key(def = "{}") Noise noise,
            @Key(def = "0.1", above = 0) double tauHighPass,
            @Key(def = Key.ABSENT, min = 0) Double tauLowPass) {}

    /** The OU exploration noise of PAL: σ and τ_ξ [ms]. */
    public record Noise(
            @Key(def = "0.05", min = 0) double sigma,
            @Key(def = "0.1", above = 0) double tau) {}

    /**
     * The teacher of a teacher–student run: the student's architecture, weights U[weights], fixed random
     * feedback, no noise, drawn from its own seed.
     */
    public record Teacher(
            @Key(def = Key.ABSENT) double[] weights,
            @Key(def = "1000003") long seed) {}
}
