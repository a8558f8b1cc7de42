package io.cortex4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LinearProbeTest {

    /** Labelled samples. */
    private record Data(double[][] x, int[] y) {}

    /** Isotropic Gaussian blobs of standard deviation {@code sd} around the given centres, classes in turn. */
    private static Data blobs(double[][] centres, double sd, int n, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int k = i % centres.length;
            double[] c = centres[k];
            x[i] = new double[c.length];
            for (int j = 0; j < c.length; j++) x[i][j] = c[j] + sd * rng.nextGaussian();
            y[i] = k;
        }
        return new Data(x, y);
    }

    private static final double[][] CORNERS = {{-3, -3}, {3, -3}, {-3, 3}, {3, 3}};

    private static double frobenius(double[][] w) {
        double s = 0;
        for (double[] row : w) for (double v : row) s += v * v;
        return Math.sqrt(s);
    }

    @Test
    void separatesWellSeparatedBlobs() {
        Data train = blobs(CORNERS, 1.0, 2000, 1);
        Data test = blobs(CORNERS, 1.0, 2000, 2);
        LinearProbe probe = LinearProbe.fit(train.x(), train.y(), 4);
        assertTrue(
                probe.accuracy(train.x(), train.y()) > 0.98, "train accuracy " + probe.accuracy(train.x(), train.y()));
        assertTrue(probe.accuracy(test.x(), test.y()) > 0.98, "test accuracy " + probe.accuracy(test.x(), test.y()));
        assertTrue(probe.converged(), "L-BFGS should reach the gradient tolerance on a regularised problem");
        assertEquals(4, probe.weights().length);
        assertEquals(2, probe.weights()[0].length);
        assertEquals(4, probe.bias().length);
    }

    @Test
    void matchesTheBayesOptimalRuleOnOverlappingClasses() {
        // Two unit-variance 1-D Gaussians at ∓1 with equal priors: the optimal rule is x > 0 → class 1,
        // with accuracy Φ(1) ≈ 0.8413.
        Data train = blobs(new double[][] {{-1}, {1}}, 1.0, 20000, 3);
        Data test = blobs(new double[][] {{-1}, {1}}, 1.0, 40000, 4);
        int optimalCorrect = 0;
        for (int i = 0; i < test.y().length; i++) if ((test.x()[i][0] > 0 ? 1 : 0) == test.y()[i]) optimalCorrect++;
        double optimal = (double) optimalCorrect / test.y().length;
        assertEquals(0.8413, optimal, 0.01, "sanity of the synthetic data");

        LinearProbe probe = LinearProbe.fit(train.x(), train.y(), 2);
        double accuracy = probe.accuracy(test.x(), test.y());
        assertEquals(optimal, accuracy, 0.01);
        // The learned threshold −(b1−b0)/(w1−w0) (in standardised units) is near 0 in raw units too.
        double[][] w = probe.weights();
        double[] b = probe.bias();
        assertTrue(w[1][0] > w[0][0], "class 1 lies to the right");
        double thresholdStd = -(b[1] - b[0]) / (w[1][0] - w[0][0]);
        assertEquals(0, thresholdStd, 0.05);
    }

    @Test
    void predictionsAreInvariantToAnAffineMapOfAFeature() {
        Data train = blobs(CORNERS, 2.0, 1000, 5);
        Data test = blobs(CORNERS, 2.0, 1000, 6);
        LinearProbe plain = LinearProbe.fit(train.x(), train.y(), 4);
        LinearProbe mapped = LinearProbe.fit(affine(train.x()), train.y(), 4);
        double[][] mappedTest = affine(test.x());
        for (int i = 0; i < test.x().length; i++) {
            assertEquals(plain.predict(test.x()[i]), mapped.predict(mappedTest[i]), "test sample " + i);
        }
        assertEquals(plain.accuracy(test.x(), test.y()), mapped.accuracy(mappedTest, test.y()));
        // Standardised weights agree (the negative scale flips the sign of column 1).
        double[][] wp = plain.weights(), wm = mapped.weights();
        for (int k = 0; k < 4; k++) {
            assertEquals(wp[k][0], wm[k][0], 1e-6);
            assertEquals(wp[k][1], -wm[k][1], 1e-6);
        }
        // The blob overlap makes this a non-trivial boundary: accuracy is well below 1.
        assertTrue(plain.accuracy(test.x(), test.y()) < 0.97);
    }

    /** Column 0 ↦ 1000·x + 5, column 1 ↦ −0.001·x − 7. */
    private static double[][] affine(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = new double[] {1000 * x[i][0] + 5, -0.001 * x[i][1] - 7};
        return out;
    }

    @Test
    void constantFeatureIsHarmless() {
        Data train = blobs(CORNERS, 1.0, 400, 7);
        double[][] x = new double[train.x().length][];
        for (int i = 0; i < x.length; i++) x[i] = new double[] {train.x()[i][0], 0.1, train.x()[i][1]};
        LinearProbe probe = LinearProbe.fit(x, train.y(), 4);
        assertTrue(probe.accuracy(x, train.y()) > 0.98);
        for (double[] w : probe.weights())
            assertEquals(0, w[1], 1e-9, "a constant standardised column is 0 and carries no weight");
    }

    @Test
    void analyticGradientMatchesFiniteDifferences() {
        Random rng = new Random(8);
        int n = 37, d = 3, classes = 4;
        double l2 = 0.3;
        double[] x = new double[n * d];
        for (int q = 0; q < x.length; q++) x[q] = rng.nextGaussian();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(classes);
        double[] theta = new double[classes * d + classes];
        for (int q = 0; q < theta.length; q++) theta[q] = 2 * rng.nextGaussian();
        double[] grad = new double[theta.length];
        LinearProbe.objective(x, n, d, y, classes, l2, theta, grad);

        double h = 1e-5;
        double[] scratch = new double[theta.length];
        for (int q = 0; q < theta.length; q++) {
            double[] plus = theta.clone(), minus = theta.clone();
            plus[q] += h;
            minus[q] -= h;
            double numeric = (LinearProbe.objective(x, n, d, y, classes, l2, plus, scratch)
                            - LinearProbe.objective(x, n, d, y, classes, l2, minus, scratch))
                    / (2 * h);
            assertEquals(numeric, grad[q], 1e-7 * Math.max(1, Math.abs(numeric)), "parameter " + q);
        }
    }

    @Test
    void objectiveIsStableForHugeLogits() {
        double[] x = {1, -1};
        int[] y = {0, 1};
        double[] theta = {1e5, -1e5, 0, 0}; // d = 1, classes = 2: W = [1e5, −1e5], b = 0
        double[] grad = new double[4];
        double f = LinearProbe.objective(x, 2, 1, y, 2, 0, theta, grad);
        assertEquals(0, f, 1e-12, "both samples are classified with certainty");
        y = new int[] {1, 0};
        f = LinearProbe.objective(x, 2, 1, y, 2, 0, theta, grad);
        assertEquals(2e5, f, 1e-6, "both wrong by a logit margin of 2e5");
        for (double g : grad) assertTrue(Double.isFinite(g));
    }

    @Test
    void lossDecreasesMonotonicallyOnSeparableData() {
        Data train = blobs(CORNERS, 0.5, 800, 9);
        LinearProbe probe = LinearProbe.fit(train.x(), train.y(), 4, 1e-10, 0);
        double[] trace = probe.lossTrace();
        assertEquals(Math.log(4), trace[0], 1e-12, "the start at zero predicts uniformly");
        assertTrue(trace.length > 5, "iterations " + trace.length);
        for (int i = 1; i < trace.length; i++) assertTrue(trace[i] <= trace[i - 1], "loss rose at iteration " + i);
        assertTrue(trace[trace.length - 1] < 1e-3 * trace[0], "final loss " + trace[trace.length - 1]);
        assertEquals(1.0, probe.accuracy(train.x(), train.y()));
    }

    @Test
    void largerPenaltyGivesSmallerWeights() {
        Data train = blobs(CORNERS, 1.5, 800, 10);
        double small =
                frobenius(LinearProbe.fit(train.x(), train.y(), 4, 1e-4, 0).weights());
        double large =
                frobenius(LinearProbe.fit(train.x(), train.y(), 4, 1.0, 0).weights());
        assertTrue(large < 0.5 * small, "‖W‖ " + large + " with l2 = 1 vs " + small + " with l2 = 1e-4");
    }

    @Test
    void fitIsDeterministicAndAccessorsCopy() {
        Data train = blobs(CORNERS, 1.5, 5000, 11); // large enough to evaluate in parallel blocks
        LinearProbe a = LinearProbe.fit(train.x(), train.y(), 4, 1e-3, 1);
        LinearProbe b = LinearProbe.fit(train.x(), train.y(), 4, 1e-3, 2);
        assertArrayEquals(a.bias(), b.bias());
        for (int k = 0; k < 4; k++) assertArrayEquals(a.weights()[k], b.weights()[k]);
        a.weights()[0][0] = 99;
        a.bias()[0] = 99;
        assertArrayEquals(b.weights()[0], a.weights()[0]);
        assertArrayEquals(b.bias(), a.bias());
    }

    private static void assertRejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(fragment),
                "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void rejectsBadInput() {
        double[][] ok = {{0, 1}, {1, 0}, {2, 2}};
        int[] labels = {0, 1, 0};
        assertRejects("empty", () -> LinearProbe.fit(new double[0][], new int[0], 2));
        assertRejects("no columns", () -> LinearProbe.fit(new double[][] {{}, {}}, new int[] {0, 1}, 2));
        assertRejects("row 2 has 1 columns", () -> LinearProbe.fit(new double[][] {{0, 1}, {1, 0}, {2}}, labels, 2));
        assertRejects("row 1 is null", () -> LinearProbe.fit(new double[][] {{0, 1}, null, {2, 2}}, labels, 2));
        assertRejects("labels[1] = 5", () -> LinearProbe.fit(ok, new int[] {0, 5, 1}, 2));
        assertRejects("labels[2] = -1", () -> LinearProbe.fit(ok, new int[] {0, 1, -1}, 2));
        assertRejects(
                "row 1, column 0) is NaN",
                () -> LinearProbe.fit(new double[][] {{0, 1}, {Double.NaN, 0}, {2, 2}}, labels, 2));
        assertRejects(
                "row 2, column 1) is Infinity",
                () -> LinearProbe.fit(new double[][] {{0, 1}, {1, 0}, {2, Double.POSITIVE_INFINITY}}, labels, 2));
        assertRejects("classes must be at least 2, got 1", () -> LinearProbe.fit(ok, new int[] {0, 0, 0}, 1));
        assertRejects("3 rows but labels has 2", () -> LinearProbe.fit(ok, new int[] {0, 1}, 2));
        assertRejects("l2", () -> LinearProbe.fit(ok, labels, 2, -1, 0));

        LinearProbe probe = LinearProbe.fit(ok, labels, 2);
        assertRejects("1 columns, expected 2", () -> probe.predict(new double[] {1}));
        assertRejects("feature[1] is NaN", () -> probe.predict(new double[] {1, Double.NaN}));
        assertRejects("labels[0] = 2", () -> probe.accuracy(ok, new int[] {2, 0, 0}));
        assertRejects(
                "3 columns, the probe was fitted on 2",
                () -> probe.accuracy(new double[][] {{1, 2, 3}}, new int[] {0}));
    }
}
