package io.cortex4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import io.cortex4j.tensor.VectorApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the backend SPI against a plain double-precision statement of it, for float32 and
 * float64, with GEMMs through the Java loops (threshold ∞) and through OpenBLAS (threshold 0), and
 * with every splittable op split over 3 threads.
 * Backends added later run the same cases: a subclass (e.g. the CUDA backend's
 * {@code CudaBackendConformanceTest}, through this module's test-jar) overrides {@link #backends()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class BackendConformanceTest {
    /** The cases: (display name, backend, dtype). Instance method (per-class lifecycle) so that subclasses can override it. */
    protected Stream<Arguments> backends() {
        List<Arguments> out = new ArrayList<>();
        for (DType d : DType.values()) {
            out.add(Arguments.of("cpu-loops", new Nd4jCpuBackend(Long.MAX_VALUE), d));
            out.add(Arguments.of("cpu-blas", new Nd4jCpuBackend(0), d));
            out.add(Arguments.of(
                    "cpu-split3", new Nd4jCpuBackend(0, 3, 0.0), d)); // every op split into 3 ranges where it can
            if (VectorApi.enabled()) // the array loops where the Vector API paths run by default
            out.add(Arguments.of("cpu-arrays", new Nd4jCpuBackend(Long.MAX_VALUE, 2, 1.0, null, false), d));
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
    public void gemmAllTransposes(String name, Backend be, DType d) {
        int m = 7, n = 5, k = 9;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                double[] a = round(rand(m * k, 1), d), b = round(rand(k * n, 2), d), c0 = round(rand(m * n, 3), d);
                Tensor A = be.fromHost(d, a, ta ? k : m, ta ? m : k),
                        B = be.fromHost(d, b, tb ? n : k, tb ? k : n),
                        C = be.fromHost(d, c0, m, n);
                be.gemm(ta, tb, 0.7, A, B, -0.3, C);
                double[] want = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++)
                            s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
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
    public void elementwiseOps(String name, Backend be, DType d) {
        int n = 37;
        double[] x = round(rand(n, 4), d), y = round(rand(n, 5), d), z = round(rand(n, 6), d);
        Tensor X = be.fromHost(d, x, 1, n),
                Y = be.fromHost(d, y, 1, n),
                Z = be.fromHost(d, z, 1, n),
                O = be.zeros(d, 1, n);
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
            Tensor R = be.zeros(d, 1, n), D = be.fromHost(d, z, 1, n);
            be.activationAndDerivative(f, 0.8, X, R, D);
            for (int i = 0; i < n; i++) w[i] = f.apply(0.8 * x[i]);
            close(w, R, d, "activationAndDerivative value " + f);
            for (int i = 0; i < n; i++) w[i] = f.derivative(0.8 * x[i]);
            close(w, D, d, "activationAndDerivative derivative " + f);
            // the fused op gives exactly the values of the two separate ones
            Tensor R1 = be.zeros(d, 1, n), D1 = be.zeros(d, 1, n);
            be.activation(f, 0.8, X, R1);
            be.activationDerivative(f, 0.8, X, D1);
            exact(R1.toHost(), R, "fused = activation " + f);
            exact(D1.toHost(), D, "fused = activationDerivative " + f);
            assertThrows(
                    IllegalArgumentException.class, () -> be.activationAndDerivative(f, 1, X, R, R), "outputs alias");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> be.activationAndDerivative(f, 1, X, R, be.zeros(d, 1, n + 1)));
            be.predictionError(Y, f, 0.6, X, O);
            for (int i = 0; i < n; i++) w[i] = y[i] - f.apply(0.6 * x[i]);
            close(w, O, d, "predictionError " + f);
        }
        Tensor Q = be.zeros(d, 1, n);
        be.div(X, Y, Q);
        for (int i = 0; i < n; i++) w[i] = x[i] / y[i];
        close(w, Q, d, "div");
        Tensor Z0 = be.zeros(d, 1, 2), Q2 = be.zeros(d, 1, 2);
        be.copyFromHost(new double[] {0, 1}, Q2);
        be.div(Q2, Z0, Q2);
        double[] q2 = Q2.toHost();
        assertTrue(Double.isNaN(q2[0]) && q2[1] == Double.POSITIVE_INFINITY, "0/0 is NaN, 1/0 is +inf");
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

    /** The fused chains give exactly the values of the ops they stand for, also with aliased buffers and special values. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void fusedChainsEqualTheirParts(String name, Backend be, DType d) {
        int n = 1000; // several blocks on a GPU
        double[] x = round(rand(n, 14), d),
                y = round(rand(n, 15), d),
                z = round(rand(n, 16), d),
                p = round(rand(n, 17), d);
        for (int i = 0; i < n; i++) x[i] *= 6; // into the saturating range of sigmoid and tanh
        x[1] = Double.NaN;
        x[2] = Double.POSITIVE_INFINITY;
        x[3] = -0.0;
        z[5] = Double.NaN; // must not leak through c = 0
        Tensor X = be.fromHost(d, x, 1, n),
                Y = be.fromHost(d, y, 1, n),
                Z = be.fromHost(d, z, 1, n),
                P = be.fromHost(d, p, 1, n);
        for (Activation f : Activation.values()) {
            Tensor o1 = be.zeros(d, 1, n), r1 = be.zeros(d, 1, n), o2 = be.zeros(d, 1, n), r2 = be.zeros(d, 1, n);
            be.lincomb(o1, 0.7, X, 0.3, Y, 0.0, null);
            be.activation(f, 1.0, o1, r1);
            be.lincombActivation(o2, 0.7, X, 0.3, Y, f, r2);
            exact(o1.toHost(), o2, "lincombActivation out " + f);
            exact(r1.toHost(), r2, "lincombActivation rate " + f);
            // in place: out aliases x, rate aliases out
            Tensor a1 = be.fromHost(d, x, 1, n), a2 = be.fromHost(d, x, 1, n);
            be.lincomb(a1, 0.7, a1, 0.3, Y, 0.0, null);
            be.activation(f, 1.0, a1, a1);
            be.lincombActivation(a2, 0.7, a2, 0.3, Y, f, a2);
            exact(a1.toHost(), a2, "lincombActivation in place " + f);
        }
        for (boolean three : new boolean[] {true, false}) {
            double c = three ? -1.25 : 0.0;
            Tensor m1 = be.zeros(d, 1, n), u1 = be.zeros(d, 1, n), m2 = be.zeros(d, 1, n), u2 = be.zeros(d, 1, n);
            be.lincomb(m1, 0.5, X, 2.0, Y, c, Z);
            be.lincomb(u1, 0.9, P, 0.1, m1, 0.0, null);
            be.lincombChain(m2, 0.5, X, 2.0, Y, c, Z, u2, 0.9, P, 0.1);
            exact(m1.toHost(), m2, "lincombChain mid, three terms " + three);
            exact(u1.toHost(), u2, "lincombChain out, three terms " + three);
            // prev aliases mid, mid aliases y
            Tensor b1 = be.fromHost(d, y, 1, n),
                    b2 = be.fromHost(d, y, 1, n),
                    v1 = be.zeros(d, 1, n),
                    v2 = be.zeros(d, 1, n);
            be.lincomb(b1, 0.5, X, 2.0, b1, c, Z);
            be.lincomb(v1, 0.9, b1, 0.1, b1, 0.0, null);
            be.lincombChain(b2, 0.5, X, 2.0, b2, c, Z, v2, 0.9, b2, 0.1);
            exact(b1.toHost(), b2, "lincombChain aliased mid, three terms " + three);
            exact(v1.toHost(), v2, "lincombChain aliased out, three terms " + three);
        }
        Tensor shortT = be.zeros(d, 1, n - 1);
        assertThrows(
                IllegalArgumentException.class, () -> be.lincombActivation(shortT, 1, X, 1, Y, Activation.TANH, Z));
        assertThrows(IllegalArgumentException.class, () -> be.lincombChain(Z, 1, X, 1, Y, 0, null, shortT, 1, P, 1));
    }

    /**
     * Inputs for the hard sigmoid, exact in dtype d: its kinks 0 and 1 with their neighbours one ulp
     * of d away (the smallest subnormals beside 0), −0, ±3 (PyTorch's kinks, saturated here) with
     * their neighbours, ±∞, NaN, huge values, 2, −½ and their neighbours (the kinks again after
     * scale ½ or −2), then random values around [0, 1].
     */
    static double[] hardSigmoidInputs(DType d, int n) {
        boolean f = d == DType.FLOAT32;
        List<Double> v = new ArrayList<>();
        for (double k : new double[] {0.0, 1.0, 3.0, -3.0, 2.0, -0.5}) {
            v.add(k);
            v.add(f ? (double) Math.nextDown((float) k) : Math.nextDown(k));
            v.add(f ? (double) Math.nextUp((float) k) : Math.nextUp(k));
        }
        double big = f ? Float.MAX_VALUE : Double.MAX_VALUE;
        for (double k : new double[] {
            -0.0, 0.5, 0.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, big, -big, 1e30, -1e30
        }) v.add(k);
        double[] x = new double[n];
        double[] r = round(rand(n, 90), d);
        for (int i = 0; i < n; i++) x[i] = i < v.size() ? v.get(i) : 0.5 + 0.6 * r[i];
        return round(x, d);
    }

    /**
     * {@link Activation#HARD_SIGMOID} through every op that takes an activation (activation,
     * activationDerivative, activationAndDerivative, in place too, predictionError, lincombActivation),
     * at its kinks and at special values: exactly the plain reference {@link Activation#apply} /
     * {@link Activation#derivative} of v = scale·x in double, rounded once to the dtype (clamp and
     * 0/1 involve no other rounding, so every backend must give these bits, up to the sign of a zero).
     */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void hardSigmoidInEveryActivationOp(String name, Backend be, DType d) {
        Activation f = Activation.HARD_SIGMOID;
        int n = 1000; // several blocks on a GPU
        double[] x = hardSigmoidInputs(d, n), r = round(rand(n, 91), d);
        Tensor X = be.fromHost(d, x, 1, n), R = be.fromHost(d, r, 1, n);
        for (double scale : new double[] {1.0, 0.5, -2.0, 0.8}) {
            double[] wv = new double[n], wd = new double[n], wp = new double[n];
            for (int i = 0; i < n; i++) {
                wv[i] = f.apply(scale * x[i]);
                wd[i] = f.derivative(scale * x[i]);
                wp[i] = r[i] - f.apply(scale * x[i]);
            }
            wv = round(wv, d);
            wd = round(wd, d);
            wp = round(wp, d);
            String at = " scale " + scale;
            Tensor O = be.zeros(d, 1, n), D = be.fromHost(d, r, 1, n); // old content must not matter
            be.activation(f, scale, X, O);
            exact(wv, O, "hard-sigmoid activation" + at);
            be.activationDerivative(f, scale, X, D);
            exact(wd, D, "hard-sigmoid activationDerivative" + at);
            Tensor O2 = be.fromHost(d, r, 1, n), D2 = be.zeros(d, 1, n);
            be.activationAndDerivative(f, scale, X, O2, D2);
            exact(wv, O2, "hard-sigmoid activationAndDerivative value" + at);
            exact(wd, D2, "hard-sigmoid activationAndDerivative derivative" + at);
            Tensor A = be.fromHost(d, x, 1, n), B = be.fromHost(d, x, 1, n);
            be.activation(f, scale, A, A);
            exact(wv, A, "hard-sigmoid activation in place" + at);
            be.activationDerivative(f, scale, B, B);
            exact(wd, B, "hard-sigmoid activationDerivative in place" + at);
            Tensor P = be.zeros(d, 1, n);
            be.predictionError(R, f, scale, X, P);
            exact(wp, P, "hard-sigmoid predictionError" + at);
            exact(x, X, "x untouched" + at);
        }
        // lincombActivation: a = b = 1 with y = 0 puts x itself (−0 → +0) on the kinks; then a general combination
        Tensor Y0 = be.zeros(d, 1, n), Y = be.fromHost(d, r, 1, n);
        for (double[] ab : new double[][] {{1.0, 1.0}, {0.5, 0.25}}) {
            double a = ab[0], b = ab[1];
            boolean kinks = b == 1.0;
            Tensor y = kinks ? Y0 : Y;
            double[] yv = kinks ? new double[n] : r;
            Tensor O = be.zeros(d, 1, n), Rate = be.zeros(d, 1, n);
            be.lincombActivation(O, a, X, b, y, f, Rate);
            double[] wo = new double[n];
            for (int i = 0; i < n; i++) wo[i] = a * x[i] + b * yv[i];
            wo = round(wo, d);
            String what = "hard-sigmoid lincombActivation a=" + a + " b=" + b;
            double[] o = O.toHost(), wr = new double[n];
            if (kinks) {
                exact(wo, O, what + " out");
            } else { // the lincomb's own rounding is checked elsewhere; NaN and ±∞ must come through
                for (int i = 0; i < n; i++) {
                    double tol = Double.isFinite(wo[i]) ? tol(d) * Math.max(1, Math.abs(wo[i])) : 0.0;
                    assertEquals(wo[i], o[i], tol, what + " out [" + i + "]");
                }
            }
            for (int i = 0; i < n; i++) wr[i] = f.apply(o[i]);
            exact(round(wr, d), Rate, what + " rate = φ(out)");
            Tensor In = be.fromHost(d, x, 1, n); // out aliases x, rate aliases out
            be.lincombActivation(In, a, In, b, y, f, In);
            exact(round(wr, d), In, what + " in place");
        }
    }

    /** BurstCCN's burst probabilities (specs/burstccn.md §2.2–2.3), split over threads where the backend splits. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void burstProbabilities(String name, Backend be, DType d) {
        int n = 5000;
        double[] u = round(rand(n, 31), d), y = new double[n], e = new double[n];
        Random r = new Random(32);
        for (int i = 0; i < n; i++) {
            e[i] = d == DType.FLOAT32 ? (float) r.nextDouble() : r.nextDouble();
            y[i] = i % 10 == 0 ? 1 : 0;
        }
        Tensor U = be.fromHost(d, u, 1, n), E = be.fromHost(d, e, 1, n), Y = be.fromHost(d, y, 1, n);
        Tensor P = be.zeros(d, 1, n), Bu = be.zeros(d, 1, n), D = be.zeros(d, 1, n);
        double[] wp = new double[n], wb = new double[n], wd = new double[n];
        for (double pb : new double[] {0.5, 0.2}) {
            be.burstHidden(U, E, 2 * pb, 2 / pb, pb, P, Bu, D);
            for (int i = 0; i < n; i++) {
                wp[i] = 2 * pb / (1 + Math.exp(-(2 / pb) * u[i] * (1 - e[i])));
                wb[i] = wp[i] * e[i];
                wd[i] = (wp[i] - pb) * e[i];
            }
            close(wp, P, d, "burstHidden p, p_b " + pb);
            close(wb, Bu, d, "burstHidden burst");
            close(wd, D, d, "burstHidden delta");
            be.burstOutput(E, Y, pb, P, Bu, D);
            for (int i = 0; i < n; i++) {
                wp[i] = pb * (1 + (y[i] - e[i]) * (1 - e[i]));
                wb[i] = wp[i] * e[i];
                wd[i] = (wp[i] - pb) * e[i];
            }
            close(wp, P, d, "burstOutput p, p_b " + pb);
            close(wb, Bu, d, "burstOutput burst");
            close(wd, D, d, "burstOutput delta");
            // no teacher (y = e) and no apical input (u = 0): the baseline exactly, no deviation at all
            be.burstOutput(E, E, pb, P, Bu, D);
            java.util.Arrays.fill(wd, 0.0);
            exact(wd, D, "burstOutput without a teacher");
            be.burstHidden(be.zeros(d, 1, n), E, 2 * pb, 2 / pb, pb, P, Bu, D);
            exact(wd, D, "burstHidden at u = 0, p_b " + pb);
        }
        assertThrows(IllegalArgumentException.class, () -> be.burstOutput(E, Y, 0.5, P, P, D), "outputs alias");
        assertThrows(
                IllegalArgumentException.class, () -> be.burstHidden(U, be.zeros(d, 1, n + 1), 1, 4, 0.5, P, Bu, D));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void lowPassOuterApply(String name, Backend be, DType d) {
        int m = 6, n = 9;
        for (int batch : new int[] {1, 3, 16}) {
            double[] a = round(rand(batch * m, 8), d),
                    b = round(rand(batch * n, 9), d),
                    lo0 = round(rand(m * n, 10), d),
                    w0 = round(rand(m * n, 11), d);
            Tensor A = be.fromHost(d, a, batch, m),
                    B = be.fromHost(d, b, batch, n),
                    L = be.fromHost(d, lo0, m, n),
                    W = be.fromHost(d, w0, m, n);
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
    public void ouStepUsesTheCounterStreams(String name, Backend be, DType d) {
        for (int n : new int[] {23, 4099}) { // 4099: several chunks, odd range boundaries when split
            double[] x0 = round(rand(n, 7), d);
            Tensor X = be.fromHost(d, x0, 1, n);
            CounterRandom rng = new CounterRandom(42);
            be.ouStep(X, rng, 1001, 77, 0.9, 0.3);
            double[] w = new double[n];
            for (int i = 0; i < n; i++) w[i] = 0.9 * x0[i] + 0.3 * rng.normal(1001, 77, i);
            if (d == DType.FLOAT32) w = round(w, d);
            exact(w, X, "ouStep n=" + n);
        }
    }

    /**
     * lifStep against a hand-computed trace (τ_m = 2 → decay 0.5, θ = 1, τ_s = 2, refractory 2 steps,
     * rectangle surrogate of width 1): neuron 0 gets current 0.6 every step, so u = 0.6, 0.9, 1.05 →
     * spike and reset at step 3, two held steps (u = 0, no spike, g = 0, input ignored), then 0.6 again;
     * neuron 1 gets 1.5 (spikes at once), neuron 2 gets −0.3 (never). The trace follows a += (s − a)/2.
     * The same with the sigmoid surrogate and without refractoriness; the split backends over 4099
     * neurons too.
     */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void lifStepFollowsTheHandTrace(String name, Backend be, DType d) {
        Tensor cur = be.fromHost(d, new double[] {0.6, 1.5, -0.3}, 1, 3);
        Tensor u = be.zeros(d, 1, 3), r = be.zeros(d, 1, 3), s = be.zeros(d, 1, 3), a = be.zeros(d, 1, 3);
        Tensor g = be.zeros(d, 1, 3);
        // per step: u, s, g, refractory counter of neuron 0 (after the step)
        double[][] n0 = {
            {0.6, 0, 1.0, 0}, {0.9, 0, 1.0, 0}, {0, 1, 1.0, 2}, {0, 0, 0, 1}, {0, 0, 0, 0}, {0.6, 0, 1.0, 0}
        };
        double a0 = 0, a1 = 0, a2 = 0;
        double[] u1 = {0, 0, 0, 0, 0, 0}, s1 = {1, 0, 0, 1, 0, 0};
        for (int t = 0; t < n0.length; t++) {
            be.lifStep(cur, u, r, s, a, g, 0.5, 1.0, 2.0, 2, Surrogate.RECTANGLE, 1.0);
            double[] uh = u.toHost(), sh = s.toHost(), gh = g.toHost(), rh = r.toHost(), ah = a.toHost();
            double w0 = d == DType.FLOAT32 ? (float) (0.5 * (float) 0.9 + (float) 0.6) : 0.5 * 0.9 + 0.6;
            assertEquals(n0[t][0], uh[0], 1e-7, "step " + (t + 1) + ": u of neuron 0");
            assertEquals(n0[t][1], sh[0], 0.0, "step " + (t + 1) + ": spike of neuron 0 (u before reset " + w0 + ")");
            assertEquals(n0[t][2], gh[0], 0.0, "step " + (t + 1) + ": g of neuron 0");
            assertEquals(n0[t][3], rh[0], 0.0, "step " + (t + 1) + ": refractory count of neuron 0");
            a0 += (n0[t][1] - a0) / 2;
            assertEquals(round(new double[] {a0}, d)[0], ah[0], tol(d), "step " + (t + 1) + ": trace of neuron 0");
            // neuron 1: spikes at step 1, held at steps 2 and 3, spikes at 4 (u = 1.5 again), ...
            assertEquals(u1[t], uh[1], 0.0, "step " + (t + 1) + ": u of neuron 1");
            assertEquals(s1[t], sh[1], 0.0, "step " + (t + 1) + ": spike of neuron 1");
            a1 += (s1[t] - a1) / 2;
            assertEquals(round(new double[] {a1}, d)[0], ah[1], tol(d), "trace of neuron 1");
            assertEquals(0.0, sh[2], 0.0, "neuron 2 never spikes");
            assertEquals(0.0, gh[2], 0.0, "neuron 2 stays outside the rectangle");
            assertEquals(0.0, ah[2] - a2, 0.0);
        }
        double u2v = 0, c2 = round(new double[] {-0.3}, d)[0];
        for (int t = 0; t < 6; t++) u2v = round(new double[] {0.5 * u2v + c2}, d)[0];
        assertEquals(-0.590625, u2v, 1e-7, "−0.3·(1 + ½ + … + ½⁵)");
        assertEquals(u2v, u.toHost()[2], 0.0, "u of neuron 2, rounded at every step");
        // the sigmoid surrogate, no refractoriness: g = (4/w)σ(x)(1 − σ(x)), x = 4(u − θ)/w, of the potential before
        // the reset
        Tensor u2 = be.zeros(d, 1, 3), s2 = be.zeros(d, 1, 3), a2t = be.zeros(d, 1, 3), g2 = be.zeros(d, 1, 3);
        be.lifStep(cur, u2, null, s2, a2t, g2, 0.5, 1.0, 2.0, 0, Surrogate.SIGMOID, 0.5);
        double[] gh = g2.toHost(), in = {0.6, 1.5, -0.3};
        for (int i = 0; i < 3; i++) {
            double uv = round(new double[] {in[i]}, d)[0],
                    sg = 1 / (1 + Math.exp(-8 * (uv - 1))),
                    want = 8 * sg * (1 - sg);
            assertEquals(round(new double[] {want}, d)[0], gh[i], tol(d) * 1e-3 + 1e-15, "sigmoid g of neuron " + i);
        }
        assertEquals(0.0, u2.toHost()[1], 0.0, "reset to 0 without a refractory period");
        // many neurons (split into ranges): each as one neuron alone
        int n = 4099;
        double[] c = round(rand(n, 9), d);
        Tensor C = be.fromHost(d, c, 1, n), U = be.zeros(d, 1, n), R = be.zeros(d, 1, n), S = be.zeros(d, 1, n);
        Tensor A = be.zeros(d, 1, n), G = be.zeros(d, 1, n);
        for (int t = 0; t < 3; t++) be.lifStep(C, U, R, S, A, G, 0.8, 0.5, 3.0, 1, Surrogate.RECTANGLE, 1.0);
        double[] uh = U.toHost(), sh = S.toHost();
        for (int i = 0; i < n; i++) {
            double uv = 0, rv = 0, sv = 0;
            for (int t = 0; t < 3; t++) {
                if (rv > 0) {
                    uv = 0;
                    sv = 0;
                    rv--;
                    continue;
                }
                uv = round(new double[] {0.8 * uv + c[i]}, d)[0];
                sv = uv >= 0.5 ? 1 : 0;
                if (sv == 1) {
                    uv = 0;
                    rv = 1;
                }
            }
            assertEquals(uv, uh[i], 0.0, "u of neuron " + i);
            assertEquals(sv, sh[i], 0.0, "s of neuron " + i);
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> be.lifStep(cur, u, null, s, a, g, 0.5, 1, 2, 2, Surrogate.RECTANGLE, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.lifStep(cur, u, r, s, s, g, 0.5, 1, 2, 2, Surrogate.RECTANGLE, 1));
    }

    /** bernoulli: 1 exactly where the stream's uniform is ≤ scale·p; p = 0 never, scale·p ≥ 1 always. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void bernoulliUsesTheCounterStreams(String name, Backend be, DType d) {
        int n = 4099;
        double[] p = new double[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) p[i] = i % 97 == 0 ? 0.0 : i % 89 == 0 ? 1.0 : r.nextDouble();
        p = round(p, d);
        Tensor P = be.fromHost(d, p, 1, n), O = be.zeros(d, 1, n);
        CounterRandom rng = new CounterRandom(5);
        be.bernoulli(P, 0.8, rng, 2024, 9, O);
        double[] o = O.toHost(), want = new double[n];
        int ones = 0;
        for (int i = 0; i < n; i++) {
            want[i] = rng.uniform(2024, 9, i) <= 0.8 * p[i] ? 1 : 0;
            ones += (int) want[i];
            if (p[i] == 0) assertEquals(0.0, o[i], 0.0, "p = 0 never fires");
        }
        exact(want, O, "bernoulli");
        assertTrue(ones > 0.35 * n && ones < 0.45 * n, ones + " of " + n + " for a mean of 0.8·0.5");
        be.bernoulli(P, 1.0 / 0.5, rng, 2024, 10, P); // in place; scale·p ≥ 1 wherever p ≥ 0.5
        double[] q = P.toHost();
        for (int i = 0; i < n; i++) if (p[i] >= 0.5) assertEquals(1.0, q[i], 0.0, "element " + i);
    }

    // ------------------------------------------------------------------ ops of the layered LE networks

    /** Tolerance of results that are single roundings of exact values (selections, sums of few terms). */
    static void exact(double[] want, Tensor got, String what) {
        double[] g = got.toHost();
        assertEquals(want.length, g.length, what);
        for (int i = 0; i < g.length; i++) assertEquals(want[i], g[i], 0.0, what + " [" + i + "]");
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void addRowVector(String name, Backend be, DType d) {
        int rows = 5, n = 11;
        double[] m0 = round(rand(rows * n, 20), d), r = round(rand(n, 21), d);
        Tensor M = be.fromHost(d, m0, rows, n), R = be.fromHost(d, r, 1, n);
        be.addRowVector(-0.7, R, M);
        double[] want = new double[rows * n];
        for (int i = 0; i < rows; i++) for (int j = 0; j < n; j++) want[i * n + j] = m0[i * n + j] - 0.7 * r[j];
        close(want, M, d, "addRowVector");
        exact(r, R, "addRowVector leaves the row alone");
        // a row of another length, or of another dtype
        assertThrows(IllegalArgumentException.class, () -> be.addRowVector(1, be.zeros(d, 1, n + 1), M));
        assertThrows(IllegalArgumentException.class, () -> be.addRowVector(1, be.zeros(other(d), 1, n), M));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void columnSums(String name, Backend be, DType d) {
        int rows = 9, n = 6;
        double[] m = round(rand(rows * n, 22), d), r0 = round(rand(n, 23), d);
        Tensor M = be.fromHost(d, m, rows, n);
        for (double beta : new double[] {0.0, 0.5, 1.0}) {
            Tensor R = be.fromHost(d, r0, 1, n);
            be.columnSums(1.5, M, beta, R);
            double[] want = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < rows; i++) s += m[i * n + j];
                want[j] = beta * r0[j] + 1.5 * s;
            }
            close(want, R, d, "columnSums beta=" + beta);
        }
        assertThrows(IllegalArgumentException.class, () -> be.columnSums(1, M, 0, be.zeros(d, 1, n - 1)));
        assertThrows(IllegalArgumentException.class, () -> be.columnSums(1, M, 0, be.zeros(other(d), 1, n)));
        Tensor sq = be.zeros(d, 1, n);
        assertThrows(IllegalArgumentException.class, () -> be.columnSums(1, sq, 0, sq), "in place");
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void softmaxRows(String name, Backend be, DType d) {
        int rows = 4, n = 7;
        double[] x = round(rand(rows * n, 24), d);
        for (int j = 0;
                j < n;
                j++) { // row 1 large and positive, row 2 large and negative, row 3 with one dominant entry
            x[n + j] = 1000 + j;
            x[2 * n + j] = -1000 - 3 * j;
            x[3 * n + j] = j == 4 ? 800 : -5;
        }
        Tensor X = be.fromHost(d, x, rows, n), O = be.zeros(d, rows, n);
        be.softmaxRows(X, O);
        double[] want = new double[rows * n];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < n; j++) max = Math.max(max, x[i * n + j]);
            for (int j = 0; j < n; j++) s += Math.exp(x[i * n + j] - max);
            for (int j = 0; j < n; j++) want[i * n + j] = Math.exp(x[i * n + j] - max) / s;
        }
        double[] got = O.toHost();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol(d), "softmax [" + i + "]");
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += got[i * n + j];
            assertEquals(1.0, s, 10 * tol(d), "row " + i + " sums to 1");
        }
        assertFalse(be.hasNonFinite(O), "no overflow at ±1000");
        assertEquals(1.0, got[3 * n + 4], tol(d), "a dominant entry takes all");
        // in place
        be.softmaxRows(X, X);
        close(want, X, d, "softmax in place");
        assertThrows(IllegalArgumentException.class, () -> be.softmaxRows(X, be.zeros(d, rows, n + 1)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void signConcordant(String name, Backend be, DType d) {
        int n = 29;
        double[] w = round(rand(n, 25), d), m = round(rand(n, 26), d);
        w[0] = 0.0;
        w[7] = -0.0;
        w[12] = 0.0;
        Tensor W = be.fromHost(d, w, 1, n), M = be.fromHost(d, m, 1, n), O = be.zeros(d, 1, n);
        be.signConcordant(W, null, 0.25, O);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) want[i] = w[i] > 0 ? 0.25 : w[i] < 0 ? -0.25 : 0.0;
        exact(want, O, "signConcordant, unit magnitudes");
        be.signConcordant(W, M, 2.0, O);
        for (int i = 0; i < n; i++) want[i] = w[i] > 0 ? 2 * Math.abs(m[i]) : w[i] < 0 ? -2 * Math.abs(m[i]) : 0.0;
        close(want, O, d, "signConcordant, magnitudes");
        assertEquals(0.0, O.toHost()[12], 0.0, "sign(0) = 0 also with a magnitude");
        assertThrows(IllegalArgumentException.class, () -> be.signConcordant(W, be.zeros(d, 1, n - 1), 1, O));
        assertThrows(IllegalArgumentException.class, () -> be.signConcordant(W, null, 1, be.zeros(d, 1, n + 1)));
    }

    /** Geometries: stride 1 and 2, padding 0, 1 and 2, non-square inputs, one and several channels, kernels 1 to 5. */
    static final ConvGeometry[] GEOMETRIES = {
        new ConvGeometry(1, 5, 5, 3, 1, 0),
        new ConvGeometry(2, 6, 7, 3, 2, 1),
        new ConvGeometry(3, 4, 5, 2, 1, 2),
        new ConvGeometry(2, 7, 5, 5, 2, 2),
        new ConvGeometry(3, 8, 6, 4, 2, 0),
        new ConvGeometry(2, 3, 4, 1, 1, 0),
        new ConvGeometry(1, 6, 9, 3, 3, 1),
    };

    /** The input index a patch element reads, or −1 in the padding; straight from the definition. */
    static int source(ConvGeometry g, int oy, int ox, int c, int ky, int kx) {
        int iy = oy * g.stride() - g.padding() + ky, ix = ox * g.stride() - g.padding() + kx;
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) return -1;
        return (c * g.height() + iy) * g.width() + ix;
    }

    static double[] im2colReference(ConvGeometry g, int batch, double[] x) {
        int oh = g.outHeight(), ow = g.outWidth(), k = g.kernel(), patch = g.patch(), in = g.inputLength();
        double[] cols = new double[batch * g.positions() * patch];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int row = (b * oh + oy) * ow + ox;
                    for (int c = 0; c < g.channels(); c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int at = source(g, oy, ox, c, ky, kx);
                                cols[row * patch + (c * k + ky) * k + kx] = at < 0 ? 0.0 : x[b * in + at];
                            }
                        }
                    }
                }
            }
        }
        return cols;
    }

    static double[] col2imReference(ConvGeometry g, int batch, double[] cols) {
        int oh = g.outHeight(), ow = g.outWidth(), k = g.kernel(), patch = g.patch(), in = g.inputLength();
        double[] x = new double[batch * in];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int row = (b * oh + oy) * ow + ox;
                    for (int c = 0; c < g.channels(); c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int at = source(g, oy, ox, c, ky, kx);
                                if (at >= 0) x[b * in + at] += cols[row * patch + (c * k + ky) * k + kx];
                            }
                        }
                    }
                }
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void im2colAndCol2im(String name, Backend be, DType d) {
        int batch = 3;
        for (ConvGeometry g : GEOMETRIES) {
            String what = g.toString();
            int rows = batch * g.positions();
            double[] x = round(rand(batch * g.inputLength(), 27), d), c = round(rand(rows * g.patch(), 28), d);
            Tensor X = be.fromHost(d, x, batch, g.inputLength()),
                    C = be.fromHost(d, round(rand(rows * g.patch(), 29), d), rows, g.patch());
            be.im2col(X, g, C); // overwrites the old content, padding included
            double[] cols = im2colReference(g, batch, x);
            exact(cols, C, "im2col " + what);
            Tensor C2 = be.fromHost(d, c, rows, g.patch()),
                    X2 = be.fromHost(d, round(rand(batch * g.inputLength(), 30), d), batch, g.inputLength());
            be.col2im(C2, g, X2);
            double[] back = col2imReference(g, batch, c);
            close(back, X2, d, "col2im " + what);
            // adjoint: <im2col(x), c> = <x, col2im(c)>
            double lhs = 0, rhs = 0;
            for (int i = 0; i < cols.length; i++) lhs += cols[i] * c[i];
            double[] xb = X2.toHost();
            for (int i = 0; i < x.length; i++) rhs += x[i] * xb[i];
            assertEquals(lhs, rhs, 10 * tol(d) * Math.max(1, Math.abs(lhs)), "adjoint identity " + what);
            assertEquals(
                    be.dot(C, C2),
                    be.dot(X, X2),
                    10 * tol(d) * Math.max(1, Math.abs(lhs)),
                    "adjoint identity on the backend " + what);
        }
        ConvGeometry g = GEOMETRIES[1];
        int rows = batch * g.positions();
        Tensor X = be.zeros(d, batch, g.inputLength());
        assertThrows(IllegalArgumentException.class, () -> be.im2col(X, g, be.zeros(d, rows + 1, g.patch())));
        assertThrows(IllegalArgumentException.class, () -> be.im2col(X, g, be.zeros(d, rows, g.patch() - 1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.im2col(be.zeros(d, batch, g.inputLength() + 1), g, be.zeros(d, rows, g.patch())));
        assertThrows(IllegalArgumentException.class, () -> be.im2col(X, g, be.zeros(other(d), rows, g.patch())));
        assertThrows(IllegalArgumentException.class, () -> be.col2im(be.zeros(d, rows - 1, g.patch()), g, X));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.col2im(be.zeros(d, rows, g.patch()), g, be.zeros(d, batch + 1, g.inputLength())));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void blockTranspose(String name, Backend be, DType d) {
        for (int[] pq : new int[][] {{3, 5}, {5, 3}, {1, 4}, {4, 1}, {6, 6}}) {
            int p = pq[0], q = pq[1], blocks = 4;
            double[] s = round(rand(blocks * p * q, 31), d);
            Tensor S = be.fromHost(d, s, blocks * p, q), D = be.zeros(d, blocks, q * p);
            be.blockTranspose(S, p, q, D);
            double[] want = new double[s.length];
            for (int bl = 0; bl < blocks; bl++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++) want[bl * p * q + j * p + i] = s[bl * p * q + i * q + j];
            exact(want, D, "blockTranspose " + p + "×" + q);
            Tensor back = be.zeros(d, blocks * p, q);
            be.blockTranspose(D, q, p, back);
            exact(s, back, "blockTranspose twice " + p + "×" + q);
        }
        Tensor S = be.zeros(d, 2, 15);
        assertThrows(
                IllegalArgumentException.class,
                () -> be.blockTranspose(S, 4, 4, be.zeros(d, 2, 15)),
                "30 is no multiple of 16");
        assertThrows(IllegalArgumentException.class, () -> be.blockTranspose(S, 3, 5, be.zeros(d, 2, 16)));
        assertThrows(IllegalArgumentException.class, () -> be.blockTranspose(S, 3, 5, S), "in place");
        assertThrows(IllegalArgumentException.class, () -> be.blockTranspose(S, 0, 5, be.zeros(d, 2, 15)));
    }

    /**
     * transpose of matrices with sides off the 32-wide tiles, small ones and ones large enough to be
     * split over the threads: every value exactly alpha·x rounded once, at its transposed place.
     */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void transposeMatrices(String name, Backend be, DType d) {
        for (int[] rc : new int[][] {{1, 1}, {3, 70}, {33, 31}, {77, 1001}, {1001, 77}, {64, 2048}}) {
            int r = rc[0], c = rc[1];
            double[] x = round(rand(r * c, 40 + r), d);
            Tensor X = be.fromHost(d, x, r, c), T = be.zeros(d, c, r);
            be.transpose(X, -0.3, T);
            double[] want = new double[x.length];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++)
                    want[j * r + i] = d == DType.FLOAT32 ? (float) (-0.3 * x[i * c + j]) : -0.3 * x[i * c + j];
            exact(want, T, "transpose " + r + "×" + c);
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void maxPool(String name, Backend be, DType d) {
        int batch = 2, ch = 3;
        for (int[] hwk : new int[][] {{5, 7, 2}, {6, 4, 2}, {7, 8, 3}, {4, 5, 1}}) {
            int h = hwk[0], w = hwk[1], k = hwk[2], oh = h / k, ow = w / k, in = ch * h * w, out = ch * oh * ow;
            // values from a small set: many ties inside a window
            Random r = new Random(32 + h);
            double[] x = new double[batch * in];
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(3) - 1.0;
            // special values: signed zeros (equal: the first wins), infinities, NaNs (a NaN wins, the first one)
            double negativeNaN = Double.longBitsToDouble(0xfff8_0000_0000_0000L);
            double[] specials = {
                0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -2.0, negativeNaN, 3.0
            };
            for (int i = 0; i < x.length; i += 7) x[i] = specials[(i / 7) % specials.length];
            if (k == 2) { // whole windows: (−0, +0, −0, +0), (−∞ ×4), (1, NaN, 2, NaN), (1, −NaN, 2, 3)
                double[][] windows = {
                    {-0.0, 0.0, -0.0, 0.0},
                    {
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY
                    },
                    {1.0, Double.NaN, 2.0, Double.NaN},
                    {1.0, negativeNaN, 2.0, 3.0}
                };
                for (int q = 0; q < windows.length; q++) {
                    int at0 = q * 2; // window (0, q) of channel 0, sample 1
                    x[in + at0] = windows[q][0];
                    x[in + at0 + 1] = windows[q][1];
                    x[in + w + at0] = windows[q][2];
                    x[in + w + at0 + 1] = windows[q][3];
                }
            }
            Tensor X = be.fromHost(d, x, batch, in), O = be.zeros(d, batch, out), A = be.zeros(d, batch, out);
            be.maxPool(X, ch, h, w, k, O, A);
            double[] want = new double[batch * out], wantArg = new double[batch * out];
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < ch; c++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int best = -1;
                            for (int ky = 0;
                                    ky < k;
                                    ky++) { // scanning order of PyTorch: rows, then columns; strict > keeps the first
                                for (int kx = 0; kx < k; kx++) {
                                    int at = (c * h + oy * k + ky) * w + ox * k + kx;
                                    double v = x[b * in + at];
                                    if (best < 0
                                            || v > x[b * in + best]
                                            || Double.isNaN(v) && !Double.isNaN(x[b * in + best])) best = at;
                                }
                            }
                            int o = b * out + (c * oh + oy) * ow + ox;
                            want[o] = x[b * in + best];
                            wantArg[o] = best;
                        }
                    }
                }
            }
            String what = "maxPool " + ch + "×" + h + "×" + w + " k=" + k;
            exact(want, O, what);
            double[] got = O.toHost();
            for (int i = 0; i < want.length; i++) {
                assertEquals(
                        Double.doubleToLongBits(want[i]),
                        Double.doubleToLongBits(got[i]),
                        what + " bits of [" + i + "] (signed zeros, NaN)");
            }
            exact(wantArg, A, what + " argmax");
            // the argmax indexes the maxima: gatherRows(x, argmax) = out
            Tensor G = be.zeros(d, batch, out);
            be.gatherRows(X, A, G);
            exact(want, G, what + " gather by argmax");
        }
        int h = 5, w = 7, k = 2, in = ch * h * w, out = ch * 2 * 3;
        Tensor X = be.zeros(d, batch, in);
        assertThrows(
                IllegalArgumentException.class,
                () -> be.maxPool(X, ch, h, w, k, be.zeros(d, batch, out + 1), be.zeros(d, batch, out + 1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.maxPool(X, ch, h, w, k, be.zeros(d, batch, out), be.zeros(d, batch, out - 1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.maxPool(X, ch, h + 1, w, k, be.zeros(d, batch, out), be.zeros(d, batch, out)));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.maxPool(X, ch, h, w, k, be.zeros(d, batch + 1, out), be.zeros(d, batch + 1, out)));
        assertThrows(
                IllegalArgumentException.class,
                () -> be.maxPool(X, ch, h, w, 0, be.zeros(d, batch, out), be.zeros(d, batch, out)),
                "k = 0: a clear argument error, not a division by zero");
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void gatherAndScatterRows(String name, Backend be, DType d) {
        int batch = 3, n = 8, m = 6;
        Random r = new Random(33);
        double[] src = round(rand(batch * n, 34), d),
                small = round(rand(batch * m, 35), d),
                idx = new double[batch * m];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(n);
        idx[0] = idx[1] = 5; // a repeated index: gathered twice, scattered as a sum
        idx[m - 1] = n - 1;
        Tensor S = be.fromHost(d, src, batch, n), I = be.fromHost(d, idx, batch, m), G = be.zeros(d, batch, m);
        be.gatherRows(S, I, G);
        double[] want = new double[batch * m];
        for (int b = 0; b < batch; b++) for (int j = 0; j < m; j++) want[b * m + j] = src[b * n + (int) idx[b * m + j]];
        exact(want, G, "gatherRows");
        Tensor V = be.fromHost(d, small, batch, m),
                D = be.fromHost(d, round(rand(batch * n, 36), d), batch, n); // old content is dropped
        be.scatterRows(V, I, D);
        double[] sc = new double[batch * n];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < m; j++) sc[b * n + (int) idx[b * m + j]] += small[b * m + j];
        close(sc, D, d, "scatterRows");
        assertEquals(round(new double[] {small[0] + small[1]}, d)[0], D.toHost()[5], tol(d), "repeated index adds");
        // scatter is the adjoint of gather: <gather(s), v> = <s, scatter(v)>
        assertEquals(
                be.dot(G, V),
                be.dot(S, D),
                10 * tol(d) * Math.max(1, Math.abs(be.dot(G, V))),
                "gather/scatter adjoint");
        assertThrows(IllegalArgumentException.class, () -> be.gatherRows(S, I, be.zeros(d, batch, m + 1)));
        assertThrows(IllegalArgumentException.class, () -> be.gatherRows(be.zeros(d, batch + 1, n), I, G));
        assertThrows(IllegalArgumentException.class, () -> be.scatterRows(V, I, be.zeros(d, batch - 1, n)));
        assertThrows(IllegalArgumentException.class, () -> be.scatterRows(V, be.zeros(d, batch, m + 1), D));
        assertThrows(IllegalArgumentException.class, () -> be.scatterRows(V, I, V), "in place");
        assertThrows(IllegalArgumentException.class, () -> be.gatherRows(S, I, be.zeros(other(d), batch, m)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void sameContent(String name, Backend be, DType d) {
        int n = 19;
        double[] x = round(rand(n, 37), d);
        Tensor X = be.fromHost(d, x, 1, n), Y = be.fromHost(d, x, 1, n);
        assertTrue(be.sameContent(X, Y));
        assertTrue(be.sameContent(X, X));
        double[] y = x.clone();
        y[n - 1] = d == DType.FLOAT32 ? Math.nextUp((float) y[n - 1]) : Math.nextUp(y[n - 1]); // one ulp of the dtype
        Y.load(y);
        assertFalse(be.sameContent(X, Y), "last element differs");
        y = x.clone();
        y[0] = 0.0;
        x[0] = -0.0;
        X.load(x);
        Y.load(y);
        assertFalse(be.sameContent(X, Y), "−0 and +0 differ");
        assertFalse(be.sameContent(X, be.zeros(d, 1, n + 1)), "lengths differ");
        assertFalse(be.sameContent(be.zeros(d, 1, n), be.zeros(other(d), 1, n)), "dtypes differ");
        assertTrue(be.sameContent(be.zeros(d, 1, n), be.zeros(d, n, 1)), "shape does not matter, elements do");
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void gleNeuronStep(String name, Backend be, DType d) {
        int rows = 4, n = 7;
        double dt = 0.1, gamma = 0.3;
        double[] s = round(rand(rows * n, 60), d),
                ie = round(rand(rows * n, 61), d),
                u0 = round(rand(rows * n, 62), d),
                v0 = round(rand(rows * n, 63), d);
        double[] tm = new double[n], tr = new double[n];
        for (int j = 0; j < n; j++) {
            tm[j] = round(new double[] {0.1 + 0.3 * j}, d)[0];
            tr[j] = round(new double[] {j % 2 == 0 ? tm[j] : 0.1}, d)[0];
        }
        for (boolean prospective : new boolean[] {true, false}) {
            Tensor S = be.fromHost(d, s, rows, n),
                    IE = be.fromHost(d, ie, rows, n),
                    U = be.fromHost(d, u0, rows, n),
                    V = be.fromHost(d, v0, rows, n);
            Tensor TM = be.fromHost(d, tm, 1, n), TR = be.fromHost(d, tr, 1, n);
            Tensor E = be.zeros(d, rows, n), UD = be.zeros(d, rows, n), UB = be.zeros(d, rows, n);
            be.gleNeuronStep(S, IE, TM, TR, dt, gamma, prospective, U, V, E, UD, UB);
            double[] we = new double[rows * n],
                    wv = new double[rows * n],
                    wud = new double[rows * n],
                    wub = new double[rows * n],
                    wu = new double[rows * n];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    int k = i * n + j;
                    double vd = (ie[k] - v0[k]) / tr[j];
                    we[k] = prospective ? v0[k] + tm[j] * vd : ie[k];
                    wv[k] = prospective ? v0[k] + dt * vd : ie[k];
                    wud[k] = (s[k] + gamma * we[k] - u0[k]) / tm[j];
                    wub[k] = u0[k] + tr[j] * wud[k];
                    wu[k] = u0[k] + dt * wud[k];
                }
            }
            String what = "gleNeuronStep prospective=" + prospective;
            close(we, E, d, what + " e");
            close(wv, V, d, what + " v");
            close(wud, UD, d, what + " u̇");
            close(wub, UB, d, what + " ŭ");
            close(wu, U, d, what + " u");
            exact(s, S, "s untouched");
            exact(ie, IE, "ie untouched");
        }
        Tensor A = be.zeros(d, rows, n), T = be.zeros(d, 1, n);
        assertThrows(
                IllegalArgumentException.class,
                () -> be.gleNeuronStep(
                        A,
                        A,
                        T,
                        be.zeros(d, 1, n + 1),
                        dt,
                        0,
                        true,
                        A,
                        A,
                        be.zeros(d, rows, n),
                        be.zeros(d, rows, n),
                        be.zeros(d, rows, n)),
                "τr of another length");
        assertThrows(
                IllegalArgumentException.class,
                () -> be.gleNeuronStep(
                        A,
                        A,
                        T,
                        T,
                        dt,
                        0,
                        true,
                        A,
                        be.zeros(d, rows, n),
                        be.zeros(d, rows + 1, n),
                        be.zeros(d, rows, n),
                        be.zeros(d, rows, n)),
                "e of another shape");
        Tensor E = be.zeros(d, rows, n);
        assertThrows(
                IllegalArgumentException.class,
                () -> be.gleNeuronStep(
                        A,
                        A,
                        T,
                        T,
                        dt,
                        0,
                        true,
                        be.zeros(d, rows, n),
                        be.zeros(d, rows, n),
                        E,
                        E,
                        be.zeros(d, rows, n)),
                "outputs alias");
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void adamStepMatchesTheFormulaOverSeveralSteps(String name, Backend be, DType d) {
        int n = 13;
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] p = round(rand(n, 70), d), m = new double[n], v = new double[n];
        Tensor P = be.fromHost(d, p, 1, n), M = be.zeros(d, 1, n), V = be.zeros(d, 1, n), G = be.zeros(d, 1, n);
        for (int t = 1; t <= 5; t++) {
            double[] g = round(rand(n, 80 + t), d);
            if (t == 3) g[0] = 0; // a zero gradient still moves p through the first moment
            be.copyFromHost(g, G);
            be.adamStep(P, G, M, V, lr, b1, b2, eps, t);
            for (int i = 0; i < n; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps);
            }
            close(p, P, d, "adam p, step " + t);
            close(m, M, d, "adam m, step " + t);
            close(v, V, d, "adam v, step " + t);
        }
        assertThrows(IllegalArgumentException.class, () -> be.adamStep(P, G, M, V, lr, b1, b2, eps, 0));
        assertThrows(
                IllegalArgumentException.class, () -> be.adamStep(P, be.zeros(d, 1, n + 1), M, V, lr, b1, b2, eps, 1));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("backends")
    public void clamp(String name, Backend be, DType d) {
        double[] x = {-3, -0.5, 0, 0.25, 0.5, 7, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        Tensor X = be.fromHost(d, x, 1, x.length);
        be.clamp(X, -0.5, 0.5);
        double[] got = X.toHost();
        assertArrayEquals(new double[] {-0.5, -0.5, 0, 0.25, 0.5, 0.5}, java.util.Arrays.copyOf(got, 6), 0.0);
        assertTrue(Double.isNaN(got[6]), "NaN stays NaN");
        assertEquals(-0.5, got[7], 0.0);
        assertEquals(0.5, got[8], 0.0);
        assertThrows(IllegalArgumentException.class, () -> be.clamp(X, 1, 0));
    }

    static DType other(DType d) {
        return d == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
    }
}
