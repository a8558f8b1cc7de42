package io.cortex4j.tensor;

/**
 * Whether the CPU code may use the JDK's Vector API (module {@code jdk.incubator.vector}, incubating):
 * where the JVM runs with {@code --add-modules=jdk.incubator.vector} (as {@code ./cortex4j}, the tests
 * and the sweep executors start it) and {@code -Dcortex4j.vector=false} does not turn it off. The
 * classes that use it are loaded only then; each computes exactly what its array-loop counterpart does.
 */
public final class VectorApi {
    private VectorApi() {}

    /** The module's name. */
    public static final String MODULE = "jdk.incubator.vector";

    private static final boolean PRESENT = ModuleLayer.boot().findModule(MODULE).isPresent();
    private static final boolean ENABLED = PRESENT && !"false".equals(System.getProperty("cortex4j.vector"));

    /** Whether this JVM has the module (whatever {@code cortex4j.vector} says). */
    public static boolean present() {
        return PRESENT;
    }

    /** Whether the vector paths may be used. */
    public static boolean enabled() {
        return ENABLED;
    }

    /** Why the vector paths are off, for {@code cortex4j info}; null where they are on. */
    public static String offReason() {
        if (ENABLED) return null;
        return PRESENT ? "-Dcortex4j.vector=false" : "the JVM runs without --add-modules=" + MODULE;
    }
}
