package io.cortex4j.model.gle;

import io.cortex4j.config.Words;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines a GLE network's dynamics (specs/gle.md §5), apart from its weights and
 * the optimizer.
 *
 * @param inputSize          channels of the input current x(t)
 * @param layers             the layers, bottom to top; the top one is the output
 * @param dt                 Euler step; every τ must be ≥ dt
 * @param beta               output nudging strength
 * @param prospectiveErrors  GLE's error neurons (true) or instantaneous errors (false, "bp" in LagLine)
 * @param loss               the output error
 * @param feedback           how errors travel down
 * @param learnTauM          whether τm is learned (gradient e·u̇)
 * @param tauMin             lower clamp of learned τm (the reference: 10·dt in LagLine)
 * @param tauMax             upper clamp of learned τm
 */
public record GleParams(
        int inputSize,
        List<GleLayerSpec> layers,
        double dt,
        double beta,
        boolean prospectiveErrors,
        Loss loss,
        Feedback feedback,
        boolean learnTauM,
        double tauMin,
        double tauMax) {

    /** The output error e_in of the top layer, before its φ'. */
    public enum Loss {
        /** β(y − r_L). */
        MSE,
        /** β(y − softmax(r_L)) with one-hot y; needs a linear output layer. */
        @Words({"cross-entropy", "ce"})
        CROSS_ENTROPY;

        public String word() {
            return this == MSE ? "mse" : "cross-entropy";
        }
    }

    /** The feedback pathway of the errors. */
    public enum Feedback {
        /** e_below = e·W, weight transport as in the reference ({@code bp}). */
        @Words("bp")
        TRANSPOSE,
        /** e_below = e·B with a fixed random B of W's shape ({@code fa}). */
        @Words("fa")
        FIXED_RANDOM;

        public String word() {
            return this == TRANSPOSE ? "bp" : "fa";
        }
    }

    public GleParams {
        if (inputSize < 1) throw new IllegalArgumentException("inputSize must be ≥ 1, got " + inputSize);
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("a GLE network needs at least one layer");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(feedback, "feedback");
        if (!(dt > 0) || Double.isInfinite(dt)) throw new IllegalArgumentException("dt must be > 0, got " + dt);
        if (!Double.isFinite(beta)) throw new IllegalArgumentException("beta must be finite");
        if (!(tauMin > 0) || !(tauMax >= tauMin))
            throw new IllegalArgumentException("need 0 < tauMin ≤ tauMax, got " + tauMin + ", " + tauMax);
        for (int l = 0; l < layers.size(); l++) {
            GleLayerSpec s = layers.get(l);
            double[] m = s.tauM(), r = s.tauR();
            for (int i = 0; i < s.units(); i++) {
                if (m[i] < dt || r[i] < dt) {
                    throw new IllegalArgumentException(
                            "layer " + l + " unit " + i + ": τm " + m[i] + " and τr " + r[i] + " must be ≥ dt " + dt);
                }
            }
        }
        if (loss == Loss.CROSS_ENTROPY
                && layers.get(layers.size() - 1).activation() != io.cortex4j.tensor.Activation.LINEAR) {
            throw new IllegalArgumentException("cross-entropy needs a linear output layer (the logits), got "
                    + layers.get(layers.size() - 1).activation());
        }
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).units();
    }

    /** Input size of layer l. */
    public int inputSizeOf(int l) {
        return l == 0 ? inputSize : layers.get(l - 1).units();
    }

    /** Trainable weights and biases (τ not counted). */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers.size(); l++)
            n += (long) layers.get(l).units() * inputSizeOf(l)
                    + (layers.get(l).bias() ? layers.get(l).units() : 0);
        return n;
    }
}
