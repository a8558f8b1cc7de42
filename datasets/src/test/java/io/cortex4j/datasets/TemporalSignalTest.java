package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TemporalSignalTest {
    /**
     * BurstCCN's regression inputs: one cosine per channel and row, every frequency below 2π/minPeriod,
     * a pure function of the step and the seed, distinct channels.
     */
    @Test
    void cosinesArePerChannelAndReproducible() {
        TemporalSignal a = TemporalSignal.cosines(4.0, 0.1, 2, 3, 7), b = TemporalSignal.cosines(4.0, 0.1, 2, 3, 7);
        assertEquals(2, a.batch());
        assertEquals(3, a.width());
        double[] x = new double[6], y = new double[6];
        double maxStep = 0;
        double[] prev = new double[6];
        a.fill(0, prev);
        for (long k = 1; k < 2000; k++) {
            a.fill(k, x);
            b.fill(k, y);
            assertArrayEquals(x, y, 0.0, "same seed, same values");
            for (int i = 0; i < 6; i++) {
                assertTrue(Math.abs(x[i]) <= 1.0);
                maxStep = Math.max(maxStep, Math.abs(x[i] - prev[i]));
            }
            System.arraycopy(x, 0, prev, 0, 6);
        }
        // |d/dk cos(ω·k·dt + φ)| ≤ ω·dt < 2π/40 per step
        assertTrue(maxStep < 2 * Math.PI / 40, "largest change per step " + maxStep);
        a.fill(5, x);
        for (int i = 1; i < 6; i++) assertTrue(x[i] != x[0], "channels differ");
        assertThrows(IllegalArgumentException.class, () -> TemporalSignal.cosines(0, 0.1, 1, 1, 1));
    }
}
