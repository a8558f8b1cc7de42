package io.cortex4j.model;

import java.util.List;
import java.util.function.Function;

/**
 * Columns a family adds to every epoch's metrics row, computed from its network at the end of the
 * epoch (the angles between learned feedback and the transposed forward weights, for example).
 */
public record EpochMetric<N extends Network>(List<String> columns, Function<N, double[]> compute) {}
