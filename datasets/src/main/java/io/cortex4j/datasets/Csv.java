package io.cortex4j.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads numeric CSV files of the form {@code label,v1,...,vN}, one sample per line. */
final class Csv {
    private Csv() {}

    /**
     * Reads {@code file} into an {@link InMemoryData}. Blank lines are skipped. If
     * {@code allowHeader}, a first line whose first field is not a number is taken as a header.
     * Labels must be integers in [0, numClasses); values must be finite numbers.
     *
     * @throws DataFormatException naming the file and the 1-based line number of the first problem
     */
    static InMemoryData read(Path file, String name, int valuesPerRow, int numClasses, boolean allowHeader) {
        int columns = valuesPerRow + 1;
        float[] values = new float[1024 * valuesPerRow];
        int[] labels = new int[1024];
        int rows = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            boolean first = true;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] fields = line.split(",", -1);
                if (first && allowHeader && !isNumber(fields[0].strip())) {
                    first = false;
                    continue;
                }
                first = false;
                if (fields.length != columns) {
                    throw new DataFormatException(
                            file,
                            "line " + lineNo + ": expected " + columns + " columns (label + " + valuesPerRow
                                    + " values), found " + fields.length);
                }
                if (rows == labels.length) {
                    labels = Arrays.copyOf(labels, rows * 2);
                    values = Arrays.copyOf(values, rows * 2 * valuesPerRow);
                }
                labels[rows] = parseLabel(file, lineNo, fields[0].strip(), numClasses);
                for (int j = 0; j < valuesPerRow; j++) {
                    values[rows * valuesPerRow + j] = parseValue(file, lineNo, j + 2, fields[j + 1].strip());
                }
                rows++;
            }
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, "file not found", e);
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read: " + e, e);
        }
        return InMemoryData.wrap(
                name,
                Arrays.copyOf(values, rows * valuesPerRow),
                valuesPerRow,
                Arrays.copyOf(labels, rows),
                numClasses);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int parseLabel(Path file, int lineNo, String s, int numClasses) {
        int label;
        try {
            label = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            double d = parseValue(file, lineNo, 1, s);
            if (d != Math.rint(d)) {
                throw new DataFormatException(file, "line " + lineNo + ": label '" + s + "' is not an integer");
            }
            label = (int) d;
        }
        if (label < 0 || label >= numClasses) {
            throw new DataFormatException(
                    file, "line " + lineNo + ": label " + label + " is outside [0, " + numClasses + ")");
        }
        return label;
    }

    private static float parseValue(Path file, int lineNo, int column, String s) {
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new DataFormatException(
                    file, "line " + lineNo + ", column " + column + ": cannot parse '" + s + "' as a number");
        }
        if (!Float.isFinite(v)) {
            throw new DataFormatException(
                    file, "line " + lineNo + ", column " + column + ": '" + s + "' is not a finite number");
        }
        return v;
    }
}
