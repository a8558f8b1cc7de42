package io.cortex4j.run;

/** A run whose parameters or state became NaN or infinite; the message names the tensor and the step. */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
