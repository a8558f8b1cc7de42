package io.cortex4j.model.spiking;

import io.cortex4j.config.Key;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.tensor.Surrogate;
import java.util.List;

/**
 * The config of a layered spiking network ({@code model.family: spiking}, specs/yangli.md §3–4):
 * discrete-time leaky integrate-and-fire layers with synaptic traces, one unit time step per Euler
 * step, each sample held for {@code schedule.presentation} steps (T) from rest. Matrices are
 * {@code [post, pre]}. The learning rules are ours where the paper's text is unknown (see the user
 * guide): a per-step surrogate gradient of the output error, carried down through W (BP), a fixed
 * random B (FA) or sign-concordant B (uSF, brSF, frSF), summed over the presentation and applied by
 * the optimizer at its end.
 */
public record SpikingSpec(Model model, Rule rule) {

    /**
     * @param neuron    the LIF neurons of every layer
     * @param surrogate the surrogate derivative of the spike that learning uses
     * @param encoding  how the input reaches the first layer
     */
    public record Model(
            InputShape input,
            List<LayerSpec> layers,
            @Key(def = "{}") Neuron neuron,
            @Key(def = "{}") SurrogateSpec surrogate,
            @Key(def = "{}") Encoding encoding,
            @Key(def = "{}") Init init) {}

    /**
     * Discrete-time LIF with unit step (the TSSL-BP convention of specs/yangli.md §3): u ← (1 − 1/τ_m)u
     * + I, a spike when u ≥ θ, reset to 0, then {@code refractory} steps with u held at 0; the trace
     * a ← a + (s − a)/τ_s is what the next layer receives, I = W·a_below + b.
     */
    public record Neuron(
            @Key(def = "5.0", min = 1) double tauM,
            @Key(def = "3.0", min = 1) double tauS,
            @Key(def = "1.0", above = 0) double threshold,
            @Key(def = "0", min = 0) int refractory) {}

    /** g(u): {@link Surrogate} shape and width (peak 1/width at the threshold). */
    public record SurrogateSpec(
            @Key(def = "rectangle") Surrogate shape,
            @Key(def = "1.0", above = 0) double width) {}

    /**
     * current: the pixel values are the first layer's input trace at every step (constant input
     * current); poisson: each input spikes with probability maxRate·x per step, and its trace (τ_s) is
     * what the first layer receives.
     */
    public record Encoding(
            @Key(def = "current") Kind type,
            @Key(def = "1.0", above = 0, max = 1) double maxRate) {
        public enum Kind {
            CURRENT,
            POISSON
        }
    }

    /** W ~ U(±gain·√(6/(fan_in + fan_out))) (xavier uniform), biases 0. */
    public record Init(@Key(def = "1.0", above = 0) double gain) {}

    /**
     * @param name        bp, fa, usf, brsf, frsf or microcircuit: what carries the errors down
     * @param feedbackStd std of FA's B and of the sign-concordant magnitudes R (default: each layer's
     *                    √(2/(fan_in + fan_out)), the std of its xavier initialisation, as BioTorch)
     * @param signScale   uSF: B = signScale·sign(W) (default: that std, per layer)
     * @param loss        the output error
     * @param circuit     microcircuit: its choices where the paper's are unknown
     */
    public record Rule(
            SpikingRule name,
            @Key(def = Key.ABSENT, above = 0) Double feedbackStd,
            @Key(def = Key.ABSENT, above = 0) Double signScale,
            @Key(def = "{}") Loss loss,
            @Key(def = Key.ABSENT) Circuit circuit) {}

    /**
     * The reconstructed microcircuit's choices (specs/yangli.md §4; {@link Microcircuit}).
     *
     * @param magnitudes the strengths R of the reciprocal feedback synapses: fixed (drawn once: the
     *                   circuit is frSF), batch (redrawn every mini-batch: brSF), uniform (all equal:
     *                   uSF), transport (R = |W|: the BP limit)
     * @param sign       migrate: a synapse whose weight crosses 0 moves to the other pathway (E ↔ I),
     *                   so sign(W) follows learning as in sign-concordant FA; fixed: each synapse keeps
     *                   its type and stops at 0 (Dale's law with fixed identities: fixed-sign FA)
     */
    public record Circuit(
            @Key(def = "fixed") Magnitudes magnitudes,
            @Key(def = "migrate") Sign sign) {
        public enum Magnitudes {
            FIXED(FeedbackRule.FRSF),
            BATCH(FeedbackRule.BRSF),
            UNIFORM(FeedbackRule.USF),
            TRANSPORT(FeedbackRule.BP);

            private final FeedbackRule feedback;

            Magnitudes(FeedbackRule f) {
                this.feedback = f;
            }

            public FeedbackRule feedback() {
                return feedback;
            }
        }

        public enum Sign {
            MIGRATE,
            FIXED
        }
    }

    /**
     * The global spiking error at the output, E = ½ Σ_t Σ_k (a_k[t] − â_k[t])² per sample: kernel — â is
     * the trace (τ_s) of a desired spike train, one spike per step for the label's unit after
     * {@code silentSteps} silent steps and none for the others (TSSL-BP's [0,1,1,…,1]); rate — â is
     * constant, data.targets.high for the label and low for the others.
     */
    public record Loss(
            @Key(def = "kernel") Kind type,
            @Key(def = "1", min = 0) int silentSteps) {
        public enum Kind {
            KERNEL,
            RATE
        }
    }
}
