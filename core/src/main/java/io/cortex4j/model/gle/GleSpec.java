package io.cortex4j.model.gle;

import io.cortex4j.config.Key;
import io.cortex4j.tensor.Activation;
import java.util.List;

/**
 * The config of a Generalized Latent Equilibrium network ({@code model.family: gle}, specs/gle.md),
 * in the paper's dimensionless units: its {@code model}, its {@code rule}, and for teacher–student
 * runs the {@code teacher} and which layers the {@code student} learns. Layers are numbered from 1.
 */
public record GleSpec(
        Model model,
        Rule rule,
        @Key(def = Key.ABSENT) Teacher teacher,
        @Key(def = Key.ABSENT) Student student) {

    /**
     * @param input     channels of the input current x(t)
     * @param beta      output nudging strength
     * @param loss      mse or cross-entropy (needs a linear output layer)
     * @param learnTauM learn the membrane time constants τm (gradient e·u̇)
     * @param tauClamp  bounds of learned τm (default [dt, 100])
     */
    public record Model(
            @Key(def = "dimensionless") String units,
            @Key(min = 1) int input,
            @Key(def = "0.1", above = 0) double dt,
            @Key(def = "1.0", min = 0) double beta,
            @Key(def = "mse") GleParams.Loss loss,
            @Key(def = "false") boolean learnTauM,
            @Key(def = Key.ABSENT) double[] tauClamp,
            List<Layer> layers) {}

    /**
     * One layer: {@code units} neuron pairs with φ; τm and τr per unit (one number for all its units,
     * or one per unit; τr defaults to τm) or as groups of units; a bias; and γ, how strongly the error
     * nudges the membranes (0 in every classification network of the paper, 1 in LagLine).
     */
    public record Layer(
            @Key(min = 1) int units,
            @Key(def = "linear") Activation activation,
            @Key(def = Key.ABSENT, uniform = true) double[] tauM,
            @Key(def = Key.ABSENT, uniform = true) double[] tauR,
            @Key(def = Key.ABSENT) List<Group> groups,
            @Key(def = "true") boolean bias,
            @Key(def = "0.0") double gamma) {}

    /** {@code units} consecutive units sharing τm and τr. */
    public record Group(@Key(min = 1) int units, double tauM, double tauR) {}

    /**
     * @param name   bp (errors sent down through Wᵀ) or fa (through a fixed random B)
     * @param errors prospective (GLE's error neurons) or instantaneous (the paper's "bp" baseline in LagLine)
     */
    public record Rule(
            GleParams.Feedback name,
            @Key(def = "prospective") Errors errors) {}

    public enum Errors {
        PROSPECTIVE,
        INSTANTANEOUS
    }

    /**
     * The teacher: per layer its weights (row-major [out × in]), biases (if the layers have them) and
     * τm (else the model's).
     */
    public record Teacher(
            double[][] weights,
            @Key(def = Key.ABSENT) double[][] biases,
            @Key(def = Key.ABSENT) double[][] tauM) {}

    /**
     * The student: the layers that learn (1-based; the others are frozen at the teacher's values), and
     * the ranges its learned weights and τm are drawn from (default: the usual init and the model's τm).
     */
    public record Student(
            @Key(def = Key.ABSENT, min = 1) int[] plastic,
            @Key(def = "{}") Init init) {}

    public record Init(
            @Key(def = Key.ABSENT) double[] weights,
            @Key(def = Key.ABSENT) double[] tauM) {}
}
