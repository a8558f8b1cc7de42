package io.cortex4j.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The PNG plots of a run, drawn with XChart from its metrics table ({@link PlotData}).
 *
 * <p>Columns and the plots they go to ({@code NaN} = not measured in that row; such rows are left out
 * of that curve, a curve with no value is not drawn, and a plot with no curve is not written):
 *
 * <ul>
 *   <li>x axis: {@code epoch} (whole numbers 1..n; the tick labels are whole numbers) or {@code time}
 *       (simulated time)
 *   <li>{@code train_acc}, {@code val_acc}, {@code val_probe_acc} (fractions) &rarr; {@code
 *       accuracy.png} in percent, with the finals {@code test_acc} and {@code test_probe_acc} as one
 *       marker each at the last x
 *   <li>{@code train_loss}, {@code val_loss}, {@code loss} &rarr; {@code loss.png} (with the final
 *       {@code test_loss})
 *   <li>{@code learning_rate} &rarr; {@code learning_rate.png}
 *   <li>{@code param_rel_error} &rarr; {@code param_error.png}
 *   <li>{@code <name>[<i>]}, e.g. {@code layer1.W[0]} &rarr; {@code parameters.png}, each with the
 *       teacher's value ({@link PlotData#reference()}) as a dashed line in the same colour
 *   <li>{@code angle_B_WT_<l>}, {@code angle_B_JWTJ_<l>}, {@code angle_B_W_<l>} &rarr; {@code
 *       angles.png}, from 0 to at least 90 degrees
 * </ul>
 *
 * <p>Loss, learning rate and parameter error use a logarithmic y axis where all their values are
 * positive and span at least a factor of 10. Legends sit to the right of the plot area.
 *
 * <p>This class itself uses no AWT or XChart class: it can be loaded on a Java runtime without the
 * {@code java.desktop} module, where {@link #write} writes nothing.
 */
public final class RunPlots {
    private static final boolean AVAILABLE =
            ModuleLayer.boot().findModule("java.desktop").isPresent() && onClassPath("org/knowm/xchart/XYChart.class");

    private RunPlots() {}

    /**
     * True where plots can be drawn: {@code java.desktop} (AWT) is present and XChart is on the class
     * path. A jlink'ed JDK without {@code java.desktop} gets false, and so does a class path without
     * XChart (the GPU pack's runtime keeps {@code java.desktop}, which SnakeYAML needs, but
     * scripts/gpu-check/pack.sh copies only our jars, Jackson, SnakeYAML, SLF4J and JUnit);
     * {@link #write} then writes nothing.
     */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Whether a class file is there, looked up as a resource: the class is not loaded. */
    private static boolean onClassPath(String classFile) {
        ClassLoader loader = RunPlots.class.getClassLoader();
        return (loader != null ? loader.getResource(classFile) : ClassLoader.getSystemResource(classFile)) != null;
    }

    /**
     * Writes the plots of a run into {@code dir} (each atomically: temporary file, then rename, see
     * {@link io.cortex4j.io.AtomicFiles}), replacing older ones of the same name.
     *
     * @return the files written, in the order accuracy, loss, learning rate, parameter error,
     *     parameters, angles (those with something to draw); empty where {@link #available()} is false
     */
    public static List<Path> write(PlotData data, Path dir) throws IOException {
        return write(data, dir, AVAILABLE);
    }

    /** {@link #write(PlotData, Path)} as if {@link #available()} were {@code available} (for tests). */
    static List<Path> write(PlotData data, Path dir, boolean available) throws IOException {
        if (!available) {
            return List.of();
        }
        // the only reference to the XChart code: resolved (and XChart, AWT loaded) on first execution
        return XChartPlots.write(data, dir);
    }

    /** One curve of a {@link #lines} plot: its legend name and points. */
    public record Line(String name, double[] x, double[] y) {}

    /**
     * Writes one plot of {@code lines} to {@code file} (atomically) in the style of the run plots, for
     * figures that span several runs (a sweep's accuracy per rule over epochs); {@code epochAxis}: x is
     * the epoch (whole-number ticks), {@code logY}: y on a log axis. Writes nothing and returns false
     * where {@link #available()} is false or no line has a point.
     */
    public static boolean lines(
            Path file, String title, String xTitle, String yTitle, boolean epochAxis, boolean logY, List<Line> lines)
            throws IOException {
        if (!AVAILABLE || lines.stream().allMatch(l -> l.x().length == 0)) {
            return false;
        }
        XChartPlots.lines(file, title, xTitle, yTitle, epochAxis, logY, lines);
        return true;
    }
}
