package io.cortex4j.cuda.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.run.Experiment;
import io.cortex4j.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The benchmark workloads as configs: configs/bench, their class-path copies, the fixed input pattern. */
class BenchWorkloadsTest {
    /** configs/bench of this checkout (the module's basedir is cuda-kernels). */
    static Path configs() {
        Path dir = Path.of(System.getProperty("basedir", "."), "..", "configs", "bench");
        Assumptions.assumeTrue(Files.isDirectory(dir), "no checkout here: " + dir);
        return dir;
    }

    /**
     * Every config in configs/bench is in {@link BenchWorkloads#NAMES}, travels on the class path as it
     * is in the checkout, binds as a file and by name (the batch an override), and builds.
     */
    @Test
    void everyWorkloadConfigBindsByNameAndByPath() throws Exception {
        Path dir = configs();
        List<String> files;
        try (var s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - ".yaml".length()))
                    .sorted()
                    .toList();
        }
        assertEquals(BenchWorkloads.NAMES.stream().sorted().toList(), files, "NAMES lists configs/bench");
        for (String w : BenchWorkloads.NAMES) {
            Path file = dir.resolve(w + ".yaml");
            assertEquals(Files.readString(file), BenchWorkloads.text(w), w + ": the class-path copy");
            Experiment e = Experiment.load(file, List.of());
            assertEquals(e, BenchWorkloads.experiment(w, 0, List.of()), w);
            assertEquals(e, BenchWorkloads.experiment(file.toString(), 0, List.of()), w + " by path");
            assertEquals(
                    7, BenchWorkloads.experiment(w, 7, List.of()).schedule().batch(), w);
            try (Network n = BenchWorkloads.network(w, new CostBackend(), DType.FLOAT32, 3, 1)) {
                assertEquals(3, n.batch(), w);
                assertEquals(Phase.TRAIN, n.phase(), w);
            }
        }
    }

    /** {@link BenchWorkloads#cost} is the mean of the two steps after the first: every workload's steady steps cost the same. */
    @Test
    void theSteadyStepsOfEveryWorkloadCostTheSame() {
        for (String w : BenchWorkloads.NAMES) {
            CostBackend be = new CostBackend();
            try (Network n = BenchWorkloads.network(w, be, DType.FLOAT32, 3, 1)) {
                n.step();
                be.reset();
                n.step();
                double f = be.flops();
                long bytes = be.bytes();
                Map<String, List<Long>> ops = ops(be);
                be.reset();
                n.step();
                assertEquals(f, be.flops(), 0.0, w);
                assertEquals(bytes, be.bytes(), w);
                assertEquals(ops, ops(be), w);
                assertTrue(f > 0, w + " multiplies matrices");
                BenchWorkloads.StepCost c = BenchWorkloads.cost(w, DType.FLOAT32, 3);
                assertEquals(f, c.flops(), 0.0, w);
                assertEquals(bytes, c.bytes(), w);
            }
        }
    }

    private static Map<String, List<Long>> ops(CostBackend be) {
        Map<String, List<Long>> m = new TreeMap<>();
        be.byOp().forEach((k, v) -> m.put(k, List.of(v[0], v[1], v[2])));
        return m;
    }

    @Test
    void unknownWorkloadsAreRefusedWithTheKnownNames() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BenchWorkloads.experiment("nosuch", 1, List.of()));
        assertEquals(
                "unknown workload 'nosuch': not one of " + String.join(", ", BenchWorkloads.NAMES)
                        + ", and no config file of that path",
                e.getMessage());
    }

    /**
     * One pattern for every family: Random(7) draws the inputs in [0, 1) (row-major), then one label per
     * sample; the target is data.targets.high at the label and low elsewhere. Checked on the CPU backend.
     */
    @Test
    void everyFamilyIsPresentedTheSameFixedPattern() {
        Nd4jCpuBackend cpu;
        try {
            cpu = new Nd4jCpuBackend();
        } catch (LinkageError | RuntimeException x) {
            Assumptions.abort("needs the ND4J CPU backend: " + x);
            return;
        }
        try (cpu) {
            for (String w : List.of("microcircuit-4-30-3", "le-lenet5-pal", "gle-mnist1d")) {
                Experiment e = BenchWorkloads.experiment(w, 2, List.of());
                double hi = e.data().targets().high(), lo = e.data().targets().low();
                try (Network n = BenchWorkloads.network(w, cpu, DType.FLOAT64, 2, 1)) {
                    Random r = new Random(BenchWorkloads.PATTERN_SEED);
                    double[] x = new double[(int) n.input().length()];
                    for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
                    int classes = n.target().cols();
                    double[] y = new double[2 * classes];
                    Arrays.fill(y, lo);
                    for (int b = 0; b < 2; b++) y[b * classes + r.nextInt(classes)] = hi;
                    assertArrayEquals(x, n.input().toHost(), 0.0, w + " input");
                    assertArrayEquals(y, n.target().toHost(), 0.0, w + " target");
                    n.step();
                    assertTrue(!cpu.hasNonFinite(n.output()), w);
                }
            }
            assertEquals(
                    0.1,
                    BenchWorkloads.experiment("microcircuit-4-30-3", 1, List.of())
                            .data()
                            .targets()
                            .low(),
                    0.0);
        }
    }
}
