package io.cortex4j.datasets;

/** Derives independent-looking seeds for the splits of one generated data set. */
final class Seeds {
    private Seeds() {}

    /** SplitMix64's finaliser applied to {@code seed} offset by a per-stream multiple of the golden gamma. */
    static long derive(long seed, long stream) {
        long z = seed + (stream + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
