package io.cortex4j.random;

/**
 * The Philox4x32-10 counter-based block function of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as published in the Random123 library.
 *
 * <p>The function maps a 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)}
 * to 128 pseudo-random bits {@code (x0, x1, x2, x3)}. It is a pure function: there is no state,
 * so any block can be computed independently, in any order, on any device.
 *
 * <p>Algorithm (all arithmetic on unsigned 32-bit words, modulo 2<sup>32</sup>):
 * <pre>
 *   M0 = 0xD2511F53, M1 = 0xCD9E8D57          (round multipliers)
 *   W0 = 0x9E3779B9, W1 = 0xBB67AE85          (Weyl key increments)
 *   repeat 10 times, for round r = 0..9:
 *     if r &gt; 0: k0 += W0; k1 += W1          (key schedule)
 *     (hi0, lo0) = 64-bit product M0 * c0
 *     (hi1, lo1) = 64-bit product M1 * c2
 *     (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 *   output (c0, c1, c2, c3)
 * </pre>
 * Words are passed as Java {@code int}s and interpreted as unsigned.
 */
public final class Philox4x32 {

    /** Multiplier applied to counter word 0. */
    public static final int M0 = 0xD2511F53;
    /** Multiplier applied to counter word 2. */
    public static final int M1 = 0xCD9E8D57;
    /** Weyl increment of key word 0 between rounds (golden ratio). */
    public static final int W0 = 0x9E3779B9;
    /** Weyl increment of key word 1 between rounds (sqrt(3) - 1). */
    public static final int W1 = 0xBB67AE85;
    /** Number of rounds. */
    public static final int ROUNDS = 10;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final long M0L = M0 & MASK;
    private static final long M1L = M1 & MASK;

    private Philox4x32() {}

    /**
     * Computes one Philox4x32-10 block.
     *
     * @param c0  counter word 0
     * @param c1  counter word 1
     * @param c2  counter word 2
     * @param c3  counter word 3
     * @param k0  key word 0
     * @param k1  key word 1
     * @param out receives the four output words in {@code out[0..3]}; length at least 4
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        if (out.length < 4) {
            throw new IllegalArgumentException("out must have room for 4 words, has " + out.length);
        }
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            // Unsigned 32x32 -> 64-bit products; the result fits an unsigned 64-bit value and
            // its bits are the same in a signed long.
            long p0 = M0L * (c0 & MASK);
            long p1 = M1L * (c2 & MASK);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Convenience form of {@link #block(int, int, int, int, int, int, int[])}.
     *
     * @return a new array with the four output words
     */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }
}
