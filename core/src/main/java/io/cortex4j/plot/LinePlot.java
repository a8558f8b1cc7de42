package io.cortex4j.plot;

import io.cortex4j.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A small, dependency-free line chart rendered to PNG with {@link BufferedImage} and
 * {@link ImageIO}; works without a display.
 *
 * <p>A chart has an optional title and axis labels, one or more named series of {@code (x, y)}
 * points drawn as lines in distinct colours ({@link #seriesColor}), a legend, axes with tick marks,
 * tick labels and light grid lines, and optionally fixed axis ranges (otherwise the x range is the
 * data range and the y range the data range plus 5% on each side). Points whose {@code x} or
 * {@code y} is NaN or infinite are skipped: the line is interrupted there, and a point with no
 * drawable neighbour is shown as a dot. Lines outside a fixed range are clipped.
 *
 * <pre>{@code
 * new LinePlot()
 *     .title("Training loss").xLabel("epoch").yLabel("loss")
 *     .addSeries("train", epochs, trainLoss)
 *     .addSeries("test", epochs, testLoss)
 *     .write(Path.of("loss.png"));
 * }</pre>
 *
 * <p>The class sets the system property {@code java.awt.headless=true} before any AWT use unless
 * the property was already set. Instances are mutable builders and not thread-safe.
 */
public final class LinePlot {

    static {
        // must run before AWT initialises its graphics environment
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Colours of the first ten series (the "tab10" palette); later ones are generated. */
    private static final int[] PALETTE = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    };

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color AXIS = new Color(0x222222);
    private static final Color GRID = new Color(0xe6e6e6);
    private static final Color LEGEND_BORDER = new Color(0xb0b0b0);
    private static final int TARGET_TICKS = 6;

    private record Series(String name, double[] x, double[] y) {}

    private final int width;
    private final int height;
    private final List<Series> series = new ArrayList<>();
    private String title = "";
    private String xLabel = "";
    private String yLabel = "";
    private double xMin = Double.NaN;
    private double xMax = Double.NaN;
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;

    // the mapping of the last render, for tests
    private Rectangle2D plotArea;
    private double[] lastXRange;
    private double[] lastYRange;

    /** A chart of 800 x 500 pixels. */
    public LinePlot() {
        this(800, 500);
    }

    /**
     * @param width  image width in pixels, at least 200
     * @param height image height in pixels, at least 150
     */
    public LinePlot(int width, int height) {
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("image must be at least 200 x 150, was " + width + " x " + height);
        }
        this.width = width;
        this.height = height;
    }

    /** Sets the title shown above the chart ({@code null} or empty for none). */
    public LinePlot title(String title) {
        this.title = title == null ? "" : title;
        return this;
    }

    /** Sets the x-axis label. */
    public LinePlot xLabel(String label) {
        this.xLabel = label == null ? "" : label;
        return this;
    }

    /** Sets the y-axis label. */
    public LinePlot yLabel(String label) {
        this.yLabel = label == null ? "" : label;
        return this;
    }

    /** Fixes the y range instead of fitting it to the data. */
    public LinePlot yRange(double min, double max) {
        checkRange(min, max);
        yMin = min;
        yMax = max;
        return this;
    }

    /** Fixes the x range instead of fitting it to the data. */
    public LinePlot xRange(double min, double max) {
        checkRange(min, max);
        xMin = min;
        xMax = max;
        return this;
    }

    private static void checkRange(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException("range must be finite with min < max, was [" + min + ", " + max + "]");
        }
    }

    /**
     * Adds a series; its colour is {@code seriesColor(k)} for the k-th series added (from 0).
     *
     * @param name legend entry
     * @param x    x coordinates; copied
     * @param y    y coordinates, same length as {@code x}; copied
     */
    public LinePlot addSeries(String name, double[] x, double[] y) {
        Objects.requireNonNull(name, "name");
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "series '" + name + "': x has " + x.length + " points but y has " + y.length);
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** Adds a series with x coordinates {@code 0, 1, ..., y.length - 1}. */
    public LinePlot addSeries(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return addSeries(name, x, y);
    }

    /** The colour of the series with the given 0-based index. */
    public static Color seriesColor(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0");
        }
        if (index < PALETTE.length) {
            return new Color(PALETTE[index]);
        }
        float hue = (float) ((index * 0.618033988749895) % 1.0);
        return Color.getHSBColor(hue, 0.8f, 0.75f);
    }

    /**
     * Writes the chart as a PNG file, atomically (temporary file in the same directory, then an
     * atomic rename over {@code png}).
     *
     * @throws IllegalArgumentException if no series was added
     * @throws IOException              if the file cannot be written
     */
    public void write(Path png) throws IOException {
        BufferedImage image = render();
        AtomicFiles.write(png, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException("no PNG writer available");
            }
            ImageWriter writer = writers.next();
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(image);
            } finally {
                writer.dispose();
            }
        });
    }

    /**
     * Renders the chart.
     *
     * @return a new RGB image of the configured size
     * @throws IllegalArgumentException if no series was added
     */
    public BufferedImage render() {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a line plot needs at least one series");
        }
        double[] xr = Double.isNaN(xMin) ? dataRange(true) : new double[] {xMin, xMax};
        double[] yr;
        if (Double.isNaN(yMin)) {
            yr = dataRange(false);
            double pad = 0.05 * (yr[1] - yr[0]);
            yr = new double[] {yr[0] - pad, yr[1] + pad};
        } else {
            yr = new double[] {yMin, yMax};
        }
        double[] xTicks = ticks(xr[0], xr[1]);
        double[] yTicks = ticks(yr[0], yr[1]);
        String[] xTickLabels = labels(xTicks);
        String[] yTickLabels = labels(yTicks);

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);

            Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
            Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
            FontMetrics tickFm = g.getFontMetrics(tickFont);
            FontMetrics labelFm = g.getFontMetrics(labelFont);
            FontMetrics titleFm = g.getFontMetrics(titleFont);

            int maxYTickWidth = 0;
            for (String s : yTickLabels) {
                maxYTickWidth = Math.max(maxYTickWidth, tickFm.stringWidth(s));
            }
            int left = 12 + (yLabel.isEmpty() ? 0 : labelFm.getHeight() + 6) + maxYTickWidth + 8;
            int right = 20 + tickFm.stringWidth(xTickLabels[xTickLabels.length - 1]) / 2;
            int top = title.isEmpty() ? 20 : titleFm.getHeight() + 18;
            int bottom = 10 + tickFm.getHeight() + 8 + (xLabel.isEmpty() ? 0 : labelFm.getHeight() + 4);
            Rectangle2D area = new Rectangle2D.Double(
                    left, top, Math.max(10, width - left - right), Math.max(10, height - top - bottom));
            plotArea = area;
            lastXRange = xr;
            lastYRange = yr;

            // grid and ticks
            g.setStroke(new BasicStroke(1f));
            g.setFont(tickFont);
            for (int i = 0; i < xTicks.length; i++) {
                double px = Math.round(toPixelX(xTicks[i])) + 0.5;
                g.setColor(GRID);
                g.draw(new Line2D.Double(px, area.getMinY(), px, area.getMaxY()));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(px, area.getMaxY(), px, area.getMaxY() + 5));
                String s = xTickLabels[i];
                g.drawString(s, (float) (px - tickFm.stringWidth(s) / 2.0), (float)
                        (area.getMaxY() + 8 + tickFm.getAscent()));
            }
            for (int i = 0; i < yTicks.length; i++) {
                double py = Math.round(toPixelY(yTicks[i])) + 0.5;
                g.setColor(GRID);
                g.draw(new Line2D.Double(area.getMinX(), py, area.getMaxX(), py));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(area.getMinX() - 5, py, area.getMinX(), py));
                String s = yTickLabels[i];
                g.drawString(s, (float) (area.getMinX() - 8 - tickFm.stringWidth(s)), (float)
                        (py + tickFm.getAscent() / 2.0 - 1));
            }

            // series, clipped to the plot area
            Shape oldClip = g.getClip();
            g.clip(area);
            for (int k = 0; k < series.size(); k++) {
                drawSeries(g, series.get(k), seriesColor(k));
            }
            g.setClip(oldClip);

            // frame
            g.setColor(AXIS);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Rectangle2D.Double(
                    area.getX() + 0.5, area.getY() + 0.5, area.getWidth() - 1, area.getHeight() - 1));

            // title and axis labels
            if (!title.isEmpty()) {
                g.setFont(titleFont);
                g.drawString(title, (float) (width - titleFm.stringWidth(title)) / 2f, 10f + titleFm.getAscent());
            }
            g.setFont(labelFont);
            if (!xLabel.isEmpty()) {
                g.drawString(xLabel, (float) (area.getCenterX() - labelFm.stringWidth(xLabel) / 2.0), (float)
                        (height - 8 - labelFm.getDescent()));
            }
            if (!yLabel.isEmpty()) {
                AffineTransform saved = g.getTransform();
                g.translate(12 + labelFm.getAscent(), area.getCenterY() + labelFm.stringWidth(yLabel) / 2.0);
                g.rotate(-Math.PI / 2);
                g.drawString(yLabel, 0f, 0f);
                g.setTransform(saved);
            }

            drawLegend(g, area, tickFont, tickFm);
        } finally {
            g.dispose();
        }
        return image;
    }

    private void drawSeries(Graphics2D g, Series s, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double path = new Path2D.Double();
        int run = 0; // drawable points in the current unbroken run
        double lastX = 0;
        double lastY = 0;
        for (int i = 0; i <= s.x.length; i++) {
            boolean ok = i < s.x.length && Double.isFinite(s.x[i]) && Double.isFinite(s.y[i]);
            if (ok) {
                double px = toPixelX(s.x[i]);
                double py = toPixelY(s.y[i]);
                if (run == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
                lastX = px;
                lastY = py;
                run++;
            } else {
                if (run == 1) { // an isolated point: show it as a dot
                    g.fill(new Ellipse2D.Double(lastX - 2.5, lastY - 2.5, 5, 5));
                }
                run = 0;
            }
        }
        g.draw(path);
    }

    private void drawLegend(Graphics2D g, Rectangle2D area, Font font, FontMetrics fm) {
        int swatch = 22;
        int rowHeight = fm.getHeight() + 2;
        int textWidth = 0;
        for (Series s : series) {
            textWidth = Math.max(textWidth, fm.stringWidth(s.name));
        }
        int boxWidth = 8 + swatch + 6 + textWidth + 8;
        int boxHeight = 6 + rowHeight * series.size() + 4;
        int bx = (int) area.getMaxX() - boxWidth - 10;
        int by = (int) area.getMinY() + 10;
        g.setColor(new Color(255, 255, 255));
        g.fillRect(bx, by, boxWidth, boxHeight);
        g.setColor(LEGEND_BORDER);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxWidth, boxHeight);
        g.setFont(font);
        for (int k = 0; k < series.size(); k++) {
            int rowTop = by + 6 + k * rowHeight;
            int mid = rowTop + rowHeight / 2;
            g.setColor(seriesColor(k));
            g.fillRect(bx + 8, mid - 2, swatch, 4); // integer-aligned: exact colour pixels
            g.setColor(AXIS);
            g.drawString(series.get(k).name, bx + 8 + swatch + 6, mid + fm.getAscent() / 2 - 1);
        }
    }

    /** Finite data range over all series, widened if degenerate; [0, 1] without finite points. */
    private double[] dataRange(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    double v = xAxis ? s.x[i] : s.y[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - d, hi + d};
        }
        return new double[] {lo, hi};
    }

    /** Ticks at multiples of a 1-2-5 step, about {@value #TARGET_TICKS} of them, within [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double step = niceStep((hi - lo) / TARGET_TICKS);
        long first = (long) Math.ceil(lo / step - 1e-9);
        long last = (long) Math.floor(hi / step + 1e-9);
        int n = (int) Math.max(0, Math.min(100, last - first + 1));
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = (first + i) * step;
        }
        return t;
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * mag;
    }

    /** Tick labels with just enough decimals to tell neighbours apart; scientific when extreme. */
    static String[] labels(double[] ticks) {
        String[] out = new String[ticks.length];
        if (ticks.length == 0) {
            return out;
        }
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(ticks[0]);
        double maxAbs = 0;
        for (double t : ticks) {
            maxAbs = Math.max(maxAbs, Math.abs(t));
        }
        boolean scientific = maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3);
        int decimals = step > 0 ? (int) Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
        for (int i = 0; i < ticks.length; i++) {
            double t = Math.abs(ticks[i]) < step * 1e-9 ? 0.0 : ticks[i]; // avoid "-0" and 1e-17
            if (scientific) {
                out[i] = t == 0 ? "0" : String.format(Locale.ROOT, "%.2e", t);
            } else {
                out[i] = new BigDecimal(t)
                        .setScale(decimals, java.math.RoundingMode.HALF_EVEN)
                        .toPlainString();
            }
        }
        return out;
    }

    private double toPixelX(double x) {
        return plotArea.getMinX() + (x - lastXRange[0]) / (lastXRange[1] - lastXRange[0]) * plotArea.getWidth();
    }

    private double toPixelY(double y) {
        return plotArea.getMaxY() - (y - lastYRange[0]) / (lastYRange[1] - lastYRange[0]) * plotArea.getHeight();
    }

    /** Pixel column of an x value in the last rendered image (for tests). */
    int pixelX(double x) {
        return (int) Math.floor(toPixelX(x));
    }

    /** Pixel row of a y value in the last rendered image (for tests). */
    int pixelY(double y) {
        return (int) Math.floor(toPixelY(y));
    }
}
