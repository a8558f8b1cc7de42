package io.cortex4j.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {

    @TempDir
    Path dir;

    private static int countPixels(BufferedImage img, Color c) {
        int rgb = c.getRGB() & 0xFFFFFF;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void writesAPngWithEverySeriesColour() throws IOException {
        int n = 200;
        double[] x = new double[n];
        double[] sin = new double[n];
        double[] cos = new double[n];
        double[] ramp = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.05;
            sin[i] = Math.sin(x[i]);
            cos[i] = Math.cos(x[i]);
            ramp[i] = i % 50 == 7 ? Double.NaN : x[i] / 10 - 0.5;
        }
        Path png = dir.resolve("chart.png");
        new LinePlot(640, 400)
                .title("Trig functions")
                .xLabel("t [s]")
                .yLabel("amplitude")
                .addSeries("sin", x, sin)
                .addSeries("cos", x, cos)
                .addSeries("ramp with gaps", x, ramp)
                .write(png);

        assertEquals("true", System.getProperty("java.awt.headless"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int k = 0; k < 3; k++) {
            Color c = LinePlot.seriesColor(k);
            assertTrue(colours.add(c.getRGB()), "colours must be distinct");
            int count = countPixels(img, c);
            assertTrue(count > 300, "series " + k + " colour appears in only " + count + " pixels");
        }
        assertEquals(0, countPixels(img, LinePlot.seriesColor(3)), "no fourth series was drawn");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void nanPointsInterruptTheLineAndFixedRangeIsHonoured() {
        double[] x = new double[11];
        double[] y = new double[11];
        for (int i = 0; i <= 10; i++) {
            x[i] = i;
            y[i] = (i >= 4 && i <= 6) ? Double.NaN : 1.0;
        }
        LinePlot plot = new LinePlot(400, 300).xRange(0, 10).yRange(0, 2).addSeries("flat", x, y);
        BufferedImage img = plot.render();
        int colour = LinePlot.seriesColor(0).getRGB() & 0xFFFFFF;
        int row = plot.pixelY(1.0);
        boolean drawnAt2 = false;
        for (int dy = -1; dy <= 1; dy++) {
            drawnAt2 |= (img.getRGB(plot.pixelX(2), row + dy) & 0xFFFFFF) == colour;
        }
        assertTrue(drawnAt2, "line drawn where data are finite");
        for (int dy = -3; dy <= 3; dy++) {
            assertNotEquals(colour, img.getRGB(plot.pixelX(5), row + dy) & 0xFFFFFF, "gap at the NaN points");
        }
    }

    @Test
    void survivesDegenerateData() {
        BufferedImage img = new LinePlot()
                .addSeries("constant", new double[] {3, 3, 3})
                .addSeries("all NaN", new double[] {Double.NaN, Double.NaN})
                .addSeries("single", new double[] {1}, new double[] {Double.POSITIVE_INFINITY})
                .addSeries("empty", new double[0], new double[0])
                .render();
        assertEquals(800, img.getWidth());
        assertTrue(countPixels(img, LinePlot.seriesColor(0)) > 100);
    }

    @Test
    void rejectsInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> new LinePlot().write(dir.resolve("empty.png")));
        assertThrows(IllegalArgumentException.class, () -> new LinePlot().render());
        assertThrows(
                IllegalArgumentException.class, () -> new LinePlot().addSeries("bad", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new LinePlot().yRange(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LinePlot().yRange(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LinePlot(10, 10));
        assertTrue(Files.notExists(dir.resolve("empty.png")));
    }

    @Test
    void ticksAndLabelsAreRound() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}, LinePlot.ticks(0, 1));
        assertArrayEquals(
                new String[] {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, LinePlot.labels(LinePlot.ticks(0, 1)));
        assertArrayEquals(new String[] {"-10", "-5", "0", "5", "10"}, LinePlot.labels(LinePlot.ticks(-12, 12)));
        assertArrayEquals(new String[] {"0", "500", "1000", "1500", "2000"}, LinePlot.labels(LinePlot.ticks(0, 2000)));
        String[] big = LinePlot.labels(LinePlot.ticks(0, 3e7));
        assertEquals("1.00e+07", big[2]);
    }

    @Test
    void manySeriesGetDistinctColours() {
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < 30; k++) {
            assertTrue(seen.add(LinePlot.seriesColor(k).getRGB()), "colour " + k + " repeats");
        }
    }
}
