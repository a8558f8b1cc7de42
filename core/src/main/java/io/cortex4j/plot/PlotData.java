package io.cortex4j.plot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to plot: the metrics table of a run.
 *
 * <p>{@code rows} hold one value per column each, in the order of {@code columns}; {@code NaN}
 * means "not measured in this row". The column names the plots know are listed in {@link RunPlots};
 * other columns are ignored.
 *
 * @param title     title shown above every plot
 * @param columns   column names of the metrics table
 * @param rows      the rows of the table, each of {@code columns.size()} values; copied
 * @param xColumn   the column drawn along the x axis: {@code "epoch"} or {@code "time"}
 * @param reference the teacher's value per column name (teacher–student runs); may be empty
 * @param finals    end-of-run values drawn at the last x, e.g. {@code "test_acc" -> 0.83}; may be empty
 */
public record PlotData(
        String title,
        List<String> columns,
        List<double[]> rows,
        String xColumn,
        Map<String, Double> reference,
        Map<String, Double> finals) {

    public PlotData {
        title = title == null ? "" : title;
        columns = List.copyOf(columns);
        Objects.requireNonNull(xColumn, "xColumn");
        if (!columns.contains(xColumn)) {
            throw new IllegalArgumentException("x column '" + xColumn + "' is not among the columns " + columns);
        }
        List<double[]> copy = new ArrayList<>(rows.size());
        for (double[] row : rows) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException(
                        "a row of " + row.length + " values for " + columns.size() + " columns");
            }
            copy.add(row.clone());
        }
        rows = List.copyOf(copy);
        reference = reference == null ? Map.of() : unmodifiableCopy(reference);
        finals = finals == null ? Map.of() : unmodifiableCopy(finals);
    }

    /** Keeps the caller's order (a {@code Map.copyOf} would not) for a stable legend order. */
    private static Map<String, Double> unmodifiableCopy(Map<String, Double> m) {
        Map<String, Double> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** Whether the table has the column. */
    public boolean has(String column) {
        return columns.contains(column);
    }

    /** The values of a column, one per row. */
    public double[] column(String column) {
        int c = columns.indexOf(column);
        if (c < 0) {
            throw new IllegalArgumentException("no column '" + column + "'");
        }
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }
}
