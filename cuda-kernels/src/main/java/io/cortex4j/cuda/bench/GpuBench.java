package io.cortex4j.cuda.bench;

import io.cortex4j.cuda.Cublas;
import io.cortex4j.cuda.CudaBackend;
import io.cortex4j.cuda.CudaBackendProvider;
import io.cortex4j.cuda.CudaDriver;
import io.cortex4j.cuda.CudaInfo;
import io.cortex4j.cuda.CudaLibraries;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The GPU benchmark: step rates of the models on the CUDA backend, with per-op launches and as
 * replayed CUDA graphs, beside the GPU's ceilings. Writes {@code gpu-bench.json} and a readable
 * {@code gpu-bench.txt} into the output folder and prints the same text.
 *
 * <ol>
 *   <li>Device, driver, NVRTC and cuBLAS versions ({@link CudaBackend#device()}, {@link CudaInfo}).</li>
 *   <li>Ceilings, on a stream and cuBLAS handle of its own (same primary context), timed with CUDA
 *       events: cuBLAS SGEMM 4096³ GFLOP/s with the default math and with TF32 tensor cores (best of
 *       5 runs of 10 GEMMs), and device memory bandwidth from {@code cuMemcpyDtoDAsync} of 1 GiB
 *       (best of 5 runs of 4 copies; a copy reads and writes 1 GiB, so GB/s = 2·bytes/s).</li>
 *   <li>Microcircuit 784-100-10, PAL, batch 1, float32 (the workload {@code microcircuit-784-100-10} of
 *       {@link BenchWorkloads}, configs/bench): steps/s stepping op by op, and stepping
 *       through {@link CudaBackend#runRepeated} (a CUDA graph per op sequence, re-parameterised each
 *       step); the ratio (target ≥ 10×). First a check that both ways compute the same: two
 *       networks from one seed, 200 steps each, must agree exactly (fresh OU noise every step, the
 *       double buffers swapped every step), with the graph counts per step.</li>
 *   <li>LeNet5 (CIFAR-10, 3×32×32) LE network with PAL at batch 128, float32 (the workload
 *       {@code le-lenet5-pal}): the same (20 steps checked); where the graph path throws, the message
 *       and the code that called it are reported and only the per-op rate is measured.</li>
 *   <li>The fraction of the ceilings each model reaches, from the GEMM FLOPs and bytes of one step
 *       counted on a {@link CostBackend} ({@link BenchWorkloads#cost}: the model's real op sequence,
 *       see there for the traffic model).</li>
 * </ol>
 * Rates are medians over 5 blocks of about 0.5 s each, timed by wall clock between
 * {@link CudaBackend#synchronize()} calls (the backend's stream is not exposed for events).
 *
 * <p>Exit status: 0 all measured; 1 a measurement failed (reported, the others still run);
 * 3 no usable GPU (one line with the CUDA provider's reason, nothing measured).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp … io.cortex4j.cuda.bench.GpuBench [out-dir] [--quick]</pre>
 */
public final class GpuBench {
    public static final int EXIT_OK = 0, EXIT_FAILED = 1, EXIT_NO_GPU = 3;

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<String> text = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final double blockSeconds;
    private final int repeats;

    private GpuBench(boolean quick) {
        blockSeconds = quick ? 0.1 : 0.5;
        repeats = quick ? 3 : 5;
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args));
    }

    public static int run(String[] args) throws IOException {
        Path out = Path.of(".");
        boolean quick = false;
        for (String a : args) {
            if (a.equals("--quick")) quick = true;
            else out = Path.of(a);
        }
        Files.createDirectories(out);
        GpuBench b = new GpuBench(quick);
        CudaBackendProvider provider = new CudaBackendProvider();
        if (!provider.isAvailable()) {
            String why = provider.unavailableReason();
            b.root.put("skipped", why);
            b.say("GpuBench skipped, no usable GPU: " + why);
            b.write(out);
            return EXIT_NO_GPU;
        }
        try {
            b.runAll(provider);
        } catch (RuntimeException | Error e) {
            b.fail("bench", e);
        }
        b.root.put("failures", b.failures);
        b.say(
                b.failures.isEmpty()
                        ? "GpuBench: all measured"
                        : "GpuBench: " + b.failures.size() + " measurement(s) failed: " + b.failures);
        b.write(out);
        return b.failures.isEmpty() ? EXIT_OK : EXIT_FAILED;
    }

    // ------------------------------------------------------------------------------------ report plumbing

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
        text.add(line);
    }

    private void say(String fmt, Object... args) {
        say(String.format(Locale.ROOT, fmt, args));
    }

    private Map<String, Object> section(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        root.put(name, m);
        say("");
        say("== " + name);
        return m;
    }

    private void fail(String where, Throwable e) {
        String msg = where + ": " + e;
        failures.add(msg);
        say("FAILED " + msg);
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(8, st.length); i++) say("    at " + st[i]);
    }

    private void write(Path out) throws IOException {
        io.cortex4j.run.RunDirectory.writeJson(out.resolve("gpu-bench.json"), root);
        Files.writeString(out.resolve("gpu-bench.txt"), String.join("\n", text) + "\n", StandardCharsets.UTF_8);
        System.out.println("wrote " + out.resolve("gpu-bench.json") + " and gpu-bench.txt");
    }

    // ------------------------------------------------------------------------------------ the measurements

    private void runAll(CudaBackendProvider provider) {
        Map<String, Object> dev = section("device");
        try (CudaBackend be = (CudaBackend) provider.create()) {
            dev.put("backend", be.device());
            dev.put("architecture", be.architecture());
            dev.put("tf32", be.tf32());
            List<String> info = CudaInfo.report(CudaLibraries.system());
            dev.put("cudaInfo", info);
            dev.put("jdk", Runtime.version().toString());
            Path commit = Path.of(".gpu/COMMIT");
            if (Files.isRegularFile(commit)) {
                try {
                    dev.put("commit", Files.readString(commit).trim());
                } catch (IOException e) {
                    // optional
                }
            }
            say(be.device() + ", kernels for " + be.architecture());
            for (String s : info) say("  " + s);
            say("  JDK " + Runtime.version());

            Map<String, Object> ceil = section("ceilings");
            try {
                ceilings(ceil);
            } catch (RuntimeException | Error e) {
                ceil.put("error", e.toString());
                fail("ceilings", e);
            }

            String mcWorkload = "microcircuit-784-100-10", leWorkload = "le-lenet5-pal";
            Map<String, Object> mc = section("microcircuit_784-100-10_pal_b1");
            try {
                mc.put("workload", mcWorkload);
                benchModel(
                        "microcircuit",
                        mc,
                        be,
                        () -> BenchWorkloads.network(mcWorkload, be, DType.FLOAT32, 1, 1),
                        200,
                        1);
            } catch (RuntimeException | Error e) {
                mc.put("error", e.toString());
                fail("microcircuit", e);
            }

            Map<String, Object> le = section("lenet5_cifar10_pal_b128");
            try {
                le.put("workload", leWorkload);
                benchModel(
                        "lenet5", le, be, () -> BenchWorkloads.network(leWorkload, be, DType.FLOAT32, 128, 1), 20, 128);
            } catch (RuntimeException | Error e) {
                le.put("error", e.toString());
                fail("lenet5", e);
            }

            Map<String, Object> roof = section("fraction_of_ceilings");
            try {
                roofline(
                        roof, "lenet5_cifar10_pal_b128", le, BenchWorkloads.cost(leWorkload, DType.FLOAT32, 128), ceil);
                roofline(
                        roof,
                        "microcircuit_784-100-10_pal_b1",
                        mc,
                        BenchWorkloads.cost(mcWorkload, DType.FLOAT32, 1),
                        ceil);
            } catch (RuntimeException | Error e) {
                roof.put("error", e.toString());
                fail("fraction of ceilings", e);
            }
        }
    }

    /** SGEMM 4096³ (default math, TF32) and device-to-device copy bandwidth, on a stream and cuBLAS handle of this benchmark, timed with events. */
    private void ceilings(Map<String, Object> m) {
        CudaLibraries libs = CudaLibraries.system();
        CudaDriver drv = new CudaDriver(libs.find(CudaLibraries.Lib.CUDA).path().orElseThrow());
        Cublas blas = new Cublas(libs.find(CudaLibraries.Lib.CUBLAS).path().orElseThrow());
        drv.init();
        int dev = drv.device(0);
        drv.usePrimaryContext(dev);
        MemorySegment stream = drv.createStream(), e0 = drv.createEvent(), e1 = drv.createEvent();
        MemorySegment h = blas.createHandle();
        try (Arena arena = Arena.ofConfined()) {
            blas.setStream(h, stream);
            MemorySegment scalars = arena.allocate(16, 8);
            int n = 4096;
            long bytes = 4L * n * n;
            double flop = 2.0 * n * n * n;
            long a = drv.malloc(bytes), b = drv.malloc(bytes), c = drv.malloc(bytes);
            try {
                drv.fill32(a, Float.floatToRawIntBits(0.5f), (long) n * n, stream);
                drv.fill32(b, Float.floatToRawIntBits(0.25f), (long) n * n, stream);
                drv.fill32(c, 0, (long) n * n, stream);
                for (boolean tf32 : new boolean[] {false, true}) {
                    blas.setTf32(h, tf32);
                    int iters = 10;
                    for (int i = 0; i < 3; i++)
                        blas.gemmRowMajor(h, false, false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, scalars);
                    double best = 0;
                    for (int r = 0; r < repeats; r++) {
                        drv.record(e0, stream);
                        for (int i = 0; i < iters; i++)
                            blas.gemmRowMajor(h, false, false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, scalars);
                        drv.record(e1, stream);
                        double ms = drv.elapsedMillis(e0, e1);
                        best = Math.max(best, iters * flop / (ms * 1e-3) / 1e9);
                    }
                    m.put(tf32 ? "sgemm4096_tf32_gflops" : "sgemm4096_gflops", best);
                    say(
                            "cuBLAS SGEMM 4096³%s: %.0f GFLOP/s (best of %d × %d, CUDA events)",
                            tf32 ? " TF32" : "", best, repeats, iters);
                }
            } finally {
                drv.synchronize(stream);
                drv.free(a);
                drv.free(b);
                drv.free(c);
            }
            long size = 1L << 30;
            long src = drv.malloc(size), dst = drv.malloc(size);
            try {
                drv.fill32(src, Float.floatToRawIntBits(1.0f), size / 4, stream);
                drv.fill32(dst, 0, size / 4, stream);
                for (int i = 0; i < 2; i++) drv.copyOnDevice(dst, src, size, stream);
                int iters = 4;
                double best = 0;
                for (int r = 0; r < repeats; r++) {
                    drv.record(e0, stream);
                    for (int i = 0; i < iters; i++) drv.copyOnDevice(dst, src, size, stream);
                    drv.record(e1, stream);
                    double ms = drv.elapsedMillis(e0, e1);
                    best = Math.max(best, 2.0 * size * iters / (ms * 1e-3) / 1e9);
                }
                m.put("dtod_copy_bytes", size);
                m.put("memory_bandwidth_gbs", best);
                m.put(
                        "memory_bandwidth_note",
                        "cuMemcpyDtoDAsync of 1 GiB: GB/s = 2 × bytes (read + write) / s, 1 GB = 1e9 bytes");
                say(
                        "device memory bandwidth (cuMemcpyDtoDAsync 1 GiB, read + write): %.0f GB/s (best of %d × %d, CUDA events)",
                        best, repeats, iters);
            } finally {
                drv.synchronize(stream);
                drv.free(src);
                drv.free(dst);
            }
        } finally {
            blas.destroyHandle(h);
            drv.destroyEvent(e0);
            drv.destroyEvent(e1);
            drv.destroyStream(stream);
            drv.releasePrimaryContext(dev);
        }
    }

    /**
     * Step rates of one model queued op by op and through {@link CudaBackend#runRepeated} (CUDA
     * graphs), and the check that both compute the same: two networks from the same seed, one stepped
     * op by op and one through graphs, must agree exactly after the same number of steps (the graphs
     * carry each step's own RNG step and Adam count, and the swapped double buffers).
     *
     * @param samples batch size, for samples·steps/s
     */
    private void benchModel(
            String name, Map<String, Object> m, CudaBackend be, Supplier<Network> make, int warm, int samples) {
        try (Network eager = make.get();
                Network graphed = make.get()) {
            Runnable graphStep = () -> be.runRepeated(graphed::step);
            boolean graphsOk = true;
            CudaBackend.GraphStats g0 = be.graphStats();
            try {
                for (int i = 0; i < warm; i++) {
                    eager.step();
                    graphStep.run();
                }
                be.synchronize();
                CudaBackend.GraphStats g1 = be.graphStats();
                Diff d = diff(BenchWorkloads.tensors(eager), BenchWorkloads.tensors(graphed));
                m.put(
                        "graph_check",
                        ordered(
                                "steps",
                                warm,
                                "max_abs_diff",
                                d.max,
                                "worst_tensor",
                                d.where,
                                "tensors_compared",
                                d.tensors,
                                "non_finite",
                                d.nonFinite,
                                "equal",
                                d.max == 0 && d.nonFinite == 0,
                                "graphs_built",
                                g1.graphsBuilt() - g0.graphsBuilt(),
                                "graph_launches",
                                g1.graphLaunches() - g0.graphLaunches(),
                                "kernel_nodes_updated",
                                g1.nodesUpdated() - g0.nodesUpdated(),
                                "recordings_op_by_op",
                                g1.eagerFlushes() - g0.eagerFlushes(),
                                "graphs_off",
                                String.valueOf(g1.graphsOff())));
                say(
                        "graph check: %d steps op by op vs %d through graphs: max |diff| %.3g (%s), %d tensors, %d non-finite%s",
                        warm,
                        warm,
                        d.max,
                        d.where,
                        d.tensors,
                        d.nonFinite,
                        d.max == 0 && d.nonFinite == 0 ? " (equal)" : " (NOT equal)");
                say(
                        "  graphs: %d built, %.2f launches and %.2f kernel-node updates per step, %d recordings queued op by op",
                        g1.graphsBuilt() - g0.graphsBuilt(),
                        (g1.graphLaunches() - g0.graphLaunches()) / (double) warm,
                        (g1.nodesUpdated() - g0.nodesUpdated()) / (double) warm,
                        g1.eagerFlushes() - g0.eagerFlushes());
                if (g1.graphsOff() != null) say("  graphs OFF: %s", g1.graphsOff());
                if (d.max != 0 || d.nonFinite != 0)
                    failures.add(
                            name + ": graphs and op-by-op steps differ (max |diff| " + d.max + " in " + d.where + ")");
            } catch (RuntimeException e) {
                graphsOk = false;
                failures.add(name + " graphs: " + e);
                m.put("graph_error", String.valueOf(e.getMessage()));
                m.put("graph_error_at", where(e));
                say("graphs FAILED: %s", e.getMessage());
                say("  at %s", where(e));
            }
            Timing te = time(be, eager::step, 1);
            m.put("eager", te.toMap(samples));
            say("per-op launches: %s", te.describe(samples));
            if (graphsOk) {
                Timing tg = time(be, graphStep, 1);
                m.put("graph", tg.toMap(samples));
                double ratio = tg.median / te.median;
                m.put("graph_speedup", ratio);
                m.put("graph_speedup_target_10x_met", ratio >= 10);
                say("graphs:          %s", tg.describe(samples));
                say("graphs / per-op: %.2f× (target ≥ 10×: %s)", ratio, ratio >= 10 ? "met" : "NOT met");
            }
        }
    }

    /** The op that threw (its CudaBackend frame) and the model code that called it. */
    static String where(Throwable e) {
        List<String> at = new ArrayList<>();
        StackTraceElement[] st = e.getStackTrace();
        for (StackTraceElement f : st) {
            if (f.getClassName().startsWith(CudaBackend.class.getName())
                    || f.getClassName().startsWith(CudaDriver.class.getName())) {
                at.add(f.toString());
                break;
            }
        }
        int model = 0;
        for (StackTraceElement f : st) {
            if (f.getClassName().startsWith("io.cortex4j.model.") && model++ < 4) at.add(f.toString());
        }
        return at.isEmpty() ? Arrays.toString(Arrays.copyOf(st, Math.min(5, st.length))) : String.join(" <- ", at);
    }

    record Diff(double max, String where, int tensors, int nonFinite) {}

    static Diff diff(Map<String, Tensor> a, Map<String, Tensor> b) {
        double max = 0;
        String where = "";
        int n = 0, bad = 0;
        for (Map.Entry<String, Tensor> e : a.entrySet()) {
            Tensor o = b.get(e.getKey());
            if (o == null) continue;
            double[] x = e.getValue().toHost(), y = o.toHost();
            n++;
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                    bad++;
                    continue;
                }
                double d = Math.abs(x[i] - y[i]);
                if (d > max) {
                    max = d;
                    where = e.getKey() + "[" + i + "]";
                }
            }
        }
        return new Diff(max, where.isEmpty() ? "-" : where, n, bad);
    }

    /** Rates in steps/s over repeated blocks. */
    record Timing(double median, double min, double max, long stepsPerBlock, int blocks) {
        Map<String, Object> toMap(int samples) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps_per_s_median", median);
            m.put("steps_per_s_min", min);
            m.put("steps_per_s_max", max);
            m.put("us_per_step_median", 1e6 / median);
            m.put("samples_steps_per_s", samples * median);
            m.put("steps_per_block", stepsPerBlock);
            m.put("blocks", blocks);
            return m;
        }

        String describe(int samples) {
            return String.format(
                    Locale.ROOT,
                    "%.0f steps/s (%.2f µs/step; min %.0f, max %.0f; %d blocks of %d steps)%s",
                    median,
                    1e6 / median,
                    min,
                    max,
                    blocks,
                    stepsPerBlock,
                    samples > 1 ? String.format(Locale.ROOT, ", %.0f samples·steps/s", samples * median) : "");
        }
    }

    /** Runs {@code unit} (worth {@code stepsPerUnit} steps) in blocks of about blockSeconds, synchronising around each block. */
    private Timing time(CudaBackend be, Runnable unit, int stepsPerUnit) {
        be.synchronize();
        long t0 = System.nanoTime();
        int units = 0;
        while (System.nanoTime() - t0 < blockSeconds * 0.5e9 || units < 3) {
            unit.run();
            units++;
            if ((units & 15) == 0) be.synchronize();
        }
        be.synchronize();
        double perUnit = (System.nanoTime() - t0) / 1e9 / units;
        int block = (int) Math.max(5, Math.min(1_000_000, blockSeconds / perUnit));
        double[] rate = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            be.synchronize();
            long s = System.nanoTime();
            for (int i = 0; i < block; i++) unit.run();
            be.synchronize();
            rate[r] = (double) block * stepsPerUnit / ((System.nanoTime() - s) / 1e9);
        }
        Arrays.sort(rate);
        return new Timing(rate[repeats / 2], rate[0], rate[repeats - 1], (long) block * stepsPerUnit, repeats);
    }

    /**
     * Achieved GEMM GFLOP/s and bytes/s of a model's measured rates against the ceilings: achieved =
     * (per-step count) × steps/s; fraction = achieved / ceiling. The per-step counts come from the
     * {@link CostBackend}. Also the roofline bound on steps/s: 1 / max(FLOPs / SGEMM peak, bytes /
     * bandwidth).
     */
    @SuppressWarnings("unchecked")
    private void roofline(
            Map<String, Object> out,
            String name,
            Map<String, Object> model,
            BenchWorkloads.StepCost cost,
            Map<String, Object> ceil) {
        Map<String, Object> m = new LinkedHashMap<>();
        out.put(name, m);
        m.put("gemm_flops_per_step", cost.flops());
        m.put("bytes_per_step_model", cost.bytes());
        Map<String, Object> ops = new LinkedHashMap<>();
        cost.byOp().entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .forEach(e -> ops.put(
                        e.getKey(),
                        ordered("calls", e.getValue()[0], "bytes", e.getValue()[1], "flops", e.getValue()[2])));
        m.put("per_op", ops);
        say("%s: %.4g GEMM FLOP/step, %.4g bytes/step (traffic model)", name, cost.flops(), (double) cost.bytes());
        double fp32 = num(ceil.get("sgemm4096_gflops")),
                tf32 = num(ceil.get("sgemm4096_tf32_gflops")),
                bw = num(ceil.get("memory_bandwidth_gbs"));
        if (fp32 > 0 && bw > 0) {
            double bound = 1.0 / Math.max(cost.flops() / (fp32 * 1e9), cost.bytes() / (bw * 1e9));
            m.put("roofline_bound_steps_per_s", bound);
            say("  roofline bound (SGEMM %.0f GFLOP/s, %.0f GB/s): %.0f steps/s", fp32, bw, bound);
        }
        for (String mode : List.of("eager", "graph")) {
            if (!(model.get(mode) instanceof Map<?, ?> t)) continue;
            double rate = num(((Map<String, Object>) t).get("steps_per_s_median"));
            double gf = cost.flops() * rate / 1e9, gb = cost.bytes() * rate / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("steps_per_s", rate);
            r.put("gemm_gflops", gf);
            r.put("fraction_of_sgemm", fp32 > 0 ? gf / fp32 : Double.NaN);
            r.put("fraction_of_sgemm_tf32", tf32 > 0 ? gf / tf32 : Double.NaN);
            r.put("gbs_model", gb);
            r.put("fraction_of_bandwidth", bw > 0 ? gb / bw : Double.NaN);
            m.put(mode, r);
            say(
                    "  %-6s %.0f steps/s: %.1f GEMM GFLOP/s = %.2f%% of SGEMM, %.2f%% of TF32 SGEMM; %.1f GB/s = %.2f%% of bandwidth",
                    mode, rate, gf, 100 * gf / fp32, 100 * gf / tf32, gb, 100 * gb / bw);
        }
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
