package io.cortex4j.bench;

import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.Network;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.Arrays;
import java.util.Locale;

/**
 * Step rate of the GLE MNIST-1D end-to-end network (specs/gle.md §6.3; the workload
 * {@code gle-mnist1d} of configs/bench), the counterpart of the reference harness R2
 * ({@code shared/reference-bench/ref_gle.py}: the authors' code, one network step plus one Adam step
 * per Euler step, batch 100). Each timed step does what a training step of a streamed GLE
 * classification does: copy the input slice in (one value per sample), step the network through
 * {@link Backend#runRepeated} (which runs Adam), copy the output back and add it to the time sum.
 * Median ms per step over repeated blocks, and the CPU time of the process per step. The input slice
 * is the one {@link BenchWorkloads#network} filled in (its fixed pattern), copied in again at every
 * step.
 *
 * Every step copies the output to the host, so a timed block ends with the work done on any backend.
 *
 * <pre>./cortex4j bench --gle [--batches 100,1000] [--repeats 7] [--backend cpu|cuda]</pre>
 */
public final class GleStepsPerSecond {
    static final String WORKLOAD = "gle-mnist1d";

    private GleStepsPerSecond() {}

    record Options(int[] batches, int repeats, String backend) {}

    public static void main(String[] args) {
        int code = BenchBackend.run(args, GleStepsPerSecond::parse, GleStepsPerSecond::measureAll);
        if (code != 0) System.exit(code);
    }

    static Options parse(String[] args) {
        String batches = "100";
        int repeats = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gle" -> {}
                case "--batches" -> batches = BenchBackend.value(args, i++);
                case "--repeats" -> repeats = BenchBackend.wholeNumber(BenchBackend.value(args, i++), "--repeats");
                case "--backend" -> i++; // read by BenchBackend.option
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (repeats < 1) throw new IllegalArgumentException("--repeats needs a whole number ≥ 1");
        String[] bs = batches.split(",");
        int[] b = new int[bs.length];
        for (int i = 0; i < bs.length; i++) {
            b[i] = BenchBackend.wholeNumber(bs[i], "--batches");
            if (b[i] < 1) throw new IllegalArgumentException("--batches needs whole numbers ≥ 1, got " + b[i]);
        }
        return new Options(b, repeats, BenchBackend.option(args, null));
    }

    static void measureAll(Options o) {
        try (Backend be = BenchBackend.create(o.backend())) {
            long parameters;
            try (Network n = BenchWorkloads.network(WORKLOAD, be, DType.FLOAT32, 1, 1)) {
                parameters = 0;
                for (Optimizer.Slot s : n.optimizer().slots())
                    parameters += s.param().length();
            }
            System.out.println("cortex4j GLE step rate: MNIST-1D end-to-end network (" + parameters
                    + " parameters), learning on, Adam every step, float32, backend " + be.name());
            System.out.println("JDK " + Runtime.version() + ", " + be.device());
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %6s %10s %10s %10s %10s %11s%n",
                    "workload",
                    "batch",
                    "ms/step",
                    "min",
                    "max",
                    "steps/s",
                    "cpu ms/step");
            for (int batch : o.batches()) {
                double[] r = measure(batch, o.repeats(), be);
                System.out.printf(
                        Locale.ROOT,
                        "%-14s %6d %10.4f %10.4f %10.4f %10.1f %11.4f%n",
                        WORKLOAD,
                        batch,
                        r[0],
                        r[1],
                        r[2],
                        1000 / r[0],
                        r[3]);
            }
        }
    }

    /** {median, min, max} ms per step and CPU ms per step. */
    static double[] measure(int batch, int repeats, Backend be) {
        try (Network net = BenchWorkloads.network(WORKLOAD, be, DType.FLOAT32, batch, 1)) {
            double[] x = net.input().toHost();
            double[] out = new double[(int) net.output().length()], sum = new double[out.length];
            Runnable netStep = net::step;
            long t0 = System.nanoTime();
            int warm = 0;
            while (System.nanoTime() - t0 < 2e9 || warm < 100) {
                step(net, be, netStep, x, out, sum);
                warm++;
            }
            int block = Math.max(50, warm / 2);
            long cpu0 = LeStepsPerSecond.processCpuNanos();
            double[] ms = new double[repeats];
            for (int rep = 0; rep < repeats; rep++) {
                long s = System.nanoTime();
                for (int i = 0; i < block; i++) step(net, be, netStep, x, out, sum);
                ms[rep] = (System.nanoTime() - s) / 1e6 / block;
            }
            double cpuMs = (LeStepsPerSecond.processCpuNanos() - cpu0) / 1e6 / ((long) block * repeats);
            for (double v : sum) if (!Double.isFinite(v)) throw new IllegalStateException("the output went non-finite");
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            return new double[] {sorted[repeats / 2], sorted[0], sorted[repeats - 1], cpuMs};
        }
    }

    private static void step(Network net, Backend be, Runnable netStep, double[] x, double[] out, double[] sum) {
        be.copyFromHost(x, net.input());
        be.runRepeated(netStep); // as the training runs step (CUDA: a graph; CPU: the same as net.step())
        be.copyToHost(net.output(), out);
        for (int i = 0; i < out.length; i++) sum[i] += out[i];
    }
}
