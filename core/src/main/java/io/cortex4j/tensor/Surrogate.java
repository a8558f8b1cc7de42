package io.cortex4j.tensor;

/**
 * The surrogate derivative g(u) that stands in for the spike's ∂s/∂u in a spiking network's learning
 * (the Heaviside step has none): a function of the membrane potential u, the threshold θ and a width
 * w, each with peak height 1/w at u = θ.
 *
 * <p>The ordinals are part of the CUDA kernels' interface ({@code spi_elementwise.cu} takes the shape
 * as {@code ordinal()}): new shapes go at the end.
 */
public enum Surrogate {
    /** g = 1/w on |u − θ| &lt; w/2, else 0 (the boxcar of TSSL-BP-style and straight-through estimators). */
    RECTANGLE,
    /** g = (4/w)·σ(x)(1 − σ(x)), x = 4(u − θ)/w: the logistic sigmoid's derivative, scaled to peak 1/w. */
    SIGMOID;

    /** g(u) in double. */
    public double derivative(double u, double threshold, double width) {
        return switch (this) {
            case RECTANGLE -> Math.abs(u - threshold) < width / 2 ? 1.0 / width : 0.0;
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-4.0 * (u - threshold) / width));
                yield 4.0 / width * s * (1.0 - s);
            }
        };
    }
}
