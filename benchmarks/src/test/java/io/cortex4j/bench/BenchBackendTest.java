package io.cortex4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.tensor.BackendProvider;
import io.cortex4j.tensor.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchBackendTest {
    record Result(int code, String out, String err) {}

    static Result bench(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = StepsPerSecond.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Exit status 2, nothing measured (nothing printed on stdout), one error line that starts with {@code prefix}. */
    static void refused(Result r, String prefix) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.out(), "nothing measured");
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: " + prefix), r.err());
    }

    @Test
    void anUnknownBackendIsRefusedBeforeAnyMeasurementInEveryMode() {
        for (String[] mode : new String[][] {{}, {"--le"}, {"--gle"}, {"--gemm"}}) {
            String[] args = new String[mode.length + 2];
            System.arraycopy(mode, 0, args, 0, mode.length);
            args[mode.length] = "--backend";
            args[mode.length + 1] = "nosuch";
            Result r = bench(args);
            refused(r, "unknown backend 'nosuch'; on the class path: ");
            assertTrue(r.err().contains("cpu") && r.err().contains("cuda"), "names the known backends: " + r.err());
        }
        refused(bench("--le", "--backend"), "--backend needs a value");
    }

    @Test
    void anUnavailableBackendGivesTheProvidersReason() {
        BackendProvider cuda = Backends.providers().stream()
                .filter(p -> p.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        if (cuda.isAvailable()) return; // a GPU host: nothing to refuse
        for (String[] args :
                new String[][] {{"--backend", "cuda"}, {"--le", "--backend", "cuda"}, {"--gle", "--backend", "cuda"}}) {
            Result r = bench(args);
            refused(r, "backend 'cuda' is not available here: ");
            assertEquals(
                    "error: backend 'cuda' is not available here: " + cuda.unavailableReason(),
                    r.err().strip());
        }
    }

    @Test
    void modesThatRunOnTheCpuAloneRefuseAnotherBackendWhereverItRuns() {
        refused(bench("--gemm", "--backend", "cuda"), "--backend cuda is not supported here: --gemm measures OpenBLAS");
        refused(bench("--le", "--profile", "--backend", "cuda"), "--backend cuda is not supported here: --profile");
    }

    @Test
    void badOptionsEndWithOneLineAndStatus2() {
        refused(bench("--frobnicate"), "unknown option --frobnicate");
        refused(bench("--workloads", "4,30,3@0"), "--workloads: '4,30,3@0' is not workload[@batch]");
        refused(
                bench("--workloads", "microcircuit-4-30-3@x"),
                "--workloads: 'microcircuit-4-30-3@x' is not workload[@batch]");
        refused(bench("--workloads", "5,5,5@1"), "--workloads: unknown workload 'microcircuit-5-5-5': not one of ");
        assertTrue(bench("--workloads", "5-5-5").err().contains("(the workload of '5-5-5')"));
        refused(bench("--le", "--le-workloads", "mlp-xx@4"), "--le-workloads: unknown workload 'mlp-xx': not one of ");
        refused(bench("--gle", "--batches", "0"), "--batches needs whole numbers ≥ 1");
    }

    /** A workload is a name of configs/bench (with or without @batch), the old layers spelling, or a config path. */
    @Test
    void workloadsByNameByLayersAndByPath() {
        assertEquals(
                List.of(
                        new Workloads.Item("microcircuit-4-30-3", "microcircuit-4-30-3", 1),
                        new Workloads.Item("microcircuit-784-100-10", "microcircuit-784-100-10", 32)),
                StepsPerSecond.parse(new String[] {"--workloads", "microcircuit-4-30-3,microcircuit-784-100-10@32"})
                        .workloads());
        List<Workloads.Item> old = List.of(
                new Workloads.Item("4-30-3", "microcircuit-4-30-3", 1),
                new Workloads.Item("784-100-10", "microcircuit-784-100-10", 128));
        assertEquals(
                old,
                StepsPerSecond.parse(new String[] {"--workloads", "4,30,3@1;784,100,10@128"})
                        .workloads());
        assertEquals(
                List.of(
                        new Workloads.Item("4-30-3", "microcircuit-4-30-3", 1),
                        new Workloads.Item("784-100-10", "microcircuit-784-100-10", 1)),
                StepsPerSecond.parse(new String[] {"--workloads", "4-30-3,784-100-10"})
                        .workloads());
        assertEquals(
                List.of(
                        new Workloads.Item("mlp-pal", "le-mlp-pal", 128),
                        new Workloads.Item("le-lenet5-bp", "le-lenet5-bp", 4)),
                LeStepsPerSecond.parse(new String[] {"--le", "--le-workloads", "mlp-pal,le-lenet5-bp@4"})
                        .workloads());
        Path config = Path.of("..", "configs", "bench", "gle-mnist1d.yaml");
        if (Files.isRegularFile(config))
            assertEquals(
                    List.of(new Workloads.Item(config.toString(), config.toString(), 100)),
                    StepsPerSecond.parse(new String[] {"--workloads", config.toString()})
                            .workloads());
    }

    @Test
    void theCpuBackendMeasuresAndIsNamedInThePrintout() {
        Result mc = bench("--backend", "cpu", "--workloads", "4,30,3@2", "--memory-steps", "0", "--repeats", "1");
        assertEquals(0, mc.code(), mc.err());
        assertTrue(
                mc.out().startsWith("cortex4j step rate (configs/bench workloads, learning on, float32, backend cpu)"),
                mc.out());
        assertTrue(
                mc.out()
                        .lines()
                        .anyMatch(l -> l.startsWith("4-30-3 ") && l.trim().split("\\s+").length == 5),
                mc.out());
        Result le = bench(
                "--le", "--le-workloads", "mlp-bp@2", "--repeats", "1", "--block-seconds", "0.02", "--peak", "100");
        assertEquals(0, le.code(), le.err());
        assertTrue(le.out().startsWith("cortex4j layered LE step rate (learning on, float32, backend cpu)"), le.out());
        assertTrue(le.out().lines().anyMatch(l -> l.startsWith("mlp-bp ")), le.out());
    }
}
