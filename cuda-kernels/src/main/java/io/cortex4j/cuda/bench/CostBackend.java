package io.cortex4j.cuda.bench;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A backend that computes nothing and counts what a model's step asks for: the floating-point
 * operations of its matrix products and the bytes its ops move, by op name. Tensors hold only a
 * shape, so a model of any size is built on it in milliseconds without a device; stepping it once
 * gives the analytic cost of a step from the model's real op sequence.
 *
 * <p><b>FLOPs</b>: 2·m·n·k for each {@link #gemm} (m×k times k×n) and for the outer product of
 * {@link #lowPassOuterApply} (aᵀb, a [K, m], b [K, n]: 2·m·n·K); element-wise arithmetic is not
 * counted (it is bound by memory, and the GEMM FLOPs are what compare with the SGEMM ceiling).
 *
 * <p><b>Bytes</b> (a traffic model, a lower bound of what each op must move when nothing stays in
 * cache between ops): every tensor an op reads is read once in full and every tensor it writes is
 * written once in full, at {@code length × dtype bytes}; a tensor that is read and updated (gemm
 * with β ≠ 0, axpby with b ≠ 0, the filters, the low-passed update) counts twice; a gather reads
 * from its source only as many elements as it writes; GEMM tiles re-read from cache are not
 * counted. On a GPU whose L2 holds the small tensors of a step the DRAM traffic can be lower, so
 * the fraction of bandwidth computed from this count is a model, not a measurement.
 *
 * <p>Like the CUDA backend it reports host syncs as not cheap, so models issue no
 * {@link #sameContent} (which would count its two reads and answer true); host transfers, allocation and reductions that return a host value are not counted
 * (they are not part of a steady step except sameContent).
 */
public final class CostBackend implements Backend {
    /** A shape-only tensor. */
    static final class ShapeTensor extends Tensor {
        private final CostBackend be;

        ShapeTensor(CostBackend be, DType dtype, int... shape) {
            super(dtype, shape);
            this.be = be;
        }

        @Override
        public Backend backend() {
            return be;
        }

        @Override
        public void close() {}
    }

    private double flops;
    private long bytes;
    private final Map<String, long[]> byOp = new LinkedHashMap<>(); // op → {calls, bytes, flops}

    /** Forgets everything counted so far. */
    public void reset() {
        flops = 0;
        bytes = 0;
        byOp.clear();
    }

    /** GEMM FLOPs counted since the last reset. */
    public double flops() {
        return flops;
    }

    /** Bytes counted since the last reset. */
    public long bytes() {
        return bytes;
    }

    /** Per op name: calls, bytes, FLOPs since the last reset. */
    public Map<String, long[]> byOp() {
        return byOp;
    }

    private static long b(Tensor t) {
        return t == null ? 0 : t.length() * t.dtype().bytes();
    }

    private void count(String op, long moved, double f) {
        bytes += moved;
        flops += f;
        long[] a = byOp.computeIfAbsent(op, k -> new long[3]);
        a[0]++;
        a[1] += moved;
        a[2] += (long) f;
    }

    @Override
    public String name() {
        return "cost";
    }

    @Override
    public String device() {
        return "op and byte counter (computes nothing)";
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return new ShapeTensor(this, dtype, shape);
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        java.util.Arrays.fill(dst, 0.0);
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {}

    @Override
    public void copyFromHost(float[] src, int srcOffset, Tensor dst) {}

    @Override
    public void copy(Tensor src, Tensor dst) {
        count("copy", b(src) + b(dst), 0);
    }

    @Override
    public void fill(Tensor t, double value) {
        count("fill", b(t), 0);
    }

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        long m = c.rows(), n = c.cols(), k = transA ? a.rows() : a.cols();
        count("gemm", b(a) + b(b) + b(c) + (beta != 0 ? b(c) : 0), 2.0 * m * n * k);
    }

    @Override
    public void transpose(Tensor src, double alpha, Tensor dst) {
        count("transpose", b(src) + b(dst), 0);
    }

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        count("axpby", b(x) + b(y) + (b != 0 ? b(y) : 0), 0);
    }

    @Override
    public void lincomb(Tensor out, double a, Tensor x, double b, Tensor y, double c, Tensor z) {
        count("lincomb", b(out) + b(x) + b(y) + b(z), 0);
    }

    @Override
    public void lincombActivation(Tensor out, double a, Tensor x, double b, Tensor y, Activation f, Tensor rate) {
        count(
                "lincombActivation",
                b(out) + b(x) + b(y) + b(rate),
                0); // one kernel: the intermediate is written, not read back
    }

    @Override
    public void lincombChain(
            Tensor mid,
            double a,
            Tensor x,
            double b,
            Tensor y,
            double c,
            Tensor z,
            Tensor out,
            double d,
            Tensor prev,
            double e) {
        count("lincombChain", b(mid) + b(x) + b(y) + (c != 0 ? b(z) : 0) + b(out) + b(prev), 0);
    }

    @Override
    public void mul(Tensor x, Tensor y, Tensor out) {
        count("mul", b(x) + b(y) + b(out), 0);
    }

    @Override
    public void div(Tensor x, Tensor y, Tensor out) {
        count("div", b(x) + b(y) + b(out), 0);
    }

    @Override
    public void activation(Activation f, double scale, Tensor x, Tensor out) {
        count("activation", b(x) + b(out), 0);
    }

    @Override
    public void activationDerivative(Activation f, double scale, Tensor x, Tensor out) {
        count("activationDerivative", b(x) + b(out), 0);
    }

    @Override
    public void activationAndDerivative(Activation f, double scale, Tensor x, Tensor out, Tensor deriv) {
        count("activationAndDerivative", b(x) + b(out) + b(deriv), 0);
    }

    @Override
    public void predictionError(Tensor r, Activation f, double scale, Tensor v, Tensor out) {
        count("predictionError", b(r) + b(v) + b(out), 0);
    }

    @Override
    public void ouStep(Tensor xi, CounterRandom rng, int stream, long step, double decay, double gain) {
        count("ouStep", 2 * b(xi), 0);
    }

    @Override
    public void highPass(Tensor hp, Tensor r, Tensor rOld, double k) {
        count("highPass", 2 * b(hp) + b(r) + b(rOld), 0);
    }

    @Override
    public void lifStep(
            Tensor current,
            Tensor u,
            Tensor refractory,
            Tensor s,
            Tensor a,
            Tensor g,
            double decay,
            double threshold,
            double tauTrace,
            int refractorySteps,
            Surrogate shape,
            double width) {
        long r = refractory == null ? 0 : 2 * b(refractory);
        count("lifStep", b(current) + 2 * b(u) + b(s) + 2 * b(a) + b(g) + r, 0);
    }

    @Override
    public void bernoulli(Tensor p, double scale, CounterRandom rng, int stream, long step, Tensor out) {
        count("bernoulli", b(p) + b(out), 0);
    }

    @Override
    public void burstHidden(
            Tensor u, Tensor e, double amplitude, double gain, double baseline, Tensor p, Tensor burst, Tensor delta) {
        count("burstHidden", b(u) + b(e) + b(p) + b(burst) + b(delta), 0);
    }

    @Override
    public void burstOutput(Tensor e, Tensor y, double baseline, Tensor p, Tensor burst, Tensor delta) {
        count("burstOutput", b(e) + b(y) + b(p) + b(burst) + b(delta), 0);
    }

    @Override
    public void lowPassOuterApply(double alpha, Tensor a, Tensor b, double k, Tensor lo, Tensor w) {
        // lo ← (1−k)·lo + alpha·aᵀb, w ← w + lo: a [K, m], b [K, n]
        count("lowPassOuterApply", b(a) + b(b) + 2 * b(lo) + 2 * b(w), 2.0 * a.cols() * b.cols() * a.rows());
    }

    @Override
    public void addRowVector(double alpha, Tensor row, Tensor m) {
        count("addRowVector", b(row) + 2 * b(m), 0);
    }

    @Override
    public void columnSums(double alpha, Tensor m, double beta, Tensor row) {
        count("columnSums", b(m) + b(row) + (beta != 0 ? b(row) : 0), 0);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out) {
        count("softmaxRows", b(x) + b(out), 0);
    }

    @Override
    public void signConcordant(Tensor w, Tensor m, double scale, Tensor out) {
        count("signConcordant", b(w) + b(m) + b(out), 0);
    }

    @Override
    public void im2col(Tensor x, ConvGeometry g, Tensor cols) {
        count("im2col", b(x) + b(cols), 0);
    }

    @Override
    public void col2im(Tensor cols, ConvGeometry g, Tensor x) {
        count("col2im", b(cols) + b(x), 0);
    }

    @Override
    public void blockTranspose(Tensor src, int p, int q, Tensor dst) {
        count("blockTranspose", b(src) + b(dst), 0);
    }

    @Override
    public void maxPool(Tensor x, int channels, int height, int width, int k, Tensor out, Tensor argmax) {
        count("maxPool", b(x) + b(out) + b(argmax), 0);
    }

    @Override
    public void gatherRows(Tensor src, Tensor idx, Tensor dst) {
        count("gatherRows", b(idx) + 2 * b(dst), 0); // reads as many source elements as it writes
    }

    @Override
    public void scatterRows(Tensor src, Tensor idx, Tensor dst) {
        count("scatterRows", b(src) + b(idx) + b(dst), 0);
    }

    @Override
    public void gleNeuronStep(
            Tensor s,
            Tensor ie,
            Tensor tauM,
            Tensor tauR,
            double dt,
            double gamma,
            boolean prospective,
            Tensor u,
            Tensor v,
            Tensor e,
            Tensor uDot,
            Tensor uBreve) {
        count("gleNeuronStep", b(s) + b(ie) + b(tauM) + b(tauR) + 2 * b(u) + 2 * b(v) + b(e) + b(uDot) + b(uBreve), 0);
    }

    @Override
    public void adamStep(
            Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, long t) {
        count("adamStep", 2 * b(p) + b(g) + 2 * b(m) + 2 * b(v), 0);
    }

    @Override
    public void clamp(Tensor x, double lo, double hi) {
        count("clamp", 2 * b(x), 0);
    }

    /** Counts the op sequence a CUDA step issues: like the CUDA backend, host reads are not cheap (no content checks). */
    @Override
    public boolean hostSyncIsCheap() {
        return false;
    }

    @Override
    public boolean sameContent(Tensor a, Tensor b) {
        count("sameContent", b(a) + b(b), 0);
        return true;
    }

    @Override
    public double sum(Tensor x) {
        return 0;
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        return 0;
    }

    @Override
    public double maxAbs(Tensor x) {
        return 0;
    }

    @Override
    public boolean hasNonFinite(Tensor x) {
        return false;
    }
}
