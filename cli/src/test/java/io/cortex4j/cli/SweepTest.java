package io.cortex4j.cli;

import static io.cortex4j.cli.MainTest.assertOneLineError;
import static io.cortex4j.cli.MainTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cortex4j.cli.sweep.Suite;
import io.cortex4j.cli.sweep.Sweep;
import io.cortex4j.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps as a researcher runs them: expansion, skipping and resuming, failures, collected numbers. */
class SweepTest {
    /** A microcircuit small enough for a test: about 1500 samples a second on one core. */
    static final String CONFIG = """
            name: tiny-%s
            model: {family: microcircuit, layers: [4, 6, 3]}
            rule: {name: %s, etaForward: [5.0, 0.5], etaFeedback: [0.5], etaIP: [0.05], etaPI: [0.02], alpha: [1.0e-06], noise: {sigma: 0.05, tau: 0.1}}
            data: {name: yinyang, trainLimit: 60, evalLimit: 30}
            schedule: {settle: 1.0, presentation: 0.5, epochs: 2, batch: 1}
            run: {seed: 3}
            """;

    @TempDir
    Path tmp;

    Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    Path configs() throws IOException {
        write("configs/tiny-fa.yaml", CONFIG.formatted("fa", "fa"));
        write("configs/tiny-pal.yaml", CONFIG.formatted("pal", "pal"));
        return tmp.resolve("configs");
    }

    @Test
    void gridMultipliesAxesAndZipsTheKeysOfOneAxis() throws IOException {
        configs();
        Path suite = write("suites/s.yaml", """
                name: grid
                configs: [../configs/tiny-fa.yaml, ../configs/tiny-pal.yaml]
                set: {schedule.epochs: 1}
                grid:
                  - {model.dt: [0.01, 0.005]}
                  - {schedule.batch: [1, 2], data.trainLimit: [40, 80]}
                seeds: [1, 2]
                """);
        Sweep s = Sweep.expand(Suite.load(suite), tmp.resolve("sweeps"), List.of());
        assertEquals(8, s.cells().size(), "2 configs × 2 dt × 2 zipped points");
        assertEquals(16, s.runs().size());
        assertEquals(
                List.of(
                        "tiny-fa-dt0.01-batch1-trainLimit40",
                        "tiny-fa-dt0.01-batch2-trainLimit80",
                        "tiny-fa-dt0.005-batch1-trainLimit40",
                        "tiny-fa-dt0.005-batch2-trainLimit80"),
                s.cells().subList(0, 4).stream().map(Sweep.Cell::id).toList());
        Sweep.Run r = s.runs().get(3); // second cell, seed 2
        assertEquals("tiny-fa-dt0.01-batch2-trainLimit80-s2", r.id());
        assertTrue(r.yaml().contains("batch: 2") && r.yaml().contains("trainLimit: 80"), r.yaml());
        assertTrue(r.yaml().contains("seed: 2") && r.yaml().contains("epochs: 1"), r.yaml());
        assertFalse(Files.exists(tmp.resolve("sweeps")), "expanding writes nothing");

        Path bad = write("suites/bad.yaml", """
                name: bad
                configs: [../configs/tiny-fa.yaml]
                grid:
                  - {schedule.batch: [1, 2], data.trainLimit: [40]}
                """);
        assertOneLineError(
                cli("sweep", bad.toString()),
                bad + ":4: 'grid[0].data.trainLimit': the keys of one grid axis go together");
        Path unknown = write("suites/unknown.yaml", "name: u\nconfigs: [../configs/tiny-fa.yaml]\nseed: [1]\n");
        assertOneLineError(cli("sweep", unknown.toString()), unknown + ":3: 'seed': unknown key in a suite");
        Path twice =
                write("suites/twice.yaml", "name: t\nconfigs: [../configs/tiny-fa.yaml, ../configs/tiny-fa.yaml]\n");
        assertOneLineError(cli("sweep", twice.toString()), "two cells would be named tiny-fa");
        Path badKey = write(
                "suites/badkey.yaml", "name: k\nconfigs: [../configs/tiny-fa.yaml]\nset: {rule.etaForwardd: [1, 2]}\n");
        assertOneLineError(cli("sweep", badKey.toString()), "a cell of tiny-fa.yaml:");
    }

    /**
     * The sweep is killed while its second run trains: running it again skips the first (its files
     * untouched), resumes the second from its checkpoint (ending bit-identical to an uninterrupted
     * run) and runs the rest.
     */
    @Test
    void aKilledSweepFinishesOnlyWhatIsMissing() throws Exception {
        configs();
        Path suite = write("suites/k.yaml", """
                name: kill
                configs: [../configs/tiny-fa.yaml, ../configs/tiny-pal.yaml]
                set: {schedule.epochs: 4, data.trainLimit: 1500, run.checkpointEvery: 50}
                seeds: [1]
                """);
        Path out = tmp.resolve("sweeps");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "sweep",
                suite.toString(),
                "--out",
                out.toString(),
                "--parallel",
                "1"));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("first.log").toFile())
                .start();
        Path dir = out.resolve("kill");
        Path first = dir.resolve("runs/tiny-fa-s1"), second = dir.resolve("runs/tiny-pal-s1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!(Files.exists(first.resolve("summary.json")) && Files.exists(second.resolve("checkpoint.npz")))) {
            assertTrue(
                    p.isAlive(),
                    "the sweep ended before it could be killed: " + Files.readString(tmp.resolve("first.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint of the second run in time");
            Thread.sleep(20);
        }
        MainTest.Result st = cli("sweep", "status", dir.toString());
        assertTrue(st.out().contains("running (local process "), st.out());
        assertTrue(st.out().contains("sweep kill: 2 runs, 1 done, 1 running"), st.out());
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
        assertFalse(Files.exists(second.resolve("summary.json")), "killed while the second run trained");
        byte[] firstSummary = Files.readAllBytes(first.resolve("summary.json"));
        FileTime firstTime = Files.getLastModifiedTime(first.resolve("summary.json"));

        MainTest.Result r = cli("sweep", suite.toString(), "--out", out.toString(), "--parallel", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 done, 1 to run"), r.out());
        assertTrue(r.out().contains("[1/1] tiny-pal-s1 done (resumed)"), r.out());
        assertArrayEquals(firstSummary, Files.readAllBytes(first.resolve("summary.json")));
        assertEquals(
                firstTime, Files.getLastModifiedTime(first.resolve("summary.json")), "the done run was not touched");
        assertTrue(Files.readString(dir.resolve("logs/tiny-pal-s1.log")).contains("resuming"));

        // the resumed run ends where an uninterrupted one ends
        Path whole = tmp.resolve("whole");
        assertEquals(
                0,
                cli(
                                "train",
                                dir.resolve("configs/tiny-pal-s1.yaml").toString(),
                                "--run-dir",
                                whole.toString(),
                                "--quiet")
                        .code());
        var expected = Npz.read(whole.resolve("parameters.npz"));
        var resumed = Npz.read(second.resolve("parameters.npz"));
        assertEquals(expected.keySet(), resumed.keySet());
        for (String k : expected.keySet())
            assertArrayEquals(expected.get(k).data(), resumed.get(k).data(), k + " bit-identical");

        r = cli("sweep", suite.toString(), "--out", out.toString());
        assertEquals(0, r.code());
        assertTrue(r.out().contains("2 done, 0 to run"), r.out());
    }

    @Test
    void aFailedRunIsReportedAndTheOthersFinish() throws IOException {
        configs();
        write(
                "configs/tiny-missing.yaml",
                CONFIG.formatted("missing", "fa")
                        .replace("name: yinyang", "name: mnist, dir: " + tmp.resolve("nodata")));
        Path suite = write("suites/f.yaml", """
                name: fails
                configs: [../configs/tiny-missing.yaml, ../configs/tiny-fa.yaml]
                seeds: [1, 2]
                published:
                  - {match: {config: tiny-fa}, test_acc: 0.5, source: "a made-up paper"}
                """);
        Path out = tmp.resolve("sweeps");
        MainTest.Result r = cli("sweep", suite.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("tiny-missing-s1 FAILED (exit 2)"), r.out());
        assertTrue(r.out().contains("2 runs failed: tiny-missing-s1, tiny-missing-s2"), r.out());
        Path dir = out.resolve("fails");
        assertTrue(Files.exists(dir.resolve("runs/tiny-fa-s2/summary.json")));
        String md = Files.readString(dir.resolve("results/results.md"));
        assertTrue(md.contains("## Runs that failed") && md.contains("| tiny-missing-s1 |"), md);
        assertTrue(md.contains("[1] a made-up paper"), md);

        // the collected numbers are the runs' own: mean and sample std over the seeds
        JsonNode j =
                new ObjectMapper().readTree(dir.resolve("results/results.json").toFile());
        JsonNode cell = j.get("cells").get(1);
        assertEquals("tiny-fa", cell.get("cell").asText());
        double a = summary(dir.resolve("runs/tiny-fa-s1")).get("test_acc").asDouble();
        double b = summary(dir.resolve("runs/tiny-fa-s2")).get("test_acc").asDouble();
        JsonNode st = cell.get("stats").get("test_acc");
        assertEquals((a + b) / 2, st.get("mean").asDouble(), 1e-15);
        assertEquals(Math.abs(a - b) / Math.sqrt(2), st.get("std").asDouble(), 1e-15);
        assertEquals(0.5, st.get("published").asDouble());
        JsonNode run = cell.get("run_results").get(0);
        assertEquals(64, run.get("config_sha256").asText().length());
        assertEquals("cpu", run.get("backend").asText());
        assertEquals(1, run.get("seed").asInt());
        assertTrue(
                Files.readString(dir.resolve("results/results.csv")).contains("tiny-fa,tiny-fa.yaml,microcircuit,fa"));
        assertEquals(0, cell.get("failed").size());
        assertEquals(2, j.get("cells").get(0).get("failed").size());
    }

    @Test
    void aRunDirectoryHoldingAnotherConfigIsNeverOverwritten() throws IOException {
        configs();
        Path suite = write("suites/c.yaml", "name: c\nconfigs: [../configs/tiny-fa.yaml]\nset: {schedule.epochs: 1}\n");
        Path out = tmp.resolve("sweeps");
        assertEquals(0, cli("sweep", suite.toString(), "--out", out.toString()).code());
        Files.writeString(
                suite, "name: c\nconfigs: [../configs/tiny-fa.yaml]\nset: {schedule.epochs: 1, model.dt: 0.02}\n");
        assertOneLineError(
                cli("sweep", suite.toString(), "--out", out.toString()),
                "run tiny-fa-s3 in " + out.resolve("c/runs/tiny-fa-s3") + " was made with another config");
        Path cfg = out.resolve("c/configs/tiny-fa-s3.yaml");
        MainTest.Result r = cli(
                "train",
                cfg.toString(),
                "--run-dir",
                out.resolve("c/runs/tiny-fa-s3").toString());
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("already done: "), r.out());
        assertOneLineError(
                cli(
                        "train",
                        cfg.toString(),
                        "--set",
                        "model.dt=0.02",
                        "--run-dir",
                        out.resolve("c/runs/tiny-fa-s3").toString()),
                "holds a run of another config");
    }

    /** A bench suite: every variant and batch measured on the CPU; a backend missing here is reported, not fatal. */
    @Test
    void aBenchSuiteMeasuresEveryVariantAndNamesABackendItCannotUse() throws IOException {
        Path suite = write("suites/b.yaml", """
                name: b
                bench:
                  backends: [cpu, cuda]
                  repeats: 3
                  blockSeconds: 0.05
                  workloads:
                    - {workload: microcircuit-4-30-3, widths: {model.layers: [[4, 30, 3], [4, 60, 3]]}, batches: [1, 8]}
                """);
        Path out = tmp.resolve("sweeps");
        MainTest.Result r = cli("sweep", suite.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Path dir = out.resolve("b");
        List<String> csv = Files.readAllLines(dir.resolve("results/bench.csv"));
        assertEquals(5, csv.size(), "header and 2 widths × 2 batches: " + csv);
        JsonNode cpu = new ObjectMapper().readTree(dir.resolve("bench/cpu.json").toFile());
        for (JsonNode row : cpu.get("results")) {
            double ms = row.get("ms_per_step").asDouble();
            assertTrue(ms > 0 && Math.abs(row.get("steps_per_s").asDouble() * ms - 1000) < 1e-6, row.toString());
            double gf = row.get("gemm_gflop_per_step").asDouble() / (ms * 1e-3);
            assertEquals(gf, row.get("gflop_per_s").asDouble(), 1e-9 * gf);
            assertEquals(
                    gf / cpu.get("sgemm_peak_gflop_per_s").asDouble(),
                    row.get("peak_fraction").asDouble(),
                    1e-12);
        }
        // the wider hidden layer does twice the GEMM work per step at the same batch
        double narrow = cpu.get("results").get(0).get("gemm_gflop_per_step").asDouble();
        double wide = cpu.get("results").get(2).get("gemm_gflop_per_step").asDouble();
        assertEquals(2.0, wide / narrow, 0.01, cpu.toString());
        String md = Files.readString(dir.resolve("results/results.md"));
        assertTrue(md.contains("**cuda**: not measured here: "), md);
        assertTrue(md.contains("| microcircuit-4-30-3-layers4_60_3 | `model.layers` [4, 60, 3] | 8 |"), md);
        r = cli("sweep", suite.toString(), "--out", out.toString());
        assertTrue(r.out().contains("bench cpu: done ("), "measured once: " + r.out());
    }

    static JsonNode summary(Path run) throws IOException {
        return new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    }
}
