package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The spine, for every family × task of core: a killed run resumes to the uninterrupted result bit for
 * bit (probes and mid-epoch checkpoints included), {@code eval} reproduces a run's test numbers,
 * {@code model.init.from} sets parameters and state, evaluation does not change what is learned, and
 * a divergence is stopped with the tensor named and nothing non-finite written.
 */
class SpineTest {
    static final List<String> WALL = List.of("wall_s", "samples_per_s", "steps_per_s");

    @TempDir
    Path tmp;

    static Stream<String> runs() {
        return TinyRuns.all().keySet().stream();
    }

    Experiment experiment(String key, String... sets) {
        return Experiment.parse(
                TinyRuns.config(key, TinyRuns.mnist1d(tmp.resolve("data"))), key + ".yaml", List.of(sets));
    }

    static Map<String, Object> run(Experiment e, Path dir) {
        try (Trainer t = Trainer.start(e, dir, Progress.silent())) {
            return t.run();
        }
    }

    /** metrics.csv without the wall-time columns. */
    static List<List<String>> metrics(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(RunDirectory.METRICS));
        List<String> head = List.of(lines.get(0).split(",", -1));
        List<List<String>> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",", -1);
            List<String> row = new ArrayList<>();
            for (int i = 0; i < f.length; i++) if (!WALL.contains(head.get(i))) row.add(f[i]);
            out.add(row);
        }
        return out;
    }

    static void assertSameArrays(Path a, Path b) throws IOException {
        Map<String, NpyArray> x = Npz.read(a), y = Npz.read(b);
        assertEquals(x.keySet(), y.keySet(), a + " vs " + b);
        for (String k : x.keySet()) {
            if (k.equals("trainer/wall")
                    || k.startsWith("metrics/wall_s")
                    || k.startsWith("metrics/samples_per_s")
                    || k.startsWith("metrics/steps_per_s")) continue;
            assertArrayEquals(x.get(k).data(), y.get(k).data(), 0.0, k + " of " + a.getFileName());
        }
    }

    static Map<String, Object> numbers(Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : summary.entrySet()) {
            if (List.of("wall_time_s", "steps_per_s", "provenance", "run_dir").contains(e.getKey())) continue;
            m.put(
                    e.getKey(),
                    e.getValue() instanceof Map<?, ?> x
                            ? numbers(castMap(x))
                            : e.getValue() instanceof double[] d ? Arrays.toString(d) : e.getValue());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aKilledRunResumesToTheUninterruptedResult(String key) throws IOException {
        String[] sets = {"probes={signals: [layer1.rate, layer1.W], every: 7}"};
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed"), killedMid = tmp.resolve("killed-mid");
        Map<String, Object> expected = run(experiment(key, sets), whole);
        for (Object[] v : new Object[][] {{killed, 5, "0"}, {killedMid, 3, "1"}}) {
            Path dir = (Path) v[0];
            Experiment e = experiment(key, sets[0], "run.checkpointEvery=" + v[2]);
            try (Trainer t = Trainer.start(e, dir, Progress.silent())) {
                t.interruptAfterBatches((Integer) v[1]);
                assertThrows(Trainer.Interrupted.class, t::run);
            }
            Map<String, Object> got;
            try (Trainer t = Trainer.resume(dir, Progress.silent(), null)) {
                got = t.run();
            }
            assertEquals(numbers(expected), numbers(got), key + ": summary after resuming " + dir.getFileName());
            assertEquals(metrics(whole), metrics(dir), key + ": metrics after resuming " + dir.getFileName());
            assertSameArrays(whole.resolve(RunDirectory.PARAMETERS), dir.resolve(RunDirectory.PARAMETERS));
            assertSameArrays(whole.resolve(RunDirectory.PROBES), dir.resolve(RunDirectory.PROBES));
            assertSameArrays(whole.resolve(RunDirectory.CHECKPOINT), dir.resolve(RunDirectory.CHECKPOINT));
        }
        Map<String, NpyArray> probes = Npz.read(whole.resolve(RunDirectory.PROBES));
        double[] steps = probes.get("steps").data();
        assertTrue(steps.length > 0);
        for (double s : steps) assertEquals(0, s % 7, "recorded at every 7th step");
        assertEquals(steps.length, probes.get("layer1.W").shape()[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void evalReadsTheLastCheckpointAndRefusesUntrainedRuns(String key) throws IOException {
        Path dir = tmp.resolve("run");
        Map<String, Object> summary = run(experiment(key), dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".png")), "the plotting JVM drew the run's plots");
        }
        try (Trainer t = Trainer.open(dir, null)) {
            Map<String, Map<String, Double>> r = t.evaluateSplits();
            if (t.task().evalColumns().isEmpty()) {
                assertTrue(r.isEmpty());
            } else {
                assertEquals(List.of("validation", "test"), new ArrayList<>(r.keySet()), "fixed order");
                for (Map<String, Double> split : r.values())
                    for (double v : split.values()) assertTrue(Double.isFinite(v), split.toString());
                if (t.isolatedEvaluation() && summary.containsKey("test_acc"))
                    assertEquals(
                            (double) summary.get("test_acc"),
                            r.get("test").get("test_acc"),
                            0.0,
                            "eval reproduces the run's test accuracy");
            }
        }
        Path fresh = tmp.resolve("fresh");
        try (Trainer t = Trainer.start(experiment(key), fresh, Progress.silent())) {
            t.interruptAfterBatches(0);
            assertThrows(Trainer.Interrupted.class, t::run);
        }
        String m = assertThrows(RunDirectoryException.class, () -> Trainer.open(fresh, null))
                .getMessage();
        assertTrue(m.contains("holds no training yet"), m);
        Path configOnly = tmp.resolve("config-only");
        RunDirectory.create(configOnly, experiment(key).toYaml());
        m = assertThrows(RunDirectoryException.class, () -> Trainer.resume(configOnly, Progress.silent(), null))
                .getMessage();
        assertTrue(m.contains("has no checkpoint to resume from"), m);
        assertTrue(assertThrows(RunDirectoryException.class, () -> Trainer.open(configOnly, null))
                .getMessage()
                .contains("has no checkpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void initFromSetsParametersAndState(String key) throws IOException {
        Path a = tmp.resolve("a");
        run(experiment(key, "run.evaluation=isolated"), a); // its checkpoint then holds the training batch's state
        Map<String, NpyArray> params = Npz.read(a.resolve(RunDirectory.PARAMETERS));
        try (Trainer t = Trainer.start(
                experiment(key, "model.init.from=\"" + a.resolve(RunDirectory.PARAMETERS) + "\""),
                tmp.resolve("b"),
                Progress.silent())) {
            for (Map.Entry<String, Tensor> p : t.network().parameters().entrySet())
                assertArrayEquals(params.get(p.getKey()).data(), p.getValue().toHost(), 0.0, p.getKey());
        }
        Map<String, NpyArray> ck = Npz.read(a.resolve(RunDirectory.CHECKPOINT));
        try (Trainer t = Trainer.start(
                experiment(key, "model.init.from=\"" + a.resolve(RunDirectory.CHECKPOINT) + "\""),
                tmp.resolve("c"),
                Progress.silent())) {
            for (Map.Entry<String, Tensor> s : t.network().stateTensors().entrySet())
                assertArrayEquals(
                        ck.get("network/state/" + s.getKey()).data(),
                        s.getValue().toHost(),
                        0.0,
                        "state " + s.getKey());
        }
        // a file that leaves a parameter out is refused unless partial imports are asked for
        Map<String, NpyArray> missing = new LinkedHashMap<>(params);
        String dropped = missing.keySet().iterator().next();
        missing.remove(dropped);
        Path part = tmp.resolve("part.npz");
        Npz.write(part, missing);
        String m = assertThrows(
                        ConfigException.class, () -> Trainer.check(experiment(key, "model.init.from=\"" + part + "\"")))
                .getMessage();
        assertTrue(m.contains("has no array for the parameter " + dropped) && m.contains("model.init.partial"), m);
        Trainer.check(experiment(key, "model.init.from=\"" + part + "\"", "model.init.partial=true"));
        // NaN in an imported array is an error at load
        Map<String, NpyArray> nan = new LinkedHashMap<>(params);
        NpyArray w = nan.get("layer1.W");
        double[] d = w.data().clone();
        d[d.length - 1] = Double.NaN;
        nan.put("layer1.W", new NpyArray(w.dtype(), w.shape(), d));
        Path bad = tmp.resolve("nan.npz");
        Npz.write(bad, nan);
        m = assertThrows(ConfigException.class, () -> Trainer.check(experiment(key, "model.init.from=\"" + bad + "\"")))
                .getMessage();
        assertTrue(
                m.contains("'model.init.from'")
                        && m.contains("array 'layer1.W' holds NaN at flat index " + (d.length - 1)),
                m);
        // an array that names nothing of the network
        Map<String, NpyArray> extra = new LinkedHashMap<>(params);
        extra.put("layer9.Q", NpyArray.ofDoubles(new double[] {1}, 1));
        Path ex = tmp.resolve("extra.npz");
        Npz.write(ex, extra);
        m = assertThrows(ConfigException.class, () -> Trainer.check(experiment(key, "model.init.from=\"" + ex + "\"")))
                .getMessage();
        assertTrue(m.contains("array 'layer9.Q' names no parameter or state tensor"), m);
    }

    /** Files written before the layer-named parameters (W1, B1, ...; GLE's layer0.*) still import, under their current names. */
    @Test
    void olderParameterNamesAreAcceptedOnImport() throws IOException {
        for (String key : List.of("microcircuit-classification", "gle-classification")) {
            Path a = tmp.resolve(key);
            run(experiment(key), a);
            Map<String, NpyArray> now = Npz.read(a.resolve(RunDirectory.PARAMETERS)), old = new LinkedHashMap<>();
            for (Map.Entry<String, NpyArray> e : now.entrySet()) {
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("layer([0-9]+)\\.(.*)").matcher(e.getKey());
                assertTrue(m.matches());
                int l = Integer.parseInt(m.group(1));
                old.put(key.startsWith("gle") ? "layer" + (l - 1) + "." + m.group(2) : m.group(2) + l, e.getValue());
            }
            Path file = tmp.resolve(key + "-old.npz");
            Npz.write(file, old);
            try (Trainer t = Trainer.start(
                    experiment(key, "model.init.from=\"" + file + "\""), tmp.resolve(key + "-b"), Progress.silent())) {
                for (Map.Entry<String, Tensor> p : t.network().parameters().entrySet())
                    assertArrayEquals(now.get(p.getKey()).data(), p.getValue().toHost(), 0.0, key + " " + p.getKey());
            }
        }
    }

    /** What an isolated evaluation sees does not leak into training: the evaluation schedule changes nothing that is learned. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("isolatedRuns")
    void theEvaluationScheduleChangesNothingLearned(String key) throws IOException {
        run(experiment(key, "schedule.evalEvery=1"), tmp.resolve("every"));
        run(experiment(key, "schedule.evalEvery=3"), tmp.resolve("last"));
        assertSameArrays(
                tmp.resolve("every").resolve(RunDirectory.PARAMETERS),
                tmp.resolve("last").resolve(RunDirectory.PARAMETERS));
        List<List<String>> a = metrics(tmp.resolve("every")), b = metrics(tmp.resolve("last"));
        assertEquals(a.get(a.size() - 1), b.get(b.size() - 1), "the last row (evaluated in both)");
        // carried through evaluation, the state does change what is learned: the comparison above can fail
        run(experiment(key, "schedule.evalEvery=1", "run.evaluation=carried"), tmp.resolve("carried"));
        Map<String, NpyArray> x = Npz.read(tmp.resolve("every").resolve(RunDirectory.PARAMETERS)),
                y = Npz.read(tmp.resolve("carried").resolve(RunDirectory.PARAMETERS));
        boolean differ = false;
        for (String k : x.keySet())
            differ |= !Arrays.equals(x.get(k).data(), y.get(k).data());
        assertTrue(differ, "carried evaluation changes the trajectory");
    }

    static Stream<String> isolatedRuns() {
        return Stream.of(
                "microcircuit-classification", "microcircuit-teacher-student", "le-classification", "le-autoencoder");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("divergingRuns")
    void aDivergingRunStopsNamingTheTensorAndWritesNothingNonFinite(String key, String set) throws IOException {
        Path dir = tmp.resolve("div");
        DivergedException e;
        try (Trainer t = Trainer.start(experiment(key, set), dir, Progress.silent())) {
            e = assertThrows(DivergedException.class, t::run);
        }
        assertTrue(
                e.getMessage().startsWith("the run diverged: ")
                        && e.getMessage().contains(" at step "),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        for (Map.Entry<String, NpyArray> a :
                Npz.read(dir.resolve(RunDirectory.CHECKPOINT)).entrySet()) {
            // NaN in metrics means "not measured"; the plateau schedule's best loss starts at +inf
            if (a.getKey().startsWith("metrics/") || a.getKey().startsWith("schedule/")) continue;
            for (double v : a.getValue().data())
                assertTrue(Double.isFinite(v), "the checkpoint holds only finite values: " + a.getKey());
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> divergingRuns() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(
                        "microcircuit-classification", "rule.etaForward=[1.0e+300, 1.0e+300]"),
                org.junit.jupiter.params.provider.Arguments.of("le-classification", "rule.learningRate=1.0e+30"),
                org.junit.jupiter.params.provider.Arguments.of("burst-classification", "rule.learningRate=1.0e+300"),
                org.junit.jupiter.params.provider.Arguments.of("gle-classification", "optimizer.learningRate=1.0e+30"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "gle-teacher-student", "optimizer.learningRate=1.0e+30"));
    }

    @Test
    void nothingIsWrittenWhenACheckFails() throws IOException {
        Path dir = tmp.resolve("never");
        String m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.start(experiment("le-classification", "model.input=5"), dir, Progress.silent()))
                .getMessage();
        assertEquals(
                "--set model.input=5: 'model.input': the network takes 5 inputs but data 'yinyang/train[:16]' has 4 values per sample",
                m);
        Path cfg = tmp.resolve("five.yaml");
        Files.writeString(cfg, TinyRuns.all().get("le-classification").replace("input: 4", "input: 5"));
        m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.start(Experiment.load(cfg, List.of()), dir, Progress.silent()))
                .getMessage();
        assertEquals(
                cfg
                        + ":4: 'model.input': the network takes 5 inputs but data 'yinyang/train[:16]' has 4 values per sample",
                m);
        assertFalse(Files.exists(dir));
        m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.start(
                                experiment("microcircuit-classification", "model.layers=[4, 6, 2]"),
                                dir,
                                Progress.silent()))
                .getMessage();
        assertEquals(
                "--set model.layers=[4, 6, 2]: 'model.layers': the output layer has 2 units but data 'yinyang/train[:8]' has 3 classes",
                m);
        assertFalse(Files.exists(dir));
        m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.start(
                                experiment("le-classification", "probes={signals: [layer7.rate], every: 2}"),
                                dir,
                                Progress.silent()))
                .getMessage();
        assertTrue(m.contains("'probes.signals': the network has no signal or parameter 'layer7.rate'"), m);
        assertFalse(Files.exists(dir));
    }

    @Test
    void damagedCheckpointsAreNamed() throws IOException {
        Path dir = tmp.resolve("run");
        run(experiment("le-classification"), dir);
        Path ck = dir.resolve(RunDirectory.CHECKPOINT);
        byte[] bytes = Files.readAllBytes(ck);
        Files.write(ck, Arrays.copyOf(bytes, bytes.length / 2));
        String m = assertThrows(RunDirectoryException.class, () -> Trainer.resume(dir, Progress.silent(), null))
                .getMessage();
        assertTrue(m.startsWith(ck + ": damaged checkpoint"), m);
        Npz.write(ck, Map.of("__progress", NpyArray.ofDoubles(new double[] {1}, 1)));
        m = assertThrows(RunDirectoryException.class, () -> Trainer.resume(dir, Progress.silent(), null))
                .getMessage();
        assertTrue(m.contains("a checkpoint of an older cortex4j"), m);
        Path other = tmp.resolve("other");
        run(experiment("le-classification", "model.layers[0].units=9"), other);
        Files.copy(other.resolve(RunDirectory.CHECKPOINT), ck, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        m = assertThrows(RunDirectoryException.class, () -> Trainer.resume(dir, Progress.silent(), null))
                .getMessage();
        assertTrue(m.contains("'network/param/layer1.W' has shape [9, 4], the run expects [8, 4]"), m);
    }

    @Test
    void resumingCanExtendTheRunButNotShortenIt() throws IOException {
        Path dir = tmp.resolve("run");
        run(experiment("le-classification"), dir);
        String m = assertThrows(RunDirectoryException.class, () -> Trainer.resume(dir, Progress.silent(), 2))
                .getMessage();
        assertTrue(m.contains("has trained 3 epochs already"), m);
        try (Trainer t = Trainer.resume(dir, Progress.silent(), 4)) {
            t.run();
        }
        assertEquals(5, metrics(dir).size(), "header and four epochs");
        run(experiment("le-classification", "schedule.epochs=4"), tmp.resolve("four"));
        assertSameArrays(tmp.resolve("four").resolve(RunDirectory.PARAMETERS), dir.resolve(RunDirectory.PARAMETERS));
        assertTrue(Files.readString(dir.resolve(RunDirectory.CONFIG)).contains("epochs: 4"));
    }

    @Test
    void theConsoleAndMetricsShowTheSameSimulatedTime() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Path dir = tmp.resolve("run");
        try (Trainer t = Trainer.start(
                experiment("microcircuit-classification"),
                dir,
                new Progress(new java.io.PrintStream(bytes, true), false))) {
            t.run();
        }
        List<List<String>> rows = metrics(dir);
        int time = rows.get(0).indexOf("time");
        String console = bytes.toString();
        for (int i = 1; i < rows.size(); i++) {
            String t = String.format(
                    java.util.Locale.ROOT,
                    "t=%.2f s",
                    Double.parseDouble(rows.get(i).get(time)) / 1000);
            assertTrue(console.contains("epoch " + i + "/3  " + t), console);
        }
        assertNotEquals("", console);
    }
}
