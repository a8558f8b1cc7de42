package io.cortex4j.tensor;

/**
 * Service-provider interface through which backends are found at run time ({@link java.util.ServiceLoader}):
 * a backend jar on the class path registers one in {@code META-INF/services/io.cortex4j.tensor.BackendProvider}.
 */
public interface BackendProvider {
    /** The name a config uses to select this backend, e.g. "cpu" or "cuda". */
    String name();

    /** Whether this backend can run here (libraries and devices present); if not, {@link #unavailableReason()} says why. */
    boolean isAvailable();

    default String unavailableReason() {
        return "";
    }

    Backend create();
}
