package io.cortex4j.config;

import java.util.Map;

/**
 * Where every value of a bound config came from, for checks that involve several keys (a list that
 * needs one value per layer, a time constant that must exceed dt): {@link #error} names the file and
 * line of the key, or of the section that left it at its default.
 */
public final class Checks {
    private final Map<String, ConfigNode> positions;
    private final String source;

    Checks(Map<String, ConfigNode> positions, String source) {
        this.positions = positions;
        this.source = source;
    }

    /** An error about the value at {@code path} ({@code rule.etaForward}, {@code model.layers[2].units}). */
    public ConfigException error(String path, String message) {
        ConfigNode at = null;
        for (String p = path; at == null && p != null; p = parent(p)) at = positions.get(p);
        String where = (at == null ? source : at.where()) + ": ";
        return new ConfigException(where + "'" + path + "': " + message);
    }

    /** Throws {@link #error} unless {@code ok}. */
    public void require(boolean ok, String path, String message) {
        if (!ok) throw error(path, message);
    }

    /** Requires {@code values} to hold exactly {@code n} entries, one per {@code what}. */
    public void length(double[] values, int n, String path, String what) {
        if (values != null && values.length != n)
            throw error(
                    path,
                    "needs " + n + " value" + (n == 1 ? "" : "s") + " (one per " + what + "), got " + values.length);
    }

    private static String parent(String p) {
        int dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        return dot < 0 ? null : p.substring(0, dot);
    }
}
