package io.cortex4j.bench;

import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * The benchmark suite's step-rate harness, the counterpart of the reference harness R3: median
 * milliseconds per Euler step over repeated blocks, for each workload; then heap and off-heap
 * memory over a long run (must stay flat: a step allocates nothing).
 *
 * <pre>java -cp ... io.cortex4j.bench.StepsPerSecond [--workloads microcircuit-4-30-3@1,microcircuit-784-100-10@32,...]
 *     [--memory-steps 100000] [--memory-workload microcircuit-784-100-10@1] [--repeats 7] [--backend cpu|cuda]
 *     | --gemm [--repeats 7] | --le [...] | --gle [...]</pre>
 *
 * <p>A workload is a config of configs/bench by name ({@link BenchWorkloads#NAMES}; any family) or the
 * path of a YAML config, with {@code @batch} (default: the config's {@code schedule.batch}); the
 * microcircuits may still be named by their layers, {@code 4-30-3} or {@code 4,30,3@1;784,100,10@32}
 * as before the configs. Each is built by {@link BenchWorkloads#network} (fixed inputs and targets,
 * learning on, float32) and stepped through {@link Backend#runRepeated}, as the training runs step.
 *
 * <p>{@code --le} runs the layered LE networks instead ({@link LeStepsPerSecond}), {@code --gle} the GLE MNIST-1D network
 * ({@link GleStepsPerSecond}), {@code --gemm} the CPU backend's GEMM rate ({@link GemmRate}). {@code --backend NAME} (default
 * cpu) builds the workloads on that backend ({@link BenchBackend}); a backend that is unknown, unavailable here or not
 * supported by the mode ends the harness with one error line and status 2 before anything is measured.
 */
public final class StepsPerSecond {
    static final String DEFAULT =
            "microcircuit-4-30-3@1,microcircuit-784-100-10@1,microcircuit-784-100-10@32,microcircuit-784-100-10@128";

    /** The workload of the memory run. */
    static final String MEMORY_WORKLOAD = "microcircuit-784-100-10";

    record Options(
            List<Workloads.Item> workloads,
            long memorySteps,
            Workloads.Item memoryWorkload,
            int repeats,
            String backend) {}

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) System.exit(code);
    }

    /** Runs the harness that {@code args} choose; the exit status (2: bad options, nothing measured). */
    public static int run(String[] args) {
        List<String> a = Arrays.asList(args);
        if (a.contains("--le")) return BenchBackend.run(args, LeStepsPerSecond::parse, LeStepsPerSecond::measureAll);
        if (a.contains("--gle")) return BenchBackend.run(args, GleStepsPerSecond::parse, GleStepsPerSecond::measureAll);
        if (a.contains("--gemm")) return BenchBackend.run(args, GemmRate::parse, GemmRate::run);
        return BenchBackend.run(args, StepsPerSecond::parse, StepsPerSecond::measureAll);
    }

    static Options parse(String[] args) {
        String workloads = DEFAULT;
        long memSteps = 100_000;
        String memWorkload = MEMORY_WORKLOAD + "@1";
        int repeats = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workloads" -> workloads = BenchBackend.value(args, i++);
                case "--memory-steps" -> {
                    String v = BenchBackend.value(args, i++);
                    try {
                        memSteps = Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--memory-steps needs a whole number, got '" + v + "'");
                    }
                }
                case "--memory-workload" -> memWorkload = BenchBackend.value(args, i++);
                case "--repeats" -> repeats = BenchBackend.wholeNumber(BenchBackend.value(args, i++), "--repeats");
                case "--backend" -> i++; // read by BenchBackend.option
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (repeats < 1) throw new IllegalArgumentException("--repeats needs a whole number ≥ 1");
        List<Workloads.Item> items = Workloads.parse(workloads, "--workloads", Workloads::microcircuitAlias);
        List<Workloads.Item> mem = Workloads.parse(memWorkload, "--memory-workload", Workloads::microcircuitAlias);
        if (mem.size() != 1)
            throw new IllegalArgumentException("--memory-workload takes one workload, got " + memWorkload);
        return new Options(items, memSteps, mem.get(0), repeats, BenchBackend.option(args, null));
    }

    static void measureAll(Options o) {
        try (Backend be = BenchBackend.create(o.backend())) {
            System.out.println(
                    "cortex4j step rate (configs/bench workloads, learning on, float32, backend " + be.name() + ")");
            System.out.println("JDK " + Runtime.version() + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, " + be.device());
            System.out.printf(
                    Locale.ROOT,
                    "%-24s %6s %12s %12s %14s%n",
                    "workload",
                    "batch",
                    "ms/step",
                    "steps/s",
                    "samples*steps/s");
            for (Workloads.Item w : o.workloads()) {
                double ms = medianMsPerStep(be, w.workload(), w.batch(), o.repeats());
                System.out.printf(
                        Locale.ROOT,
                        "%-24s %6d %12.5f %12.0f %14.0f%n",
                        w.label(),
                        w.batch(),
                        ms,
                        1000 / ms,
                        w.batch() * 1000 / ms);
            }
            if (o.memorySteps() > 0) memory(be, o.memoryWorkload(), o.memorySteps());
        }
    }

    static double medianMsPerStep(Backend be, String workload, int batch, int repeats) {
        try (Network net = BenchWorkloads.network(workload, be, DType.FLOAT32, batch, 1)) {
            // size a block to ~0.5 s; synchronising (a no-op on the CPU) keeps an asynchronous backend's queue short
            // stepped through Backend.runRepeated, as the training runs step (CUDA: graphs; CPU: the same as
            // net.step())
            Runnable step = net::step;
            be.synchronize();
            long t0 = System.nanoTime();
            int warm = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                be.runRepeated(step);
                if ((++warm & 15) == 0) be.synchronize();
            }
            be.synchronize();
            int block = Math.max(100, warm / 2);
            double[] ms = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long s = System.nanoTime();
                for (int i = 0; i < block; i++) be.runRepeated(step);
                be.synchronize();
                ms[r] = (System.nanoTime() - s) / 1e6 / block;
            }
            if (be.hasNonFinite(net.output()))
                throw new IllegalStateException(workload + ": the output went non-finite");
            Arrays.sort(ms);
            return ms[repeats / 2];
        }
    }

    static void memory(Backend be, Workloads.Item w, long steps) {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        try (Network net = BenchWorkloads.network(w.workload(), be, DType.FLOAT32, w.batch(), 1)) {
            Runnable step = net::step;
            List<String> rows = new ArrayList<>();
            long chunk = steps / 10;
            for (int c = 0; c <= 10; c++) {
                if (c > 0) for (long i = 0; i < chunk; i++) be.runRepeated(step);
                be.synchronize();
                System.gc();
                long heap = mx.getHeapMemoryUsage().getUsed();
                rows.add(String.format(
                        Locale.ROOT,
                        "%9d %10.2f MB %10.2f MB",
                        net.steps(),
                        heap / 1e6,
                        Pointer.physicalBytes() / 1e6));
            }
            System.out.println(
                    "memory over " + steps + " steps of " + w.label() + " @" + w.batch() + " on backend " + be.name()
                            + " (after GC): step, heap used, process RSS (heap + off-heap buffers + code"
                            + (be.name().equals("cpu") ? "" : "; device memory not counted") + ")");
            rows.forEach(System.out::println);
        }
    }
}
