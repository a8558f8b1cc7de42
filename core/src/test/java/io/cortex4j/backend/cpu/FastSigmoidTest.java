package io.cortex4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float32 sigmoid of the CPU backend (vectorised exponential, {@code Nd4jCpuBackend.sigmoidChunk})
 * gives, bit for bit, the float32 roundings of s = 1/(1 + Math.exp(−x)) and s(1 − s) in double: on
 * special values, on every float near the points where the exponential over- or underflows or 1 + e
 * stops changing, and on a random sample of bit patterns. {@code -Dcortex4j.sigmoid.exhaustive=true}
 * runs all 2^32 float inputs through the backend (about a minute per core).
 */
class FastSigmoidTest {
    static final int CHUNK = 1 << 22;

    /** Mismatching elements among the floats with the given bit patterns. */
    static long mismatches(Backend be, int[] bits, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Float.intBitsToFloat(bits[i]);
        try (Tensor X = be.fromHost(DType.FLOAT32, x, 1, n);
                Tensor R = be.zeros(DType.FLOAT32, 1, n);
                Tensor D = be.zeros(DType.FLOAT32, 1, n);
                Tensor R1 = be.zeros(DType.FLOAT32, 1, n);
                Tensor D1 = be.zeros(DType.FLOAT32, 1, n)) {
            be.activationAndDerivative(Activation.SIGMOID, 1.0, X, R, D);
            be.activation(Activation.SIGMOID, 1.0, X, R1);
            be.activationDerivative(Activation.SIGMOID, 1.0, X, D1);
            double[] r = R.toHost(), d = D.toHost(), r1 = R1.toHost(), d1 = D1.toHost();
            long bad = 0;
            for (int i = 0; i < n; i++) {
                double s = 1.0 / (1.0 + Math.exp(-x[i]));
                float want = (float) s, wantD = (float) (s * (1.0 - s));
                if (!same(want, r[i]) || !same(wantD, d[i]) || !same(want, r1[i]) || !same(wantD, d1[i])) bad++;
            }
            return bad;
        }
    }

    static boolean same(float want, double got) {
        return Float.floatToIntBits(want) == Float.floatToIntBits((float) got);
    }

    static long mismatchesAround(Backend be, float center, int radius) {
        int c = Float.floatToRawIntBits(center);
        int[] bits = new int[2 * radius];
        for (int i = 0; i < bits.length; i++) bits[i] = c - radius + i;
        return mismatches(be, bits, bits.length);
    }

    @Test
    void specialValuesAndTransitions() {
        Backend be = new Nd4jCpuBackend();
        int[] special = {
            Float.floatToRawIntBits(0f),
            Float.floatToRawIntBits(-0f),
            Float.floatToRawIntBits(Float.POSITIVE_INFINITY),
            Float.floatToRawIntBits(Float.NEGATIVE_INFINITY),
            Float.floatToRawIntBits(Float.NaN),
            0x7fc00001,
            0xffc00000,
            1,
            0x80000001,
            Float.floatToRawIntBits(Float.MAX_VALUE),
            Float.floatToRawIntBits(-Float.MAX_VALUE),
            Float.floatToRawIntBits(Float.MIN_NORMAL)
        };
        assertEquals(0, mismatches(be, special, special.length), "special values");
        // the clamp (±700, 709), overflow of e^{-x} near 709.78, float underflow of s near 103.97, 1 + e = 1
        // from 36.7, float(s) = 1 from 16.6, and ordinary values of every magnitude
        for (float c : new float[] {
            700f, -700f, 709f, -709f, 709.78f, -709.78f, 745.1f, -745.1f, 103.97f, -103.97f, 88.7f, -88.7f, 36.7f,
            -36.7f, 16.6f, -16.6f, 1f, -1f, 0.5f, 1e-8f, -1e-8f
        }) {
            assertEquals(0, mismatchesAround(be, c, 1 << 15), "near " + c);
        }
    }

    @Test
    void randomBitPatternsAndModerateValues() {
        Backend be = new Nd4jCpuBackend();
        SplittableRandom r = new SplittableRandom(11);
        int[] bits = new int[CHUNK];
        for (int i = 0; i < bits.length; i++)
            bits[i] = i % 2 == 0 ? r.nextInt() : Float.floatToRawIntBits((float) (8 * r.nextGaussian()));
        assertEquals(0, mismatches(be, bits, bits.length));
    }

    @Test
    void exhaustive() {
        if (!Boolean.getBoolean("cortex4j.sigmoid.exhaustive")) return;
        Backend be = new Nd4jCpuBackend();
        int[] bits = new int[CHUNK];
        long bad = 0;
        for (long start = 0; start < 1L << 32; start += CHUNK) {
            for (int i = 0; i < CHUNK; i++) bits[i] = (int) (start + i);
            bad += mismatches(be, bits, CHUNK);
        }
        assertEquals(0, bad, "float inputs whose sigmoid or derivative differs from the Math.exp formula");
    }
}
