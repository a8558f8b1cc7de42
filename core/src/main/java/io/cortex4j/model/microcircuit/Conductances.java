package io.cortex4j.model.microcircuit;

import io.cortex4j.config.Key;

/**
 * Leak, dendro-somatic and nudging conductances of the dendritic microcircuit (1/ms), specs/pal.md §2.2.
 *
 * @param leak     g_l
 * @param basal    g_bas, basal → soma of pyramidal cells
 * @param apical   g_api, apical → soma of hidden pyramidal cells
 * @param dendrite g_den, dendrite → soma of interneurons
 * @param interneuronNudge g_nI (= g_som), nudge of an interneuron by the pyramidal cell above
 * @param target   g_tgt, nudge of the output soma towards the target
 */
public record Conductances(
        @Key(def = "0.03", min = 0) double leak,
        @Key(def = "0.1", min = 0) double basal,
        @Key(def = "0.06", min = 0) double apical,
        @Key(def = "0.1", min = 0) double dendrite,
        @Key(def = "0.06", min = 0) double interneuronNudge,
        @Key(def = "0.06", min = 0) double target) {
    /** The values used by every PAL microcircuit and GeNN config. */
    public static final Conductances PUBLISHED = new Conductances(0.03, 0.1, 0.06, 0.1, 0.06, 0.06);

    public Conductances {
        double[] all = {leak, basal, apical, dendrite, interneuronNudge, target};
        String[] names = {"leak", "basal", "apical", "dendrite", "interneuronNudge", "target"};
        for (int i = 0; i < all.length; i++) {
            if (!(all[i] >= 0) || !Double.isFinite(all[i]))
                throw new IllegalArgumentException("conductance " + names[i] + " must be ≥ 0, got " + all[i]);
        }
        if (leak + basal + apical <= 0)
            throw new IllegalArgumentException("conductances give a pyramidal cell no leak at all");
    }

    /** τ_P = 1/(g_l+g_bas+g_api): effective time constant of a hidden pyramidal soma. */
    public double tauPyramidal() {
        return 1.0 / (leak + basal + apical);
    }

    /** τ_I = 1/(g_l+g_den+g_nI). */
    public double tauInterneuron() {
        return 1.0 / (leak + dendrite + interneuronNudge);
    }

    /** τ_N = 1/(g_l+g_bas+g_tgt): the output soma, also when no target is present. */
    public double tauOutput() {
        return 1.0 / (leak + basal + target);
    }

    /** ĝ of a hidden layer: g_bas/(g_l+g_bas+g_api), the basal prediction's attenuation. */
    public double hiddenBasalGain() {
        return basal / (leak + basal + apical);
    }

    /** ĝ of the output layer: g_bas/(g_l+g_bas). */
    public double outputBasalGain() {
        return basal / (leak + basal);
    }

    /** g_den/(g_l+g_den): the interneuron's dendritic prediction gain. */
    public double interneuronDendriteGain() {
        return dendrite / (leak + dendrite);
    }
}
