package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.DataSpec;
import io.cortex4j.io.Npz;
import io.cortex4j.random.CounterRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * data.normalise and data.augment on image data: the per-channel standardisation and the random
 * crop and flip of the CIFAR-10 references (torchvision's RandomCrop(32, padding=4),
 * RandomHorizontalFlip(), Normalize(mean, std)).
 */
class ImageDataTest {
    @TempDir
    Path tmp;

    static final int C = 2, H = 5, W = 6;

    /** src shifted by (dx, dy) and mirrored when flip, pixels from outside the image 0. */
    static float[] transformed(float[] src, int dx, int dy, boolean flip) {
        float[] out = new float[src.length];
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H; i++)
                for (int j = 0; j < W; j++) {
                    int si = i + dy, sj = (flip ? W - 1 - j : j) + dx;
                    out[(c * H + i) * W + j] = si >= 0 && si < H && sj >= 0 && sj < W ? src[(c * H + si) * W + sj] : 0f;
                }
        return out;
    }

    /**
     * Every augmented image is the original shifted by one (dx, dy) in [−2, 2]² with zeros shifted
     * in, mirrored or not; over 2000 positions all 50 combinations occur, each at about its 1/50
     * share; the draw is a function of (seed, epoch, position): the same again, another for another
     * epoch. crop 0 without flip leaves the image as it is.
     */
    @Test
    void augmentationShiftsAndMirrorsTheImage() {
        Random r = new Random(5);
        float[] src = new float[C * H * W];
        for (int i = 0; i < src.length; i++) src[i] = 0.5f + r.nextFloat(); // no zeros: each transform is unique
        int[] shape = {C, H, W};
        DataSpec.Augment a = new DataSpec.Augment(2, true);
        CounterRandom rng = new CounterRandom(11);
        int[] counts = new int[50];
        int differentInEpoch1 = 0;
        for (int pos = 0; pos < 2000; pos++) {
            float[] out = new float[3 + src.length];
            RunContext.augment(rng, src, shape, a, 0, pos, out, 3);
            float[] got = Arrays.copyOfRange(out, 3, out.length);
            int match = -1;
            for (int k = 0; k < 50 && match < 0; k++)
                if (Arrays.equals(got, transformed(src, k % 5 - 2, k / 5 % 5 - 2, k >= 25))) match = k;
            assertTrue(match >= 0, "position " + pos + ": not a shifted or mirrored copy");
            counts[match]++;
            float[] again = new float[3 + src.length], other = new float[3 + src.length];
            RunContext.augment(rng, src, shape, a, 0, pos, again, 3);
            assertArrayEquals(out, again, 0f);
            RunContext.augment(rng, src, shape, a, 1, pos, other, 3);
            if (!Arrays.equals(out, other)) differentInEpoch1++;
        }
        for (int k = 0; k < 50; k++)
            assertTrue(counts[k] >= 20 && counts[k] <= 60, "combination " + k + " drawn " + counts[k] + " of 2000");
        assertTrue(differentInEpoch1 > 1900, "epoch 1 draws anew: " + differentInEpoch1 + " of 2000 differ");
        float[] same = new float[src.length];
        RunContext.augment(rng, src, shape, new DataSpec.Augment(0, false), 0, 7, same, 0);
        assertArrayEquals(src, same, 0f);
    }

    /** Writes CIFAR-10 binary files of 20 random images each (labels i % 10) under tmp/data. */
    Path cifarFiles() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("data/cifar-10-batches-bin"));
        Random r = new Random(2);
        for (String f : List.of(
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
                "test_batch.bin")) {
            byte[] b = new byte[20 * 3073];
            r.nextBytes(b);
            for (int i = 0; i < 20; i++) b[i * 3073] = (byte) (i % 10);
            Files.write(dir.resolve(f), b);
        }
        return tmp.resolve("data");
    }

    static final String MEAN = "[0.485, 0.456, 0.406]", STD = "[0.229, 0.224, 0.225]";

    String cifarMlp(String extra) throws IOException {
        return """
                name: tiny-cifar
                model:
                  family: burst
                  input: [3, 32, 32]
                  layers: [{type: dense, units: 12}, {type: dense, units: 10}]
                rule: {name: bp, learningRate: 0.1}
                data:
                  name: cifar10
                  dir: "%s"
                  validation: test
                %s
                schedule: {epochs: 2, batch: 20}
                run: {seed: 4, checkpointEvery: 2}
                """.formatted(cifarFiles(), extra);
    }

    /**
     * A run with normalise and augment: the evaluation input (the 20 test images in one batch, the
     * last thing written into the input) is exactly (pixel/255 − mean_c)/std_c, not augmented; the
     * augmented run learns other weights than the plain one; and a run killed mid-epoch resumes to
     * the uninterrupted run's parameters and metrics bit for bit (the draws depend on epoch and
     * position only).
     */
    @Test
    void normalisedAugmentedRunsEvaluateCleanAndResumeExactly() throws IOException {
        String both = "  normalise: {mean: " + MEAN + ", std: " + STD + "}\n  augment: {crop: 4, flip: true}";
        Experiment e = Experiment.parse(cifarMlp(both), "x.yaml", List.of());
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed"), plain = tmp.resolve("plain");
        float[] test = new float[20 * 3072];
        try (Trainer t = Trainer.start(e, whole, Progress.silent())) {
            t.run();
            double[] in = t.network().input().toHost();
            byte[] b = Files.readAllBytes(tmp.resolve("data/cifar-10-batches-bin/test_batch.bin"));
            double[] mean = {0.485, 0.456, 0.406}, std = {0.229, 0.224, 0.225};
            for (int n = 0; n < 20; n++)
                for (int k = 0; k < 3072; k++) {
                    float px = (b[n * 3073 + 1 + k] & 0xFF) / 255f;
                    test[n * 3072 + k] = (float) ((px - mean[k / 1024]) / std[k / 1024]);
                    assertEquals(test[n * 3072 + k], (float) in[n * 3072 + k], 0f, "test image " + n + ", value " + k);
                }
        }
        try (Trainer t = Trainer.start(e, killed, Progress.silent())) {
            t.interruptAfterBatches(8); // 5 batches per epoch: in epoch 2 after its 3rd (checkpoint after its 2nd)
            assertThrows(Trainer.Interrupted.class, t::run);
        }
        try (Trainer t = Trainer.resume(killed, Progress.silent(), null)) {
            t.run();
        }
        SpineTest.assertSameArrays(whole.resolve(RunDirectory.PARAMETERS), killed.resolve(RunDirectory.PARAMETERS));
        assertEquals(SpineTest.metrics(whole), SpineTest.metrics(killed));
        Experiment noAug =
                Experiment.parse(cifarMlp("  normalise: {mean: " + MEAN + ", std: " + STD + "}"), "x.yaml", List.of());
        try (Trainer t = Trainer.start(noAug, plain, Progress.silent())) {
            t.run();
        }
        assertFalse(
                Arrays.equals(
                        Npz.read(whole.resolve(RunDirectory.PARAMETERS))
                                .get("layer1.W")
                                .data(),
                        Npz.read(plain.resolve(RunDirectory.PARAMETERS))
                                .get("layer1.W")
                                .data()),
                "augmentation changes what is learned");
    }

    /** Each misuse is one error naming its key. */
    @Test
    void misuseNamesTheKey() throws IOException {
        String[][] cases = {
            {"  normalise: {mean: [0.5, 0.5], std: [0.2, 0.2]}", "data.normalise.mean", "one value per channel"},
            {"  normalise: {mean: " + MEAN + ", std: [0.2, 0.0, 0.2]}", "data.normalise.std", "must be > 0"},
            {"  augment: {crop: 32}", "data.augment.crop", "smaller than the image"},
        };
        for (String[] c : cases) {
            Experiment e = Experiment.parse(cifarMlp(c[0]), "x.yaml", List.of());
            String m = assertThrows(
                            ConfigException.class, () -> Trainer.start(e, tmp.resolve("bad"), Progress.silent()))
                    .getMessage();
            assertTrue(m.contains(c[1]) && m.contains(c[2]) && !m.contains("\n"), c[0] + " → " + m);
            assertFalse(Files.exists(tmp.resolve("bad")), "nothing written for " + c[0]);
        }
        Experiment yy = Experiment.parse(
                BurstRunsTest.yinYang("bp")
                        .replace("  trainLimit: 1000", "  trainLimit: 1000\n  augment: {flip: true}"),
                "x.yaml",
                List.of());
        String m = assertThrows(ConfigException.class, () -> Trainer.start(yy, tmp.resolve("bad"), Progress.silent()))
                .getMessage();
        assertTrue(m.contains("data.augment") && m.contains("not images"), m);
    }
}
