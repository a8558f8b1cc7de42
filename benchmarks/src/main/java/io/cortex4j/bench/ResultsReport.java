package io.cortex4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Turns run directories into the plots and tables of docs/measurements.md: the mean ± std over seeds of a
 * metrics.csv column per epoch, one series per group of runs (a run-name prefix).
 *
 * <pre>ResultsReport &lt;runs-parent&gt; &lt;column&gt; &lt;out.png&gt; &lt;title&gt; &lt;prefix&gt;[=label] ...</pre>
 * prints a markdown row per group: label | seeds | final mean ± std.
 */
public final class ResultsReport {
    public static void main(String[] args) throws IOException {
        if (args.length < 5) {
            System.err.println("usage: ResultsReport <runs-parent> <column> <out.png> <title> <prefix>[=label] ...");
            System.exit(2);
        }
        Path parent = Path.of(args[0]);
        String column = args[1];
        XYChart plot = new XYChartBuilder()
                .width(900)
                .height(500)
                .title(args[3])
                .xAxisTitle("epoch")
                .yAxisTitle(column)
                .build();
        plot.getStyler().setLocale(Locale.ROOT);
        plot.getStyler().setMarkerSize(0);
        if (column.startsWith("angle")) {
            plot.getStyler().setYAxisMin(0.0);
            plot.getStyler().setYAxisMax(100.0);
        }
        for (int g = 4; g < args.length; g++) {
            String[] pl = args[g].split("=", 2);
            String prefix = pl[0], label = pl.length > 1 ? pl[1] : pl[0];
            List<double[]> curves = new ArrayList<>();
            double[] epochs = null;
            try (Stream<Path> s = Files.list(parent)) {
                for (Path run : s.filter(p -> p.getFileName().toString().startsWith(prefix + "-s"))
                        .sorted()
                        .toList()) {
                    Path csv = run.resolve("metrics.csv");
                    if (!Files.exists(run.resolve("summary.json"))) continue; // unfinished run
                    List<String> lines = Files.readAllLines(csv);
                    List<String> head = List.of(lines.get(0).split(","));
                    int c = head.indexOf(column), e = head.indexOf("epoch");
                    if (c < 0) throw new IllegalArgumentException(csv + " has no column " + column);
                    double[] y = new double[lines.size() - 1], x = new double[y.length];
                    for (int i = 1; i < lines.size(); i++) {
                        String[] f = lines.get(i).split(",", -1);
                        x[i - 1] = Double.parseDouble(f[e]);
                        y[i - 1] = f[c].isEmpty() ? Double.NaN : Double.parseDouble(f[c]);
                    }
                    curves.add(y);
                    epochs = x;
                }
            }
            if (curves.isEmpty()) throw new IllegalArgumentException("no finished runs " + prefix + "-s* in " + parent);
            int n = curves.stream().mapToInt(a -> a.length).min().orElseThrow();
            double[] mean = new double[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (double[] cu : curves) sum += cu[i];
                mean[i] = sum / curves.size();
            }
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>(); // epochs without a value are left out
            for (int i = 0; i < n; i++) {
                if (Double.isNaN(mean[i])) continue;
                xs.add(epochs[i]);
                ys.add(mean[i]);
            }
            if (!xs.isEmpty()) plot.addSeries(label + " (n=" + curves.size() + ")", xs, ys);
            int last = n - 1;
            while (last > 0 && Double.isNaN(mean[last])) last--;
            double m = mean[last], v = 0;
            for (double[] cu : curves) v += (cu[last] - m) * (cu[last] - m) / Math.max(1, curves.size() - 1);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.4g ± %.2g (epoch %.0f) |%n",
                    label,
                    curves.size(),
                    m,
                    Math.sqrt(v),
                    epochs[last]);
        }
        Path png = Path.of(args[2]);
        if (png.toAbsolutePath().getParent() != null)
            Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(plot), "png", png.toFile()))
            throw new IOException("no PNG writer in this Java runtime");
    }
}
