package io.cortex4j.plot;

/**
 * Whether this Java runtime can draw plots: {@link LinePlot} needs the {@code java.desktop} module,
 * which a trimmed runtime (the jlink'ed JDK of the GPU checks) leaves out. Runs there still write
 * their metrics and summaries, and say once that they skip the plots.
 */
public final class Plotting {
    private static final boolean AVAILABLE =
            ModuleLayer.boot().findModule("java.desktop").isPresent();
    private static volatile boolean told;

    private Plotting() {}

    /** True if plots can be drawn; if not, prints the reason to stderr the first time it is asked. */
    public static boolean available() {
        if (!AVAILABLE && !told) {
            told = true;
            System.err.println(
                    "note: plots skipped: this Java runtime has no java.desktop module (metrics.csv and summary.json are written)");
        }
        return AVAILABLE;
    }
}
