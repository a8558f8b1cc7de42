package io.cortex4j.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.series.Series;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One plot of a run: an XChart {@link XYChart} with the style of our plots (legend to the right of
 * the plot area, fixed colours, whole-number epoch ticks), and access to what XChart computed when it
 * last rendered (tick labels, plot and legend areas) for tests.
 *
 * <p>Package-private, like everything that touches AWT or XChart: only {@link XChartPlots} uses it,
 * and only after {@link RunPlots#available()}.
 */
final class RunChart extends XYChart {
    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    /** The "tab10" palette; series beyond ten get generated hues. */
    private static final int[] PALETTE = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    };

    /** The dash of reference lines (teacher values); {@code SeriesLines.DASH_DASH} is too fine to see. */
    static final BasicStroke DASHED =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f);

    static final BasicStroke SOLID = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    /** Name of the hidden series that keeps XChart from labelling only data points (see {@link #render}). */
    private static final String TICK_HELPER = "\u0000x ticks";

    private final String fileName;
    private final boolean epochAxis;
    private int colours;

    /**
     * @param fileName  file the plot is written to, e.g. {@code "loss.png"}
     * @param title     chart title
     * @param xTitle    x axis title
     * @param yTitle    y axis title
     * @param epochAxis whether x is the epoch: tick labels are then whole numbers
     */
    RunChart(String fileName, String title, String xTitle, String yTitle, boolean epochAxis) {
        super(WIDTH, HEIGHT);
        this.fileName = fileName;
        this.epochAxis = epochAxis;
        setTitle(title);
        setXAxisTitle(xTitle);
        setYAxisTitle(yTitle);
        XYStyler s = getStyler();
        s.setLocale(Locale.ROOT);
        s.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        // outside the plot area: a legend never hides a curve
        s.setLegendPosition(LegendPosition.OutsideE);
        s.setLegendSeriesLineLength(36);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(new Color(0xb0b0b0));
        s.setPlotBorderColor(new Color(0x444444));
        s.setPlotGridLinesColor(new Color(0xe3e3e3));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setMarkerSize(7);
        if (epochAxis) {
            s.setXAxisTickLabelsFormattingFunction(RunChart::epochLabel);
        }
    }

    /**
     * The x tick label of an epoch axis: the whole number, or nothing for a tick between two epochs.
     * XChart picks the tick step itself (possibly 0.5 for a short run) and, with a custom formatter,
     * does not check that labels differ; whole numbers only can neither show "1.5" nor repeat.
     */
    static String epochLabel(double x) {
        double r = Math.rint(x);
        return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? Long.toString((long) r) : "";
    }

    String fileName() {
        return fileName;
    }

    boolean isEpochAxis() {
        return epochAxis;
    }

    /** The colour of the k-th curve (from 0). */
    static Color colour(int k) {
        if (k < PALETTE.length) {
            return new Color(PALETTE[k]);
        }
        return Color.getHSBColor((float) ((k * 0.618033988749895) % 1.0), 0.8f, 0.75f);
    }

    /** Adds a curve in the next colour, with markers if {@code markers}. */
    XYSeries addCurve(String name, double[] x, double[] y, boolean markers) {
        XYSeries s = addSeries(name, x, y);
        Color c = colour(colours++);
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        s.setLineStyle(SOLID);
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        return s;
    }

    /** Adds a dashed horizontal line at {@code y} from {@code x0} to {@code x1} in colour {@code c}. */
    XYSeries addReferenceLine(String name, double x0, double x1, double y, Color c) {
        XYSeries s = addSeries(name, new double[] {x0, x1}, new double[] {y, y});
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        s.setLineStyle(DASHED);
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Adds a single marker (an end-of-run value) in the next colour. */
    XYSeries addPoint(String name, double x, double y) {
        XYSeries s = addSeries(name, new double[] {x}, new double[] {y});
        Color c = colour(colours++);
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
        s.setMarkerColor(c);
        s.setLineColor(c);
        return s;
    }

    /** The series that are drawn (the hidden tick helper is not). */
    List<XYSeries> curves() {
        return getSeriesCollection().stream().filter(Series::isEnabled).toList();
    }

    /**
     * Renders the chart as XChart paints it into a PNG.
     *
     * <p>Two adjustments to XChart's layout, both before painting: the chart grows taller where the
     * legend (one row per curve) would not fit, and a hidden series (disabled: not drawn, not in the
     * legend, not in the axis ranges) adds one x and one y value off the data grid. Where all values of
     * an axis are equally spaced, XChart labels only data points (epochs 1, 7, 13, ... for 150 epochs;
     * the two values to 16 digits where a plot has just two); the extra value makes it choose round
     * steps (20, 40, ...). On an epoch axis, if XChart still chose a step below one epoch (a short
     * run: ticks at 1, 1.5, 2), the chart is painted again with a tick spacing hint that makes the
     * step a whole epoch.
     */
    BufferedImage render() {
        prepare();
        BufferedImage image = BitmapEncoder.getBufferedImage(this);
        if (epochAxis && xTickLabels().stream().anyMatch(String::isEmpty)) {
            double[] range = xRange();
            double span = range[1] - range[0];
            double tickSpace = getScreenXFromChart(range[1]) - getScreenXFromChart(range[0]);
            // XChart's step is about span * hint / tickSpace rounded to 1, 2, 5 x 10^k (up from 0.75)
            int hint = (int) Math.ceil(0.8 * tickSpace / span);
            if (span > 0 && hint > getStyler().getXAxisTickMarkSpacingHint() && hint < tickSpace) {
                getStyler().setXAxisTickMarkSpacingHint(hint);
                image = BitmapEncoder.getBufferedImage(this);
            }
        }
        return image;
    }

    private void prepare() {
        if (getSeries(TICK_HELPER) == null && !curves().isEmpty()) {
            // 0.3 of the way along each axis: on no grid of equally spaced values that also holds both ends
            double[] x = xRange();
            double[] y = yRange();
            XYSeries helper = addSeries(
                    TICK_HELPER, new double[] {x[0] + 0.3 * (x[1] - x[0])}, new double[] {y[0] + 0.3 * (y[1] - y[0])});
            helper.setEnabled(false);
            helper.setShowInLegend(false);
        }
        double needed = legend.getBounds().getHeight() + 2.0 * getStyler().getChartPadding() + 60;
        if (needed > getHeight()) {
            setHeight((int) Math.ceil(needed));
        }
    }

    /** The y range of the drawn series. */
    private double[] yRange() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : curves()) {
            lo = Math.min(lo, s.getYMin());
            hi = Math.max(hi, s.getYMax());
        }
        return new double[] {lo, hi};
    }

    /** The x range of the drawn series. */
    double[] xRange() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : curves()) {
            lo = Math.min(lo, s.getXMin());
            hi = Math.max(hi, s.getXMax());
        }
        return new double[] {lo, hi};
    }

    /** The x tick labels XChart drew in the last {@link #render}. */
    List<String> xTickLabels() {
        return List.copyOf(axisPair.getXAxis().getAxisTickCalculator().getTickLabels());
    }

    /** The plot area (inside the axes) of the last {@link #render}. */
    Rectangle2D plotBounds() {
        return plot.getBounds().getBounds2D();
    }

    /** Width and height of the legend box (XChart keeps its position to itself). */
    Rectangle2D legendSize() {
        return legend.getBounds().getBounds2D();
    }
}
