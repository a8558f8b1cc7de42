package io.cortex4j.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@link SinCos#polar} against {@code r * StrictMath.cos} / {@code r * StrictMath.sin}, bit for bit,
 * on the angles Box–Muller produces, {@code 2π·(w + 1)·2^-32}: every word near the branch points of
 * the argument reduction (multiples of π/2, π/4, 3π/4, the smallest angles) and a random sample.
 * {@code -Dcortex4j.sincos.exhaustive=true} checks all 2^32 words (minutes on all cores).
 */
class SinCosTest {
    private static long mismatches(long fromWord, long toWord, double r) {
        double[] out = new double[2];
        long bad = 0;
        for (long w = fromWord; w < toWord; w++) bad += check((int) w, r, out) ? 0 : 1;
        return bad;
    }

    private static boolean check(int word, double r, double[] out) {
        double theta = CounterRandom.TWO_PI * CounterRandom.toUniform(word);
        SinCos.polar(r, theta, out, 0);
        return Double.doubleToRawLongBits(out[0]) == Double.doubleToRawLongBits(r * StrictMath.cos(theta))
                && Double.doubleToRawLongBits(out[1]) == Double.doubleToRawLongBits(r * StrictMath.sin(theta));
    }

    @Test
    void branchPointsAndTheSmallestAngles() {
        double r = 1.7;
        long q = 1L << 30; // a quarter turn in words
        assertEquals(0, mismatches(0, 1 << 16, r), "smallest angles");
        for (long n = 1; n <= 4; n++) assertEquals(0, mismatches(Math.max(0, n * q - (1 << 14)), Math.min(1L << 32, n * q + (1 << 14)), r), n + "·π/2");
        for (long e : new long[] {q / 2, 3 * q / 2}) assertEquals(0, mismatches(e - (1 << 14), e + (1 << 14), r), "π/4, 3π/4");
        assertEquals(0, mismatches((1L << 32) - (1 << 14), 1L << 32, r), "2π");
        // the kernels' own branch points: reduced arguments near ±0.3, ±0.78125 (and ±π/4) around every n·π/2
        for (int n = 0; n <= 4; n++) {
            for (double off : new double[] {0.3, 0.78125, Math.PI / 4}) {
                for (double sign : new double[] {-1, 1}) {
                    double theta = n * Math.PI / 2 + sign * off;
                    if (theta <= 0 || theta > SinCos.MAX) continue;
                    long c = Math.round(theta / CounterRandom.TWO_PI * 0x1p32);
                    assertEquals(0, mismatches(Math.max(0, c - (1 << 14)), Math.min(1L << 32, c + (1 << 14)), r), n + "·π/2 " + (sign * off));
                }
            }
        }
    }

    @Test
    void randomSample() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] out = new double[2];
        for (int i = 0; i < 4_000_000; i++) {
            int w = rnd.nextInt();
            double r = i % 2 == 0 ? 1.0 : Math.sqrt(-2.0 * Math.log(rnd.nextDouble() + 0x1p-60));
            if (!check(w, r, out)) throw new AssertionError("word " + Integer.toUnsignedString(w) + ", r " + r);
        }
    }

    @Test
    void exhaustive() {
        if (!Boolean.getBoolean("cortex4j.sincos.exhaustive")) return;
        AtomicLong bad = new AtomicLong();
        long chunks = 1 << 12, per = (1L << 32) / chunks;
        LongStream.range(0, chunks).parallel().forEach(c -> bad.addAndGet(mismatches(c * per, (c + 1) * per, 1.0)));
        assertEquals(0, bad.get(), "words whose cos or sin differs from StrictMath");
    }

    @Test
    void rejectsAnglesOutsideTheRange() {
        double[] out = new double[2];
        assertThrows(IllegalArgumentException.class, () -> SinCos.polar(1, 0.0, out, 0));
        assertThrows(IllegalArgumentException.class, () -> SinCos.polar(1, Math.nextUp(SinCos.MAX), out, 0));
        assertThrows(IllegalArgumentException.class, () -> SinCos.polar(1, Double.NaN, out, 0));
    }
}
