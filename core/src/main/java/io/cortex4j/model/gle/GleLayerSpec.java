package io.cortex4j.model.gle;

import io.cortex4j.tensor.Activation;
import java.util.Arrays;
import java.util.Objects;

/**
 * One GLE layer (specs/gle.md §2, §6): {@code units} neuron pairs fed by a dense projection from the
 * layer below, with activation φ (LINEAR for the linear first and output layers), a membrane time
 * constant τm and a prospective time constant τr per neuron, an optional bias, and the error
 * nudging γ of its membranes.
 * τr = τm gives instantaneous ("LE") units, τr = dt retrospective leaky integrators ("LI").
 */
public record GleLayerSpec(int units, Activation activation, double[] tauM, double[] tauR, boolean bias, double gamma) {
    public GleLayerSpec {
        if (units < 1) throw new IllegalArgumentException("a GLE layer needs ≥ 1 unit, got " + units);
        Objects.requireNonNull(activation, "activation");
        if (tauM.length != units || tauR.length != units) {
            throw new IllegalArgumentException(
                    "τm and τr need one value per unit (" + units + "), got " + tauM.length + " and " + tauR.length);
        }
        for (int i = 0; i < units; i++) {
            if (!(tauM[i] > 0) || !(tauR[i] > 0) || Double.isInfinite(tauM[i]) || Double.isInfinite(tauR[i])) {
                throw new IllegalArgumentException(
                        "time constants must be finite and > 0; unit " + i + " has τm " + tauM[i] + ", τr " + tauR[i]);
            }
        }
        if (!Double.isFinite(gamma)) throw new IllegalArgumentException("gamma must be finite, got " + gamma);
        tauM = tauM.clone();
        tauR = tauR.clone();
    }

    /** The layer without error nudging (γ = 0, as every classification network of the paper). */
    public GleLayerSpec(int units, Activation activation, double[] tauM, double[] tauR, boolean bias) {
        this(units, activation, tauM, tauR, bias, 0.0);
    }

    /** A layer whose units all share one τm and one τr. */
    public static GleLayerSpec uniform(int units, Activation activation, double tauM, double tauR, boolean bias) {
        double[] m = new double[units], r = new double[units];
        Arrays.fill(m, tauM);
        Arrays.fill(r, tauR);
        return new GleLayerSpec(units, activation, m, r, bias);
    }

    /** This layer with error nudging γ (how strongly the error feeds back into the membrane, specs/gle.md §2). */
    public GleLayerSpec withGamma(double g) {
        return new GleLayerSpec(units, activation, tauM, tauR, bias, g);
    }

    @Override
    public double[] tauM() {
        return tauM.clone();
    }

    @Override
    public double[] tauR() {
        return tauR.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GleLayerSpec g
                && g.units == units
                && g.activation == activation
                && g.bias == bias
                && g.gamma == gamma
                && Arrays.equals(g.tauM, tauM)
                && Arrays.equals(g.tauR, tauR);
    }

    @Override
    public int hashCode() {
        return Objects.hash(units, activation, bias, gamma, Arrays.hashCode(tauM), Arrays.hashCode(tauR));
    }

    @Override
    public String toString() {
        return "GleLayerSpec[units=" + units + ", activation=" + activation + ", tauM=" + Arrays.toString(tauM)
                + ", tauR=" + Arrays.toString(tauR) + ", bias=" + bias + ", gamma=" + gamma + "]";
    }
}
