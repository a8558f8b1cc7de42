package io.cortex4j.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

class RunPlotsTest {

    @TempDir
    Path dir;

    // ---- synthetic metrics ----

    /** Columns of a metrics table and a generator per column (NaN = not measured). */
    private static PlotData table(
            String xColumn,
            int n,
            Map<String, IntToDoubleFunction> columns,
            Map<String, Double> reference,
            Map<String, Double> finals) {
        List<String> names = new ArrayList<>(columns.keySet());
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            double[] row = new double[names.size()];
            for (int c = 0; c < row.length; c++) {
                row[c] = columns.get(names.get(c)).applyAsDouble(i);
            }
            rows.add(row);
        }
        return new PlotData("test run", names, rows, xColumn, reference, finals);
    }

    /** An epoch run with every kind of column; validation every 5 epochs (and at the last one). */
    private static PlotData everything(int n) {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("steps", e -> 100.0 * e);
        c.put("train_acc", e -> 1 - 0.5 * Math.exp(-e / 10.0));
        c.put("val_acc", e -> e % 5 == 0 || e == n ? 0.9 - 0.5 * Math.exp(-e / 10.0) : Double.NaN);
        c.put("val_probe_acc", e -> e % 5 == 0 || e == n ? 0.8 - 0.4 * Math.exp(-e / 10.0) : Double.NaN);
        c.put("train_loss", e -> 2 * Math.exp(-e / 10.0));
        c.put("val_loss", e -> e % 5 == 0 || e == n ? 2.2 * Math.exp(-e / 10.0) : Double.NaN);
        c.put("learning_rate", e -> 0.1 * Math.pow(0.9, e));
        c.put("param_rel_error", e -> 0.5 * Math.exp(-e / 8.0));
        c.put("layer1.W[0]", e -> 0.5 + 0.3 * Math.exp(-e / 10.0));
        c.put("layer1.W[1]", e -> -0.2 - 0.1 * Math.exp(-e / 10.0));
        c.put("layer1.tauM[0]", e -> 10 - 3 * Math.exp(-e / 15.0));
        c.put("angle_B_WT_1", e -> 80 - 30 * (1 - Math.exp(-e / 10.0)));
        c.put("angle_B_JWTJ_1", e -> 85 - 25 * (1 - Math.exp(-e / 10.0)));
        c.put("angle_B_W_2", e -> 45 + 0.1 * e);
        c.put("wall_s", e -> 3.5 * e);
        c.put("samples_per_s", e -> 1000);
        c.put("steps_per_s", e -> 10);
        return table(
                "epoch",
                n,
                c,
                Map.of("layer1.W[0]", 0.45, "layer1.tauM[0]", 9.0),
                Map.of("test_acc", 0.83, "test_probe_acc", 0.71));
    }

    /** A continuous (teacher–student) run over simulated time: loss, parameter error, parameters. */
    private static PlotData mimic(int n) {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("time", i -> 0.5 * i);
        c.put("loss", i -> 3 * Math.exp(-i / 40.0));
        c.put("param_rel_error", i -> Math.exp(-i / 30.0));
        c.put("layer1.w[0]", i -> 1 - 0.5 * Math.exp(-i / 20.0));
        c.put("layer1.tau[0]", i -> 2 + Math.exp(-i / 20.0));
        c.put("wall_s", i -> i * 0.01);
        return table("time", n, c, Map.of("layer1.w[0]", 1.0, "layer1.tau[0]", 2.0), Map.of());
    }

    private static PlotData epochsWith(int n, String column, DoubleUnaryOperator valueOfEpoch) {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put(column, e -> valueOfEpoch.applyAsDouble(e));
        return table("epoch", n, c, Map.of(), Map.of());
    }

    private static List<String> names(RunChart chart) {
        return chart.curves().stream().map(XYSeries::getName).toList();
    }

    private static XYSeries series(RunChart chart, String name) {
        XYSeries s = chart.getSeries(name);
        assertNotNull(s, () -> "no series '" + name + "' in " + names(chart));
        return s;
    }

    private static int countPixels(BufferedImage img, int x0, int x1, Color c) {
        int rgb = c.getRGB() & 0xFFFFFF;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    /** At least 4 labels, equally spaced by 1, 2 or 5 x 10^k, each a multiple of the step. */
    private static void assertRoundTicks(List<String> labels) {
        assertTrue(labels.size() >= 4, labels.toString());
        double[] v = labels.stream().mapToDouble(Double::parseDouble).toArray();
        double step = v[1] - v[0];
        double mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
        assertTrue(
                Math.abs(mantissa - 1) < 1e-9 || Math.abs(mantissa - 2) < 1e-9 || Math.abs(mantissa - 5) < 1e-9,
                "step " + step + " in " + labels);
        for (int i = 1; i < v.length; i++) {
            assertEquals(step, v[i] - v[i - 1], 1e-9 * step, labels.toString());
            assertEquals(0, Math.IEEEremainder(v[i], step), 1e-9 * step, labels.toString());
        }
    }

    // ---- the files ----

    @Test
    void writesEveryPlotKindAsPngOfTheChartSize() throws IOException {
        assertTrue(RunPlots.available(), "the test JVM has java.desktop");
        List<Path> files = RunPlots.write(everything(40), dir);
        List<String> expected = List.of(
                "accuracy.png", "loss.png", "learning_rate.png", "param_error.png", "parameters.png", "angles.png");
        assertEquals(
                expected, files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            assertEquals(dir, f.getParent());
            BufferedImage img = ImageIO.read(f.toFile());
            assertNotNull(img, f + " is not a decodable PNG");
            assertEquals(RunChart.WIDTH, img.getWidth(), f.toString());
            assertEquals(RunChart.HEIGHT, img.getHeight(), f.toString());
            // something was drawn in the first series colour (tab10 blue)
            assertTrue(countPixels(img, 0, img.getWidth(), RunChart.colour(0)) > 50, f.toString());
        }
        // written atomically: nothing else (no temporary files) in the directory
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(Set.copyOf(files), Set.copyOf(all.toList()));
        }
        // again: replaces the files
        assertEquals(files, RunPlots.write(everything(40), dir));
    }

    @Test
    void continuousRunOverSimulatedTime() throws IOException {
        PlotData d = mimic(400);
        List<Path> files = RunPlots.write(d, dir.resolve("run"));
        assertEquals(
                List.of("loss.png", "param_error.png", "parameters.png"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            assertEquals(RunChart.WIDTH, img.getWidth());
            assertEquals(RunChart.HEIGHT, img.getHeight());
        }
        RunChart loss = XChartPlots.chart(d, XChartPlots.LOSS);
        assertEquals("simulated time", loss.getXAxisTitle());
        assertFalse(loss.isEpochAxis());
        assertEquals(List.of("loss"), names(loss));
        assertTrue(loss.getStyler().isYAxisLogarithmic(), "3 .. 3e-4 spans decades");
        loss.render();
        // tick labels are round numbers of simulated time (not every k-th data point such as 0.5, 13, 25.5)
        assertRoundTicks(loss.xTickLabels());
        RunChart error = XChartPlots.chart(d, XChartPlots.PARAM_ERROR);
        assertEquals(List.of("largest relative error"), names(error));
        assertEquals("relative parameter error", error.getYAxisTitle());
        assertTrue(error.getStyler().isYAxisLogarithmic());
    }

    @Test
    void nothingToPlotWritesNothing() throws IOException {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("steps", e -> e * 10.0);
        c.put("wall_s", e -> e);
        c.put("val_acc", e -> Double.NaN);
        PlotData d = table("epoch", 5, c, Map.of(), Map.of("test_acc", 0.9));
        assertEquals(List.of(), RunPlots.write(d, dir));
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(0, all.count());
        }
        assertEquals(List.of(), XChartPlots.charts(d));
        // no rows at all
        PlotData empty = new PlotData("t", List.of("epoch", "train_acc"), List.of(), "epoch", Map.of(), Map.of());
        assertEquals(List.of(), RunPlots.write(empty, dir));
    }

    @Test
    void withoutDesktopWritesNothing() throws IOException {
        assertEquals(List.of(), RunPlots.write(everything(5), dir, false));
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(0, all.count());
        }
    }

    // ---- NaN handling ----

    @Test
    void nanRowsAreLeftOutOfASeriesWhichThenHasMarkers() {
        PlotData d = everything(50);
        RunChart acc = XChartPlots.chart(d, XChartPlots.ACCURACY);
        XYSeries val = series(acc, "validation");
        assertArrayEquals(new double[] {5, 10, 15, 20, 25, 30, 35, 40, 45, 50}, val.getXData());
        for (int i = 0; i < val.getXData().length; i++) {
            double e = val.getXData()[i];
            assertEquals(100 * (0.9 - 0.5 * Math.exp(-e / 10.0)), val.getYData()[i], 1e-9, "in percent");
            assertTrue(Double.isFinite(val.getYData()[i]));
        }
        assertEquals(XYSeriesRenderStyle.Line, val.getXYSeriesRenderStyle().orElseThrow());
        assertSame(SeriesMarkers.CIRCLE, val.getMarker(), "a sparse series shows where it was evaluated");
        XYSeries train = series(acc, "training");
        assertEquals(50, train.getXData().length);
        assertSame(SeriesMarkers.NONE, train.getMarker(), "50 dense points: a plain line");

        RunChart loss = XChartPlots.chart(d, XChartPlots.LOSS);
        assertEquals(10, series(loss, "validation").getXData().length);
        assertEquals(50, series(loss, "training").getXData().length);
    }

    @Test
    void trainingNumbersReadFromANudgedOutputAreLabelledSo() {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("train_acc_nudged", e -> 0.99);
        c.put("train_loss_nudged", e -> 0.05 / e);
        c.put("val_acc", e -> 0.7);
        c.put("val_loss", e -> 0.1 / e);
        PlotData d = table("epoch", 5, c, Map.of(), Map.of());
        assertEquals(
                List.of("training (output nudged)", "validation"), names(XChartPlots.chart(d, XChartPlots.ACCURACY)));
        assertEquals(List.of("training (output nudged)", "validation"), names(XChartPlots.chart(d, XChartPlots.LOSS)));
    }

    @Test
    void seriesThatAreNanEverywhereAreNotDrawnAndEmptyPlotsNotWritten() throws IOException {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("train_acc", e -> Double.NaN);
        c.put("val_acc", e -> Double.NaN);
        c.put("train_loss", e -> 1.0 / e);
        c.put("val_loss", e -> Double.NaN);
        c.put("layer1.W[0]", e -> Double.NaN);
        c.put("angle_B_WT_1", e -> Double.NaN);
        PlotData d = table("epoch", 12, c, Map.of("layer1.W[0]", 1.0), Map.of("test_acc", 0.5));
        RunChart loss = XChartPlots.chart(d, XChartPlots.LOSS);
        assertEquals(List.of("training"), names(loss));
        assertNull(XChartPlots.chart(d, XChartPlots.ACCURACY), "only NaN accuracies: no accuracy plot");
        assertNull(XChartPlots.chart(d, XChartPlots.PARAMETERS), "no teacher line without the student's curve");
        assertNull(XChartPlots.chart(d, XChartPlots.ANGLES));
        List<Path> files = RunPlots.write(d, dir);
        assertEquals(List.of(dir.resolve("loss.png")), files);
        assertFalse(Files.exists(dir.resolve("accuracy.png")));
    }

    // ---- axes ----

    @Test
    void logAxisExactlyWhenAllPositiveValuesSpanADecade() {
        assertTrue(XChartPlots.logScale(List.of(new double[] {1.0, 0.5}, new double[] {0.1})));
        assertFalse(XChartPlots.logScale(List.of(new double[] {1.0, 0.5}, new double[] {0.1001})));
        assertFalse(XChartPlots.logScale(List.of(new double[] {100, 0.0})), "zero cannot be drawn on a log axis");
        assertFalse(XChartPlots.logScale(List.of(new double[] {-1, 100})));
        assertFalse(XChartPlots.logScale(List.of(new double[] {3, 3})));

        // through the charts: loss from 1 down to 0.1 (a factor of exactly 10) or to 0.11
        for (double end : new double[] {0.1, 0.11, 0.0}) {
            boolean log = end == 0.1;
            double ratio = 1 / Math.max(end, 1e-300);
            for (String column : List.of("train_loss", "learning_rate", "param_rel_error")) {
                PlotData d = epochsWith(10, column, e -> e == 10 ? end : Math.pow(ratio, -(e - 1) / 9.0));
                RunChart chart = XChartPlots.charts(d).getFirst();
                assertEquals(log, chart.getStyler().isYAxisLogarithmic(), column + " down to " + end);
                BufferedImage img = chart.render(); // XChart accepts the axis chosen
                assertEquals(RunChart.WIDTH, img.getWidth());
            }
        }
        // the validation loss counts too: training 1..0.5, validation down to 0.05
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("train_loss", e -> 1 - 0.05 * e);
        c.put("val_loss", e -> e == 10 ? 0.05 : Double.NaN);
        assertTrue(XChartPlots.loss(table("epoch", 10, c, Map.of(), Map.of()))
                .getStyler()
                .isYAxisLogarithmic());
        // and so does the final test loss
        c.put("val_loss", e -> Double.NaN);
        assertFalse(XChartPlots.loss(table("epoch", 10, c, Map.of(), Map.of()))
                .getStyler()
                .isYAxisLogarithmic());
        assertTrue(XChartPlots.loss(table("epoch", 10, c, Map.of(), Map.of("test_loss", 0.04)))
                .getStyler()
                .isYAxisLogarithmic());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 150})
    void epochTickLabelsAreWholeNumbersNeverRepeated(int epochs) {
        // dense training curve and validation every 5 epochs (or only at the end of a short run)
        for (RunChart chart : XChartPlots.charts(everything(epochs))) {
            chart.render();
            List<String> labels = chart.xTickLabels();
            String where = chart.fileName() + ", " + epochs + " epochs: " + labels;
            assertFalse(labels.isEmpty(), where);
            assertEquals(labels.size(), new HashSet<>(labels).size(), "repeated label in " + where);
            long[] values = new long[labels.size()];
            for (int i = 0; i < values.length; i++) {
                assertTrue(labels.get(i).matches("\\d+"), "not a whole number: '" + labels.get(i) + "' in " + where);
                values[i] = Long.parseLong(labels.get(i));
                assertTrue(values[i] >= 1 && values[i] <= epochs, where);
            }
            if (epochs <= 7) {
                // every epoch labelled, no tick between two epochs
                assertEquals(
                        IntStream.rangeClosed(1, epochs)
                                .mapToObj(Integer::toString)
                                .toList(),
                        labels,
                        where);
            } else {
                // round, equally spaced ticks (not every k-th epoch from 1)
                assertRoundTicks(labels);
            }
        }
    }

    @Test
    void twoEpochsWithValidationOnlyAtTheEndAreLabelledOneAndTwo() {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        c.put("val_acc", e -> e == 2 ? 0.6 : Double.NaN);
        c.put("train_acc", e -> 0.3 * e);
        RunChart chart = XChartPlots.accuracy(table("epoch", 2, c, Map.of(), Map.of("test_acc", 0.55)));
        chart.render();
        assertEquals(List.of("1", "2"), chart.xTickLabels());
    }

    @Test
    void epochLabelIsTheWholeNumberOrNothing() {
        assertEquals("1", RunChart.epochLabel(1.0));
        assertEquals("150", RunChart.epochLabel(150.0));
        assertEquals("0", RunChart.epochLabel(-0.0));
        assertEquals("3", RunChart.epochLabel(3.0000000000000004));
        assertEquals("", RunChart.epochLabel(1.5));
        assertEquals("", RunChart.epochLabel(0.2));
        assertEquals("", RunChart.epochLabel(2.999));
    }

    @Test
    void angleAxisRunsFromZeroToNinetyOrTheNextTenAbove() {
        assertEquals(90, XChartPlots.angleAxisMax(45));
        assertEquals(90, XChartPlots.angleAxisMax(90));
        assertEquals(100, XChartPlots.angleAxisMax(90.5));
        assertEquals(100, XChartPlots.angleAxisMax(100));
        assertEquals(130, XChartPlots.angleAxisMax(121));

        RunChart angles = XChartPlots.chart(everything(20), XChartPlots.ANGLES);
        assertEquals(0.0, angles.getStyler().getYAxisMin());
        assertEquals(90.0, angles.getStyler().getYAxisMax());
        RunChart wide = XChartPlots.angles(epochsWith(5, "angle_B_WT_2", e -> 60 + 10 * e)); // up to 110
        assertEquals(0.0, wide.getStyler().getYAxisMin());
        assertEquals(110.0, wide.getStyler().getYAxisMax());
        assertEquals(List.of("∠(B₂, W₃ᵀ)"), names(wide));
        wide.render();
        assertTrue(wide.xTickLabels().size() >= 2);
    }

    // ---- legend, names, reference lines ----

    @Test
    void legendIsOutsideThePlotArea() {
        for (RunChart chart : XChartPlots.charts(everything(30))) {
            assertEquals(LegendPosition.OutsideE, chart.getStyler().getLegendPosition(), chart.fileName());
            BufferedImage img = chart.render();
            Rectangle2D plot = chart.plotBounds();
            Rectangle2D legend = chart.legendSize();
            assertTrue(legend.getWidth() > 50 && legend.getHeight() > 20, chart.fileName());
            // XChart made room for the legend to the right of the plot area
            assertTrue(
                    plot.getMaxX() + legend.getWidth() <= chart.getWidth(),
                    chart.fileName() + ": plot " + plot + ", legend " + legend);
            // and drew it there: the line of the first curve appears right of the plot area
            int rightOfPlot = (int) Math.ceil(plot.getMaxX()) + 1;
            assertTrue(
                    countPixels(img, rightOfPlot, img.getWidth(), RunChart.colour(0)) >= 20,
                    chart.fileName() + ": no legend entry right of the plot area");
        }
    }

    @Test
    void aLongLegendMakesTheChartTaller() throws IOException {
        Map<String, IntToDoubleFunction> c = new LinkedHashMap<>();
        c.put("epoch", e -> e);
        Map<String, Double> teacher = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            int k = i;
            c.put("layer1.W[" + i + "]", e -> k + 0.1 * e);
            teacher.put("layer1.W[" + i + "]", k + 0.5);
        }
        PlotData d = table("epoch", 10, c, teacher, Map.of());
        RunChart chart = XChartPlots.chart(d, XChartPlots.PARAMETERS);
        assertEquals(40, chart.curves().size());
        BufferedImage img = chart.render();
        assertTrue(img.getHeight() > RunChart.HEIGHT);
        assertTrue(chart.legendSize().getHeight() < img.getHeight());
        assertEquals(
                img.getHeight(),
                ImageIO.read(RunPlots.write(d, dir).getFirst().toFile()).getHeight());
    }

    @Test
    void readableNamesAndAxisTitles() {
        PlotData d = everything(20);
        RunChart acc = XChartPlots.chart(d, XChartPlots.ACCURACY);
        assertEquals(
                List.of(
                        "training",
                        "validation",
                        "validation (linear probe)",
                        "test (end of run)",
                        "test, linear probe (end of run)"),
                names(acc));
        assertEquals("epoch", acc.getXAxisTitle());
        assertEquals("accuracy [%]", acc.getYAxisTitle());
        assertEquals("test run", acc.getTitle());
        // the end-of-run values: one marker each at the last epoch, in percent
        XYSeries test = series(acc, "test (end of run)");
        assertArrayEquals(new double[] {20}, test.getXData());
        assertArrayEquals(new double[] {83}, test.getYData(), 1e-9);
        assertEquals(XYSeriesRenderStyle.Scatter, test.getXYSeriesRenderStyle().orElseThrow());
        assertArrayEquals(
                new double[] {71},
                series(acc, "test, linear probe (end of run)").getYData(),
                1e-9);
        assertEquals(100 * (1 - 0.5 * Math.exp(-0.1)), series(acc, "training").getYData()[0], 1e-9);

        RunChart loss = XChartPlots.chart(d, XChartPlots.LOSS);
        assertEquals(List.of("training", "validation"), names(loss));
        assertEquals("loss", loss.getYAxisTitle());

        RunChart angles = XChartPlots.chart(d, XChartPlots.ANGLES);
        assertEquals(List.of("∠(B₁, W₂ᵀ)", "∠(B₁, φ'W₂ᵀφ')", "∠(B₂, W₂)"), names(angles));
        assertEquals("angle [°]", angles.getYAxisTitle());
        assertEquals("∠(B₁₂, φ'W₁₃ᵀφ')", XChartPlots.angleName("angle_B_JWTJ_12"));

        RunChart lr = XChartPlots.chart(d, XChartPlots.LEARNING_RATE);
        assertEquals(List.of("learning rate"), names(lr));
        assertFalse(lr.getStyler().isYAxisLogarithmic(), "0.09 .. 0.012: less than a decade");
        assertTrue(
                XChartPlots.chart(everything(40), XChartPlots.LEARNING_RATE)
                        .getStyler()
                        .isYAxisLogarithmic(),
                "0.09 .. 0.0015");
    }

    @Test
    void ignoresColumnsItDoesNotKnow() {
        List<String> all = XChartPlots.charts(everything(10)).stream()
                .flatMap(c -> names(c).stream())
                .toList();
        for (String ignored : List.of("steps", "wall_s", "samples_per_s", "steps_per_s", "epoch")) {
            assertFalse(all.contains(ignored), ignored + " in " + all);
        }
    }

    @Test
    void teacherValuesAreDashedLinesInTheStudentsColour() {
        RunChart chart = XChartPlots.chart(everything(25), XChartPlots.PARAMETERS);
        assertEquals(
                List.of(
                        "layer1.W[0]",
                        "layer1.W[0] teacher",
                        "layer1.W[1]",
                        "layer1.tauM[0]",
                        "layer1.tauM[0] teacher"),
                names(chart));
        Map<String, Double> teacher = Map.of("layer1.W[0]", 0.45, "layer1.tauM[0]", 9.0);
        Set<Color> colours = new HashSet<>();
        for (String column : List.of("layer1.W[0]", "layer1.W[1]", "layer1.tauM[0]")) {
            XYSeries student = series(chart, column);
            assertNull(student.getLineStyle().getDashArray(), column + " is solid");
            assertTrue(colours.add(student.getLineColor()), "each parameter its own colour");
            if (!teacher.containsKey(column)) {
                assertNull(chart.getSeries(column + " teacher"));
                continue;
            }
            XYSeries line = series(chart, column + " teacher");
            BasicStroke stroke = line.getLineStyle();
            assertNotNull(stroke.getDashArray(), "dashed");
            assertTrue(stroke.getDashArray().length >= 2);
            assertEquals(student.getLineColor(), line.getLineColor(), "same colour as the student");
            assertSame(SeriesMarkers.NONE, line.getMarker());
            assertArrayEquals(new double[] {1, 25}, line.getXData(), "across the run");
            assertArrayEquals(new double[] {teacher.get(column), teacher.get(column)}, line.getYData());
        }
        // drawn: dashes of the teacher colour in the image
        BufferedImage img = chart.render();
        assertTrue(countPixels(
                        img, 0, img.getWidth(), series(chart, "layer1.tauM[0]").getLineColor())
                > 100);
    }

    // ---- PlotData ----

    @Test
    void plotDataChecksAndCopies() {
        double[] row = {1, 0.5};
        List<double[]> rows = new ArrayList<>(List.of(row));
        PlotData d = new PlotData("t", List.of("epoch", "train_acc"), rows, "epoch", null, null);
        row[1] = 0.9;
        rows.clear();
        assertArrayEquals(new double[] {0.5}, d.column("train_acc"));
        assertEquals(Map.of(), d.reference());
        assertEquals(Map.of(), d.finals());
        assertThrows(
                IllegalArgumentException.class,
                () -> new PlotData("t", List.of("epoch"), List.of(new double[] {1, 2}), "epoch", Map.of(), Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PlotData("t", List.of("time"), List.of(), "epoch", Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> d.column("val_acc"));
    }

    // ---- no AWT or XChart before the check ----

    /**
     * Defines RunPlots and PlotData itself and refuses AWT, ImageIO, XChart and our XChart classes: as
     * on a runtime without java.desktop (where XChart, being AWT-based, cannot be loaded either).
     */
    private static final class NoDesktopLoader extends ClassLoader {
        private static final Set<String> OWN = Set.of(RunPlots.class.getName(), PlotData.class.getName());
        final Set<String> refused = ConcurrentHashMap.newKeySet();
        private final boolean hideXChart;

        /** @param hideXChart also hide XChart's class files as resources (a class path without XChart) */
        NoDesktopLoader(boolean hideXChart) {
            super(RunPlotsTest.class.getClassLoader());
            this.hideXChart = hideXChart;
        }

        @Override
        public java.net.URL getResource(String name) {
            return hideXChart && name.startsWith("org/knowm/") ? null : super.getResource(name);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.startsWith("java.awt.")
                        || name.startsWith("javax.imageio.")
                        || name.startsWith("javax.swing.")
                        || name.startsWith("org.knowm.")
                        || name.equals(XChartPlots.class.getName())
                        || name.equals(RunChart.class.getName())) {
                    refused.add(name);
                    throw new ClassNotFoundException(name);
                }
                if (OWN.contains(name)) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        String file = name.substring(name.lastIndexOf('.') + 1) + ".class";
                        try (InputStream in = RunPlots.class.getResourceAsStream(file)) {
                            byte[] b = in.readAllBytes();
                            c = defineClass(name, b, 0, b.length);
                        } catch (IOException e) {
                            throw new ClassNotFoundException(name, e);
                        }
                    }
                    return c;
                }
                return super.loadClass(name, resolve);
            }
        }
    }

    @Test
    void runPlotsLoadsAndSkipsWithoutAwtOrXChart() throws Exception {
        NoDesktopLoader loader = new NoDesktopLoader(false);
        Class<?> runPlots = Class.forName(RunPlots.class.getName(), true, loader); // loads, verifies, initialises
        Class<?> plotData = Class.forName(PlotData.class.getName(), true, loader);
        assertTrue(runPlots != RunPlots.class && runPlots.getClassLoader() == loader);
        assertEquals(true, runPlots.getMethod("available").invoke(null));
        Object data = plotData.getConstructors()[0].newInstance(
                "t", List.of("epoch", "train_acc"), List.of(new double[] {1, 0.5}), "epoch", Map.of(), Map.of());
        Method write = runPlots.getDeclaredMethod("write", plotData, Path.class, boolean.class);
        write.setAccessible(true);
        assertEquals(List.of(), write.invoke(null, data, dir, false));
        assertEquals(Set.of(), loader.refused, "classes RunPlots needed before the java.desktop check");
        // the check of this test works: past the java.desktop check, the XChart code is wanted
        InvocationTargetException e =
                assertThrows(InvocationTargetException.class, () -> write.invoke(null, data, dir, true));
        assertInstanceOf(NoClassDefFoundError.class, e.getCause());
        assertTrue(loader.refused.contains(XChartPlots.class.getName()), loader.refused.toString());
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(0, all.count());
        }
    }

    @Test
    void withoutXChartOnTheClassPathNotAvailableAndWritesNothing() throws Exception {
        NoDesktopLoader loader = new NoDesktopLoader(true);
        Class<?> runPlots = Class.forName(RunPlots.class.getName(), true, loader);
        Class<?> plotData = Class.forName(PlotData.class.getName(), true, loader);
        assertEquals(false, runPlots.getMethod("available").invoke(null));
        Object data = plotData.getConstructors()[0].newInstance(
                "t", List.of("epoch", "train_acc"), List.of(new double[] {1, 0.5}), "epoch", Map.of(), Map.of());
        assertEquals(
                List.of(), runPlots.getMethod("write", plotData, Path.class).invoke(null, data, dir));
        assertEquals(Set.of(), loader.refused);
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(0, all.count());
        }
    }

    @Test
    void subscripts() {
        assertEquals("₁", XChartPlots.subscript(1));
        assertEquals("₁₀", XChartPlots.subscript(10));
        assertEquals("₉₈₇₆₅₄₃₂₁", XChartPlots.subscript(987654321));
        assertEquals("₀", XChartPlots.subscript(0));
        assertEquals("∠(B₉, W₁₀ᵀ)", XChartPlots.angleName("angle_B_WT_9"));
        assertEquals("∠(B₁₀, W₁₀)", XChartPlots.angleName("angle_B_W_10"));
    }
}
