package io.cortex4j.cuda.bench;

import io.cortex4j.model.topology.Topology;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.le.LeNetwork;
import io.cortex4j.model.le.LeParams;
import io.cortex4j.model.le.LeRule;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.model.microcircuit.Conductances;
import io.cortex4j.model.microcircuit.FeedbackRule;
import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.model.microcircuit.MicrocircuitParams;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark workloads, one definition for the CPU harnesses (the benchmarks module, which
 * depends on this one) and the GPU benchmark (packaged without ND4J for the GPU host): the PAL
 * dendritic microcircuit with learning on, and the layered LE networks (MLP 784-256-256-10 and the
 * CIFAR-10 LeNet5, BP or PAL), with their inputs and targets.
 */
public final class BenchWorkloads {
    private BenchWorkloads() {}

    /** A model the benchmark steps: its Euler step and evolving state. */
    public interface Net extends AutoCloseable {
        void step();

        /** Every evolving tensor by name (its role, which stays with the name across steps). */
        Map<String, Tensor> state();

        @Override
        void close();
    }

    // ------------------------------------------------------------------ microcircuit

    /**
     * The microcircuit of the reference harness R3 (shared/reference-bench, ref_pal_mc.py): GeNN MNIST
     * learning rates, σ = 0.01, every layer learning.
     */
    public static MicrocircuitParams palParams(int[] layers, FeedbackRule rule) {
        int h = layers.length - 2;
        double[] fw = new double[layers.length - 1];
        Arrays.fill(fw, 0.5);
        double[] bw = new double[h], ip = new double[h], pi = new double[h], alpha = new double[h];
        Arrays.fill(bw, 0.2);
        Arrays.fill(ip, 0.02);
        Arrays.fill(pi, 0.02);
        Arrays.fill(alpha, 1e-6);
        return new MicrocircuitParams(
                layers,
                MicrocircuitParams.uniform(layers, Activation.SIGMOID),
                0.01,
                Conductances.PUBLISHED,
                1.0,
                rule,
                fw,
                bw,
                ip,
                pi,
                alpha,
                0.01,
                0.1,
                0.1,
                100.0,
                new double[] {-0.1, 0.1},
                new double[] {-1, 1},
                1.0,
                true);
    }

    /** A microcircuit with the given feedback rule, learning on, output nudged towards a fixed target, one input held. */
    public static Microcircuit microcircuit(
            int[] layers, FeedbackRule rule, Backend be, DType dtype, int batch, long seed) {
        Microcircuit net = new Microcircuit(palParams(layers, rule), be, dtype, batch, seed);
        double[] x = new double[batch * layers[0]];
        for (int i = 0; i < x.length; i++) x[i] = (i * 0.618034) % 1.0;
        net.input().load(x);
        double[] t = new double[batch * layers[layers.length - 1]];
        for (int i = 0; i < t.length; i++) t[i] = i % 3 == 0 ? 1.0 : 0.1;
        net.target().load(t);
        net.setTargetOn(true);
        return net;
    }

    public static Net adapt(Microcircuit m) {
        return new Net() {
            public void step() {
                m.step();
            }

            public Map<String, Tensor> state() {
                return m.fullState();
            }

            public void close() {
                m.close();
            }
        };
    }

    // ------------------------------------------------------------------ layered LE networks

    /**
     * The network of a workload name: {@code mlp-bp}, {@code mlp-pal}, {@code lenet5-bp}, {@code lenet5-pal}
     * (the MLP with rate output errors; LeNet5 with mse and the CIFAR script's lr factors; PAL with
     * ref_le_pal.py's settings).
     */
    public static LeParams leParams(String workload) {
        String[] s = workload.toLowerCase(java.util.Locale.ROOT).split("-");
        if (s.length != 2)
            throw new IllegalArgumentException(
                    "unknown LE workload '" + workload + "' (mlp-bp, mlp-pal, lenet5-bp, lenet5-pal)");
        LeRule rule = LeRule.parse(s[1]);
        Topology arch;
        OutputError out;
        double[] lr;
        switch (s[0]) {
            case "mlp" -> {
                arch = Topology.mlp(
                        new int[] {784, 256, 256, 10}, Activation.SIGMOID, Activation.SIGMOID, Activation.LINEAR);
                out = OutputError.RATE;
                lr = LeParams.fill(3, 1.0);
            }
            case "lenet5" -> {
                arch = lenet5();
                out = OutputError.MSE;
                lr = new double[] {1.0, 0.2, 0.2, 0.2, 0.2, 0.1}; // the CIFAR script's default lr_factors
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown LE workload '" + workload + "' (mlp-bp, mlp-pal, lenet5-bp, lenet5-pal)");
        }
        int n = arch.layers().size();
        LeParams p = LeParams.defaults(arch, rule, out).withLearningRate(0.125 * 64 / 100 / 0.1, lr);
        if (rule == LeRule.PAL) {
            double dt = p.dt();
            double[] sigma = LeParams.fill(n, 1e-2);
            sigma[n - 1] = 0.0;
            p = p.withPal(
                            LeParams.fill(n, 1e-2),
                            LeParams.fill(n, 1e-4),
                            sigma,
                            LeParams.fill(n, 10 * dt),
                            LeParams.fill(n, 10 * dt))
                    .withLowPass(LeParams.fill(n, 1e4 * dt));
        }
        return p;
    }

    /** CIFAR-10 LeNet5 of the PAL paper: 3×32×32 → conv 20@5×5 → pool 2 → conv 50@5×5 → pool 2 → dense 500 → dense 10 (linear). */
    public static Topology lenet5() {
        return new Topology(
                3,
                32,
                32,
                List.of(
                        new LayerSpec.Conv2d(20, 5, 1, 0, Activation.SIGMOID),
                        new LayerSpec.MaxPool2d(2),
                        new LayerSpec.Conv2d(50, 5, 1, 0, Activation.SIGMOID),
                        new LayerSpec.MaxPool2d(2),
                        new LayerSpec.Dense(500, Activation.SIGMOID),
                        new LayerSpec.Dense(10, Activation.LINEAR)));
    }

    /** LeNet5 with PAL: {@code leParams("lenet5-pal")}. */
    public static LeParams lenet5Pal() {
        return leParams("lenet5-pal");
    }

    /** The network with random inputs in [0, 1) and one-hot targets (Random(7)). */
    public static LeNetwork leNetwork(LeParams p, Backend be, DType dtype, int batch, long seed) {
        LeNetwork net = new LeNetwork(p, be, dtype, batch, seed);
        Random r = new Random(7);
        double[] x = new double[batch * p.architecture().inputLength()];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        net.input().load(x);
        int classes = p.architecture().outputLength();
        double[] y = new double[batch * classes];
        for (int b = 0; b < batch; b++) y[b * classes + r.nextInt(classes)] = 1.0;
        net.target().load(y);
        return net;
    }

    public static Net adapt(LeNetwork m) {
        return new Net() {
            public void step() {
                m.step();
            }

            public Map<String, Tensor> state() {
                return m.fullState();
            }

            public void close() {
                m.close();
            }
        };
    }

    /**
     * GEMM FLOPs of one learning step of a LeNetwork: per weight layer
     * one product of m·n·k multiply-adds (dense: batch·in·out; conv: batch·positions·patch·filters)
     * for the forward pass and one for ΔW, plus one for the pipelined backward error of every
     * weight layer but the first, plus with PAL one for ΔB of every weight layer but the first
     * (feedback learning rate > 0); 2 FLOPs per multiply-add. Pools cost no GEMM.
     */
    public static double leGemmFlops(LeParams p, int batch) {
        Topology arch = p.architecture();
        List<Topology.Shape> shapes = arch.outputShapes();
        double f = 0;
        for (int i = 0; i < arch.layers().size(); i++) {
            Topology.Shape in = i == 0 ? arch.input() : shapes.get(i - 1), out = shapes.get(i);
            double mnk = switch (arch.layers().get(i)) {
                case LayerSpec.Dense d -> (double) batch * in.length() * out.length();
                case LayerSpec.Conv2d c -> {
                    ConvGeometry g = arch.geometry(i);
                    yield (double) batch * g.positions() * g.patch() * c.filters();
                }
                case LayerSpec.MaxPool2d m -> 0;
            };
            if (mnk == 0) continue;
            int products = 2 + (i > 0 ? 1 : 0);
            if (p.rule() == LeRule.PAL && i > 0 && p.feedbackLrFactors()[i] > 0) products++;
            f += 2 * mnk * products;
        }
        return f;
    }

    /** Counted cost of one steady step (GEMM FLOPs, bytes per the {@link CostBackend} traffic model). */
    public record StepCost(double flops, long bytes, Map<String, long[]> byOp) {}

    /** The cost of the microcircuit's step, counted on a {@link CostBackend} (2 steps averaged: the step swaps buffers with period 2). */
    public static StepCost microcircuitCost(int[] layers, DType dtype, int batch) {
        CostBackend c = new CostBackend();
        Microcircuit m = microcircuit(layers, FeedbackRule.PAL, c, dtype, batch, 1);
        m.step();
        c.reset();
        m.step();
        m.step();
        return new StepCost(c.flops() / 2, c.bytes() / 2, Map.copyOf(c.byOp()));
    }

    /** The cost of a steady LeNetwork step (the second: the first unfolds the held input and starts the high-pass filters). */
    public static StepCost leCost(LeParams p, DType dtype, int batch) {
        CostBackend c = new CostBackend();
        LeNetwork n = leNetwork(p, c, dtype, batch, 1);
        n.step();
        c.reset();
        n.step();
        return new StepCost(c.flops(), c.bytes(), Map.copyOf(c.byOp()));
    }
}
