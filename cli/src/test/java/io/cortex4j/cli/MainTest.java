package io.cortex4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a careless user drives it: every mistake ends with one clear line and exit status 2, and nothing half-written. */
class MainTest {
    static final String CONFIG = """
            name: tiny
            model: {family: microcircuit, layers: [4, 6, 3]}
            rule: {name: pal, etaForward: [5.0, 0.5], etaFeedback: [0.5], etaIP: [0.05], etaPI: [0.02], alpha: [1.0e-06], noise: {sigma: 0.05, tau: 0.1}}
            data: {name: yinyang, trainLimit: 8, evalLimit: 6}
            schedule: {settle: 1.0, presentation: 0.1, epochs: 2, batch: 2}
            run: {seed: 3}
            """;

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    Path config(String text) throws IOException {
        Path p = tmp.resolve("c" + Files.list(tmp).count() + ".yaml");
        Files.writeString(p, text);
        return p;
    }

    static List<Path> runDirs(Path parent) throws IOException {
        if (!Files.exists(parent)) return List.of();
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    static void assertOneLineError(Result r, String contains) {
        assertEquals(2, r.code(), r.err() + r.out());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(contains), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("Exception"), "no exception class names: " + r.err());
    }

    @Test
    void trainEvalResumeAndValidate() throws IOException {
        Path c = config(CONFIG), out = tmp.resolve("runs");
        Result r = cli("train", c.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("done: test accuracy"), r.out());
        Path run = runDirs(out).getFirst();
        r = cli("eval", run.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(
                lines[1].startsWith("validation") && lines[2].startsWith("test      "),
                "validation, then test: " + r.out());
        r = cli("train", "--resume", run.toString(), "--epochs", "3", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size(), "extended to 3 epochs");
        r = cli("validate", c.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("valid (microcircuit, classification, data and shapes checked)"), r.out());
        assertOneLineError(
                cli("validate", c.toString(), "--set", "model.layers=[4, 6, 2]"),
                "'model.layers': the output layer has 2 units");
    }

    @Test
    void resumeRefusesWhatItCannotHonour() throws IOException {
        Path c = config(CONFIG), out = tmp.resolve("runs");
        assertEquals(
                0,
                cli("train", c.toString(), "--out", out.toString(), "--quiet").code());
        Path run = runDirs(out).getFirst();
        for (String[] extra : new String[][] {
            {"--seeds", "1,2"}, {"--out", "x"}, {"--set", "run.seed=2"}, {"--backend", "cpu"}, {c.toString()}
        }) {
            List<String> args = new ArrayList<>(List.of("train", "--resume", run.toString()));
            args.addAll(List.of(extra));
            assertOneLineError(
                    cli(args.toArray(String[]::new)), "--resume continues a run exactly as it was configured");
        }
        Path onlyConfig = tmp.resolve("only-config");
        Files.createDirectories(onlyConfig);
        Files.copy(run.resolve("config.yaml"), onlyConfig.resolve("config.yaml"));
        assertOneLineError(cli("train", "--resume", onlyConfig.toString()), "has no checkpoint to resume from");
        assertOneLineError(cli("eval", onlyConfig.toString()), "has no checkpoint: nothing was trained there yet");
        assertOneLineError(cli("eval", tmp.toString()), "is not a run directory");
    }

    @Test
    void brokenConfigsGiveOneLineNamingFileAndLine() throws IOException {
        Path ctrl = config(CONFIG.replace("seed: 3", "seed: 3\u0001"));
        assertOneLineError(cli("train", ctrl.toString()), ctrl + ":6: not valid YAML: the control character U+0001");
        Path latin = tmp.resolve("latin.yaml");
        Files.write(latin, (CONFIG + "# d\u00e9j\u00e0\n").getBytes(StandardCharsets.ISO_8859_1));
        assertOneLineError(cli("train", latin.toString()), latin + ":7: not UTF-8 text");
        assertOneLineError(
                cli("train", config(CONFIG.replace("etaIP: [0.05]", "etaIP:")).toString()),
                "'rule.etaIP': no value given");
        assertOneLineError(
                cli(
                        "train",
                        config(CONFIG.replace("etaFeedback: [0.5]", "etaFeedback: 0.5"))
                                .toString()),
                "'rule.etaFeedback': must be a list of numbers");
        assertOneLineError(
                cli("train", config(CONFIG + "model.init.weights: -0.1\n").toString()), "unknown key");
        assertOneLineError(
                cli(
                        "train",
                        config(CONFIG.replace("layers: [4, 6, 3]", "layers: [4, 6, 3], init: {weights: -0.1}"))
                                .toString()),
                "'model.init.weights': must be a list of numbers");
        assertOneLineError(cli("train", tmp.resolve("none.yaml").toString()), "config file not found");
        assertOneLineError(cli("train", config(CONFIG).toString(), "--set", "schedule.epochs"), "expected key=value");
    }

    @Test
    void aFailedCheckLeavesNoRunDirectoryAndOddOutFoldersAreNamed() throws IOException {
        Path out = tmp.resolve("runs");
        Result r = cli(
                "train",
                config(CONFIG.replace("layers: [4, 6, 3]", "layers: [5, 6, 3]")).toString(),
                "--out",
                out.toString());
        assertOneLineError(
                r,
                ":2: 'model.layers': the network takes 5 inputs but data 'yinyang/train[:8]' has 4 values per sample");
        assertEquals(List.of(), runDirs(out));
        assertOneLineError(
                cli("train", config(CONFIG).toString(), "--out", "/dev/null"),
                "cannot create run directories under /dev/null");
        assertOneLineError(
                cli("train", config(CONFIG).toString(), "--backend", "tpu"), "'run.backend': unknown backend 'tpu'");
        assertOneLineError(
                cli("train", config(CONFIG).toString(), "--epochs", "0"), "--epochs needs a whole number ≥ 1");
        assertOneLineError(cli("train", config(CONFIG).toString(), "--bogus"), "Unknown option: '--bogus'");
        assertEquals(List.of(), runDirs(out));
    }

    @Test
    void seedsAreAggregatedIntoANewFileWhosePathIsPrinted() throws IOException {
        Path c = config(CONFIG), out = tmp.resolve("runs");
        Result one = cli("train", c.toString(), "--out", out.toString(), "--seeds", "5", "--quiet");
        assertEquals(0, one.code(), one.err());
        assertTrue(
                one.out().contains("test_acc")
                        && one.out().contains("(n=1)")
                        && !one.out().contains("±"),
                one.out());
        Result two = cli("train", c.toString(), "--out", out.toString(), "--seeds", "5,6", "--quiet");
        assertEquals(0, two.code(), two.err());
        assertTrue(two.out().contains("±") && two.out().contains("(n=2)"), two.out());
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("tiny-seeds-"))
                    .sorted()
                    .toList();
        }
        assertEquals(2, files.size(), "the second multi-seed run keeps the first one's file: " + files);
        for (Path f : files)
            assertTrue(one.out().contains(f.toString()) || two.out().contains(f.toString()), "printed: " + f);
    }

    @Test
    void infoAndHelp() {
        Result r = cli("info");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("families burst, dl4j, gle, le, microcircuit"), r.out());
        int folders = r.out().split("/usr/local/cuda/lib64", -1).length - 1;
        assertTrue(folders <= 1, "the CUDA folders are listed once, not " + folders + " times:\n" + r.out());
        for (String cmd : List.of("train", "eval", "validate", "info", "demo", "bench")) {
            Result h = cli(cmd, "--help");
            assertEquals(0, h.code(), cmd);
            assertTrue(h.out().contains("Usage: cortex4j " + cmd), h.out());
        }
        Result none = cli();
        assertEquals(2, none.code());
    }
}
