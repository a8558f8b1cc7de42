package io.cortex4j.golden;

import io.cortex4j.model.Family;
import io.cortex4j.model.Phase;
import io.cortex4j.model.burst.BurstFamily;
import io.cortex4j.model.burst.BurstNetwork;
import io.cortex4j.model.burst.BurstRule;
import io.cortex4j.model.burst.BurstSpec;
import io.cortex4j.model.gle.GleLayerSpec;
import io.cortex4j.model.gle.GleNetwork;
import io.cortex4j.model.gle.GleParams;
import io.cortex4j.model.le.LeNetwork;
import io.cortex4j.model.le.LeParams;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.model.microcircuit.Conductances;
import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.model.microcircuit.MicrocircuitParams;
import io.cortex4j.model.microcircuit.MicrocircuitRule;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.spiking.SpikingNetwork;
import io.cortex4j.model.spiking.SpikingRule;
import io.cortex4j.model.spiking.SpikingSpec;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.optim.Adam;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Surrogate;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden cases: a fixed list of computations through the {@link Backend} SPI only (no ND4J, so
 * they run on the CUDA backend of a GPU host that has none of ND4J's native libraries), each
 * yielding named output arrays. The CPU backend's float32 outputs are kept in
 * {@code cuda-kernels/src/test/resources/golden/cpu-reference-f32.bin.gz} ({@link GoldenFile});
 * {@code CpuGoldenReferenceTest} (core) keeps that file in step with the CPU backend, and
 * {@code CudaGoldenReferenceTest} (cuda-kernels) compares the CUDA backend with it
 * ({@link GoldenCheck}).
 *
 * <p>Every SPI method that computes something is covered: GEMM in all four transposes (small, a
 * 64×300×100 product and the one-row matrix-vector form), transpose, axpby, lincomb, mul, every
 * activation but the later hard sigmoid ({@link #GOLDEN_ACTIVATIONS}) with its derivative, the fused
 * form and the prediction error, highPass, ouStep,
 * lowPassOuterApply, addRowVector, columnSums, softmaxRows, signConcordant, im2col/col2im,
 * blockTranspose, maxPool with its backward scatter, gather/scatterRows, gleNeuronStep, adamStep
 * over several steps, clamp, copy/fill/host transfers and the reductions (sum, dot, maxAbs,
 * hasNonFinite, sameContent). Sizes are a few thousand elements and mostly odd (no multiples of
 * 32), so GPU launches have several blocks and ragged tails. Then a few Euler steps of each model
 * family: the PAL microcircuit, a small convolutional LE network with PAL, a GLE network with Adam
 * and learned τm, and (added later, after every earlier case, which kept its bits) the burst ops
 * with the elementwise division and BurstCCN and Burstprop MLPs, a convolutional BurstCCN and the
 * continuous-time BurstCCN; after those the LIF and Bernoulli ops and a spiking microcircuit MLP.
 *
 * <p>Inputs come from {@link CounterRandom} (Philox with StrictMath's Box–Muller: the same bits on
 * every JVM) with fixed seeds and streams, rounded to float32, so a float32 and a float64 run see
 * the same input values. Changing a case (its inputs, sizes or outputs) changes the reference:
 * regenerate the file (see {@code CpuGoldenReferenceTest}).
 */
public final class GoldenCases {
    private GoldenCases() {}

    /** Single-op cases, and model cases of many steps (a looser tolerance, see {@link Case#tolerance()}). */
    public enum Kind {
        OP,
        MODEL
    }

    /**
     * One golden case.
     *
     * @param tolerance the cross-backend criterion of {@link GoldenCheck}: 1e-4 for every op (the
     *                  issue's float32 criterion); model cases, whose last state is the product of
     *                  tens of dependent steps, say theirs (and why) where they are defined
     */
    public record Case(String name, Kind kind, double tolerance, Body body) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The computation of a case. */
    @FunctionalInterface
    public interface Body {
        void run(Ctx c);
    }

    /**
     * An output array, and the magnitude its errors are measured against: NaN for the default
     * (the RMS of the reference array, see {@link GoldenCheck}), or a scale the case knows better
     * (e.g. Σ|xᵢ| for a sum, whose error grows with the terms, not with the result).
     */
    public record Output(double[] values, double scale) {}

    /** What a case body works with: the backend, the dtype, its tensors (closed after the case) and its outputs. */
    public static final class Ctx implements AutoCloseable {
        public final Backend be;
        public final DType d;
        private final List<Tensor> owned = new ArrayList<>();
        private final Map<String, Output> outputs = new LinkedHashMap<>();

        Ctx(Backend be, DType d) {
            this.be = be;
            this.d = d;
        }

        /** A tensor of {@link #d} holding {@code data}. */
        public Tensor t(double[] data, int... shape) {
            return own(be.fromHost(d, data, shape));
        }

        public Tensor zeros(int... shape) {
            return own(be.zeros(d, shape));
        }

        public Tensor own(Tensor t) {
            owned.add(t);
            return t;
        }

        /** Records the content of t under name (default scale). */
        public void out(String name, Tensor t) {
            out(name, t.toHost(), Double.NaN);
        }

        public void out(String name, Tensor t, double scale) {
            out(name, t.toHost(), scale);
        }

        public void out(String name, double[] values, double scale) {
            if (outputs.putIfAbsent(name, new Output(values, scale)) != null)
                throw new IllegalStateException("output " + name + " twice");
        }

        public void scalar(String name, double value, double scale) {
            out(name, new double[] {value}, scale);
        }

        /** Every tensor of a map, under prefix + key (models' state maps). */
        public void outAll(String prefix, Map<String, Tensor> tensors) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) out(prefix + e.getKey(), e.getValue());
        }

        Map<String, Output> outputs() {
            return Collections.unmodifiableMap(outputs);
        }

        @Override
        public void close() {
            for (Tensor t : owned) t.close();
            owned.clear();
        }
    }

    /** Runs one case on a backend in a dtype: its outputs by name, in the order the case yields them. */
    public static Map<String, Output> run(Case c, Backend be, DType d) {
        try (Ctx ctx = new Ctx(be, d)) {
            c.body().run(ctx);
            be.synchronize();
            return new LinkedHashMap<>(ctx.outputs());
        }
    }

    // ------------------------------------------------------------------ inputs

    /** Seed of every input stream. */
    static final long SEED = 20240917L;

    private static final CounterRandom RNG = new CounterRandom(SEED);

    /** n normals of the given std from stream {@code stream}, rounded to float32. */
    static double[] normal(int n, int stream, double std) {
        double[] x = new double[n];
        RNG.normals(stream, 0, x, 0, n);
        for (int i = 0; i < n; i++) x[i] = (float) (std * x[i]);
        return x;
    }

    /** n uniforms in [lo, hi) from stream {@code stream}, rounded to float32. */
    static double[] uniform(int n, int stream, double lo, double hi) {
        double[] x = new double[n];
        RNG.uniforms(stream, 0, x, 0, n);
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * (1 - x[i])); // uniform() is in (0, 1]
        return x;
    }

    /** n integers in [0, bound) as doubles (index tensors). */
    static double[] indices(int n, int stream, int bound) {
        double[] x = new double[n];
        RNG.uniforms(stream, 0, x, 0, n);
        for (int i = 0; i < n; i++) x[i] = Math.min(bound - 1, (int) ((1 - x[i]) * bound));
        return x;
    }

    static double sumAbs(double[] x) {
        double s = 0;
        for (double v : x) s += Math.abs(v);
        return s;
    }

    // ------------------------------------------------------------------ the list

    private static final double OP_TOLERANCE = 1e-4;

    /**
     * The activations with a case of their own in the reference file: those it was written with.
     * {@link Activation#HARD_SIGMOID} came later and has none (adding one changes the file, which
     * is regenerated only deliberately); the backend conformance suite checks it on every backend
     * against {@link Activation#apply}/{@link Activation#derivative}, at its kinks and special values.
     * Declared before {@link #ALL}, whose initialiser reads it.
     */
    static final List<Activation> GOLDEN_ACTIVATIONS =
            List.of(Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LINEAR, Activation.SOFTPLUS);

    private static final List<Case> ALL = build();

    /** Every case, ops first, in a fixed order (the order of the reference file). */
    public static List<Case> all() {
        return ALL;
    }

    public static Case byName(String name) {
        for (Case c : ALL) if (c.name().equals(name)) return c;
        throw new IllegalArgumentException("no golden case " + name);
    }

    private static List<Case> build() {
        List<Case> l = new ArrayList<>();
        op(l, "gemm-37x53x41", c -> gemm(c, 37, 53, 41, true));
        op(l, "gemm-64x300x100", c -> gemm(c, 64, 300, 100, false));
        op(l, "gemm-row-1x300x200", GoldenCases::gemmRow);
        op(l, "transpose-61x67", c -> {
            Tensor x = c.t(normal(61 * 67, 10, 1), 61, 67), y = c.zeros(67, 61), z = c.zeros(67, 61);
            c.be.transpose(x, -2.0, y);
            c.out("alpha-2", y);
            c.be.transpose(x, 1.0, z);
            c.out("alpha1", z);
        });
        op(l, "elementwise-4099", GoldenCases::elementwise);
        for (Activation f : GOLDEN_ACTIVATIONS)
            op(l, "activation-" + f.name().toLowerCase(java.util.Locale.ROOT) + "-3001", c -> activation(c, f));
        op(l, "ouStep-4099", c -> {
            Tensor xi = c.t(normal(4099, 30, 1), 1, 4099);
            CounterRandom rng = new CounterRandom(42);
            c.be.ouStep(xi, rng, 1001, 77, 0.9, 0.3);
            c.out("step77", xi);
            c.be.ouStep(xi, rng, 1001, 78, 0.9, 0.3);
            c.out("step78", xi);
        });
        op(l, "lowPassOuterApply-16x37x129", c -> {
            int b = 16, m = 37, n = 129;
            Tensor a = c.t(normal(b * m, 40, 1), b, m), bb = c.t(normal(b * n, 41, 1), b, n);
            Tensor lo = c.t(normal(m * n, 42, 0.1), m, n), w = c.t(normal(m * n, 43, 1), m, n);
            c.be.lowPassOuterApply(0.03, a, bb, 0.01, lo, w);
            c.be.lowPassOuterApply(0.03, a, bb, 0.01, lo, w); // twice: the low-pass carries over
            c.out("lo", lo);
            c.out("w", w);
        });
        op(l, "addRowVector-33x257", c -> {
            Tensor m = c.t(normal(33 * 257, 50, 1), 33, 257), r = c.t(normal(257, 51, 1), 1, 257);
            c.be.addRowVector(-0.7, r, m);
            c.out("m", m);
        });
        op(l, "columnSums-67x129", c -> {
            double[] m = normal(67 * 129, 52, 1);
            Tensor M = c.t(m, 67, 129), r0 = c.t(normal(129, 53, 1), 1, 129), r1 = c.t(normal(129, 53, 1), 1, 129);
            c.be.columnSums(1.5, M, 0.0, r0);
            c.out(
                    "beta0",
                    r0,
                    1.5 * Math.sqrt(67)); // a sum of 67 unit normals: errors scale with √67, not with the (cancelling)
            // sum
            c.be.columnSums(1.5, M, 0.5, r1);
            c.out("beta0.5", r1, 1.5 * Math.sqrt(67));
        });
        op(l, "softmaxRows-19x517", c -> {
            int rows = 19, n = 517;
            double[] x = normal(rows * n, 54, 2);
            for (int j = 0;
                    j < n;
                    j++) { // row 1 large and positive, row 2 large and negative, row 3 with one dominant entry
                x[n + j] = 1000 + j % 7;
                x[2 * n + j] = -1000 - 3 * (j % 5);
                x[3 * n + j] = j == 400 ? 800 : -5;
            }
            Tensor X = c.t(x, rows, n), O = c.zeros(rows, n);
            c.be.softmaxRows(X, O);
            c.out("out", O);
        });
        op(l, "softmaxRows-301x10", c -> {
            Tensor X = c.t(normal(3010, 55, 3), 301, 10);
            c.be.softmaxRows(X, X); // in place
            c.out("inPlace", X);
        });
        op(l, "signConcordant-3001", c -> {
            double[] w = normal(3001, 56, 1);
            w[0] = 0.0;
            w[7] = -0.0;
            w[1500] = 0.0;
            Tensor W = c.t(w, 1, 3001),
                    M = c.t(normal(3001, 57, 1), 1, 3001),
                    O = c.zeros(1, 3001),
                    O2 = c.zeros(1, 3001);
            c.be.signConcordant(W, null, 0.25, O);
            c.out("unit", O);
            c.be.signConcordant(W, M, 2.0, O2);
            c.out("magnitudes", O2);
        });
        op(l, "conv-3x17x19-k5s2p2-b4", c -> conv(c, new ConvGeometry(3, 17, 19, 5, 2, 2), 4));
        op(l, "conv-6x12x12-k3s1p1-b4", c -> conv(c, new ConvGeometry(6, 12, 12, 3, 1, 1), 4));
        op(l, "blockTranspose-8x49x20", c -> {
            int blocks = 8, p = 49, q = 20;
            Tensor S = c.t(normal(blocks * p * q, 60, 1), blocks * p, q),
                    D = c.zeros(blocks, q * p),
                    B = c.zeros(blocks * p, q);
            c.be.blockTranspose(S, p, q, D);
            c.out("forward", D);
            c.be.lincomb(D, 1.0, D, 0.5, D, 0, null); // change it, so that the way back is not the input again
            c.be.blockTranspose(D, q, p, B);
            c.out("back", B);
        });
        op(l, "maxPool-6x14x15-k2-b4", c -> maxPool(c, 4, 6, 14, 15, 2));
        op(l, "maxPool-5x13x11-k3-b3", c -> maxPool(c, 3, 5, 13, 11, 3));
        op(l, "gatherScatterRows-5x1031x517", c -> {
            int b = 5, n = 1031, m = 517;
            double[] idx = indices(b * m, 63, n);
            idx[0] = idx[1] = 5; // a repeated index: scattered as a sum
            Tensor S = c.t(normal(b * n, 64, 1), b, n), I = c.t(idx, b, m), G = c.zeros(b, m);
            c.be.gatherRows(S, I, G);
            c.out("gather", G);
            Tensor V = c.t(normal(b * m, 65, 1), b, m),
                    D = c.t(normal(b * n, 66, 1), b, n); // old content of D is dropped
            c.be.scatterRows(V, I, D);
            c.out("scatter", D);
        });
        op(l, "gleNeuronStep-9x333", c -> {
            int rows = 9, n = 333;
            double[] tm = uniform(n, 70, 0.1, 2.0), tr = uniform(n, 71, 0.1, 2.0);
            for (int j = 0; j < n; j += 3) tr[j] = tm[j]; // τr = τm (LE units) on every third neuron
            for (boolean prospective : new boolean[] {true, false}) {
                Tensor S = c.t(normal(rows * n, 72, 1), rows, n), IE = c.t(normal(rows * n, 73, 1), rows, n);
                Tensor U = c.t(normal(rows * n, 74, 1), rows, n), V = c.t(normal(rows * n, 75, 1), rows, n);
                Tensor TM = c.t(tm, 1, n),
                        TR = c.t(tr, 1, n),
                        E = c.zeros(rows, n),
                        UD = c.zeros(rows, n),
                        UB = c.zeros(rows, n);
                c.be.gleNeuronStep(S, IE, TM, TR, 0.05, 0.3, prospective, U, V, E, UD, UB);
                String s = prospective ? "prospective." : "instantaneous.";
                c.out(s + "e", E);
                c.out(s + "v", V);
                c.out(s + "uDot", UD);
                c.out(s + "uBreve", UB);
                c.out(s + "u", U);
            }
        });
        op(l, "adamStep-3001x6", c -> {
            int n = 3001;
            Tensor P = c.t(normal(n, 80, 1), 1, n), M = c.zeros(1, n), V = c.zeros(1, n), G = c.zeros(1, n);
            for (int t = 1; t <= 6; t++) {
                double[] g = normal(n, 80 + t, 1 + 0.5 * t);
                if (t == 3)
                    for (int i = 0; i < n; i += 10) g[i] = 0; // zero gradients still move p through the first moment
                c.be.copyFromHost(g, G);
                c.be.adamStep(P, G, M, V, 0.01, 0.9, 0.999, 1e-8, t);
                if (t == 1) c.out("p.step1", P);
            }
            c.out("p", P);
            c.out("m", M);
            c.out("v", V);
        });
        op(l, "clamp-3001", c -> {
            double[] x = normal(3001, 90, 2);
            x[5] = Double.POSITIVE_INFINITY;
            x[6] = Double.NEGATIVE_INFINITY;
            x[7] = Double.NaN;
            x[8] = -0.5;
            x[9] = 0.75;
            Tensor X = c.t(x, 1, 3001);
            c.be.clamp(X, -0.5, 0.75);
            c.out("clamped", X);
        });
        op(l, "copy-fill-1031", c -> {
            double[] x = normal(1031, 91, 1);
            Tensor X = c.t(x, 1031), Y = c.zeros(1031), F = c.zeros(1031), H = c.zeros(1031);
            c.be.copy(X, Y);
            c.out("copy", Y);
            c.be.fill(F, 2.1);
            c.out("fill", F);
            float[] f = new float[1031 + 3];
            for (int i = 0; i < f.length; i++) f[i] = (float) (0.25 * i - 100.3);
            c.be.copyFromHost(f, 3, H);
            c.out("fromFloats", H);
        });
        op(l, "reductions-4099", c -> {
            double[] x = normal(4099, 92, 1), y = normal(4099, 93, 1), xy = new double[4099];
            for (int i = 0; i < xy.length; i++) xy[i] = x[i] * y[i];
            Tensor X = c.t(x, 4099), Y = c.t(y, 4099), Z = c.t(x, 4099);
            c.scalar("sum", c.be.sum(X), sumAbs(x));
            c.scalar("dot", c.be.dot(X, Y), sumAbs(xy));
            c.scalar("maxAbs", c.be.maxAbs(X), Double.NaN);
            c.scalar("hasNonFinite", c.be.hasNonFinite(X) ? 1 : 0, 1);
            c.scalar("sameContent", c.be.sameContent(X, Z) ? 1 : 0, 1);
            c.scalar("sameContent.differs", c.be.sameContent(X, Y) ? 1 : 0, 1);
            double[] bad = x.clone();
            bad[4000] = Double.NaN;
            Z.load(bad);
            c.scalar("hasNonFinite.nan", c.be.hasNonFinite(Z) ? 1 : 0, 1);
        });
        model(l, "microcircuit-pal-20-30-10-b2-50steps", MICROCIRCUIT_TOLERANCE, GoldenCases::microcircuit);
        model(l, "le-pal-conv-3x12x12-b4-30steps", LE_TOLERANCE, GoldenCases::leNetwork);
        model(l, "gle-adam-7-24-10-5-b3-40steps", GLE_TOLERANCE, GoldenCases::gleNetwork);
        // added with the burst family: the cases above are unchanged
        op(l, "burst-div-4099", GoldenCases::burstOps);
        model(l, "burstccn-12-20-16-10-b8-30steps", BURST_TOLERANCE, c -> burstMlp(c, BurstRule.BURSTCCN));
        model(l, "burstprop-12-20-16-10-b8-30steps", BURST_TOLERANCE, c -> burstMlp(c, BurstRule.BURSTPROP));
        model(l, "burstccn-conv-2x9x9-b4-10steps", BURST_TOLERANCE, GoldenCases::burstConv);
        model(l, "burstccn-continuous-3-8-2-b2-60steps", BURST_TOLERANCE, GoldenCases::burstContinuous);
        // added with the spiking family: the cases above are unchanged
        op(l, "lif-bernoulli-4099", GoldenCases::spikingOps);
        model(l, "spiking-microcircuit-12-20-16-10-b8-20steps", SPIKING_TOLERANCE, GoldenCases::spikingMlp);
        return List.copyOf(l);
    }

    private static void op(List<Case> l, String name, Body body) {
        l.add(new Case(name, Kind.OP, OP_TOLERANCE, body));
    }

    private static void model(List<Case> l, String name, double tolerance, Body body) {
        l.add(new Case(name, Kind.MODEL, tolerance, body));
    }

    // ------------------------------------------------------------------ op bodies

    /** C = 0.7·op(A)·op(B) − 0.3·C for all four transposes; m×k times k×n. */
    private static void gemm(Ctx c, int m, int k, int n, boolean overNaN) {
        double[] a = normal(m * k, 1, 1), b = normal(k * n, 2, 1), c0 = normal(m * n, 3, 1);
        double scale = 0.7 * Math.sqrt(k); // the RMS of a sum of k products of unit normals
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor A = c.t(a, ta ? k : m, ta ? m : k), B = c.t(b, tb ? n : k, tb ? k : n), C = c.t(c0, m, n);
                c.be.gemm(ta, tb, 0.7, A, B, -0.3, C);
                String s = (ta ? "t" : "n") + (tb ? "t" : "n");
                c.out(s, C, scale);
                if (overNaN) { // beta = 0 ignores the old content, NaN included
                    c.be.fill(C, Double.NaN);
                    c.be.gemm(ta, tb, 0.7, A, B, 0.0, C);
                    c.out(s + ".beta0OverNaN", C, scale);
                }
            }
        }
    }

    /** One-row products (the CPU's matrix-vector path): [1, 300]·[300, 200] and [1, 300]·[200, 300]ᵀ. */
    private static void gemmRow(Ctx c) {
        int k = 300, n = 200;
        Tensor a = c.t(normal(k, 4, 1), 1, k), b = c.t(normal(k * n, 5, 1), k, n), bt = c.t(normal(k * n, 5, 1), n, k);
        Tensor y = c.t(normal(n, 6, 1), 1, n), yt = c.t(normal(n, 6, 1), 1, n);
        c.be.gemm(false, false, 1.0, a, b, 0.5, y);
        c.out("nn", y, Math.sqrt(k));
        c.be.gemm(false, true, 1.0, a, bt, 0.5, yt);
        c.out("nt", yt, Math.sqrt(k));
    }

    private static void elementwise(Ctx c) {
        int n = 4099;
        Tensor x = c.t(normal(n, 20, 1), 1, n), y = c.t(normal(n, 21, 1), 1, n), z = c.t(normal(n, 22, 1), 1, n);
        Tensor o = c.zeros(1, n), y2 = c.t(normal(n, 21, 1), 1, n), h = c.t(normal(n, 23, 0.5), 1, n);
        c.be.lincomb(o, 0.5, x, -2.0, y, 3.0, z);
        c.out("lincomb3", o);
        c.be.lincomb(o, 0.5, x, -2.0, y, 0, null);
        c.out("lincomb2", o);
        c.be.axpby(1.5, x, 0.25, y2);
        c.out("axpby", y2);
        c.be.mul(x, y, o);
        c.out("mul", o);
        c.be.highPass(h, x, y, 0.1);
        c.out("highPass", h);
        c.be.mul(x, x, x); // in place
        c.out("mulInPlace", x);
    }

    private static void activation(Ctx c, Activation f) {
        int n = 3001;
        double[] x = normal(n, 24, 3);
        double[] special = {0.0, -0.0, 1e-3, -1e-3, 30, -30, 60, -60, 1e-30};
        System.arraycopy(special, 0, x, 0, special.length);
        Tensor X = c.t(x, 1, n), R = c.t(normal(n, 25, 1), 1, n);
        Tensor v = c.zeros(1, n), dv = c.zeros(1, n), fv = c.zeros(1, n), fd = c.zeros(1, n), pe = c.zeros(1, n);
        c.be.activation(f, 0.8, X, v);
        c.out("value", v);
        c.be.activationDerivative(f, 0.8, X, dv);
        c.out("derivative", dv);
        c.be.activationAndDerivative(f, 0.8, X, fv, fd);
        c.out("fused.value", fv);
        c.out("fused.derivative", fd);
        c.be.predictionError(R, f, 0.6, X, pe);
        c.out("predictionError", pe);
    }

    private static void conv(Ctx c, ConvGeometry g, int batch) {
        int rows = batch * g.positions();
        Tensor X = c.t(normal(batch * g.inputLength(), 26, 1), batch, g.inputLength());
        Tensor C = c.t(normal(rows * g.patch(), 27, 1), rows, g.patch()); // overwritten, padding included
        c.be.im2col(X, g, C);
        c.out("im2col", C);
        Tensor C2 = c.t(normal(rows * g.patch(), 28, 1), rows, g.patch()),
                X2 = c.t(normal(batch * g.inputLength(), 29, 1), batch, g.inputLength());
        c.be.col2im(C2, g, X2);
        c.out(
                "col2im",
                X2,
                Math.sqrt((double) g.kernel()
                        * g.kernel()
                        / ((double) g.stride() * g.stride()))); // ~ (k/s)² overlapping unit terms
    }

    /** maxPool, then its backward pass as LeNetwork runs it (scatter of the pooled error to the argmax), and a gather by argmax. */
    private static void maxPool(Ctx c, int batch, int ch, int h, int w, int k) {
        int in = ch * h * w, out = ch * (h / k) * (w / k);
        double[] x = normal(batch * in, 61, 1);
        for (int i = 0; i < x.length; i += 37) x[i] = x[i + 1]; // ties inside some windows: the first one wins
        Tensor X = c.t(x, batch, in),
                O = c.zeros(batch, out),
                A = c.zeros(batch, out),
                E = c.t(normal(batch * out, 62, 1), batch, out);
        Tensor back = c.t(normal(batch * in, 62, 1), batch, in), G = c.zeros(batch, out);
        c.be.maxPool(X, ch, h, w, k, O, A);
        c.out("out", O);
        c.out("argmax", A);
        c.be.scatterRows(E, A, back);
        c.out("backward", back);
        c.be.gatherRows(X, A, G);
        c.out("gatherByArgmax", G);
    }

    // ------------------------------------------------------------------ models

    /*
     * Model tolerances. A model case's final state is the product of tens of dependent Euler steps:
     * each step's float32 roundings (≈ 6e-8 relative) are carried into the next, plastic weights and
     * low-passed ΔW integrate them, and (GLE) Adam's normalised step m/√v amplifies differences in
     * small gradients. The float64 run of the same case stays within 4.5e-5 (microcircuit, 50 steps),
     * 1.1e-5 (LE, 30 steps) and 1.2e-6 (GLE, 40 steps) of the float32 reference under the criterion
     * of GoldenCheck (CpuGoldenReferenceTest's self-check prints these); 1e-3 leaves a margin of 20×
     * or more for a second float32 run that rounds differently, and still catches a wrong kernel,
     * whose errors are of the order of the values.
     */
    static final double MICROCIRCUIT_TOLERANCE = 1e-3;
    static final double LE_TOLERANCE = 1e-3;
    static final double GLE_TOLERANCE = 1e-3;
    /** Burst networks: as the other families (a few dozen dependent steps). */
    static final double BURST_TOLERANCE = 1e-3;

    /** BurstCCN's burst probabilities (hidden at p_b 0.5 and 0.3, output under a teacher) and the elementwise division. */
    private static void burstOps(Ctx c) {
        int n = 4099;
        Tensor u = c.t(normal(n, 120, 1.0), 1, n), e = c.t(uniform(n, 121, 0, 1), 1, n);
        double[] yv = new double[n];
        for (int i = 0; i < n; i++) yv[i] = i % 7 == 0 ? 1 : 0;
        Tensor y = c.t(yv, 1, n), p = c.zeros(1, n), b = c.zeros(1, n), d = c.zeros(1, n);
        for (double pb : new double[] {0.5, 0.3}) {
            c.be.burstHidden(u, e, 2 * pb, 2 / pb, pb, p, b, d);
            c.out("hidden" + pb + ".p", p);
            c.out("hidden" + pb + ".burst", b);
            c.out("hidden" + pb + ".delta", d);
        }
        c.be.burstOutput(e, y, 0.5, p, b, d);
        c.out("output.p", p);
        c.out("output.burst", b);
        c.out("output.delta", d);
        Tensor q = c.zeros(1, n), den = c.t(uniform(n, 122, 0.5, 2), 1, n);
        c.be.div(u, den, q);
        c.out("div", q);
    }

    private static BurstNetwork burst(Ctx c, BurstSpec s, int batch, long seed) {
        BurstFamily f = new BurstFamily();
        BurstSpec r = f.resolve(s, null);
        return f.build(r, new Family.Build(c.be, c.d, batch, seed, null, false));
    }

    private static BurstSpec.Feedback feedback(BurstSpec.FeedbackMode mode, Double scale, Double lr) {
        return new BurstSpec.Feedback(mode, scale, lr);
    }

    /** A 12-20-16-10 sigmoid MLP, 30 mini-batches of 8: BurstCCN (random Y, learned Q, momentum, weight decay) or Burstprop. */
    private static void burstMlp(Ctx c, BurstRule rule) {
        List<LayerSpec> layers = List.of(
                new LayerSpec.Dense(20, Activation.SIGMOID),
                new LayerSpec.Dense(16, Activation.SIGMOID),
                new LayerSpec.Dense(10, Activation.SIGMOID));
        boolean ccn = rule == BurstRule.BURSTCCN;
        BurstSpec s = new BurstSpec(
                new BurstSpec.Model(new InputShape(1, 1, 12), layers, null, new BurstSpec.Init(3.6), null),
                new BurstSpec.Rule(
                        rule,
                        0.5,
                        null,
                        ccn ? 0.5 : 0,
                        ccn ? 1e-3 : 0,
                        feedback(null, null, ccn ? 0.0 : 0.2),
                        ccn ? feedback(null, null, 0.01) : feedback(null, null, null),
                        null,
                        null),
                null);
        int batch = 8;
        try (BurstNetwork net = burst(c, s, batch, 21)) {
            net.setPhase(Phase.TRAIN);
            for (int k = 0; k < 30; k++) {
                net.input().load(uniform(batch * 12, 130 + k, 0, 1));
                double[] y = new double[batch * 10];
                for (int b = 0; b < batch; b++) y[b * 10 + (3 * b + k) % 10] = 1.0;
                net.target().load(y);
                net.step();
            }
            c.out("output", net.output());
            c.outAll("", net.parameters());
            c.outAll("", net.signals());
        }
    }

    /** 2×9×9 → conv 4@3×3 → conv 5@3×3 stride 2 → dense 12 → dense 10, tied Y and Q, 10 mini-batches of 4. */
    private static void burstConv(Ctx c) {
        List<LayerSpec> layers = List.of(
                new LayerSpec.Conv2d(4, 3, 1, 0, Activation.SIGMOID),
                new LayerSpec.Conv2d(5, 3, 2, 0, Activation.SIGMOID),
                new LayerSpec.Dense(12, Activation.SIGMOID),
                new LayerSpec.Dense(10, Activation.SIGMOID));
        BurstSpec s = new BurstSpec(
                new BurstSpec.Model(new InputShape(2, 9, 9), layers, null, new BurstSpec.Init(3.6), null),
                new BurstSpec.Rule(
                        BurstRule.BURSTCCN,
                        0.5,
                        null,
                        0,
                        0,
                        feedback(BurstSpec.FeedbackMode.TIED, 1.0, 0.0),
                        feedback(BurstSpec.FeedbackMode.TIED, null, null),
                        null,
                        null),
                null);
        int batch = 4;
        try (BurstNetwork net = burst(c, s, batch, 22)) {
            net.setPhase(Phase.TRAIN);
            for (int k = 0; k < 10; k++) {
                net.input().load(uniform(batch * 162, 140 + k, 0, 1));
                double[] y = new double[batch * 10];
                for (int b = 0; b < batch; b++) y[b * 10 + (b + 2 * k) % 10] = 1.0;
                net.target().load(y);
                net.step();
            }
            c.out("output", net.output());
            c.outAll("", net.parameters());
            c.outAll("", net.signals());
        }
    }

    /**
     * Spiking networks: a threshold turns a last-bit difference of a potential into a spike more or
     * less, so the case keeps few steps (20) and small sums; the tolerance is the other families'.
     */
    static final double SPIKING_TOLERANCE = 1e-3;

    /** LIF steps (rectangle surrogate with refractoriness, sigmoid surrogate without) and Bernoulli draws. */
    private static void spikingOps(Ctx c) {
        int n = 4099;
        Tensor cur = c.t(normal(n, 150, 0.8), 1, n), u = c.zeros(1, n), r = c.zeros(1, n), s = c.zeros(1, n);
        Tensor a = c.zeros(1, n), g = c.zeros(1, n);
        for (int k = 0; k < 4; k++) c.be.lifStep(cur, u, r, s, a, g, 0.8, 1.0, 3.0, 1, Surrogate.RECTANGLE, 1.0);
        c.out("rectangle.u", u);
        c.out("rectangle.s", s);
        c.out("rectangle.a", a);
        c.out("rectangle.g", g);
        c.out("rectangle.refractory", r);
        Tensor u2 = c.zeros(1, n), s2 = c.zeros(1, n), a2 = c.zeros(1, n), g2 = c.zeros(1, n);
        for (int k = 0; k < 3; k++) c.be.lifStep(cur, u2, null, s2, a2, g2, 0.5, 0.7, 2.0, 0, Surrogate.SIGMOID, 0.5);
        c.out("sigmoid.u", u2);
        c.out("sigmoid.g", g2);
        c.out("sigmoid.a", a2);
        Tensor p = c.t(uniform(n, 151, 0, 1), 1, n), o = c.zeros(1, n);
        c.be.bernoulli(p, 0.9, new CounterRandom(7), 5000, 3, o);
        c.out("bernoulli", o);
    }

    /**
     * A 12-20-16-10 spiking MLP, batch 8, T = 5: the microcircuit with fixed synapse types, Poisson
     * input, refractory period 1, Adam; 4 presentations (20 steps).
     */
    private static void spikingMlp(Ctx c) {
        List<LayerSpec> layers = List.of(
                new LayerSpec.Dense(20, Activation.SIGMOID),
                new LayerSpec.Dense(16, Activation.SIGMOID),
                new LayerSpec.Dense(10, Activation.SIGMOID));
        SpikingSpec s = new SpikingSpec(
                new SpikingSpec.Model(
                        new InputShape(1, 1, 12),
                        layers,
                        new SpikingSpec.Neuron(5.0, 3.0, 0.5, 1),
                        new SpikingSpec.SurrogateSpec(Surrogate.RECTANGLE, 2.0),
                        new SpikingSpec.Encoding(SpikingSpec.Encoding.Kind.POISSON, 1.0),
                        new SpikingSpec.Init(2.0)),
                new SpikingSpec.Rule(
                        SpikingRule.MICROCIRCUIT,
                        null,
                        null,
                        new SpikingSpec.Loss(SpikingSpec.Loss.Kind.KERNEL, 1),
                        new SpikingSpec.Circuit(SpikingSpec.Circuit.Magnitudes.FIXED, SpikingSpec.Circuit.Sign.FIXED)));
        int batch = 8, steps = 5;
        try (SpikingNetwork net = new SpikingNetwork(s, new Topology(1, 1, 12, layers), c.be, c.d, batch, steps, 24)) {
            net.setOptimizer(new Adam(c.be, net.slots(), 0.01, 0.9, 0.999, 1e-8));
            net.setPhase(Phase.TRAIN);
            for (int k = 0; k < 4; k++) {
                net.input().load(uniform(batch * 12, 160 + k, 0, 1));
                double[] y = new double[batch * 10];
                for (int b = 0; b < batch; b++) y[b * 10 + (3 * b + k) % 10] = 1.0;
                net.target().load(y);
                net.startBatch();
                net.startPresentation();
                for (int t = 0; t < steps; t++) net.step();
            }
            c.out("output", net.output());
            c.outAll("", net.parameters());
            c.outAll("", net.stateTensors());
        }
    }

    /** The continuous-time BurstCCN (§5.1) 3-8-2, batch 2: 20 prediction steps, then 40 teaching steps. */
    private static void burstContinuous(Ctx c) {
        List<LayerSpec> layers =
                List.of(new LayerSpec.Dense(8, Activation.SIGMOID), new LayerSpec.Dense(2, Activation.SIGMOID));
        BurstSpec s = new BurstSpec(
                new BurstSpec.Model(
                        new InputShape(1, 1, 3),
                        layers,
                        null,
                        new BurstSpec.Init(1.0),
                        new BurstSpec.Continuous(0.1, 0.1, 0.2, 10, null, 5.0)),
                new BurstSpec.Rule(
                        BurstRule.BURSTCCN,
                        1.0,
                        null,
                        0,
                        0,
                        feedback(null, null, null),
                        feedback(null, null, null),
                        null,
                        null),
                null);
        int batch = 2;
        try (BurstNetwork net = burst(c, s, batch, 23)) {
            for (int k = 0; k < 60; k++) {
                net.setPhase(k < 20 ? new Phase(false, false, true, false) : Phase.TRAIN);
                double[] x = new double[batch * 3];
                for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(0.05 * (i + 1) * k + i);
                net.input().load(x);
                net.target().load(new double[] {0.3, 0.7, 0.6, 0.2});
                net.step();
            }
            c.out("output", net.output());
            c.outAll("", net.parameters());
            c.outAll("", net.stateTensors());
        }
    }

    /** PAL microcircuit 20-30-10, batch 2, noise and learning on, output nudged, 50 steps: its full state. */
    private static void microcircuit(Ctx c) {
        int[] layers = {20, 30, 10};
        MicrocircuitParams p = new MicrocircuitParams(
                layers,
                MicrocircuitParams.uniform(layers, Activation.SIGMOID),
                0.01,
                Conductances.PUBLISHED,
                1.0,
                MicrocircuitRule.PAL,
                new double[] {2.0, 2.0},
                new double[] {0.5},
                new double[] {0.2},
                new double[] {0.2},
                new double[] {1e-4},
                0.1,
                0.1,
                0.1,
                100.0,
                new double[] {-0.5, 0.5},
                new double[] {-1, 1},
                1.0,
                true);
        int batch = 2;
        try (Microcircuit mc = new Microcircuit(p, c.be, c.d, batch, 11)) {
            mc.input().load(uniform(batch * layers[0], 100, 0, 1));
            mc.target().load(uniform(batch * layers[2], 101, 0.1, 0.9));
            mc.setTargetOn(true);
            for (int s = 0; s < 50; s++) mc.step();
            c.outAll("", legacyMicrocircuitNames(mc.fullState()));
        }
    }

    /** 3×12×12 → conv 6@3×3 pad 1 (sigmoid) → pool 2 → conv 8@3×3 (tanh) → dense 10 (linear), PAL with noise and low-pass, batch 4, 30 steps. */
    private static void leNetwork(Ctx c) {
        Topology arch = new Topology(
                3,
                12,
                12,
                List.of(
                        new LayerSpec.Conv2d(6, 3, 1, 1, Activation.SIGMOID),
                        new LayerSpec.MaxPool2d(2),
                        new LayerSpec.Conv2d(8, 3, 1, 0, Activation.TANH),
                        new LayerSpec.Dense(10, Activation.LINEAR)));
        int n = arch.layers().size();
        LeParams d = LeParams.defaults(arch, FeedbackRule.PAL, OutputError.MSE);
        double[] sigma = LeParams.fill(n, 0.05);
        sigma[n - 1] = 0.0;
        LeParams p = new LeParams(
                arch,
                FeedbackRule.PAL,
                OutputError.MSE,
                1.0,
                0.1,
                0.5,
                0.5,
                LeParams.fill(n, 1.0),
                LeParams.fill(n, 0.5),
                LeParams.fill(n, 1e-3),
                sigma,
                LeParams.fill(n, 0.5),
                LeParams.fill(n, 0.5),
                LeParams.fill(n, 10.0),
                0.4,
                0.3,
                d.signScale());
        int batch = 4;
        try (LeNetwork net = new LeNetwork(p, c.be, c.d, batch, 13)) {
            net.input().load(uniform(batch * arch.inputLength(), 110, 0, 1));
            double[] y = new double[batch * arch.outputLength()];
            for (int b = 0; b < batch; b++) y[b * 10 + (3 * b + 1) % 10] = 1.0;
            net.target().load(y);
            for (int s = 0; s < 30; s++) net.step();
            c.out("output", net.output());
            c.outAll("", net.fullState());
        }
    }

    private static final java.util.regex.Pattern LAYER_NAME = java.util.regex.Pattern.compile("layer([0-9]+)\\.(.*)");

    /**
     * The microcircuit's names when the golden file was written: W1, B1, WIP1, BPI1 for
     * {@code layer1.W} …, u1 for {@code layer1.u}, r0 and r0Old for {@code input.r}, {@code input.rOld}.
     */
    static Map<String, Tensor> legacyMicrocircuitNames(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.entrySet()) {
            String k = e.getKey();
            java.util.regex.Matcher x = LAYER_NAME.matcher(k);
            if (x.matches()) k = x.group(2) + x.group(1);
            else if (k.equals("input.r")) k = "r0";
            else if (k.equals("input.rOld")) k = "r0Old";
            out.put(k, e.getValue());
        }
        return out;
    }

    /** GLE's names when the golden file was written: layers numbered from 0 ({@code layer1.W} was {@code layer0.W}). */
    static Map<String, Tensor> legacyGleNames(Map<String, Tensor> m) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(.*)layer([0-9]+)\\.(.*)");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.entrySet()) {
            java.util.regex.Matcher x = p.matcher(e.getKey());
            out.put(
                    x.matches()
                            ? x.group(1) + "layer" + (Integer.parseInt(x.group(2)) - 1) + "." + x.group(3)
                            : e.getKey(),
                    e.getValue());
        }
        return out;
    }

    /** GLE 7-24-10-5 (tanh, sigmoid, linear), per-unit τ, bias, fixed random feedback, learned τm, Adam, batch 3, 40 steps. */
    private static void gleNetwork(Ctx c) {
        double[] tm1 = uniform(24, 120, 0.2, 1.0), tr1 = uniform(24, 121, 0.2, 1.0), tm2 = uniform(10, 122, 0.2, 1.0);
        GleParams p = new GleParams(
                7,
                List.of(
                        new GleLayerSpec(24, Activation.TANH, tm1, tr1, true, 0.3),
                        new GleLayerSpec(10, Activation.SIGMOID, tm2, tm2, true, 0.3),
                        GleLayerSpec.uniform(5, Activation.LINEAR, 0.3, 0.3, true)
                                .withGamma(0.3)),
                0.05,
                1.0,
                true,
                GleParams.Loss.MSE,
                GleParams.Feedback.FIXED_RANDOM,
                true,
                0.2,
                1.0);
        int batch = 3;
        try (GleNetwork net = new GleNetwork(p, c.be, c.d, batch, 17)) {
            Adam adam = new Adam(c.be, net.slots(), 0.01);
            net.setOptimizer(adam);
            net.setTargetOn(true);
            net.target().load(uniform(batch * 5, 123, -1, 1));
            double[] phase = uniform(batch * 7, 124, 0, 6.283185307179586);
            double[] x = new double[batch * 7];
            Tensor out = null;
            for (int s = 0; s < 40; s++) {
                for (int i = 0; i < x.length; i++) x[i] = (float) StrictMath.sin(0.3 * s + phase[i]);
                net.input().load(x);
                net.step();
                out = net.output();
            }
            c.out("output", out);
            // the file's names predate 1-based layer names: layerℓ here is layer(ℓ−1) there
            c.outAll("", legacyGleNames(net.parameters()));
            c.outAll("", legacyGleNames(net.state()));
            c.outAll("", legacyGleNames(adam.state()));
        }
    }
}
