package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class InMemoryDataTest {
    private static InMemoryData sample() {
        float[][] rows = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}};
        return new InMemoryData("toy", rows, new int[] {0, 1, 2, 1}, 3);
    }

    @Test
    void rowsAreStoredAndCopiedAtAnOffset() {
        InMemoryData d = sample();
        assertEquals("toy", d.name());
        assertEquals(4, d.size());
        assertEquals(3, d.inputSize());
        assertEquals(3, d.numClasses());
        float[] dst = new float[5];
        d.copyInput(2, dst, 1);
        assertArrayEquals(new float[] {0, 6, 7, 8, 0}, dst);
        assertEquals(2, d.label(2));
        assertArrayEquals(new int[] {1, 2, 1}, d.classCounts());
    }

    @Test
    void flatConstructorMatchesRowConstructor() {
        InMemoryData flat = new InMemoryData(
                "toy", new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, new int[] {0, 1, 2, 1}, 3);
        InMemoryData rows = sample();
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(rows.input(i), flat.input(i));
            assertEquals(rows.label(i), flat.label(i));
        }
    }

    @Test
    void constructorsCopyTheirArguments() {
        float[] x = {1, 2, 3, 4};
        int[] y = {0, 1};
        InMemoryData d = new InMemoryData("c", x, 2, y, 2);
        x[0] = 99;
        y[0] = 1;
        assertEquals(1f, d.input(0)[0]);
        assertEquals(0, d.label(0));
    }

    @Test
    void labelOutOfRangeNamesTheSample() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new InMemoryData("bad", new float[][] {{0}, {1}, {2}}, new int[] {0, 1, 3}, 3));
        assertTrue(e.getMessage().contains("sample 2"), e.getMessage());
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        var neg = assertThrows(
                IllegalArgumentException.class,
                () -> new InMemoryData("bad", new float[] {0, 1}, 1, new int[] {-1, 0}, 2));
        assertTrue(neg.getMessage().contains("sample 0"), neg.getMessage());
    }

    @Test
    void sizeMismatchesAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new InMemoryData("r", new float[][] {{0, 1}, {2}}, new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryData("f", new float[5], 2, new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryData("z", new float[0][], new int[0], 1));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryData("n", new float[2], 1, new int[2], 0));
        assertEquals(0, new InMemoryData("empty", new float[0], 4, new int[0], 2).size());
    }

    @Test
    void subsetIsAViewWithItsOwnIndices() {
        InMemoryData d = sample();
        InMemoryData s = d.subset(1, 3);
        assertEquals("toy[1:3]", s.name());
        assertEquals(2, s.size());
        assertArrayEquals(new float[] {3, 4, 5}, s.input(0));
        assertEquals(2, s.label(1));
        InMemoryData nested = s.subset(1, 2, "inner");
        assertEquals("inner", nested.name());
        assertArrayEquals(new float[] {6, 7, 8}, nested.input(0));
        assertArrayEquals(new int[] {0, 0, 1}, nested.classCounts());
        assertEquals(0, d.subset(4, 4).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(2, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> s.label(2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.copyInput(-1, new float[3], 0));
    }

    @Test
    void withNameKeepsTheSamples() {
        InMemoryData d = sample().subset(2, 4).withName("renamed");
        assertEquals("renamed", d.name());
        assertEquals(2, d.size());
        assertArrayEquals(new float[] {9, 10, 11}, d.input(1));
    }
}
