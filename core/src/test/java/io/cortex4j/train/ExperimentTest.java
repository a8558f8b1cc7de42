package io.cortex4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.datasets.DataFormatException;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
    static String yinYang(String rule, String extra) {
        return """
                name: tiny
                task: classification
                model:
                  layers: [4, 10, 3]
                  init: {weights: [-0.1, 0.1]}
                rule:
                  name: %s
                  etaForward: [50.0, 0.05]
                  etaFeedback: 0.5
                  etaIP: 0.05
                  etaPI: 0.02
                  alpha: 1e-6
                  noise: {sigma: 0.01, tau: 0.1}
                data:
                  name: yinyang
                  trainLimit: 48
                  evalLimit: 20
                schedule:
                  settle: 1
                  presentation: 0.2
                  epochs: 2
                  batch: 4
                run:
                  seed: 5
                  checkpointEvery: 3
                %s""".formatted(rule, extra);
    }

    /** A run killed mid-epoch and resumed from its checkpoint ends bit-identical to an uninterrupted run. */
    @Test
    void killedAndResumedRunIsBitIdentical(@TempDir Path tmp) throws IOException {
        for (String precision : List.of("float32", "float64")) {
            ExperimentConfig cfg =
                    ExperimentConfig.parse(yinYang("PAL", "  precision: " + precision + "\n"), "tiny.yaml");
            Path a = tmp.resolve(precision + "-a"), b = tmp.resolve(precision + "-b");
            try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, a, Progress.silent())) {
                e.run();
            }
            try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, b, Progress.silent())) {
                e.interruptAfterBatches(
                        17); // epoch 2 has 12 batches: killed after its 5th, last checkpoint after its 3rd
                assertThrows(MicrocircuitExperiment.Interrupted.class, e::run);
            }
            assertTrue(Files.exists(b.resolve(MicrocircuitExperiment.CHECKPOINT)));
            assertTrue(!Files.exists(b.resolve(MicrocircuitExperiment.SUMMARY)), "an interrupted run has no summary");
            try (MicrocircuitExperiment e = MicrocircuitExperiment.resume(b, Progress.silent())) {
                e.run();
            }
            Map<String, NpyArray> pa = Npz.read(a.resolve(MicrocircuitExperiment.PARAMETERS)),
                    pb = Npz.read(b.resolve(MicrocircuitExperiment.PARAMETERS));
            assertEquals(pa.keySet(), pb.keySet());
            for (String k : pa.keySet())
                assertArrayEquals(pa.get(k).data(), pb.get(k).data(), 0.0, precision + " " + k);
            Map<String, NpyArray> ca = Npz.read(a.resolve(MicrocircuitExperiment.CHECKPOINT)),
                    cb = Npz.read(b.resolve(MicrocircuitExperiment.CHECKPOINT));
            for (String k : ca.keySet()) {
                if (!k.startsWith("__"))
                    assertArrayEquals(ca.get(k).data(), cb.get(k).data(), 0.0, precision + " state " + k);
            }
            String ma = Files.readString(a.resolve("metrics.csv")), mb = Files.readString(b.resolve("metrics.csv"));
            assertEquals(stripWall(ma), stripWall(mb), "metrics apart from wall time");
            assertTrue(Files.exists(a.resolve("accuracy.png")) && Files.exists(a.resolve("angles.png")));
        }
    }

    private static String stripWall(String csv) {
        StringBuilder sb = new StringBuilder();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            sb.append(String.join(",", java.util.Arrays.copyOf(f, f.length - 2)))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Swapping the rule is one word; every rule runs the same pipeline. */
    @Test
    void everyRuleRunsTheSamePipeline(@TempDir Path tmp) {
        for (String rule : List.of("BP", "FA", "PAL", "control")) {
            ExperimentConfig cfg = ExperimentConfig.parse(yinYang(rule, ""), "tiny.yaml");
            try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve(rule), Progress.silent())) {
                Map<String, Object> s = e.run();
                assertEquals(rule.toUpperCase(), s.get("rule"));
                double acc = (Double) s.get("test_acc");
                assertTrue(acc >= 0 && acc <= 1);
            }
        }
    }

    @Test
    void unknownConfigKeyIsRejectedWithLine() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ExperimentConfig.parse(yinYang("PAL", "  sede: 3\n"), "my.yaml"));
        assertTrue(e.getMessage().startsWith("my.yaml:26:"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'run.sede'"), e.getMessage());
    }

    @Test
    void timeConstantBelowDtIsRejected() {
        String bad = yinYang("PAL", "").replace("noise: {sigma: 0.01, tau: 0.1}", "noise: {sigma: 0.01, tau: 0.001}");
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(bad, "my.yaml"));
        assertTrue(
                e.getMessage().startsWith("my.yaml:13:")
                        && e.getMessage().contains("rule.noise.tau")
                        && e.getMessage().contains("below dt"),
                e.getMessage());
        String badDt = yinYang("PAL", "").replace("  layers: [4, 10, 3]", "  layers: [4, 10, 3]\n  dt: -0.01");
        ConfigException e2 = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(badDt, "my.yaml"));
        assertTrue(e2.getMessage().contains("model.dt") && e2.getMessage().contains("must be > 0"), e2.getMessage());
        String slowDt = yinYang("FA", "").replace("  layers: [4, 10, 3]", "  layers: [4, 10, 3]\n  dt: 10");
        ConfigException e3 = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(slowDt, "my.yaml"));
        assertTrue(
                e3.getMessage().contains("membrane time constant")
                        && e3.getMessage().contains("below dt"),
                e3.getMessage());
    }

    @Test
    void wrongTypesAndNegativeRatesAreRejected() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ExperimentConfig.parse(yinYang("PAL", "").replace("etaIP: 0.05", "etaIP: fast"), "my.yaml"));
        assertTrue(
                e.getMessage().contains("rule.etaIP") && e.getMessage().contains("must be a number"), e.getMessage());
        ConfigException e2 = assertThrows(
                ConfigException.class,
                () -> ExperimentConfig.parse(yinYang("PAL", "").replace("etaPI: 0.02", "etaPI: -1"), "my.yaml"));
        assertTrue(e2.getMessage().contains("rule.etaPI") && e2.getMessage().contains("≥ 0"), e2.getMessage());
    }

    private static String idxConfig(Path dir, String layers) {
        return yinYang("FA", "")
                .replace(
                        "  name: yinyang\n",
                        "  name: fashion-mnist\n  dir: \"" + dir + "\"\n  train: train\n  validation: test\n")
                .replace("[4, 10, 3]", layers);
    }

    @Test
    void missingDataFileIsReportedByName(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("fashion-mnist"));
        ExperimentConfig cfg = ExperimentConfig.parse(idxConfig(tmp, "[784, 10, 10]"), "my.yaml");
        DataFormatException e = assertThrows(
                DataFormatException.class,
                () -> MicrocircuitExperiment.create(cfg, tmp.resolve("run"), Progress.silent()));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void truncatedIdxFileIsReported(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("fashion-mnist");
        Files.createDirectories(dir);
        writeIdx(dir, "train", 10, false);
        writeIdx(dir, "t10k", 10, true); // header says 10 images, the file holds fewer
        ExperimentConfig cfg = ExperimentConfig.parse(idxConfig(tmp, "[784, 10, 10]"), "my.yaml");
        DataFormatException e = assertThrows(
                DataFormatException.class,
                () -> MicrocircuitExperiment.create(cfg, tmp.resolve("run"), Progress.silent()));
        assertTrue(
                e.getMessage().contains("t10k-images-idx3-ubyte")
                        && e.getMessage().toLowerCase().contains("truncated"),
                e.getMessage());
    }

    @Test
    void networkInputSizeMustMatchData(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("fashion-mnist");
        Files.createDirectories(dir);
        writeIdx(dir, "train", 10, false);
        writeIdx(dir, "t10k", 10, false);
        ExperimentConfig cfg = ExperimentConfig.parse(idxConfig(tmp, "[100, 10, 10]"), "my.yaml");
        ConfigException e = assertThrows(
                ConfigException.class, () -> MicrocircuitExperiment.create(cfg, tmp.resolve("run"), Progress.silent()));
        assertTrue(
                e.getMessage().contains("input layer has 100 units")
                        && e.getMessage().contains("784 inputs"),
                e.getMessage());
    }

    static void writeIdx(Path dir, String prefix, int n, boolean truncate) throws IOException {
        byte[] img = new byte[16 + n * 784];
        putInt(img, 0, 0x803);
        putInt(img, 4, n);
        putInt(img, 8, 28);
        putInt(img, 12, 28);
        for (int i = 16; i < img.length; i++) img[i] = (byte) (i * 31);
        byte[] lab = new byte[8 + n];
        putInt(lab, 0, 0x801);
        putInt(lab, 4, n);
        for (int i = 0; i < n; i++) lab[8 + i] = (byte) (i % 10);
        if (truncate) img = java.util.Arrays.copyOf(img, img.length - 1000);
        try (OutputStream o =
                new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz")))) {
            o.write(img);
        }
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** The resolved config written into a run directory parses back to the same experiment. */
    @Test
    void resolvedConfigRoundTrips() {
        ExperimentConfig a = ExperimentConfig.parse(yinYang("PAL", ""), "x.yaml")
                .withSeed(99)
                .withSchedule(7, 2);
        ExperimentConfig b = ExperimentConfig.parse(a.toYaml(), "config.yaml");
        assertEquals(a.toYaml(), b.toYaml());
        assertEquals(99, b.run().seed());
        assertEquals(7, b.schedule().epochs());
    }

    /** Parameters go out to NumPy .npz and come back by projection name; a wrong shape is an error naming the array. */
    @Test
    void parametersExportAndImportByName(@TempDir Path tmp) throws IOException {
        ExperimentConfig cfg = ExperimentConfig.parse(yinYang("PAL", ""), "tiny.yaml");
        try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve("r"), Progress.silent());
                MicrocircuitExperiment f =
                        MicrocircuitExperiment.create(cfg.withSeed(6), tmp.resolve("s"), Progress.silent())) {
            Path npz = tmp.resolve("p.npz");
            e.exportParameters(npz);
            f.importParameters(npz);
            assertArrayEquals(
                    e.network().forwardWeights(1).toHost(),
                    f.network().forwardWeights(1).toHost(),
                    0.0);
            assertArrayEquals(
                    e.network().feedbackWeights(1).toHost(),
                    f.network().feedbackWeights(1).toHost(),
                    0.0);
            Npz.write(tmp.resolve("bad.npz"), Map.of("W1", NpyArray.ofDoubles(new double[12], 3, 4)));
            IllegalArgumentException x =
                    assertThrows(IllegalArgumentException.class, () -> f.importParameters(tmp.resolve("bad.npz")));
            assertTrue(x.getMessage().contains("'W1'") && x.getMessage().contains("[10, 4]"), x.getMessage());
        }
    }

    /** Smoke version of the Fig. 3abc alignment experiment: under PAL every ∠(B, Wᵀ) falls; under FA it does not move. */
    @Test
    void alignmentTaskAlignsFeedbackUnderPalOnly(@TempDir Path tmp) throws IOException {
        String text = Files.readString(Path.of("../configs/alignment-fig3abc.yaml"));
        for (String rule : List.of("PAL", "FA")) {
            ExperimentConfig cfg = ExperimentConfig.parse(
                            text.replace("  name: PAL", "  name: " + rule), "alignment-fig3abc.yaml")
                    .withSchedule(12, 1);
            try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve(rule), Progress.silent())) {
                e.run();
                MetricsTable m = e.metrics();
                for (int l = 1; l <= 3; l++) {
                    double[] a = m.column("angle_B_WT_" + l);
                    if (rule.equals("PAL"))
                        assertTrue(a[a.length - 1] < a[0] - 4, "PAL layer " + l + ": " + java.util.Arrays.toString(a));
                    else assertEquals(a[0], a[a.length - 1], 1e-9, "FA layer " + l + " must keep B (and W) fixed");
                }
            }
        }
    }

    /** Probes named in the config record their signals to probes.csv; in the SPS without a target the apical probe reads ~0. */
    @Test
    void probesRecordRequestedSignals(@TempDir Path tmp) throws IOException {
        String text = yinYang("FA", "probes: {signals: \"apical1, rate2\", summary: maxabs, every: 10}\n");
        ExperimentConfig cfg = ExperimentConfig.parse(text, "tiny.yaml");
        try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve("p"), Progress.silent())) {
            e.run();
        }
        List<String> lines = Files.readAllLines(tmp.resolve("p/probes.csv"));
        assertEquals("step,signal,value", lines.get(0));
        long apical = lines.stream().filter(l -> l.contains(",apical1,")).count();
        long steps = 100
                + 2 * 12 * 20
                + 2 * 5 * 20; // settle 1 ms, 2 epochs x 12 training batches, 2 validations of 5 batches, 20 steps each
        assertEquals(steps / 10, apical, "one apical sample every 10 steps");
        assertTrue(lines.stream()
                .filter(l -> l.contains(",rate2,"))
                .allMatch(l -> Double.parseDouble(l.split(",")[2]) > 0));
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> ExperimentConfig.parse(yinYang("FA", "probes: {signals: apical2}\n"), "tiny.yaml"));
        assertTrue(bad.getMessage().contains("'apical2': no such layer"), bad.getMessage());
    }

    /** model.init.from seeds a run from a NumPy .npz of weights (e.g. exported from a reference codebase). */
    @Test
    void initFromNpzSeedsTheWeights(@TempDir Path tmp) throws IOException {
        double[] w1 = new double[40];
        for (int i = 0; i < w1.length; i++) w1[i] = 0.01 * i;
        Npz.write(tmp.resolve("w.npz"), Map.of("W1", NpyArray.ofDoubles(w1, 10, 4)));
        String text = yinYang("FA", "")
                .replace(
                        "  init: {weights: [-0.1, 0.1]}",
                        "  init: {weights: [-0.1, 0.1], from: \"" + tmp.resolve("w.npz") + "\"}");
        ExperimentConfig cfg = ExperimentConfig.parse(text, "tiny.yaml");
        try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve("i"), Progress.silent())) {
            assertArrayEquals(w1, e.network().forwardWeights(1).toHost(), 1e-7);
        }
        String missing = text.replace(
                tmp.resolve("w.npz").toString(), tmp.resolve("nope.npz").toString());
        ConfigException x = assertThrows(
                ConfigException.class,
                () -> MicrocircuitExperiment.create(
                        ExperimentConfig.parse(missing, "tiny.yaml"), tmp.resolve("j"), Progress.silent()));
        assertTrue(x.getMessage().contains("model.init.from") && x.getMessage().contains("nope.npz"), x.getMessage());
    }

    /**
     * fw_bw (Fig. 4ab setting): a student that starts with negative weights and imitates a teacher
     * with W = 2. With weight transport (BP) the student–teacher error falls; with fixed random
     * feedback of the wrong sign (FA) it does not.
     */
    @Test
    void teacherStudentErrorFallsUnderWeightTransportOnly(@TempDir Path tmp) throws IOException {
        String text = Files.readString(Path.of("../configs/teacher-student-fig4ab.yaml"));
        double[] change = new double[2];
        int i = 0;
        for (String rule : List.of("BP", "FA")) {
            ExperimentConfig cfg = ExperimentConfig.parse(text.replace("  name: PAL", "  name: " + rule), "ts.yaml")
                    .withSchedule(40, 10);
            try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, tmp.resolve(rule), Progress.silent())) {
                e.run();
                double[] loss = java.util.Arrays.stream(e.metrics().column("val_loss"))
                        .filter(v -> !Double.isNaN(v))
                        .toArray();
                change[i++] = loss[loss.length - 1] / loss[0];
            }
        }
        assertTrue(change[0] < 0.5, "BP: student-teacher MSE ratio last/first = " + change[0]);
        assertTrue(change[1] > 1.0, "FA with wrong-signed feedback: MSE ratio = " + change[1]);
    }

    /** Every shipped config parses and validates (a broken published config must fail CI). */
    @Test
    void everyShippedConfigIsValid() throws IOException {
        List<Path> configs;
        try (var s = Files.list(Path.of("../configs"))) {
            configs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(configs.size() >= 34, "configs: " + configs);
        for (Path c : configs) {
            String family = io.cortex4j.config.LeExperimentConfig.familyOf(io.cortex4j.config.OldConfigNode.load(c));
            if (family.equals("le") || family.equals("dl4j")) {
                var cfg = io.cortex4j.config.LeExperimentConfig.load(c);
                assertEquals(
                        cfg.toYaml(),
                        io.cortex4j.config.LeExperimentConfig.parse(cfg.toYaml(), c.toString())
                                .toYaml(),
                        c.toString());
                continue;
            }
            if (family.equals("gle")) {
                var cfg = io.cortex4j.config.GleExperimentConfig.load(c);
                assertEquals(
                        cfg.toYaml(),
                        io.cortex4j.config.GleExperimentConfig.parse(cfg.toYaml(), c.toString())
                                .toYaml(),
                        c.toString());
                continue;
            }
            ExperimentConfig cfg = ExperimentConfig.load(c);
            assertEquals(
                    cfg.toYaml(),
                    ExperimentConfig.parse(cfg.toYaml(), c.toString()).toYaml(),
                    c.toString());
        }
    }
}
