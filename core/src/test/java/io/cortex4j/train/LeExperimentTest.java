package io.cortex4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.LeExperimentConfig;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeExperimentTest {
    static String yinYangMlp(String rule, String extraRule, String runExtra) {
        return """
                name: tiny-le
                model:
                  family: le
                  input: 4
                  layers:
                    - {type: dense, units: 12, activation: sigmoid}
                    - {type: dense, units: 3, activation: linear}
                rule:
                  name: %s
                  lrFactors: [20, 1]
                %sdata:
                  name: yinyang
                  trainLimit: 320
                  evalLimit: 96
                schedule:
                  presentation: 1.0
                  epochs: 3
                  batch: 16
                run:
                  seed: 3
                %s""".formatted(rule, extraRule, runExtra);
    }

    static final String PAL = "  feedbackLrFactors: [0, 10]\n  sigma: [0.05, 0]\n";

    /** A run killed mid-epoch and resumed from its checkpoint ends bit-identical to an uninterrupted one. */
    @Test
    void killedAndResumedRunIsBitIdentical(@TempDir Path tmp) throws IOException {
        for (String precision : List.of("float32", "float64")) {
            LeExperimentConfig cfg = LeExperimentConfig.parse(
                    yinYangMlp("pal", PAL, "  checkpointEvery: 4\n  precision: " + precision + "\n"), "tiny.yaml");
            Path a = tmp.resolve(precision + "-a"), b = tmp.resolve(precision + "-b");
            try (LeExperiment e = LeExperiment.create(cfg, a, Progress.silent())) {
                e.run();
            }
            try (LeExperiment e = LeExperiment.create(cfg, b, Progress.silent())) {
                e.interruptAfterBatches(
                        27); // 20 batches per epoch: killed in epoch 2 after its 7th, last checkpoint after its 4th
                assertThrows(MicrocircuitExperiment.Interrupted.class, e::run);
            }
            assertTrue(!Files.exists(b.resolve(MicrocircuitExperiment.SUMMARY)), "an interrupted run has no summary");
            try (LeExperiment e = LeExperiment.resume(b, Progress.silent())) {
                e.run();
            }
            Map<String, NpyArray> ca = Npz.read(a.resolve(MicrocircuitExperiment.CHECKPOINT)),
                    cb = Npz.read(b.resolve(MicrocircuitExperiment.CHECKPOINT));
            assertEquals(ca.keySet(), cb.keySet());
            for (String k : ca.keySet()) {
                if (!k.equals("__progress"))
                    assertArrayEquals(
                            ca.get(k).data(),
                            cb.get(k).data(),
                            k.equals("__metrics") ? 1e300 : 0.0,
                            precision + " " + k);
            }
            List<String> ma = Files.readAllLines(a.resolve("metrics.csv")),
                    mb = Files.readAllLines(b.resolve("metrics.csv"));
            for (int i = 0; i < ma.size(); i++) {
                String[] fa = ma.get(i).split(","), fb = mb.get(i).split(",");
                assertEquals(
                        List.of(fa).subList(0, fa.length - 2),
                        List.of(fb).subList(0, fb.length - 2),
                        "metrics apart from wall time");
            }
            assertTrue(Files.exists(a.resolve("accuracy.png"))
                    && Files.exists(a.resolve(MicrocircuitExperiment.PARAMETERS)));
        }
    }

    /** Every rule runs the same pipeline from one config word, and learns Yin-Yang above chance. */
    @Test
    void everyRuleIsOneWordAndLearns(@TempDir Path tmp) {
        for (String rule : List.of("bp", "fa", "dfa", "usf", "brsf", "frsf", "pal")) {
            LeExperimentConfig cfg = LeExperimentConfig.parse(
                            yinYangMlp(rule, rule.equals("pal") ? PAL : "", ""), "tiny.yaml")
                    .withSchedule(6, 6);
            try (LeExperiment e = LeExperiment.create(cfg, tmp.resolve(rule), Progress.silent())) {
                Map<String, Object> s = e.run();
                assertTrue((double) s.get("test_acc") > 0.5, rule + ": test accuracy " + s.get("test_acc"));
            }
        }
    }

    /** A LeNet5 network runs end to end on files in the official CIFAR-10 binary format, from one data.dir line. */
    @Test
    void lenet5RunsOnCifarFormatFiles(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("data/cifar-10-batches-bin");
        Files.createDirectories(dir);
        java.util.Random r = new java.util.Random(1);
        for (String f : List.of(
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
                "test_batch.bin")) {
            byte[] b = new byte[8 * 3073];
            r.nextBytes(b);
            for (int i = 0; i < 8; i++) b[i * 3073] = (byte) (i % 10);
            Files.write(dir.resolve(f), b);
        }
        String text = Files.readString(Path.of("../configs/cifar10-lenet5-pal.yaml"))
                .replace("dir: ../shared/datasets", "dir: \"" + tmp.resolve("data") + "\"")
                .replace("epochs: 50", "epochs: 1")
                .replace("batch: 128", "batch: 8")
                .replace("presentation: 10.0", "presentation: 0.8");
        LeExperimentConfig cfg = LeExperimentConfig.parse(text, "cifar10-lenet5-pal.yaml");
        try (LeExperiment e = LeExperiment.create(cfg, tmp.resolve("run"), Progress.silent())) {
            Map<String, Object> s = e.run();
            assertEquals(40, ((Number) s.get("train_size")).intValue());
            double acc = (double) s.get("test_acc");
            assertTrue(acc >= 0 && acc <= 1);
        }
        Map<String, NpyArray> p = Npz.read(tmp.resolve("run").resolve(MicrocircuitExperiment.PARAMETERS));
        assertArrayEquals(new long[] {20, 75}, p.get("layer1.W").shape());
        assertArrayEquals(new long[] {10, 500}, p.get("layer6.B").shape());
    }

    /** The autoencoder task trains x → x and scores a linear probe on the latent layer. */
    @Test
    void autoencoderReportsReconstructionAndProbe(@TempDir Path tmp) {
        String text = """
                name: tiny-ae
                task: autoencoder
                model:
                  family: le
                  input: 4
                  layers:
                    - {type: dense, units: 16, activation: tanh}
                    - {type: dense, units: 2, activation: linear}
                    - {type: dense, units: 16, activation: tanh}
                    - {type: dense, units: 4, activation: linear}
                  output: rate
                  init: {std: 0.5}
                  latent: 2
                rule: {name: bp, lrFactors: [2, 2, 2, 2]}
                data: {name: yinyang, trainLimit: 480, evalLimit: 160}
                schedule: {presentation: 2.0, epochs: 8, batch: 16, evalEvery: 8}
                """;
        try (LeExperiment e =
                LeExperiment.create(LeExperimentConfig.parse(text, "ae.yaml"), tmp.resolve("ae"), Progress.silent())) {
            Map<String, Object> s = e.run();
            double[] train = e.metrics().column("train_loss");
            assertTrue(
                    train[train.length - 1] < 0.5 * train[0],
                    "reconstruction error falls: " + java.util.Arrays.toString(train));
            assertTrue(
                    (double) s.get("test_probe_acc") > 0.45,
                    "probe on the 2-D latent beats chance (1/3): " + s.get("test_probe_acc"));
        }
    }

    @Test
    void badLayeredConfigsAreRejectedWithTheirLine() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> LeExperimentConfig.parse(
                        yinYangMlp("bp", "", "").replace("{type: dense, units: 12", "{type: dens, units: 12"),
                        "x.yaml"));
        assertTrue(
                e.getMessage().startsWith("x.yaml:6:") && e.getMessage().contains("unknown layer type 'dens'"),
                e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> LeExperimentConfig.parse(yinYangMlp("fa", "  sigma: [0.1, 0]\n", ""), "x.yaml"));
        assertTrue(e.getMessage().contains("only the pal rule uses sigma"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> LeExperimentConfig.parse(
                        yinYangMlp("bp", "", "")
                                .replace("input: 4", "input: [1, 2, 2]")
                                .replace(
                                        "{type: dense, units: 12, activation: sigmoid}",
                                        "{type: conv, filters: 2, kernel: 3}"),
                        "x.yaml"));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("does not fit"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> LeExperimentConfig.parse(yinYangMlp("bp", "  lrFactors2: 1\n", ""), "x.yaml"));
        assertTrue(e.getMessage().contains("unknown key 'rule.lrFactors2'"), e.getMessage());
        assertThrows(ConfigException.class, () -> new LeExperimentConfigProbe().inputMismatch());
    }

    /** Data whose sample size differs from the network input is one clear error. */
    static final class LeExperimentConfigProbe {
        void inputMismatch() {
            LeExperimentConfig cfg =
                    LeExperimentConfig.parse(yinYangMlp("bp", "", "").replace("input: 4", "input: 5"), "x.yaml");
            try (LeExperiment e = LeExperiment.create(
                    cfg,
                    Path.of(System.getProperty("java.io.tmpdir"), "cortex4j-never-" + System.nanoTime()),
                    Progress.silent())) {
                e.run();
            }
        }
    }
}
