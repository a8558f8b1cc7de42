package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YinYangTest {
    @Test
    void classFunctionOnKnownPoints() {
        assertEquals(2, YinYang.classOf(0.75, 0.5), "centre of the right dot");
        assertEquals(2, YinYang.classOf(0.25, 0.5), "centre of the left dot");
        assertEquals(1, YinYang.classOf(0.45, 0.5), "ring around the left dot");
        assertEquals(0, YinYang.classOf(0.55, 0.5), "ring around the right dot");
        assertEquals(1, YinYang.classOf(0.5, 0.9), "upper half, away from the dots");
        assertEquals(0, YinYang.classOf(0.5, 0.1), "lower half, away from the dots");
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "validation", "test"})
    void classFunctionReproducesEveryOfficialLabel(String split) throws IOException {
        Path file = TestFiles.shared("yinyang").resolve(split + ".csv");
        List<String> lines = Files.readAllLines(file);
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split(",");
            double x = Double.parseDouble(f[1]), y = Double.parseDouble(f[2]);
            assertEquals(Integer.parseInt(f[0]), YinYang.classOf(x, y), file + " line " + (i + 1));
            assertTrue(Math.hypot(x - 0.5, y - 0.5) <= 0.5, file + " line " + (i + 1) + " outside the disc");
            checked++;
        }
        InMemoryData d = YinYang.loadCsv(file);
        assertEquals(checked, d.size());
        assertEquals("yinyang/" + split, d.name());
        assertEquals(split.equals("train") ? 5000 : 1000, d.size());
        for (int i = 0; i < d.size(); i++) {
            float[] v = d.input(i);
            assertEquals(1f, v[0] + v[2], 1e-6f);
            assertEquals(1f, v[1] + v[3], 1e-6f);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 42, -7})
    void classesAreBalanced(long seed) {
        int[] counts = YinYang.generate(6000, seed).classCounts();
        for (int c = 0; c < 3; c++) assertEquals(1 / 3.0, counts[c] / 6000.0, 0.03, "class " + c);
    }

    @Test
    void generatedSamplesAreConsistent() {
        InMemoryData d = YinYang.generate(3000, 5);
        assertEquals(4, d.inputSize());
        assertEquals(3, d.numClasses());
        for (int i = 0; i < d.size(); i++) {
            float[] v = d.input(i);
            assertTrue(Math.hypot(v[0] - 0.5, v[1] - 0.5) <= 0.5 + 1e-6, "sample " + i + " outside the disc");
            assertEquals(d.label(i), YinYang.classOf(v[0], v[1]), "sample " + i);
            assertEquals(1f, v[0] + v[2], 1e-6f);
            assertEquals(1f, v[1] + v[3], 1e-6f);
        }
    }

    @Test
    void generationIsDeterministicPerSeed() {
        InMemoryData a = YinYang.generate(500, 123), b = YinYang.generate(500, 123), c = YinYang.generate(500, 124);
        boolean differs = false;
        for (int i = 0; i < 500; i++) {
            assertArrayEquals(a.input(i), b.input(i));
            assertEquals(a.label(i), b.label(i));
            differs |= a.input(i)[0] != c.input(i)[0];
        }
        assertTrue(differs, "another seed gives other points");
    }

    @Test
    void standardSplitsHaveTheirSizesAndDistinctSeeds() {
        YinYang.Splits s = YinYang.standardSplits(9);
        assertEquals(6000, s.train().size());
        assertEquals(900, s.validation().size());
        assertEquals(900, s.test().size());
        assertEquals("yinyang/validation", s.get("validation").name());
        assertNotEquals(s.train().input(0)[0], s.validation().input(0)[0]);
        assertNotEquals(s.validation().input(0)[0], s.test().input(0)[0]);
        assertArrayEquals(s.test().input(17), YinYang.standardSplits(9).test().input(17));
        assertThrows(IllegalArgumentException.class, () -> s.get("dev"));
    }

    @Test
    void csvWithHeaderAndBlankLines(@TempDir Path tmp) {
        Path f =
                TestFiles.write(tmp.resolve("mine.csv"), "label,x,y,x2,y2\n2,0.75,0.5,0.25,0.5\n\n0,0.5,0.1,0.5,0.9\n");
        InMemoryData d = YinYang.loadCsv(f);
        assertEquals("yinyang/mine", d.name());
        assertEquals(2, d.size());
        assertArrayEquals(new float[] {0.5f, 0.1f, 0.5f, 0.9f}, d.input(1));
        assertEquals(2, d.label(0));
    }

    @Test
    void csvErrorsNameFileAndLine(@TempDir Path tmp) {
        Path columns = TestFiles.write(tmp.resolve("a.csv"), "1,0.1,0.2,0.9,0.8\n1,0.1,0.2,0.9\n");
        var e = assertThrows(DataFormatException.class, () -> YinYang.loadCsv(columns));
        assertTrue(e.getMessage().contains(columns.toString()) && e.getMessage().contains("line 2"), e.getMessage());
        Path label = TestFiles.write(tmp.resolve("b.csv"), "3,0.1,0.2,0.9,0.8\n");
        e = assertThrows(DataFormatException.class, () -> YinYang.loadCsv(label));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("label 3"), e.getMessage());
        assertThrows(DataFormatException.class, () -> YinYang.loadCsv(tmp.resolve("absent.csv")));
    }
}
