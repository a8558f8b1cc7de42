package io.cortex4j.run;

import io.cortex4j.plot.PlotProcess;
import java.io.IOException;
import java.util.Map;

/**
 * The plots of a run ({@code accuracy.png}, {@code loss.png}, {@code angles.png}, ...), redrawn from
 * its {@code metrics.csv} at most every {@link #INTERVAL_S} seconds while it trains and always at the
 * end, by a plotting JVM ({@link PlotProcess}: drawing in the training JVM would slow its kernels).
 * Where no plot can be drawn (a JDK without java.desktop, XChart not on the class path), one note says
 * so and the run goes on.
 */
final class Plots {
    static final double INTERVAL_S = 10;
    private static boolean noted;
    private final Trainer t;
    /** The first live plot comes INTERVAL_S after training starts: a short run is drawn once, at its end. */
    private long last = System.nanoTime();

    Plots(Trainer t) {
        this.t = t;
    }

    /** Draws from the metrics.csv just written; at the end, waits for the files. */
    void write(boolean end, Map<String, Double> finals) {
        long now = System.nanoTime();
        if (!end && now - last < INTERVAL_S * 1e9) return;
        last = now;
        PlotProcess p = PlotProcess.shared();
        if (p == null) {
            note("no plots (this Java has no java.desktop or no XChart)");
            return;
        }
        String x = t.task() instanceof TeacherStudent && t.experiment().data().signal() != null ? "time" : "epoch";
        String title = t.experiment().name() + " (" + t.family().name() + ", seed "
                + t.experiment().run().seed() + ")";
        try {
            p.draw(t.dir(), title, x, t.reference(), finals, end);
        } catch (IOException e) {
            note("no plots: " + e.getMessage());
        }
    }

    private static synchronized void note(String why) {
        if (!noted) System.err.println("note: " + why);
        noted = true;
    }
}
