package io.cortex4j.run;

import io.cortex4j.config.ConfigWriter;
import io.cortex4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The metrics of a run: fixed columns, one row per epoch, written as {@code metrics.csv}. Whole-number
 * columns ({@code epoch}, {@code steps}) are written as integers, every other value as the shortest
 * decimal that reads back to the same double ({@code 0.25}, {@code 1.0e-05}), empty where not measured.
 */
public final class MetricsTable {
    /** Columns that always hold whole numbers. */
    static final Set<String> INTEGER = Set.of("epoch", "steps");

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

    public boolean has(String name) {
        return columns.contains(name);
    }

    /** The last value of a column, NaN if there are no rows. */
    public double last(String name) {
        double[] c = column(name);
        return c.length == 0 ? Double.NaN : c[c.length - 1];
    }

    /** Keeps the first {@code n} rows (a resumed run forgets what came after its checkpoint). */
    void truncate(int n) {
        while (rows.size() > n) rows.remove(rows.size() - 1);
    }

    /** Replaces the rows by the given columns (from a checkpoint). */
    void restore(List<double[]> byColumn) {
        rows.clear();
        int n = byColumn.isEmpty() ? 0 : byColumn.get(0).length;
        for (int i = 0; i < n; i++) {
            double[] r = new double[columns.size()];
            for (int c = 0; c < r.length; c++) r[c] = byColumn.get(c)[i];
            rows.add(r);
        }
    }

    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(format(columns.get(i), r[i]));
            }
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    static String format(String column, double v) {
        if (Double.isNaN(v)) return "";
        if (INTEGER.contains(column) && v == Math.rint(v)) return Long.toString((long) v);
        return ConfigWriter.number(v);
    }

    @Override
    public String toString() {
        return columns + " × " + rows.size() + " rows"
                + (rows.isEmpty() ? "" : ", last " + Arrays.toString(rows.getLast()));
    }
}
