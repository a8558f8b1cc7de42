package io.cortex4j.tensor;

/** Neuron transfer functions φ that every backend implements, with their derivatives. */
public enum Activation {
    /** Logistic sigmoid 1/(1+e^{−x}). */
    SIGMOID,
    TANH,
    RELU,
    LINEAR,
    /** log(1 + e^x), whose derivative is the logistic sigmoid. */
    SOFTPLUS;

    public double apply(double x) {
        return switch (this) {
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU -> x > 0 ? x : 0.0;
            case LINEAR -> x;
            case SOFTPLUS -> x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
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
        };
    }

    public static Activation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown activation '" + s + "' (use sigmoid, tanh, relu, linear or softplus)");
        }
    }
}
