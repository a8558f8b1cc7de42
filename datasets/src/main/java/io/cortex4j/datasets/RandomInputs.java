package io.cortex4j.datasets;

import java.util.SplittableRandom;

/** Unlabelled random input sets, e.g. the fixed inputs of a microcircuit's self-alignment phase. */
public final class RandomInputs {
    private RandomInputs() {}

    /**
     * {@code count} inputs of {@code size} values drawn independently from U[0, 1), deterministic
     * for a given seed. Every label is 0 and there is one class. Named {@code random-uniform}.
     */
    public static InMemoryData uniform(int count, int size, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        if (size < 1) throw new IllegalArgumentException("size must be >= 1, got " + size);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[Math.multiplyExact(count, size)];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
        return InMemoryData.wrap("random-uniform", x, size, new int[count], 1);
    }
}
