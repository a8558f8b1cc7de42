package io.cortex4j.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by name among the providers on the class path. */
public final class Backends {
    private Backends() {}

    public static List<BackendProvider> providers() {
        List<BackendProvider> out = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(out::add);
        return out;
    }

    /**
     * Checks that a backend of this name is on the class path and can run here, without creating it:
     * the same errors as {@link #create}, for validating a choice before any work starts.
     */
    public static void requireAvailable(String name) {
        List<String> known = new ArrayList<>();
        for (BackendProvider p : providers()) {
            known.add(p.name());
            if (p.name().equalsIgnoreCase(name)) {
                if (!p.isAvailable())
                    throw new IllegalStateException(
                            "backend '" + name + "' is not available here: " + p.unavailableReason());
                return;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; on the class path: " + known);
    }

    public static Backend create(String name) {
        List<String> known = new ArrayList<>();
        for (BackendProvider p : providers()) {
            known.add(p.name());
            if (p.name().equalsIgnoreCase(name)) {
                if (!p.isAvailable()) {
                    throw new IllegalStateException(
                            "backend '" + name + "' is not available here: " + p.unavailableReason());
                }
                return p.create();
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; on the class path: " + known);
    }
}
