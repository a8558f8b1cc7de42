package io.cortex4j.bench;

import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.openblas.global.openblas;

/**
 * Step rate of the layered LE networks, the counterpart of the reference harnesses R1a–R1c
 * ({@code shared/reference-bench/ref_le_pal.py}, the authors' PyTorch LE layers) and of the CIFAR
 * LeNet5 harness: median milliseconds per Euler step (learning on, float32, on the backend named by
 * {@code --backend}, default cpu) over repeated blocks, the CPU time of the process per step over the same blocks (all threads; on a
 * machine shared with other jobs it is the steadier measure of the work a step takes), and the
 * GEMM rate that implies beside the machine's SGEMM peak.
 *
 * <p>Workloads (configs/bench, built by {@link BenchWorkloads#network}): {@code mlp-bp}, {@code mlp-pal}
 * ({@code le-mlp-*.yaml}: MLP 784-256-256-10, sigmoid hidden, linear output, {@code rate} output error)
 * and {@code lenet5-bp}, {@code lenet5-pal} ({@code le-lenet5-*.yaml}: the CIFAR LeNet5, 3×32×32 → conv
 * 20@5×5 → pool 2 → conv 50@5×5 → pool 2 → dense 500 → dense 10 linear, sigmoid, {@code mse} output
 * error); BP, or PAL with the settings of ref_le_pal.py (B learning rate factor 1e-2, α 1e-4, τ_ξ = τ_HP
 * = 10 dt, τ_LO = 1e4 dt, σ 1e-2, 0 at the output). Any other workload name of configs/bench or the path
 * of a config is taken too; without {@code @batch}, the config's batch. The GEMM FLOPs of a step are
 * counted on the {@link io.cortex4j.cuda.bench.CostBackend} ({@link BenchWorkloads#cost}).
 *
 * <pre>./cortex4j bench --le [--le-workloads mlp-bp@128,mlp-pal@128,lenet5-bp@128] [--repeats 7] [--peak GFLOPS] [--profile] [--backend cpu|cuda] [--json FILE]</pre>
 *
 * <p>{@code --json FILE} also writes the numbers (and backend, device, commit, peak) as JSON: what bench suites collect.
 *
 * <p>{@code --profile} (a per-op timer) runs on the CPU backend only.
 */
public final class LeStepsPerSecond {
    static final String DEFAULT = "mlp-bp@32,mlp-pal@32,mlp-bp@128,mlp-pal@128,lenet5-bp@128,lenet5-pal@128";

    private LeStepsPerSecond() {}

    record Options(
            List<Workloads.Item> workloads,
            int repeats,
            double peak,
            double blockSeconds,
            boolean profile,
            String backend,
            java.nio.file.Path json) {}

    /** {@code mlp-bp} → {@code le-mlp-bp} (a workload of configs/bench); anything else unchanged. */
    static String alias(String name) {
        return BenchWorkloads.NAMES.contains("le-" + name) ? "le-" + name : name;
    }

    public static void main(String[] args) {
        int code = BenchBackend.run(args, LeStepsPerSecond::parse, LeStepsPerSecond::measureAll);
        if (code != 0) System.exit(code);
    }

    static Options parse(String[] args) {
        String workloads = DEFAULT;
        int repeats = 7;
        double peak = Double.NaN;
        double blockSeconds = 1.0;
        boolean profile = false;
        java.nio.file.Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--le" -> {}
                case "--le-workloads", "--workloads" -> workloads = BenchBackend.value(args, i++);
                case "--repeats" -> repeats = BenchBackend.wholeNumber(BenchBackend.value(args, i++), "--repeats");
                case "--peak" -> peak = number(BenchBackend.value(args, i++), "--peak");
                case "--block-seconds" -> blockSeconds = number(BenchBackend.value(args, i++), "--block-seconds");
                case "--profile" -> profile = true;
                case "--json" -> json = java.nio.file.Path.of(BenchBackend.value(args, i++));
                case "--backend" -> i++; // read by BenchBackend.option
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (repeats < 1) throw new IllegalArgumentException("--repeats needs a whole number ≥ 1");
        List<Workloads.Item> items = Workloads.parse(workloads, "--le-workloads", LeStepsPerSecond::alias);
        // the per-op timer times each call from the host: on an asynchronous backend that is the launch, not the work
        String backend = BenchBackend.option(
                args,
                profile
                        ? "--profile times each op from the host, which is its real cost only on the CPU backend"
                        : null);
        return new Options(items, repeats, peak, blockSeconds, profile, backend, json);
    }

    private static double number(String s, String opt) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a number, got '" + s + "'");
        }
    }

    static void measureAll(Options o) {
        try (Backend be = BenchBackend.create(o.backend())) {
            System.out.println("cortex4j layered LE step rate (learning on, float32, backend " + be.name() + ")");
            System.out.println("JDK " + Runtime.version() + ", " + be.device());
            double peak = o.peak();
            if (Double.isNaN(peak)) {
                peak = sgemmPeak(be, 5);
                System.out.printf(
                        Locale.ROOT,
                        "SGEMM peak (Backend.gemm 1024³, best of 9 after 0.5 s warm-up): %.1f GFLOP/s%n",
                        peak);
            } else {
                System.out.printf(Locale.ROOT, "SGEMM peak (given): %.1f GFLOP/s%n", peak);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %6s %10s %10s %10s %10s %11s %12s %9s %7s%n",
                    "workload",
                    "batch",
                    "ms/step",
                    "min",
                    "max",
                    "steps/s",
                    "cpu ms/step",
                    "GEMM GFLOP",
                    "GFLOP/s",
                    "%peak");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Workloads.Item w : o.workloads()) {
                int batch = w.batch();
                Result r;
                try {
                    r = measure(w.workload(), batch, o.repeats(), o.blockSeconds(), be, o.profile());
                } catch (IllegalStateException e) {
                    // one workload that cannot be measured (its state went non-finite) does not cost the others
                    System.out.printf(Locale.ROOT, "%-16s %6d   not measured: %s%n", w.label(), batch, e.getMessage());
                    rows.add(new LinkedHashMap<>(Map.of(
                            "workload", w.workload(), "label", w.label(), "batch", batch, "error", e.getMessage())));
                    continue;
                }
                double gfs = r.gemmFlops / (r.median * 1e-3) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "%-16s %6d %10.3f %10.3f %10.3f %10.1f %11.3f %12.4f %9.1f %6.1f%%%n",
                        w.label(),
                        batch,
                        r.median,
                        r.min,
                        r.max,
                        1000 / r.median,
                        r.cpuMs,
                        r.gemmFlops / 1e9,
                        gfs,
                        100 * gfs / peak);
                if (o.profile()) r.profile.print(r.steps);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("workload", w.workload());
                row.put("label", w.label());
                row.put("batch", batch);
                row.put("ms_per_step", r.median);
                row.put("ms_min", r.min);
                row.put("ms_max", r.max);
                row.put("steps_per_s", 1000 / r.median);
                row.put("cpu_ms_per_step", r.cpuMs);
                row.put("gemm_gflop_per_step", r.gemmFlops / 1e9);
                row.put("gflop_per_s", gfs);
                row.put("peak_fraction", gfs / peak);
                rows.add(row);
            }
            if (o.json() != null) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("backend", be.name());
                j.put("device", be.device());
                j.put("jdk", Runtime.version().toString());
                j.put("commit", io.cortex4j.run.Provenance.commit());
                j.put("sgemm_peak_gflop_per_s", peak);
                j.put("repeats", o.repeats());
                j.put("results", rows);
                io.cortex4j.run.RunDirectory.writeJson(o.json(), j);
            }
        }
    }

    record Result(double median, double min, double max, double cpuMs, double gemmFlops, Profile profile, long steps) {}

    static Result measure(String workload, int batch, int repeats, double blockSeconds, Backend cpu, boolean profile) {
        Profile prof = profile ? new Profile(cpu) : null;
        Backend be = profile ? prof.proxy() : cpu;
        try (Network net = BenchWorkloads.network(workload, be, DType.FLOAT32, batch, 1)) {
            // warm up ~2 block lengths, then size a block to ~blockSeconds
            // synchronising (a no-op on the CPU) keeps an asynchronous backend's queue short and ends each timed block
            // stepped through Backend.runRepeated, as the training runs step (CUDA: graphs; CPU: the same as
            // net.step()); called on
            // the real backend, not the profiling proxy, so that the profile counts the step's ops only
            Runnable step = net::step;
            cpu.synchronize();
            long t0 = System.nanoTime();
            int warm = 0;
            while (System.nanoTime() - t0 < 2e9 * blockSeconds || warm < 10) {
                cpu.runRepeated(step);
                if ((++warm & 15) == 0) cpu.synchronize();
            }
            cpu.synchronize();
            int block = Math.max(5, (int) (warm / 2.0));
            if (prof != null) prof.reset();
            long cpu0 = processCpuNanos();
            double[] ms = new double[repeats];
            for (int rep = 0; rep < repeats; rep++) {
                long s = System.nanoTime();
                for (int i = 0; i < block; i++) cpu.runRepeated(step);
                cpu.synchronize();
                ms[rep] = (System.nanoTime() - s) / 1e6 / block;
            }
            double cpuMs = (processCpuNanos() - cpu0) / 1e6 / ((long) block * repeats);
            if (net.backend().hasNonFinite(net.output()))
                throw new IllegalStateException(workload + ": the output went non-finite");
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            return new Result(
                    sorted[repeats / 2],
                    sorted[0],
                    sorted[repeats - 1],
                    cpuMs,
                    BenchWorkloads.cost(workload, DType.FLOAT32, batch).flops(),
                    prof,
                    (long) block * repeats);
        }
    }

    /** CPU time of the whole process (all threads, OpenBLAS's included), or −1 if the JVM cannot tell. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static double sgemmPeak(Backend be, int repeats) {
        int n = 1024;
        try (Tensor a = be.zeros(DType.FLOAT32, n, n);
                Tensor b = be.zeros(DType.FLOAT32, n, n);
                Tensor c = be.zeros(DType.FLOAT32, n, n)) {
            be.fill(a, 0.5);
            be.fill(b, 0.25);
            double flop = 2.0 * n * n * n, best = 0;
            // warm up for half a second (thread pools awake, clocks up), then the best of at least 9
            // blocks: a single busy moment of the machine no longer sets the peak (issue 16: 114 against
            // 214 GFLOP/s between runs with 2 warm-up GEMMs and 5 blocks)
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 500_000_000L) be.gemm(false, false, 1.0, a, b, 0.0, c);
            be.synchronize();
            for (int r = 0; r < Math.max(9, repeats); r++) {
                long t = System.nanoTime();
                for (int i = 0; i < 5; i++) be.gemm(false, false, 1.0, a, b, 0.0, c);
                be.synchronize();
                best = Math.max(best, 5 * flop / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            return best;
        }
    }

    /**
     * A per-op timer: wraps a backend in a proxy that times every SPI call, keyed by the op and the
     * shapes of its tensor arguments. Costs ~1 µs per call, so it is for finding where the time goes,
     * not for the headline numbers.
     */
    static final class Profile {
        final Backend inner;
        final Map<String, long[]> ops = new LinkedHashMap<>();

        Profile(Backend inner) {
            this.inner = inner;
        }

        void reset() {
            ops.clear();
        }

        Backend proxy() {
            InvocationHandler h = (proxy, m, args) -> {
                long t = System.nanoTime();
                Object out;
                try {
                    out = m.invoke(inner, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                long dt = System.nanoTime() - t;
                if (args != null
                        && m.getDeclaringClass() == Backend.class
                        && !m.getName().equals("zeros")) {
                    StringBuilder key = new StringBuilder(m.getName());
                    for (Object a : args) {
                        if (a instanceof Tensor ts)
                            key.append(' ').append(Arrays.toString(ts.shape()).replace(" ", ""));
                        else if (a instanceof Boolean bo) key.append(bo ? " T" : " N");
                        else if (a instanceof ConvGeometry g) key.append(" k").append(g.kernel());
                    }
                    long[] acc = ops.computeIfAbsent(key.toString(), k -> new long[2]);
                    acc[0] += dt;
                    acc[1]++;
                }
                return out;
            };
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
        }

        void print(long steps) {
            List<Map.Entry<String, long[]>> rows = new ArrayList<>(ops.entrySet());
            rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
            double total = rows.stream().mapToLong(e -> e.getValue()[0]).sum();
            System.out.printf(
                    Locale.ROOT, "  profile over %d steps (µs per step, %% of op time, calls per step):%n", steps);
            for (Map.Entry<String, long[]> e : rows) {
                long[] v = e.getValue();
                if (v[0] < total * 0.002) continue;
                System.out.printf(
                        Locale.ROOT,
                        "  %9.1f µs %5.1f%% %4.1f  %s%n",
                        v[0] / 1e3 / steps,
                        100 * v[0] / total,
                        (double) v[1] / steps,
                        e.getKey());
            }
            System.out.printf(
                    Locale.ROOT,
                    "  %9.1f µs total in ops per step (OpenBLAS threads %d)%n",
                    total / 1e3 / steps,
                    openblas.blas_get_num_threads());
        }
    }
}
