package io.cortex4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.GleExperimentConfig;
import io.cortex4j.datasets.InMemoryData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streamed classification with GLE on a made-up set in the MNIST-1D file format. */
class GleClassificationExperimentTest {
    @TempDir
    Path tmp;

    /**
     * 10 classes of length-40 sequences a·sin(ωt + φ) + noise: two frequencies × five amplitudes, a
     * random phase per sample (the class is in the signal's temporal structure, not in its timing,
     * which a network without resets cannot see).
     */
    static void writeSet(Path dir, String split, int n, long seed) throws Exception {
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

    static String config(Path dataDir, int epochs) {
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
                data: {name: mnist1d, dir: "%s", stepsPerSample: 80}
                optimizer: {name: adam, learningRate: 1e-3, plateau: {factor: 0.5, patience: 2}}
                schedule: {epochs: %d, batch: 20, evalBatch: 50}
                run: {seed: 3}
                """.formatted(dataDir.toString().replace("\\", "\\\\"), epochs);
    }

    @Test
    void learnsTemporalClasses() throws Exception {
        writeSet(tmp, "train", 400, 1);
        writeSet(tmp, "test", 100, 2);
        GleExperimentConfig cfg = GleExperimentConfig.parse(config(tmp, 12), "t.yaml");
        Map<String, Object> s;
        try (GleClassificationExperiment e =
                GleClassificationExperiment.create(cfg, tmp.resolve("run"), Progress.silent())) {
            s = e.run();
            assertEquals(12, e.metrics().rows().size());
        }
        assertTrue((double) s.get("test_acc") > 0.6, "test accuracy " + s.get("test_acc") + " (chance 0.1)");
        for (String f :
                new String[] {"config.yaml", "metrics.csv", "summary.json", "parameters.npz", "accuracy.png", "loss.png"
                }) {
            assertTrue(Files.exists(tmp.resolve("run").resolve(f)), f);
        }
        assertEquals(
                cfg.toYaml(),
                GleExperimentConfig.load(tmp.resolve("run").resolve("config.yaml"))
                        .toYaml(),
                "resolved config round-trips");
    }

    @Test
    void killedAndResumedRunEndsBitIdentical() throws Exception {
        writeSet(tmp, "train", 100, 1);
        writeSet(tmp, "test", 50, 2);
        GleExperimentConfig cfg = GleExperimentConfig.parse(config(tmp, 3), "t.yaml");
        double[] whole, resumed;
        double[] wholeAcc, resumedAcc;
        try (GleClassificationExperiment e =
                GleClassificationExperiment.create(cfg, tmp.resolve("whole"), Progress.silent())) {
            e.run();
            whole = e.network().weights(1).toHost();
            wholeAcc = e.metrics().column("test_loss");
        }
        try (GleClassificationExperiment e =
                GleClassificationExperiment.create(cfg, tmp.resolve("cut"), Progress.silent())) {
            e.interruptAfterEpochs(2);
            assertEquals(null, e.run());
        }
        try (GleClassificationExperiment e =
                GleClassificationExperiment.resume(tmp.resolve("cut"), Progress.silent())) {
            Map<String, Object> s = e.run();
            assertEquals(3, s.get("epochs"));
            resumed = e.network().weights(1).toHost();
            resumedAcc = e.metrics().column("test_loss");
        }
        assertArrayEquals(whole, resumed, 0.0, "weights after 3 epochs");
        assertArrayEquals(wholeAcc, resumedAcc, 0.0, "test loss per epoch");
    }

    @Test
    void interpolationHitsTheSamplesAndLinesBetween() {
        InMemoryData d = new InMemoryData("x", new float[][] {{0f, 2f, 4f}}, new int[] {0}, 1);
        float[][] out = GleClassificationExperiment.interpolate(d, 5, 1.0, 2.0);
        assertArrayEquals(new float[] {-0.5f, 0f, 0.5f, 1f, 1.5f}, out[0], 1e-6f); // (x − 1)/2 at x = 0, 1, 2, 3, 4
    }

    @Test
    void mismatchedOutputLayerAndMissingDataAreClearErrors() throws Exception {
        writeSet(tmp, "train", 40, 1);
        writeSet(tmp, "test", 10, 2);
        String bad = config(tmp, 1).replace("{units: 10, activation: linear", "{units: 7, activation: linear");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> GleClassificationExperiment.create(
                        GleExperimentConfig.parse(bad, "t.yaml"), tmp.resolve("run"), Progress.silent()));
        assertTrue(e.getMessage().contains("7 units") && e.getMessage().contains("10 classes"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("run")), "nothing written");
        RuntimeException missing = assertThrows(
                RuntimeException.class,
                () -> GleClassificationExperiment.create(
                        GleExperimentConfig.parse(config(tmp.resolve("nowhere"), 1), "t.yaml"),
                        tmp.resolve("run2"),
                        Progress.silent()));
        assertTrue(missing.getMessage().contains("mnist1d"), missing.getMessage());
    }
}
