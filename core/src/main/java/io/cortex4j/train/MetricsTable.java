package io.cortex4j.train;

import io.cortex4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Per-epoch numbers of a run: fixed columns, one row per epoch, written as {@code metrics.csv}. */
public final class MetricsTable {
    private final List<String> columns;
    private final List<double[]> rows = new ArrayList<>();

    public MetricsTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    public List<String> columns() {
        return columns;
    }

    public void add(double[] row) {
        if (row.length != columns.size())
            throw new IllegalArgumentException(
                    "metrics row of " + row.length + " values for " + columns.size() + " columns");
        rows.add(row.clone());
    }

    public List<double[]> rows() {
        return rows;
    }

    public double[] column(String name) {
        int c = columns.indexOf(name);
        if (c < 0) throw new IllegalArgumentException("no metrics column '" + name + "'");
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }

    public double last(String name) {
        double[] c = column(name);
        return c.length == 0 ? Double.NaN : c[c.length - 1];
    }

    /** All rows as one row-major matrix (for checkpoints). */
    public double[] flat() {
        double[] out = new double[rows.size() * columns.size()];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, out, i * columns.size(), columns.size());
        return out;
    }

    public void restore(double[] flat) {
        rows.clear();
        int c = columns.size();
        for (int i = 0; i + c <= flat.length; i += c) rows.add(java.util.Arrays.copyOfRange(flat, i, i + c));
    }

    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i > 0) sb.append(',');
                double v = r[i];
                sb.append(
                        Double.isNaN(v)
                                ? ""
                                : v == Math.rint(v) && Math.abs(v) < 1e15
                                        ? Long.toString((long) v)
                                        : String.format(Locale.ROOT, "%.6g", v));
            }
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
