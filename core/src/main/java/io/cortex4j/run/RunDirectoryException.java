package io.cortex4j.run;

/** A run directory that cannot be used as asked (missing, damaged, or holding something else); the message says what and where. */
public final class RunDirectoryException extends RuntimeException {
    public RunDirectoryException(String message) {
        super(message);
    }
}
