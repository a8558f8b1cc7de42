package io.cortex4j.model.burst;

import io.cortex4j.config.Words;

/**
 * How a layered burst network assigns credit (specs/burstccn.md): {@code rule.name}.
 */
public enum BurstRule {
    /**
     * BurstCCN (Greedy et al. 2022, §2–3): one forward sweep of event rates, one top-down sweep of
     * burst probabilities through Y (bursts) and Q (events); ΔW ∝ (p − p_b)⊙e ⊗ e_below.
     */
    @Words("burstccn")
    BURSTCCN,
    /**
     * Burstprop (Payeur et al. 2021, as re-implemented in the BurstCCN repository, §4.1): two
     * top-down passes per mini-batch (without and with the teacher), the first as the baseline.
     */
    @Words("burstprop")
    BURSTPROP,
    /** The error-encoding dendritic network (Sacramento et al. 2018) in its discrete form (§1, §3.2). */
    @Words("edn")
    EDN,
    /** Backprop on the same sigmoid network: δ_ℓ = σ'(v_ℓ)⊙(δ_{ℓ+1}W_{ℓ+1}), output δ = (y − e)σ'(v). */
    @Words("bp")
    BP,
    /** Feedback alignment through the same Y matrices: δ_ℓ = σ'(v_ℓ)⊙(δ_{ℓ+1}Y_ℓᵀ). */
    @Words("fa")
    FA;

    /** Whether the rule sends errors down through Y (all but BP). */
    public boolean usesY() {
        return this != BP;
    }
}
