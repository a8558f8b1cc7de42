package io.cortex4j.model.le;

import java.util.Locale;

/** The output (target) error of an LE network, scaled by β (specs/pal.md §4). */
public enum OutputError {
    /** e_N = β(y − ŭ_N): the potentials are pulled to the targets (CIFAR runs). */
    MSE,
    /** e_N = β ρ'_N ⊙ (y − ρ_N): the rates are pulled to the targets (autoencoder). */
    RATE,
    /** e_N = β(y − softmax(ŭ_N)): the gradient of the cross-entropy of a softmax read-out. */
    CROSS_ENTROPY;

    public String word() {
        return this == CROSS_ENTROPY ? "cross-entropy" : name().toLowerCase(Locale.ROOT);
    }

    public static OutputError parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "mse" -> MSE;
            case "rate" -> RATE;
            case "cross-entropy", "ce", "softmax" -> CROSS_ENTROPY;
            default ->
                throw new IllegalArgumentException("unknown output error '" + s + "' (use mse, rate or cross-entropy)");
        };
    }
}
