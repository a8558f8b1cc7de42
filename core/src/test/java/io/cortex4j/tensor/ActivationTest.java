package io.cortex4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The reference definitions that the backend conformance suite holds every backend to, and the config words. */
class ActivationTest {

    /**
     * The hard sigmoid of the reference codebases (GLE's {@code hard_sigmoid}: {@code x.clamp(0, 1)}
     * with derivative {@code (x >= 0) * (x <= 1)}), value and derivative at its kinks, their
     * neighbours, PyTorch's kinks ±3 (saturated here) and special values.
     */
    @Test
    void hardSigmoidIsClampToTheUnitIntervalWithDerivativeOneOnTheClosedInterval() {
        Activation f = Activation.HARD_SIGMOID;
        double below0 = Math.nextDown(0.0), above0 = Double.MIN_VALUE;
        double below1 = Math.nextDown(1.0), above1 = Math.nextUp(1.0);
        double[][] table = { // x, φ(x), φ'(x)
            {Double.NEGATIVE_INFINITY, 0, 0},
            {-1e300, 0, 0},
            {-3, 0, 0},
            {-1, 0, 0},
            {below0, 0, 0},
            {-0.0, 0, 1},
            {0.0, 0, 1},
            {above0, above0, 1},
            {0.25, 0.25, 1},
            {0.5, 0.5, 1},
            {below1, below1, 1},
            {1.0, 1, 1},
            {above1, 1, 0},
            {2, 1, 0},
            {3, 1, 0},
            {1e300, 1, 0},
            {Double.POSITIVE_INFINITY, 1, 0},
        };
        for (double[] row : table) {
            assertEquals(row[1], f.apply(row[0]), 0.0, "φ(" + row[0] + ")");
            assertEquals(row[2], f.derivative(row[0]), 0.0, "φ'(" + row[0] + ")");
        }
        assertTrue(Double.isNaN(f.apply(Double.NaN)), "φ(NaN) is NaN, as torch.clamp");
        assertEquals(0.0, f.derivative(Double.NaN), 0.0, "φ'(NaN) = 0: both comparisons are false");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f.apply(-0.0)), "−0 passes through");
        // the helpers the backends use are the enum's functions
        for (double[] row : table) {
            assertEquals(f.apply(row[0]), Activation.hardSigmoid(row[0]), 0.0);
            assertEquals(f.derivative(row[0]), Activation.hardSigmoidDerivative(row[0]), 0.0);
        }
    }

    @Test
    void theOrdinalsTheCudaKernelsUseStayPut() {
        // spi_elementwise.cu switches on Activation.ordinal(): new functions go at the end
        assertEquals(0, Activation.SIGMOID.ordinal());
        assertEquals(1, Activation.TANH.ordinal());
        assertEquals(2, Activation.RELU.ordinal());
        assertEquals(3, Activation.LINEAR.ordinal());
        assertEquals(4, Activation.SOFTPLUS.ordinal());
        assertEquals(5, Activation.HARD_SIGMOID.ordinal());
        assertEquals(6, Activation.values().length);
    }

    @Test
    void parseReadsEveryWordAndTheAliasesOfTheHardSigmoid() {
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.parse(a.configWord()), a.configWord());
            assertEquals(a, Activation.parse(a.name()), a.name());
            assertEquals(a, Activation.parse(" " + a.name().toLowerCase(java.util.Locale.ROOT) + " "));
        }
        assertEquals("hard-sigmoid", Activation.HARD_SIGMOID.configWord());
        assertEquals("softplus", Activation.SOFTPLUS.configWord());
        for (String w : new String[] {"hard-sigmoid", "hard_sigmoid", "hardsigmoid", "Hard-Sigmoid", "HARDSIGMOID"})
            assertEquals(Activation.HARD_SIGMOID, Activation.parse(w), w);
        assertEquals(Activation.TANH, Activation.parse("Tanh"));
        for (String bad : new String[] {"hard sigmoid", "hard-tanh", "", "sigmoid2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            for (String w : new String[] {
                "sigmoid", "tanh", "relu", "linear", "softplus", "hard-sigmoid", "hard_sigmoid", "hardsigmoid"
            }) assertTrue(e.getMessage().contains(w), w + " missing from: " + e.getMessage());
        }
    }
}
