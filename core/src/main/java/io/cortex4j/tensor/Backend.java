package io.cortex4j.tensor;

import io.cortex4j.random.CounterRandom;

/**
 * Where tensors live and how ops run. The set of ops is small and shaped by what the models need:
 * allocation and host transfer, GEMM with transposes, a few elementwise maps and linear
 * combinations, the fused updates of the continuous-time families (OU noise, high-pass and
 * low-pass filters), and reductions. Every op writes into a tensor the caller owns, so a step of a
 * model allocates nothing. Every backend passes the shared conformance suite
 * ({@code BackendConformanceTest}).
 *
 * <p>Unless an op says otherwise, all tensor arguments must have the same dtype and the same
 * number of elements, and an output may alias an input.
 */
public interface Backend extends AutoCloseable {
    /** Short name used in configs and provenance, e.g. "cpu". */
    String name();

    /** Human-readable description of the device, e.g. the CPU model and BLAS threads. */
    String device();

    Tensor zeros(DType dtype, int... shape);

    default Tensor fromHost(DType dtype, double[] data, int... shape) {
        Tensor t = zeros(dtype, shape);
        copyFromHost(data, t);
        return t;
    }

    void copyToHost(Tensor src, double[] dst);

    void copyFromHost(double[] src, Tensor dst);

    /** Fills {@code dst} (row-major) from {@code src[srcOffset .. srcOffset + dst.length())}. */
    default void copyFromHost(float[] src, int srcOffset, Tensor dst) {
        double[] tmp = new double[Math.toIntExact(dst.length())];
        for (int i = 0; i < tmp.length; i++) tmp[i] = src[srcOffset + i];
        copyFromHost(tmp, dst);
    }

    void copy(Tensor src, Tensor dst);

    void fill(Tensor t, double value);

    /**
     * {@code c = alpha · op(a) · op(b) + beta · c} on matrices ({@link Tensor#rows()} ×
     * {@link Tensor#cols()}), where op transposes when asked. With beta = 0 the old content of c is
     * ignored (also NaN).
     */
    void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /** {@code dst = alpha · srcᵀ} for a matrix src of shape [r, c] and dst of shape [c, r]. */
    void transpose(Tensor src, double alpha, Tensor dst);

    /** {@code y = a·x + b·y}. */
    void axpby(double a, Tensor x, double b, Tensor y);

    /** {@code out = a·x + b·y + c·z}; z may be null (then c is ignored). */
    void lincomb(Tensor out, double a, Tensor x, double b, Tensor y, double c, Tensor z);

    /** {@code out = x ⊙ y}. */
    void mul(Tensor x, Tensor y, Tensor out);

    /** {@code out = x / y} elementwise, by IEEE rules (x/0 is ±∞, 0/0 NaN). */
    void div(Tensor x, Tensor y, Tensor out);

    /** {@code out = f(scale · x)}. */
    void activation(Activation f, double scale, Tensor x, Tensor out);

    /** {@code out = f'(scale · x)}. */
    void activationDerivative(Activation f, double scale, Tensor x, Tensor out);

    /**
     * {@code out = f(scale · x)} and {@code deriv = f'(scale · x)} in one pass, with the values of
     * {@link #activation} and {@link #activationDerivative} (a backend may share the work, e.g. one
     * exponential for the sigmoid). {@code out} and {@code deriv} must not alias each other; either
     * may alias x only if a backend documents it, so callers pass three distinct tensors.
     */
    default void activationAndDerivative(Activation f, double scale, Tensor x, Tensor out, Tensor deriv) {
        if (out == deriv || out == x || deriv == x)
            throw new IllegalArgumentException("activationAndDerivative needs three distinct tensors");
        activation(f, scale, x, out);
        activationDerivative(f, scale, x, deriv);
    }

    /** {@code out = r − f(scale · v)}: a rate minus the rate predicted from a dendritic potential. */
    void predictionError(Tensor r, Activation f, double scale, Tensor v, Tensor out);

    /**
     * One Euler step of an Ornstein–Uhlenbeck process, {@code ξ ← decay·ξ + gain·w} with w standard
     * normal from {@code rng} at (stream, step): element i of ξ (row-major) takes stream element i.
     */
    void ouStep(Tensor xi, CounterRandom rng, int stream, long step, double decay, double gain);

    /** High-pass filter {@code hp ← hp + (r − rOld) − k·hp}. */
    void highPass(Tensor hp, Tensor r, Tensor rOld, double k);

    /**
     * The burst probability of a hidden layer from its apical potential u and event rate e (BurstCCN,
     * specs/burstccn.md §2.3, general form): {@code p = amplitude·σ(gain·u⊙(1−e))}, the burst rate
     * {@code burst = p⊙e}, and its deviation from the baseline burst rate, {@code delta = p⊙e − baseline·e}
     * (p and the baseline are rounded to the tensor's precision before they are used, so p at the
     * baseline gives delta 0 exactly). Five tensors of one length; p, burst and delta distinct.
     */
    void burstHidden(
            Tensor u, Tensor e, double amplitude, double gain, double baseline, Tensor p, Tensor burst, Tensor delta);

    /**
     * The burst probability of an output layer under a teacher y (BurstCCN, specs/burstccn.md §2.2):
     * {@code p = baseline·((y − e)⊙(1 − e) + 1)}, {@code burst = p⊙e}, {@code delta = p⊙e − baseline·e}
     * (p and the baseline rounded first). With y = e it is the baseline and delta is exactly 0.
     */
    void burstOutput(Tensor e, Tensor y, double baseline, Tensor p, Tensor burst, Tensor delta);

    /**
     * One step of discrete-time leaky integrate-and-fire neurons (unit time step, specs/yangli.md §3),
     * per element, in double, each result rounded once to the tensors' type. A neuron in its refractory
     * period ({@code refractory} &gt; 0) holds u = 0, does not spike, has g = 0 and counts the period down
     * by 1. Any other integrates {@code u ← decay·u + current} (rounded), spikes (s = 1, else 0) when
     * u ≥ threshold, takes the surrogate derivative {@code g = shape(u)} of that potential, and after a
     * spike resets u to 0 and starts a refractory period of {@code refractorySteps}. Every neuron's
     * trace then follows {@code a ← a + (s − a)/tauTrace}. {@code refractory} may be null when
     * {@code refractorySteps} is 0. Tensors of one length and type; u, s, a, g (and refractory) distinct.
     */
    void lifStep(
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
            double width);

    /**
     * Bernoulli draws, e.g. Poisson spike encoding: {@code out[i] = 1} where the uniform of element i
     * of {@code (stream, step)} ({@link CounterRandom#uniform}, in (0, 1]) is ≤ {@code scale·p[i]} (in
     * double), else 0. p and out of one length and type; they may be the same tensor.
     */
    void bernoulli(Tensor p, double scale, CounterRandom rng, int stream, long step, Tensor out);

    /**
     * The low-passed outer-product update of a weight matrix, fused: {@code lo ← (1−k)·lo + alpha·aᵀb}
     * then {@code w ← w + lo}, for a [B, m], b [B, n], lo and w [m, n] (the batch is summed).
     */
    void lowPassOuterApply(double alpha, Tensor a, Tensor b, double k, Tensor lo, Tensor w);

    /** {@code m[i, :] += alpha · row} for every row i of m [rows, n]; row holds n elements. */
    void addRowVector(double alpha, Tensor row, Tensor m);

    /** {@code row = beta · row + alpha · Σ_i m[i, :]}: the column sums of m [rows, n] into n elements. */
    void columnSums(double alpha, Tensor m, double beta, Tensor row);

    /** Softmax of each row of x [rows, n] into out (max-subtracted, so large inputs do not overflow). */
    void softmaxRows(Tensor x, Tensor out);

    /**
     * Sign-concordant feedback {@code out = scale · |m| ⊙ sign(w)} (Liao et al. 2016); with m null the
     * magnitudes are 1. sign(0) = 0.
     */
    void signConcordant(Tensor w, Tensor m, double scale, Tensor out);

    /**
     * Unfolds the receptive fields of x [B, C·H·W] (channel-major per sample) into
     * cols [B·P, C·k·k]: row {@code b·P + oy·OW + ox} holds the zero-padded patch of output position
     * (oy, ox) of sample b, in (c, ky, kx) order. P = {@link ConvGeometry#positions()}.
     */
    void im2col(Tensor x, ConvGeometry g, Tensor cols);

    /**
     * The adjoint of {@link #im2col}: {@code x = Σ} of every patch element of cols [B·P, C·k·k] added
     * back at its input position (overlaps add, padding is dropped). x [B, C·H·W] is overwritten.
     */
    void col2im(Tensor cols, ConvGeometry g, Tensor x);

    /**
     * Transposes each of the consecutive p×q row-major blocks of src into q×p blocks of dst (same
     * element count, a multiple of p·q): e.g. [B·P, F] position rows ↔ [B, F·P] channel maps.
     * dst must not alias src.
     */
    void blockTranspose(Tensor src, int p, int q, Tensor dst);

    /**
     * Non-overlapping k×k max-pooling of x [B, C·H·W] into out [B, C·⌊H/k⌋·⌊W/k⌋]; {@code argmax}
     * (shaped like out) receives, for every output, the index within the sample's row of x of the
     * maximum (the first one on ties; −0 and +0 tie; a NaN is the maximum, the first NaN if several).
     */
    void maxPool(Tensor x, int channels, int height, int width, int k, Tensor out, Tensor argmax);

    /** {@code dst[b, j] = src[b, idx[b, j]]} for src [B, n] and idx, dst [B, m]. */
    void gatherRows(Tensor src, Tensor idx, Tensor dst);

    /** {@code dst = 0}, then {@code dst[b, idx[b, j]] += src[b, j]} for src, idx [B, m] and dst [B, n]. */
    void scatterRows(Tensor src, Tensor idx, Tensor dst);

    /**
     * One Euler step of a layer of GLE neuron pairs (specs/gle.md §5), element by element over
     * [B, n], with per-neuron time constants {@code tauM} and {@code tauR} (n elements, broadcast
     * over the rows). It reads the old u and v and overwrites them:
     * <pre>
     *   prospective:  v̇ = (ie − v)/τr,  e = v + τm·v̇,  v ← v + dt·v̇      otherwise: e = ie, v ← ie
     *   u̇ = (s + γ·e − u)/τm,  ŭ = u + τr·u̇,  u ← u + dt·u̇
     * </pre>
     * into {@code e}, {@code uDot} and {@code uBreve} [B, n], where s is the synaptic drive
     * r_in·Wᵀ + b and ie the instantaneous error φ'(ŭ_old) ⊙ (e_above·W_above).
     */
    void gleNeuronStep(
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
            Tensor uBreve);

    /**
     * One Adam step (Kingma &amp; Ba, PyTorch's formulation without weight decay) of parameter p with
     * gradient g and moments m, v (all the same length), t ≥ 1 being the step count:
     * <pre>
     *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
     *   p ← p − (lr/(1−β1^t)) · m / (√v/√(1−β2^t) + ε)
     * </pre>
     */
    void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, long t);

    /** {@code x ← min(max(x, lo), hi)} element by element (NaN stays NaN). */
    void clamp(Tensor x, double lo, double hi);

    /**
     * {@code out ← a·x + b·y}, then {@code rate ← f(out)}: {@link #lincomb} (no z term) followed by
     * {@link #activation} with scale 1, with exactly their results; a backend may run both in one pass
     * (the CUDA backend: one kernel). {@code out} may alias x or y, {@code rate} may alias out.
     */
    default void lincombActivation(Tensor out, double a, Tensor x, double b, Tensor y, Activation f, Tensor rate) {
        OpChecks.sameLength(out, rate); // before anything is written
        lincomb(out, a, x, b, y, 0.0, null);
        activation(f, 1.0, out, rate);
    }

    /**
     * {@code mid ← a·x + b·y + c·z} (z may be null), then {@code out ← d·prev + e·mid}: two
     * {@link #lincomb}s, with exactly their results; a backend may run both in one pass (the CUDA
     * backend: one kernel). Element i of each output depends on element i of the inputs only, read
     * in that order, so out or prev may alias mid and mid may alias x, y or z.
     */
    default void lincombChain(
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
        OpChecks.sameLength(mid, out); // before anything is written
        OpChecks.sameLength(mid, prev);
        lincomb(mid, a, x, b, y, c, z);
        lincomb(out, d, prev, e, mid, 0.0, null);
    }

    /**
     * Whether reading a result back to the host between ops is about as cheap as an op (true: the CPU)
     * or stalls a device queue and cannot be captured into a replayed graph (false: CUDA). Models use
     * it to choose between skipping work after a {@link #sameContent} check and just redoing the work.
     */
    default boolean hostSyncIsCheap() {
        return true;
    }

    /**
     * Runs {@code ops}, a stretch of this backend's ops that recurs (an Euler step, a training step),
     * with exactly the results of running it directly. A backend may use the recurrence: the CUDA
     * backend records the stretch's device work and replays it as one CUDA graph, captured the first
     * time its op sequence appears and re-run afterwards with that run's scalars and buffers (a new RNG
     * step, Adam's step count, swapped double buffers). Host reads inside {@code ops} are allowed; they
     * split the stretch. Nested calls run inline. The default just runs {@code ops}.
     */
    default void runRepeated(Runnable ops) {
        ops.run();
    }

    /**
     * True if a and b hold bit for bit the same elements (same dtype and length, and every element's
     * bits equal, so NaNs compare by payload and −0 differs from +0).
     */
    default boolean sameContent(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype() || a.length() != b.length()) return false;
        double[] x = a.toHost(), y = b.toHost();
        for (int i = 0; i < x.length; i++) {
            if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) return false;
        }
        return true;
    }

    double sum(Tensor x);

    double dot(Tensor x, Tensor y);

    /** Largest absolute element; NaN if any element is NaN. */
    double maxAbs(Tensor x);

    /** True if any element is NaN or infinite. */
    boolean hasNonFinite(Tensor x);

    /** Waits until every op issued so far has finished (a no-op on synchronous backends). */
    default void synchronize() {}

    @Override
    default void close() {}
}
