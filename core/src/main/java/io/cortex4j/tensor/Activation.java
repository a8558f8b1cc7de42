package io.cortex4j.tensor;

/**
 * Neuron transfer functions φ that every backend implements, with their derivatives.
 *
 * <p>The ordinals are part of the CUDA kernels' interface ({@code spi_elementwise.cu} takes the
 * function as {@code ordinal()}): new functions go at the end.
 */
public enum Activation {
    /** Logistic sigmoid 1/(1+e^{−x}). */
    SIGMOID,
    TANH,
    RELU,
    LINEAR,
    /** log(1 + e^x), whose derivative is the logistic sigmoid. */
    SOFTPLUS,
    /**
     * The hard sigmoid of the reference codebases (unibe-cns/gle-code {@code lib/utils.py}
     * {@code hard_sigmoid}, and the LE code's {@code HardSigmoid}): {@code clamp(x, 0, 1)}, with
     * derivative 1 on the closed interval 0 ≤ x ≤ 1 (also at both kinks) and 0 elsewhere. NaN
     * gives NaN, with derivative 0. Not PyTorch's {@code F.hardsigmoid} (relu6(x + 3)/6), which
     * gle-code names {@code hard_sigmoid_torch}. Config word {@code hard-sigmoid}.
     */
    HARD_SIGMOID;

    public double apply(double x) {
        return switch (this) {
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU -> x > 0 ? x : 0.0;
            case LINEAR -> x;
            case SOFTPLUS -> x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
            case HARD_SIGMOID -> hardSigmoid(x);
        };
    }

    public double derivative(double x) {
        return switch (this) {
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 - s);
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1.0 - t * t;
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case LINEAR -> 1.0;
            case SOFTPLUS -> 1.0 / (1.0 + Math.exp(-x));
            case HARD_SIGMOID -> hardSigmoidDerivative(x);
        };
    }

    /** {@link #HARD_SIGMOID}: {@code clamp(x, 0, 1)}; NaN stays NaN, −0 stays −0. */
    public static double hardSigmoid(double x) {
        return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    }

    /** The derivative of {@link #HARD_SIGMOID}: 1 for 0 ≤ x ≤ 1 (both kinks included), else 0 (NaN too). */
    public static double hardSigmoidDerivative(double x) {
        return x >= 0.0 && x <= 1.0 ? 1.0 : 0.0;
    }

    /** The word a config names this function by (what {@link #parse} reads back): e.g. {@code hard-sigmoid}. */
    public String configWord() {
        return this == HARD_SIGMOID ? "hard-sigmoid" : name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The function a config word names, case-insensitively: {@link #configWord()} or the enum name;
     * the hard sigmoid also as {@code hard_sigmoid} or {@code hardsigmoid}.
     */
    public static Activation parse(String s) {
        String w = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (w.equals("hard-sigmoid") || w.equals("hard_sigmoid") || w.equals("hardsigmoid")) return HARD_SIGMOID;
        for (Activation a : values()) if (a != HARD_SIGMOID && a.configWord().equals(w)) return a;
        StringBuilder words = new StringBuilder();
        Activation[] all = values();
        for (int i = 0; i < all.length; i++)
            words.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].configWord());
        throw new IllegalArgumentException("unknown activation '" + s + "' (use " + words
                + "; the hard sigmoid also as hard_sigmoid or hardsigmoid)");
    }
}
