package io.cortex4j.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The argument checks of the {@link Backend} ops, shared by every backend so that a bad call fails
 * with the same {@link IllegalArgumentException} and message on each. Each method checks what the op's
 * contract says about shapes, dtypes and aliasing, and nothing about where the tensors live (each
 * backend checks that its tensors are its own).
 */
public final class OpChecks {
    private OpChecks() {}

    /** Same length and dtype. */
    public static void sameLength(Tensor a, Tensor b) {
        if (a.length() != b.length() || a.dtype() != b.dtype())
            throw new IllegalArgumentException("operands differ: " + a + " vs " + b);
    }

    /** A host array of {@code length} values for tensor t (either direction of a transfer). */
    public static void hostArray(int length, Tensor t) {
        if (length != t.length()) throw new IllegalArgumentException("host array of " + length + " for " + t);
    }

    /** {@link Backend#gemm}: returns {m, n, k} of c[m,n] = op(a)[m,k] · op(b)[k,n]. */
    public static int[] gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        if (a.dtype() != c.dtype() || b.dtype() != c.dtype())
            throw new IllegalArgumentException("gemm dtypes differ: " + a + ", " + b + ", " + c);
        if (c == a || c == b) throw new IllegalArgumentException("gemm output must not alias an input");
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm shapes: op(" + a + ")" + (transA ? "ᵀ" : "") + " · op(" + b + ")"
                    + (transB ? "ᵀ" : "") + " into " + c);
        }
        return new int[] {m, n, k};
    }

    public static void transpose(Tensor src, Tensor dst) {
        if (dst.rows() != src.cols() || dst.cols() != src.rows() || src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("transpose " + src + " into " + dst);
        }
        if (src == dst) throw new IllegalArgumentException("transpose must not run in place");
    }

    /** {@link Backend#blockTranspose}: returns the block size p·q. */
    public static long blockTranspose(Tensor src, int p, int q, Tensor dst) {
        sameLength(src, dst);
        if (src == dst) throw new IllegalArgumentException("blockTranspose must not run in place");
        long block = (long) p * q;
        if (p < 1 || q < 1 || src.length() % block != 0)
            throw new IllegalArgumentException("blockTranspose: " + p + "×" + q + " blocks of " + src);
        return block;
    }

    /** {@link Backend#burstHidden}, {@link Backend#burstOutput}: inputs a, b and outputs p, burst, delta of one length, the outputs distinct. */
    public static void burst(Tensor a, Tensor b, Tensor p, Tensor burst, Tensor delta) {
        sameLength(a, p);
        sameLength(b, p);
        sameLength(burst, p);
        sameLength(delta, p);
        if (p == burst || p == delta || burst == delta)
            throw new IllegalArgumentException("burst ops need distinct p, burst and delta tensors");
    }

    /** {@link Backend#lifStep}: tensors of one length and type, the state and outputs distinct. */
    public static void lif(
            Tensor current, Tensor u, Tensor refractory, Tensor s, Tensor a, Tensor g, int refractorySteps) {
        sameLength(current, u);
        sameLength(s, u);
        sameLength(a, u);
        sameLength(g, u);
        if (refractory != null) sameLength(refractory, u);
        if (refractorySteps < 0)
            throw new IllegalArgumentException("refractorySteps must be ≥ 0, got " + refractorySteps);
        if (refractorySteps > 0 && refractory == null)
            throw new IllegalArgumentException("a refractory period needs its counter tensor");
        List<Tensor> out = new ArrayList<>(List.of(u, s, a, g));
        if (refractory != null) out.add(refractory);
        for (int i = 0; i < out.size(); i++)
            for (int j = i + 1; j < out.size(); j++)
                if (out.get(i) == out.get(j))
                    throw new IllegalArgumentException("lifStep needs distinct u, s, a, g and refractory tensors");
    }

    /** {@link Backend#activationAndDerivative}: three distinct tensors. */
    public static void distinctActivationOutputs(Tensor x, Tensor out, Tensor deriv) {
        if (out == deriv || out == x || deriv == x)
            throw new IllegalArgumentException("activationAndDerivative needs three distinct tensors");
    }

    public static void lowPassOuterApply(Tensor a, Tensor b, Tensor lo, Tensor w) {
        int batch = a.rows(), m = a.cols(), n = b.cols();
        if (b.rows() != batch
                || lo.rows() != m
                || lo.cols() != n
                || !lo.sameShape(w)
                || a.dtype() != lo.dtype()
                || b.dtype() != lo.dtype()
                || w.dtype() != lo.dtype()) {
            throw new IllegalArgumentException("lowPassOuterApply: a " + a + ", b " + b + ", lo " + lo + ", w " + w);
        }
    }

    public static void addRowVector(Tensor row, Tensor m) {
        if (row.length() != m.cols() || row.dtype() != m.dtype())
            throw new IllegalArgumentException("addRowVector: row " + row + " for " + m);
    }

    public static void columnSums(Tensor m, Tensor row) {
        if (row.length() != m.cols() || row.dtype() != m.dtype())
            throw new IllegalArgumentException("columnSums: " + m + " into " + row);
        if (row == m) throw new IllegalArgumentException("columnSums must not run in place");
    }

    /** im2col / col2im: input [batch, inputLength] and columns [batch·positions, patch]. */
    public static void convShapes(String op, Tensor x, ConvGeometry g, Tensor cols) {
        if (x.cols() != g.inputLength()
                || cols.rows() != x.rows() * g.positions()
                || cols.cols() != g.patch()
                || x.dtype() != cols.dtype()) {
            throw new IllegalArgumentException(op + ": input " + x + ", columns " + cols + " for " + g);
        }
    }

    public static void maxPool(Tensor x, int channels, int height, int width, int k, Tensor out, Tensor argmax) {
        int oh = k < 1 ? 0 : height / k,
                ow = k < 1 ? 0 : width / k,
                in = channels * height * width,
                outLen = channels * oh * ow;
        if (k < 1
                || x.cols() != in
                || out.rows() != x.rows()
                || out.cols() != outLen
                || !argmax.sameShape(out)
                || x.dtype() != out.dtype()
                || argmax.dtype() != out.dtype()) {
            throw new IllegalArgumentException("maxPool " + k + "×" + k + " of " + channels + "×" + height + "×" + width
                    + ": " + x + " into " + out + ", " + argmax);
        }
    }

    public static void gatherRows(Tensor src, Tensor idx, Tensor dst) {
        if (src.rows() != dst.rows()
                || !idx.sameShape(dst)
                || src.dtype() != dst.dtype()
                || idx.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("gatherRows: " + src + " by " + idx + " into " + dst);
        }
    }

    public static void scatterRows(Tensor src, Tensor idx, Tensor dst) {
        if (dst.rows() != src.rows()
                || !idx.sameShape(src)
                || src.dtype() != dst.dtype()
                || idx.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("scatterRows: " + src + " by " + idx + " into " + dst);
        }
        if (dst == src) throw new IllegalArgumentException("scatterRows must not run in place");
    }

    public static void gleNeuronStep(
            Tensor s, Tensor ie, Tensor tauM, Tensor tauR, Tensor u, Tensor v, Tensor e, Tensor uDot, Tensor uBreve) {
        int rows = u.rows(), n = u.cols();
        for (Tensor t : new Tensor[] {s, ie, v, e, uDot, uBreve}) {
            if (t.rows() != rows || t.cols() != n || t.dtype() != u.dtype())
                throw new IllegalArgumentException("gleNeuronStep: " + t + " for u " + u);
        }
        for (Tensor t : new Tensor[] {tauM, tauR}) {
            if (t.length() != n || t.dtype() != u.dtype())
                throw new IllegalArgumentException("gleNeuronStep: time constants " + t + " for u " + u);
        }
        if (e == u
                || e == v
                || e == s
                || e == ie
                || uDot == u
                || uBreve == u
                || uDot == uBreve
                || e == uDot
                || e == uBreve) {
            throw new IllegalArgumentException(
                    "gleNeuronStep: e, uDot and uBreve must be distinct from each other and from the inputs");
        }
    }

    public static void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, long t) {
        sameLength(p, g);
        sameLength(p, m);
        sameLength(p, v);
        if (t < 1) throw new IllegalArgumentException("adamStep: step count must be ≥ 1, got " + t);
    }

    public static void clamp(double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lo " + lo + " > hi " + hi);
    }
}
