package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.OpChecks;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The CUDA backend: tensors in device memory, every op of the SPI as a kernel of
 * {@code src/main/cuda} (compiled by NVRTC for the GPU present, see {@link KernelCache}) or a cuBLAS
 * GEMM, all queued on one CUDA stream, following {@code cuda/OPS.md}. Ops return as soon as their
 * work is queued; host transfers, the ops that return a host value ({@link #sum}, {@link #dot},
 * {@link #maxAbs}, {@link #hasNonFinite}, {@link #sameContent}) and {@link #synchronize} wait for it.
 *
 * <p>{@link #runRepeated} records a recurring stretch of ops (an Euler step) instead of queuing it,
 * and runs it as one CUDA graph: captured the first time its op sequence appears, and afterwards
 * launched again with the kernel arguments of the new run patched into the graph's nodes (the RNG
 * step, Adam's bias corrections, swapped double buffers), so replays compute exactly what the ops
 * run one by one would.
 *
 * <p>Not thread-safe: use a backend from one thread at a time (any thread; the context is made
 * current where needed). {@link #gatherRows}/{@link #scatterRows} check their indices on the device;
 * an index out of range skips that element and makes the next synchronising call throw an
 * {@link IndexOutOfBoundsException} (the CPU backend throws at once).
 */
public final class CudaBackend implements Backend {
    /**
     * Construction options.
     *
     * @param device   the CUDA device ordinal
     * @param tf32     float32 GEMMs on TF32 tensor cores (faster, about 10 mantissa bits in the products); off
     *                 gives the reference precision
     * @param cacheDir folder of compiled kernels, null for no disk cache
     * @param libraries where the CUDA libraries are looked up
     */
    public record Options(int device, boolean tf32, Path cacheDir, CudaLibraries libraries) {
        public static Options defaults() {
            return new Options(0, false, KernelCache.defaultDirectory(), CudaLibraries.system());
        }

        public Options withDevice(int d) {
            return new Options(d, tf32, cacheDir, libraries);
        }

        public Options withTf32(boolean on) {
            return new Options(device, on, cacheDir, libraries);
        }

        public Options withCacheDir(Path dir) {
            return new Options(device, tf32, dir, libraries);
        }

        public Options withLibraries(CudaLibraries libs) {
            return new Options(device, tf32, cacheDir, libs);
        }
    }

    /** NVRTC options of every kernel source: no FMA contraction, for bit-compatibility with the CPU backend (OPS.md). */
    public static final List<String> NVRTC_OPTIONS = List.of("--fmad=false");

    /** Threads per block of every launch ([E] kernels, tiles, rows, partials: the kernels' 256 suggested). */
    static final int BLOCK = 256;
    /** Largest grid issued: every kernel grid-strides, so fewer blocks than items just loop. */
    static final int MAX_GRID = 1 << 20;

    private static final int MAX_ARGS = 32;
    private static final long CUBLAS_WORKSPACE = 32L << 20;
    /** Partial sums of the [P] reductions: G = min(1024, max(1, ceil(n / 8192))) (OPS.md). */
    private static final int MAX_PARTIALS = 1024;

    static final long ROWS_PER_CHUNK = 256;
    private static final ThreadLocal<CudaBackend> CURRENT = new ThreadLocal<>();

    private final CudaDriver drv;
    private final Cublas blas;
    private final int ordinal, dev;
    private final MemorySegment ctx, stream, blasHandle;
    private final List<MemorySegment> modules = new ArrayList<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final String deviceText, arch;
    private final boolean tf32;

    /** Native memory of the backend's life: the launch-argument block, GEMM scalars, host scalars. */
    private final Arena arena = Arena.ofShared();

    private final MemorySegment argValues, argPointers, gemmScalars, hostScalar;
    private int argCount;
    private Arena stagingArena;
    private MemorySegment staging = MemorySegment.NULL;

    /** Device scratch: partials (1024 doubles), result (double), flag (int), index flag (int). */
    private final long scratch, partials, result, flag, indexFlag, blasWorkspace;

    private long colScratch;
    private long colScratchBytes;
    private boolean indexOpsPending;
    /** The recording that stream work goes to instead of the stream, while {@link #runRepeated} runs (else null). */
    private OpRecording recording;

    private final OpRecording recordBuffer = new OpRecording();
    /** Graphs of the op sequences seen, least recently used first. */
    private final LinkedHashMap<GraphKey, CachedGraph> graphs = new LinkedHashMap<>(16, 0.75f, true);

    private final MemorySegment nodeParams;
    private long graphsBuilt, graphLaunches, nodesUpdated, eagerFlushes;
    /** Why runRepeated queues op by op (the driver cannot update graph nodes, or a capture failed), or null while it uses graphs. */
    private String graphsOff;

    private boolean closed;
    private final Set<CudaTensor> live = Collections.newSetFromMap(new IdentityHashMap<>());

    // kernels: [0] float32, [1] float64
    private final MemorySegment[] kFill,
            kLincomb,
            kMul,
            kDiv,
            kActivation,
            kPredictionError,
            kHighPass,
            kBurst,
            kLif,
            kBernoulli,
            kLowPassOuter,
            kAddRow,
            kSignConcordant,
            kGather,
            kScatter,
            kGle,
            kAdam,
            kClamp,
            kBlockTranspose,
            kColumnSums,
            kColumnSumsPartial,
            kColumnSumsFinish,
            kSoftmax,
            kSoftmaxBlock,
            kSumPartials,
            kDotPartials,
            kMaxAbsPartials,
            kHasNonFinite,
            kSameContent,
            kIm2col,
            kCol2im,
            kMaxPool,
            kOuStep,
            kLincombActivation,
            kLincombChain;
    private final MemorySegment kSumFinish, kMaxAbsFinish;

    public CudaBackend() {
        this(Options.defaults());
    }

    public CudaBackend(boolean tf32) {
        this(Options.defaults().withTf32(tf32));
    }

    public CudaBackend(Options options) {
        CudaLibraries libs = options.libraries();
        CudaLibraries.Found fc = libs.find(CudaLibraries.Lib.CUDA),
                fn = libs.find(CudaLibraries.Lib.NVRTC),
                fb = libs.find(CudaLibraries.Lib.CUBLAS);
        for (CudaLibraries.Found f : List.of(fc, fn, fb)) {
            if (f.path().isEmpty()) throw new CudaException("CUDA backend: " + f.describe());
        }
        drv = new CudaDriver(fc.path().get());
        if (!drv.canUpdateGraphs())
            graphsOff = "the driver has no cuStreamGetCaptureInfo/cuGraphExecKernelNodeSetParams (CUDA 12.0+ needed)";
        Nvrtc nvrtc = new Nvrtc(fn.path().get());
        blas = new Cublas(fb.path().get());
        drv.init();
        int count = drv.deviceCount();
        if (options.device() < 0 || options.device() >= count) {
            throw new CudaException("CUDA device " + options.device() + " requested, " + count + " present");
        }
        ordinal = options.device();
        dev = drv.device(ordinal);
        ctx = drv.usePrimaryContext(dev);
        CURRENT.set(this);
        int major = drv.attribute(dev, CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR),
                minor = drv.attribute(dev, CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR);
        arch = "compute_" + major + minor;
        tf32 = options.tf32();
        String nvrtcVersion = nvrtc.version();
        stream = drv.createStream();
        blasHandle = blas.createHandle();
        blas.setStream(blasHandle, stream);
        blas.setTf32(blasHandle, tf32);
        long ws = drv.malloc(CUBLAS_WORKSPACE);
        if (!blas.setWorkspace(blasHandle, ws, CUBLAS_WORKSPACE)) {
            drv.free(ws);
            ws = 0;
        }
        blasWorkspace = ws;
        deviceText = String.format(
                Locale.ROOT,
                "CUDA device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB; driver CUDA %s, NVRTC %s, cuBLAS %d%s",
                ordinal,
                drv.deviceName(dev),
                major,
                minor,
                drv.attribute(dev, CudaDriver.ATTR_MULTIPROCESSOR_COUNT),
                drv.totalMemory(dev) / (double) (1L << 30),
                drv.driverVersion(),
                nvrtcVersion,
                blas.version(blasHandle),
                tf32 ? ", TF32 GEMMs" : "");

        for (String name : KernelSources.list()) {
            byte[] ptx = KernelCache.ptx(
                    nvrtc, nvrtcVersion, name, KernelSources.load(name), arch, NVRTC_OPTIONS, options.cacheDir());
            MemorySegment module = drv.loadModule(ptx);
            modules.add(module);
            for (String kernel : KernelSources.kernelNames(KernelSources.load(name)))
                functions.put(kernel, drv.function(module, kernel));
        }
        kFill = pair("fill");
        kLincomb = pair("lincomb");
        kMul = pair("mul");
        kDiv = pair("div_elem");
        kActivation = pair("activation");
        kPredictionError = pair("prediction_error");
        kHighPass = pair("high_pass");
        kBurst = pair("burst");
        kLif = pair("lif_step");
        kBernoulli = pair("bernoulli");
        kLowPassOuter = pair("low_pass_outer_apply");
        kAddRow = pair("add_row_vector");
        kSignConcordant = pair("sign_concordant");
        kGather = pair("gather_rows");
        kScatter = pair("scatter_rows");
        kGle = pair("gle_neuron_step");
        kAdam = pair("adam_step");
        kClamp = pair("clamp");
        kBlockTranspose = pair("block_transpose");
        kColumnSums = pair("column_sums");
        kColumnSumsPartial = pair("column_sums_partial");
        kColumnSumsFinish = pair("column_sums_finish");
        kSoftmax = pair("softmax_rows");
        kSoftmaxBlock = pair("softmax_rows_block");
        kSumPartials = pair("sum_partials");
        kDotPartials = pair("dot_partials");
        kMaxAbsPartials = pair("max_abs_partials");
        kHasNonFinite = pair("has_non_finite");
        kSameContent = pair("same_content");
        kIm2col = pair("im2col");
        kCol2im = pair("col2im");
        kMaxPool = pair("max_pool");
        kOuStep = pair("ou_step");
        kLincombActivation = pair("lincomb_activation");
        kLincombChain = pair("lincomb_chain");
        kSumFinish = fn("sum_finish");
        kMaxAbsFinish = fn("max_abs_finish");

        argValues = arena.allocate(8L * MAX_ARGS, 8);
        argPointers = arena.allocate(ADDRESS, MAX_ARGS);
        for (int i = 0; i < MAX_ARGS; i++) argPointers.setAtIndex(ADDRESS, i, argValues.asSlice(8L * i, 8));
        gemmScalars = arena.allocate(16, 8);
        hostScalar = arena.allocate(16, 8);
        nodeParams = arena.allocate(CudaDriver.KERNEL_NODE_PARAMS_V2);

        scratch = drv.malloc(8L * MAX_PARTIALS + 64);
        partials = scratch;
        result = scratch + 8L * MAX_PARTIALS;
        flag = result + 8;
        indexFlag = flag + 4;
        drv.fill32(scratch, 0, (8L * MAX_PARTIALS + 64) / 4, stream);
        drv.synchronize(stream);
    }

    private MemorySegment fn(String name) {
        MemorySegment f = functions.get(name);
        if (f == null)
            throw new CudaException("kernel " + name + " not found in the compiled sources " + KernelSources.list());
        return f;
    }

    private MemorySegment[] pair(String base) {
        return new MemorySegment[] {fn(base), fn(base + "_f64")};
    }

    // ------------------------------------------------------------------------------------ plumbing

    /** Makes this backend's context current on the calling thread (a no-op when it already is). */
    private void enter() {
        if (closed) throw new IllegalStateException("the CUDA backend is closed");
        if (CURRENT.get() != this) {
            drv.setCurrent(ctx);
            CURRENT.set(this);
        }
    }

    /** Queues what {@link #runRepeated} has recorded so far: the host is about to wait on the stream or touch memory. */
    private void hostPoint() {
        if (recording != null) flush();
    }

    private void toHostAsync(MemorySegment dst, long src, long bytes) {
        hostPoint();
        drv.copyToHostAsync(dst, src, bytes, stream);
    }

    private void toDeviceAsync(long dst, MemorySegment src, long bytes) {
        hostPoint();
        drv.copyToDeviceAsync(dst, src, bytes, stream);
    }

    private void sync() {
        hostPoint();
        drv.synchronize(stream);
    }

    // stream work: queued, or recorded while runRepeated runs

    private void memset32(long dst, int value, long count) {
        if (recording != null) recording.memset32(dst, value, count);
        else drv.fill32(dst, value, count, stream);
    }

    private void copyOnDevice(long dst, long src, long bytes) {
        if (recording != null) recording.copy(dst, src, bytes);
        else drv.copyOnDevice(dst, src, bytes, stream);
    }

    private CudaTensor cuda(Tensor t) {
        if (t instanceof CudaTensor c && c.backend() == this) {
            if (c.isClosed()) throw new IllegalArgumentException("tensor " + t + " is closed");
            return c;
        }
        throw new IllegalArgumentException("tensor " + t + " does not belong to this CUDA backend");
    }

    private static void sameLength(Tensor a, Tensor b) {
        OpChecks.sameLength(a, b);
    }

    private static int d(CudaTensor t) {
        return t.f64 ? 1 : 0;
    }

    // launch arguments: written into one preallocated block (cuLaunchKernel copies them at the call)

    private CudaBackend ptr(long p) {
        argValues.set(JAVA_LONG, 8L * argCount++, p);
        return this;
    }

    private CudaBackend ptr(CudaTensor t) {
        return ptr(t.pointer());
    }

    private CudaBackend i32(int v) {
        argValues.set(
                JAVA_LONG, 8L * argCount++, v & 0xffffffffL); // the high half zero: a recording compares whole slots
        return this;
    }

    private CudaBackend i64(long v) {
        argValues.set(JAVA_LONG, 8L * argCount++, v);
        return this;
    }

    private CudaBackend f64(double v) {
        argValues.set(JAVA_DOUBLE, 8L * argCount++, v);
        return this;
    }

    /** A 1-D launch as issued: {@code grid} blocks of {@code block} threads, no dynamic shared memory. */
    record Launch(int grid, int block) {}

    /** The launch of {@code blocks} blocks of {@code block} threads: the grid capped at {@link #MAX_GRID}; null (nothing to launch) for none. */
    static Launch launchOf(long blocks, int block) {
        return blocks <= 0 ? null : new Launch((int) Math.min(blocks, MAX_GRID), block);
    }

    /** [E]: one thread per item, grid-stride. */
    static Launch elementwise(long count) {
        return launchOf((count + BLOCK - 1) / BLOCK, BLOCK);
    }

    /** [T] block_transpose: one block per 32 × 32 tile of each of {@code blocks} [p, q] blocks. */
    static Launch transposeTiles(long blocks, int p, int q) {
        return launchOf(blocks * ((p + 31) / 32) * ((q + 31) / 32), BLOCK);
    }

    /** [B]/[R] one block per row (softmax_rows_block, scatter_rows). */
    static Launch perRow(long rows) {
        return launchOf(rows, BLOCK);
    }

    /** [C] column_sums_partial over m [rows, n]: one block per (32-column tile, chunk of ROWS_PER_CHUNK rows). */
    static Launch columnTiles(int rows, int n) {
        long chunks = (rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        return launchOf(((n + 31) / 32) * chunks, BLOCK);
    }

    /** [P] the partial sums of a reduction over n elements: G = partialsFor(n) blocks. */
    static Launch partialSums(long n) {
        return launchOf(partialsFor(n), BLOCK);
    }

    /** The one block of a reduction's *_finish kernel. */
    static Launch finish() {
        return launchOf(1, BLOCK);
    }

    /** Launches f with the arguments set since the last launch as {@code l} says (nothing for null). */
    private void launchGrid(MemorySegment f, Launch l) {
        int count = argCount;
        argCount = 0;
        if (l == null) return;
        if (recording != null) recording.kernel(f.address(), l.grid(), l.block(), argValues, count);
        else drv.launch(f, l.grid(), l.block(), 0, stream, argPointers);
    }

    /** [E]: one thread per item, grid-stride. */
    private void launchE(MemorySegment f, long count) {
        launchGrid(f, elementwise(count));
    }

    static int partialsFor(long n) {
        return (int) Math.min(MAX_PARTIALS, Math.max(1, (n + 8191) / 8192));
    }

    private MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) {
            if (stagingArena != null) stagingArena.close();
            stagingArena = Arena.ofShared();
            staging = stagingArena.allocate(Math.max(bytes, 1L << 16), 8);
        }
        return staging;
    }

    /** Waits for the stream, then throws if a gather/scatter met an index out of range since the last check. */
    private void syncAndCheck() {
        sync();
        if (indexOpsPending) {
            indexOpsPending = false;
            drv.copyToHostAsync(hostScalar, indexFlag, 4, stream);
            drv.synchronize(stream);
            if (hostScalar.get(JAVA_INT, 0) != 0) {
                drv.fill32(indexFlag, 0, 1, stream);
                drv.synchronize(stream);
                throw new IndexOutOfBoundsException(
                        "gatherRows/scatterRows: an index was out of range (those elements were skipped)");
            }
        }
    }

    private double readResult() {
        toHostAsync(hostScalar, result, 8);
        syncAndCheck();
        return hostScalar.get(JAVA_DOUBLE, 0);
    }

    private int readFlag() {
        toHostAsync(hostScalar, flag, 4);
        syncAndCheck();
        return hostScalar.get(JAVA_INT, 0);
    }

    /** Device scratch for the column-sum partials, grown outside captures only. */
    private long colScratch(long bytes) {
        if (colScratchBytes < bytes) {
            if (colScratch != 0) {
                sync(); // recorded ops may use the old buffer: queue them and let them finish
                drv.free(colScratch);
            }
            colScratch = drv.malloc(bytes);
            colScratchBytes = bytes;
        }
        return colScratch;
    }

    void free(CudaTensor t) {
        if (t.isClosed()) return;
        if (closed) {
            t.release();
            return;
        }
        enter();
        hostPoint(); // recorded ops may use it
        long p = t.release();
        live.remove(t);
        if (p != 0) drv.free(p);
    }

    // ------------------------------------------------------------------------------------ identity

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String device() {
        return deviceText;
    }

    /** The compute architecture the kernels were compiled for, e.g. compute_90. */
    public String architecture() {
        return arch;
    }

    /** Whether float32 GEMMs use TF32 tensor cores. */
    public boolean tf32() {
        return tf32;
    }

    // ------------------------------------------------------------------------------------ memory and transfers

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        enter();
        long n = 1;
        for (int s : shape) n *= Math.max(0, s);
        long bytes = n * dtype.bytes();
        long p = bytes == 0 ? 0 : drv.malloc(bytes);
        CudaTensor t;
        try {
            t = new CudaTensor(this, p, dtype, shape);
        } catch (RuntimeException e) {
            if (p != 0) drv.free(p);
            throw e;
        }
        if (bytes > 0) memset32(p, 0, bytes / 4);
        live.add(t);
        return t;
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        CudaTensor t = cuda(src);
        OpChecks.hostArray(dst.length, src);
        enter();
        int n = dst.length;
        if (n == 0) {
            syncAndCheck();
            return;
        }
        MemorySegment buf = staging(t.bytes());
        toHostAsync(buf, t.pointer(), t.bytes());
        syncAndCheck();
        if (t.f64) MemorySegment.copy(buf, JAVA_DOUBLE, 0, dst, 0, n);
        else for (int i = 0; i < n; i++) dst[i] = buf.getAtIndex(JAVA_FLOAT, i);
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {
        CudaTensor t = cuda(dst);
        OpChecks.hostArray(src.length, dst);
        enter();
        int n = src.length;
        if (n == 0) return;
        MemorySegment buf = staging(t.bytes());
        if (t.f64) MemorySegment.copy(src, 0, buf, JAVA_DOUBLE, 0, n);
        else for (int i = 0; i < n; i++) buf.setAtIndex(JAVA_FLOAT, i, (float) src[i]);
        toDeviceAsync(t.pointer(), buf, t.bytes());
        drv.synchronize(stream);
    }

    @Override
    public void copyFromHost(float[] src, int srcOffset, Tensor dst) {
        CudaTensor t = cuda(dst);
        int n = Math.toIntExact(t.length());
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        enter();
        if (n == 0) return;
        MemorySegment buf = staging(t.bytes());
        if (t.f64) for (int i = 0; i < n; i++) buf.setAtIndex(JAVA_DOUBLE, i, src[srcOffset + i]);
        else MemorySegment.copy(src, srcOffset, buf, JAVA_FLOAT, 0, n);
        toDeviceAsync(t.pointer(), buf, t.bytes());
        drv.synchronize(stream);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameLength(src, dst);
        CudaTensor s = cuda(src), t = cuda(dst);
        enter();
        if (s != t && s.bytes() > 0) copyOnDevice(t.pointer(), s.pointer(), s.bytes());
    }

    @Override
    public void fill(Tensor t, double value) {
        CudaTensor x = cuda(t);
        enter();
        if (x.bytes() == 0) return;
        if (value == 0.0) {
            memset32(x.pointer(), 0, x.bytes() / 4);
            return;
        }
        ptr(x).i64(x.length()).f64(value).launchE(kFill[d(x)], x.length());
    }

    // ------------------------------------------------------------------------------------ GEMM and transposes

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        CudaTensor A = cuda(a), B = cuda(b), C = cuda(c);
        int[] mnk = OpChecks.gemm(transA, transB, a, b, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        enter();
        gemmUnchecked(transA, transB, m, n, k, alpha, A, B, beta, C);
    }

    private void gemmUnchecked(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            CudaTensor A,
            CudaTensor B,
            double beta,
            CudaTensor C) {
        if (m == 0 || n == 0) return;
        int lda = Math.max(1, A.cols()), ldb = Math.max(1, B.cols());
        if (recording != null)
            recording.gemm(
                    C.f64, transA, transB, m, n, k, alpha, A.pointer(), lda, B.pointer(), ldb, beta, C.pointer());
        else
            blas.gemmRowMajor(
                    blasHandle,
                    C.f64,
                    transA,
                    transB,
                    m,
                    n,
                    k,
                    alpha,
                    A.pointer(),
                    lda,
                    B.pointer(),
                    ldb,
                    beta,
                    C.pointer(),
                    gemmScalars);
    }

    private void blockTransposeLaunch(CudaTensor s, CudaTensor t, long blocks, int p, int q, double alpha) {
        ptr(s).ptr(t)
                .i64(blocks)
                .i32(p)
                .i32(q)
                .f64(alpha)
                .launchGrid(kBlockTranspose[d(s)], transposeTiles(blocks, p, q));
    }

    @Override
    public void transpose(Tensor src, double alpha, Tensor dst) {
        CudaTensor s = cuda(src), t = cuda(dst);
        OpChecks.transpose(src, dst);
        int r = s.rows(), c = s.cols();
        enter();
        if (s.length() == 0) return;
        blockTransposeLaunch(s, t, 1, r, c, alpha);
    }

    @Override
    public void blockTranspose(Tensor src, int p, int q, Tensor dst) {
        CudaTensor S = cuda(src), D = cuda(dst);
        long block = OpChecks.blockTranspose(src, p, q, dst);
        enter();
        if (S.length() == 0) return;
        blockTransposeLaunch(S, D, S.length() / block, p, q, 1.0);
    }

    // ------------------------------------------------------------------------------------ elementwise

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        sameLength(x, y);
        CudaTensor X = cuda(x), Y = cuda(y);
        enter();
        ptr(Y).ptr(X).ptr(Y).ptr(0).i64(Y.length()).f64(a).f64(b).f64(0).launchE(kLincomb[d(Y)], Y.length());
    }

    @Override
    public void lincomb(Tensor out, double a, Tensor x, double b, Tensor y, double c, Tensor z) {
        sameLength(out, x);
        sameLength(out, y);
        CudaTensor O = cuda(out), X = cuda(x), Y = cuda(y);
        long zp = 0;
        if (z != null && c != 0.0) {
            sameLength(out, z);
            zp = cuda(z).pointer();
        }
        enter();
        ptr(O).ptr(X)
                .ptr(Y)
                .ptr(zp)
                .i64(O.length())
                .f64(a)
                .f64(b)
                .f64(zp == 0 ? 0.0 : c)
                .launchE(kLincomb[d(O)], O.length());
    }

    /** One kernel: lincomb then activation, the same bits (spi_elementwise.cu, lincomb_activation). */
    @Override
    public void lincombActivation(Tensor out, double a, Tensor x, double b, Tensor y, Activation f, Tensor rate) {
        sameLength(out, x);
        sameLength(out, y);
        sameLength(out, rate);
        CudaTensor O = cuda(out), X = cuda(x), Y = cuda(y), R = cuda(rate);
        enter();
        ptr(O).ptr(R)
                .ptr(X)
                .ptr(Y)
                .i64(O.length())
                .f64(a)
                .f64(b)
                .i32(f.ordinal())
                .launchE(kLincombActivation[d(O)], O.length());
    }

    /** One kernel: two lincombs, the same bits (spi_elementwise.cu, lincomb_chain). */
    @Override
    public void lincombChain(
            Tensor mid,
            double a,
            Tensor x,
            double b,
            Tensor y,
            double c,
            Tensor z,
            Tensor out,
            double d,
            Tensor prev,
            double e) {
        sameLength(mid, x);
        sameLength(mid, y);
        sameLength(mid, out);
        sameLength(mid, prev);
        CudaTensor M = cuda(mid), X = cuda(x), Y = cuda(y), O = cuda(out), P = cuda(prev);
        long zp = 0;
        if (z != null && c != 0.0) {
            sameLength(mid, z);
            zp = cuda(z).pointer();
        }
        enter();
        ptr(M).ptr(X)
                .ptr(Y)
                .ptr(zp)
                .ptr(O)
                .ptr(P)
                .i64(M.length())
                .f64(a)
                .f64(b)
                .f64(zp == 0 ? 0.0 : c)
                .f64(d)
                .f64(e)
                .launchE(kLincombChain[d(M)], M.length());
    }

    @Override
    public void mul(Tensor x, Tensor y, Tensor out) {
        sameLength(x, out);
        sameLength(y, out);
        CudaTensor X = cuda(x), Y = cuda(y), O = cuda(out);
        enter();
        ptr(X).ptr(Y).ptr(O).i64(O.length()).launchE(kMul[d(O)], O.length());
    }

    @Override
    public void div(Tensor x, Tensor y, Tensor out) {
        sameLength(x, out);
        sameLength(y, out);
        CudaTensor X = cuda(x), Y = cuda(y), O = cuda(out);
        enter();
        ptr(X).ptr(Y).ptr(O).i64(O.length()).launchE(kDiv[d(O)], O.length());
    }

    private void activationLaunch(Activation f, double scale, CudaTensor x, CudaTensor out, CudaTensor deriv) {
        enter();
        ptr(x).ptr(out == null ? 0 : out.pointer())
                .ptr(deriv == null ? 0 : deriv.pointer())
                .i64(x.length())
                .i32(f.ordinal())
                .f64(scale)
                .launchE(kActivation[d(x)], x.length());
    }

    @Override
    public void activation(Activation f, double scale, Tensor x, Tensor out) {
        sameLength(x, out);
        activationLaunch(f, scale, cuda(x), cuda(out), null);
    }

    @Override
    public void activationDerivative(Activation f, double scale, Tensor x, Tensor out) {
        sameLength(x, out);
        activationLaunch(f, scale, cuda(x), null, cuda(out));
    }

    @Override
    public void activationAndDerivative(Activation f, double scale, Tensor x, Tensor out, Tensor deriv) {
        OpChecks.distinctActivationOutputs(x, out, deriv);
        sameLength(x, out);
        sameLength(x, deriv);
        activationLaunch(f, scale, cuda(x), cuda(out), cuda(deriv));
    }

    @Override
    public void predictionError(Tensor r, Activation f, double scale, Tensor v, Tensor out) {
        sameLength(r, out);
        sameLength(v, out);
        CudaTensor R = cuda(r), V = cuda(v), O = cuda(out);
        enter();
        ptr(R).ptr(V).ptr(O).i64(O.length()).i32(f.ordinal()).f64(scale).launchE(kPredictionError[d(O)], O.length());
    }

    @Override
    public void ouStep(Tensor xi, CounterRandom rng, int stream, long step, double decay, double gain) {
        CudaTensor X = cuda(xi);
        enter();
        long n = X.length();
        ptr(X).i64(n).i64(rng.seed()).i32(stream).i64(step).f64(decay).f64(gain).launchE(kOuStep[d(X)], (n + 3) / 4);
    }

    @Override
    public void highPass(Tensor hp, Tensor r, Tensor rOld, double k) {
        sameLength(hp, r);
        sameLength(hp, rOld);
        CudaTensor H = cuda(hp), R = cuda(r), O = cuda(rOld);
        enter();
        ptr(H).ptr(R).ptr(O).i64(H.length()).f64(k).launchE(kHighPass[d(H)], H.length());
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
        CudaTensor I = cuda(current), U = cuda(u), S = cuda(s), A = cuda(a), G = cuda(g);
        CudaTensor R = refractory == null ? null : cuda(refractory);
        enter();
        long n = U.length();
        ptr(I).ptr(U)
                .ptr(R == null ? 0L : R.pointer())
                .ptr(S)
                .ptr(A)
                .ptr(G)
                .i64(n)
                .f64(decay)
                .f64(threshold)
                .f64(tauTrace)
                .i32(refractorySteps)
                .i32(shape.ordinal())
                .f64(width)
                .launchE(kLif[d(U)], n);
    }

    @Override
    public void bernoulli(Tensor p, double scale, CounterRandom rng, int stream, long step, Tensor out) {
        sameLength(p, out);
        CudaTensor P = cuda(p), O = cuda(out);
        enter();
        long n = P.length();
        ptr(P).ptr(O).i64(n).i64(rng.seed()).i32(stream).i64(step).f64(scale).launchE(kBernoulli[d(P)], (n + 3) / 4);
    }

    @Override
    public void burstHidden(
            Tensor u, Tensor e, double amplitude, double gain, double baseline, Tensor p, Tensor burst, Tensor delta) {
        OpChecks.burst(u, e, p, burst, delta);
        launchBurst(u, e, 1, amplitude, gain, baseline, p, burst, delta);
    }

    @Override
    public void burstOutput(Tensor e, Tensor y, double baseline, Tensor p, Tensor burst, Tensor delta) {
        OpChecks.burst(e, y, p, burst, delta);
        launchBurst(y, e, 0, 0, 0, baseline, p, burst, delta);
    }

    private void launchBurst(
            Tensor a,
            Tensor e,
            int hidden,
            double amplitude,
            double gain,
            double baseline,
            Tensor p,
            Tensor burst,
            Tensor delta) {
        CudaTensor A = cuda(a), E = cuda(e), P = cuda(p), Bu = cuda(burst), D = cuda(delta);
        enter();
        long n = P.length();
        ptr(A).ptr(E)
                .ptr(P)
                .ptr(Bu)
                .ptr(D)
                .i64(n)
                .i32(hidden)
                .f64(amplitude)
                .f64(gain)
                .f64(baseline)
                .launchE(kBurst[d(P)], n);
    }

    /** Largest batch for which lowPassOuterApply runs as one fused kernel (the CPU's small-size loops); larger ones use cuBLAS. */
    static final int LOW_PASS_FUSED_MAX_BATCH = 32;

    @Override
    public void lowPassOuterApply(double alpha, Tensor a, Tensor b, double k, Tensor lo, Tensor w) {
        CudaTensor A = cuda(a), B = cuda(b), L = cuda(lo), W = cuda(w);
        int batch = A.rows(), m = A.cols(), n = B.cols();
        OpChecks.lowPassOuterApply(a, b, lo, w);
        enter();
        long len = (long) m * n;
        if (batch <= LOW_PASS_FUSED_MAX_BATCH) {
            ptr(A).ptr(B)
                    .ptr(L)
                    .ptr(W)
                    .i32(batch)
                    .i32(m)
                    .i32(n)
                    .f64(alpha)
                    .f64(k)
                    .launchE(kLowPassOuter[d(L)], len);
            return;
        }
        gemmUnchecked(true, false, m, n, batch, alpha, A, B, 1.0 - k, L);
        ptr(W).ptr(W).ptr(L).ptr(0).i64(len).f64(1.0).f64(1.0).f64(0.0).launchE(kLincomb[d(W)], len);
    }

    @Override
    public void addRowVector(double alpha, Tensor row, Tensor m) {
        CudaTensor R = cuda(row), M = cuda(m);
        int n = M.cols(), rows = M.rows();
        OpChecks.addRowVector(row, m);
        enter();
        ptr(R).ptr(M).i64(rows).i32(n).f64(alpha).launchE(kAddRow[d(M)], (long) rows * n);
    }

    @Override
    public void signConcordant(Tensor w, Tensor m, double scale, Tensor out) {
        sameLength(w, out);
        CudaTensor W = cuda(w), O = cuda(out);
        long mp = 0;
        if (m != null) {
            sameLength(m, out);
            mp = cuda(m).pointer();
        }
        enter();
        ptr(W).ptr(mp).ptr(O).i64(O.length()).f64(scale).launchE(kSignConcordant[d(O)], O.length());
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
        CudaTensor U = cuda(u);
        int rows = U.rows(), n = U.cols();
        OpChecks.gleNeuronStep(s, ie, tauM, tauR, u, v, e, uDot, uBreve);
        CudaTensor S = cuda(s),
                IE = cuda(ie),
                TM = cuda(tauM),
                TR = cuda(tauR),
                V = cuda(v),
                E = cuda(e),
                UD = cuda(uDot),
                UB = cuda(uBreve);
        enter();
        ptr(S).ptr(IE)
                .ptr(TM)
                .ptr(TR)
                .ptr(U)
                .ptr(V)
                .ptr(E)
                .ptr(UD)
                .ptr(UB)
                .i64(rows)
                .i32(n)
                .f64(dt)
                .f64(gamma)
                .i32(prospective ? 1 : 0)
                .launchE(kGle[d(U)], (long) rows * n);
    }

    @Override
    public void adamStep(
            Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, long t) {
        OpChecks.adamStep(p, g, m, v, t);
        CudaTensor P = cuda(p), G = cuda(g), M = cuda(m), V = cuda(v);
        double stepSize = lr / (1.0 - Math.pow(beta1, t)), bc2 = Math.sqrt(1.0 - Math.pow(beta2, t));
        enter();
        ptr(P).ptr(G)
                .ptr(M)
                .ptr(V)
                .i64(P.length())
                .f64(stepSize)
                .f64(beta1)
                .f64(beta2)
                .f64(eps)
                .f64(bc2)
                .launchE(kAdam[d(P)], P.length());
    }

    @Override
    public void clamp(Tensor x, double lo, double hi) {
        OpChecks.clamp(lo, hi);
        CudaTensor X = cuda(x);
        enter();
        ptr(X).i64(X.length()).f64(lo).f64(hi).launchE(kClamp[d(X)], X.length());
    }

    // ------------------------------------------------------------------------------------ rows, columns, conv

    /** columnSums uses one thread per column (the CPU's order and bits) from this many columns on, or for fewer rows than COLUMN_SUMS_TALL. */
    static final int COLUMN_SUMS_WIDE = 1024, COLUMN_SUMS_TALL = 4096;

    @Override
    public void columnSums(double alpha, Tensor m, double beta, Tensor row) {
        CudaTensor R = cuda(row), M = cuda(m);
        int n = M.cols(), rows = M.rows();
        OpChecks.columnSums(m, row);
        enter();
        if (n == 0) return;
        if (n >= COLUMN_SUMS_WIDE || rows < COLUMN_SUMS_TALL) {
            ptr(M).ptr(R).i64(rows).i32(n).f64(alpha).f64(beta).launchE(kColumnSums[d(M)], n);
            return;
        }
        long chunks = (rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        long part = colScratch(8L * chunks * n);
        ptr(M).ptr(part)
                .i64(rows)
                .i32(n)
                .i64(ROWS_PER_CHUNK)
                .launchGrid(kColumnSumsPartial[d(M)], columnTiles(rows, n));
        ptr(part).ptr(R).i64(chunks).i32(n).f64(alpha).f64(beta).launchE(kColumnSumsFinish[d(M)], n);
    }

    /** Rows up to this length use one thread per row (the CPU's order); longer ones a block per row. */
    static final int SOFTMAX_THREAD_PER_ROW_MAX = 64;

    @Override
    public void softmaxRows(Tensor x, Tensor out) {
        sameLength(x, out);
        CudaTensor X = cuda(x), O = cuda(out);
        int n = X.cols(), rows = X.rows();
        enter();
        if (X.length() == 0) return;
        if (n <= SOFTMAX_THREAD_PER_ROW_MAX) ptr(X).ptr(O).i64(rows).i32(n).launchE(kSoftmax[d(X)], rows);
        else ptr(X).ptr(O).i64(rows).i32(n).launchGrid(kSoftmaxBlock[d(X)], perRow(rows));
    }

    private CudaBackend geometry(int batch, ConvGeometry g) {
        return i32(batch)
                .i32(g.channels())
                .i32(g.height())
                .i32(g.width())
                .i32(g.kernel())
                .i32(g.stride())
                .i32(g.padding());
    }

    @Override
    public void im2col(Tensor x, ConvGeometry g, Tensor cols) {
        CudaTensor X = cuda(x), C = cuda(cols);
        OpChecks.convShapes("im2col", X, g, C);
        enter();
        ptr(X).ptr(C).geometry(X.rows(), g).launchE(kIm2col[d(X)], C.length());
    }

    @Override
    public void col2im(Tensor cols, ConvGeometry g, Tensor x) {
        CudaTensor X = cuda(x), C = cuda(cols);
        OpChecks.convShapes("col2im", X, g, C);
        enter();
        ptr(C).ptr(X).geometry(X.rows(), g).launchE(kCol2im[d(X)], X.length());
    }

    @Override
    public void maxPool(Tensor x, int channels, int height, int width, int k, Tensor out, Tensor argmax) {
        CudaTensor X = cuda(x), O = cuda(out), A = cuda(argmax);
        OpChecks.maxPool(x, channels, height, width, k, out, argmax);
        int batch = X.rows();
        enter();
        ptr(X).ptr(O)
                .ptr(A)
                .i32(batch)
                .i32(channels)
                .i32(height)
                .i32(width)
                .i32(k)
                .launchE(kMaxPool[d(X)], O.length());
    }

    @Override
    public void gatherRows(Tensor src, Tensor idx, Tensor dst) {
        CudaTensor S = cuda(src), I = cuda(idx), D = cuda(dst);
        int batch = D.rows(), m = D.cols(), n = S.cols();
        OpChecks.gatherRows(src, idx, dst);
        enter();
        if (D.length() == 0) return;
        indexOpsPending = true;
        ptr(S).ptr(I).ptr(D).i64(batch).i32(n).i32(m).ptr(indexFlag).launchE(kGather[d(D)], D.length());
    }

    @Override
    public void scatterRows(Tensor src, Tensor idx, Tensor dst) {
        CudaTensor S = cuda(src), I = cuda(idx), D = cuda(dst);
        int batch = S.rows(), m = S.cols(), n = D.cols();
        OpChecks.scatterRows(src, idx, dst);
        enter();
        if (D.length() == 0) return;
        indexOpsPending = true;
        ptr(S).ptr(I).ptr(D).i64(batch).i32(m).i32(n).ptr(indexFlag).launchGrid(kScatter[d(D)], perRow(batch));
    }

    // ------------------------------------------------------------------------------------ reductions (host values)

    /** A host read waits for the stream and cannot be captured: models redo cheap work instead of checking content. */
    @Override
    public boolean hostSyncIsCheap() {
        return false;
    }

    @Override
    public boolean sameContent(Tensor a, Tensor b) {
        CudaTensor A = cuda(a), B = cuda(b);
        if (A.dtype() != B.dtype() || A.length() != B.length()) return false;
        if (A == B) return true;
        enter();
        memset32(flag, 0, 1);
        ptr(A).ptr(B).i64(A.length()).ptr(flag).launchE(kSameContent[d(A)], A.length());
        return readFlag() == 0;
    }

    @Override
    public double sum(Tensor x) {
        CudaTensor X = cuda(x);
        enter();
        long n = X.length();
        if (n == 0) {
            syncAndCheck();
            return 0.0;
        }
        int g = partialsFor(n);
        ptr(X).i64(n).ptr(partials).launchGrid(kSumPartials[d(X)], partialSums(n));
        ptr(partials).i32(g).ptr(result).launchGrid(kSumFinish, finish());
        return readResult();
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        sameLength(x, y);
        CudaTensor X = cuda(x), Y = cuda(y);
        enter();
        long n = X.length();
        if (n == 0) {
            syncAndCheck();
            return 0.0;
        }
        int g = partialsFor(n);
        ptr(X).ptr(Y).i64(n).ptr(partials).launchGrid(kDotPartials[d(X)], partialSums(n));
        ptr(partials).i32(g).ptr(result).launchGrid(kSumFinish, finish());
        return readResult();
    }

    @Override
    public double maxAbs(Tensor x) {
        CudaTensor X = cuda(x);
        enter();
        long n = X.length();
        if (n == 0) {
            syncAndCheck();
            return 0.0;
        }
        int g = partialsFor(n);
        ptr(X).i64(n).ptr(partials).launchGrid(kMaxAbsPartials[d(X)], partialSums(n));
        ptr(partials).i32(g).ptr(result).launchGrid(kMaxAbsFinish, finish());
        return readResult();
    }

    @Override
    public boolean hasNonFinite(Tensor x) {
        CudaTensor X = cuda(x);
        enter();
        memset32(flag, 0, 1);
        ptr(X).i64(X.length()).ptr(flag).launchE(kHasNonFinite[d(X)], X.length());
        return readFlag() != 0;
    }

    @Override
    public void synchronize() {
        enter();
        syncAndCheck();
    }

    // ------------------------------------------------------------------------------------ CUDA graphs

    /** Recordings with fewer ops are queued op by op: a graph would not pay for itself. */
    private static final int MIN_GRAPH_OPS = 2;
    /** Graphs kept (least recently used dropped first). */
    private static final int MAX_GRAPHS = 64;

    /**
     * Records the device work that {@code ops} issues and runs it as a CUDA graph (see the class
     * comment): the first time an op sequence appears its graph is captured, later runs of the same
     * sequence patch the kernel nodes whose arguments changed and launch it. GEMMs, device copies and
     * fills must match exactly (their pointers and scalars are part of the sequence); a sequence that
     * differs in them is another graph. A host read, host transfer, {@link #synchronize}, or freeing a
     * tensor inside {@code ops} first queues what was recorded, so everything computes as it would
     * op by op. Where the driver cannot update graph nodes (before CUDA 12.0) the ops are queued one
     * by one.
     */
    @Override
    public void runRepeated(Runnable ops) {
        enter();
        if (recording != null) {
            ops.run();
            return;
        }
        recording = recordBuffer;
        recordBuffer.clear();
        RuntimeException failure = null;
        try {
            ops.run();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                flush(); // what ran before a failure still happens, as it would op by op
            } catch (RuntimeException e) {
                if (failure == null) throw e;
                failure.addSuppressed(e);
            } finally {
                recording = null;
            }
        }
    }

    /** Queues the recording (as a graph where it pays) and keeps recording into an empty one. */
    private void flush() {
        OpRecording r = recording;
        if (r == null || r.isEmpty()) return;
        recording = null;
        try {
            if (r.ops() < MIN_GRAPH_OPS || graphsOff != null) {
                eagerFlushes++;
                issue(r, null);
                return;
            }
            CachedGraph g = graphs.get(new GraphKey(r));
            if (g == null) {
                try {
                    g = build(r);
                } catch (CudaException e) {
                    // a capture this driver or library refuses: stay correct, queue op by op from now on
                    graphsOff = "capturing a graph failed: " + e.getMessage();
                    System.err.println("cortex4j: CUDA graphs off, steps run op by op (" + graphsOff + ")");
                    eagerFlushes++;
                    issue(r, null);
                    return;
                }
                graphs.put(new GraphKey(g.ops), g);
                graphsBuilt++;
                if (graphs.size() > MAX_GRAPHS) {
                    var eldest = graphs.entrySet().iterator();
                    CachedGraph old = eldest.next().getValue();
                    eldest.remove();
                    drv.synchronize(stream);
                    old.destroy();
                }
            } else {
                for (int k : g.ops.changedKernels(r)) {
                    g.ops.kernelArgs(k, argValues);
                    drv.setKernelNodeParams(
                            g.exec,
                            g.nodes[k],
                            MemorySegment.ofAddress(g.functions[k]),
                            g.grids[k],
                            g.blocks[k],
                            0,
                            argPointers,
                            nodeParams);
                    nodesUpdated++;
                }
            }
            drv.launchGraph(g.exec, stream);
            graphLaunches++;
        } finally {
            r.clear();
            recording = r;
        }
    }

    /** Queues the recorded ops on the stream; with {@code into}, also notes each kernel's graph node there (the stream is capturing). */
    private void issue(OpRecording r, CachedGraph into) {
        r.replay(new OpRecording.Visitor() {
            @Override
            public void kernel(int index, long function, int grid, int block) {
                r.kernelArgs(index, argValues);
                MemorySegment f = MemorySegment.ofAddress(function);
                drv.launch(f, grid, block, 0, stream, argPointers);
                if (into != null) {
                    into.nodes[index] = drv.lastCapturedNode(stream);
                    into.functions[index] = function;
                    into.grids[index] = grid;
                    into.blocks[index] = block;
                }
            }

            @Override
            public void gemm(
                    boolean f64,
                    boolean transA,
                    boolean transB,
                    int m,
                    int n,
                    int k,
                    double alpha,
                    long a,
                    int lda,
                    long b,
                    int ldb,
                    double beta,
                    long c) {
                blas.gemmRowMajor(
                        blasHandle, f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, gemmScalars);
            }

            @Override
            public void memset32(long dst, int value, long count) {
                drv.fill32(dst, value, count, stream);
            }

            @Override
            public void copy(long dst, long src, long bytes) {
                drv.copyOnDevice(dst, src, bytes, stream);
            }
        });
    }

    /** Captures the recorded ops into a graph and instantiates it. */
    private CachedGraph build(OpRecording r) {
        CachedGraph g = new CachedGraph(r.copy());
        drv.beginCapture(stream);
        try {
            issue(r, g);
        } catch (RuntimeException | Error e) {
            drv.abortCapture(stream);
            throw e;
        }
        g.graph = drv.endCapture(stream);
        try {
            g.exec = drv.instantiate(g.graph);
        } catch (RuntimeException e) {
            drv.destroyGraphTemplate(g.graph);
            throw e;
        }
        return g;
    }

    /** An op sequence's structure, as a graph-cache key. */
    private static final class GraphKey {
        private final OpRecording ops;
        private final int hash;

        GraphKey(OpRecording ops) {
            this.ops = ops;
            this.hash = ops.structureHash();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GraphKey k && k.hash == hash && k.ops.structureEquals(ops);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A captured op sequence: its executable graph, the graph it came from (node handles live there), and the arguments it holds now. */
    private final class CachedGraph {
        final OpRecording ops;
        final MemorySegment[] nodes;
        final long[] functions;
        final int[] grids, blocks;
        MemorySegment graph, exec;

        CachedGraph(OpRecording ops) {
            this.ops = ops;
            int k = ops.kernels();
            nodes = new MemorySegment[k];
            functions = new long[k];
            grids = new int[k];
            blocks = new int[k];
        }

        void destroy() {
            if (exec != null) drv.destroyGraph(exec);
            if (graph != null) drv.destroyGraphTemplate(graph);
            exec = graph = null;
        }
    }

    /**
     * Counts of {@link #runRepeated}'s work since the backend was made: graphs captured, graph
     * launches, kernel nodes re-parameterised, recordings queued op by op, and graphs held now.
     */
    public record GraphStats(
            long graphsBuilt,
            long graphLaunches,
            long nodesUpdated,
            long eagerFlushes,
            int graphsHeld,
            String graphsOff) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d graphs built, %d launches, %d kernel nodes updated, %d recordings queued op by op, %d graphs held%s",
                    graphsBuilt,
                    graphLaunches,
                    nodesUpdated,
                    eagerFlushes,
                    graphsHeld,
                    graphsOff == null ? "" : "; graphs off: " + graphsOff);
        }
    }

    public GraphStats graphStats() {
        return new GraphStats(graphsBuilt, graphLaunches, nodesUpdated, eagerFlushes, graphs.size(), graphsOff);
    }

    /** Whether {@link #runRepeated} uses CUDA graphs (else it queues op by op: see {@link GraphStats#graphsOff()}). */
    public boolean usesGraphs() {
        return graphsOff == null;
    }

    // ------------------------------------------------------------------------------------ close

    /** Waits for the stream, frees every tensor still open and all buffers, and releases the device. */
    @Override
    public void close() {
        if (closed) return;
        enter();
        try {
            sync();
        } finally {
            recording = null;
            closed = true;
            for (CachedGraph g : graphs.values()) {
                try {
                    g.destroy();
                } catch (RuntimeException e) {
                    // the device goes with the context below
                }
            }
            graphs.clear();
            for (CudaTensor t : live) {
                long p = t.release();
                if (p != 0) drv.free(p);
            }
            live.clear();
            if (colScratch != 0) drv.free(colScratch);
            drv.free(scratch);
            if (blasWorkspace != 0) drv.free(blasWorkspace);
            blas.destroyHandle(blasHandle);
            for (MemorySegment m : modules) drv.unloadModule(m);
            drv.destroyStream(stream);
            drv.releasePrimaryContext(dev);
            if (stagingArena != null) stagingArena.close();
            arena.close();
            CURRENT.remove();
        }
    }

    /** The kernels loaded, by name (for diagnostics). */
    public List<String> kernelNames() {
        return functions.keySet().stream().sorted().toList();
    }
}
