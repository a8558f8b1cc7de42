package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.Network;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link CudaBackend#runRepeated} (CUDA graphs) against op-by-op runs, and larger shapes against the CPU backend; skipped without a GPU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaGraphTest {
    private CudaBackend be;

    @BeforeAll
    void start() {
        be = createBackend();
    }

    /** The backend under test: on a GPU (skipped where none is usable); {@link HostCudaGraphTest} gives the emulator's. */
    CudaBackend createBackend() {
        CudaBackendProvider p = new CudaBackendProvider();
        Assumptions.assumeTrue(p.isAvailable(), () -> "CUDA graph tests skipped: " + p.unavailableReason());
        return (CudaBackend) p.create();
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

    /**
     * A small Euler-like step that changes its arguments every time, as models do: h_next ← 0.9·h +
     * 0.1·φ(W·x) + OU noise at this step's counter, two buffers swapped every step, and an Adam
     * update of W with this step's count.
     */
    private final class Stepper {
        final Tensor w, x, pre, act, m, v, grad;
        Tensor h, hNext;
        final CounterRandom rng = new CounterRandom(5);
        long step;

        Stepper(DType d, int b, int nIn, int nOut) {
            w = be.fromHost(d, rand(nOut * nIn, 1), nOut, nIn);
            x = be.fromHost(d, rand(b * nIn, 2), b, nIn);
            pre = be.zeros(d, b, nOut);
            act = be.zeros(d, b, nOut);
            h = be.zeros(d, b, nOut);
            hNext = be.zeros(d, b, nOut);
            m = be.zeros(d, nOut, nIn);
            v = be.zeros(d, nOut, nIn);
            grad = be.zeros(d, nOut, nIn);
        }

        void step() {
            step++;
            be.gemm(false, true, 1.0, x, w, 0.0, pre);
            be.activation(Activation.SIGMOID, 1.0, pre, act);
            be.lincomb(hNext, 0.9, h, 0.1, act, 0, null);
            be.ouStep(hNext, rng, 3, step, 0.5, 0.01);
            be.gemm(true, false, 1e-2, hNext, x, 0.0, grad);
            be.adamStep(w, grad, m, v, 1e-3, 0.9, 0.999, 1e-8, step);
            Tensor t = h;
            h = hNext;
            hNext = t;
        }
    }

    @Test
    void runRepeatedComputesExactlyWhatTheOpsComputeOneByOne() {
        for (DType d : DType.values()) {
            Stepper eager = new Stepper(d, 4, 33, 65), graphed = new Stepper(d, 4, 33, 65);
            CudaBackend.GraphStats s0 = be.graphStats();
            for (int i = 0; i < 7; i++) {
                eager.step();
                be.runRepeated(graphed::step);
            }
            CudaBackend.GraphStats s1 = be.graphStats();
            assertArrayEquals(
                    eager.h.toHost(), graphed.h.toHost(), 0.0, "7 steps, new noise step and Adam count each, " + d);
            assertArrayEquals(eager.w.toHost(), graphed.w.toHost(), 0.0, "weights after 7 Adam steps, " + d);
            assertTrue(be.usesGraphs(), "graphs in use (CUDA 12.0+ driver): " + s1);
            assertEquals(
                    2,
                    s1.graphsBuilt() - s0.graphsBuilt(),
                    "one graph per buffer parity (a GEMM reads the swapped buffer): " + s1);
            assertEquals(7, s1.graphLaunches() - s0.graphLaunches(), s1.toString());
            assertTrue(
                    s1.nodesUpdated() - s0.nodesUpdated() >= 5 * 2,
                    "the noise and Adam nodes take each step's counters: " + s1);
        }
    }

    @Test
    void hostWorkInsideRunRepeatedSplitsTheRecordingAndKeepsTheOrder() {
        Tensor t = be.fromHost(DType.FLOAT32, new double[] {1, 2, 3}, 1, 3), u = be.zeros(DType.FLOAT32, 1, 3);
        double[] sum = new double[1];
        be.runRepeated(() -> {
            be.axpby(2.0, t, 0.0, u); // u = 2t, recorded
            sum[0] = be.sum(u); // a host read: what was recorded runs first
            Tensor tmp = be.zeros(DType.FLOAT32, 1, 3);
            be.fill(tmp, sum[0]);
            be.axpby(1.0, tmp, 1.0, u); // u = 2t + 12
            tmp.close(); // freeing queues the recorded ops that use tmp first
            be.axpby(1.0, t, 1.0, u); // u = 3t + 12
        });
        assertEquals(12.0, sum[0], 0.0);
        assertArrayEquals(new double[] {15, 18, 21}, u.toHost(), 0.0);
    }

    @Test
    void anExceptionInsideRunRepeatedKeepsTheOpsBeforeItAndTheBackendUsable() {
        Tensor t = be.fromHost(DType.FLOAT32, new double[] {1, 2, 3}, 1, 3), u = be.zeros(DType.FLOAT32, 1, 3);
        Tensor wrong = be.zeros(DType.FLOAT32, 1, 4);
        assertThrows(
                IllegalArgumentException.class,
                () -> be.runRepeated(() -> {
                    be.axpby(1.0, t, 0.0, u);
                    be.axpby(1.0, t, 1.0, u);
                    be.axpby(1.0, t, 0.0, wrong); // shape mismatch
                }));
        assertArrayEquals(new double[] {2, 4, 6}, u.toHost(), 0.0, "the ops before the failure ran");
        assertEquals(6.0, be.sum(t), 0.0);
    }

    @Test
    void microcircuitAndLeNetworkStepThroughGraphsExactlyAsOpByOp() {
        List<String> layers = List.of("model.layers=[30, 20, 10]");
        try (Network a = BenchWorkloads.network("microcircuit-4-30-3", layers, be, DType.FLOAT32, 2, 7);
                Network b = BenchWorkloads.network("microcircuit-4-30-3", layers, be, DType.FLOAT32, 2, 7)) {
            for (int i = 0; i < 25; i++) {
                a.step();
                be.runRepeated(b::step);
            }
            assertStatesEqual(a, b, "PAL microcircuit 30-20-10, 25 steps with OU noise");
        }
        try (Network a = BenchWorkloads.network("le-lenet5-pal", be, DType.FLOAT32, 4, 3);
                Network b = BenchWorkloads.network("le-lenet5-pal", be, DType.FLOAT32, 4, 3)) {
            for (int i = 0; i < 6; i++) {
                a.step();
                be.runRepeated(b::step);
            }
            assertStatesEqual(a, b, "LeNet5 PAL, batch 4, 6 steps");
        }
    }

    /** Every bench workload (configs/bench), each family's step with its plasticity (GLE: with Adam), at batch 2. */
    @Test
    void everyBenchWorkloadStepsThroughGraphsExactlyAsOpByOp() {
        for (String w : BenchWorkloads.NAMES) {
            try (Network a = BenchWorkloads.network(w, be, DType.FLOAT32, 2, 5);
                    Network b = BenchWorkloads.network(w, be, DType.FLOAT32, 2, 5)) {
                for (int i = 0; i < 8; i++) {
                    a.step();
                    be.runRepeated(b::step);
                }
                assertStatesEqual(a, b, w + ", batch 2, 8 steps");
                assertEquals(a.stateScalars(), b.stateScalars(), w + ": step counters");
            }
        }
    }

    private static void assertStatesEqual(Network a, Network b, String what) {
        Map<String, Tensor> sa = BenchWorkloads.tensors(a), sb = BenchWorkloads.tensors(b);
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet())
            assertArrayEquals(sa.get(k).toHost(), sb.get(k).toHost(), 0.0, what + ": " + k);
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
            Tensor A = be.fromHost(DType.FLOAT32, a, m, k),
                    B = be.fromHost(DType.FLOAT32, bb, n, k),
                    C = be.zeros(DType.FLOAT32, m, n);
            Tensor Ac = cpu.fromHost(DType.FLOAT32, a, m, k),
                    Bc = cpu.fromHost(DType.FLOAT32, bb, n, k),
                    Cc = cpu.zeros(DType.FLOAT32, m, n);
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
            Tensor T = be.zeros(DType.FLOAT32, 8192, 16),
                    Tc = cpu.zeros(DType.FLOAT32, 8192, 16),
                    S = be.zeros(DType.FLOAT32, 1, 16),
                    Sc = cpu.zeros(DType.FLOAT32, 1, 16);
            be.copyFromHost(toFloat(x), 0, T);
            cpu.copyFromHost(toFloat(x), 0, Tc);
            be.columnSums(0.5, T, 0.0, S);
            cpu.columnSums(0.5, Tc, 0.0, Sc);
            double[] s = S.toHost(), sc = Sc.toHost();
            for (int j = 0; j < 16; j++)
                assertEquals(sc[j], s[j], 1e-4 * Math.max(1, Math.abs(sc[j])), "tall column sums [" + j + "]");
            Tensor O = be.zeros(DType.FLOAT32, 1024, 1024), Oc = cpu.zeros(DType.FLOAT32, 1024, 1024);
            be.softmaxRows(X, O);
            cpu.softmaxRows(Xc, Oc);
            double[] o = O.toHost(), oc = Oc.toHost();
            for (int i = 0; i < o.length; i += 97)
                assertEquals(oc[i], o[i], 1e-4 * Math.abs(oc[i]) + 1e-9, "softmax, block per row [" + i + "]");
            assertTrue(be.device().contains("compute capability"), be.device());
        }
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
