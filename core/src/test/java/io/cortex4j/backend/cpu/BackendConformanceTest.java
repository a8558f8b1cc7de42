package io.cortex4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the backend SPI against a plain double-precision statement of it, for float32 and
 * float64, with GEMMs through the Java loops (threshold ∞) and through OpenBLAS (threshold 0).
 * Backends added later (CUDA) run the same cases.
 */
class BackendConformanceTest {
    static Stream<Arguments> backends() {
        List<Arguments> out = new ArrayList<>();
        for (DType d : DType.values()) {
            out.add(Arguments.of("cpu-loops", new Nd4jCpuBackend(Long.MAX_VALUE), d));
            out.add(Arguments.of("cpu-blas", new Nd4jCpuBackend(0), d));
        }
        return out.stream();
    }

    static double tol(DType d) {
        return d == DType.FLOAT32 ? 2e-5 : 1e-12;
    }

    static double[] rand(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        return x;
    }

    static double[] round(double[] x, DType d) {
        double[] y = x.clone();
        if (d == DType.FLOAT32) for (int i = 0; i < y.length; i++) y[i] = (float) y[i];
        return y;
    }

    static void close(double[] want, Tensor got, DType d, String what) {
        double[] g = got.toHost();
        assertEquals(want.length, g.length, what);
        for (int i = 0; i < g.length; i++) {
            assertEquals(want[i], g[i], tol(d) * Math.max(1, Math.abs(want[i])), what + " [" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    void gemmAllTransposes(String name, Backend be, DType d) {
        int m = 7, n = 5, k = 9;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                double[] a = round(rand(m * k, 1), d), b = round(rand(k * n, 2), d), c0 = round(rand(m * n, 3), d);
                Tensor A = be.fromHost(d, a, ta ? k : m, ta ? m : k), B = be.fromHost(d, b, tb ? n : k, tb ? k : n), C = be.fromHost(d, c0, m, n);
                be.gemm(ta, tb, 0.7, A, B, -0.3, C);
                double[] want = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                        want[i * n + j] = 0.7 * s - 0.3 * c0[i * n + j];
                    }
                }
                close(want, C, d, "gemm ta=" + ta + " tb=" + tb);
                // beta = 0 ignores NaN in the output
                be.fill(C, Double.NaN);
                be.gemm(ta, tb, 1.0, A, B, 0.0, C);
                assertFalse(be.hasNonFinite(C), "beta=0 must overwrite NaN");
            }
        }
        Tensor A = be.zeros(d, 3, 4), B = be.zeros(d, 5, 2), C = be.zeros(d, 3, 2);
        assertThrows(IllegalArgumentException.class, () -> be.gemm(false, false, 1, A, B, 0, C));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    void elementwiseOps(String name, Backend be, DType d) {
        int n = 37;
        double[] x = round(rand(n, 4), d), y = round(rand(n, 5), d), z = round(rand(n, 6), d);
        Tensor X = be.fromHost(d, x, 1, n), Y = be.fromHost(d, y, 1, n), Z = be.fromHost(d, z, 1, n), O = be.zeros(d, 1, n);
        double[] w = new double[n];
        be.lincomb(O, 0.5, X, -2.0, Y, 3.0, Z);
        for (int i = 0; i < n; i++) w[i] = 0.5 * x[i] - 2 * y[i] + 3 * z[i];
        close(w, O, d, "lincomb3");
        be.lincomb(O, 0.5, X, -2.0, Y, 0, null);
        for (int i = 0; i < n; i++) w[i] = 0.5 * x[i] - 2 * y[i];
        close(w, O, d, "lincomb2");
        Tensor Y2 = be.fromHost(d, y, 1, n);
        be.axpby(1.5, X, 0.25, Y2);
        for (int i = 0; i < n; i++) w[i] = 1.5 * x[i] + 0.25 * y[i];
        close(w, Y2, d, "axpby");
        be.mul(X, Y, O);
        for (int i = 0; i < n; i++) w[i] = x[i] * y[i];
        close(w, O, d, "mul");
        for (Activation f : Activation.values()) {
            be.activation(f, 0.8, X, O);
            for (int i = 0; i < n; i++) w[i] = f.apply(0.8 * x[i]);
            close(w, O, d, "activation " + f);
            be.activationDerivative(f, 0.8, X, O);
            for (int i = 0; i < n; i++) w[i] = f.derivative(0.8 * x[i]);
            close(w, O, d, "derivative " + f);
            be.predictionError(Y, f, 0.6, X, O);
            for (int i = 0; i < n; i++) w[i] = y[i] - f.apply(0.6 * x[i]);
            close(w, O, d, "predictionError " + f);
        }
        Tensor H = be.fromHost(d, z, 1, n);
        be.highPass(H, X, Y, 0.1);
        for (int i = 0; i < n; i++) w[i] = z[i] + (x[i] - y[i]) - 0.1 * z[i];
        close(w, H, d, "highPass");
        Tensor T = be.zeros(d, 37, 1);
        be.transpose(X, -2.0, T);
        for (int i = 0; i < n; i++) w[i] = -2 * x[i];
        close(w, T, d, "transpose");
        double s = 0, dot = 0, mx = 0;
        for (int i = 0; i < n; i++) {
            s += x[i];
            dot += x[i] * y[i];
            mx = Math.max(mx, Math.abs(x[i]));
        }
        assertEquals(s, be.sum(X), 1e-9);
        assertEquals(dot, be.dot(X, Y), 1e-9);
        assertEquals(mx, be.maxAbs(X), 0);
        be.copy(X, O);
        close(x, O, d, "copy");
        be.fill(O, 2.5);
        assertEquals(2.5 * n, be.sum(O), 1e-9);
        O.load(new double[n]);
        assertFalse(be.hasNonFinite(O));
        double[] bad = new double[n];
        bad[3] = Double.POSITIVE_INFINITY;
        O.load(bad);
        assertTrue(be.hasNonFinite(O));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    void lowPassOuterApply(String name, Backend be, DType d) {
        int m = 6, n = 9;
        for (int batch : new int[] {1, 3, 16}) {
            double[] a = round(rand(batch * m, 8), d), b = round(rand(batch * n, 9), d), lo0 = round(rand(m * n, 10), d), w0 = round(rand(m * n, 11), d);
            Tensor A = be.fromHost(d, a, batch, m), B = be.fromHost(d, b, batch, n), L = be.fromHost(d, lo0, m, n), W = be.fromHost(d, w0, m, n);
            be.lowPassOuterApply(0.3, A, B, 0.01, L, W);
            double[] lo = new double[m * n], w = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int r = 0; r < batch; r++) s += a[r * m + i] * b[r * n + j];
                    lo[i * n + j] = 0.99 * lo0[i * n + j] + 0.3 * s;
                    w[i * n + j] = w0[i * n + j] + lo[i * n + j];
                }
            }
            close(lo, L, d, "lowPassOuterApply lo, batch " + batch);
            close(w, W, d, "lowPassOuterApply w, batch " + batch);
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    void ouStepUsesTheCounterStreams(String name, Backend be, DType d) {
        int n = 23;
        double[] x0 = round(rand(n, 7), d);
        Tensor X = be.fromHost(d, x0, 1, n);
        CounterRandom rng = new CounterRandom(42);
        be.ouStep(X, rng, 1001, 77, 0.9, 0.3);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.9 * x0[i] + 0.3 * rng.normal(1001, 77, i);
        close(w, X, d, "ouStep");
    }
}
