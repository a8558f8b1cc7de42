package io.cortex4j.model.topology;

import io.cortex4j.config.ConfigNode;
import java.util.List;

/** {@code model.input} of a layered network: a number of values ({@code 784}) or an image shape ({@code [1, 28, 28]}, channels × height × width). */
public record InputShape(int channels, int height, int width) {
    public InputShape {
        if (channels < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException("sizes must be ≥ 1, got " + channels + "×" + height + "×" + width);
    }

    public static InputShape fromConfig(ConfigNode v) {
        if (v.kind() == ConfigNode.Kind.SCALAR) return new InputShape(1, 1, size(v));
        List<ConfigNode> e = v.elements();
        if (e.size() != 3) throw v.error("give [channels, height, width] or a single size");
        return new InputShape(size(e.get(0)), size(e.get(1)), size(e.get(2)));
    }

    private static int size(ConfigNode v) {
        try {
            int n = Integer.parseInt(v.text());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw v.error("must be a whole number ≥ 1, got '" + v.text() + "'");
    }

    public Object toConfig() {
        return channels == 1 && height == 1 ? (Object) width : List.of(channels, height, width);
    }

    public int length() {
        return channels * height * width;
    }
}
