package io.cortex4j.metrics;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The linear read-out that scores an autoencoder's latent code (specs/pal.md §5.3, the Fig. 5
 * evaluation): per-feature standardisation (like sklearn's {@code StandardScaler}) followed by a
 * multinomial logistic regression trained on the training-set latents and scored on the test
 * latents.
 *
 * <p>The classifier has weights {@code W[classes][d]} and a bias {@code b[classes]} acting on
 * standardised features {@code z = (x − mean) / std}; it minimises the mean softmax
 * cross-entropy plus {@code (l2/2)·‖W‖²} (the bias is not penalised) with full-batch L-BFGS
 * (history {@value #HISTORY}, backtracking Armijo line search), starting from zero and stopping
 * when the gradient's inf-norm falls below {@value #GRADIENT_TOLERANCE} or after
 * {@value #MAX_ITERATIONS} iterations. The fit is deterministic given the data: large problems
 * are split into fixed row blocks whose partial sums are combined in block order, so the
 * result does not depend on the number of threads.
 */
public final class LinearProbe {
    /** The L2 penalty of {@link #fit(double[][], int[], int)}. */
    public static final double DEFAULT_L2 = 1e-4;

    static final int HISTORY = 10;
    static final double GRADIENT_TOLERANCE = 1e-6;
    static final int MAX_ITERATIONS = 500;
    private static final double ARMIJO = 1e-4;
    private static final int MAX_BACKTRACKS = 60;
    /** Rows per block of the objective's evaluation. */
    private static final int BLOCK = 2048;
    /** Below this many multiply-adds per evaluation, blocks are evaluated on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 20;

    private final double[] mean;
    private final double[] scale;
    private final double[][] weights;
    private final double[] bias;
    private final double[] lossTrace;
    private final boolean converged;

    private LinearProbe(
            double[] mean, double[] scale, double[][] weights, double[] bias, double[] lossTrace, boolean converged) {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        this.bias = bias;
        this.lossTrace = lossTrace;
        this.converged = converged;
    }

    /** {@link #fit(double[][], int[], int, double, long)} with l2 = {@value #DEFAULT_L2}, seed 0. */
    public static LinearProbe fit(double[][] features, int[] labels, int classes) {
        return fit(features, labels, classes, DEFAULT_L2, 0);
    }

    /**
     * Fits standardisation (per-feature mean and population standard deviation of the training
     * features; a constant feature gets std 1) and a multinomial logistic regression (softmax
     * with bias, L2 penalty {@code l2} on the weights only) on {@code features[n][d]} with
     * labels in {@code [0, classes)}.
     *
     * @param seed accepted for API stability; the optimisation starts at zero and breaks no
     *     ties at random, so the result does not depend on it
     * @throws IllegalArgumentException on empty or ragged data, non-finite features, labels out
     *     of range, mismatched lengths, {@code classes < 2} or a negative or non-finite l2
     */
    public static LinearProbe fit(double[][] features, int[] labels, int classes, double l2, long seed) {
        if (classes < 2) throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        if (!(l2 >= 0) || Double.isInfinite(l2))
            throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
        int d = checkData(features, labels, classes);
        int n = features.length;

        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double first = features[0][j];
            boolean constant = true;
            double sum = 0;
            for (double[] row : features) {
                sum += row[j];
                constant &= row[j] == first;
            }
            if (constant) {
                mean[j] = first;
                scale[j] = 1;
                continue;
            }
            double m = sum / n;
            double ss = 0;
            for (double[] row : features) ss += (row[j] - m) * (row[j] - m);
            double std = Math.sqrt(ss / n);
            mean[j] = m;
            scale[j] = std > 0 ? std : 1;
        }
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[i * d + j] = (features[i][j] - mean[j]) / scale[j];

        Minimum min = minimise(x, n, d, labels, classes, l2);
        double[][] w = new double[classes][d];
        for (int k = 0; k < classes; k++) System.arraycopy(min.theta, k * d, w[k], 0, d);
        double[] b = Arrays.copyOfRange(min.theta, classes * d, classes * d + classes);
        return new LinearProbe(mean, scale, w, b, min.trace, min.converged);
    }

    /** The predicted class of one raw (unstandardised) feature vector; ties go to the lowest class. */
    public int predict(double[] feature) {
        if (feature == null) throw new IllegalArgumentException("feature is null");
        int d = mean.length;
        if (feature.length != d)
            throw new IllegalArgumentException("feature has " + feature.length + " columns, expected " + d);
        double[] z = new double[d];
        for (int j = 0; j < d; j++) {
            if (!Double.isFinite(feature[j])) throw new IllegalArgumentException("feature[" + j + "] is " + feature[j]);
            z[j] = (feature[j] - mean[j]) / scale[j];
        }
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < weights.length; k++) {
            double logit = bias[k];
            for (int j = 0; j < d; j++) logit += weights[k][j] * z[j];
            if (logit > bestLogit) {
                bestLogit = logit;
                best = k;
            }
        }
        return best;
    }

    /** The fraction of {@code features} whose prediction equals the label, in [0, 1]. */
    public double accuracy(double[][] features, int[] labels) {
        int d = checkData(features, labels, weights.length);
        if (d != mean.length)
            throw new IllegalArgumentException(
                    "features have " + d + " columns, the probe was fitted on " + mean.length);
        int correct = 0;
        for (int i = 0; i < features.length; i++) if (predict(features[i]) == labels[i]) correct++;
        return (double) correct / features.length;
    }

    /** The weights {@code [classes][d]} acting on standardised features (a copy). */
    public double[][] weights() {
        double[][] copy = new double[weights.length][];
        for (int k = 0; k < weights.length; k++) copy[k] = weights[k].clone();
        return copy;
    }

    /** The bias {@code [classes]} (a copy). */
    public double[] bias() {
        return bias.clone();
    }

    /** The objective at the start and after each accepted L-BFGS iteration (a copy). */
    double[] lossTrace() {
        return lossTrace.clone();
    }

    /** Whether the gradient's inf-norm fell below the tolerance before the iteration limit. */
    boolean converged() {
        return converged;
    }

    /** Checks features and labels against each other and returns the number of columns. */
    private static int checkData(double[][] features, int[] labels, int classes) {
        if (features == null || features.length == 0)
            throw new IllegalArgumentException("no samples: features is " + (features == null ? "null" : "empty"));
        if (labels == null) throw new IllegalArgumentException("labels is null");
        if (labels.length != features.length)
            throw new IllegalArgumentException(
                    "features has " + features.length + " rows but labels has " + labels.length);
        if (features[0] == null) throw new IllegalArgumentException("features row 0 is null");
        int d = features[0].length;
        if (d == 0) throw new IllegalArgumentException("features have no columns (row 0 is empty)");
        for (int i = 0; i < features.length; i++) {
            double[] row = features[i];
            if (row == null) throw new IllegalArgumentException("features row " + i + " is null");
            if (row.length != d)
                throw new IllegalArgumentException(
                        "features row " + i + " has " + row.length + " columns, expected " + d + " (as row 0)");
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(row[j]))
                    throw new IllegalArgumentException(
                            "features[" + i + "][" + j + "] (row " + i + ", column " + j + ") is " + row[j]);
            }
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "labels[" + i + "] = " + labels[i] + " is out of range [0, " + classes + ")");
            }
        }
        return d;
    }

    /** The result of {@link #minimise}. */
    private record Minimum(double[] theta, double[] trace, boolean converged) {}

    /** Full-batch L-BFGS from zero on the objective of {@link #objective}. */
    private static Minimum minimise(double[] x, int n, int d, int[] labels, int classes, double l2) {
        int p = classes * d + classes;
        double[] theta = new double[p];
        double[] grad = new double[p];
        double f = objective(x, n, d, labels, classes, l2, theta, grad);
        double[] trace = new double[MAX_ITERATIONS + 1];
        trace[0] = f;
        int steps = 0;

        double[][] s = new double[HISTORY][];
        double[][] y = new double[HISTORY][];
        double[] rho = new double[HISTORY];
        double[] alpha = new double[HISTORY];
        int stored = 0, newest = -1;

        double[] dir = new double[p];
        double[] trial = new double[p];
        double[] trialGrad = new double[p];
        boolean converged = infNorm(grad) < GRADIENT_TOLERANCE;
        while (!converged && steps < MAX_ITERATIONS) {
            // Two-loop recursion: dir = −H·grad with the stored curvature pairs.
            System.arraycopy(grad, 0, dir, 0, p);
            for (int m = 0; m < stored; m++) {
                int i = Math.floorMod(newest - m, HISTORY);
                alpha[i] = rho[i] * dot(s[i], dir);
                axpy(-alpha[i], y[i], dir);
            }
            if (stored > 0) {
                double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
                for (int q = 0; q < p; q++) dir[q] *= gamma;
            }
            for (int m = stored - 1; m >= 0; m--) {
                int i = Math.floorMod(newest - m, HISTORY);
                double beta = rho[i] * dot(y[i], dir);
                axpy(alpha[i] - beta, s[i], dir);
            }
            for (int q = 0; q < p; q++) dir[q] = -dir[q];
            double slope = dot(grad, dir);
            if (!(slope < 0)) { // not a descent direction: forget the history, go downhill
                stored = 0;
                for (int q = 0; q < p; q++) dir[q] = -grad[q];
                slope = dot(grad, dir);
            }

            // Backtracking until the Armijo condition holds; the first step is scaled when no
            // curvature is known yet.
            double t = stored > 0 ? 1 : Math.min(1, 1 / Math.sqrt(-slope));
            double fTrial = Double.NaN;
            boolean accepted = false;
            for (int k = 0; k < MAX_BACKTRACKS; k++) {
                for (int q = 0; q < p; q++) trial[q] = theta[q] + t * dir[q];
                fTrial = objective(x, n, d, labels, classes, l2, trial, trialGrad);
                if (fTrial <= f + ARMIJO * t * slope) {
                    accepted = true;
                    break;
                }
                t *= 0.5;
            }
            if (!accepted) {
                if (stored == 0) break; // no progress even downhill: at the limit of precision
                stored = 0;
                continue;
            }

            // Curvature pair; the objective is convex, so sᵀy ≥ 0, and flat pairs are skipped.
            double[] sNew = new double[p];
            double[] yNew = new double[p];
            for (int q = 0; q < p; q++) {
                sNew[q] = trial[q] - theta[q];
                yNew[q] = trialGrad[q] - grad[q];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12 * dot(yNew, yNew) && sy > 0) {
                newest = (newest + 1) % HISTORY;
                s[newest] = sNew;
                y[newest] = yNew;
                rho[newest] = 1 / sy;
                stored = Math.min(stored + 1, HISTORY);
            }
            System.arraycopy(trial, 0, theta, 0, p);
            System.arraycopy(trialGrad, 0, grad, 0, p);
            f = fTrial;
            trace[++steps] = f;
            converged = infNorm(grad) < GRADIENT_TOLERANCE;
        }
        return new Minimum(theta, Arrays.copyOf(trace, steps + 1), converged);
    }

    /**
     * The objective (1/n)·Σᵢ [logsumexp(zᵢ) − zᵢ,yᵢ] + (l2/2)·‖W‖², with logits
     * {@code zᵢ = W·xᵢ + b}, at parameters {@code theta = [W row-major (classes×d), b]}; writes its
     * gradient into {@code grad} (same layout) and returns the value. {@code x} holds n rows of d
     * (already standardised) features, row-major.
     */
    static double objective(
            double[] x, int n, int d, int[] labels, int classes, double l2, double[] theta, double[] grad) {
        int p = classes * d + classes;
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[][] partialGrad = new double[blocks][p];
        double[] partialLoss = new double[blocks];
        IntStream range = IntStream.range(0, blocks);
        if ((long) n * d * classes >= PARALLEL_WORK && blocks > 1) range = range.parallel();
        range.forEach(bk -> partialLoss[bk] = blockObjective(
                x, bk * BLOCK, Math.min(n, (bk + 1) * BLOCK), d, labels, classes, theta, partialGrad[bk]));

        double loss = 0;
        Arrays.fill(grad, 0);
        for (int bk = 0; bk < blocks; bk++) {
            loss += partialLoss[bk];
            double[] g = partialGrad[bk];
            for (int q = 0; q < p; q++) grad[q] += g[q];
        }
        loss /= n;
        for (int q = 0; q < p; q++) grad[q] /= n;
        double penalty = 0;
        for (int q = 0; q < classes * d; q++) {
            penalty += theta[q] * theta[q];
            grad[q] += l2 * theta[q];
        }
        return loss + 0.5 * l2 * penalty;
    }

    /** The summed cross-entropy of rows [from, to), adding its gradient into {@code grad}. */
    private static double blockObjective(
            double[] x, int from, int to, int d, int[] labels, int classes, double[] theta, double[] grad) {
        int biasAt = classes * d;
        double[] z = new double[classes];
        double loss = 0;
        for (int i = from; i < to; i++) {
            int row = i * d;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double logit = theta[biasAt + k];
                int w = k * d;
                for (int j = 0; j < d; j++) logit += theta[w + j] * x[row + j];
                z[k] = logit;
                if (logit > max) max = logit;
            }
            int label = labels[i];
            double labelLogit = z[label];
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                z[k] = Math.exp(z[k] - max); // from here on z holds the shifted exponentials
                sum += z[k];
            }
            loss += max + Math.log(sum) - labelLogit;
            for (int k = 0; k < classes; k++) {
                double r = z[k] / sum - (k == label ? 1 : 0);
                int w = k * d;
                for (int j = 0; j < d; j++) grad[w + j] += r * x[row + j];
                grad[biasAt + k] += r;
            }
        }
        return loss;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }

    private static double infNorm(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
