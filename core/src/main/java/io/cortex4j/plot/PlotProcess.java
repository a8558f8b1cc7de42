package io.cortex4j.plot;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Draws the plots of runs in a second JVM, so that the training JVM never loads AWT, fonts and XChart.
 *
 * <p>Why: Java2D's text layout (HarfBuzz through the foreign-memory API) runs through the same JDK
 * memory-segment code as the CPU backend's kernels. Once it has run in a JVM, that code's type profiles
 * are shared, and the JIT compiles the kernels' segment accesses less well (measured on a Yin-Yang
 * 4-30-3 microcircuit run: 4 GB of segment slices allocated instead of none, the run 20–30 % slower).
 * A plotting JVM keeps the trainer's code as fast with plots as without.
 *
 * <p>One child per training JVM, started at the first request (its start-up is paid once), reads one
 * JSON request per line ({@code dir}, {@code title}, {@code x}, {@code reference}, {@code finals}),
 * reads {@code metrics.csv} of that run directory, writes the PNGs, and answers {@code ok} or
 * {@code error: ...}. It ends when its input is closed.
 */
public final class PlotProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PlotProcess shared;

    private final Process child;
    private final BufferedWriter in;
    private final BufferedReader out;
    private boolean pending;

    private PlotProcess(Process child) {
        this.child = child;
        this.in = new BufferedWriter(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The plotting JVM of this process, started at the first call; null where plots cannot be drawn (then say why once). */
    public static synchronized PlotProcess shared() {
        if (shared != null && shared.child.isAlive()) return shared;
        if (!RunPlots.available()) return null;
        String java = ProcessHandle.current().info().command().orElse(null);
        if (java == null) return null;
        List<String> cmd = new ArrayList<>(
                List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PlotProcess.class.getName()));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            shared = new PlotProcess(p);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
            return shared;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Asks for the plots of {@code data} in {@code dir} (its metrics.csv must be written): with
     * {@code wait}, returns when they are written; without, returns at once and skips the request if the
     * previous one is still being drawn.
     */
    public synchronized void draw(
            Path dir, String title, String x, Map<String, Double> reference, Map<String, Double> finals, boolean wait)
            throws IOException {
        if (pending) {
            if (!wait && !out.ready()) return;
            answer();
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("dir", dir.toAbsolutePath().toString());
        req.put("title", title);
        req.put("x", x);
        req.put("reference", reference);
        req.put("finals", finals);
        in.write(JSON.writeValueAsString(req));
        in.newLine();
        in.flush();
        pending = true;
        if (wait) answer();
    }

    private void answer() throws IOException {
        String line = out.readLine();
        pending = false;
        if (line == null) throw new IOException("the plotting process ended");
        if (!line.equals("ok")) throw new IOException(line.startsWith("error: ") ? line.substring(7) : line);
    }

    @Override
    public synchronized void close() {
        try {
            in.close();
        } catch (IOException e) {
            // the child is gone already
        }
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) child.destroy();
        } catch (InterruptedException e) {
            child.destroy();
            Thread.currentThread().interrupt();
        }
    }

    /** The plotting JVM: one request per line on standard input, one answer per line on standard output. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            String answer;
            try {
                Map<String, Object> req = JSON.readValue(line, Map.class);
                Path dir = Path.of((String) req.get("dir"));
                PlotData data = read(
                        dir.resolve("metrics.csv"),
                        (String) req.get("title"),
                        (String) req.get("x"),
                        doubles((Map<String, Object>) req.get("reference")),
                        doubles((Map<String, Object>) req.get("finals")));
                RunPlots.write(data, dir);
                answer = "ok";
            } catch (IOException | RuntimeException e) {
                answer = "error: " + String.valueOf(e.getMessage()).replace('\n', ' ');
            }
            System.out.println(answer);
            System.out.flush();
        }
    }

    private static Map<String, Double> doubles(Map<String, Object> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (m != null)
            for (Map.Entry<String, Object> e : m.entrySet()) out.put(e.getKey(), ((Number) e.getValue()).doubleValue());
        return out;
    }

    /** A run's metrics.csv as plot data (empty cells are NaN). */
    static PlotData read(Path csv, String title, String x, Map<String, Double> reference, Map<String, Double> finals) {
        try {
            List<String> lines = Files.readAllLines(csv);
            List<String> cols = List.of(lines.get(0).split(",", -1));
            List<double[]> rows = new ArrayList<>();
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split(",", -1);
                double[] row = new double[cols.size()];
                for (int i = 0; i < row.length; i++) row[i] = f[i].isEmpty() ? Double.NaN : Double.parseDouble(f[i]);
                rows.add(row);
            }
            return new PlotData(title, cols, rows, x, reference, finals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
