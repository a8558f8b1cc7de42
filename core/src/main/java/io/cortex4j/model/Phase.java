package io.cortex4j.model;

/**
 * What a network does while it steps: learn (plasticity on), with its forward weights learning too or
 * frozen (the alignment task learns only the feedback pathway), with the output nudged towards
 * {@link Network#target()}, with the exploration noise of its rule.
 */
public record Phase(boolean learn, boolean learnForward, boolean target, boolean noise) {
    /** Training: everything on. */
    public static final Phase TRAIN = new Phase(true, true, true, true);
    /** Evaluation and settling: no plasticity, no target, no noise. */
    public static final Phase FREE = new Phase(false, false, false, false);
    /** Learning the feedback pathway from noise with the forward weights frozen and no target (PAL's bw_only task). */
    public static final Phase ALIGN = new Phase(true, false, false, true);

    /** This phase with the noise switched on or off. */
    public Phase withNoise(boolean on) {
        return new Phase(learn, learnForward, target, on);
    }

    /** This phase with the target switched on or off. */
    public Phase withTarget(boolean on) {
        return new Phase(learn, learnForward, on, noise);
    }

    /** This phase with learning switched on or off (the forward weights with it). */
    public Phase withLearning(boolean on) {
        return new Phase(on, on, target, noise);
    }
}
