package io.cortex4j.model.microcircuit;

import java.util.Locale;

/**
 * How the top-down pathway (B, and with it B^PI) of the microcircuit is formed and learned;
 * chosen by one word in the config (specs/pal.md §3, §6). Forward weights W and W^IP learn by the
 * same dendritic prediction-error rules under every choice.
 */
public enum MicrocircuitRule {
    /** Backprop by weight transport: B := W_{ℓ+1}ᵀ and B^PI := −B every step (before the step's W update). */
    BP(false, false, true, false),
    /** Feedback alignment: B fixed random; no noise. */
    FA(false, false, false, false),
    /** Phaseless Alignment Learning: OU noise, high-passed rates, ΔB = η(ξ ⊗ r^HP − αB), low-pass on ΔW. */
    PAL(true, true, false, true),
    /** PAL's control: noise and B^PI learning on, but η_B = 0 (shows the gain is not "just noise"). */
    CONTROL(true, false, false, true);

    private final boolean noise;
    private final boolean learnsFeedback;
    private final boolean transportsWeights;
    private final boolean lowPassForward;

    MicrocircuitRule(boolean noise, boolean learnsFeedback, boolean transportsWeights, boolean lowPassForward) {
        this.noise = noise;
        this.learnsFeedback = learnsFeedback;
        this.transportsWeights = transportsWeights;
        this.lowPassForward = lowPassForward;
    }

    /** Whether OU noise is injected into hidden apical compartments while learning. */
    public boolean injectsNoise() {
        return noise;
    }

    /** Whether B learns by the PAL rule. */
    public boolean learnsFeedback() {
        return learnsFeedback;
    }

    /** Whether B is the transpose of the forward weights (weight transport). */
    public boolean transportsWeights() {
        return transportsWeights;
    }

    /**
     * Whether ΔW passes the τ_LO low-pass by default (PAL MC: PAL and its control do, BP and FA do
     * not); a config's {@code rule.tauLowPass} decides for any rule.
     */
    public boolean lowPassesForward() {
        return lowPassForward;
    }

    public static MicrocircuitRule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown rule '" + s + "' (use bp, fa, pal or control)");
        }
    }
}
