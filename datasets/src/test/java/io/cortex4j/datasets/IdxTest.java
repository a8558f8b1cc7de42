package io.cortex4j.datasets;

import static io.cortex4j.datasets.TestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path tmp;

    private static final int N = 5, ROWS = 3, COLS = 2;
    private static final byte[] PIXELS = rampPixels(N, ROWS, COLS);
    private static final byte[] LABELS = {3, 0, 9, 1, 3};

    private static void assertContent(InMemoryData d, float divisor) {
        assertEquals(N, d.size());
        assertEquals(ROWS * COLS, d.inputSize());
        assertArrayEquals(new int[] {1, ROWS, COLS}, d.imageShape(), "one channel of ROWS × COLS");
        assertArrayEquals(new int[] {1, ROWS, COLS}, d.subset(0, 1).imageShape(), "a subset keeps the shape");
        assertEquals(10, d.numClasses());
        for (int i = 0; i < N; i++) {
            assertEquals(LABELS[i], d.label(i));
            float[] x = d.input(i);
            for (int j = 0; j < x.length; j++) assertEquals((PIXELS[i * 6 + j] & 0xFF) / divisor, x[j], "image " + i);
        }
    }

    @Test
    void readsRawFiles() {
        Path img = write(tmp.resolve("img"), idxImages(N, ROWS, COLS, PIXELS));
        Path lab = write(tmp.resolve("lab"), idxLabels(LABELS));
        InMemoryData d = Idx.loadImages(img, lab, "raw");
        assertEquals("raw", d.name());
        assertContent(d, 255f);
        assertEquals(1f, max(d), "byte 255 maps to 1");
        assertContent(Idx.loadImages(img, lab, "raw", 256f), 256f);
    }

    private static float max(InMemoryData d) {
        float m = 0;
        for (int i = 0; i < d.size(); i++) for (float v : d.input(i)) m = Math.max(m, v);
        return m;
    }

    @Test
    void detectsGzipByContentNotName() {
        Path gzNoSuffix = write(tmp.resolve("images-plain-name"), gzip(idxImages(N, ROWS, COLS, PIXELS)));
        Path rawWithSuffix = write(tmp.resolve("labels.gz"), idxLabels(LABELS));
        assertContent(Idx.loadImages(gzNoSuffix, rawWithSuffix, "mixed"), 255f);
    }

    @Test
    void loadDirectoryFindsTrainAndTestUnderEitherSpelling() {
        Path dir = tmp.resolve("digits");
        write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idxImages(N, ROWS, COLS, PIXELS)));
        write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idxLabels(LABELS)));
        write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(1, ROWS, COLS, new byte[6]));
        write(dir.resolve("t10k-labels.idx1-ubyte"), idxLabels(new byte[] {7}));
        InMemoryData train = Idx.loadDirectory(dir, true);
        assertEquals("digits/train", train.name());
        assertContent(train, 255f);
        InMemoryData test = Idx.loadDirectory(dir, false);
        assertEquals("digits/test", test.name());
        assertEquals(1, test.size());
        assertEquals(7, test.label(0));
    }

    @Test
    void missingFileNamesFileAndDirectory() {
        Path dir = tmp.resolve("empty");
        write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(1, 1, 1, new byte[1]));
        var e = assertThrows(DataFormatException.class, () -> Idx.loadDirectory(dir, false));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("directory " + dir.toAbsolutePath()), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Idx.loadDirectory(dir, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        Path nothing = tmp.resolve("nothing");
        e = assertThrows(DataFormatException.class, () -> Idx.readLabels(nothing));
        assertTrue(
                e.getMessage().startsWith(nothing.toString()) && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void wrongMagicIsReported() {
        Path img = write(tmp.resolve("img"), idxImages(N, ROWS, COLS, PIXELS));
        Path lab = write(tmp.resolve("lab"), idxLabels(LABELS));
        var e = assertThrows(DataFormatException.class, () -> Idx.loadImages(lab, img, "swapped"));
        assertTrue(e.getMessage().startsWith(lab.toString()), e.getMessage());
        assertTrue(
                e.getMessage().contains("0x00000801") && e.getMessage().contains("expected 0x00000803"),
                e.getMessage());
        Path text = write(tmp.resolve("text.gz"), gzip("hello, world".getBytes()));
        e = assertThrows(DataFormatException.class, () -> Idx.readImages(text));
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
    }

    @Test
    void truncatedFilesAreReported() {
        byte[] full = idxImages(N, ROWS, COLS, PIXELS);
        Path img = write(tmp.resolve("img"), Arrays.copyOf(full, full.length - 7));
        var e = assertThrows(DataFormatException.class, () -> Idx.readImages(img));
        assertTrue(e.getMessage().startsWith(img.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("5 images") && e.getMessage().contains("only 23 bytes"), e.getMessage());

        byte[] labels = idxLabels(LABELS);
        Path lab = write(tmp.resolve("lab.gz"), gzip(Arrays.copyOf(labels, labels.length - 1)));
        e = assertThrows(DataFormatException.class, () -> Idx.readLabels(lab));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path header = write(tmp.resolve("header"), Arrays.copyOf(full, 10));
        e = assertThrows(DataFormatException.class, () -> Idx.readImages(header));
        assertTrue(e.getMessage().contains("header"), e.getMessage());

        byte[] gz = gzip(full);
        Path cut = write(tmp.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DataFormatException.class, () -> Idx.readImages(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void trailingBytesAreReported() {
        byte[] labels = idxLabels(LABELS);
        Path lab = write(tmp.resolve("lab"), Arrays.copyOf(labels, labels.length + 3));
        var e = assertThrows(DataFormatException.class, () -> Idx.readLabels(lab));
        assertTrue(e.getMessage().contains("unexpected data"), e.getMessage());
    }

    @Test
    void countMismatchAndBadLabelsAreReported() {
        Path img = write(tmp.resolve("img"), idxImages(N, ROWS, COLS, PIXELS));
        Path four = write(tmp.resolve("four"), idxLabels(Arrays.copyOf(LABELS, 4)));
        var e = assertThrows(DataFormatException.class, () -> Idx.loadImages(img, four, "m"));
        assertTrue(e.getMessage().startsWith(four.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("4 labels") && e.getMessage().contains("5 images"), e.getMessage());
        Path ten = write(tmp.resolve("ten"), idxLabels(new byte[] {0, 1, 10, 2, 3}));
        e = assertThrows(DataFormatException.class, () -> Idx.loadImages(img, ten, "m"));
        assertTrue(e.getMessage().contains("label 10 at index 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Idx.loadImages(img, ten, "m", 0f));
    }

    @Test
    void readsTheSharedFashionMnistAndMnist10k() {
        checkShared("fashion-mnist", 60000, 10000);
        checkShared("mnist-10k", 8000, 2000);
    }

    private static void checkShared(String folder, int trainSize, int testSize) {
        Path dir = shared(folder);
        for (boolean train : new boolean[] {true, false}) {
            InMemoryData d = Idx.loadDirectory(dir, train);
            assertEquals(train ? trainSize : testSize, d.size(), d.name());
            assertEquals(784, d.inputSize());
            int[] counts = d.classCounts();
            assertEquals(10, counts.length);
            for (int c = 0; c < 10; c++) assertTrue(counts[c] > 0, d.name() + " has no class " + c);
            float[] x = new float[784];
            for (int i = 0; i < d.size(); i += 97) {
                d.copyInput(i, x, 0);
                for (float v : x) assertTrue(v >= 0 && v <= 1, d.name() + " pixel " + v);
            }
        }
    }
}
