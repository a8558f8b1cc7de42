package io.cortex4j.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run: on a terminal a line that redraws itself (epoch, samples/s, ETA,
 * accuracy); elsewhere (CI logs, pipes) one line per epoch, or nothing when quiet.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final boolean quiet;
    private long lastDraw;

    public Progress(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
        this.terminal = System.console() != null && System.console().isTerminal() && System.getenv("CI") == null;
    }

    public static Progress silent() {
        return new Progress(System.out, true);
    }

    /** Redraws the live line at most 4 times a second (terminal only). */
    public void update(int epoch, int epochs, long done, long total, double samplesPerSecond, double etaSeconds) {
        if (quiet || !terminal) return;
        long now = System.nanoTime();
        if (now - lastDraw < 250_000_000L) return;
        lastDraw = now;
        out.printf(
                Locale.ROOT,
                "\repoch %d/%d  %5.1f%%  %.0f samples/s  ETA %s   ",
                epoch,
                epochs,
                100.0 * done / Math.max(1, total),
                samplesPerSecond,
                duration(etaSeconds));
        out.flush();
    }

    public void line(String text) {
        if (quiet) return;
        if (terminal) out.print("\r\033[K");
        out.println(text);
        out.flush();
    }

    public static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
