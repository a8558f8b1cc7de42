package io.cortex4j.cuda.bench;

import io.cortex4j.config.DataSpec;
import io.cortex4j.model.Family;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.run.Experiment;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark workloads, one definition for the CPU harnesses (the benchmarks module, which
 * depends on this one) and the GPU benchmark (packaged without ND4J for the GPU host). Each workload
 * is an experiment config in {@code configs/bench/<name>.yaml} (the new schema; each file says what
 * it is and which reference harness of {@code shared/reference-bench} it matches), carried in this
 * module's jar as the class-path resource {@value #RESOURCES}{@code <name>.yaml}, so that a packed
 * benchmark needs no checkout. The network is built by the config's family ({@link Family#build}),
 * found at run time through {@link io.cortex4j.model.Families}: nothing here knows a family.
 *
 * <p>Every workload is stepped the same way: built with the batch as the override
 * {@code schedule.batch=B} (the config's own {@code run.seed} and {@code run.precision} give way to
 * the caller's seed and dtype), its input and target filled once with the {@linkplain #present fixed
 * pattern}, and the phase {@link Phase#TRAIN} (learning, target and the rule's noise on).
 */
public final class BenchWorkloads {
    /** Where the configs of {@code configs/bench} lie on the class path. */
    public static final String RESOURCES = "io/cortex4j/bench/workloads/";

    /** The workloads of {@code configs/bench}, by name (the file name without {@code .yaml}). */
    public static final List<String> NAMES = List.of(
            "microcircuit-4-30-3",
            "microcircuit-784-100-10",
            "le-mlp-bp",
            "le-mlp-pal",
            "le-lenet5-bp",
            "le-lenet5-pal",
            "gle-mnist1d",
            "burst-mlp",
            "burst-cifar",
            "spiking-mlp");

    /** The seed of {@link java.util.Random} that draws every workload's inputs and labels. */
    public static final long PATTERN_SEED = 7;

    private BenchWorkloads() {}

    /**
     * The experiment of a workload: a name of {@link #NAMES} (read from the class path) or the path of
     * a YAML config, with {@code overrides} ({@code key=value}, as {@code --set}) applied after the
     * batch ({@code schedule.batch=B}; {@code batch} ≤ 0 keeps the config's).
     */
    public static Experiment experiment(String workload, int batch, List<String> overrides) {
        List<String> all = new ArrayList<>();
        if (batch > 0) all.add("schedule.batch=" + batch);
        all.addAll(overrides);
        if (NAMES.contains(workload))
            return Experiment.parse(text(workload), "configs/bench/" + workload + ".yaml", all);
        Path p = Path.of(workload);
        if (Files.isRegularFile(p)) return Experiment.load(p, all);
        throw new IllegalArgumentException("unknown workload '" + workload + "': not one of " + String.join(", ", NAMES)
                + ", and no config file of that path");
    }

    /** The YAML text of a named workload, from the class path. */
    public static String text(String name) {
        String res = RESOURCES + name + ".yaml";
        try (InputStream in = BenchWorkloads.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null)
                throw new IllegalStateException("bench workload '" + name + "' is missing from the class path (" + res
                        + "; the cuda-kernels jar carries configs/bench there)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The workload's network at {@code batch} on {@code be}, filled with the fixed pattern, phase TRAIN. */
    public static Network network(String workload, Backend be, DType dtype, int batch, long seed) {
        return network(workload, List.of(), be, dtype, batch, seed);
    }

    /** As {@link #network(String, Backend, DType, int, long)}, with config overrides (e.g. {@code model.layers=[30, 20, 10]}). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Network network(
            String workload, List<String> overrides, Backend be, DType dtype, int batch, long seed) {
        Experiment e = experiment(workload, batch, overrides);
        Family<Record, Network> f = (Family) e.family();
        Network net = f.build(e.spec(), new Family.Build(be, dtype, e.schedule().batch(), seed, e.common(), false));
        try {
            present(net, e.data().targets());
            net.setPhase(Phase.TRAIN);
        } catch (RuntimeException x) {
            net.close();
            throw x;
        }
        return net;
    }

    /**
     * The fixed pattern every workload is stepped with, whatever its family: a {@link Random} seeded
     * with {@value #PATTERN_SEED} first draws the input, {@code nextDouble()} in [0, 1) for each element
     * of {@code input()} in row-major order ({@code [batch, inputs]}), then one label per sample,
     * {@code nextInt(outputs)}; the target is {@code targets.high} at the label and
     * {@code targets.low} elsewhere (the config's {@code data.targets}: one-hot 1/0 unless it says
     * otherwise, e.g. the microcircuit's 1.0/0.1). The input is held for every step.
     */
    public static void present(Network net, DataSpec.Targets targets) {
        Random r = new Random(PATTERN_SEED);
        double[] x = new double[Math.toIntExact(net.input().length())];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        net.input().load(x);
        int batch = net.target().rows(), classes = net.target().cols();
        double[] y = new double[batch * classes];
        Arrays.fill(y, targets.low());
        for (int b = 0; b < batch; b++) y[b * classes + r.nextInt(classes)] = targets.high();
        net.target().load(y);
    }

    /** Parameters and state tensors of a network by name: what two replays of the same steps must agree on. */
    public static Map<String, Tensor> tensors(Network net) {
        Map<String, Tensor> m = new LinkedHashMap<>(net.parameters());
        m.putAll(net.stateTensors());
        return m;
    }

    /**
     * Counted cost of one steady step: GEMM FLOPs, bytes per the {@link CostBackend} traffic model, and
     * per op name {calls, bytes, FLOPs}.
     */
    public record StepCost(double flops, long bytes, Map<String, long[]> byOp) {}

    /**
     * The cost of a workload's step at {@code batch}, counted on a {@link CostBackend} while the
     * network built there takes its steps (its real op sequence: GEMM FLOPs are the count, not a
     * formula). The first step is left out (it unfolds the held input and starts the high-pass
     * filters); the cost is the mean of the two steps after it (a step that swaps double buffers
     * repeats with period 2). In every workload of configs/bench those two steps cost the same.
     */
    public static StepCost cost(String workload, DType dtype, int batch) {
        CostBackend c = new CostBackend();
        try (Network n = network(workload, c, dtype, batch, 1)) {
            n.step();
            c.reset();
            n.step();
            n.step();
            Map<String, long[]> ops = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : c.byOp().entrySet()) {
                long[] v = e.getValue();
                ops.put(e.getKey(), new long[] {v[0] / 2, v[1] / 2, v[2] / 2});
            }
            return new StepCost(c.flops() / 2, c.bytes() / 2, Map.copyOf(ops));
        }
    }
}
