package io.cortex4j.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.tensor.VectorApi;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@link BoxMuller}'s radii and angles against the scalar formulas of {@link CounterRandom#normal},
 * bit for bit: {@code Math.sqrt(-2.0 * StrictMath.log(u))} for the radius words and
 * {@code StrictMath.cos/sin(2π·u)} for the angle words, on every word near a branch point of fdlibm's
 * log and argument reduction, on a random sample, and (with
 * {@code -Dcortex4j.boxmuller.exhaustive=true}) on all 2^32 words; and whole blocks against
 * {@link CounterRandom#normal}; each for the array loops of {@link BoxMuller} and, where the JVM has the
 * Vector API, for {@link BoxMullerVector}.
 */
class BoxMullerTest {
    static final int N = 2 * BoxMuller.CHUNK;

    /** Mismatches among the words [from, to) (or the given words). */
    static long mismatches(long from, long to) {
        int[] w = new int[N];
        long bad = 0;
        for (long at = from; at < to; at += N) {
            int n = (int) Math.min(N, to - at);
            for (int i = 0; i < n; i++) w[i] = (int) (at + i);
            bad += mismatches(w, n);
        }
        return bad;
    }

    static long mismatches(int[] w, int n) {
        BoxMuller.Scratch sc = new BoxMuller.Scratch();
        double[] r = new double[N], c = new double[N], s = new double[N];
        BoxMuller.radii(w, r, n, sc);
        BoxMuller.angles(w, c, s, n, sc);
        long bad = 0;
        for (int i = 0; i < n; i++) {
            double u = CounterRandom.toUniform(w[i]), theta = CounterRandom.TWO_PI * u;
            if (bits(r[i]) != bits(Math.sqrt(-2.0 * StrictMath.log(u)))) bad++;
            if (bits(c[i]) != bits(StrictMath.cos(theta)) || bits(s[i]) != bits(StrictMath.sin(theta))) bad++;
        }
        if (VECTOR_MODULE) { // the same words as radius and as angle words of BoxMullerVector's pairs
            BoxMullerVector.pairs(w, w, r, c, s, n);
            for (int i = 0; i < n; i++) {
                double u = CounterRandom.toUniform(w[i]), theta = CounterRandom.TWO_PI * u;
                if (bits(r[i]) != bits(Math.sqrt(-2.0 * StrictMath.log(u)))) bad++;
                if (bits(c[i]) != bits(StrictMath.cos(theta)) || bits(s[i]) != bits(StrictMath.sin(theta))) bad++;
            }
        }
        return bad;
    }

    /** Whether this JVM has the Vector API, so that BoxMullerVector is checked beside the array loops. */
    static final boolean VECTOR_MODULE = VectorApi.present();

    static long bits(double x) {
        return Double.doubleToRawLongBits(x);
    }

    @Test
    void branchPoints() {
        long q = 1L << 30; // a quarter turn in words
        int half = 1 << 14;
        assertEquals(0, mismatches(0, 1 << 16), "smallest angles, u → 0");
        assertEquals(0, mismatches((1L << 32) - (1 << 16), 1L << 32), "u → 1: log → 0, angle → 2π");
        for (long k = 1; k <= 4; k++)
            assertEquals(0, mismatches(k * q - half, Math.min(1L << 32, k * q + half)), k + "·π/2");
        // the kernels' branch points: reduced arguments near ±0.3, ±0.78125 and ±π/4 around every n·π/2
        for (int k = 0; k <= 4; k++) {
            for (double off : new double[] {0.3, 0.78125, Math.PI / 4, 3 * Math.PI / 4}) {
                for (double sign : new double[] {-1, 1}) {
                    double theta = k * Math.PI / 2 + sign * off;
                    if (theta <= 0 || theta > CounterRandom.TWO_PI) continue;
                    long c = Math.round(theta / CounterRandom.TWO_PI * 0x1p32);
                    assertEquals(
                            0,
                            mismatches(Math.max(0, c - half), Math.min(1L << 32, c + half)),
                            k + "·π/2 " + sign * off);
                }
            }
        }
        // log: every power of two of u (where the exponent k changes) and fdlibm's thresholds 0x6147a, 0x6b851, ±2^-20
        for (int e = 0; e < 32; e++) {
            long c = 1L << e;
            assertEquals(0, mismatches(Math.max(0, c - half), Math.min(1L << 32, c + half)), "u near 2^-" + (32 - e));
        }
    }

    @Test
    void randomWords() {
        SplittableRandom rnd = new SplittableRandom(21);
        int[] w = new int[N];
        long bad = 0;
        for (int t = 0; t < 8000; t++) {
            for (int i = 0; i < N; i++) w[i] = rnd.nextInt();
            bad += mismatches(w, N);
        }
        assertEquals(0, bad);
    }

    @Test
    void wholeBlocksEqualTheScalarNormals() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int t = 0; t < 50; t++) {
            long seed = rnd.nextLong(), step = rnd.nextLong(), j0 = rnd.nextLong(1L << 32);
            int stream = rnd.nextInt(), nb = 1 + rnd.nextInt(3 * BoxMuller.CHUNK);
            j0 = Math.min(j0, (1L << 32) - nb);
            double[] out = new double[4 * nb + 3], vec = new double[4 * nb + 3];
            BoxMuller.arrayNormals((int) seed, (int) (seed >>> 32), stream, step, j0, nb, out, 3);
            if (VECTOR_MODULE) BoxMullerVector.normals((int) seed, (int) (seed >>> 32), stream, step, j0, nb, vec, 3);
            CounterRandom rng = new CounterRandom(seed);
            for (int i = 0; i < 4 * nb; i++) {
                long expected = bits(rng.normal(stream, step, 4 * j0 + i));
                assertEquals(expected, bits(out[3 + i]), "block " + (j0 + i / 4));
                if (VECTOR_MODULE) assertEquals(expected, bits(vec[3 + i]), "vector, block " + (j0 + i / 4));
            }
        }
    }

    /**
     * The build's test JVMs run with the Vector API (cortex4j.jvmFlags), as {@code ./cortex4j} does: there
     * BoxMullerVector is checked above and makes the normals where its vectors hold 4 doubles or more.
     */
    @Test
    void theVectorPathIsCheckedAndUsedWhereTheJvmHasIt() {
        assertTrue(VECTOR_MODULE, "tests must run with --add-modules jdk.incubator.vector (cortex4j.jvmFlags)");
        assertEquals(BoxMullerVector.worthIt() && VectorApi.enabled(), BoxMuller.VECTOR);
        assertTrue(CounterRandom.normalsImplementation().endsWith(BoxMuller.VECTOR ? "-bit vectors" : ")"));
    }

    @Test
    void exhaustive() {
        if (!Boolean.getBoolean("cortex4j.boxmuller.exhaustive")) return;
        AtomicLong bad = new AtomicLong();
        long chunks = 1 << 14, per = (1L << 32) / chunks;
        LongStream.range(0, chunks).parallel().forEach(k -> bad.addAndGet(mismatches(k * per, (k + 1) * per)));
        assertEquals(0, bad.get(), "radius or angle words whose values differ from the scalar formulas");
    }
}
