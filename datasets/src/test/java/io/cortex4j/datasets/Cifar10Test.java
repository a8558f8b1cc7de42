package io.cortex4j.datasets;

import static io.cortex4j.datasets.TestFiles.write;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path tmp;

    /** The byte written for record {@code r} of batch {@code b}, channel {@code c}, pixel (y, x). */
    private static int pixel(int b, int r, int c, int y, int x) {
        return (b * 91 + r * 53 + c * 101 + y * 7 + x * 3) & 0xFF;
    }

    /** A batch of {@code n} records, labels (b + r) mod 10, written plane by plane (R, G, B). */
    private static byte[] batch(int b, int n) {
        byte[] data = new byte[n * Cifar10.RECORD_SIZE];
        for (int r = 0; r < n; r++) {
            int at = r * Cifar10.RECORD_SIZE;
            data[at++] = (byte) ((b + r) % 10);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) data[at++] = (byte) pixel(b, r, c, y, x);
        }
        return data;
    }

    private static void writeAll(Path dir) {
        for (int b = 0; b < 5; b++) write(dir.resolve("data_batch_" + (b + 1) + ".bin"), batch(b, 2));
        write(dir.resolve("test_batch.bin"), batch(7, 3));
    }

    @Test
    void trainConcatenatesTheFiveBatchesInChwOrder() {
        writeAll(tmp);
        InMemoryData d = Cifar10.load(tmp, true);
        assertEquals("cifar10/train", d.name());
        assertEquals(10, d.size());
        assertEquals(3072, d.inputSize());
        assertArrayEquals(new int[] {3, 32, 32}, d.imageShape(), "CHW");
        assertEquals(10, d.numClasses());
        for (int b = 0; b < 5; b++) {
            for (int r = 0; r < 2; r++) {
                int i = b * 2 + r;
                assertEquals((b + r) % 10, d.label(i));
                float[] v = d.input(i);
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < 32; y++)
                        for (int x = 0; x < 32; x++)
                            assertEquals(
                                    pixel(b, r, c, y, x) / 255f,
                                    v[c * 1024 + y * 32 + x],
                                    "c=" + c + " y=" + y + " x=" + x);
            }
        }
    }

    @Test
    void testSplitAndArchiveFolder() {
        writeAll(tmp.resolve(Cifar10.ARCHIVE_FOLDER));
        InMemoryData d = Cifar10.load(tmp, false);
        assertEquals(3, d.size());
        assertEquals(9, d.label(2));
        assertEquals(pixel(7, 1, 2, 31, 0) / 255f, d.input(1)[2 * 1024 + 31 * 32]);
    }

    @Test
    void missingBatchIsNamed() throws java.io.IOException {
        writeAll(tmp);
        java.nio.file.Files.delete(tmp.resolve("data_batch_4.bin"));
        var e = assertThrows(DataFormatException.class, () -> Cifar10.load(tmp, true));
        assertTrue(e.getMessage().contains("data_batch_4.bin") && e.getMessage().contains("missing"), e.getMessage());
        Path other = tmp.resolve("other");
        e = assertThrows(DataFormatException.class, () -> Cifar10.load(other, false));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void truncatedBatchIsReported() {
        writeAll(tmp);
        byte[] b = batch(2, 2);
        Path f = write(tmp.resolve("data_batch_3.bin"), Arrays.copyOf(b, b.length - 1));
        var e = assertThrows(DataFormatException.class, () -> Cifar10.load(tmp, true));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("6145"), e.getMessage());
        write(f, new byte[0]);
        e = assertThrows(DataFormatException.class, () -> Cifar10.load(tmp, true));
        assertTrue(e.getMessage().contains("length 0"), e.getMessage());
    }

    @Test
    void labelAboveNineIsReported() {
        writeAll(tmp);
        byte[] b = batch(7, 3);
        b[2 * Cifar10.RECORD_SIZE] = 10;
        write(tmp.resolve("test_batch.bin"), b);
        var e = assertThrows(DataFormatException.class, () -> Cifar10.load(tmp, false));
        assertTrue(e.getMessage().contains("record 2 has label 10"), e.getMessage());
    }
}
