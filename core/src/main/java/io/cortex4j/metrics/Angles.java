package io.cortex4j.metrics;

/** Angles between matrices as the specs measure them (specs/pal.md §9.9). */
public final class Angles {
    private Angles() {}

    /**
     * The Frobenius angle deg(arccos(tr(AᵀB)/(‖A‖‖B‖))) between two equally sized matrices, in
     * degrees; NaN if either is zero.
     */
    public static double degrees(double[] a, double[] b) {
        if (a.length != b.length)
            throw new IllegalArgumentException(
                    "angle between matrices of " + a.length + " and " + b.length + " elements");
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        if (aa == 0 || bb == 0) return Double.NaN;
        double c = ab / Math.sqrt(aa * bb);
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, c))));
    }

    /** The transpose of a row-major [rows, cols] matrix. */
    public static double[] transpose(double[] m, int rows, int cols) {
        double[] t = new double[m.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        return t;
    }
}
