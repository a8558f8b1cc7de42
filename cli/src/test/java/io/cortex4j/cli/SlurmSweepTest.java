package io.cortex4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Slurm executor against a real single-node Slurm (slurmctld, slurmd and munge from Debian, started
 * by scripts/slurm/local-cluster.sh in a temporary folder; .ci/run installs them with
 * scripts/slurm/install.sh). Skipped, with the reason, where Slurm is not installed or cannot run.
 * The sweep commands run as processes of their own with SLURM_CONF set, as on a cluster's login node.
 */
class SlurmSweepTest {
    static final Path SCRIPT = Path.of("..", "scripts", "slurm", "local-cluster.sh")
            .toAbsolutePath()
            .normalize();
    static Path state;
    static String slurmConf;

    @BeforeAll
    static void startCluster() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || onPath("slurmctld"),
                "Slurm is not installed here (scripts/slurm/install.sh installs it; .ci/run runs that first)");
        assumeTrue(
                onPath("sbatch") && (onPath("munged") || Files.isExecutable(Path.of("/usr/sbin/munged"))),
                "Slurm's client commands or munged are missing (scripts/slurm/install.sh installs them)");
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "the throwaway cluster runs its daemons as root (SlurmUser=root); this test runs as "
                        + System.getProperty("user.name"));
        state = Files.createTempDirectory("cortex4j-slurm");
        Result r = run(List.of(SCRIPT.toString(), "start", state.toString()), null, 120);
        assumeTrue(r.code == 0, "the local Slurm cluster did not start: " + r.text);
        for (String line : r.text.split("\n"))
            if (line.startsWith("export SLURM_CONF="))
                slurmConf = line.substring("export SLURM_CONF=".length()).strip();
        assertTrue(slurmConf != null, "local-cluster.sh printed no SLURM_CONF: " + r.text);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (state != null) run(List.of(SCRIPT.toString(), "stop", state.toString()), null, 120);
    }

    static boolean onPath(String cmd) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":"))
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, cmd))) return true;
        return false;
    }

    record Result(int code, String text) {}

    static Result run(List<String> cmd, String conf, int timeoutS) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (conf != null) pb.environment().put("SLURM_CONF", conf);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(timeoutS, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** {@code cortex4j ARGS} as its own JVM on the login node (this machine), SLURM_CONF set. */
    static Result cortex4j(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return run(cmd, slurmConf, 600);
    }

    static Path suite(Path dir, String name, int epochs) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tiny-fa.yaml"), SweepTest.CONFIG.formatted("fa", "fa"));
        Files.writeString(dir.resolve("tiny-pal.yaml"), SweepTest.CONFIG.formatted("pal", "pal"));
        Path s = dir.resolve(name + ".yaml");
        Files.writeString(s, """
                name: %s
                configs: [tiny-fa.yaml, tiny-pal.yaml]
                set: {schedule.epochs: %d, run.checkpointEvery: 20}
                seeds: [1, 2]
                slurm: {partition: debug, time: "00:10:00", mem: 1G, cpusPerTask: 1}
                """.formatted(name, epochs));
        return s;
    }

    @Test
    void aJobArrayRunsTheSuiteAndItsResultsAreCollected() throws Exception {
        Path tmp = Files.createTempDirectory(state, "array");
        Path s = suite(tmp, "array", 2);
        Path out = tmp.resolve("sweeps");
        Result r = cortex4j(
                "sweep", s.toString(), "--executor", "slurm", "--throttle", "2", "--out", out.toString(), "--wait");
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("submitted job array"), r.text());
        assertTrue(r.text().contains("4 tasks, at most 2 at once"), r.text());
        Path dir = out.resolve("array");
        for (String run : List.of("tiny-fa-s1", "tiny-fa-s2", "tiny-pal-s1", "tiny-pal-s2")) {
            assertTrue(Files.exists(dir.resolve("runs").resolve(run).resolve("summary.json")), run);
            assertTrue(
                    Files.readString(dir.resolve("logs").resolve(run + ".log")).contains("slurm job "), run);
            assertEquals(
                    "0",
                    Files.readString(dir.resolve("logs").resolve(run + ".exit")).strip());
        }
        String script = Files.readString(dir.resolve("slurm/task.sh"));
        assertTrue(script.contains("--run-dir \"$sweep/runs/$run\""), script);
        assertTrue(Files.readString(dir.resolve("results/results.md")).contains("| tiny-pal | pal |"));

        r = cortex4j("sweep", "status", dir.toString());
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("sweep array: 4 runs, 4 done"), r.text());
        assertTrue(r.text().contains("no accounting on this cluster (sacct: "), r.text());

        // submitting again has nothing to do
        r = cortex4j("sweep", s.toString(), "--executor", "slurm", "--out", out.toString());
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("4 done, 0 queued or running, 0 to submit"), r.text());
    }

    @Test
    void statusFollowsAndCancelStopsAnArray() throws Exception {
        Path tmp = Files.createTempDirectory(state, "cancel");
        Path s = suite(tmp, "cancel", 2000);
        Path out = tmp.resolve("sweeps");
        Result r = cortex4j("sweep", s.toString(), "--executor", "slurm", "--throttle", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.text());
        Path dir = out.resolve("cancel");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        do {
            r = cortex4j("sweep", "status", dir.toString());
            assertEquals(0, r.code(), r.text());
            assertTrue(System.nanoTime() < deadline, "no task started: " + r.text());
        } while (!r.text().contains("running (slurm "));
        assertTrue(r.text().contains("1 running, 3 pending"), r.text());

        r = cortex4j("sweep", "cancel", dir.toString());
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().startsWith("cancelled job "), r.text());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do {
            r = cortex4j("sweep", "status", dir.toString());
            assertTrue(System.nanoTime() < deadline, "still queued after cancel: " + r.text());
        } while (r.text().contains("(slurm "));
        assertFalse(r.text().contains(" done"), "no run finished: " + r.text());
        r = cortex4j("sweep", "cancel", dir.toString());
        assertTrue(r.text().startsWith("nothing to cancel"), r.text());
    }
}
