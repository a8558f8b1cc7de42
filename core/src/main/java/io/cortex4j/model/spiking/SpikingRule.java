package io.cortex4j.model.spiking;

import io.cortex4j.model.rule.FeedbackRule;

/**
 * What carries a spiking network's errors down ({@code rule.name}): the shared feedback rules of the
 * layered families ({@link FeedbackRule}: bp, fa, usf, brsf, frsf) or the reconstructed cortical
 * microcircuit of Yang &amp; Li (specs/yangli.md §4, {@link Microcircuit}), whose reciprocal E/I wiring
 * gives sign-concordant feedback.
 */
public enum SpikingRule {
    BP,
    FA,
    USF,
    BRSF,
    FRSF,
    MICROCIRCUIT;

    /** The feedback matrix this rule builds; the microcircuit's follows its magnitudes setting. */
    public FeedbackRule feedback(SpikingSpec.Circuit c) {
        return switch (this) {
            case BP -> FeedbackRule.BP;
            case FA -> FeedbackRule.FA;
            case USF -> FeedbackRule.USF;
            case BRSF -> FeedbackRule.BRSF;
            case FRSF -> FeedbackRule.FRSF;
            case MICROCIRCUIT -> c == null ? FeedbackRule.FRSF : c.magnitudes().feedback();
        };
    }
}
