package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.datasets.DataFormatException;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.model.microcircuit.MicrocircuitRule;
import io.cortex4j.model.microcircuit.MicrocircuitSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dendritic microcircuit learns, on small runs of the spine: the four feedback rules from one
 * config word, the alignment smoke test of PAL Fig. 3abc, the apical signal of the self-predicting
 * state, the teacher–student task of Fig. 4ab, and the data errors that name their file.
 */
class MicrocircuitRunsTest {
    @TempDir
    Path tmp;

    /** A Yin-Yang 4-10-3 run of 2 epochs × 12 batches of 4 samples, 20 steps each. */
    static String yinYang(String rule) {
        return """
                name: tiny
                model:
                  family: microcircuit
                  layers: [4, 10, 3]
                  init: {weights: [-0.1, 0.1]}
                rule:
                  name: %s
                  etaForward: [50.0, 0.05]
                  etaFeedback: [0.5]
                  etaIP: [0.05]
                  etaPI: [0.02]
                  alpha: [1e-6]
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
                """.formatted(rule);
    }

    static Experiment parse(String text, String... sets) {
        return Experiment.parse(text, "tiny.yaml", List.of(sets));
    }

    /**
     * Swapping the rule is one word and every rule runs the same pipeline; each does what its word
     * says to the feedback weights B: BP transports Wᵀ, FA and PAL's control keep B fixed, PAL learns it.
     */
    @Test
    void everyRuleRunsTheSamePipelineFromOneWord() throws IOException {
        for (String rule : List.of("bp", "fa", "pal", "control")) {
            Experiment e = parse(yinYang(rule));
            assertEquals(
                    MicrocircuitRule.parse(rule),
                    e.spec(MicrocircuitSpec.class).rule().name());
            Path dir = tmp.resolve(rule);
            try (Trainer t = Trainer.start(e, dir, Progress.silent())) {
                double[] b0 = t.network().parameters().get("layer1.B").toHost();
                Map<String, Object> s = t.run();
                double acc = (Double) s.get("test_acc");
                assertTrue(acc >= 0 && acc <= 1, rule + ": test accuracy " + acc);
                assertEquals(2, t.metrics().rows().size(), rule);
                // the output somata are nudged towards the target while learning: training accuracy says so
                assertTrue(t.metrics().has("train_acc_nudged") && !t.metrics().has("train_acc"), rule);
                double[] b = t.network().parameters().get("layer1.B").toHost();
                double angle = (Double) s.get("angle_B_WT_1");
                switch (rule) {
                    case "bp" -> assertTrue(angle < 1e-3, "BP: B = Wᵀ, angle " + angle);
                    case "fa", "control" -> assertArrayEquals(b0, b, 0.0, rule + " keeps B fixed");
                    default -> assertFalse(Arrays.equals(b0, b), "PAL learns B");
                }
                if (!rule.equals("bp")) assertTrue(angle > 30, rule + ": B is not Wᵀ, angle " + angle);
            }
            assertTrue(Files.readString(dir.resolve(RunDirectory.CONFIG)).contains("name: " + rule));
        }
    }

    /**
     * Smoke version of the Fig. 3abc alignment experiment (12 of its 100 epochs): under PAL every
     * ∠(B, Wᵀ) falls by more than 4°; under FA it does not move.
     */
    @Test
    void alignmentTaskAlignsFeedbackUnderPalOnly() {
        for (String rule : List.of("pal", "fa")) {
            Experiment e = Experiment.load(
                    ExperimentTest.CONFIGS.resolve("alignment-fig3abc.yaml"),
                    List.of("rule.name=" + rule, "schedule.epochs=12", "schedule.evalEvery=1"));
            try (Trainer t = Trainer.start(e, tmp.resolve(rule), Progress.silent())) {
                t.run();
                MetricsTable m = t.metrics();
                for (int l = 1; l <= 3; l++) {
                    double[] a = m.column("angle_B_WT_" + l);
                    assertEquals(12, a.length);
                    if (rule.equals("pal"))
                        assertTrue(a[a.length - 1] < a[0] - 4, "PAL layer " + l + ": " + Arrays.toString(a));
                    else assertEquals(a[0], a[a.length - 1], 1e-9, "FA layer " + l + " must keep B (and W) fixed");
                }
            }
        }
    }

    /**
     * Probes record into probes.npz; in the self-predicting state without a target (settling) the
     * apical potential of the hidden layer reads ~0, and the target's nudge during training moves it.
     */
    @Test
    void apicalSignalReadsZeroInTheSelfPredictingStateWithoutATarget() throws IOException {
        Experiment e =
                parse(yinYang("fa"), "probes={signals: [layer1.apical, layer2.rate], every: 1, summary: maxabs}");
        try (Trainer t = Trainer.start(e, tmp.resolve("p"), Progress.silent())) {
            t.run();
        }
        Map<String, NpyArray> p = Npz.read(tmp.resolve("p").resolve(RunDirectory.PROBES));
        double[] steps = p.get("steps").data(),
                apical = p.get("layer1.apical").data(),
                rate = p.get("layer2.rate").data();
        int settle = 100; // schedule.settle 1 ms of dt 0.01 ms: steps 1..100 settle, no target
        assertEquals(settle + 2 * 12 * 20, steps.length, "one record per training step; evaluation is not recorded");
        assertEquals(settle, steps[settle - 1]);
        double settled = apical[settle - 1], training = 0;
        for (int i = settle; i < apical.length; i++) training = Math.max(training, apical[i]);
        assertTrue(apical[0] > 0.1, "the random initial potentials start it off zero: " + apical[0]);
        assertTrue(settled < 1e-3, "max |apical| at the end of settling: " + settled);
        assertTrue(training > 100 * settled, "the target nudges the apical potential: " + training);
        for (double r : rate) assertTrue(r > 0, "sigmoid rates are positive");
        String bad = assertThrows(
                        ConfigException.class,
                        () -> Trainer.check(parse(yinYang("fa"), "probes={signals: [layer2.apical], every: 10}")))
                .getMessage();
        assertTrue(bad.contains("the network has no signal or parameter 'layer2.apical'"), bad);
    }

    /**
     * fw_bw (Fig. 4ab, shortened to 40 epochs, evaluated every 10): a student that starts with
     * negative weights imitates a teacher with W = 2. With weight transport (BP) the student–teacher
     * error falls; with fixed random feedback of the wrong sign (FA) it does not.
     */
    @Test
    void teacherStudentErrorFallsUnderWeightTransportOnly() {
        double[] change = new double[2];
        int i = 0;
        for (String rule : List.of("bp", "fa")) {
            Experiment e = Experiment.load(
                    ExperimentTest.CONFIGS.resolve("teacher-student-fig4ab.yaml"),
                    List.of("rule.name=" + rule, "schedule.epochs=40", "schedule.evalEvery=10"));
            try (Trainer t = Trainer.start(e, tmp.resolve(rule), Progress.silent())) {
                t.run();
                double[] loss = Arrays.stream(t.metrics().column("val_loss"))
                        .filter(v -> !Double.isNaN(v))
                        .toArray();
                assertEquals(4, loss.length);
                change[i++] = loss[loss.length - 1] / loss[0];
            }
        }
        assertTrue(change[0] < 0.5, "BP: student-teacher MSE ratio last/first = " + change[0]);
        assertTrue(change[1] > 1.0, "FA with wrong-signed feedback: MSE ratio = " + change[1]);
    }

    /** The tiny run on Fashion-MNIST files in {@code dir}, with the given layer sizes. */
    static String idxConfig(Path dir, String layers) {
        return yinYang("fa")
                .replace(
                        "  name: yinyang\n",
                        "  name: fashion-mnist\n  dir: \"" + dir + "\"\n  train: train\n  validation: test\n")
                .replace("[4, 10, 3]", layers);
    }

    @Test
    void aMissingDataFileIsReportedByName() throws IOException {
        Files.createDirectories(tmp.resolve("fashion-mnist"));
        Experiment e = parse(idxConfig(tmp, "[784, 10, 10]"));
        DataFormatException x =
                assertThrows(DataFormatException.class, () -> Trainer.start(e, tmp.resolve("run"), Progress.silent()));
        assertTrue(x.getMessage().contains("train-images-idx3-ubyte"), x.getMessage());
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void aTruncatedIdxFileIsReportedByName() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("fashion-mnist"));
        writeIdx(dir, "train", 10, false);
        writeIdx(dir, "t10k", 10, true); // the header says 10 images, the file holds fewer
        Experiment e = parse(idxConfig(tmp, "[784, 10, 10]"));
        DataFormatException x = assertThrows(DataFormatException.class, () -> Trainer.check(e));
        assertTrue(
                x.getMessage().contains("t10k-images-idx3-ubyte")
                        && x.getMessage().toLowerCase().contains("truncated"),
                x.getMessage());
        // the same files, whole, pass
        writeIdx(dir, "t10k", 10, false);
        Trainer.check(e);
    }

    @Test
    void theNetworkInputSizeMustMatchTheData() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("fashion-mnist"));
        writeIdx(dir, "train", 10, false);
        writeIdx(dir, "t10k", 10, false);
        String text = idxConfig(tmp, "[100, 10, 10]");
        int line = Arrays.asList(text.split("\n")).indexOf("  layers: [100, 10, 10]") + 1;
        assertTrue(line > 0);
        ConfigException x = assertThrows(ConfigException.class, () -> Trainer.check(parse(text)));
        assertEquals(
                "tiny.yaml:" + line
                        + ": 'model.layers': the network takes 100 inputs but data 'fashion-mnist/train' has 784 values per sample",
                x.getMessage());
    }

    /** Config errors of the microcircuit's own keys name file, line and key. */
    @Test
    void badRatesAndTimeConstantsNameTheirLine() {
        String ok = yinYang("pal");
        String m = assertThrows(
                        ConfigException.class,
                        () -> parse(ok.replace("noise: {sigma: 0.01, tau: 0.1}", "noise: {sigma: 0.01, tau: 0.001}")))
                .getMessage();
        assertTrue(m.startsWith("tiny.yaml:13: 'rule.noise.tau'") && m.contains("below dt"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok.replace("etaPI: [0.02]", "etaPI: [-1]")))
                .getMessage();
        assertTrue(m.startsWith("tiny.yaml:11: 'rule.etaPI") && m.contains("≥ 0"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok.replace("etaIP: [0.05]", "etaIP: [fast]")))
                .getMessage();
        assertTrue(m.startsWith("tiny.yaml:10: 'rule.etaIP") && m.contains("must be a number"), m);
        m = assertThrows(ConfigException.class, () -> parse(ok, "model.dt=-0.01"))
                .getMessage();
        assertTrue(m.contains("'model.dt'") && m.contains("must be > 0"), m);
    }

    /** model.init.from names a missing file, and an array of the wrong shape by its name and both shapes. */
    @Test
    void initFromNamesAMissingFileAndAWrongShape() throws IOException {
        Path missing = tmp.resolve("nope.npz");
        String m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.check(parse(yinYang("fa"), "model.init.from=\"" + missing + "\"")))
                .getMessage();
        assertTrue(m.contains("'model.init.from'") && m.contains("nope.npz"), m);
        Path bad = tmp.resolve("bad.npz");
        Npz.write(bad, Map.of("W1", NpyArray.ofDoubles(new double[12], 3, 4)));
        m = assertThrows(
                        ConfigException.class,
                        () -> Trainer.check(
                                parse(yinYang("fa"), "model.init.from=\"" + bad + "\"", "model.init.partial=true")))
                .getMessage();
        assertTrue(m.contains("array 'layer1.W' has shape [3, 4] but the network's is [10, 4]"), m);
    }

    /**
     * The spine's resume test runs in float32 (the default); a float64 run killed mid-epoch resumes
     * from its checkpoint to the uninterrupted run's parameters, state and metrics bit for bit too.
     */
    @Test
    void aFloat64RunResumesBitIdentically() throws IOException {
        Experiment e = parse(yinYang("pal"), "run.precision=float64", "run.checkpointEvery=3");
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        try (Trainer t = Trainer.start(e, whole, Progress.silent())) {
            assertEquals(io.cortex4j.tensor.DType.FLOAT64, t.network().dtype());
            t.run();
        }
        try (Trainer t = Trainer.start(e, killed, Progress.silent())) {
            t.interruptAfterBatches(17); // in epoch 2 after its 5th batch; its last checkpoint after the 3rd
            assertThrows(Trainer.Interrupted.class, t::run);
        }
        assertFalse(Files.exists(killed.resolve(RunDirectory.SUMMARY)), "an interrupted run has no summary");
        try (Trainer t = Trainer.resume(killed, Progress.silent(), null)) {
            t.run();
        }
        SpineTest.assertSameArrays(whole.resolve(RunDirectory.PARAMETERS), killed.resolve(RunDirectory.PARAMETERS));
        SpineTest.assertSameArrays(whole.resolve(RunDirectory.CHECKPOINT), killed.resolve(RunDirectory.CHECKPOINT));
        assertEquals(SpineTest.metrics(whole), SpineTest.metrics(killed));
    }

    /** Writes IDX image and label files of n 28×28 images (the images gzipped), optionally cut short. */
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
        if (truncate) img = Arrays.copyOf(img, img.length - 1000);
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
}
