package io.cortex4j.datasets;

import java.nio.file.Path;

/** A data file that is missing, truncated or not in the format its loader expects. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(Path file, String what) {
        super(file + ": " + what);
    }

    public DataFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }
}
