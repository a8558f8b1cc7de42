package io.cortex4j.model.topology;

import io.cortex4j.config.Key;
import io.cortex4j.config.Words;
import io.cortex4j.tensor.Activation;

/**
 * One layer of a layered network (LE, and the layered families to come), as written in a config:
 * {@code {type: dense, units: 100, activation: sigmoid}}, {@code {type: conv, filters: 20, kernel: 5}},
 * {@code {type: maxpool, kernel: 2}}.
 * Every layer's output is kept per sample as one flat row in channel-major order ({@code C·H·W}),
 * so a dense layer after a convolution or pooling layer reads the flattened map (PyTorch's and
 * DL4J's NCHW flattening order).
 */
public sealed interface LayerSpec {
    /** A fully connected layer with {@code units} neurons. */
    @Words("dense")
    record Dense(int units, @Key(def = "sigmoid") Activation activation) implements LayerSpec {
        public Dense {
            if (units < 1) throw new IllegalArgumentException("dense units must be ≥ 1, got " + units);
        }
    }

    /** A 2-D convolution with {@code filters} square {@code kernel}×{@code kernel} filters. */
    @Words({"conv", "conv2d"})
    record Conv2d(
            int filters,
            int kernel,
            @Key(def = "1", min = 1) int stride,
            @Key(def = "0", min = 0) int padding,
            @Key(def = "sigmoid") Activation activation)
            implements LayerSpec {
        public Conv2d {
            if (filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
                throw new IllegalArgumentException("conv filters " + filters + ", kernel " + kernel + ", stride "
                        + stride + ", padding " + padding);
            }
        }
    }

    /** Non-overlapping {@code kernel}×{@code kernel} max-pooling (stride = kernel, floor at the border). */
    @Words({"maxpool", "maxpool2d"})
    record MaxPool2d(@Key(def = "2") int kernel) implements LayerSpec {
        public MaxPool2d {
            if (kernel < 1) throw new IllegalArgumentException("pool kernel must be ≥ 1, got " + kernel);
        }
    }
}
