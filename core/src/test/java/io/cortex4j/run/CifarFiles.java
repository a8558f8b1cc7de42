package io.cortex4j.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** CIFAR-10 files in the official binary format, written by the tests (no CIFAR-10 on the machine). */
final class CifarFiles {
    private CifarFiles() {}

    /**
     * Writes the five training batch files and the test batch under {@code data/cifar-10-batches-bin},
     * {@code perFile} images each: every image its class's random prototype (seed 1) plus noise of the
     * same size, so that a network that learns can separate the classes. Returns {@code data}.
     */
    static Path prototypes(Path data, int perFile) throws IOException {
        Path dir = Files.createDirectories(data.resolve("cifar-10-batches-bin"));
        Random r = new Random(1);
        int pixels = 3072;
        byte[][] prototype = new byte[10][pixels];
        for (byte[] p : prototype) for (int j = 0; j < pixels; j++) p[j] = (byte) r.nextInt(256);
        for (String f : List.of(
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
                "test_batch.bin")) {
            byte[] b = new byte[perFile * (1 + pixels)];
            for (int i = 0; i < perFile; i++) {
                int label = r.nextInt(10), at = i * (1 + pixels);
                b[at] = (byte) label;
                for (int j = 0; j < pixels; j++)
                    b[at + 1 + j] = (byte) ((prototype[label][j] & 0xff) / 2 + r.nextInt(128));
            }
            Files.write(dir.resolve(f), b);
        }
        return data;
    }
}
