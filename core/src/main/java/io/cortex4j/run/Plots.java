package io.cortex4j.run;

import io.cortex4j.plot.PlotData;
import io.cortex4j.plot.RunPlots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The plots of a run ({@code accuracy.png}, {@code loss.png}, {@code angles.png}, ...), redrawn from
 * its metrics at most every {@link #INTERVAL_S} seconds and always at the end; skipped, with one
 * note, where the JDK has no java.desktop (the GPU pack's).
 */
final class Plots {
    static final double INTERVAL_S = 10;
    private final Trainer t;
    private long last = Long.MIN_VALUE;
    private static boolean noted;

    Plots(Trainer t) {
        this.t = t;
    }

    void write(boolean end, Map<String, Double> finals) {
        long now = System.nanoTime();
        if (!end && last != Long.MIN_VALUE && now - last < INTERVAL_S * 1e9) return;
        last = now;
        if (!RunPlots.available()) {
            if (!noted) System.err.println("note: no plots (this JDK has no java.desktop)");
            noted = true;
            return;
        }
        MetricsTable m = t.metrics();
        String x = t.task() instanceof TeacherStudent && t.experiment().data().signal() != null ? "time" : "epoch";
        String title = t.experiment().name() + " (" + t.family().name() + ", seed "
                + t.experiment().run().seed() + ")";
        try {
            RunPlots.write(new PlotData(title, m.columns(), m.rows(), x, t.reference(), finals), t.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the plots in " + t.dir(), e);
        }
    }
}
