package io.cortex4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static final String TINY = """
            name: cli-tiny
            task: classification
            model:
              layers: [4, 8, 3]
              init: {weights: [-0.1, 0.1]}
            rule:
              name: PAL
              etaForward: [50.0, 0.05]
              etaFeedback: 0.5
              etaIP: 0.05
              etaPI: 0.02
              alpha: 1e-6
              noise: {sigma: 0.01}
            data: {name: yinyang, trainLimit: 30, evalLimit: 12}
            schedule: {settle: 1, presentation: 0.2, epochs: 2, batch: 3}
            """;

    @Test
    void trainEvalAndResumeThroughTheCommand(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("tiny.yaml");
        Files.writeString(cfg, TINY);
        Result r = run("train", cfg.toString(), "--out", tmp.resolve("runs").toString(), "--quiet", "--seeds", "1,2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test_acc"), r.out());
        Path runDir;
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            runDir = s.filter(Files::isDirectory).sorted().findFirst().orElseThrow();
        }
        for (String f : new String[] {
            "config.yaml",
            "metrics.csv",
            "summary.json",
            "checkpoint.npz",
            "parameters.npz",
            "accuracy.png",
            "angles.png"
        }) {
            assertTrue(Files.exists(runDir.resolve(f)), "missing " + f);
        }
        assertTrue(Files.exists(tmp.resolve("runs/cli-tiny-seeds.json")));
        Result e = run("eval", runDir.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("test") && e.out().contains("accuracy"), e.out());
        Result again = run("train", "--resume", runDir.toString(), "--quiet");
        assertEquals(0, again.code(), again.err());
    }

    @Test
    void badInputEndsWithOneClearMessageAndExitCode2(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, TINY.replace("  etaIP: 0.05", "  etaIP: 0.05\n  etaIp: 0.05"));
        Result r = run("train", cfg.toString(), "--out", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: " + cfg + ":11: unknown key 'rule.etaIp'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        Result missing = run("train", tmp.resolve("nope.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("config file not found"), missing.err());
        assertEquals(2, run("frobnicate").code());
    }

    @Test
    void infoListsBackends() {
        Result r = run("info");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("backend  cpu: available"), r.out());
    }

    @Test
    void backendOptionIsCheckedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("tiny.yaml");
        Files.writeString(cfg, TINY);
        Path runs = tmp.resolve("runs");
        Result unknown = run("train", cfg.toString(), "--out", runs.toString(), "--backend", "tpu");
        assertEquals(2, unknown.code());
        assertTrue(
                unknown.err().startsWith("error: unknown backend 'tpu'; on the class path: ")
                        && unknown.err().contains("cpu")
                        && unknown.err().contains("cuda"),
                unknown.err());
        io.cortex4j.tensor.BackendProvider cuda = io.cortex4j.tensor.Backends.providers().stream()
                .filter(p -> p.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        if (!cuda.isAvailable()) {
            Result r = run("train", cfg.toString(), "--out", runs.toString(), "--backend", "cuda");
            assertEquals(2, r.code());
            assertTrue(
                    r.err().startsWith("error: backend 'cuda' is not available here: " + cuda.unavailableReason()),
                    r.err());
            Result d = run("demo", "--backend", "cuda", "--quiet");
            assertEquals(2, d.code());
            assertTrue(d.err().startsWith("error: backend 'cuda' is not available here"), d.err());
        }
        assertTrue(!Files.exists(runs), "no run directory for a rejected backend");
        Result resume = run("train", "--resume", tmp.toString(), "--backend", "cpu");
        assertEquals(2, resume.code());
        assertTrue(resume.err().startsWith("error: --backend does not apply to --resume"), resume.err());
        Result ok = run("train", cfg.toString(), "--out", runs.toString(), "--backend", "cpu", "--quiet");
        assertEquals(0, ok.code(), ok.err());
        Path runDir;
        try (Stream<Path> st = Files.list(runs)) {
            runDir = st.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(Files.readString(runDir.resolve("config.yaml")).contains("backend: cpu"));
    }

    static final String TINY_LE = """
            name: cli-tiny-le
            model:
              family: le
              input: 4
              layers:
                - {type: dense, units: 12, activation: sigmoid}
                - {type: dense, units: 3, activation: linear}
            rule:
              name: bp
            data: {name: yinyang, trainLimit: 64, evalLimit: 24}
            schedule: {presentation: 1.0, epochs: 1, batch: 16}
            """;

    /** Every file under {@code dir} with its size, modification time and content hash. */
    static Map<String, String> files(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                m.put(
                        dir.relativize(f).toString(),
                        Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis() + " "
                                + java.util.Arrays.hashCode(Files.readAllBytes(f)));
            }
        }
        return m;
    }

    static Path onlyRun(Path runs) throws Exception {
        try (Stream<Path> st = Files.list(runs)) {
            var dirs = st.filter(Files::isDirectory).toList();
            assertEquals(1, dirs.size(), dirs.toString());
            return dirs.get(0);
        }
    }

    @Test
    void evalTakesABackendCheckedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        io.cortex4j.tensor.BackendProvider cuda = io.cortex4j.tensor.Backends.providers().stream()
                .filter(p -> p.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        for (String family : new String[] {"microcircuit", "le"}) {
            Path cfg = tmp.resolve(family + ".yaml");
            Files.writeString(cfg, family.equals("le") ? TINY_LE : TINY);
            Path runs = tmp.resolve("runs-" + family);
            Result t = run("train", cfg.toString(), "--out", runs.toString(), "--quiet");
            assertEquals(0, t.code(), t.err());
            Path runDir = onlyRun(runs);
            Map<String, String> before = files(runDir);

            Result plain = run("eval", runDir.toString());
            assertEquals(0, plain.code(), plain.err());
            assertTrue(
                    plain.out().contains("validation ")
                            && plain.out().contains("test ")
                            && plain.out().contains("accuracy"),
                    plain.out());
            Result cpu = run("eval", runDir.toString(), "--backend", "cpu");
            assertEquals(0, cpu.code(), cpu.err());
            assertEquals(plain.out(), cpu.out(), "the same numbers on the backend the run recorded");
            Result first = run("eval", "--backend", "CPU", runDir.toString());
            assertEquals(0, first.code(), first.err());
            assertEquals(plain.out(), first.out());

            Result unknown = run("eval", runDir.toString(), "--backend", "nosuch");
            assertEquals(2, unknown.code());
            assertTrue(
                    unknown.err().startsWith("error: unknown backend 'nosuch'; on the class path: ")
                            && unknown.err().contains("cpu")
                            && unknown.err().contains("cuda"),
                    unknown.err());
            assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
            assertEquals("", unknown.out());
            Result noValue = run("eval", runDir.toString(), "--backend");
            assertEquals(2, noValue.code());
            assertTrue(noValue.err().startsWith("error: --backend needs a value"), noValue.err());
            Result other = run("eval", runDir.toString(), "--epochs", "3");
            assertEquals(2, other.code());
            assertTrue(other.err().startsWith("error: unknown option --epochs for eval"), other.err());
            if (!cuda.isAvailable()) {
                Result r = run("eval", runDir.toString(), "--backend", "cuda");
                assertEquals(2, r.code());
                assertEquals(
                        "error: backend 'cuda' is not available here: " + cuda.unavailableReason(),
                        r.err().strip());
                assertEquals("", r.out());
            }
            assertEquals(before, files(runDir), "eval writes nothing into the run directory");

            // without --backend the run's own run.backend is used; --backend replaces it
            Path config = runDir.resolve("config.yaml");
            String saved = Files.readString(config);
            assertTrue(saved.contains("\n  backend: cpu\n"), saved);
            Files.writeString(config, saved.replace("\n  backend: cpu\n", "\n  backend: elsewhere\n"));
            Result recorded = run("eval", runDir.toString());
            assertEquals(2, recorded.code());
            assertTrue(recorded.err().startsWith("error: unknown backend 'elsewhere'"), recorded.err());
            Result overridden = run("eval", runDir.toString(), "--backend", "cpu");
            assertEquals(0, overridden.code(), overridden.err());
            assertEquals(plain.out(), overridden.out());
            assertTrue(Files.readString(config).contains("backend: elsewhere"), "the saved config is not rewritten");
        }
    }

    @Test
    void evalBackendOptionOnRunsWithoutANetwork(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.yaml"), "name: b\nmodel:\n  family: dl4j\n");
        Result dl4j = run("eval", tmp.toString(), "--backend", "cpu");
        assertEquals(2, dl4j.code());
        assertTrue(dl4j.err().startsWith("error: --backend does not apply to DL4J baseline runs"), dl4j.err());
        Result unknown = run("eval", tmp.toString(), "--backend", "nosuch");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("error: unknown backend 'nosuch'"), unknown.err());
        Files.writeString(tmp.resolve("config.yaml"), "name: g\nmodel:\n  family: gle\n");
        Result gle = run("eval", tmp.toString(), "--backend", "cpu");
        assertEquals(2, gle.code());
        assertTrue(gle.err().startsWith("error: GLE runs keep no checkpoint to evaluate"), gle.err());
        assertEquals(1, files(tmp).size(), "nothing written");
    }

    @Test
    void usageMentionsTheBackendOfEvalAndBench() {
        Result r = run("--help");
        assertEquals(0, r.code());
        String[] lines = r.out().split("\n");
        for (String cmd : new String[] {"eval <run-dir>", "bench"}) {
            int i = 0;
            while (i < lines.length && !lines[i].strip().startsWith(cmd)) i++;
            assertTrue(i + 1 < lines.length, cmd + " in " + r.out());
            assertTrue(lines[i + 1].strip().startsWith("--backend cpu|cuda"), cmd + ": " + lines[i + 1]);
        }
    }
}
