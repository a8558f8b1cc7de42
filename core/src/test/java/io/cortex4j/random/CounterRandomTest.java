package io.cortex4j.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterRandomTest {

    private static final int N = 1_000_000;

    /**
     * Pins the (seed, stream, step, index) -> Philox counter/key layout with the Random123
     * known-answer vector "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 ->
     * d16cfe09 94fdcceb 5001e420 24126ea1" (see {@link Philox4x32Test}): key (k0, k1) =
     * (a4093822, 299f31d0) is seed 0x299f31d0_a4093822; counter c0 = block 0x243f6a88,
     * c1 = stream 0x85a308d3, (c2, c3) = step 0x03707344_13198a2e.
     */
    @Test
    void layoutMatchesDocumentedCounterAndKey() {
        CounterRandom rng = new CounterRandom(0x299f31d0_a4093822L);
        int stream = 0x85a308d3;
        long step = 0x03707344_13198a2eL;
        long base = 4L * 0x243f6a88L;
        int[] expected = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
        for (int w = 0; w < 4; w++) {
            assertEquals(expected[w], rng.bits(stream, step, base + w));
            assertEquals(((expected[w] & 0xffffffffL) + 1) * 0x1p-32, rng.uniform(stream, step, base + w));
        }
        // Box–Muller from words (0, 1) and (2, 3) of the same block
        for (int p = 0; p < 4; p += 2) {
            double ua = CounterRandom.toUniform(expected[p]);
            double ub = CounterRandom.toUniform(expected[p + 1]);
            double r = Math.sqrt(-2.0 * StrictMath.log(ua));
            double theta = 2.0 * Math.PI * ub;
            assertEquals(r * StrictMath.cos(theta), rng.normal(stream, step, base + p));
            assertEquals(r * StrictMath.sin(theta), rng.normal(stream, step, base + p + 1));
        }
    }

    @Test
    void zeroSeedElementZeroIsFirstKatWord() {
        // seed 0, stream 0, step 0, block 0 is the all-zero Random123 vector
        assertEquals(0x6627e8d5, new CounterRandom(0).bits(0, 0, 0));
        assertEquals(0x9b00dbd8, new CounterRandom(0).bits(0, 0, 3));
    }

    @Test
    void uniformBounds() {
        assertEquals(0x1p-32, CounterRandom.toUniform(0));
        assertEquals(1.0, CounterRandom.toUniform(0xffffffff));
        double[] u = new double[10_000];
        new CounterRandom(1).uniforms(0, 0, u, 0, u.length);
        for (double v : u) {
            assertTrue(v > 0 && v <= 1, "out of (0,1]: " + v);
        }
    }

    @Test
    void normalMomentsOfAMillion() {
        double[] z = new double[N];
        new CounterRandom(20240601L).normals(3, 17, z, 0, N);
        double sum = 0;
        for (double v : z) {
            sum += v;
        }
        double mean = sum / N;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        double lag1 = 0;
        for (int i = 0; i < N; i++) {
            double d = z[i] - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
            if (i > 0) {
                lag1 += (z[i - 1] - mean) * d;
            }
        }
        double var = m2 / (N - 1);
        double skew = (m3 / N) / Math.pow(var, 1.5);
        double kurt = (m4 / N) / (var * var);
        double corr = (lag1 / (N - 1)) / var;
        // standard errors: mean 1e-3, var 1.4e-3, skewness 2.4e-3, kurtosis 4.9e-3, lag-1 corr 1e-3
        assertEquals(0.0, mean, 0.005, "mean");
        assertEquals(1.0, var, 0.007, "variance");
        assertEquals(0.0, skew, 0.012, "skewness");
        assertEquals(3.0, kurt, 0.025, "kurtosis");
        assertEquals(0.0, corr, 0.005, "lag-1 correlation (includes Box–Muller partners)");
    }

    @Test
    void bulkEqualsPerElement() {
        CounterRandom rng = new CounterRandom(-7L);
        int n = 37;
        double[] z = new double[n + 5];
        double[] u = new double[n + 5];
        rng.normals(9, 123_456_789_012L, z, 5, n);
        rng.uniforms(9, 123_456_789_012L, u, 5, n);
        for (int i = 0; i < n; i++) {
            assertEquals(rng.normal(9, 123_456_789_012L, i), z[5 + i], "normal " + i);
            assertEquals(rng.uniform(9, 123_456_789_012L, i), u[5 + i], "uniform " + i);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(0.0, z[i]);
            assertEquals(0.0, u[i]);
        }
    }

    @Test
    void chunkedBulkEqualsPerElementForEveryAlignment() {
        CounterRandom rng = new CounterRandom(42);
        for (long first = 0; first < 8; first++) {
            for (int n = 0; n < 40; n++) { // up to ten blocks: pairs of blocks, an odd block, head and tail
                double[] z = new double[n];
                double[] u = new double[n];
                rng.normals(1, 2, first, z, 0, n);
                rng.uniforms(1, 2, first, u, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(rng.normal(1, 2, first + i), z[i], "first=" + first + " i=" + i);
                    assertEquals(rng.uniform(1, 2, first + i), u[i], "first=" + first + " i=" + i);
                }
            }
        }
    }

    @Test
    void streamsStepsAndSeedsDiffer() {
        int n = 64;
        double[] base = normals(new CounterRandom(1), 0, 0, n);
        double[][] others = {
            normals(new CounterRandom(1), 1, 0, n),
            normals(new CounterRandom(1), 0, 1, n),
            normals(new CounterRandom(2), 0, 0, n),
            normals(new CounterRandom(1L << 32), 0, 0, n), // differs only in the high key word
            normals(new CounterRandom(1), 0, 1L << 32, n), // differs only in the high step word
            normals(new CounterRandom(1), -1, 0, n),
        };
        for (double[] other : others) {
            int equal = 0;
            for (int i = 0; i < n; i++) {
                if (other[i] == base[i]) {
                    equal++;
                }
            }
            assertEquals(0, equal);
        }
        assertArrayEquals(base, normals(new CounterRandom(1), 0, 0, n), "same inputs, same output");
    }

    private static double[] normals(CounterRandom rng, int stream, long step, int n) {
        double[] out = new double[n];
        rng.normals(stream, step, out, 0, n);
        return out;
    }

    /** Pearson chi-square statistic of uniforms in (0, 1] over equal bins. */
    static double chiSquare(double[] u, int bins) {
        long[] counts = new long[bins];
        for (double v : u) {
            int b = (int) Math.ceil(v * bins) - 1; // (0, 1] -> bins 0..bins-1
            counts[b]++;
        }
        double expected = (double) u.length / bins;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        return chi2;
    }

    @Test
    void uniformChiSquare() {
        int bins = 1000;
        // 999 degrees of freedom: mean 999, standard deviation sqrt(2 * 999) = 44.7;
        // accept within about 4.5 sigma on both sides (too uniform is as suspicious as too lumpy)
        double lo = 800;
        double hi = 1200;

        double[] u = new double[N];
        new CounterRandom(99).uniforms(5, 0, u, 0, N);
        double chi2 = chiSquare(u, bins);
        assertTrue(chi2 > lo && chi2 < hi, "chi-square " + chi2);

        // the check has teeth: an evenly spaced (non-random) sequence, a slightly skewed one and
        // a 32-bit-truncated-to-16-bit one all fail it
        double[] even = new double[N];
        double[] skewed = new double[N];
        double[] coarse = new double[N];
        for (int i = 0; i < N; i++) {
            even[i] = (i + 0.5) / N;
            skewed[i] = Math.pow(u[i], 1.02);
            coarse[i] = Math.ceil(u[i] * 600) / 600;
        }
        assertTrue(chiSquare(even, bins) < lo, "evenly spaced must look too uniform");
        assertTrue(chiSquare(skewed, bins) > hi, "skewed must fail");
        assertTrue(chiSquare(coarse, bins) > hi, "coarse must fail");

        // pairs of successive uniforms must be uniform on the unit square too (32 x 32 cells)
        double[] pairs = new double[N / 2];
        for (int i = 0; i < N / 2; i++) {
            int a = (int) Math.ceil(u[2 * i] * 32) - 1;
            int b = (int) Math.ceil(u[2 * i + 1] * 32) - 1;
            pairs[i] = (a * 32 + b + 0.5) / 1024.0;
        }
        // 1023 degrees of freedom, sd 45.2
        double pairChi2 = chiSquare(pairs, 1024);
        assertTrue(pairChi2 > 820 && pairChi2 < 1230, "pair chi-square " + pairChi2);
    }

    @Test
    void permutationIsADeterministicPermutation() {
        CounterRandom rng = new CounterRandom(5);
        for (int n : new int[] {0, 1, 2, 3, 5, 100, 10_007}) {
            int[] p = rng.permutation(2, 11, n);
            assertEquals(n, p.length);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
            assertArrayEquals(p, new CounterRandom(5).permutation(2, 11, n));
        }
        assertFalse(Arrays.equals(rng.permutation(2, 11, 100), rng.permutation(2, 12, 100)));
        assertFalse(Arrays.equals(rng.permutation(2, 11, 100), rng.permutation(3, 11, 100)));
        assertThrows(IllegalArgumentException.class, () -> rng.permutation(0, 0, -1));
    }

    @Test
    void permutationFollowsDocumentedFisherYates() {
        CounterRandom rng = new CounterRandom(77);
        int n = 9;
        int[] expected = new int[n];
        for (int k = 0; k < n; k++) {
            expected[k] = k;
        }
        for (int k = 0; k < n - 1; k++) {
            int m = n - 1 - k;
            double u = rng.uniform(4, 8, k);
            int j = (int) Math.floor((u - 0x1p-32) * (m + 1));
            int t = expected[m];
            expected[m] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, rng.permutation(4, 8, n));
    }

    @Test
    void permutationsOfFourAreUniform() {
        // 24 possible permutations; 48,000 draws over successive steps; chi-square with 23 df
        // (mean 23, sd 6.8)
        CounterRandom rng = new CounterRandom(3);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 48_000;
        for (int s = 0; s < draws; s++) {
            counts.merge(Arrays.toString(rng.permutation(0, s, 4)), 1, Integer::sum);
        }
        assertEquals(24, counts.size());
        double expected = draws / 24.0;
        double chi2 = 0;
        for (int c : counts.values()) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertTrue(chi2 > 3 && chi2 < 60, "chi-square " + chi2);
    }

    @Test
    void rejectsBadIndices() {
        CounterRandom rng = new CounterRandom(0);
        assertThrows(IllegalArgumentException.class, () -> rng.uniform(0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> rng.normal(0, 0, CounterRandom.INDEX_LIMIT));
        assertThrows(
                IllegalArgumentException.class,
                () -> rng.normals(0, 0, CounterRandom.INDEX_LIMIT - 1, new double[2], 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> rng.uniforms(0, 0, new double[2], 1, 2));
        // the last valid element works
        double u = rng.uniform(0, 0, CounterRandom.INDEX_LIMIT - 1);
        assertTrue(u > 0 && u <= 1);
    }

    @Test
    void valueSemantics() {
        assertEquals(new CounterRandom(8), new CounterRandom(8));
        assertNotEquals(new CounterRandom(8), new CounterRandom(9));
        assertEquals(8L, new CounterRandom(8).seed());
    }
}
