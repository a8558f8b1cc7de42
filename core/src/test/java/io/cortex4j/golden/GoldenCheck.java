package io.cortex4j.golden;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a backend's outputs of a {@link GoldenCases golden case} with the reference file's.
 *
 * <p>The criterion, element by element, for a case of tolerance {@code tol} (1e-4 for ops):
 * <pre>
 *   |got − ref| ≤ tol · max(|ref|, scale)
 * </pre>
 * where {@code scale} belongs to the output array: the case's own where it gives one (the
 * magnitude of the terms that produced an element, e.g. Σ|xᵢ| for a sum, 0.7·√k for a GEMM of
 * unit normals over k), otherwise the root mean square of the reference array. Elements as large
 * as the array's typical element or larger are thus held to a relative error of tol; elements
 * that are small only because terms cancelled (a GEMM entry, a linear combination near 0) to an
 * absolute error of tol·scale, which is what the rounding of their terms allows. (The scale is
 * at least Float.MIN_NORMAL, so an all-zero reference asks for zeros.) Non-finite references
 * must be matched exactly in kind: NaN by NaN, +∞ by +∞, −∞ by −∞.
 */
public final class GoldenCheck {
    private GoldenCheck() {}

    /** Mismatches listed in full in a message (the count is always given). */
    static final int SHOWN = 8;

    /** The scale of an output: its own, or the RMS of the reference. */
    public static double scale(GoldenCases.Output out, float[] ref) {
        if (!Double.isNaN(out.scale())) return Math.max(out.scale(), Float.MIN_NORMAL);
        double s = 0;
        int n = 0;
        for (float v : ref) {
            if (Float.isFinite(v)) {
                s += (double) v * v;
                n++;
            }
        }
        return Math.max(n == 0 ? 0 : Math.sqrt(s / n), Float.MIN_NORMAL);
    }

    /** The error of one element in units of tol: |got − ref| / max(|ref|, scale); 0 or ∞ for non-finite pairs. */
    public static double error(double got, double ref, double scale) {
        if (!Double.isFinite(ref) || !Double.isFinite(got)) {
            boolean same = Double.isNaN(ref) ? Double.isNaN(got) : got == ref;
            return same ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - ref) / Math.max(Math.abs(ref), scale);
    }

    /** The result of comparing one case: the mismatch lines (empty: it passed) and the largest error seen. */
    public record Result(String caseName, List<String> mismatches, double maxError, String worst) {
        public boolean passed() {
            return mismatches.isEmpty();
        }

        /** One message: the case, the number of mismatches and the first few, each naming array, index and both values. */
        public String message() {
            StringBuilder b = new StringBuilder("golden case " + caseName + ": " + mismatches.size() + " mismatch(es)");
            for (int i = 0; i < Math.min(SHOWN, mismatches.size()); i++)
                b.append("\n  ").append(mismatches.get(i));
            if (mismatches.size() > SHOWN) b.append("\n  …");
            return b.toString();
        }
    }

    /**
     * Compares {@code got} (a backend's outputs of case {@code c}) with the reference's outputs at the
     * case's tolerance. Missing, extra or differently sized arrays are mismatches too.
     */
    public static Result compare(
            GoldenCases.Case c, Map<String, GoldenCases.Output> got, Map<String, float[]> ref, String refSource) {
        return compare(c.name(), c.tolerance(), got, ref, refSource);
    }

    public static Result compare(
            String caseName,
            double tol,
            Map<String, GoldenCases.Output> got,
            Map<String, float[]> ref,
            String refSource) {
        List<String> bad = new ArrayList<>();
        double[] maxErr = {0};
        String[] worst = {""};
        if (!pairArrays(got, ref, refSource, bad, (name, out, g, r) -> {
            double scale = scale(out, r);
            for (int i = 0; i < g.length; i++) {
                double err = error(g[i], r[i], scale);
                if (err > maxErr[0] || Double.isNaN(err)) {
                    maxErr[0] = err;
                    worst[0] = name + "[" + i + "]";
                }
                if (!(err <= tol)) {
                    bad.add(String.format(
                            "array %s, index %d: got %s, reference %s (|Δ| = %.3g, %.3g × max(|ref|, scale %.3g), tolerance %.1g)",
                            name,
                            i,
                            Double.toString(g[i]),
                            Float.toString(r[i]),
                            Math.abs(g[i] - r[i]),
                            err,
                            scale,
                            tol));
                }
            }
        })) {
            return new Result(caseName, bad, Double.POSITIVE_INFINITY, "");
        }
        return new Result(caseName, bad, maxErr[0], worst[0]);
    }

    /**
     * Bit-for-bit comparison of a float32 run's outputs with the reference (the CPU backend against its own file):
     * every element, rounded to float32 (exact for a float32 run), must have the reference's bits.
     */
    public static Result compareBits(
            String caseName, Map<String, GoldenCases.Output> got, Map<String, float[]> ref, String refSource) {
        List<String> bad = new ArrayList<>();
        if (!pairArrays(got, ref, refSource, bad, (name, out, g, r) -> {
            for (int i = 0; i < g.length; i++) {
                if (Float.floatToRawIntBits((float) g[i]) != Float.floatToRawIntBits(r[i])) {
                    bad.add(String.format(
                            "array %s, index %d: got %s, reference %s (bits %08x vs %08x)",
                            name,
                            i,
                            Float.toString((float) g[i]),
                            Float.toString(r[i]),
                            Float.floatToRawIntBits((float) g[i]),
                            Float.floatToRawIntBits(r[i])));
                }
            }
        })) {
            return new Result(caseName, bad, Double.POSITIVE_INFINITY, "");
        }
        return new Result(caseName, bad, bad.isEmpty() ? 0 : Double.POSITIVE_INFINITY, "");
    }

    /** What the comparisons do with each array that both the run and the reference have, with equal lengths. */
    private interface PairedArray {
        void compare(String name, GoldenCases.Output out, double[] got, float[] ref);
    }

    /**
     * Pairs the run's arrays with the reference's by name: a missing case, or arrays missing on either
     * side or of another length, go to {@code bad}; the others to {@code each}. False if the case is missing.
     */
    private static boolean pairArrays(
            Map<String, GoldenCases.Output> got,
            Map<String, float[]> ref,
            String refSource,
            List<String> bad,
            PairedArray each) {
        if (ref == null) {
            bad.add("case missing from " + refSource + " (regenerate the reference file: see CpuGoldenReferenceTest)");
            return false;
        }
        for (String name : ref.keySet()) {
            if (!got.containsKey(name))
                bad.add("array " + name + " is in " + refSource
                        + " but the case no longer yields it (stale reference file?)");
        }
        for (Map.Entry<String, GoldenCases.Output> e : got.entrySet()) {
            String name = e.getKey();
            double[] g = e.getValue().values();
            float[] r = ref.get(name);
            if (r == null) {
                bad.add("array " + name + " is missing from " + refSource + " (stale reference file?)");
            } else if (r.length != g.length) {
                bad.add("array " + name + ": " + g.length + " elements, the reference has " + r.length);
            } else {
                each.compare(name, e.getValue(), g, r);
            }
        }
        return true;
    }
}
