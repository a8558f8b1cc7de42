package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** CUDA-graph capture and replay, and larger shapes against the CPU backend; skipped without a GPU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaGraphTest {
    private CudaBackend be;

    @BeforeAll
    void start() {
        CudaBackendProvider p = new CudaBackendProvider();
        Assumptions.assumeTrue(p.isAvailable(), () -> "CUDA graph tests skipped: " + p.unavailableReason());
        be = (CudaBackend) p.create();
    }

    @AfterAll
    void stop() {
        if (be != null) be.close();
    }

    static double[] rand(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    /** A small Euler-like step: h ← 0.9·h + 0.1·φ(W·x), x fixed; gemm, activation, lincomb, OU noise. */
    private void step(Tensor w, Tensor x, Tensor pre, Tensor act, Tensor h, CounterRandom rng) {
        be.gemm(false, true, 1.0, x, w, 0.0, pre);
        be.activation(Activation.SIGMOID, 1.0, pre, act);
        be.lincomb(h, 0.9, h, 0.1, act, 0, null);
        be.ouStep(h, rng, 3, 17, 1.0, 0.01);
    }

    @Test
    void aCapturedStepReplaysLikeTheEagerOne() {
        int b = 4, nIn = 33, nOut = 65;
        for (DType d : DType.values()) {
            double[] w = rand(nOut * nIn, 1), x = rand(b * nIn, 2);
            CounterRandom rng = new CounterRandom(5);
            Tensor W = be.fromHost(d, w, nOut, nIn), X = be.fromHost(d, x, b, nIn), P = be.zeros(d, b, nOut), A = be.zeros(d, b, nOut);
            Tensor H1 = be.zeros(d, b, nOut), H2 = be.zeros(d, b, nOut);
            for (int i = 0; i < 4; i++) step(W, X, P, A, H1, rng);
            step(W, X, P, A, H2, rng); // once eagerly, then captured: the capture itself runs nothing
            try (CudaBackend.Graph g = be.capture(() -> step(W, X, P, A, H2, rng))) {
                for (int i = 0; i < 3; i++) g.replay();
                be.synchronize();
            }
            assertArrayEquals(H1.toHost(), H2.toHost(), 0.0, "4 eager steps = 1 eager + 3 replays, " + d);
        }
    }

    @Test
    void hostOpsInsideACaptureThrowAndTheBackendStaysUsable() {
        Tensor t = be.fromHost(DType.FLOAT32, new double[] {1, 2, 3}, 1, 3);
        assertThrows(IllegalStateException.class, () -> be.capture(() -> be.sum(t)));
        assertThrows(IllegalStateException.class, () -> be.capture(() -> be.zeros(DType.FLOAT32, 2)));
        assertEquals(6.0, be.sum(t), 0.0);
    }

    /** The CPU backend, or a skip where ND4J's native libraries are not there (the packaged GPU checks leave them out). */
    static Nd4jCpuBackend cpuOrSkip() {
        try {
            return new Nd4jCpuBackend();
        } catch (LinkageError | RuntimeException e) {
            Assumptions.abort("needs the ND4J CPU backend, whose native libraries are not on this class path: " + e);
            throw e;
        }
    }

    @Test
    void largerShapesAgreeWithTheCpuBackend() {
        try (Nd4jCpuBackend cpu = cpuOrSkip()) {
            int m = 128, k = 784, n = 256;
            double[] a = rand(m * k, 11), bb = rand(n * k, 12);
            Tensor A = be.fromHost(DType.FLOAT32, a, m, k), B = be.fromHost(DType.FLOAT32, bb, n, k), C = be.zeros(DType.FLOAT32, m, n);
            Tensor Ac = cpu.fromHost(DType.FLOAT32, a, m, k), Bc = cpu.fromHost(DType.FLOAT32, bb, n, k), Cc = cpu.zeros(DType.FLOAT32, m, n);
            be.gemm(false, true, 1.0, A, B, 0.0, C);
            cpu.gemm(false, true, 1.0, Ac, Bc, 0.0, Cc);
            double[] g = C.toHost(), want = Cc.toHost();
            double scale = 0;
            for (double v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < g.length; i++) assertEquals(want[i], g[i], 1e-4 * scale, "gemm [" + i + "]");
            int len = 1 << 20;
            double[] x = rand(len, 13);
            Tensor X = be.fromHost(DType.FLOAT32, x, 1024, 1024), Xc = cpu.fromHost(DType.FLOAT32, x, 1024, 1024);
            assertEquals(cpu.sum(Xc), be.sum(X), 1e-6 * len);
            assertEquals(cpu.maxAbs(Xc), be.maxAbs(X), 0.0);
            Tensor R = be.zeros(DType.FLOAT32, 1, 1024), Rc = cpu.zeros(DType.FLOAT32, 1, 1024);
            be.columnSums(1.0, X, 0.0, R);
            cpu.columnSums(1.0, Xc, 0.0, Rc);
            assertArrayEquals(Rc.toHost(), R.toHost(), 0.0, "column sums, thread per column: the CPU's bits");
            Tensor T = be.zeros(DType.FLOAT32, 8192, 16), Tc = cpu.zeros(DType.FLOAT32, 8192, 16), S = be.zeros(DType.FLOAT32, 1, 16),
                    Sc = cpu.zeros(DType.FLOAT32, 1, 16);
            be.copyFromHost(toFloat(x), 0, T);
            cpu.copyFromHost(toFloat(x), 0, Tc);
            be.columnSums(0.5, T, 0.0, S);
            cpu.columnSums(0.5, Tc, 0.0, Sc);
            double[] s = S.toHost(), sc = Sc.toHost();
            for (int j = 0; j < 16; j++) assertEquals(sc[j], s[j], 1e-4 * Math.max(1, Math.abs(sc[j])), "tall column sums [" + j + "]");
            Tensor O = be.zeros(DType.FLOAT32, 1024, 1024), Oc = cpu.zeros(DType.FLOAT32, 1024, 1024);
            be.softmaxRows(X, O);
            cpu.softmaxRows(Xc, Oc);
            double[] o = O.toHost(), oc = Oc.toHost();
            for (int i = 0; i < o.length; i += 97) assertEquals(oc[i], o[i], 1e-4 * Math.abs(oc[i]) + 1e-9, "softmax, block per row [" + i + "]");
            assertTrue(be.device().contains("compute capability"), be.device());
        }
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
