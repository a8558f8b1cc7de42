package io.cortex4j.model.le;

import io.cortex4j.config.Key;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import java.util.List;

/**
 * The config of a layered latent-equilibrium network ({@code model.family: le}), in the LE papers'
 * dimensionless units (specs/pal.md §4, §5.3). Per-layer lists have one entry per layer, pooling
 * layers included (as the reference's {@code lr_factors}).
 */
public record LeSpec(Model model, Rule rule) {

    /**
     * @param tau    membrane time constant
     * @param beta   nudging strength of the output error
     * @param output the output error: mse (potentials to the targets), rate (rates to the targets), cross-entropy
     */
    public record Model(
            @Key(def = "dimensionless") String units,
            InputShape input,
            List<LayerSpec> layers,
            @Key(def = "10.0", above = 0) double tau,
            @Key(def = "0.1", above = 0) double dt,
            @Key(def = "0.1", min = 0) double beta,
            @Key(def = "mse") OutputError output,
            @Key(def = "{}") Init init) {}

    /** W, b and (FA, PAL) B ~ N(0, std²); B, DFA's D and the sign-concordant magnitudes ~ N(0, feedbackStd²). */
    public record Init(
            @Key(def = "0.05", min = 0) double std,
            @Key(def = "0.05", min = 0) double feedbackStd) {}

    /**
     * @param name        bp, fa, dfa, usf, brsf, frsf or pal
     * @param learningRate η; a step adds dt·η·factor·(batch mean)
     * @param signScale   uSF: B = signScale·sign(W) (default: model.init.std)
     */
    public record Rule(
            FeedbackRule name,
            @Key(def = "0.8", min = 0) double learningRate,
            @Key(def = Key.ABSENT, min = 0) double[] lrFactors,
            @Key(def = Key.ABSENT, min = 0) double[] feedbackLrFactors,
            @Key(def = Key.ABSENT, min = 0) double[] alpha,
            @Key(def = Key.ABSENT, min = 0) double[] sigma,
            @Key(def = Key.ABSENT, min = 0) double[] tauXi,
            @Key(def = Key.ABSENT, min = 0) double[] tauHighPass,
            @Key(def = Key.ABSENT, min = 0) double[] tauLowPass,
            @Key(def = Key.ABSENT, min = 0) Double signScale) {}
}
