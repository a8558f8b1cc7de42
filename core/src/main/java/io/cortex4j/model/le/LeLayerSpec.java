package io.cortex4j.model.le;

import io.cortex4j.tensor.Activation;

/**
 * One layer of a layered latent-equilibrium network (specs/pal.md §4), as written in a config.
 * Every layer's output is kept per sample as one flat row in channel-major order ({@code C·H·W}),
 * so a dense layer after a convolution or pooling layer reads the flattened map (PyTorch's and
 * DL4J's NCHW flattening order).
 */
public sealed interface LeLayerSpec {
    /** A fully connected layer with {@code units} neurons. */
    record Dense(int units, Activation activation) implements LeLayerSpec {
        public Dense {
            if (units < 1) throw new IllegalArgumentException("dense units must be ≥ 1, got " + units);
        }
    }

    /** A 2-D convolution with {@code filters} square {@code kernel}×{@code kernel} filters. */
    record Conv2d(int filters, int kernel, int stride, int padding, Activation activation) implements LeLayerSpec {
        public Conv2d {
            if (filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
                throw new IllegalArgumentException("conv filters " + filters + ", kernel " + kernel + ", stride "
                        + stride + ", padding " + padding);
            }
        }
    }

    /** Non-overlapping {@code kernel}×{@code kernel} max-pooling (stride = kernel, floor at the border). */
    record MaxPool2d(int kernel) implements LeLayerSpec {
        public MaxPool2d {
            if (kernel < 1) throw new IllegalArgumentException("pool kernel must be ≥ 1, got " + kernel);
        }
    }
}
