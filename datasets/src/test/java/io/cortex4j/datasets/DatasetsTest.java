package io.cortex4j.datasets;

import static io.cortex4j.datasets.TestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path tmp;

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("imagenet", "train", tmp, 0));
        for (String n : Datasets.NAMES) assertTrue(e.getMessage().contains(n), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("yinyang", "dev", tmp, 0));
        assertTrue(e.getMessage().contains("train, validation, test"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("mnist1d", "validation", tmp, 0));
        assertThrows(
                IllegalArgumentException.class, () -> Datasets.open("yinyang", "train", tmp, 0, Map.of("size", 3)));
    }

    @Test
    void generatedYinYangMatchesStandardSplits() {
        LabeledData d = Datasets.open("yinyang", "validation", null, 11);
        InMemoryData ref = YinYang.standardSplits(11).validation();
        assertEquals("yinyang/validation", d.name());
        assertEquals(900, d.size());
        float[] x = new float[4];
        for (int i = 0; i < d.size(); i++) {
            d.copyInput(i, x, 0);
            assertArrayEquals(ref.input(i), x);
            assertEquals(ref.label(i), d.label(i));
        }
    }

    @Test
    void randomUniformTakesCountAndSize() {
        LabeledData train = Datasets.open("random-uniform", "train", null, 1, Map.of("count", 8, "size", "5"));
        LabeledData test = Datasets.open("random-uniform", "test", null, 1, Map.of("count", 8, "size", 5L));
        assertEquals("random-uniform/train", train.name());
        assertEquals(8, train.size());
        assertEquals(5, train.inputSize());
        float[] a = new float[5], b = new float[5];
        train.copyInput(0, a, 0);
        test.copyInput(0, b, 0);
        assertNotEquals(a[0], b[0]);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Datasets.open("random-uniform", "train", null, 1, Map.of("count", 8)));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Datasets.open("random-uniform", "train", null, 1, Map.of("count", 8, "size", 2.5)));
    }

    @Test
    void idxSplitsHoldOutTheLastTenThousand() {
        int n = 10003;
        byte[] px = new byte[n];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            px[i] = (byte) i;
            labels[i] = (byte) (i % 10);
        }
        Path dir = tmp.resolve("mnist");
        write(dir.resolve("train-images-idx3-ubyte"), idxImages(n, 1, 1, px));
        write(dir.resolve("train-labels-idx1-ubyte"), idxLabels(labels));
        LabeledData train = Datasets.open("mnist", "train", tmp, 0);
        LabeledData head = Datasets.open("mnist", "train-head", tmp, 0);
        LabeledData val = Datasets.open("mnist", "validation", tmp, 0);
        assertEquals("mnist/train", train.name());
        assertEquals(n, train.size());
        assertEquals(3, head.size());
        assertEquals("mnist/validation", val.name());
        assertEquals(10000, val.size());
        float[] x = new float[1];
        val.copyInput(0, x, 0);
        assertEquals(3 / 255f, x[0]);
        assertEquals(3, val.label(0));
        var e = assertThrows(DataFormatException.class, () -> Datasets.open("mnist", "test", tmp, 0));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void cifarComesFromItsFolder() {
        byte[] record = new byte[Cifar10.RECORD_SIZE];
        record[0] = 6;
        record[1] = (byte) 255;
        write(tmp.resolve("cifar10/test_batch.bin"), record);
        LabeledData d = Datasets.open("cifar10", "test", tmp, 0);
        assertEquals(1, d.size());
        assertEquals(6, d.label(0));
    }

    @Test
    void fileBasedSetsFromTheSharedDirectory() {
        Path data = shared("yinyang").getParent();
        assertEquals(5000, Datasets.open("yinyang-official", "train", data, 0).size());
        assertEquals(1000, Datasets.open("yinyang-official", "test", data, 0).size());
        assertEquals(1000, Datasets.open("mnist1d", "test", data, 0).size());
        assertEquals(2000, Datasets.open("mnist-10k", "test", data, 0).size());
        LabeledData head = Datasets.open("fashion-mnist", "train-head", data, 0);
        LabeledData val = Datasets.open("fashion-mnist", "validation", data, 0);
        LabeledData test = Datasets.open("fashion-mnist", "test", data, 0);
        assertEquals(50000, head.size());
        assertEquals(10000, val.size());
        assertEquals(10000, test.size());
        assertEquals("fashion-mnist/test", test.name());
    }
}
