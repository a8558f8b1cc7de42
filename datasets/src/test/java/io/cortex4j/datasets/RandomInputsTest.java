package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RandomInputsTest {
    @Test
    void uniformInputsAreInRangeAndDeterministic() {
        InMemoryData a = RandomInputs.uniform(200, 30, 3);
        assertEquals(200, a.size());
        assertEquals(30, a.inputSize());
        assertEquals(1, a.numClasses());
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(0, a.label(i));
            for (float v : a.input(i)) {
                assertTrue(v >= 0 && v < 1, "value " + v);
                sum += v;
            }
        }
        assertEquals(0.5, sum / 6000, 0.02);
        InMemoryData b = RandomInputs.uniform(200, 30, 3);
        for (int i = 0; i < 200; i++) assertArrayEquals(a.input(i), b.input(i));
        assertNotEquals(a.input(0)[0], RandomInputs.uniform(200, 30, 4).input(0)[0]);
        assertThrows(IllegalArgumentException.class, () -> RandomInputs.uniform(2, 0, 1));
    }
}
