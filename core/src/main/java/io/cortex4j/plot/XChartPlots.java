package io.cortex4j.plot;

import io.cortex4j.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYSeries;

/**
 * The plots of {@link RunPlots}, built with XChart. Package-private and reached only through {@link
 * RunPlots#write} after its {@code java.desktop} check, so that no AWT or XChart class is loaded on a
 * runtime without them.
 */
final class XChartPlots {
    /** A curve with at most this many points gets markers; so does one with rows left out. */
    static final int MARKERS_UP_TO = 30;

    static final String ACCURACY = "accuracy.png";
    static final String LOSS = "loss.png";
    static final String LEARNING_RATE = "learning_rate.png";
    static final String PARAM_ERROR = "param_error.png";
    static final String PARAMETERS = "parameters.png";
    static final String ANGLES = "angles.png";

    private static final Pattern PARAMETER = Pattern.compile(".+\\[\\d+]");
    private static final Pattern ANGLE = Pattern.compile("angle_B_(WT|JWTJ|W)_(\\d+)");
    private static final List<String> ANGLE_KINDS = List.of("WT", "JWTJ", "W");

    private XChartPlots() {}

    static List<Path> write(PlotData data, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (RunChart chart : charts(data)) {
            BufferedImage image = chart.render();
            Path file = dir.resolve(chart.fileName());
            AtomicFiles.write(file, out -> {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer in this Java runtime");
                }
            });
            written.add(file);
        }
        return written;
    }

    /** {@link RunPlots#lines}: one chart of the given curves, written to {@code file}. */
    static void lines(
            Path file,
            String title,
            String xTitle,
            String yTitle,
            boolean epochAxis,
            boolean logY,
            List<RunPlots.Line> lines)
            throws IOException {
        RunChart chart = new RunChart(file.getFileName().toString(), title, xTitle, yTitle, epochAxis);
        chart.getStyler().setYAxisLogarithmic(logY);
        for (RunPlots.Line l : lines) {
            if (l.x().length > 0) {
                chart.addCurve(l.name(), l.x(), l.y(), l.x().length <= MARKERS_UP_TO);
            }
        }
        BufferedImage image = chart.render();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    /** The charts of a run, not yet rendered: those with at least one curve, in file order. */
    static List<RunChart> charts(PlotData d) {
        List<RunChart> out = new ArrayList<>();
        for (RunChart c : List.of(accuracy(d), loss(d), learningRate(d), paramError(d), parameters(d), angles(d))) {
            if (!c.curves().isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The chart written to {@code fileName}, or null where it has nothing to draw. */
    static RunChart chart(PlotData d, String fileName) {
        return charts(d).stream()
                .filter(c -> c.fileName().equals(fileName))
                .findFirst()
                .orElse(null);
    }

    /** The (x, y) points of a column where both are numbers; {@code sparse}: rows were left out. */
    record Curve(double[] x, double[] y, boolean sparse) {
        boolean markers() {
            return sparse || x.length <= MARKERS_UP_TO;
        }
    }

    /** The curve of a column, its values times {@code scale}; null where it has no value. */
    static Curve curve(PlotData d, String column, double scale) {
        double[] xs = d.column(d.xColumn());
        double[] ys = d.column(column);
        int n = 0;
        for (int i = 0; i < ys.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0, k = 0; i < ys.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                x[k] = xs[i];
                y[k++] = ys[i] * scale;
            }
        }
        return new Curve(x, y, n < ys.length);
    }

    /**
     * Whether a y axis is logarithmic: all values positive and spanning at least a factor of 10.
     */
    static boolean logScale(List<double[]> values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] v : values) {
            for (double y : v) {
                lo = Math.min(lo, y);
                hi = Math.max(hi, y);
            }
        }
        return lo > 0 && hi >= 10 * lo;
    }

    private static RunChart newChart(PlotData d, String fileName, String yTitle) {
        String xTitle = switch (d.xColumn()) {
            case "epoch" -> "epoch";
            case "time" -> "simulated time";
            default -> d.xColumn();
        };
        return new RunChart(fileName, d.title(), xTitle, yTitle, d.xColumn().equals("epoch"));
    }

    /**
     * Adds the curves of the columns (name -> legend) that the table has; returns their y values.
     */
    private static List<double[]> addCurves(RunChart chart, PlotData d, Map<String, String> names, double scale) {
        List<double[]> ys = new ArrayList<>();
        names.forEach((column, name) -> {
            if (d.has(column)) {
                Curve c = curve(d, column, scale);
                if (c != null) {
                    chart.addCurve(name, c.x(), c.y(), c.markers());
                    ys.add(c.y());
                }
            }
        });
        return ys;
    }

    /** Adds the end-of-run values (name -> legend) that {@code finals} holds, as markers at the last x. */
    private static void addFinals(
            RunChart chart, PlotData d, Map<String, String> names, double scale, List<double[]> ys) {
        double x = xRange(d)[1];
        if (chart.curves().isEmpty()) {
            return; // end-of-run values only complete a plot that has curves
        }
        names.forEach((key, name) -> {
            Double v = d.finals().get(key);
            if (v != null && Double.isFinite(v)) {
                chart.addPoint(name, x, v * scale);
                ys.add(new double[] {v * scale});
            }
        });
    }

    static RunChart accuracy(PlotData d) {
        RunChart chart = newChart(d, ACCURACY, "accuracy [%]");
        List<double[]> ys = addCurves(
                chart,
                d,
                ordered(
                        "train_acc",
                        "training",
                        "train_acc_nudged",
                        "training (output nudged)",
                        "val_acc",
                        "validation",
                        "val_probe_acc",
                        "validation (linear probe)"),
                100);
        addFinals(
                chart,
                d,
                ordered("test_acc", "test (end of run)", "test_probe_acc", "test, linear probe (end of run)"),
                100,
                ys);
        return chart;
    }

    static RunChart loss(PlotData d) {
        RunChart chart = newChart(d, LOSS, "loss");
        List<double[]> ys = addCurves(
                chart,
                d,
                ordered(
                        "train_loss",
                        "training",
                        "train_loss_nudged",
                        "training (output nudged)",
                        "val_loss",
                        "validation",
                        "loss",
                        "loss"),
                1);
        addFinals(chart, d, ordered("test_loss", "test (end of run)"), 1, ys);
        chart.getStyler().setYAxisLogarithmic(logScale(ys));
        return chart;
    }

    static RunChart learningRate(PlotData d) {
        RunChart chart = newChart(d, LEARNING_RATE, "learning rate");
        chart.getStyler()
                .setYAxisLogarithmic(logScale(addCurves(chart, d, ordered("learning_rate", "learning rate"), 1)));
        return chart;
    }

    static RunChart paramError(PlotData d) {
        RunChart chart = newChart(d, PARAM_ERROR, "relative parameter error");
        List<double[]> ys = addCurves(chart, d, ordered("param_rel_error", "largest relative error"), 1);
        chart.getStyler().setYAxisLogarithmic(logScale(ys));
        return chart;
    }

    /** Student parameters ({@code name[i]} columns) and, dashed in the same colour, the teacher's values. */
    static RunChart parameters(PlotData d) {
        RunChart chart = newChart(d, PARAMETERS, "parameter value");
        double[] xr = xRange(d);
        for (String column : d.columns()) {
            if (!PARAMETER.matcher(column).matches()) {
                continue;
            }
            Curve c = curve(d, column, 1);
            if (c == null) {
                continue;
            }
            XYSeries student = chart.addCurve(column, c.x(), c.y(), c.markers());
            Double teacher = d.reference().get(column);
            if (teacher != null && Double.isFinite(teacher)) {
                chart.addReferenceLine(column + " teacher", xr[0], xr[1], teacher, student.getLineColor());
            }
        }
        return chart;
    }

    /** The smallest and largest x with a number. */
    private static double[] xRange(PlotData d) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : d.column(d.xColumn())) {
            if (Double.isFinite(x)) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        return new double[] {lo, hi};
    }

    /** Feedback alignment angles, y from 0 to at least 90 degrees. */
    static RunChart angles(PlotData d) {
        RunChart chart = newChart(d, ANGLES, "angle [°]");
        List<String> columns = d.columns().stream()
                .filter(c -> ANGLE.matcher(c).matches())
                .sorted(Comparator.comparingInt((String c) -> ANGLE_KINDS.indexOf(angleGroup(c, 1)))
                        .thenComparingInt(c -> Integer.parseInt(angleGroup(c, 2))))
                .toList();
        double max = 0;
        for (String column : columns) {
            Curve c = curve(d, column, 1);
            if (c != null) {
                chart.addCurve(angleName(column), c.x(), c.y(), c.markers());
                for (double y : c.y()) {
                    max = Math.max(max, y);
                }
            }
        }
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(angleAxisMax(max));
        return chart;
    }

    /** The top of the angle axis: 90, or the next multiple of 10 at or above the largest angle. */
    static double angleAxisMax(double largest) {
        return Math.max(90, Math.ceil(largest / 10) * 10);
    }

    private static String angleGroup(String column, int group) {
        Matcher m = ANGLE.matcher(column);
        if (!m.matches()) {
            throw new IllegalArgumentException(column);
        }
        return m.group(group);
    }

    /**
     * The legend of an angle column: {@code angle_B_WT_1} -> ∠(B₁, W₂ᵀ), {@code angle_B_JWTJ_1} ->
     * ∠(B₁, φ'W₂ᵀφ'), {@code angle_B_W_2} -> ∠(B₂, W₂); other names are returned as they are.
     */
    static String angleName(String column) {
        Matcher m = ANGLE.matcher(column);
        if (!m.matches()) {
            return column;
        }
        int l = Integer.parseInt(m.group(2));
        String b = "B" + subscript(l);
        String next = "W" + subscript(l + 1);
        return switch (m.group(1)) {
            case "WT" -> "∠(" + b + ", " + next + "ᵀ)";
            case "JWTJ" -> "∠(" + b + ", φ'" + next + "ᵀφ')";
            default -> "∠(" + b + ", W" + subscript(l) + ")";
        };
    }

    /** A number in subscript digits, e.g. 12 -> ₁₂. */
    static String subscript(int n) {
        StringBuilder sb = new StringBuilder();
        for (char ch : Integer.toString(n).toCharArray()) {
            sb.append(ch == '-' ? '₋' : (char) ('₀' + (ch - '0')));
        }
        return sb.toString();
    }

    /** An insertion-ordered map from pairs of strings. */
    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
