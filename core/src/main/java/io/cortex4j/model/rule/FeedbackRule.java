package io.cortex4j.model.rule;

import java.util.Locale;

/**
 * How errors travel down a layered network: which matrix stands in for Wᵀ in the backward pass
 * (specs/pal.md §4 and §6; sign-concordant variants after specs/yangli.md §2.2). One config word,
 * {@code rule.name}, in every family that has layers; each family says which of them it takes, and
 * {@link Feedback} holds the matrix of one layer.
 */
public enum FeedbackRule {
    /** Backprop by weight transport: the error of layer ℓ is f'_ℓ ⊙ (e_{ℓ+1} W_{ℓ+1}). */
    BP,
    /** Feedback alignment: a fixed random B_{ℓ+1} ~ N(0, σ_B²) in place of W_{ℓ+1}. */
    FA,
    /** Direct feedback alignment: e_ℓ = ρ'_ℓ(now) ⊙ (e_N(now) D_ℓ), D_ℓ fixed random, no delay. */
    DFA,
    /** Uniform sign-concordant feedback: B = s·sign(W), recomputed from the current W. */
    USF,
    /** Batch-wise random-magnitude sign-concordant feedback: B = |R| ⊙ sign(W), R redrawn every mini-batch. */
    BRSF,
    /** Fixed random-magnitude sign-concordant feedback: B = |R| ⊙ sign(W), R drawn once. */
    FRSF,
    /** Phaseless alignment learning (LE networks): OU noise, high-passed rates, ΔB = η_B(ρ^HP ⊗ ξ − αB). */
    PAL;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the sign-concordant rules, whose B follows sign(W). */
    public boolean signConcordant() {
        return this == USF || this == BRSF || this == FRSF;
    }

    public static FeedbackRule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown rule '" + s + "' (use bp, fa, dfa, usf, brsf, frsf or pal)");
        }
    }
}
