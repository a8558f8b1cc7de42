package io.cortex4j.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.OpChecks;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import io.cortex4j.tensor.VectorApi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPU reference backend, on ND4J buffers. ND4J allocates and owns the memory; the ops run as
 * plain Java loops over the buffers (each ND4J op costs 10–20 µs of call overhead, which would
 * dominate small networks at batch 1), and GEMMs above {@link #blasThreshold} multiply-adds go
 * straight to the OpenBLAS that ND4J bundles ({@code cblas_sgemm}/{@code cblas_dgemm} on the
 * buffers' addresses; ND4J's own mmul is several times slower).
 *
 * <p>Elementwise arithmetic is done in double and rounded once when stored, for float32 too; float32
 * tensors have their own loops (no per-element dtype branch, unaligned accesses, so that C2 can
 * vectorise them). Large elementwise, convolution and pooling ops are split into contiguous ranges
 * run on {@code cortex4j.cpu.threads} threads (default: all cores; the caller runs the first range,
 * the polling daemon threads of {@link SpinPool} the others). Every element is computed exactly as in one thread,
 * and reductions keep their order, so results do not depend on the thread count. A backend
 * instance is not thread-safe: one model steps on one backend.
 */
public final class Nd4jCpuBackend implements Backend {
    /** Multiply-adds (m·n·k) from which a GEMM is handed to OpenBLAS rather than the Java loops. */
    private final long blasThreshold;
    /** Threads an op may use (1: everything runs in the caller). */
    private final int threads;
    /** Multiplies the per-op minimum work per thread; 0 splits every op that has two elements (for tests). */
    private final double grainScale;
    /** Floats of im2col/col2im columns the float32 loops build at a time in a heap buffer (whole output rows). */
    private final long sampleBuffer;

    private double[] scratch = new double[0];
    /** Per-range scratch of the split ops (index: range number). */
    private final double[][] partScratch;
    /** Per-range float buffers of the split ops: [range][slot]. */
    private final float[][][] partFloats;
    /** Heap rows of the float32 GLE neuron step and Adam (caller thread only): [array][chunk element]. */
    private float[][] chunkFloats = new float[11][0];
    /** Per-range long buffers of the split ops. */
    private final long[][] partLongs;
    /** Per-range int buffers of the split ops (maxPool's order keys). */
    private final int[][] partInts;

    static {
        Blas.pinNd4jKernel(); // before ND4J loads its OpenBLAS: its kernels where it does not know the CPU
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /** The GEMM library ({@link Blas}: a current OpenBLAS, where chosen), or null: ND4J's OpenBLAS. */
    private final Blas blas;

    public Nd4jCpuBackend() {
        // with the current OpenBLAS a GEMM of 4096 multiply-adds already beats the Java loops (its calls
        // cost less than ND4J's: FFM, no JavaCPP); the microcircuit at batch 32 then takes 0.16 ms a step
        // instead of 0.35. ND4J's OpenBLAS keeps the threshold whose bits the golden file holds.
        this(Long.getLong("cortex4j.cpu.blasThreshold", Blas.get() != null ? 4_096L : 32_768L));
    }

    public Nd4jCpuBackend(long blasThreshold) {
        this(blasThreshold, Integer.getInteger("cortex4j.cpu.threads", CORES), 1.0);
    }

    /**
     * @param blasThreshold multiply-adds from which a GEMM goes to OpenBLAS
     * @param threads       threads for the elementwise, convolution and pooling ops (≥ 1)
     * @param grainScale    scales the minimum work per thread of every op (1: tuned defaults; 0: split
     *                      whenever possible and work in the smallest chunks, which only tests want)
     */
    public Nd4jCpuBackend(long blasThreshold, int threads, double grainScale) {
        this(blasThreshold, threads, grainScale, Blas.get());
    }

    /** With {@code blas} (null: ND4J's OpenBLAS) for the GEMMs, whatever {@code -Dcortex4j.blas} says (tests). */
    Nd4jCpuBackend(long blasThreshold, int threads, double grainScale, Blas blas) {
        this(blasThreshold, threads, grainScale, blas, VectorApi.enabled());
    }

    /** With or without the Vector API paths (tests: both give the same bits). */
    Nd4jCpuBackend(long blasThreshold, int threads, double grainScale, Blas blas, boolean vectors) {
        if (vectors && !VectorApi.enabled())
            throw new IllegalArgumentException("the Vector API is off here: " + VectorApi.offReason());
        this.vectors = vectors;
        this.blas = blas;
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        if (!(grainScale >= 0)) throw new IllegalArgumentException("grainScale must be ≥ 0, got " + grainScale);
        this.blasThreshold = blasThreshold;
        this.threads = threads;
        this.grainScale = grainScale;
        this.sampleBuffer = grainScale == 0 ? 1 : 1 << 20;
        this.partScratch = new double[threads][];
        this.partFloats = new float[threads][4][];
        this.partLongs = new long[threads][];
        this.partInts = new int[threads][];
        Nd4j.getRandom(); // initialise ND4J (and the native libraries) eagerly, once
        Blas.nd4jKernel(); // its kernels found out, and checked where cortex4j chose them (Blas.pinNd4jKernel)
    }

    /** A contiguous range {@code [from, to)} of an op's work, the {@code part}-th of those it was split into. */
    @FunctionalInterface
    private interface Range {
        void run(int part, long from, long to);
    }

    /**
     * Runs {@code body} over {@code [0, n)}, split into up to {@link #threads} contiguous ranges of at
     * least {@code grain} units each (scaled by {@link #grainScale}); the caller runs range 0.
     */
    private void split(long n, long grain, Range body) {
        long g = Math.max(1, (long) (grain * grainScale));
        int parts = (int) Math.min(threads, n / g);
        SpinPool pool = SpinPool.shared();
        if (parts <= 1 || !pool.tryAcquire(parts - 1)) {
            body.run(0, 0, n);
            return;
        }
        Throwable err = null;
        try {
            for (int p = 1; p < parts; p++) {
                int part = p;
                long from = n * p / parts, to = n * (p + 1) / parts;
                pool.start(p - 1, () -> body.run(part, from, to));
            }
            try {
                body.run(0, 0, n / parts);
            } catch (Throwable t) {
                err = t;
            }
            for (int p = 1; p < parts; p++) {
                Throwable e = pool.await(p - 1);
                if (err == null) err = e;
            }
        } finally {
            pool.release();
        }
        if (err instanceof RuntimeException re) throw re;
        if (err instanceof Error e) throw e;
        if (err != null) throw new IllegalStateException(err);
    }

    /**
     * Whether an op of n units runs in the caller alone. The elementwise ops test this first and then
     * call their range loop directly, so that the small tensors of batch-1 steps make no range objects.
     */
    private boolean inCaller(long n, long grain) {
        return threads <= 1 || n / Math.max(1, (long) (grain * grainScale)) < 2;
    }

    /** A scratch array of at least n doubles for range {@code part} of a split op (each range touches only its own slot). */
    private double[] partScratch(int part, int n) {
        double[] a = partScratch[part];
        if (a == null || a.length < n) partScratch[part] = a = new double[n];
        return a;
    }

    /**
     * A float buffer of at least n elements for range {@code part}, slot 0–3. The float32 loops of the
     * convolution and pooling ops copy rows between tensors and these heap arrays in bulk, and index
     * the arrays in between (much cheaper per element than segment accesses in short inner loops).
     */
    private float[] partFloats(int part, int slot, int n) {
        float[] a = partFloats[part][slot];
        if (a == null || a.length < n) partFloats[part][slot] = a = new float[n];
        return a;
    }

    private int[] partInts(int part, int n) {
        int[] a = partInts[part];
        if (a == null || a.length < n) partInts[part] = a = new int[n];
        return a;
    }

    private long[] partLongs(int part, int n) {
        long[] a = partLongs[part];
        if (a == null || a.length < n) partLongs[part] = a = new long[n];
        return a;
    }

    /** dst[off .. off + n) = floats src[from .. from + n). */
    private static void load(MemorySegment src, long from, float[] dst, int off, int n) {
        MemorySegment.copy(src, F32U, from * 4, dst, off, n);
    }

    /** dst[0 .. n) = floats src[from .. from + n). */
    private static void load(MemorySegment src, long from, float[] dst, int n) {
        MemorySegment.copy(src, F32U, from * 4, dst, 0, n);
    }

    /** floats dst[at .. at + n) = src[0 .. n). */
    private static void store(float[] src, MemorySegment dst, long at, int n) {
        MemorySegment.copy(src, 0, dst, F32U, at * 4, n);
    }

    // minimum work per thread (elements) by cost class: ~0.3 ns, ~1 ns and ~10 ns per element
    private static final long CHEAP = 1 << 15, MEDIUM = 1 << 13, COSTLY = 1 << 11;

    /**
     * Whether the float32 im2col/col2im use {@link ConvVector} where the kernel row fits (same bits;
     * {@link VectorApi}); {@link ConvVector} is not loaded otherwise.
     */
    private final boolean vectors;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String device() {
        return "CPU: " + Runtime.getRuntime().availableProcessors() + " cores, ND4J "
                + Nd4j.getBackend().getClass().getSimpleName() + ", GEMM "
                + (blas != null ? blas.name() : nd4jGemm()) + ", OpenBLAS threads "
                + openblas.blas_get_num_threads() + ", " + vectorPaths();
    }

    /**
     * Which of the CPU code's Vector API paths run (same values either way): {@code cortex4j info}, the
     * device string.
     */
    public static String vectorPaths() {
        String off = VectorApi.offReason();
        if (off != null)
            return "Vector API off (" + off + "): normals, im2col, col2im in array loops (same values, slower)";
        return "Vector API on: normals in " + CounterRandom.normalsImplementation() + ", im2col/col2im "
                + (ConvVector.im2colFits(5)
                        ? "in vectors for kernels up to " + ConvVector.maxKernel()
                        : "in array loops");
    }

    /**
     * Where this backend's GEMMs run on ND4J's OpenBLAS with kernels older than the CPU (see
     * {@link Blas#describe()}): what to do about it; else null.
     */
    public String gemmWarning() {
        return blas != null ? null : Blas.nd4jKernelWarning();
    }

    /** {@code ND4J's OpenBLAS 0.3.19 (Haswell kernels)}, with a warning where they are older than the CPU. */
    private static String nd4jGemm() {
        String k = Blas.nd4jKernels(), slow = Blas.nd4jKernelWarning();
        return "ND4J's OpenBLAS 0.3.19" + (k != null ? " (" + k + ")" : "") + (slow != null ? " [" + slow + "]" : "");
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        long[] lshape = Arrays.stream(shape).asLongStream().toArray();
        INDArray arr = Nd4j.zeros(dtype == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT, lshape);
        return new CpuTensor(this, arr, dtype, shape);
    }

    /** The ND4J array behind a tensor of this backend (shares its buffer). */
    public static INDArray asINDArray(Tensor t) {
        return cpu(t).array();
    }

    private static CpuTensor cpu(Tensor t) {
        if (t instanceof CpuTensor c) return c;
        throw new IllegalArgumentException("tensor " + t + " does not belong to the CPU backend");
    }

    private static void sameLength(Tensor a, Tensor b) {
        OpChecks.sameLength(a, b);
    }

    private static final ValueLayout.OfFloat F32U = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private static double ld(MemorySegment s, boolean d, long i) {
        return d ? s.getAtIndex(JAVA_DOUBLE, i) : s.getAtIndex(JAVA_FLOAT, i);
    }

    private static void st(MemorySegment s, boolean d, long i, double v) {
        if (d) s.setAtIndex(JAVA_DOUBLE, i, v);
        else s.setAtIndex(JAVA_FLOAT, i, (float) v);
    }

    /** float32 element i (unaligned layout: no alignment check per access, so loops vectorise). */
    private static float gf(MemorySegment s, long i) {
        return s.getAtIndex(F32U, i);
    }

    private static void sf(MemorySegment s, long i, float v) {
        s.setAtIndex(F32U, i, v);
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        CpuTensor t = cpu(src);
        OpChecks.hostArray(dst.length, src);
        for (int i = 0; i < dst.length; i++) dst[i] = ld(t.seg, t.f64, i);
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {
        CpuTensor t = cpu(dst);
        OpChecks.hostArray(src.length, dst);
        for (int i = 0; i < src.length; i++) st(t.seg, t.f64, i, src[i]);
    }

    @Override
    public void copyFromHost(float[] src, int srcOffset, Tensor dst) {
        CpuTensor t = cpu(dst);
        int n = Math.toIntExact(t.length());
        for (int i = 0; i < n; i++) st(t.seg, t.f64, i, src[srcOffset + i]);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameLength(src, dst);
        CpuTensor s = cpu(src), d = cpu(dst);
        if (s != d) MemorySegment.copy(s.seg, 0, d.seg, 0, s.seg.byteSize());
    }

    @Override
    public void fill(Tensor t, double value) {
        CpuTensor c = cpu(t);
        if (value == 0.0) {
            c.seg.fill((byte) 0);
            return;
        }
        long n = c.length();
        for (long i = 0; i < n; i++) st(c.seg, c.f64, i, value);
    }

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        CpuTensor A = cpu(a), B = cpu(b), C = cpu(c);
        int[] mnk = OpChecks.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        if (m == 0 || n == 0) return;
        if ((long) m * n * k >= blasThreshold && k > 0 && m == 1 && !transA) { // one row: a matrix-vector product
            gemv(transB, alpha, A, B, beta, C, n, k);
            return;
        }
        if ((long) m * n * k >= blasThreshold && k > 0 && blas != null) {
            if (transA && !transB && k >= KSPLIT_MIN_K && (long) m * n <= KSPLIT_MAX_MN) {
                gemmKSplit(m, n, k, alpha, A, B, beta, C);
                return;
            }
            if (C.f64) blas.dgemm(transA, transB, m, n, k, alpha, A.seg, A.cols(), B.seg, B.cols(), beta, C.seg, n);
            else
                blas.sgemm(
                        transA,
                        transB,
                        m,
                        n,
                        k,
                        (float) alpha,
                        A.seg,
                        A.cols(),
                        B.seg,
                        B.cols(),
                        (float) beta,
                        C.seg,
                        n);
            return;
        }
        if ((long) m * n * k >= blasThreshold && k > 0) {
            int lda = A.cols(), ldb = B.cols();
            int ta = transA ? openblas.CblasTrans : openblas.CblasNoTrans;
            int tb = transB ? openblas.CblasTrans : openblas.CblasNoTrans;
            if (C.f64) {
                openblas.cblas_dgemm(
                        openblas.CblasRowMajor,
                        ta,
                        tb,
                        m,
                        n,
                        k,
                        alpha,
                        A.doublePointer(),
                        lda,
                        B.doublePointer(),
                        ldb,
                        beta,
                        C.doublePointer(),
                        n);
            } else {
                openblas.cblas_sgemm(
                        openblas.CblasRowMajor,
                        ta,
                        tb,
                        m,
                        n,
                        k,
                        (float) alpha,
                        A.floatPointer(),
                        lda,
                        B.floatPointer(),
                        ldb,
                        (float) beta,
                        C.floatPointer(),
                        n);
            }
            return;
        }
        gemmLoops(transA, transB, alpha, A, B, beta, C, m, n, k);
    }

    /** The inner dimension from which a small Aᵀ·B is split along it ({@link #gemmKSplit}). */
    static final int KSPLIT_MIN_K = 8192;
    /** The largest m·n that {@link #gemmKSplit} takes (its partial products are m·n each). */
    static final long KSPLIT_MAX_MN = 1L << 16;
    /** Parts of the inner dimension: fixed, so that the sums do not depend on the thread count. */
    static final int KSPLIT_PARTS = 8;

    private MemorySegment kPartials = MemorySegment.NULL;

    /**
     * C = alpha·AᵀB + beta·C for A [k,m], B [k,n] with a long inner dimension and a small C (the weight
     * increments of the convolutions: k = batch × positions, e.g. 100352 × 20 × 75 for LeNet5's first
     * layer): OpenBLAS threads such a product over the small m and n and packs all of A and B
     * (measured ~4.7 ms here, single-threaded 7 ms). Instead the inner dimension is cut into
     * {@link #KSPLIT_PARTS} fixed parts, each a single-threaded product of its own (the parts run on
     * the backend's threads: ~3.6 ms on 2 cores), summed in part order in float64. The parts do not
     * depend on the thread count, so neither do the results. Current OpenBLAS only: ND4J's path keeps
     * the bits of the golden file.
     */
    private void gemmKSplit(int m, int n, int k, double alpha, CpuTensor A, CpuTensor B, double beta, CpuTensor C) {
        boolean d = C.f64;
        long esz = d ? 8 : 4, mn = (long) m * n;
        int kc = (int) Math.min(k, ((k + KSPLIT_PARTS - 1) / KSPLIT_PARTS + 63) / 64 * 64);
        int parts = (k + kc - 1) / kc;
        long bytes = parts * mn * esz;
        if (kPartials.byteSize() < bytes) kPartials = Arena.ofAuto().allocate(bytes, 64);
        MemorySegment ps = kPartials, as = A.seg, bs = B.seg;
        int lda = A.cols(), ldb = B.cols();
        blas.singleThreaded();
        Range body = (part, from, to) -> {
            for (long c = from; c < to; c++) {
                long k0 = c * kc;
                int kk = (int) Math.min(kc, k - k0);
                MemorySegment a = as.asSlice(k0 * lda * esz), b = bs.asSlice(k0 * ldb * esz);
                MemorySegment out = ps.asSlice(c * mn * esz, mn * esz);
                if (d) blas.dgemmOnCaller(true, false, m, n, kk, 1.0, a, lda, b, ldb, 0.0, out, n);
                else blas.sgemmOnCaller(true, false, m, n, kk, 1f, a, lda, b, ldb, 0f, out, n);
            }
        };
        split(parts, 1, body);
        MemorySegment cs = C.seg;
        for (long i = 0; i < mn; i++) {
            double sum = 0;
            for (int c = 0; c < parts; c++) sum += ld(ps, d, c * mn + i);
            st(cs, d, i, beta == 0.0 ? alpha * sum : alpha * sum + beta * ld(cs, d, i));
        }
    }

    /** c[1,n] = alpha · a[1,k] · op(B) + beta · c, with B [n,k] (transB) or [k,n]. */
    private static void gemv(
            boolean transB, double alpha, CpuTensor A, CpuTensor B, double beta, CpuTensor C, int n, int k) {
        int rows = B.rows(), cols = B.cols();
        int trans =
                transB ? openblas.CblasNoTrans : openblas.CblasTrans; // row-major B·a when B is [n,k], Bᵀ·a when [k,n]
        if (C.f64) {
            openblas.cblas_dgemv(
                    openblas.CblasRowMajor,
                    trans,
                    rows,
                    cols,
                    alpha,
                    B.doublePointer(),
                    cols,
                    A.doublePointer(),
                    1,
                    beta,
                    C.doublePointer(),
                    1);
        } else {
            openblas.cblas_sgemv(
                    openblas.CblasRowMajor,
                    trans,
                    rows,
                    cols,
                    (float) alpha,
                    B.floatPointer(),
                    cols,
                    A.floatPointer(),
                    1,
                    (float) beta,
                    C.floatPointer(),
                    1);
        }
    }

    private static void gemmLoops(
            boolean ta,
            boolean tb,
            double alpha,
            CpuTensor A,
            CpuTensor B,
            double beta,
            CpuTensor C,
            int m,
            int n,
            int k) {
        MemorySegment a = A.seg, b = B.seg, c = C.seg;
        boolean d = C.f64;
        long mn = (long) m * n;
        if (beta == 0.0) c.fill((byte) 0);
        else if (beta != 1.0) for (long i = 0; i < mn; i++) st(c, d, i, beta * ld(c, d, i));
        if (alpha == 0.0 || k == 0) return;
        if (!ta && tb) { // C[i,j] += α Σ_p A[i,p] B[j,p]: dots of contiguous rows
            for (int i = 0; i < m; i++) {
                long ai = (long) i * k;
                for (int j = 0; j < n; j++) {
                    long bj = (long) j * k;
                    double s = 0;
                    for (int p = 0; p < k; p++) s += ld(a, d, ai + p) * ld(b, d, bj + p);
                    long ci = (long) i * n + j;
                    st(c, d, ci, ld(c, d, ci) + alpha * s);
                }
            }
        } else if (ta && !tb) { // A is [k,m], B is [k,n]: sum of outer products
            for (int p = 0; p < k; p++) {
                long ap = (long) p * m, bp = (long) p * n;
                for (int i = 0; i < m; i++) {
                    double av = alpha * ld(a, d, ap + i);
                    if (av == 0.0) continue;
                    long ci = (long) i * n;
                    for (int j = 0; j < n; j++) st(c, d, ci + j, ld(c, d, ci + j) + av * ld(b, d, bp + j));
                }
            }
        } else if (!ta) { // both plain
            for (int i = 0; i < m; i++) {
                long ci = (long) i * n;
                for (int p = 0; p < k; p++) {
                    double av = alpha * ld(a, d, (long) i * k + p);
                    if (av == 0.0) continue;
                    long bp = (long) p * n;
                    for (int j = 0; j < n; j++) st(c, d, ci + j, ld(c, d, ci + j) + av * ld(b, d, bp + j));
                }
            }
        } else { // both transposed: A is [k,m], B is [n,k]
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += ld(a, d, (long) p * m + i) * ld(b, d, (long) j * k + p);
                    long ci = (long) i * n + j;
                    st(c, d, ci, ld(c, d, ci) + alpha * s);
                }
            }
        }
    }

    @Override
    public void transpose(Tensor src, double alpha, Tensor dst) {
        CpuTensor s = cpu(src), t = cpu(dst);
        OpChecks.transpose(src, dst);
        int r = s.rows(), c = s.cols();
        boolean d = s.f64;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) st(t.seg, d, (long) j * r + i, alpha * ld(s.seg, d, (long) i * c + j));
        }
    }

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        sameLength(x, y);
        CpuTensor X = cpu(x), Y = cpu(y);
        boolean d = X.f64;
        long n = X.length();
        MemorySegment xs = X.seg, ys = Y.seg;
        if (!d) {
            if (inCaller(n, CHEAP)) axpbyF(a, xs, b, ys, 0, n);
            else split(n, CHEAP, (part, from, to) -> axpbyF(a, xs, b, ys, from, to));
            return;
        }
        for (long i = 0; i < n; i++) st(Y.seg, d, i, a * ld(X.seg, d, i) + b * ld(Y.seg, d, i));
    }

    private static void axpbyF(double a, MemorySegment xs, double b, MemorySegment ys, long from, long to) {
        for (long i = from; i < to; i++) sf(ys, i, (float) (a * gf(xs, i) + b * gf(ys, i)));
    }

    private static void lincombF(
            MemorySegment os,
            double a,
            MemorySegment xs,
            double b,
            MemorySegment ys,
            double c,
            MemorySegment zs,
            long from,
            long to) {
        if (zs == null) {
            for (long i = from; i < to; i++) sf(os, i, (float) (a * gf(xs, i) + b * gf(ys, i)));
        } else {
            for (long i = from; i < to; i++) sf(os, i, (float) (a * gf(xs, i) + b * gf(ys, i) + c * gf(zs, i)));
        }
    }

    @Override
    public void lincomb(Tensor out, double a, Tensor x, double b, Tensor y, double c, Tensor z) {
        sameLength(out, x);
        sameLength(out, y);
        CpuTensor O = cpu(out), X = cpu(x), Y = cpu(y);
        boolean d = O.f64;
        long n = O.length();
        if (!d) {
            MemorySegment os = O.seg, xs = X.seg, ys = Y.seg;
            MemorySegment zs = null;
            if (z != null && c != 0.0) {
                sameLength(out, z);
                zs = cpu(z).seg;
            }
            MemorySegment zz = zs;
            if (inCaller(n, CHEAP)) lincombF(os, a, xs, b, ys, c, zz, 0, n);
            else split(n, CHEAP, (part, from, to) -> lincombF(os, a, xs, b, ys, c, zz, from, to));
            return;
        }
        if (z == null || c == 0.0) {
            for (long i = 0; i < n; i++) st(O.seg, d, i, a * ld(X.seg, d, i) + b * ld(Y.seg, d, i));
        } else {
            sameLength(out, z);
            CpuTensor Z = cpu(z);
            for (long i = 0; i < n; i++)
                st(O.seg, d, i, a * ld(X.seg, d, i) + b * ld(Y.seg, d, i) + c * ld(Z.seg, d, i));
        }
    }

    @Override
    public void mul(Tensor x, Tensor y, Tensor out) {
        sameLength(x, out);
        sameLength(y, out);
        CpuTensor X = cpu(x), Y = cpu(y), O = cpu(out);
        boolean d = O.f64;
        long n = O.length();
        if (!d) {
            MemorySegment xs = X.seg, ys = Y.seg, os = O.seg;
            if (inCaller(n, CHEAP)) mulF(xs, ys, os, 0, n);
            else split(n, CHEAP, (part, from, to) -> mulF(xs, ys, os, from, to));
            return;
        }
        for (long i = 0; i < n; i++) st(O.seg, d, i, ld(X.seg, d, i) * ld(Y.seg, d, i));
    }

    @Override
    public void div(Tensor x, Tensor y, Tensor out) {
        sameLength(x, out);
        sameLength(y, out);
        CpuTensor X = cpu(x), Y = cpu(y), O = cpu(out);
        boolean d = O.f64;
        long n = O.length();
        for (long i = 0; i < n; i++) st(O.seg, d, i, ld(X.seg, d, i) / ld(Y.seg, d, i));
    }

    private static void mulF(MemorySegment xs, MemorySegment ys, MemorySegment os, long from, long to) {
        for (long i = from; i < to; i++) sf(os, i, (float) ((double) gf(xs, i) * gf(ys, i)));
    }

    private static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    private static long activationGrain(Activation f) {
        return f == Activation.SIGMOID || f == Activation.TANH ? COSTLY : CHEAP;
    }

    @Override
    public void activation(Activation f, double scale, Tensor x, Tensor out) {
        activationAndDerivative(f, scale, x, out, null, "activation");
    }

    @Override
    public void activationDerivative(Activation f, double scale, Tensor x, Tensor out) {
        activationAndDerivative(f, scale, x, null, out, "activationDerivative");
    }

    @Override
    public void activationAndDerivative(Activation f, double scale, Tensor x, Tensor out, Tensor deriv) {
        OpChecks.distinctActivationOutputs(x, out, deriv);
        activationAndDerivative(f, scale, x, out, deriv, "activationAndDerivative");
    }

    /**
     * φ(scale·x) into out and φ'(scale·x) into deriv (either may be null), element by element with the
     * formulas of {@link Activation#apply} and {@link Activation#derivative}: the sigmoid's derivative
     * s(1 − s) and tanh's 1 − t² reuse the one s or t; the hard sigmoid is {@link Activation#hardSigmoid}
     * and {@link Activation#hardSigmoidDerivative} (float32: of v = scale·x in double, rounded once).
     */
    private void activationAndDerivative(Activation f, double scale, Tensor x, Tensor out, Tensor deriv, String op) {
        CpuTensor X = cpu(x);
        if (out != null) sameLength(x, out);
        if (deriv != null) sameLength(x, deriv);
        boolean d = X.f64;
        MemorySegment xs = X.seg, os = out == null ? null : cpu(out).seg, ds = deriv == null ? null : cpu(deriv).seg;
        long n = X.length();
        // vectorised float32: the sigmoid gives the same values as the scalar formula (see sigmoidChunk), tanh is
        // within one ulp (tanhChunk)
        if (!d && (f == Activation.SIGMOID && scale == 1.0 || f == Activation.TANH)) {
            boolean tanh = f == Activation.TANH;
            if (inCaller(n, MEDIUM)) chunkedActivationF(0, tanh, scale, xs, os, ds, 0, n);
            else split(n, MEDIUM, (part, from, to) -> chunkedActivationF(part, tanh, scale, xs, os, ds, from, to));
            return;
        }
        if (inCaller(n, activationGrain(f))) {
            if (d) activationRange(f, scale, xs, os, ds, 0, n);
            else activationRangeF(f, scale, xs, os, ds, 0, n);
            return;
        }
        split(n, activationGrain(f), (part, from, to) -> {
            if (d) activationRange(f, scale, xs, os, ds, from, to);
            else activationRangeF(f, scale, xs, os, ds, from, to);
        });
    }

    private static void activationRange(
            Activation f, double scale, MemorySegment xs, MemorySegment os, MemorySegment ds, long from, long to) {
        for (long i = from; i < to; i++) {
            double v = scale * xs.getAtIndex(JAVA_DOUBLE, i);
            switch (f) {
                case SIGMOID -> {
                    double s = sigmoid(v);
                    if (os != null) os.setAtIndex(JAVA_DOUBLE, i, s);
                    if (ds != null) ds.setAtIndex(JAVA_DOUBLE, i, s * (1.0 - s));
                }
                case TANH -> {
                    double t = Math.tanh(v);
                    if (os != null) os.setAtIndex(JAVA_DOUBLE, i, t);
                    if (ds != null) ds.setAtIndex(JAVA_DOUBLE, i, 1.0 - t * t);
                }
                case HARD_SIGMOID -> {
                    if (os != null) os.setAtIndex(JAVA_DOUBLE, i, Activation.hardSigmoid(v));
                    if (ds != null) ds.setAtIndex(JAVA_DOUBLE, i, Activation.hardSigmoidDerivative(v));
                }
                default -> {
                    if (os != null) os.setAtIndex(JAVA_DOUBLE, i, f.apply(v));
                    if (ds != null) ds.setAtIndex(JAVA_DOUBLE, i, f.derivative(v));
                }
            }
        }
    }

    private static final int SIGMOID_CHUNK = 1024;

    /** The vectorised float32 sigmoid (scale 1) or tanh of {@code [from, to)} in chunks through heap arrays of range {@code part}. */
    private void chunkedActivationF(
            int part,
            boolean tanh,
            double scale,
            MemorySegment xs,
            MemorySegment os,
            MemorySegment ds,
            long from,
            long to) {
        float[] in = partFloats(part, 0, SIGMOID_CHUNK),
                out = partFloats(part, 1, SIGMOID_CHUNK),
                der = partFloats(part, 2, SIGMOID_CHUNK);
        double[] poly = partScratch(part, SIGMOID_CHUNK);
        long[] exps = partLongs(part, SIGMOID_CHUNK);
        for (long at = from; at < to; at += SIGMOID_CHUNK) {
            int n = (int) Math.min(SIGMOID_CHUNK, to - at);
            load(xs, at, in, n);
            if (tanh) tanhChunk(scale, in, out, der, poly, exps, n);
            else sigmoidChunk(in, out, der, poly, exps, n);
            if (os != null) store(out, os, at, n);
            if (ds != null) store(der, ds, at, n);
        }
    }

    private static final double LOG2E = 0x1.71547652b82fep0,
            LN2_HI = 0x1.62e42fee00000p-1,
            LN2_LO = 0x1.a39ef35793c76p-33;
    private static final double E2 = 1.0 / 2,
            E3 = 1.0 / 6,
            E4 = 1.0 / 24,
            E5 = 1.0 / 120,
            E6 = 1.0 / 720,
            E7 = 1.0 / 5040,
            E8 = 1.0 / 40320,
            E9 = 1.0 / 362880,
            E10 = 1.0 / 3628800,
            E11 = 1.0 / 39916800,
            E12 = 1.0 / 479001600;

    /**
     * The float32 sigmoid and its derivative of {@code in[0..n)}: s = 1/(1 + e^{−x}) and s(1 − s) in
     * double, rounded once, as {@link Activation#apply}/{@link Activation#derivative} compute them, but
     * with e^{−x} from loops that C2 vectorises (−x clamped to [−700, 709], 2^k·e^r with k = rint(−x/ln 2),
     * r by a two-part ln 2, e^r by its Taylor polynomial to degree 12) instead of one {@code Math.exp}
     * call per element. That exponential differs from {@code Math.exp} in the last bit of about half
     * the arguments, but the rounding of 1 + e and the final rounding to float absorb it: over all 2^32
     * float inputs (NaN included) both outputs are bit for bit those of the {@code Math.exp} formula
     * (exhaustive check: {@code FastSigmoidTest} with {@code -Dcortex4j.sigmoid.exhaustive=true};
     * by default it checks a sample). Valid for scale 1 only, which is what it is used for.
     */
    static void sigmoidChunk(float[] in, float[] out, float[] der, double[] poly, long[] exps, int n) {
        for (int i = 0; i < n; i++) poly[i] = Math.max(-700.0, Math.min(709.0, -(double) in[i]));
        expChunk(poly, exps, n);
        for (int i = 0; i < n; i++) {
            double s = 1.0 / (1.0 + poly[i]);
            out[i] = (float) s;
            der[i] = (float) (s * (1.0 - s));
        }
    }

    /**
     * e^x of {@code poly[0..n)} in place, for x already clamped to [−700, 709]: 2^k·e^r with
     * k = rint(x/ln 2), r by a two-part ln 2, e^r by its Taylor polynomial to degree 12, in loops that
     * C2 vectorises ({@code exps} is scratch). Within one ulp of {@code Math.exp}.
     */
    static void expChunk(double[] poly, long[] exps, int n) {
        for (int i = 0; i < n; i++) {
            double x = poly[i];
            double k = Math.rint(x * LOG2E);
            double r = (x - k * LN2_HI) - k * LN2_LO;
            poly[i] = 1
                    + r
                            * (1
                                    + r
                                            * (E2
                                                    + r
                                                            * (E3
                                                                    + r
                                                                            * (E4
                                                                                    + r
                                                                                            * (E5
                                                                                                    + r
                                                                                                            * (E6
                                                                                                                    + r
                                                                                                                            * (E7
                                                                                                                                    + r
                                                                                                                                            * (E8
                                                                                                                                                    + r
                                                                                                                                                            * (E9
                                                                                                                                                                    + r
                                                                                                                                                                            * (E10
                                                                                                                                                                                    + r
                                                                                                                                                                                            * (E11
                                                                                                                                                                                                    + r
                                                                                                                                                                                                            * E12)))))))))));
            exps[i] = (long) k;
        }
        for (int i = 0; i < n; i++) poly[i] = poly[i] * Double.longBitsToDouble((exps[i] + 1023) << 52);
    }

    /**
     * The float32 tanh of {@code scale·in[0..n)} and its derivative, in double from loops that C2
     * vectorises: with y = 2·scale·x clamped to [−120, 120] (tanh is ±1 in double from |y| ≈ 38, and the
     * derivative below float's smallest subnormal from |y| ≈ 106) and
     * e^y = 2^k·(1 + p), k = rint(y/ln 2), p = e^r − 1 by its Taylor polynomial to degree 12 (no
     * cancellation for small |y|: k = 0 gives e^y − 1 = p itself),
     * <pre>  tanh = (e^y − 1)/(e^y + 1),   tanh' = 4 e^y/(e^y + 1)²,</pre>
     * rounded once to float. For scale 1 the value equals {@code (float) Math.tanh(x)} for every float
     * input (exhaustive check, FastTanhTest with {@code -Dcortex4j.tanh.exhaustive=true}; −0 gives +0),
     * and the derivative is within one ulp of the exact 1/cosh²: unlike 1 − tanh², it has no
     * cancellation for |x| ≳ 8.
     */
    static void tanhChunk(double scale, float[] in, float[] out, float[] der, double[] poly, long[] exps, int n) {
        for (int i = 0; i < n; i++) poly[i] = Math.max(-120.0, Math.min(120.0, 2.0 * (scale * in[i])));
        for (int i = 0; i < n; i++) {
            double y = poly[i];
            double k = Math.rint(y * LOG2E);
            double r = (y - k * LN2_HI) - k * LN2_LO;
            poly[i] = r
                    * (1
                            + r
                                    * (E2
                                            + r
                                                    * (E3
                                                            + r
                                                                    * (E4
                                                                            + r
                                                                                    * (E5
                                                                                            + r
                                                                                                    * (E6
                                                                                                            + r
                                                                                                                    * (E7
                                                                                                                            + r
                                                                                                                                    * (E8
                                                                                                                                            + r
                                                                                                                                                    * (E9
                                                                                                                                                            + r
                                                                                                                                                                    * (E10
                                                                                                                                                                            + r
                                                                                                                                                                                    * (E11
                                                                                                                                                                                            + r
                                                                                                                                                                                                    * E12)))))))))));
            exps[i] = (long) k;
        }
        for (int i = 0; i < n; i++) {
            double s = Double.longBitsToDouble((exps[i] + 1023) << 52);
            double em1 = s * poly[i] + (s - 1.0), e = s * poly[i] + s, q = em1 + 2.0; // e^y − 1, e^y, e^y + 1
            out[i] = (float) (em1 / q);
            der[i] = (float) (4.0 * e / (q * q));
        }
    }

    // One small method per (function, outputs) pair: each gets its own JIT profile, so a model that uses
    // several variants (values only, derivatives only, both) does not slow down the others.
    private static void activationRangeF(
            Activation f, double scale, MemorySegment xs, MemorySegment os, MemorySegment ds, long from, long to) {
        switch (f) {
            case SIGMOID -> {
                if (os != null && ds != null) sigmoidBothF(scale, xs, os, ds, from, to);
                else if (os != null) sigmoidValueF(scale, xs, os, from, to);
                else sigmoidDerivF(scale, xs, ds, from, to);
            }
            case TANH -> {
                if (os != null && ds != null) tanhBothF(scale, xs, os, ds, from, to);
                else if (os != null) tanhValueF(scale, xs, os, from, to);
                else tanhDerivF(scale, xs, ds, from, to);
            }
            case LINEAR -> {
                if (os != null) for (long i = from; i < to; i++) sf(os, i, (float) (scale * gf(xs, i)));
                if (ds != null) for (long i = from; i < to; i++) sf(ds, i, 1f);
            }
            case HARD_SIGMOID -> { // clamp(v, 0, 1) and its 0/1 derivative, v in double, rounded once
                if (os != null)
                    for (long i = from; i < to; i++) sf(os, i, (float) Activation.hardSigmoid(scale * gf(xs, i)));
                if (ds != null)
                    for (long i = from; i < to; i++)
                        sf(ds, i, (float) Activation.hardSigmoidDerivative(scale * gf(xs, i)));
            }
            default -> {
                for (long i = from; i < to; i++) {
                    double v = scale * gf(xs, i);
                    if (os != null) sf(os, i, (float) f.apply(v));
                    if (ds != null) sf(ds, i, (float) f.derivative(v));
                }
            }
        }
    }

    private static void sigmoidBothF(
            double scale, MemorySegment xs, MemorySegment os, MemorySegment ds, long from, long to) {
        for (long i = from; i < to; i++) {
            double s = sigmoid(scale * gf(xs, i));
            sf(os, i, (float) s);
            sf(ds, i, (float) (s * (1.0 - s)));
        }
    }

    private static void sigmoidValueF(double scale, MemorySegment xs, MemorySegment os, long from, long to) {
        for (long i = from; i < to; i++) sf(os, i, (float) sigmoid(scale * gf(xs, i)));
    }

    private static void sigmoidDerivF(double scale, MemorySegment xs, MemorySegment ds, long from, long to) {
        for (long i = from; i < to; i++) {
            double s = sigmoid(scale * gf(xs, i));
            sf(ds, i, (float) (s * (1.0 - s)));
        }
    }

    private static void tanhBothF(
            double scale, MemorySegment xs, MemorySegment os, MemorySegment ds, long from, long to) {
        for (long i = from; i < to; i++) {
            double t = Math.tanh(scale * gf(xs, i));
            sf(os, i, (float) t);
            sf(ds, i, (float) (1.0 - t * t));
        }
    }

    private static void tanhValueF(double scale, MemorySegment xs, MemorySegment os, long from, long to) {
        for (long i = from; i < to; i++) sf(os, i, (float) Math.tanh(scale * gf(xs, i)));
    }

    private static void tanhDerivF(double scale, MemorySegment xs, MemorySegment ds, long from, long to) {
        for (long i = from; i < to; i++) {
            double t = Math.tanh(scale * gf(xs, i));
            sf(ds, i, (float) (1.0 - t * t));
        }
    }

    @Override
    public void predictionError(Tensor r, Activation f, double scale, Tensor v, Tensor out) {
        sameLength(r, out);
        sameLength(v, out);
        CpuTensor R = cpu(r), V = cpu(v), O = cpu(out);
        boolean d = O.f64;
        long n = O.length();
        if (f == Activation.SIGMOID) {
            for (long i = 0; i < n; i++) st(O.seg, d, i, ld(R.seg, d, i) - sigmoid(scale * ld(V.seg, d, i)));
        } else if (f == Activation.HARD_SIGMOID) {
            for (long i = 0; i < n; i++)
                st(O.seg, d, i, ld(R.seg, d, i) - Activation.hardSigmoid(scale * ld(V.seg, d, i)));
        } else {
            for (long i = 0; i < n; i++) st(O.seg, d, i, ld(R.seg, d, i) - f.apply(scale * ld(V.seg, d, i)));
        }
    }

    @Override
    public void ouStep(Tensor xi, CounterRandom rng, int stream, long step, double decay, double gain) {
        CpuTensor X = cpu(xi);
        long n = X.length();
        boolean d = X.f64;
        MemorySegment xs = X.seg;
        if (inCaller(n, COSTLY))
            ouRange(xs, d, rng, stream, step, decay, gain, partScratch(0, OU_CHUNK), partFloats(0, 0, OU_CHUNK), 0, n);
        else
            split(
                    n,
                    COSTLY,
                    (part, from, to) -> ouRange(
                            xs,
                            d,
                            rng,
                            stream,
                            step,
                            decay,
                            gain,
                            partScratch(part, OU_CHUNK),
                            partFloats(part, 0, OU_CHUNK),
                            from,
                            to));
    }

    private static final int OU_CHUNK = 2048;

    /**
     * ξ[i] ← decay·ξ[i] + gain·z_i for i in [from, to), z_i the stream's normal at index i, made in chunks
     * into w; float32 chunks are updated in f (bulk copies: the same arithmetic, in arrays).
     */
    private static void ouRange(
            MemorySegment xs,
            boolean d,
            CounterRandom rng,
            int stream,
            long step,
            double decay,
            double gain,
            double[] w,
            float[] f,
            long from,
            long to) {
        for (long at = from; at < to; at += OU_CHUNK) {
            int len = (int) Math.min(OU_CHUNK, to - at);
            rng.normals(stream, step, at, w, 0, len);
            if (d) {
                for (int j = 0; j < len; j++)
                    xs.setAtIndex(JAVA_DOUBLE, at + j, decay * xs.getAtIndex(JAVA_DOUBLE, at + j) + gain * w[j]);
            } else {
                load(xs, at, f, len);
                for (int j = 0; j < len; j++) f[j] = (float) (decay * f[j] + gain * w[j]);
                store(f, xs, at, len);
            }
        }
    }

    private static void highPassF(MemorySegment hs, MemorySegment rs, MemorySegment os, double k, long from, long to) {
        for (long i = from; i < to; i++) {
            double h = gf(hs, i);
            sf(hs, i, (float) (h + ((double) gf(rs, i) - gf(os, i)) - k * h));
        }
    }

    @Override
    public void lifStep(
            Tensor current,
            Tensor u,
            Tensor refractory,
            Tensor s,
            Tensor a,
            Tensor g,
            double decay,
            double threshold,
            double tauTrace,
            int refractorySteps,
            Surrogate shape,
            double width) {
        OpChecks.lif(current, u, refractory, s, a, g, refractorySteps);
        CpuTensor I = cpu(current), U = cpu(u), S = cpu(s), A = cpu(a), G = cpu(g);
        CpuTensor R = refractory == null ? null : cpu(refractory);
        boolean d = U.f64;
        long n = U.length();
        MemorySegment is = I.seg, us = U.seg, ss = S.seg, as = A.seg, gs = G.seg, rs = R == null ? null : R.seg;
        Range body = (part, from, to) -> {
            for (long i = from; i < to; i++) {
                double rv = rs == null ? 0 : ld(rs, d, i), sv = 0, gv = 0, uv;
                if (rv > 0) {
                    uv = 0;
                    st(rs, d, i, rv - 1);
                } else {
                    uv = round(d, decay * ld(us, d, i) + ld(is, d, i));
                    gv = shape.derivative(uv, threshold, width);
                    if (uv >= threshold) {
                        sv = 1;
                        uv = 0;
                        if (rs != null) st(rs, d, i, refractorySteps);
                    }
                }
                st(us, d, i, uv);
                st(ss, d, i, sv);
                st(gs, d, i, gv);
                double av = ld(as, d, i);
                st(as, d, i, av + (sv - av) / tauTrace);
            }
        };
        if (inCaller(n, COSTLY)) body.run(0, 0, n);
        else split(n, COSTLY, body);
    }

    /** v rounded to the tensors' type: float32 unless d. */
    private static double round(boolean d, double v) {
        return d ? v : (float) v;
    }

    @Override
    public void bernoulli(Tensor p, double scale, CounterRandom rng, int stream, long step, Tensor out) {
        sameLength(p, out);
        CpuTensor P = cpu(p), O = cpu(out);
        boolean d = P.f64;
        long n = P.length();
        MemorySegment ps = P.seg, os = O.seg;
        Range body = (part, from, to) -> {
            double[] w = partScratch(part, OU_CHUNK);
            for (long at = from; at < to; at += OU_CHUNK) {
                int len = (int) Math.min(OU_CHUNK, to - at);
                rng.uniforms(stream, step, at, w, 0, len);
                for (int k = 0; k < len; k++) st(os, d, at + k, w[k] <= scale * ld(ps, d, at + k) ? 1.0 : 0.0);
            }
        };
        if (inCaller(n, COSTLY)) body.run(0, 0, n);
        else split(n, COSTLY, body);
    }

    @Override
    public void burstHidden(
            Tensor u, Tensor e, double amplitude, double gain, double baseline, Tensor p, Tensor burst, Tensor delta) {
        OpChecks.burst(u, e, p, burst, delta);
        burstOp(true, u, e, amplitude, gain, baseline, p, burst, delta);
    }

    @Override
    public void burstOutput(Tensor e, Tensor y, double baseline, Tensor p, Tensor burst, Tensor delta) {
        OpChecks.burst(e, y, p, burst, delta);
        burstOp(false, y, e, 0, 0, baseline, p, burst, delta);
    }

    /** Both burst ops: a is u (hidden) or y (output); e the event rates. */
    private void burstOp(
            boolean hidden,
            Tensor a,
            Tensor e,
            double amplitude,
            double gain,
            double baseline,
            Tensor p,
            Tensor burst,
            Tensor delta) {
        CpuTensor A = cpu(a), E = cpu(e), P = cpu(p), Bu = cpu(burst), D = cpu(delta);
        boolean d = P.f64;
        long n = P.length();
        MemorySegment as = A.seg, es = E.seg, ps = P.seg, bs = Bu.seg, ds = D.seg;
        if (!d) {
            if (inCaller(n, MEDIUM)) burstRangeF(0, hidden, as, es, amplitude, gain, baseline, ps, bs, ds, 0, n);
            else
                split(
                        n,
                        MEDIUM,
                        (part, from, to) ->
                                burstRangeF(part, hidden, as, es, amplitude, gain, baseline, ps, bs, ds, from, to));
            return;
        }
        if (inCaller(n, COSTLY)) burstRange(hidden, d, as, es, amplitude, gain, baseline, ps, bs, ds, 0, n);
        else
            split(
                    n,
                    COSTLY,
                    (part, from, to) -> burstRange(hidden, d, as, es, amplitude, gain, baseline, ps, bs, ds, from, to));
    }

    /**
     * The float32 burst ops in chunks through heap arrays, the sigmoid's exponential from
     * {@link #expChunk} (as the float32 sigmoid activation): the formulas of {@link #burstRange}.
     */
    private void burstRangeF(
            int part,
            boolean hidden,
            MemorySegment as,
            MemorySegment es,
            double amplitude,
            double gain,
            double baseline,
            MemorySegment ps,
            MemorySegment bs,
            MemorySegment ds,
            long from,
            long to) {
        float[] a = partFloats(part, 0, SIGMOID_CHUNK),
                e = partFloats(part, 1, SIGMOID_CHUNK),
                p = partFloats(part, 2, SIGMOID_CHUNK),
                b = partFloats(part, 3, SIGMOID_CHUNK);
        double[] poly = partScratch(part, SIGMOID_CHUNK);
        long[] exps = partLongs(part, SIGMOID_CHUNK);
        double base = (float) baseline;
        for (long at = from; at < to; at += SIGMOID_CHUNK) {
            int n = (int) Math.min(SIGMOID_CHUNK, to - at);
            load(as, at, a, n);
            load(es, at, e, n);
            if (hidden) {
                for (int i = 0; i < n; i++) poly[i] = Math.max(-700.0, Math.min(709.0, -(gain * a[i] * (1.0 - e[i]))));
                expChunk(poly, exps, n);
                for (int i = 0; i < n; i++) p[i] = (float) (amplitude * (1.0 / (1.0 + poly[i])));
            } else {
                for (int i = 0; i < n; i++) p[i] = (float) (baseline * (((double) a[i] - e[i]) * (1.0 - e[i]) + 1.0));
            }
            for (int i = 0; i < n; i++) {
                double pv = p[i], ev = e[i];
                b[i] = (float) (pv * ev);
                a[i] = (float) (pv * ev - base * ev); // delta, into a's array (a is read no more)
            }
            store(p, ps, at, n);
            store(b, bs, at, n);
            store(a, ds, at, n);
        }
    }

    private static void burstRange(
            boolean hidden,
            boolean d,
            MemorySegment as,
            MemorySegment es,
            double amplitude,
            double gain,
            double baseline,
            MemorySegment ps,
            MemorySegment bs,
            MemorySegment ds,
            long from,
            long to) {
        double base = d ? baseline : (float) baseline; // p at the baseline gives delta 0 exactly
        for (long i = from; i < to; i++) {
            double a = ld(as, d, i), ev = ld(es, d, i);
            double pv = hidden ? amplitude * sigmoid(gain * a * (1.0 - ev)) : baseline * ((a - ev) * (1.0 - ev) + 1.0);
            if (!d) pv = (float) pv;
            st(ps, d, i, pv);
            st(bs, d, i, pv * ev);
            st(ds, d, i, pv * ev - base * ev);
        }
    }

    @Override
    public void highPass(Tensor hp, Tensor r, Tensor rOld, double k) {
        sameLength(hp, r);
        sameLength(hp, rOld);
        CpuTensor H = cpu(hp), R = cpu(r), O = cpu(rOld);
        boolean d = H.f64;
        long n = H.length();
        if (!d) {
            MemorySegment hs = H.seg, rs = R.seg, os = O.seg;
            if (inCaller(n, CHEAP)) highPassF(hs, rs, os, k, 0, n);
            else split(n, CHEAP, (part, from, to) -> highPassF(hs, rs, os, k, from, to));
            return;
        }
        for (long i = 0; i < n; i++) {
            double h = ld(H.seg, d, i);
            st(H.seg, d, i, h + (ld(R.seg, d, i) - ld(O.seg, d, i)) - k * h);
        }
    }

    @Override
    public void lowPassOuterApply(double alpha, Tensor a, Tensor b, double k, Tensor lo, Tensor w) {
        CpuTensor A = cpu(a), B = cpu(b), L = cpu(lo), W = cpu(w);
        int batch = A.rows(), m = A.cols(), n = B.cols();
        OpChecks.lowPassOuterApply(a, b, lo, w);
        if ((long) batch * m * n >= blasThreshold) { // large: three vectorised OpenBLAS passes (scal, ger/gemm, axpy)
            long len = (long) m * n;
            if (L.f64) openblas.cblas_dscal(Math.toIntExact(len), 1.0 - k, L.doublePointer(), 1);
            else openblas.cblas_sscal(Math.toIntExact(len), (float) (1.0 - k), L.floatPointer(), 1);
            if (batch == 1 && L.f64)
                openblas.cblas_dger(
                        openblas.CblasRowMajor,
                        m,
                        n,
                        alpha,
                        A.doublePointer(),
                        1,
                        B.doublePointer(),
                        1,
                        L.doublePointer(),
                        n);
            else if (batch == 1)
                openblas.cblas_sger(
                        openblas.CblasRowMajor,
                        m,
                        n,
                        (float) alpha,
                        A.floatPointer(),
                        1,
                        B.floatPointer(),
                        1,
                        L.floatPointer(),
                        n);
            else gemm(true, false, alpha, a, b, 1.0, lo);
            if (L.f64) openblas.cblas_daxpy(Math.toIntExact(len), 1.0, L.doublePointer(), 1, W.doublePointer(), 1);
            else openblas.cblas_saxpy(Math.toIntExact(len), 1f, L.floatPointer(), 1, W.floatPointer(), 1);
            return;
        }
        if (scratch.length < batch) scratch = new double[batch];
        double[] coef = scratch;
        MemorySegment as = A.seg, bs = B.seg, ls = L.seg, ws = W.seg;
        boolean d = L.f64;
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < batch; r++) coef[r] = alpha * ld(as, d, (long) r * m + i);
            long row = (long) i * n;
            if (!d && batch == 1) { // the batch-1 float32 hot loop: one streaming pass over a row of lo and w
                lowPassRow(
                        (float) coef[0],
                        (float) (1.0 - k),
                        bs,
                        ls.asSlice(row * 4, n * 4L),
                        ws.asSlice(row * 4, n * 4L),
                        n);
            } else {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int r = 0; r < batch; r++) s += coef[r] * ld(bs, d, (long) r * n + j);
                    long at = row + j;
                    double l = (1.0 - k) * ld(ls, d, at) + s;
                    st(ls, d, at, l);
                    st(ws, d, at, ld(ws, d, at) + (d ? l : (float) l));
                }
            }
        }
    }

    private static void lowPassRow(float c, float decay, MemorySegment b, MemorySegment lo, MemorySegment w, int n) {
        // unaligned layouts: no per-access alignment check, so C2 vectorises the loop
        for (int j = 0; j < n; j++) {
            float l = decay * lo.getAtIndex(F32U, j) + c * b.getAtIndex(F32U, j);
            lo.setAtIndex(F32U, j, l);
            w.setAtIndex(F32U, j, w.getAtIndex(F32U, j) + l);
        }
    }

    private static void addRowF(double alpha, MemorySegment rs, MemorySegment ms, int n, long from, long to) {
        for (long i = from; i < to; i++) {
            long at = i * n;
            for (int j = 0; j < n; j++) sf(ms, at + j, (float) (gf(ms, at + j) + alpha * gf(rs, j)));
        }
    }

    @Override
    public void addRowVector(double alpha, Tensor row, Tensor m) {
        CpuTensor R = cpu(row), M = cpu(m);
        int n = M.cols(), rows = M.rows();
        OpChecks.addRowVector(row, m);
        boolean d = M.f64;
        if (!d) {
            MemorySegment ms = M.seg, rs = R.seg;
            long grain = Math.max(1, CHEAP / Math.max(1, n));
            if (inCaller(rows, grain)) addRowF(alpha, rs, ms, n, 0, rows);
            else split(rows, grain, (part, from, to) -> addRowF(alpha, rs, ms, n, from, to));
            return;
        }
        for (int i = 0; i < rows; i++) {
            long at = (long) i * n;
            for (int j = 0; j < n; j++) st(M.seg, d, at + j, ld(M.seg, d, at + j) + alpha * ld(R.seg, d, j));
        }
    }

    private void columnSumsF(int part, MemorySegment ms, int rows, int n, int chunkRows, double[] acc, int j0, int j1) {
        float[] buf = partFloats(part, 0, chunkRows * n);
        for (int i0 = 0; i0 < rows; i0 += chunkRows) {
            int r = Math.min(chunkRows, rows - i0);
            load(ms, (long) i0 * n, buf, r * n);
            for (int i = 0; i < r; i++) {
                int at = i * n;
                for (int j = j0; j < j1; j++) acc[j] += buf[at + j];
            }
        }
    }

    private static void columnSumsRange(MemorySegment ms, boolean d, int rows, int n, double[] acc, long j0, long j1) {
        for (int i = 0; i < rows; i++) {
            long at = (long) i * n;
            if (d) for (long j = j0; j < j1; j++) acc[(int) j] += ms.getAtIndex(JAVA_DOUBLE, at + j);
            else for (long j = j0; j < j1; j++) acc[(int) j] += gf(ms, at + j);
        }
    }

    @Override
    public void columnSums(double alpha, Tensor m, double beta, Tensor row) {
        CpuTensor R = cpu(row), M = cpu(m);
        int n = M.cols(), rows = M.rows();
        OpChecks.columnSums(m, row);
        boolean d = M.f64;
        if (scratch.length < n) scratch = new double[n];
        double[] acc = scratch;
        Arrays.fill(acc, 0, n, 0.0);
        MemorySegment ms = M.seg;
        // columns split into ranges: each column is still summed over the rows in order
        long grain = Math.max(1, CHEAP / Math.max(1, rows));
        if (!d) { // float32: rows copied in bulk and summed from the heap copy, in the caller (memory-bound)
            columnSumsF(0, ms, rows, n, Math.max(1, 4096 / n), acc, 0, n);
        } else if (inCaller(n, grain)) {
            columnSumsRange(ms, d, rows, n, acc, 0, n);
        } else {
            split(n, grain, (part, from, to) -> columnSumsRange(ms, d, rows, n, acc, (int) from, (int) to));
        }
        for (int j = 0; j < n; j++) st(R.seg, d, j, (beta == 0.0 ? 0.0 : beta * ld(R.seg, d, j)) + alpha * acc[j]);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out) {
        sameLength(x, out);
        CpuTensor X = cpu(x), O = cpu(out);
        int n = X.cols(), rows = X.rows();
        boolean d = X.f64;
        for (int i = 0; i < rows; i++) {
            long at = (long) i * n;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, ld(X.seg, d, at + j));
            double s = 0;
            for (int j = 0; j < n; j++) {
                double e = Math.exp(ld(X.seg, d, at + j) - max);
                s += e;
                st(O.seg, d, at + j, e);
            }
            for (int j = 0; j < n; j++) st(O.seg, d, at + j, ld(O.seg, d, at + j) / s);
        }
    }

    @Override
    public void signConcordant(Tensor w, Tensor m, double scale, Tensor out) {
        sameLength(w, out);
        CpuTensor W = cpu(w), O = cpu(out);
        boolean d = W.f64;
        long n = W.length();
        if (m == null) {
            for (long i = 0; i < n; i++) st(O.seg, d, i, scale * Math.signum(ld(W.seg, d, i)));
        } else {
            sameLength(m, out);
            CpuTensor M = cpu(m);
            for (long i = 0; i < n; i++)
                st(O.seg, d, i, scale * Math.abs(ld(M.seg, d, i)) * Math.signum(ld(W.seg, d, i)));
        }
    }

    @Override
    public void im2col(Tensor x, ConvGeometry g, Tensor cols) {
        CpuTensor X = cpu(x), C = cpu(cols);
        OpChecks.convShapes("im2col", X, g, C);
        boolean d = X.f64;
        int batch = X.rows(),
                ch = g.channels(),
                h = g.height(),
                w = g.width(),
                k = g.kernel(),
                s = g.stride(),
                p = g.padding();
        int oh = g.outHeight(), ow = g.outWidth(), patch = g.patch(), in = g.inputLength();
        if (!d) { // a sample at a time, in chunks of output rows built row by row in a heap buffer
            MemorySegment xs = X.seg, cs = C.seg;
            int rowLen = ow * patch, chunk = (int) Math.max(1, Math.min(oh, sampleBuffer / rowLen));
            boolean vector = vectors && ConvVector.im2colFits(k);
            split(batch, Math.max(1, MEDIUM / ((long) oh * rowLen)), (part, from, to) -> {
                float[] xin = partFloats(part, 0, in + ConvVector.SLACK),
                        buf = partFloats(part, 1, chunk * rowLen + ConvVector.SLACK);
                for (int b = (int) from; b < to; b++) {
                    load(xs, (long) b * in, xin, in);
                    for (int oy0 = 0; oy0 < oh; oy0 += chunk) {
                        int oy1 = Math.min(oh, oy0 + chunk);
                        if (vector) ConvVector.im2colRows(xin, ch, h, w, k, s, p, ow, oy0, oy1, buf);
                        else im2colRows(xin, ch, h, w, k, s, p, ow, oy0, oy1, buf);
                        store(buf, cs, ((long) b * oh + oy0) * rowLen, (oy1 - oy0) * rowLen);
                    }
                }
            });
            return;
        }
        long row = 0;
        for (int b = 0; b < batch; b++) {
            long xb = (long) b * in;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, row++) {
                    long at = row * patch;
                    for (int c = 0; c < ch; c++) {
                        long xc = xb + (long) c * h * w;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s - p + ky;
                            boolean rowIn = iy >= 0 && iy < h;
                            for (int kx = 0; kx < k; kx++, at++) {
                                int ix = ox * s - p + kx;
                                double v = rowIn && ix >= 0 && ix < w ? ld(X.seg, d, xc + (long) iy * w + ix) : 0.0;
                                st(C.seg, d, at, v);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Output rows [oy0, oy1) of one sample's im2col into buf, row after row: each row (oy, ox) written
     * in order (channel, ky, kx), so the writes run through consecutive cache lines.
     */
    private static void im2colRows(
            float[] xin, int ch, int h, int w, int k, int s, int p, int ow, int oy0, int oy1, float[] buf) {
        int at = 0;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * s - p;
                boolean inside = ix0 >= 0 && ix0 + k <= w;
                for (int c = 0; c < ch; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * s - p + ky;
                        if (iy < 0 || iy >= h) {
                            for (int kx = 0; kx < k; kx++) buf[at + kx] = 0f;
                        } else {
                            int src = (c * h + iy) * w + ix0;
                            if (inside) for (int kx = 0; kx < k; kx++) buf[at + kx] = xin[src + kx];
                            else
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ix0 + kx;
                                    buf[at + kx] = ix >= 0 && ix < w ? xin[src + kx] : 0f;
                                }
                        }
                        at += k;
                    }
                }
            }
        }
    }

    /**
     * Adds output rows [oy0, oy1) of one sample's columns (in buf) into acc, row after row: every input
     * element gets its terms in the order of ascending output position, as the float64 loops add them.
     */
    private static void col2imRows(
            float[] buf, int ch, int h, int w, int k, int s, int p, int ow, int oy0, int oy1, double[] acc) {
        int at = 0;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * s - p;
                boolean inside = ix0 >= 0 && ix0 + k <= w;
                for (int c = 0; c < ch; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * s - p + ky;
                        if (iy >= 0 && iy < h) {
                            int dst = (c * h + iy) * w + ix0;
                            if (inside) for (int kx = 0; kx < k; kx++) acc[dst + kx] += buf[at + kx];
                            else
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ix0 + kx;
                                    if (ix >= 0 && ix < w) acc[dst + kx] += buf[at + kx];
                                }
                        }
                        at += k;
                    }
                }
            }
        }
    }

    @Override
    public void col2im(Tensor cols, ConvGeometry g, Tensor x) {
        CpuTensor X = cpu(x), C = cpu(cols);
        OpChecks.convShapes("col2im", X, g, C);
        boolean d = X.f64;
        int batch = X.rows(),
                ch = g.channels(),
                h = g.height(),
                w = g.width(),
                k = g.kernel(),
                s = g.stride(),
                p = g.padding();
        int oh = g.outHeight(), ow = g.outWidth(), patch = g.patch(), in = g.inputLength();
        if (!d) {
            MemorySegment xs = X.seg, cs = C.seg;
            int rowLen = ow * patch, chunk = (int) Math.max(1, Math.min(oh, sampleBuffer / rowLen));
            // a sample at a time, in chunks of output rows, row by row (reads in order; ~22 % faster than
            // column by column on LeNet5's shapes): every input element gets its terms in the order of
            // ascending output position (oy, ox), as the float64 loops below add them
            boolean vector = vectors && ConvVector.col2imFits(k);
            split(batch, Math.max(1, MEDIUM / ((long) oh * rowLen)), (part, from, to) -> {
                double[] acc = partScratch(part, in);
                float[] buf = partFloats(part, 1, Math.max(chunk * rowLen, in));
                for (int b = (int) from; b < to; b++) {
                    Arrays.fill(acc, 0, in, 0.0);
                    for (int oy0 = 0; oy0 < oh; oy0 += chunk) {
                        int oy1 = Math.min(oh, oy0 + chunk);
                        load(cs, ((long) b * oh + oy0) * rowLen, buf, (oy1 - oy0) * rowLen);
                        if (vector) ConvVector.col2imRows(buf, ch, h, w, k, s, p, ow, oy0, oy1, acc);
                        else col2imRows(buf, ch, h, w, k, s, p, ow, oy0, oy1, acc);
                    }
                    for (int i = 0; i < in; i++) buf[i] = (float) acc[i];
                    store(buf, xs, (long) b * in, in);
                }
            });
            return;
        }
        if (scratch.length < in) scratch = new double[in];
        double[] acc = scratch;
        long row = 0;
        for (int b = 0; b < batch; b++) {
            Arrays.fill(acc, 0, in, 0.0);
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, row++) {
                    long at = row * patch;
                    for (int c = 0; c < ch; c++) {
                        int xc = c * h * w;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) {
                                at += k;
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++, at++) {
                                int ix = ox * s - p + kx;
                                if (ix >= 0 && ix < w) acc[xc + iy * w + ix] += ld(C.seg, d, at);
                            }
                        }
                    }
                }
            }
            long xb = (long) b * in;
            for (int i = 0; i < in; i++) st(X.seg, d, xb + i, acc[i]);
        }
    }

    @Override
    public void blockTranspose(Tensor src, int p, int q, Tensor dst) {
        CpuTensor S = cpu(src), D = cpu(dst);
        long block = OpChecks.blockTranspose(src, p, q, dst);
        boolean d = S.f64;
        long blocks = S.length() / block;
        if (!d && block <= 1 << 22) {
            MemorySegment ss = S.seg, ds = D.seg;
            int bs = (int) block;
            split(blocks, Math.max(1, CHEAP / block), (part, from, to) -> {
                float[] in = partFloats(part, 0, bs), out = partFloats(part, 1, bs);
                for (long bl = from; bl < to; bl++) {
                    load(ss, bl * block, in, bs);
                    for (int i0 = 0; i0 < p; i0 += 16) { // 16-row tiles: the strided writes stay in a few cache lines
                        int i1 = Math.min(p, i0 + 16);
                        for (int j = 0; j < q; j++) {
                            int dj = j * p;
                            for (int i = i0; i < i1; i++) out[dj + i] = in[i * q + j];
                        }
                    }
                    store(out, ds, bl * block, bs);
                }
            });
            return;
        }
        for (long bl = 0; bl < blocks; bl++) {
            long base = bl * block;
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++)
                    st(D.seg, d, base + (long) j * p + i, ld(S.seg, d, base + (long) i * q + j));
            }
        }
    }

    private static final int NEG_INF_BITS = Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);

    /**
     * An int that orders float bits as {@code >} orders the floats, with −0 = +0 and every NaN above
     * +∞ and equal to each other: so a strict {@code >} over keys keeps the first maximum, and the
     * first NaN, exactly as the float comparison {@code v > best || isNaN(v) && !isNaN(best)} does.
     */
    private static int orderKey(int bits) {
        int key =
                (bits ^ ((bits >> 31) & 0x7fff_ffff)) + (bits >>> 31); // negatives flipped and moved up by one: −0 ↦ 0
        int nan = (0x7f80_0000 - (bits & 0x7fff_ffff)) >> 31; // −1 for NaN
        return (key & ~nan) | (Integer.MAX_VALUE & nan);
    }

    /**
     * 2×2 pooling of one sample (the general loop of {@link #maxPool}, unrolled): the order keys of the
     * whole sample first (one vectorised pass), then per output the first largest key of its four and
     * that element's own bits.
     */
    private static void maxPool2(
            float[] xin, int channels, int height, int width, float[] best, float[] arg, int[] keys) {
        int n = channels * height * width;
        for (int i = 0; i < n; i++) keys[i] = orderKey(Float.floatToRawIntBits(xin[i]));
        int oh = height / 2, ow = width / 2, o = 0;
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = (c * height + 2 * oy) * width, r1 = r0 + width;
                for (int ox = 0; ox < ow; ox++, o++) {
                    int i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
                    int k0 = keys[i0], k1 = keys[i0 + 1], k2 = keys[i2], k3 = keys[i2 + 1];
                    // the first of equal keys wins: a later element only where its key is strictly larger
                    int bestKey = k0, bestAt = i0;
                    int t = (int) (((long) bestKey - k1) >> 63); // −1 where k1 > bestKey
                    bestKey = (k1 & t) | (bestKey & ~t);
                    bestAt = ((i0 + 1) & t) | (bestAt & ~t);
                    t = (int) (((long) bestKey - k2) >> 63);
                    bestKey = (k2 & t) | (bestKey & ~t);
                    bestAt = (i2 & t) | (bestAt & ~t);
                    t = (int) (((long) bestKey - k3) >> 63);
                    bestAt = ((i2 + 1) & t) | (bestAt & ~t);
                    best[o] = xin[bestAt];
                    arg[o] = bestAt;
                }
            }
        }
    }

    @Override
    public void maxPool(Tensor x, int channels, int height, int width, int k, Tensor out, Tensor argmax) {
        CpuTensor X = cpu(x), O = cpu(out), A = cpu(argmax);
        OpChecks.maxPool(x, channels, height, width, k, out, argmax);
        int batch = X.rows(),
                oh = height / k,
                ow = width / k,
                in = channels * height * width,
                outLen = channels * oh * ow;
        boolean d = X.f64;
        if (!d) {
            MemorySegment xs = X.seg, os = O.seg, as = A.seg;
            split(batch, Math.max(1, CHEAP / in), (part, from, to) -> {
                float[] xin = partFloats(part, 0, in),
                        best = partFloats(part, 1, outLen),
                        arg = partFloats(part, 2, outLen);
                for (int b = (int) from; b < to; b++) {
                    load(xs, (long) b * in, xin, in);
                    if (k == 2) {
                        maxPool2(xin, channels, height, width, best, arg, partInts(part, in));
                        store(best, os, (long) b * outLen, outLen);
                        store(arg, as, (long) b * outLen, outLen);
                        continue;
                    }
                    int o = 0;
                    for (int c = 0; c < channels; c++) {
                        int xc = c * height * width;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++, o++) {
                                // branch-free (comparisons of real data are unpredictable): floats compared
                                // as order-preserving int keys, the winner chosen by masks, not jumps
                                int bestAt = xc + oy * k * width + ox * k;
                                int bestBits = NEG_INF_BITS, bestKey = orderKey(NEG_INF_BITS);
                                for (int ky = 0; ky < k; ky++) {
                                    int rowAt = xc + (oy * k + ky) * width + ox * k;
                                    for (int kx = 0; kx < k; kx++) {
                                        int bits = Float.floatToRawIntBits(xin[rowAt + kx]), key = orderKey(bits);
                                        int take = (int) (((long) bestKey - key) >> 63); // −1 where key > bestKey
                                        bestKey = (key & take) | (bestKey & ~take);
                                        bestBits = (bits & take) | (bestBits & ~take);
                                        bestAt = ((rowAt + kx) & take) | (bestAt & ~take);
                                    }
                                }
                                float bv = Float.intBitsToFloat(bestBits);
                                best[o] = bv;
                                arg[o] = bestAt;
                            }
                        }
                    }
                    store(best, os, (long) b * outLen, outLen);
                    store(arg, as, (long) b * outLen, outLen);
                }
            });
            return;
        }
        for (int b = 0; b < batch; b++) {
            long xb = (long) b * in, ob = (long) b * outLen;
            int o = 0;
            for (int c = 0; c < channels; c++) {
                int xc = c * height * width;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, o++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int bestAt = xc + oy * k * width + ox * k;
                        for (int ky = 0; ky < k; ky++) {
                            int rowAt = xc + (oy * k + ky) * width + ox * k;
                            for (int kx = 0; kx < k; kx++) {
                                double v = ld(X.seg, d, xb + rowAt + kx);
                                if (v > best || Double.isNaN(v) && !Double.isNaN(best)) {
                                    best = v;
                                    bestAt = rowAt + kx;
                                }
                            }
                        }
                        st(O.seg, d, ob + o, best);
                        st(A.seg, d, ob + o, bestAt);
                    }
                }
            }
        }
    }

    @Override
    public void gatherRows(Tensor src, Tensor idx, Tensor dst) {
        CpuTensor S = cpu(src), I = cpu(idx), D = cpu(dst);
        int batch = D.rows(), m = D.cols(), n = S.cols();
        OpChecks.gatherRows(src, idx, dst);
        boolean d = D.f64;
        if (!d) {
            MemorySegment ss = S.seg, is = I.seg, ds = D.seg;
            split(batch, Math.max(1, CHEAP / Math.max(1, m)), (part, from, to) -> {
                float[] row = partFloats(part, 0, n), ix = partFloats(part, 1, m), out = partFloats(part, 2, m);
                for (long b = from; b < to; b++) {
                    load(ss, b * n, row, n);
                    load(is, b * m, ix, m);
                    for (int j = 0; j < m; j++) out[j] = row[(int) ix[j]];
                    store(out, ds, b * m, m);
                }
            });
            return;
        }
        for (int b = 0; b < batch; b++) {
            long sb = (long) b * n, db = (long) b * m;
            for (int j = 0; j < m; j++) st(D.seg, d, db + j, ld(S.seg, d, sb + (long) ld(I.seg, d, db + j)));
        }
    }

    @Override
    public void scatterRows(Tensor src, Tensor idx, Tensor dst) {
        CpuTensor S = cpu(src), I = cpu(idx), D = cpu(dst);
        int batch = S.rows(), m = S.cols(), n = D.cols();
        OpChecks.scatterRows(src, idx, dst);
        boolean d = D.f64;
        if (!d) {
            MemorySegment ss = S.seg, is = I.seg, ds = D.seg;
            split(batch, Math.max(1, CHEAP / Math.max(1, n)), (part, from, to) -> {
                float[] row = partFloats(part, 0, n), ix = partFloats(part, 1, m), v = partFloats(part, 2, m);
                for (long b = from; b < to; b++) {
                    Arrays.fill(row, 0, n, 0f);
                    load(ss, b * m, v, m);
                    load(is, b * m, ix, m);
                    for (int j = 0; j < m; j++) {
                        int at = (int) ix[j];
                        row[at] = (float) ((double) row[at] + v[j]);
                    }
                    store(row, ds, b * n, n);
                }
            });
            return;
        }
        D.seg.fill((byte) 0);
        for (int b = 0; b < batch; b++) {
            long sb = (long) b * m, db = (long) b * n;
            for (int j = 0; j < m; j++) {
                long at = db + (long) ld(I.seg, d, sb + j);
                st(D.seg, d, at, ld(D.seg, d, at) + ld(S.seg, d, sb + j));
            }
        }
    }

    @Override
    public boolean sameContent(Tensor a, Tensor b) {
        CpuTensor A = cpu(a), B = cpu(b);
        if (A.dtype() != B.dtype() || A.length() != B.length()) return false;
        return A == B || MemorySegment.mismatch(A.seg, 0, A.seg.byteSize(), B.seg, 0, B.seg.byteSize()) < 0;
    }

    @Override
    public double sum(Tensor x) {
        CpuTensor X = cpu(x);
        double s = 0;
        long n = X.length();
        for (long i = 0; i < n; i++) s += ld(X.seg, X.f64, i);
        return s;
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        sameLength(x, y);
        CpuTensor X = cpu(x), Y = cpu(y);
        double s = 0;
        long n = X.length();
        for (long i = 0; i < n; i++) s += ld(X.seg, X.f64, i) * ld(Y.seg, Y.f64, i);
        return s;
    }

    @Override
    public double maxAbs(Tensor x) {
        CpuTensor X = cpu(x);
        double m = 0;
        long n = X.length();
        for (long i = 0; i < n; i++) {
            double v = ld(X.seg, X.f64, i);
            if (Double.isNaN(v)) return Double.NaN;
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Override
    public void gleNeuronStep(
            Tensor s,
            Tensor ie,
            Tensor tauM,
            Tensor tauR,
            double dt,
            double gamma,
            boolean prospective,
            Tensor u,
            Tensor v,
            Tensor e,
            Tensor uDot,
            Tensor uBreve) {
        CpuTensor U = cpu(u);
        int rows = U.rows(), n = U.cols();
        OpChecks.gleNeuronStep(s, ie, tauM, tauR, u, v, e, uDot, uBreve);
        boolean d = U.f64;
        MemorySegment ss = cpu(s).seg,
                is = cpu(ie).seg,
                ms = cpu(tauM).seg,
                rs = cpu(tauR).seg,
                us = U.seg,
                vs = cpu(v).seg,
                es = cpu(e).seg,
                ds = cpu(uDot).seg,
                bs = cpu(uBreve).seg;
        if (!d) {
            gleStepF(rows, n, dt, gamma, prospective, ss, is, ms, rs, us, vs, es, ds, bs);
            return;
        }
        for (int i = 0; i < rows; i++) { // float64
            long at = (long) i * n;
            for (int j = 0; j < n; j++) {
                long k = at + j;
                double tm = ld(ms, d, j), tr = ld(rs, d, j), inst = ld(is, d, k), err, vNew;
                if (prospective) {
                    double v0 = ld(vs, d, k), vd = (inst - v0) / tr;
                    err = v0 + tm * vd;
                    vNew = v0 + dt * vd;
                } else {
                    err = inst;
                    vNew = inst;
                }
                double u0 = ld(us, d, k), ud = (ld(ss, d, k) + gamma * err - u0) / tm;
                st(vs, d, k, vNew);
                st(es, d, k, err);
                st(ds, d, k, ud);
                st(bs, d, k, u0 + tr * ud);
                st(us, d, k, u0 + dt * ud);
            }
        }
    }

    private static final int CHUNK_FLOATS = 2048;

    /** The chunk arrays, each of at least n floats. */
    private float[][] chunkFloats(int n) {
        if (chunkFloats[0].length < n) for (int i = 0; i < chunkFloats.length; i++) chunkFloats[i] = new float[n];
        return chunkFloats;
    }

    /**
     * {@link #gleNeuronStep} in float32: whole rows at a time are copied into heap arrays (with τm and
     * τr tiled to match), stepped by {@link #gleChunkF}, and copied back.
     */
    private void gleStepF(
            int rows,
            int n,
            double dt,
            double gamma,
            boolean prospective,
            MemorySegment ss,
            MemorySegment is,
            MemorySegment ms,
            MemorySegment rs,
            MemorySegment us,
            MemorySegment vs,
            MemorySegment es,
            MemorySegment ds,
            MemorySegment bs) {
        int perChunk = Math.max(1, CHUNK_FLOATS / n);
        float[][] c = chunkFloats(perChunk * n);
        float[] tm = c[0], tr = c[1], sv = c[2], iv = c[3], vv = c[4], uv = c[5], ev = c[6], dv = c[7], bv = c[8];
        for (int r = 0; r < Math.min(perChunk, rows); r++) {
            load(ms, 0, tm, r * n, n);
            load(rs, 0, tr, r * n, n);
        }
        for (int row = 0; row < rows; row += perChunk) {
            int len = Math.min(perChunk, rows - row) * n;
            long at = (long) row * n;
            load(ss, at, sv, 0, len);
            load(is, at, iv, 0, len);
            load(vs, at, vv, 0, len);
            load(us, at, uv, 0, len);
            gleChunkF(prospective, len, dt, gamma, tm, tr, sv, iv, vv, uv, ev, dv, bv);
            store(vv, vs, at, len);
            store(uv, us, at, len);
            store(ev, es, at, len);
            store(dv, ds, at, len);
            store(bv, bs, at, len);
        }
    }

    /**
     * The float32 GLE neuron step on heap arrays: the float64 loop's arithmetic (in double, with e and
     * u̇ rounded to float where they are stored and read back), in loops that C2 vectorises.
     */
    static void gleChunkF(
            boolean prospective,
            int len,
            double dt,
            double gamma,
            float[] tm,
            float[] tr,
            float[] s,
            float[] ie,
            float[] v,
            float[] u,
            float[] e,
            float[] uDot,
            float[] uBreve) {
        if (prospective) {
            for (int k = 0; k < len; k++) {
                double v0 = v[k], vd = (ie[k] - v0) / tr[k];
                e[k] = (float) (v0 + tm[k] * vd);
                v[k] = (float) (v0 + dt * vd);
            }
        } else {
            for (int k = 0; k < len; k++) {
                e[k] = ie[k];
                v[k] = ie[k];
            }
        }
        for (int k = 0; k < len; k++) {
            double u0 = u[k];
            float ud = (float) ((s[k] + gamma * e[k] - u0) / tm[k]);
            uDot[k] = ud;
            uBreve[k] = (float) (u0 + (double) tr[k] * ud); // the product in double, as the float64 loop
            u[k] = (float) (u0 + dt * ud);
        }
    }

    @Override
    public void adamStep(
            Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, long t) {
        OpChecks.adamStep(p, g, m, v, t);
        CpuTensor P = cpu(p);
        boolean d = P.f64;
        MemorySegment ps = P.seg, gs = cpu(g).seg, ms = cpu(m).seg, vs = cpu(v).seg;
        double stepSize = lr / (1.0 - Math.pow(beta1, t)), bc2 = Math.sqrt(1.0 - Math.pow(beta2, t));
        long n = P.length();
        if (!d) {
            adamF(ps, gs, ms, vs, n, stepSize, bc2, beta1, beta2, eps);
            return;
        }
        for (long i = 0; i < n; i++) {
            double gi = ld(gs, d, i);
            double mi = beta1 * ld(ms, d, i) + (1.0 - beta1) * gi, vi = beta2 * ld(vs, d, i) + (1.0 - beta2) * gi * gi;
            if (!d) {
                mi = (float) mi;
                vi = (float) vi;
            }
            st(ms, d, i, mi);
            st(vs, d, i, vi);
            st(ps, d, i, ld(ps, d, i) - stepSize * mi / (Math.sqrt(vi) / bc2 + eps));
        }
    }

    /** {@link #adamStep} in float32: the same arithmetic on heap chunks, in loops that C2 vectorises. */
    private void adamF(
            MemorySegment ps,
            MemorySegment gs,
            MemorySegment ms,
            MemorySegment vs,
            long n,
            double stepSize,
            double bc2,
            double beta1,
            double beta2,
            double eps) {
        float[][] c = chunkFloats(CHUNK_FLOATS);
        float[] p = c[0], g = c[1], m = c[2], v = c[3];
        for (long at = 0; at < n; at += CHUNK_FLOATS) {
            int len = (int) Math.min(CHUNK_FLOATS, n - at);
            load(ps, at, p, 0, len);
            load(gs, at, g, 0, len);
            load(ms, at, m, 0, len);
            load(vs, at, v, 0, len);
            adamChunkF(len, stepSize, bc2, beta1, beta2, eps, p, g, m, v);
            store(p, ps, at, len);
            store(m, ms, at, len);
            store(v, vs, at, len);
        }
    }

    static void adamChunkF(
            int len,
            double stepSize,
            double bc2,
            double beta1,
            double beta2,
            double eps,
            float[] p,
            float[] g,
            float[] m,
            float[] v) {
        for (int i = 0; i < len; i++) {
            double gi = g[i];
            float mi = (float) (beta1 * m[i] + (1.0 - beta1) * gi),
                    vi = (float) (beta2 * v[i] + (1.0 - beta2) * gi * gi);
            m[i] = mi;
            v[i] = vi;
            p[i] = (float) (p[i] - stepSize * mi / (Math.sqrt(vi) / bc2 + eps));
        }
    }

    @Override
    public void clamp(Tensor x, double lo, double hi) {
        OpChecks.clamp(lo, hi);
        CpuTensor X = cpu(x);
        boolean d = X.f64;
        long n = X.length();
        for (long i = 0; i < n; i++) {
            double a = ld(X.seg, d, i);
            if (a < lo) st(X.seg, d, i, lo);
            else if (a > hi) st(X.seg, d, i, hi);
        }
    }

    @Override
    public boolean hasNonFinite(Tensor x) {
        CpuTensor X = cpu(x);
        long n = X.length();
        for (long i = 0; i < n; i++) if (!Double.isFinite(ld(X.seg, X.f64, i))) return true;
        return false;
    }
}
