package io.cortex4j.model.burst;

import io.cortex4j.config.Key;
import io.cortex4j.config.Words;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import java.util.List;

/**
 * The config of a layered burst network ({@code model.family: burst}): BurstCCN and the baselines it
 * is measured against (Burstprop, EDN, BP, FA) on the same sigmoid networks (specs/burstccn.md).
 * Matrices are {@code [post, pre]}: W_ℓ is {@code [n_ℓ, n_{ℓ−1}]}; the feedback into hidden layer ℓ
 * from layer ℓ+1 (Y_ℓ, Q_ℓ, EDN's interneuron-to-pyramid weights) is {@code [n_ℓ, n_{ℓ+1}]}, so tied
 * feedback is Y_ℓ = W_{ℓ+1}ᵀ. One step is one mini-batch: a forward sweep, then (while learning) the
 * top-down sweep and the updates.
 */
public record BurstSpec(
        Model model, Rule rule, @Key(def = Key.ABSENT) Teacher teacher) {

    /**
     * @param pBaseline  p_b, the baseline burst probability (BurstCCN 0.5, discrete Burstprop 0.2)
     * @param continuous present: the continuous-time network of §5 instead of one sweep per mini-batch
     */
    public record Model(
            InputShape input,
            List<LayerSpec> layers,
            @Key(def = Key.ABSENT, above = 0, max = 1) Double pBaseline,
            @Key(def = "{}") Init init,
            @Key(def = Key.ABSENT) Continuous continuous) {}

    /**
     * The continuous-time BurstCCN and Burstprop of §5 (the reference's exact step order, §5.1): somata
     * and apical dendrites are leaky integrators stepped by Euler with dt, every layer sends down what it
     * held at the start of the step (one step of delay per hop), and while the teacher is on every step
     * changes W by {@code rule.learningRate·dt/tauWeights·(p − p̄)e ⊗ e_below}, p̄ = p_b (BurstCCN) or
     * the moving average b̄/ē over tauAverage (Burstprop).
     *
     * @param beta the gain of the hidden apical drive (BurstCCN 4, Burstprop 1)
     */
    public record Continuous(
            @Key(def = "0.1", above = 0) double dt,
            @Key(def = "0.1", above = 0) double tauSoma,
            @Key(def = "0.1", above = 0) double tauApical,
            @Key(def = "100", above = 0) double tauWeights,
            @Key(def = Key.ABSENT, above = 0) Double beta,
            @Key(def = "5.0", above = 0) double tauAverage) {}

    /**
     * The fixed teacher of the continuous regression task (§5): a sigmoid network of its own layers
     * on the student's input, PyTorch nn.Linear's initialisation (W and b uniform in ±1/√fan_in) with W
     * scaled by weightScale, drawn from its own seed.
     */
    public record Teacher(
            List<LayerSpec> layers,
            @Key(def = "3.0") double weightScale,
            @Key(def = "1000003") long seed) {}

    /** W ~ N(0, (gain·√(2/(fan_in + fan_out)))²) (PyTorch's xavier_normal_), biases 0. */
    public record Init(@Key(def = "3.6", above = 0) double gain) {}

    /**
     * @param name         burstccn, burstprop, edn, bp or fa
     * @param learningRate η of W and b; a mini-batch adds η·factor·(batch mean of δ ⊗ input)
     * @param lrFactors    per layer (default 1)
     * @param momentum     v ← m·v + step; W ← W + v
     * @param weightDecay  λ: W ← (1 − λ)W (biases too, except under burstprop, as the references do)
     * @param Y            the feedback of bursts (Burstprop, FA: of errors) into each hidden layer
     * @param Q            BurstCCN's feedback of events into each hidden layer, which cancels Y's baseline
     * @param recurrent    Burstprop's recurrent weights Z within each hidden layer
     * @param edn          EDN's nudging strengths and interneurons
     */
    public record Rule(
            BurstRule name,
            @Key(above = 0) double learningRate,
            @Key(def = Key.ABSENT, min = 0) double[] lrFactors,
            @Key(def = "0", min = 0, max = 1) double momentum,
            @Key(def = "0", min = 0, max = 1) double weightDecay,
            @Key(def = "{}") Feedback Y,
            @Key(def = "{}") Feedback Q,
            @Key(def = Key.ABSENT) Recurrent recurrent,
            @Key(def = Key.ABSENT) Edn edn) {}

    /**
     * One feedback pathway.
     *
     * @param mode         Y: random, symmetric (scale·W_{ℓ+1}ᵀ at the start) or tied (after every
     *                     update); Q: symmetric (p_b·scale·Y), tied, random or w-symmetric (p_b·scale·W_{ℓ+1}ᵀ)
     * @param scale        the std of random feedback, or the factor of symmetric and tied feedback
     * @param learningRate BurstCCN: ΔQ = η_Q·uᵀe_{ℓ+1}/B drives the apical potential u to 0 and
     *                     ΔY = −η_Y·uᵀe_{ℓ+1}/B; Burstprop: Y takes W's update; 0: fixed
     */
    public record Feedback(
            @Key(def = Key.ABSENT) FeedbackMode mode,
            @Key(def = Key.ABSENT, min = 0) Double scale,
            @Key(def = Key.ABSENT, min = 0) Double learningRate) {}

    public enum FeedbackMode {
        @Words("random")
        RANDOM,
        @Words("symmetric")
        SYMMETRIC,
        @Words("tied")
        TIED,
        /** Q only: p_b·scale·W_{ℓ+1}ᵀ at the start. */
        @Words("w-symmetric")
        W_SYMMETRIC
    }

    /** Burstprop's recurrent weights Z [n_ℓ, n_ℓ] ~ N(0, scale²), ΔZ = η_Z·uᵀb_pre (summed over the batch). */
    public record Recurrent(
            @Key(def = "true") boolean enabled,
            @Key(def = "0.01", min = 0) double scale,
            @Key(def = "1e-4", min = 0) double learningRate) {}

    /**
     * EDN: the output soma is nudged towards the target potential by lambdaOutput, interneurons towards
     * the layer above by lambdaInterneuron, hidden somata by lambdaHidden times the apical potential;
     * the interneuron weights learn at interneuronLrScale·learningRate.
     *
     * @param interneurons symmetric (copies of the layer above and of Y at the start), tied or random
     */
    public record Edn(
            @Key(def = "0.1", min = 0, max = 1) double lambdaOutput,
            @Key(def = "0.1", min = 0, max = 1) double lambdaInterneuron,
            @Key(def = "0.1", min = 0) double lambdaHidden,
            @Key(def = "2.0", min = 0) double interneuronLrScale,
            @Key(def = "symmetric") FeedbackMode interneurons,
            @Key(def = "1.0", min = 0) double interneuronScale) {}
}
