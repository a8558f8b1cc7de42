package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.datasets.InMemoryData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What GLE networks learn, on runs of the spine: temporal classes streamed one value per step (a
 * made-up set in the MNIST-1D file format), and the shipped teacher–student configs shortened:
 * LagLine (specs/gle.md §6.1) recovers the teacher's w = (1, 2) and τm = (1, 2) with prospective
 * errors and misses them with instantaneous ones (the paper's "bp" comparison); LagNet (§6.2) learns
 * its first layer.
 */
class GleRunsTest {
    @TempDir
    Path tmp;

    /**
     * 10 classes of length-40 sequences a·sin(ωt + φ) + noise: two frequencies × five amplitudes, a
     * random phase per sample (the class is in the signal's temporal structure, not in its timing,
     * which a network without resets cannot see).
     */
    static void writeSet(Path dir, String split, int n, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int label = i % 10;
            sb.append(label);
            double w = label < 5 ? 0.3 : 1.2,
                    a = new double[] {0.2, 0.5, 1.0, 1.8, 3.0}[label % 5],
                    ph = 2 * Math.PI * r.nextDouble();
            for (int t = 0; t < 40; t++) {
                double v = a * Math.sin(w * t + ph) + 0.1 * r.nextGaussian();
                sb.append(',').append(String.format(Locale.ROOT, "%.5f", v));
            }
            sb.append('\n');
        }
        Files.createDirectories(dir.resolve("mnist1d"));
        Files.writeString(dir.resolve("mnist1d").resolve(split + ".csv"), sb.toString());
    }

    static String temporal(Path dataDir, int epochs) {
        return """
                name: gle-temporal
                task: classification
                model:
                  family: gle
                  input: 1
                  dt: 0.2
                  loss: cross-entropy
                  layers:
                    - {units: 24, activation: linear, groups: [{units: 8, tauM: 0.6, tauR: 0.2}, {units: 8, tauM: 1.2, tauR: 0.2}, {units: 8, tauM: 1.2, tauR: 1.2}]}
                    - {units: 24, activation: tanh, groups: [{units: 8, tauM: 0.6, tauR: 0.2}, {units: 8, tauM: 1.2, tauR: 0.2}, {units: 8, tauM: 1.2, tauR: 1.2}]}
                    - {units: 10, activation: linear, tauM: 1.2, tauR: 1.2}
                rule: {name: bp}
                data: {name: mnist1d, dir: "%s", train: train, validation: test, test: test, stepsPerSample: 80}
                optimizer: {name: adam, learningRate: 1e-3, plateau: {factor: 0.5, patience: 2}}
                schedule: {epochs: %d, batch: 20, evalBatch: 50}
                run: {seed: 3}
                """.formatted(dataDir.toString().replace("\\", "\\\\"), epochs);
    }

    static Experiment parse(String text, String... sets) {
        return Experiment.parse(text, "t.yaml", List.of(sets));
    }

    /** 12 epochs on 400 sequences: the test accuracy is clearly above chance (0.1). */
    @Test
    void learnsTemporalClasses() throws IOException {
        writeSet(tmp, "train", 400, 1);
        writeSet(tmp, "test", 100, 2);
        Map<String, Object> s;
        try (Trainer t = Trainer.start(parse(temporal(tmp, 12)), tmp.resolve("run"), Progress.silent())) {
            assertFalse(t.isolatedEvaluation(), "GLE's protocol streams the state through train and test");
            s = t.run();
            assertEquals(12, t.metrics().rows().size());
        }
        assertTrue((double) s.get("test_acc") > 0.6, "test accuracy " + s.get("test_acc") + " (chance 0.1)");
    }

    /** A streamed sample's values, standardised, are interpolated onto the steps: the samples and the lines between. */
    @Test
    void interpolationHitsTheSamplesAndLinesBetween() {
        InMemoryData d = new InMemoryData("x", new float[][] {{0f, 2f, 4f}}, new int[] {0}, 1);
        float[][] out = Classification.interpolate(d, 5, 1.0, 2.0);
        assertArrayEquals(new float[] {-0.5f, 0f, 0.5f, 1f, 1.5f}, out[0], 1e-6f); // (x − 1)/2 at x = 0, 1, 2, 3, 4
        InMemoryData e = new InMemoryData("y", new float[][] {{1f, 3f}, {-2f, 0f}}, new int[] {0, 0}, 1);
        float[][] two = Classification.interpolate(e, 4, 0.0, 1.0);
        assertArrayEquals(new float[] {1f, 5f / 3, 7f / 3, 3f}, two[0], 1e-6f);
        assertArrayEquals(new float[] {-2f, -4f / 3, -2f / 3, 0f}, two[1], 1e-6f);
    }

    @Test
    void aMismatchedOutputLayerAndMissingDataAreClearErrors() throws IOException {
        writeSet(tmp, "train", 40, 1);
        writeSet(tmp, "test", 10, 2);
        String bad = temporal(tmp, 1).replace("{units: 10, activation: linear", "{units: 7, activation: linear");
        String m = assertThrows(
                        ConfigException.class, () -> Trainer.start(parse(bad), tmp.resolve("run"), Progress.silent()))
                .getMessage();
        assertTrue(
                m.startsWith("t.yaml:")
                        && m.contains("'model.layers'")
                        && m.contains("7 units")
                        && m.contains("10 classes"),
                m);
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written");
        RuntimeException missing =
                assertThrows(RuntimeException.class, () -> Trainer.check(parse(temporal(tmp.resolve("nowhere"), 1))));
        assertTrue(
                missing.getMessage().contains("mnist1d") && missing.getMessage().contains("nowhere"),
                missing.getMessage());
        Trainer.check(parse(temporal(tmp, 1)));
    }

    /** A shipped config shortened to {@code duration} time units. */
    static Experiment shipped(String file, String duration, String... sets) {
        List<String> s = new java.util.ArrayList<>(List.of("schedule.duration=" + duration));
        s.addAll(List.of(sets));
        return Experiment.load(ExperimentTest.CONFIGS.resolve(file), s);
    }

    Map<String, Object> run(Experiment e, Path dir) {
        try (Trainer t = Trainer.start(e, dir, Progress.silent())) {
            return t.run();
        }
    }

    /** LagLine, 600 of its 4000 time units: the student recovers w and τm within 1 % for two seeds. */
    @Test
    void lagLineRecoversTheTeacherWithProspectiveErrors() {
        for (long seed : new long[] {1, 2}) {
            Path dir = tmp.resolve("lagline-" + seed);
            Map<String, Object> s = run(shipped("gle-lagline.yaml", "600", "run.seed=" + seed), dir);
            assertTrue((double) s.get("param_rel_error") < 0.01, "seed " + seed + ": " + s.get("param_rel_error"));
            assertTrue(
                    (double) s.get("train_loss_nudged") < 1e-8,
                    "seed " + seed + ": loss " + s.get("train_loss_nudged"));
            assertTrue(Files.exists(dir.resolve("parameters.png")), "the student's parameters beside the teacher's");
        }
    }

    /** The paper's "bp" comparison, instantaneous errors, misses the teacher in the same time. */
    @Test
    void lagLineWithInstantaneousErrorsMissesTheTeacher() {
        Map<String, Object> s = run(shipped("gle-lagline-bp.yaml", "600"), tmp.resolve("bp"));
        assertTrue(
                (double) s.get("param_rel_error") > 0.5,
                "instantaneous errors should miss the teacher: " + s.get("param_rel_error"));
    }

    /**
     * LagNet, its whole 921 time units: only layer 1 learns, and its weights reach the teacher's within
     * 2 % (0.4 % here; 2 % is crossed near t = 700). Logged every 10 time units instead of every one:
     * the same numbers, without a thousand epoch ends (metrics, checkpoint) that cost 6 of the 6.5 s.
     */
    @Test
    void lagNetLearnsItsFirstLayer() {
        Map<String, Object> s = run(shipped("gle-lagnet.yaml", "921", "schedule.logEvery=10"), tmp.resolve("lagnet"));
        assertTrue(
                (double) s.get("param_rel_error") < 0.02,
                "first-layer weights vs teacher: " + s.get("param_rel_error"));
        assertEquals(List.of("layer1.W"), List.copyOf(((Map<?, ?>) s.get("student")).keySet()), "only layer1.W learns");
    }

    @Test
    void badConfigsNameTheKeyAndLine() throws IOException {
        String ok = Files.readString(ExperimentTest.CONFIGS.resolve("gle-lagline.yaml"));
        int line = Arrays.asList(ok.split("\n")).indexOf("  weights: [[1.0], [2.0]]") + 1;
        assertTrue(line > 0);
        String m = assertThrows(
                        ConfigException.class, () -> parse(ok.replace("weights: [[1.0], [2.0]]", "weights: [[1.0]]")))
                .getMessage();
        assertTrue(m.startsWith("t.yaml:" + line + ": 'teacher.weights'"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok.replace("tauR: 0.1, bias", "tauR: 0.001, bias")))
                .getMessage();
        assertTrue(m.contains("'model.layers[0]'") && m.contains("must be ≥ dt"), m);
        String half = ok.replace("halfPeriod: 2.0", "halfPeriod: 2.005");
        m = assertThrows(ConfigException.class, () -> Trainer.check(parse(half)))
                .getMessage();
        int hl = Arrays.asList(half.split("\n")).indexOf("  signal: {type: square, halfPeriod: 2.005, smoothSteps: 5}")
                + 1;
        assertTrue(m.startsWith("t.yaml:" + hl + ": 'data.signal.halfPeriod'"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok.replace("name: adam", "name: rmsprop")))
                .getMessage();
        assertTrue(m.contains("'optimizer.name'") && m.contains("rmsprop"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok, "student.plastic=[3]"))
                .getMessage();
        assertTrue(m.contains("'student.plastic'") && m.contains("layers are 1..2"), m);
    }
}
