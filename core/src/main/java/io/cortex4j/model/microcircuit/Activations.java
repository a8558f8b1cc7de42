package io.cortex4j.model.microcircuit;

import io.cortex4j.config.ConfigNode;
import io.cortex4j.tensor.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code model.activation} of a microcircuit: one word for every population ({@code sigmoid}), or
 * a list with one per layer ℓ = 1…N ({@code [tanh, sigmoid]}); the interneurons of layer ℓ take
 * φ_{ℓ+1}.
 */
public record Activations(Activation[] values) {
    public Activations {
        values = values.clone();
    }

    public static Activations fromConfig(ConfigNode v) {
        if (v.kind() == ConfigNode.Kind.SCALAR) return new Activations(new Activation[] {parse(v)});
        List<ConfigNode> e = v.elements();
        if (e.isEmpty()) throw v.error("name one activation, or one per layer");
        Activation[] a = new Activation[e.size()];
        for (int i = 0; i < a.length; i++) a[i] = parse(e.get(i));
        return new Activations(a);
    }

    private static Activation parse(ConfigNode v) {
        try {
            return Activation.parse(v.text());
        } catch (IllegalArgumentException x) {
            throw v.error(x.getMessage());
        }
    }

    public Object toConfig() {
        List<String> w = new ArrayList<>();
        for (Activation a : values)
            w.add(a.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        return w.size() == 1 ? w.get(0) : w;
    }

    /** φ per layer ℓ = 1…N. */
    public Activation[] perLayer(int n) {
        if (values.length == 1) {
            Activation[] a = new Activation[n];
            Arrays.fill(a, values[0]);
            return a;
        }
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Activations a && Arrays.equals(a.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
