package io.cortex4j.datasets;

import static io.cortex4j.datasets.TestFiles.write;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mnist1dTest {
    @TempDir
    Path tmp;

    private static String row(int label, int values, double base) {
        StringJoiner j = new StringJoiner(",");
        j.add(Integer.toString(label));
        for (int k = 0; k < values; k++) j.add(Double.toString(base + k * 0.5));
        return j.toString();
    }

    @Test
    void readsLabelsAndFortyValues() {
        Path f = write(tmp.resolve("train.csv"), row(4, 40, -3) + "\n" + row(9, 40, 1.25) + "\n");
        InMemoryData d = Mnist1d.loadCsv(f);
        assertEquals("mnist1d/train", d.name());
        assertEquals(2, d.size());
        assertEquals(40, d.inputSize());
        assertEquals(10, d.numClasses());
        assertEquals(4, d.label(0));
        assertEquals(9, d.label(1));
        assertEquals(-3f, d.input(0)[0]);
        assertEquals(1.25f + 39 * 0.5f, d.input(1)[39]);
    }

    @Test
    void errorsNameFileAndLine() {
        Path cols = write(tmp.resolve("cols.csv"), row(1, 40, 0) + "\n" + row(2, 40, 0) + "\n" + row(3, 39, 0) + "\n");
        var e = assertThrows(DataFormatException.class, () -> Mnist1d.loadCsv(cols));
        assertTrue(e.getMessage().startsWith(cols.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("found 40"), e.getMessage());

        Path num = write(
                tmp.resolve("num.csv"),
                row(1, 40, 0) + "\n" + row(2, 40, 0).replaceFirst(",0\\.5,", ",zero.5,") + "\n");
        e = assertThrows(DataFormatException.class, () -> Mnist1d.loadCsv(num));
        assertTrue(e.getMessage().contains("line 2, column 3") && e.getMessage().contains("'zero.5'"), e.getMessage());

        Path header = write(tmp.resolve("header.csv"), "label,v1\n" + row(1, 40, 0) + "\n");
        e = assertThrows(DataFormatException.class, () -> Mnist1d.loadCsv(header));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());

        Path label = write(tmp.resolve("label.csv"), row(10, 40, 0) + "\n");
        e = assertThrows(DataFormatException.class, () -> Mnist1d.loadCsv(label));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());

        Path nan = write(tmp.resolve("nan.csv"), row(1, 40, 0).replaceFirst(",0\\.0,", ",NaN,") + "\n");
        e = assertThrows(DataFormatException.class, () -> Mnist1d.loadCsv(nan));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void readsTheSharedFrozenSet() {
        Path dir = TestFiles.shared("mnist1d");
        InMemoryData train = Mnist1d.loadCsv(dir.resolve("train.csv"));
        InMemoryData test = Mnist1d.loadCsv(dir.resolve("test.csv"));
        assertEquals(4000, train.size());
        assertEquals(1000, test.size());
        assertEquals(40, train.inputSize());
        for (int c : train.classCounts()) assertTrue(c > 300, "every class present");
    }
}
