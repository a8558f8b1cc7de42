package io.cortex4j.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the directory holding the data sets ({@code fashion-mnist/}, {@code yinyang/}, ...).
 *
 * <p>In order: the configured value; the system property {@value #PROPERTY}; the environment
 * variable {@value #ENV}; then {@code shared/datasets} in the working directory and each of its
 * ancestors (so both {@code ./shared/datasets} and {@code ../shared/datasets} are found, the latter
 * being where the data sits relative to the repository). An explicitly set value that is not a
 * directory is an error, not skipped.
 */
public final class DataDirectory {
    public static final String PROPERTY = "cortex4j.data.dir";
    public static final String ENV = "CORTEX4J_DATA";
    public static final String SEARCHED = "shared/datasets";

    private DataDirectory() {}

    /**
     * The data directory, absolute and normalised.
     *
     * @param configured an explicitly configured directory, or null (or blank) to look elsewhere
     * @throws IllegalStateException listing what was tried when no directory is found
     */
    public static Path resolve(String configured) {
        return resolve(configured, System.getProperty(PROPERTY), System.getenv(ENV), Path.of(""));
    }

    static Path resolve(String configured, String property, String env, Path workingDir) {
        if (isSet(configured)) return explicit(configured, "configured data directory");
        if (isSet(property)) return explicit(property, "system property " + PROPERTY);
        if (isSet(env)) return explicit(env, "environment variable " + ENV);
        List<String> tried = new ArrayList<>();
        for (Path d = workingDir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(SEARCHED);
            if (Files.isDirectory(candidate)) return candidate;
            tried.add(candidate.toString());
        }
        throw new IllegalStateException("no data directory found; tried: configured value (none), system property "
                + PROPERTY + " (unset), environment variable " + ENV + " (unset), then " + String.join(", ", tried)
                + ". Set " + PROPERTY + " or " + ENV + " to the directory holding the data sets.");
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    private static Path explicit(String value, String source) {
        Path p = Path.of(value.strip()).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(source + " is '" + value + "', but " + p + " is not a directory");
        }
        return p;
    }
}
