package io.cortex4j.model.topology;

import io.cortex4j.tensor.ConvGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * The topology of a layered LE network: the input shape ({@code channels × height × width}; a flat
 * input of n values is {@code 1 × 1 × n}) and the layers in order. Shapes are checked when the
 * architecture is made, so an impossible network fails before any tensor is allocated.
 */
public record Topology(int channels, int height, int width, List<LayerSpec> layers) {
    /** The shape of one layer's output (or of the input): {@code channels × height × width}. */
    public record Shape(int channels, int height, int width) {
        public int length() {
            return channels * height * width;
        }

        @Override
        public String toString() {
            return channels == 1 && height == 1 ? Integer.toString(width) : channels + "×" + height + "×" + width;
        }
    }

    public Topology {
        if (channels < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException("input shape " + channels + "×" + height + "×" + width);
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("an LE network needs at least one layer");
        if (!(layers.getLast() instanceof LayerSpec.Dense))
            throw new IllegalArgumentException("the last layer must be dense (the output)");
        shapes(channels, height, width, layers); // validates
    }

    /** A fully connected network {@code sizes[0] - sizes[1] - …} with the given activations per layer. */
    public static Topology mlp(int[] sizes, io.cortex4j.tensor.Activation... activations) {
        if (activations.length != sizes.length - 1) throw new IllegalArgumentException("need one activation per layer");
        List<LayerSpec> l = new ArrayList<>();
        for (int i = 1; i < sizes.length; i++) l.add(new LayerSpec.Dense(sizes[i], activations[i - 1]));
        return new Topology(1, 1, sizes[0], l);
    }

    public Shape input() {
        return new Shape(channels, height, width);
    }

    /** Output shape of each layer, in order. */
    public List<Shape> outputShapes() {
        return shapes(channels, height, width, layers);
    }

    /** The convolution geometry of layer {@code i} (which must be a {@link LayerSpec.Conv2d}). */
    public ConvGeometry geometry(int i) {
        Shape in = i == 0 ? input() : outputShapes().get(i - 1);
        LayerSpec.Conv2d c = (LayerSpec.Conv2d) layers.get(i);
        return new ConvGeometry(in.channels(), in.height(), in.width(), c.kernel(), c.stride(), c.padding());
    }

    public int inputLength() {
        return channels * height * width;
    }

    public int outputLength() {
        return outputShapes().getLast().length();
    }

    private static List<Shape> shapes(int c, int h, int w, List<LayerSpec> layers) {
        List<Shape> out = new ArrayList<>();
        Shape s = new Shape(c, h, w);
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String at = "layer " + (i + 1) + " (" + l + ")";
            s = switch (l) {
                case LayerSpec.Dense d -> new Shape(1, 1, d.units());
                case LayerSpec.Conv2d k -> {
                    if (s.height() + 2 * k.padding() < k.kernel() || s.width() + 2 * k.padding() < k.kernel()) {
                        throw new IllegalArgumentException(
                                at + ": kernel " + k.kernel() + " does not fit its input " + s);
                    }
                    ConvGeometry g =
                            new ConvGeometry(s.channels(), s.height(), s.width(), k.kernel(), k.stride(), k.padding());
                    yield new Shape(k.filters(), g.outHeight(), g.outWidth());
                }
                case LayerSpec.MaxPool2d p -> {
                    if (s.height() < p.kernel() || s.width() < p.kernel())
                        throw new IllegalArgumentException(at + ": pool larger than its input " + s);
                    yield new Shape(s.channels(), s.height() / p.kernel(), s.width() / p.kernel());
                }
            };
            out.add(s);
        }
        return out;
    }
}
