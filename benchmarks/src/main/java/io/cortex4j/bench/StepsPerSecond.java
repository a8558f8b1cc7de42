package io.cortex4j.bench;

import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.model.microcircuit.FeedbackRule;
import io.cortex4j.model.microcircuit.Microcircuit;
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
 * <pre>java -cp ... io.cortex4j.bench.StepsPerSecond [--workloads 4,30,3@1;784,100,10@1;...] [--memory-steps 100000] | --gemm | --le [...]</pre>
 *
 * <p>{@code --le} runs the layered LE networks instead ({@link LeStepsPerSecond}), {@code --gle} the GLE MNIST-1D network
 * ({@link GleStepsPerSecond}).
 */
public final class StepsPerSecond {
    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--le")) {
            LeStepsPerSecond.main(args);
            return;
        }
        if (Arrays.asList(args).contains("--gle")) {
            GleStepsPerSecond.main(args);
            return;
        }
        String workloads = "4,30,3@1;784,100,10@1;784,100,10@32;784,100,10@128";
        long memSteps = 100_000;
        int repeats = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workloads" -> workloads = args[++i];
                case "--memory-steps" -> memSteps = Long.parseLong(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--gemm" -> {
                    GemmRate.run(7);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println("cortex4j microcircuit step rate (PAL, learning on, float32, CPU backend)");
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.printf(Locale.ROOT, "%-14s %6s %12s %12s %14s%n", "layers", "batch", "ms/step", "steps/s", "samples*steps/s");
        for (String w : workloads.split(";")) {
            String[] p = w.split("@");
            int[] layers = Workloads.parseLayers(p[0]);
            int batch = Integer.parseInt(p[1]);
            double ms = medianMsPerStep(layers, batch, repeats);
            System.out.printf(Locale.ROOT, "%-14s %6d %12.5f %12.0f %14.0f%n", p[0].replace(',', '-'), batch, ms, 1000 / ms, batch * 1000 / ms);
        }
        if (memSteps > 0) memory(memSteps);
    }

    static double medianMsPerStep(int[] layers, int batch, int repeats) {
        try (Microcircuit net = BenchWorkloads.microcircuit(layers, FeedbackRule.PAL, new Nd4jCpuBackend(), DType.FLOAT32, batch, 1)) {
            // size a block to ~0.5 s
            long t0 = System.nanoTime();
            int warm = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                net.step();
                warm++;
            }
            int block = Math.max(100, warm / 2);
            double[] ms = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long s = System.nanoTime();
                for (int i = 0; i < block; i++) net.step();
                ms[r] = (System.nanoTime() - s) / 1e6 / block;
            }
            Arrays.sort(ms);
            return ms[repeats / 2];
        }
    }

    static void memory(long steps) {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        try (Microcircuit net = BenchWorkloads.microcircuit(new int[] {784, 100, 10}, FeedbackRule.PAL, new Nd4jCpuBackend(), DType.FLOAT32, 1, 1)) {
            List<String> rows = new ArrayList<>();
            long chunk = steps / 10;
            for (int c = 0; c <= 10; c++) {
                if (c > 0) for (long i = 0; i < chunk; i++) net.step();
                System.gc();
                long heap = mx.getHeapMemoryUsage().getUsed();
                rows.add(String.format(Locale.ROOT, "%9d %10.2f MB %10.2f MB", net.stepCount(), heap / 1e6, Pointer.physicalBytes() / 1e6));
            }
            System.out.println("memory over " + steps + " steps of 784-100-10 @1 (after GC): step, heap used, process RSS (heap + ND4J's off-heap buffers + code)");
            rows.forEach(System.out::println);
        }
    }
}
