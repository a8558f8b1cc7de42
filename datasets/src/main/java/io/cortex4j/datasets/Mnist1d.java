package io.cortex4j.datasets;

import java.nio.file.Path;

/**
 * MNIST-1D (Greydanus, 2020) in CSV form: one sample per line, {@code label,v1,...,v40}, labels
 * 0..9, values used as they are (they are roughly zero-mean, not confined to [0, 1]).
 */
public final class Mnist1d {
    public static final int INPUT_SIZE = 40;
    public static final int NUM_CLASSES = 10;

    private Mnist1d() {}

    /**
     * Reads one CSV file, named {@code mnist1d/<file name without .csv>}. Blank lines are skipped.
     *
     * @throws DataFormatException naming the file and line for a missing file, a wrong column
     *     count, an unparsable number or a label outside 0..9
     */
    public static InMemoryData loadCsv(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return Csv.read(file, "mnist1d/" + base, INPUT_SIZE, NUM_CLASSES, false);
    }
}
