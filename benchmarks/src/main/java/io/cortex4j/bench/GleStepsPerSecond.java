package io.cortex4j.bench;

import io.cortex4j.model.gle.GleLayerSpec;
import io.cortex4j.model.gle.GleNetwork;
import io.cortex4j.model.gle.GleParams;
import io.cortex4j.optim.Adam;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Step rate of the GLE MNIST-1D end-to-end network (specs/gle.md §6.3), the counterpart of the
 * reference harness R2 ({@code shared/reference-bench/ref_gle.py}: the authors' code, one network
 * step plus one Adam step per Euler step, batch 100). Each timed step does what a training step of
 * {@code GleClassificationExperiment} does: copy the input slice in, step the network (which runs
 * Adam), copy the output back and add it to the time sum. Median ms per step over repeated blocks,
 * and the CPU time of the process per step.
 *
 * Every step copies the output to the host, so a timed block ends with the work done on any backend.
 *
 * <pre>./cortex4j bench --gle [--batches 100,1000] [--repeats 7] [--backend cpu|cuda]</pre>
 */
public final class GleStepsPerSecond {
    private GleStepsPerSecond() {}

    /** The 15k network: 1 → 53 (linear) → 5 × 53 (tanh) → 10 (linear); 18 + 18 LI and 17 LE units per hidden layer. */
    static GleParams mnist1dNetwork() {
        double[] tm = new double[53], tr = new double[53];
        for (int i = 0; i < 53; i++) {
            tm[i] = i < 18 ? 0.6 : 1.2;
            tr[i] = i < 36 ? 0.2 : 1.2;
        }
        List<GleLayerSpec> layers = new ArrayList<>();
        layers.add(new GleLayerSpec(53, Activation.LINEAR, tm, tr, true));
        for (int l = 0; l < 5; l++) layers.add(new GleLayerSpec(53, Activation.TANH, tm, tr, true));
        layers.add(GleLayerSpec.uniform(10, Activation.LINEAR, 1.2, 1.2, true));
        return new GleParams(
                1,
                layers,
                0.2,
                1.0,
                true,
                GleParams.Loss.CROSS_ENTROPY,
                GleParams.Feedback.TRANSPOSE,
                false,
                0.2,
                100);
    }

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
            GleParams p = mnist1dNetwork();
            System.out.println("cortex4j GLE step rate: MNIST-1D end-to-end network (" + p.parameterCount()
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
                double[] r = measure(p, batch, o.repeats(), be);
                System.out.printf(
                        Locale.ROOT,
                        "%-14s %6d %10.4f %10.4f %10.4f %10.1f %11.4f%n",
                        "gle-mnist1d",
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
    static double[] measure(GleParams p, int batch, int repeats, Backend be) {
        try (GleNetwork net = new GleNetwork(p, be, DType.FLOAT32, batch, 1)) {
            net.setOptimizer(new Adam(be, net.slots(), 1e-3));
            net.setTargetOn(true);
            Random r = new Random(7);
            double[] y = new double[batch * 10];
            for (int i = 0; i < batch; i++) y[i * 10 + r.nextInt(10)] = 1;
            be.copyFromHost(y, net.target());
            double[][] xs = new double[64][batch];
            for (double[] x : xs) for (int i = 0; i < batch; i++) x[i] = r.nextGaussian();
            double[] out = new double[batch * 10], sum = new double[batch * 10];
            long t0 = System.nanoTime();
            int warm = 0;
            while (System.nanoTime() - t0 < 2e9 || warm < 100) step(net, be, xs[warm++ % xs.length], out, sum);
            int block = Math.max(50, warm / 2);
            long cpu0 = LeStepsPerSecond.processCpuNanos();
            double[] ms = new double[repeats];
            int k = 0;
            for (int rep = 0; rep < repeats; rep++) {
                long s = System.nanoTime();
                for (int i = 0; i < block; i++) step(net, be, xs[k++ % xs.length], out, sum);
                ms[rep] = (System.nanoTime() - s) / 1e6 / block;
            }
            double cpuMs = (LeStepsPerSecond.processCpuNanos() - cpu0) / 1e6 / ((long) block * repeats);
            for (double v : sum) if (!Double.isFinite(v)) throw new IllegalStateException("the output went non-finite");
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            return new double[] {sorted[repeats / 2], sorted[0], sorted[repeats - 1], cpuMs};
        }
    }

    private static void step(GleNetwork net, Backend be, double[] x, double[] out, double[] sum) {
        be.copyFromHost(x, net.input());
        Tensor[] o = new Tensor[1];
        be.runRepeated(() -> {
            net.step();
            o[0] = net.output();
        }); // as the training runs step (CUDA: a graph; CPU: the same as net.step())
        be.copyToHost(o[0], out);
        for (int i = 0; i < out.length; i++) sum[i] += out[i];
    }
}
