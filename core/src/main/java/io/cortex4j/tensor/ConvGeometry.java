package io.cortex4j.tensor;

/**
 * The geometry of a 2-D convolution over one sample laid out channel-major ({@code C·H·W},
 * row-major within a channel): input channels, height and width, a square kernel, stride and
 * zero padding. The output map is {@code outHeight() × outWidth()} per filter, as in PyTorch
 * ({@code ⌊(H + 2p − k)/s⌋ + 1}).
 */
public record ConvGeometry(int channels, int height, int width, int kernel, int stride, int padding) {
    public ConvGeometry {
        if (channels < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException("conv input " + channels + "×" + height + "×" + width);
        if (kernel < 1 || stride < 1 || padding < 0)
            throw new IllegalArgumentException("conv kernel " + kernel + ", stride " + stride + ", padding " + padding);
        if (height + 2 * padding < kernel || width + 2 * padding < kernel) {
            throw new IllegalArgumentException("kernel " + kernel + " larger than the padded input " + height + "×"
                    + width + " (padding " + padding + ")");
        }
    }

    public int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    /** Output positions per filter. */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Length of one receptive field, {@code C·k·k}: the columns of {@code im2col}, in (c, ky, kx) order. */
    public int patch() {
        return channels * kernel * kernel;
    }

    public int inputLength() {
        return channels * height * width;
    }
}
