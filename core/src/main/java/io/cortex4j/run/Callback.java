package io.cortex4j.run;

import java.util.Map;

/**
 * Something that runs at fixed points of a run. The trainer's own work at these points (divergence
 * guard, progress, metrics, plots, learning-rate schedule, probes, checkpoints) comes first; callbacks
 * added with {@link Trainer#addCallback} run after it.
 */
public interface Callback {
    default void onRunStart(Trainer t) {}

    /** After training batch {@code batch} (0-based) of epoch {@code epoch} (0-based). */
    default void onBatchEnd(Trainer t, int epoch, int batch) {}

    /** After the metrics row of an epoch was recorded. */
    default void onEpochEnd(Trainer t, double[] row) {}

    default void onRunEnd(Trainer t, Map<String, Object> summary) {}
}
