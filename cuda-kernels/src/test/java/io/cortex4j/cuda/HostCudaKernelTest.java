package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Host cases for the kernels the conformance suite and the golden cases do not reach, so that
 * every kernel entry point runs on the host ({@link HostCudaCoverageTest}):
 *
 * <ul>
 *   <li>the backend's second code paths (tall, narrow columnSums: column_sums_partial + _finish;
 *       wide-row softmax in float64: softmax_rows_block_f64), through the unchanged
 *       {@link CudaBackend} on the emulator, against the CPU backend ({@link Nd4jCpuBackend}) at
 *       the GPU criterion 1e-4 (relative to max(|cpu|, the array's RMS));</li>
 *   <li>the kernels no backend op launches (microcircuit.cu; the casts; random_bits, random_uniforms*,
 *       random_normals*, random_permutation), launched directly through {@link CudaDriver} on the
 *       emulator with PTX from its NVRTC stand-in, against Java references: the random kernels
 *       bit for bit against {@link CounterRandom} (their documented contract), the casts exactly,
 *       the float32 microcircuit kernels to 1e-6 relative (the same float operations in Java).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostCudaKernelTest {
    private static final int BLOCK = 256;
    private HostCuda h;
    private CudaBackend cuda;
    private Backend cpu;
    private CudaDriver drv;
    private Nvrtc nvrtc;
    private MemorySegment stream;
    private final Map<String, MemorySegment> modules = new HashMap<>();

    @BeforeEach
    void emulator() {
        h = HostCuda.require();
    }

    @AfterAll
    void done() {
        if (cuda != null) cuda.close();
        if (cpu != null) cpu.close();
        if (h != null) HostCuda.SUITES_DONE.add(getClass().getSimpleName());
    }

    // ------------------------------------------------------------------------------------ backend paths

    private CudaBackend cuda() {
        if (cuda == null) cuda = new CudaBackend(h.options());
        return cuda;
    }

    private Backend cpu() {
        if (cpu == null) cpu = new Nd4jCpuBackend();
        return cpu;
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    /** The GPU criterion of the conformance and golden checks: |got − cpu| ≤ 1e-4·max(|cpu|, rms(cpu)). */
    static void closeToCpu(String what, double[] cpu, double[] got) {
        double rms = 0;
        for (double v : cpu) rms += v * v;
        rms = Math.sqrt(rms / Math.max(1, cpu.length));
        for (int i = 0; i < cpu.length; i++) {
            double tol = 1e-4 * Math.max(Math.abs(cpu[i]), rms);
            if (!(Math.abs(got[i] - cpu[i]) <= tol))
                fail(what + ": element " + i + ": host-emulated cuda " + got[i] + ", cpu " + cpu[i] + " (tolerance "
                        + tol + ")");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void columnSumsOfATallNarrowMatrixTakeThePartialPath(DType d) {
        int rows = 4099, n = 37; // rows >= COLUMN_SUMS_TALL and n < COLUMN_SUMS_WIDE: column_sums_partial + _finish
        double[] m = random(rows * n, 11), row = random(n, 12);
        double[] want;
        try (Tensor M = cpu().fromHost(d, m, rows, n);
                Tensor R = cpu().fromHost(d, row, 1, n)) {
            cpu().columnSums(0.75, M, -0.5, R);
            want = R.toHost();
        }
        try (Tensor M = cuda().fromHost(d, m, rows, n);
                Tensor R = cuda().fromHost(d, row, 1, n)) {
            cuda().columnSums(0.75, M, -0.5, R);
            closeToCpu("columnSums " + rows + "x" + n + " " + d, want, R.toHost());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxOfWideRowsTakesTheBlockPath(DType d) {
        int rows = 7, n = 301; // n > SOFTMAX_THREAD_PER_ROW_MAX: softmax_rows_block(_f64)
        double[] x = random(rows * n, 13);
        for (int i = 0; i < x.length; i++) x[i] *= 4;
        double[] want;
        try (Tensor X = cpu().fromHost(d, x, rows, n);
                Tensor O = cpu().zeros(d, rows, n)) {
            cpu().softmaxRows(X, O);
            want = O.toHost();
        }
        try (Tensor X = cuda().fromHost(d, x, rows, n);
                Tensor O = cuda().zeros(d, rows, n)) {
            cuda().softmaxRows(X, O);
            closeToCpu("softmaxRows " + rows + "x" + n + " " + d, want, O.toHost());
        }
    }

    // ------------------------------------------------------------------------------------ direct launches

    private void driver() {
        if (drv != null) return;
        drv = new CudaDriver(h.library);
        drv.init();
        drv.usePrimaryContext(drv.device(0));
        stream = drv.createStream();
        nvrtc = new Nvrtc(h.library);
    }

    private MemorySegment function(String source, String kernel) {
        driver();
        MemorySegment module = modules.computeIfAbsent(
                source,
                s -> drv.loadModule(KernelCache.ptx(
                        nvrtc,
                        nvrtc.version(),
                        s,
                        KernelSources.load(s),
                        "compute_90",
                        CudaBackend.NVRTC_OPTIONS,
                        h.ptxCache)));
        return drv.function(module, kernel);
    }

    /** Device memory holding {@code data} (a float[], double[] or int[]). */
    private long upload(Object data) {
        driver();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = switch (data) {
                case float[] f -> a.allocateFrom(JAVA_FLOAT, f);
                case double[] f -> a.allocateFrom(JAVA_DOUBLE, f);
                case int[] f -> a.allocateFrom(JAVA_INT, f);
                default -> throw new IllegalArgumentException(data.getClass().toString());
            };
            long p = drv.malloc(Math.max(4, s.byteSize()));
            drv.copyToDevice(p, s, s.byteSize());
            return p;
        }
    }

    private float[] floats(long p, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(4L * n);
            drv.copyToHost(s, p, 4L * n);
            return s.toArray(JAVA_FLOAT);
        }
    }

    private double[] doubles(long p, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8L * n);
            drv.copyToHost(s, p, 8L * n);
            return s.toArray(JAVA_DOUBLE);
        }
    }

    private int[] ints(long p, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(4L * n);
            drv.copyToHost(s, p, 4L * n);
            return s.toArray(JAVA_INT);
        }
    }

    /** Launches kernel of source on grid x BLOCK threads; args: Integer (int), Long (long long or a pointer), Float, Double. */
    private void launch(String source, String kernel, int grid, int block, Object... args) {
        MemorySegment f = function(source, kernel);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment values = a.allocate(8L * args.length, 8), ptrs = a.allocate(ADDRESS, args.length);
            for (int i = 0; i < args.length; i++) {
                long off = 8L * i;
                switch (args[i]) {
                    case Integer v -> values.set(JAVA_INT, off, v);
                    case Long v -> values.set(JAVA_LONG, off, v);
                    case Float v -> values.set(JAVA_FLOAT, off, v);
                    case Double v -> values.set(JAVA_DOUBLE, off, v);
                    default -> throw new IllegalArgumentException(String.valueOf(args[i]));
                }
                ptrs.setAtIndex(ADDRESS, i, values.asSlice(off, 8));
            }
            drv.launch(f, grid, block, 0, stream, ptrs);
            drv.synchronize(stream);
        }
    }

    private static int grid(long work) {
        return (int) Math.max(1, (work + BLOCK - 1) / BLOCK);
    }

    private static float[] floatRandom(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static void closeFloats(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            double tol = 1e-6 * Math.max(1, Math.abs(want[i]));
            if (!(Math.abs(got[i] - want[i]) <= tol))
                fail(what + ": element " + i + ": host kernel " + got[i] + ", Java reference " + want[i]);
        }
    }

    @Test
    void microcircuitElementwiseKernels() {
        int n = 1003;
        float[] x = floatRandom(n, 1), y = floatRandom(n, 2), z = floatRandom(n, 3);
        long px = upload(x), py = upload(y), pz = upload(z), pout = upload(new float[n]);
        String mc = KernelSources.MICROCIRCUIT;

        launch(mc, "sigmoid", grid(n), BLOCK, pout, px, n);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = 1.0f / (1.0f + (float) Math.exp(-x[i]));
        closeFloats("sigmoid", want, floats(pout, n));

        float a = 0.37f, b = -1.25f;
        launch(mc, "axpby", grid(n), BLOCK, py, px, n, a, b);
        for (int i = 0; i < n; i++) want[i] = a * x[i] + b * y[i];
        closeFloats("axpby", want, floats(py, n));
        float[] y1 = want.clone();

        float dt = 0.1f, tau = 3f, sigma = 0.4f;
        launch(mc, "ou_noise_update", grid(n), BLOCK, pz, px, n, dt, tau, sigma);
        float invTau = 1.0f / tau, diff = (float) Math.sqrt(dt * tau) * sigma;
        for (int i = 0; i < n; i++) want[i] = z[i] + invTau * (-dt * z[i] + diff * x[i]);
        closeFloats("ou_noise_update", want, floats(pz, n));
        float[] z1 = want.clone();

        float tauHp = 7f;
        launch(mc, "highpass_update", grid(n), BLOCK, pout, px, py, n, dt, tauHp);
        float[] hp0 = new float[n];
        for (int i = 0; i < n; i++) hp0[i] = 1.0f / (1.0f + (float) Math.exp(-x[i])); // pout held the sigmoid
        for (int i = 0; i < n; i++) want[i] = hp0[i] + (x[i] - y1[i]) - (dt / tauHp) * hp0[i];
        closeFloats("highpass_update", want, floats(pout, n));

        float k = 0.2f;
        long pw = upload(x), plo = upload(y);
        launch(mc, "lowpass_apply", grid(n), BLOCK, pw, plo, pz, n, k);
        float[] lo = new float[n], w = new float[n];
        for (int i = 0; i < n; i++) {
            float l = y[i];
            l += k * (z1[i] - l);
            lo[i] = l;
            w[i] = x[i] + l;
        }
        closeFloats("lowpass_apply lo", lo, floats(plo, n));
        closeFloats("lowpass_apply w", w, floats(pw, n));
        for (long p : new long[] {px, py, pz, pout, pw, plo}) drv.free(p);
    }

    @Test
    void philoxNormalsAreCounterRandomNormals() {
        int n = 1003, stream = 5;
        long seed = 0x1234_5678_9abc_def1L, step = (3L << 32) + 17;
        long out = upload(new float[n]);
        launch(
                KernelSources.MICROCIRCUIT,
                "philox_normals",
                grid((n + 3) / 4),
                BLOCK,
                out,
                n,
                (int) seed,
                (int) (seed >>> 32),
                stream,
                step);
        CounterRandom r = new CounterRandom(seed);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = (float) r.normal(stream, step, i);
        closeFloats("philox_normals", want, floats(out, n));
        drv.free(out);
    }

    @Test
    void castsAreExact() {
        double[] d = {
            0,
            -0.0,
            1,
            -1.5,
            1e-40,
            3.4028235677973366e38,
            1e39,
            Double.NaN,
            Double.NEGATIVE_INFINITY,
            0.1,
            1.0000000596046448,
            2.5e-45,
            123456789.123
        };
        int n = d.length;
        long src = upload(d), dst = upload(new float[n]);
        launch(KernelSources.SPI_ELEMENTWISE, "cast_f32_from_f64", 1, BLOCK, src, dst, (long) n);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = (float) d[i];
        assertArrayEquals(want, floats(dst, n), "cast_f32_from_f64");
        long back = upload(new double[n]);
        launch(KernelSources.SPI_ELEMENTWISE, "cast_f64_from_f32", 1, BLOCK, dst, back, (long) n);
        double[] wantD = new double[n];
        for (int i = 0; i < n; i++) wantD[i] = want[i];
        assertArrayEquals(wantD, doubles(back, n), "cast_f64_from_f32");
        for (long p : new long[] {src, dst, back}) drv.free(p);
    }

    @Test
    void randomKernelsAreBitIdenticalToCounterRandom() {
        long seed = -0x0123_4567_89ab_cdefL, step = 0x1_0000_0003L, first = 6;
        int n = 1003, stream = 3;
        CounterRandom r = new CounterRandom(seed);
        String src = KernelSources.SPI_RANDOM;
        int grid = 2; // fewer threads than Philox blocks: the grid-stride loops run too

        long bits = upload(new int[n]);
        launch(src, "random_bits", grid, BLOCK, bits, first, (long) n, seed, stream, step);
        int[] wantBits = new int[n];
        for (int i = 0; i < n; i++) wantBits[i] = r.bits(stream, step, first + i);
        assertArrayEquals(wantBits, ints(bits, n), "random_bits");

        long uf = upload(new float[n]), ud = upload(new double[n]);
        launch(src, "random_uniforms", grid, BLOCK, uf, first, (long) n, seed, stream, step);
        launch(src, "random_uniforms_f64", grid, BLOCK, ud, first, (long) n, seed, stream, step);
        float[] wantUf = new float[n];
        double[] wantUd = new double[n];
        for (int i = 0; i < n; i++) {
            wantUd[i] = r.uniform(stream, step, first + i);
            wantUf[i] = (float) wantUd[i];
        }
        assertArrayEquals(wantUf, floats(uf, n), "random_uniforms");
        assertArrayEquals(wantUd, doubles(ud, n), "random_uniforms_f64");

        long nf = upload(new float[n]), nd = upload(new double[n]);
        launch(src, "random_normals", grid, BLOCK, nf, first, (long) n, seed, stream, step);
        launch(src, "random_normals_f64", grid, BLOCK, nd, first, (long) n, seed, stream, step);
        double[] wantNd = new double[n];
        r.normals(stream, step, first, wantNd, 0, n);
        float[] wantNf = new float[n];
        for (int i = 0; i < n; i++) wantNf[i] = (float) wantNd[i];
        assertArrayEquals(wantNf, floats(nf, n), "random_normals");
        assertArrayEquals(wantNd, doubles(nd, n), "random_normals_f64");

        for (int size : new int[] {1, 2, 5, 97}) {
            long perm = upload(new int[size]);
            launch(src, "random_permutation", 1, 1, perm, size, seed, stream, step);
            assertArrayEquals(r.permutation(stream, step, size), ints(perm, size), "random_permutation n=" + size);
            drv.free(perm);
        }
        for (long p : new long[] {bits, uf, ud, nf, nd}) drv.free(p);
    }
}
