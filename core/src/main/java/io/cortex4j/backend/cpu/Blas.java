package io.cortex4j.backend.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The CPU backend's GEMM library: a current OpenBLAS (0.3.31, from org.bytedeco's build, its native
 * files for linux-x86_64 and linux-arm64 packed into this jar at build time) loaded through the foreign-function API with its own
 * symbol namespace ({@code dlopen(RTLD_LOCAL | RTLD_DEEPBIND)}), so that it cannot clash with the
 * OpenBLAS 0.3.19 that ND4J loads: the two libraries live side by side, and each resolves its own
 * symbols. ND4J's OpenBLAS does not know CPUs newer than 2021 (on this project's AVX-512 machines it
 * falls back to a generic kernel unless {@code OPENBLAS_CORETYPE} pins one); 0.3.31 picks the kernel
 * for the CPU it finds.
 *
 * <p>The kernel is chosen by the library itself. An {@code OPENBLAS_CORETYPE} in the environment
 * (set for ND4J's old OpenBLAS) is not passed on to it; {@code -Dcortex4j.blas.coretype=NAME} forces a
 * kernel. Either way the loaded library must pass a check against a plain reference GEMM (both
 * transposes, odd sizes) before it is used; where it is missing for this platform, cannot be loaded or
 * fails the check, the backend uses ND4J's OpenBLAS and {@link #describe()} says why.
 *
 * <p>For now it is chosen with {@code -Dcortex4j.blas=openblas} (the launcher passes
 * {@code CORTEX4J_BLAS=openblas} on): its kernels sum in another order than ND4J's, so float32 results
 * move by an ulp or so, and the default stays on the path whose bits the golden reference file holds.
 */
public final class Blas {
    static final String VERSION = "0.3.31";
    /**
     * In load order, those packed for the platform (arm64 has no libquadmath): libgfortran (no RUNPATH)
     * finds libquadmath by its name once it is loaded; libgcc_s is the system's.
     */
    static final List<String> FILES = List.of("libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final int RTLD_NOW = 2, RTLD_NOLOAD = 4, RTLD_DEEPBIND = 8;

    /** What {@code -Dcortex4j.blas} chooses: {@code openblas} loads the current OpenBLAS; anything else, ND4J's. */
    private static final Blas INSTANCE = "openblas".equals(System.getProperty("cortex4j.blas"))
            ? load()
            : new Blas(
                    null,
                    null,
                    null,
                    "the default, whose numbers the golden file holds; -Dcortex4j.blas=openblas chooses OpenBLAS "
                            + VERSION);

    private static Blas loaded;

    /** The current OpenBLAS, loaded (once) whatever the property says, or null where it cannot be: for tests and benchmarks. */
    static synchronized Blas current() {
        if (loaded == null) loaded = INSTANCE.sgemm != null ? INSTANCE : load();
        return loaded.sgemm == null ? null : loaded;
    }

    /** Why {@link #current()} is null, or null. */
    static String whyNot() {
        return current() == null ? loaded.why : null;
    }

    /** {@code OpenBLAS 0.3.31 (Cooperlake kernels)}. */
    String name() {
        return "OpenBLAS " + VERSION + " (" + kernel + " kernels)";
    }

    private final MethodHandle sgemm, dgemm;
    /** openblas_set_num_threads, or null. */
    private MethodHandle setThreads;

    private int threadsNow = -1;
    private int threadsMax = Runtime.getRuntime().availableProcessors();
    /** Multiply-adds below which a GEMM runs on the calling thread alone. */
    static final long SINGLE_THREAD_BELOW = Long.getLong("cortex4j.blas.singleThreadBelow", 1L << 22);

    private final String kernel;
    private final String why;

    private Blas(MethodHandle sgemm, MethodHandle dgemm, String kernel, String why) {
        this.sgemm = sgemm;
        this.dgemm = dgemm;
        this.kernel = kernel;
        this.why = why;
    }

    /** The library, or null where the backend uses ND4J's OpenBLAS ({@link #describe()} says why). */
    static Blas get() {
        return INSTANCE.sgemm == null ? null : INSTANCE;
    }

    /**
     * What does the GEMMs: {@code OpenBLAS 0.3.31 (SkylakeX kernels)}, or ND4J's OpenBLAS with its
     * kernels and why; where ND4J's OpenBLAS runs pre-AVX2 kernels on a CPU with AVX2 (it does not know
     * CPUs newer than 2021 and falls back), it says so and how to get the fast ones.
     */
    public static String describe() {
        if (INSTANCE.sgemm != null) return INSTANCE.name();
        String k = nd4jKernel();
        String s = "ND4J's OpenBLAS 0.3.19 (" + (k != null ? nd4jKernels() + "; " : "") + INSTANCE.why + ")";
        String slow = nd4jKernelWarning();
        return slow == null ? s : s + ". WARNING: " + slow;
    }

    /** Those of OpenBLAS's x86-64 kernels that use AVX2 (0.3.19's dynamic list). */
    private static final List<String> AVX2_KERNELS = List.of("Haswell", "Zen", "SkylakeX", "Cooperlake");

    private static String nd4jKernel, nd4jKernelWarning;
    private static boolean nd4jKernelProbed;

    /**
     * The kernels ND4J's OpenBLAS 0.3.19 chose ({@code openblas_get_corename} of the library ND4J
     * loaded, e.g. {@code Haswell}), or null where that cannot be found out.
     */
    static synchronized String nd4jKernel() {
        probeNd4jKernel();
        return nd4jKernel;
    }

    /**
     * Where ND4J's OpenBLAS does the GEMMs with kernels older than AVX2 on an x86-64 CPU that has
     * AVX2 (here: its Barcelona kernels on an AVX-512 EPYC, less than half the pinned speed): what
     * to do about it; else null.
     */
    static synchronized String nd4jKernelWarning() {
        probeNd4jKernel();
        return nd4jKernelWarning;
    }

    /** {@code Haswell kernels}, with who chose them where it was cortex4j ({@link #pinNd4jKernel}); null where unknown. */
    static synchronized String nd4jKernels() {
        probeNd4jKernel();
        if (nd4jKernel == null) return null;
        return nd4jKernel + " kernels"
                + (nd4jPinned != null ? ", chosen by cortex4j: OpenBLAS 0.3.19 does not know this CPU" : "");
    }

    /** The kernels {@link #pinNd4jKernel} chose for ND4J's OpenBLAS, or null (it detected them itself). */
    private static String nd4jPinned;

    private static boolean nd4jPinTried;

    /**
     * Before ND4J loads its OpenBLAS 0.3.19: where that version would run its old Barcelona kernels on
     * a CPU with AVX2 and FMA, sets {@code OPENBLAS_CORETYPE=Haswell} in this process's environment, the
     * kernels it picks for Intel's AVX2 CPUs and those the golden reference file was written with.
     * 0.3.19's detection ({@code driver/others/dynamic.c}) sends AMD and Hygon CPUs of a family after
     * 0x19 (Zen 5 on) straight to Barcelona, and only those: an unknown Intel CPU gets the kernels of
     * its features. Nothing happens where {@code OPENBLAS_CORETYPE} is set, where
     * {@code -Dcortex4j.nd4j.coretype=auto} asks for OpenBLAS's own choice, or where ND4J's OpenBLAS is
     * already loaded ({@link #nd4jKernelWarning} then says so). The kernels are checked against a plain
     * GEMM as soon as they are loaded (see {@link #probeNd4jKernel}).
     */
    static synchronized void pinNd4jKernel() {
        if (nd4jPinTried) return;
        nd4jPinTried = true;
        if ("auto".equals(System.getProperty("cortex4j.nd4j.coretype"))) return;
        if (!"amd64".equals(System.getProperty("os.arch"))) return;
        Map<String, String> cpu = cpuInfo();
        String vendor = cpu.getOrDefault("vendor_id", "");
        int family;
        try {
            family = Integer.parseInt(cpu.getOrDefault("cpu family", "0").trim());
        } catch (NumberFormatException e) {
            return;
        }
        List<String> flags = cpuFlags();
        boolean fallsBack = (vendor.equals("AuthenticAMD") || vendor.equals("HygonGenuine")) && family > 0x19;
        if (!fallsBack || !flags.contains("avx2") || !flags.contains("fma")) return;
        try {
            for (String p : org.bytedeco.javacpp.Loader.getLoadedLibraries().values())
                if (p != null && Path.of(p).getFileName().toString().startsWith("libopenblas")) return;
            Arena arena = Arena.global();
            MemorySegment name = arena.allocateFrom("OPENBLAS_CORETYPE");
            if (!((MemorySegment) Dl.GETENV.invokeExact(name)).equals(MemorySegment.NULL)) return;
            if ((int) Dl.SETENV.invokeExact(name, arena.allocateFrom("Haswell"), 0) == 0) nd4jPinned = "Haswell";
        } catch (Throwable t) {
            nd4jPinned = null; // OpenBLAS then detects the CPU itself, and the warning below tells
        }
    }

    /** Finds out ND4J's kernels and whether to warn about them, once per process. */
    private static void probeNd4jKernel() {
        if (nd4jKernelProbed) return;
        nd4jKernelProbed = true;
        pinNd4jKernel();
        try {
            org.nd4j.linalg.factory.Nd4j.getRandom(); // ND4J loads its OpenBLAS
            String path = null;
            for (String p : org.bytedeco.javacpp.Loader.getLoadedLibraries().values())
                if (p != null && Path.of(p).getFileName().toString().startsWith("libopenblas")) path = p;
            if (path == null) return;
            Arena arena = Arena.global();
            // RTLD_NOLOAD: a handle to the library already loaded, never a second copy
            MemorySegment h = (MemorySegment) Dl.OPEN.invokeExact(arena.allocateFrom(path), RTLD_NOW | RTLD_NOLOAD);
            if (h.equals(MemorySegment.NULL)) return;
            nd4jKernel = coreName((MemorySegment) Dl.SYM.invokeExact(h, arena.allocateFrom("openblas_get_corename")));
        } catch (Throwable t) {
            nd4jKernel = null;
        }
        String k = nd4jKernel;
        if (nd4jPinned != null) {
            if (!nd4jPinned.equals(k))
                throw new IllegalStateException("ND4J's OpenBLAS was to run its " + nd4jPinned
                        + " kernels (OPENBLAS_CORETYPE, set by cortex4j) but runs " + k
                        + "; set OPENBLAS_CORETYPE yourself, or -Dcortex4j.nd4j.coretype=auto");
            String wrong = check(Blas::nd4jGemm);
            if (wrong != null)
                throw new IllegalStateException("ND4J's OpenBLAS with the " + k
                        + " kernels cortex4j chose for this CPU computes wrong GEMMs (" + wrong
                        + "); run with -Dcortex4j.nd4j.coretype=auto (OpenBLAS's own choice) or set OPENBLAS_CORETYPE");
            return;
        }
        if (k == null || AVX2_KERNELS.contains(k) || !cpuHasAvx2()) return;
        nd4jKernelWarning = "this CPU has AVX2 but ND4J's OpenBLAS 0.3.19 does not know it and runs its old " + k
                + " kernels (on this project's machines less than half the speed): set"
                + " OPENBLAS_CORETYPE=Haswell, or use the current OpenBLAS (CORTEX4J_BLAS=openblas ./cortex4j,"
                + " -Dcortex4j.blas=openblas)";
    }

    /** What {@code openblas_get_corename} (the function at {@code fn}) says, or null (no such function, no name). */
    private static String coreName(MemorySegment fn) throws Throwable {
        if (fn.equals(MemorySegment.NULL)) return null;
        MemorySegment core = (MemorySegment) Dl.LINKER
                .downcallHandle(fn, FunctionDescriptor.of(ValueLayout.ADDRESS))
                .invokeExact();
        return core.equals(MemorySegment.NULL) ? null : core.reinterpret(256).getString(0);
    }

    /** The C library's dynamic-loading functions, and the linker that calls them. */
    private static final class Dl {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle OPEN =
                libc("dlopen", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle SYM =
                libc("dlsym", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        // the process environment, which a native library reads as it loads (OPENBLAS_CORETYPE)
        static final MethodHandle GETENV =
                libc("getenv", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        static final MethodHandle SETENV = libc(
                "setenv",
                FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle UNSETENV =
                libc("unsetenv", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

        /** A downcall handle to the C library's {@code name}. */
        static MethodHandle libc(String name, FunctionDescriptor fd) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
        }
    }

    /** Whether /proc/cpuinfo lists avx2 (false where it cannot be read: no warning then). */
    private static boolean cpuHasAvx2() {
        return cpuFlags().contains("avx2");
    }

    /** The first processor's flags in /proc/cpuinfo (none where it cannot be read). */
    private static List<String> cpuFlags() {
        return List.of(cpuInfo().getOrDefault("flags", "").trim().split("\\s+"));
    }

    /** The first processor's lines of /proc/cpuinfo, key → value (empty where it cannot be read); read once. */
    private static Map<String, String> cpuInfo() {
        return CpuInfo.FIRST;
    }

    private static final class CpuInfo {
        static final Map<String, String> FIRST = readCpuInfo();
    }

    private static Map<String, String> readCpuInfo() {
        Map<String, String> info = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) break;
                int colon = line.indexOf(':');
                if (colon > 0)
                    info.putIfAbsent(
                            line.substring(0, colon).trim(),
                            line.substring(colon + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return info;
    }

    /** ND4J's OpenBLAS through the calls the backend makes ({@code cblas_sgemm}/{@code cblas_dgemm}): {@link #check(GemmPair)}. */
    private static double[][] nd4jGemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            double[] a,
            double[] b,
            double beta,
            double[] c) {
        int lda = ta ? m : k, ldb = tb ? k : n;
        int tA = ta
                ? org.bytedeco.openblas.global.openblas.CblasTrans
                : org.bytedeco.openblas.global.openblas.CblasNoTrans;
        int tB = tb
                ? org.bytedeco.openblas.global.openblas.CblasTrans
                : org.bytedeco.openblas.global.openblas.CblasNoTrans;
        int row = org.bytedeco.openblas.global.openblas.CblasRowMajor;
        float[] cf = floats(c);
        org.bytedeco.openblas.global.openblas.cblas_sgemm(
                row, tA, tB, m, n, k, (float) alpha, floats(a), lda, floats(b), ldb, (float) beta, cf, n);
        double[] cd = c.clone();
        org.bytedeco.openblas.global.openblas.cblas_dgemm(row, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cd, n);
        return new double[][] {doubles(cf), cd};
    }

    private static Blas load() {
        String platform = platform();
        if (platform == null)
            return new Blas(
                    null,
                    null,
                    null,
                    "no OpenBLAS " + VERSION + " packed for " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch"));
        String res = "/io/cortex4j/blas/" + platform + "/";
        if (Blas.class.getResource(res + "libopenblas.so.0") == null)
            return new Blas(null, null, null, "this build has no OpenBLAS " + VERSION + " for " + platform);
        try {
            Path dir = extract(res);
            Linker linker = Dl.LINKER;
            MethodHandle dlopen = Dl.OPEN, dlsym = Dl.SYM;
            MethodHandle dlerror = Dl.libc("dlerror", FunctionDescriptor.of(ValueLayout.ADDRESS));
            Arena arena = Arena.global();
            MemorySegment name = arena.allocateFrom("OPENBLAS_CORETYPE");
            MemorySegment before = (MemorySegment) Dl.GETENV.invokeExact(name);
            String pinned = before.equals(MemorySegment.NULL)
                    ? null
                    : before.reinterpret(256).getString(0);
            String forced = System.getProperty("cortex4j.blas.coretype");
            // the library reads OPENBLAS_CORETYPE once, as it loads: ours, or none (it detects the CPU)
            int r = forced != null
                    ? (int) Dl.SETENV.invokeExact(name, arena.allocateFrom(forced), 1)
                    : (int) Dl.UNSETENV.invokeExact(name);
            MemorySegment handle;
            try {
                handle = MemorySegment.NULL;
                for (String f : FILES) {
                    if (!Files.exists(dir.resolve(f))) continue;
                    handle = (MemorySegment)
                            dlopen.invokeExact(arena.allocateFrom(dir.resolve(f).toString()), RTLD_NOW | RTLD_DEEPBIND);
                    if (handle.equals(MemorySegment.NULL)) break;
                }
            } finally {
                int s = pinned != null
                        ? (int) Dl.SETENV.invokeExact(name, arena.allocateFrom(pinned), 1)
                        : (int) Dl.UNSETENV.invokeExact(name);
            }
            if (handle.equals(MemorySegment.NULL)) {
                MemorySegment e = (MemorySegment) dlerror.invokeExact();
                return new Blas(
                        null,
                        null,
                        null,
                        "dlopen failed: "
                                + (e.equals(MemorySegment.NULL)
                                        ? "?"
                                        : e.reinterpret(1000).getString(0)));
            }
            MemorySegment sg = (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom("cblas_sgemm"));
            MemorySegment dg = (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom("cblas_dgemm"));
            MemorySegment cn = (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom("openblas_get_corename"));
            if (sg.equals(MemorySegment.NULL) || dg.equals(MemorySegment.NULL) || cn.equals(MemorySegment.NULL))
                return new Blas(
                        null, null, null, "the library lacks cblas_sgemm, cblas_dgemm or openblas_get_corename");
            ValueLayout I = ValueLayout.JAVA_INT, P = ValueLayout.ADDRESS;
            MethodHandle s = linker.downcallHandle(
                    sg,
                    FunctionDescriptor.ofVoid(
                            I, I, I, I, I, I, ValueLayout.JAVA_FLOAT, P, I, P, I, ValueLayout.JAVA_FLOAT, P, I),
                    Linker.Option.critical(false));
            MethodHandle d = linker.downcallHandle(
                    dg,
                    FunctionDescriptor.ofVoid(
                            I, I, I, I, I, I, ValueLayout.JAVA_DOUBLE, P, I, P, I, ValueLayout.JAVA_DOUBLE, P, I),
                    Linker.Option.critical(false));
            String core = coreName(cn), kernel = core == null ? "?" : core;
            Blas b = new Blas(s, d, kernel, null);
            MemorySegment st =
                    (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom("openblas_set_num_threads"));
            MemorySegment gt =
                    (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom("openblas_get_num_threads"));
            if (!st.equals(MemorySegment.NULL) && !gt.equals(MemorySegment.NULL)) {
                b.setThreads = linker.downcallHandle(st, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
                b.threadsMax = (int) linker.downcallHandle(gt, FunctionDescriptor.of(ValueLayout.JAVA_INT))
                        .invokeExact();
                b.threadsNow = b.threadsMax;
            }
            String wrong = b.check();
            if (wrong != null)
                return new Blas(
                        null,
                        null,
                        null,
                        "OpenBLAS " + VERSION + " with " + kernel + " kernels failed the check: " + wrong);
            return b;
        } catch (Throwable t) {
            return new Blas(null, null, null, "OpenBLAS " + VERSION + " could not be loaded: " + t);
        }
    }

    private static MemorySegment segment(Arena arena, float[] v) {
        MemorySegment m = arena.allocate(4L * v.length, 64);
        MemorySegment.copy(v, 0, m, ValueLayout.JAVA_FLOAT, 0, v.length);
        return m;
    }

    private static MemorySegment segment(Arena arena, double[] v) {
        MemorySegment m = arena.allocate(8L * v.length, 64);
        MemorySegment.copy(v, 0, m, ValueLayout.JAVA_DOUBLE, 0, v.length);
        return m;
    }

    /** {@code linux-x86_64}, {@code linux-arm64}, or null. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) return null;
        if (arch.equals("amd64") || arch.equals("x86_64")) return "linux-x86_64";
        if (arch.equals("aarch64") || arch.equals("arm64")) return "linux-arm64";
        return null;
    }

    /** The native files, copied once into a folder of the temporary directory named by their size (whole, or not at all). */
    private static Path extract(String res) throws IOException {
        long size = 0;
        for (String f : FILES) {
            // the entry's size as the jar records it: no need to inflate 40 MB at every start
            java.net.URL u = Blas.class.getResource(res + f);
            if (u != null) size += u.openConnection().getContentLengthLong();
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "cortex4j-openblas-" + VERSION + "-" + size);
        if (Files.isRegularFile(dir.resolve(".complete"))) return dir;
        Path tmp = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "cortex4j-openblas-");
        for (String f : FILES) {
            try (InputStream in = Blas.class.getResourceAsStream(res + f)) {
                if (in != null) Files.copy(in, tmp.resolve(f));
            }
        }
        Files.createFile(tmp.resolve(".complete"));
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException
                | java.nio.file.DirectoryNotEmptyException
                | AtomicMoveNotSupportedException e) {
            // another process got there first: use theirs
            if (!Files.isRegularFile(dir.resolve(".complete"))) throw e;
        }
        return dir;
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C} in float32; the segments are the tensors' buffers. */
    void sgemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            float alpha,
            MemorySegment a,
            int lda,
            MemorySegment b,
            int ldb,
            float beta,
            MemorySegment c,
            int ldc) {
        threadsFor((long) m * n * k);
        sgemmOnCaller(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** OpenBLAS on one thread from now on (until the next {@link #sgemm}/{@link #dgemm}), for {@link #sgemmOnCaller}. */
    void singleThreaded() {
        threadsFor(0);
    }

    /**
     * As {@link #sgemm}, on the calling thread alone once {@link #singleThreaded} was called: several
     * threads may run these at once (each product on its own thread).
     */
    void sgemmOnCaller(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            float alpha,
            MemorySegment a,
            int lda,
            MemorySegment b,
            int ldb,
            float beta,
            MemorySegment c,
            int ldc) {
        try {
            sgemm.invokeExact(
                    ROW_MAJOR,
                    ta ? TRANS : NO_TRANS,
                    tb ? TRANS : NO_TRANS,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    lda,
                    b,
                    ldb,
                    beta,
                    c,
                    ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /** As {@link #sgemmOnCaller}, in float64. */
    void dgemmOnCaller(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            MemorySegment a,
            int lda,
            MemorySegment b,
            int ldb,
            double beta,
            MemorySegment c,
            int ldc) {
        try {
            dgemm.invokeExact(
                    ROW_MAJOR,
                    ta ? TRANS : NO_TRANS,
                    tb ? TRANS : NO_TRANS,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    lda,
                    b,
                    ldb,
                    beta,
                    c,
                    ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_dgemm failed", t);
        }
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C} in float64. */
    void dgemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            MemorySegment a,
            int lda,
            MemorySegment b,
            int ldb,
            double beta,
            MemorySegment c,
            int ldc) {
        threadsFor((long) m * n * k);
        dgemmOnCaller(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /**
     * One thread for a small GEMM, all for a large one: OpenBLAS 0.3.31 splits even small products
     * across its threads, whose hand-offs then cost more than the product (the microcircuit 784-100-10
     * at batch 32: 1.8 ms per step against 0.47 on ND4J's OpenBLAS).
     */
    private void threadsFor(long work) {
        if (setThreads == null) return;
        int want = work < SINGLE_THREAD_BELOW ? 1 : threadsMax;
        if (want == threadsNow) return;
        try {
            setThreads.invokeExact(want);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
        threadsNow = want;
    }

    /** Row-major α·op(A)·op(B) + β·C as a plain triple loop in double: the reference of {@link #check} and the tests. */
    static double[] plainGemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            double[] a,
            double[] b,
            double beta,
            double[] c) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++)
                    acc += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                out[i * n + j] = alpha * acc + beta * c[i * n + j];
            }
        return out;
    }

    /**
     * One GEMM of a check: α·op(A)·op(B) + β·C (row-major) in float32 (on the operands' float roundings)
     * and in float64, each result as doubles.
     */
    interface GemmPair {
        double[][] run(
                boolean ta,
                boolean tb,
                int m,
                int n,
                int k,
                double alpha,
                double[] a,
                double[] b,
                double beta,
                double[] c);
    }

    /**
     * The loaded kernels against a plain triple loop in double, every transpose, sizes that are not
     * multiples of any vector width, float32 and float64: null, or what was wrong.
     */
    String check() {
        // The buffers are made as the backend makes its tensors' (global memory, bulk copies, no
        // element access from Java): a confined arena's segments and element reads here, at class
        // initialisation, left the JIT's profiles of the backend's own segment accesses mixed, and its
        // elementwise ops 10-100x slower afterwards (the microcircuit at batch 32: 1.3-2.0 ms a step
        // against 0.40 without the check).
        Arena arena = Arena.global();
        return check((ta, tb, m, n, k, alpha, a, b, beta, c) -> {
            MemorySegment fa = segment(arena, floats(a)),
                    fb = segment(arena, floats(b)),
                    fc = segment(arena, floats(c));
            MemorySegment da = segment(arena, a), db = segment(arena, b), dc = segment(arena, c);
            int lda = ta ? m : k, ldb = tb ? k : n;
            sgemm(ta, tb, m, n, k, (float) alpha, fa, lda, fb, ldb, (float) beta, fc, n);
            dgemm(ta, tb, m, n, k, alpha, da, lda, db, ldb, beta, dc, n);
            float[] gotF = new float[c.length];
            double[] gotD = new double[c.length];
            MemorySegment.copy(fc, ValueLayout.JAVA_FLOAT, 0, gotF, 0, gotF.length);
            MemorySegment.copy(dc, ValueLayout.JAVA_DOUBLE, 0, gotD, 0, gotD.length);
            return new double[][] {doubles(gotF), gotD};
        });
    }

    /** {@link #check()}'s shapes and tolerances for any GEMM pair: null, or what was wrong. */
    static String check(GemmPair gemm) {
        Random rnd = new Random(7);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 48, 96}, {129, 67, 250}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
                for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = rnd.nextGaussian();
                for (int i = 0; i < c.length; i++) c[i] = rnd.nextGaussian();
                double alpha = 0.75, beta = -0.5;
                double[] want = plainGemm(ta, tb, m, n, k, alpha, a, b, beta, c);
                double[][] got = gemm.run(ta, tb, m, n, k, alpha, a, b, beta, c); // float32: their roundings
                for (int i = 0; i < want.length; i++) {
                    double scale = Math.sqrt(k) + Math.abs(want[i]);
                    double ef = Math.abs(got[0][i] - want[i]);
                    double ed = Math.abs(got[1][i] - want[i]);
                    if (!(ef <= 1e-5 * scale) || !(ed <= 1e-12 * scale))
                        return String.format(
                                Locale.ROOT,
                                "%dx%dx%d%s%s element %d: float32 off by %.3g, float64 by %.3g",
                                m,
                                n,
                                k,
                                ta ? " Aᵀ" : "",
                                tb ? " Bᵀ" : "",
                                i,
                                ef,
                                ed);
                }
            }
        }
        return null;
    }

    private static float[] floats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    private static double[] doubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
