package io.cortex4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The families on the class path, by their {@code model.family} word. */
public final class Families {
    private static volatile Map<String, Family<?, ?>> all;

    private Families() {}

    /** Every registered family by name. */
    public static Map<String, Family<?, ?>> all() {
        Map<String, Family<?, ?>> m = all;
        if (m == null) {
            m = new TreeMap<>();
            for (Family<?, ?> f : ServiceLoader.load(Family.class)) {
                if (m.put(f.name(), f) != null)
                    throw new IllegalStateException("two families are named '" + f.name() + "'");
            }
            all = m;
        }
        return m;
    }

    /** The family named {@code name}, or an IllegalArgumentException listing the known ones. */
    public static Family<?, ?> get(String name) {
        Family<?, ?> f = all().get(name);
        if (f == null)
            throw new IllegalArgumentException("unknown family '" + name + "' (known: "
                    + String.join(", ", new ArrayList<>(all().keySet())) + ")");
        return f;
    }

    /** The names of the registered families. */
    public static List<String> names() {
        return List.copyOf(all().keySet());
    }
}
