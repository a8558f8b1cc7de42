package io.cortex4j.random;

import io.cortex4j.tensor.VectorApi;

/**
 * The normals of whole Philox blocks, computed in short array loops that C2 vectorises: Philox over
 * many counters at once, then the Box–Muller radius √(−2 ln u) and angle 2πu with fdlibm's
 * {@code __ieee754_log}, {@code __ieee754_rem_pio2} (medium path), {@code __kernel_sin} and
 * {@code __kernel_cos} written without branches (both sides of each test computed, the right one kept
 * by bit masks). Every value equals, bit for bit, the one of {@link CounterRandom#normal}:
 * arguments where fdlibm takes a rare path this code does not replicate (log: |x − 1| < 2^-20 after
 * normalisation; sin/cos: a reduced argument below 2^-13, where fdlibm may refine the reduction or
 * take its tiny-argument shortcuts) are flagged and recomputed by the scalar routines. Checked on all
 * 2^32 radius words and all 2^32 angle words ({@code BoxMullerTest} with
 * {@code -Dcortex4j.boxmuller.exhaustive=true}; a sample and the branch points by default). About
 * 2× faster than the scalar loop, which spends most of its time on mispredicted branches.
 *
 * <p>The algorithms and constants are fdlibm's:
 * <pre>
 * ====================================================
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *
 * Developed at SunSoft, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted, provided that this notice
 * is preserved.
 * ====================================================
 * </pre>
 */
final class BoxMuller {
    private BoxMuller() {}

    /** Blocks per chunk: the work arrays of a chunk stay in the L1/L2 caches. */
    static final int CHUNK = 256;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final long M0L = Philox4x32.M0 & MASK, M1L = Philox4x32.M1 & MASK;
    private static final double TWO_POW_M32 = 0x1p-32;

    /** Work arrays for one chunk (one per thread). */
    static final class Scratch {
        final int[] x0 = new int[CHUNK], x1 = new int[CHUNK], x2 = new int[CHUNK], x3 = new int[CHUNK];
        final int[] words = new int[2 * CHUNK];
        final double[] r = new double[2 * CHUNK], c = new double[2 * CHUNK], s = new double[2 * CHUNK];
        final double[] u = new double[2 * CHUNK],
                t1 = new double[2 * CHUNK],
                t2 = new double[2 * CHUNK],
                t3 = new double[2 * CHUNK];
        final long[] l1 = new long[2 * CHUNK], flags = new long[2 * CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Whether {@link #normals} runs {@link BoxMullerVector} (same values, about 2.4× faster): where
     * {@link VectorApi#enabled()} and its vectors hold 4 doubles or more. {@link BoxMullerVector} is not
     * loaded otherwise.
     */
    static final boolean VECTOR = VectorApi.enabled() && BoxMullerVector.worthIt();

    /** Which code makes the normals, for {@code cortex4j info} and the run's provenance. */
    static String implementation() {
        if (VECTOR) return BoxMullerVector.bits() + "-bit vectors";
        String off = VectorApi.offReason();
        return off == null ? "array loops (vectors narrower than 4 doubles)" : "array loops (" + off + ")";
    }

    /**
     * The normals of blocks {@code [j0, j0 + nb)} of (stream, step) under key (k0, k1) into
     * {@code out[o .. o + 4·nb)}: element 4j + 2p + e of the stream, e = 0 (cos) or 1 (sin).
     */
    static void normals(int k0, int k1, int stream, long step, long j0, long nb, double[] out, int o) {
        if (VECTOR) BoxMullerVector.normals(k0, k1, stream, step, j0, nb, out, o);
        else arrayNormals(k0, k1, stream, step, j0, nb, out, o);
    }

    /** {@link #normals} in array loops, whether or not {@link #VECTOR}. */
    static void arrayNormals(int k0, int k1, int stream, long step, long j0, long nb, double[] out, int o) {
        Scratch sc = SCRATCH.get();
        for (long done = 0; done < nb; done += CHUNK) {
            int n = (int) Math.min(CHUNK, nb - done);
            philox((int) (j0 + done), stream, (int) step, (int) (step >>> 32), k0, k1, sc.x0, sc.x1, sc.x2, sc.x3, n);
            interleave(sc.x0, sc.x2, sc.words, n); // radius words: 0 and 2 of each block
            radii(sc.words, sc.r, 2 * n, sc);
            interleave(sc.x1, sc.x3, sc.words, n); // angle words: 1 and 3
            angles(sc.words, sc.c, sc.s, 2 * n, sc);
            int at = o + (int) (4 * done);
            double[] r = sc.r, c = sc.c, s = sc.s;
            for (int i = 0; i < 2 * n; i++) {
                out[at + 2 * i] = r[i] * c[i];
                out[at + 2 * i + 1] = r[i] * s[i];
            }
        }
    }

    private static void interleave(int[] a, int[] b, int[] ab, int n) {
        for (int i = 0; i < n; i++) {
            ab[2 * i] = a[i];
            ab[2 * i + 1] = b[i];
        }
    }

    /** Philox4x32-10 of the counters (j0 + i, c1, c2, c3), i < n, into x0..x3. */
    static void philox(int j0, int c1, int c2, int c3, int k0, int k1, int[] x0, int[] x1, int[] x2, int[] x3, int n) {
        for (int i = 0; i < n; i++) {
            x0[i] = j0 + i;
            x1[i] = c1;
            x2[i] = c2;
            x3[i] = c3;
        }
        for (int round = 0; round < Philox4x32.ROUNDS; round++) {
            int key0 = k0, key1 = k1;
            for (int i = 0; i < n; i++) {
                long p0 = M0L * (x0[i] & MASK), p1 = M1L * (x2[i] & MASK);
                int a1 = x1[i], a3 = x3[i];
                x0[i] = (int) (p1 >>> 32) ^ a1 ^ key0;
                x1[i] = (int) p1;
                x2[i] = (int) (p0 >>> 32) ^ a3 ^ key1;
                x3[i] = (int) p0;
            }
            k0 += Philox4x32.W0;
            k1 += Philox4x32.W1;
        }
    }

    // ------------------------------------------------------------------------------ radius

    static final double LN2_HI = 0x1.62e42feep-1,
            LN2_LO = 0x1.a39ef35793c76p-33,
            LG1 = 0x1.5555555555593p-1,
            LG2 = 0x1.999999997fa04p-2,
            LG3 = 0x1.2492494229359p-2,
            LG4 = 0x1.c71c51d8e78afp-3,
            LG5 = 0x1.7466496cb03dep-3,
            LG6 = 0x1.39a09d078c69fp-3,
            LG7 = 0x1.2f112df3e5244p-3;

    /** r[i] = √(−2 ln u) with u = (words[i] + 1)·2^-32, as {@code Math.sqrt(-2.0 * StrictMath.log(u))}; n ≤ 2·CHUNK. */
    static void radii(int[] words, double[] r, int n, Scratch sc) {
        double[] x = sc.u, f = sc.t1, dk = sc.t2, b = sc.t3;
        long[] hxs = sc.l1, flags = sc.flags;
        for (int i = 0; i < n; i++) x[i] = ((words[i] & MASK) + 1L) * TWO_POW_M32;
        for (int i = 0; i < n; i++) hxs[i] = (Double.doubleToRawLongBits(x[i]) >>> 32) & 0xfffffL;
        // k: the exponent, plus one where the mantissa is normalised to x/2
        for (int i = 0; i < n; i++)
            dk[i] = (double)
                    (((Double.doubleToRawLongBits(x[i]) >>> 52) - 1023) + (((hxs[i] + 0x95f64L) & 0x100000L) >> 20));
        for (int i = 0; i < n; i++) {
            long bits = Double.doubleToRawLongBits(x[i]);
            long hx = hxs[i];
            long ii = (hx + 0x95f64L) & 0x100000L;
            f[i] = Double.longBitsToDouble(((hx | (ii ^ 0x3ff00000L)) << 32) | (bits & 0xffffffffL)) - 1.0;
        }
        for (int i = 0; i < n; i++)
            flags[i] = ((0xfffffL & (2 + hxs[i])) - 3) >> 63; // |f| < 2^-20: fdlibm's short path
        for (int i = 0; i < n; i++) r[i] = f[i] / (2.0 + f[i]);
        // both of fdlibm's final formulas (its k = 0 variants equal them with dk = 0) ...
        for (int i = 0; i < n; i++) {
            double ff = f[i], d = dk[i], s = r[i];
            double z = s * s;
            double w = z * z;
            double t1 = w * (LG2 + w * (LG4 + w * LG6));
            double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
            double rr = t2 + t1;
            double hfsq = 0.5 * ff * ff;
            r[i] = d * LN2_HI - ((hfsq - (s * (hfsq + rr) + d * LN2_LO)) - ff);
            b[i] = d * LN2_HI - ((s * (ff - rr) - d * LN2_LO) - ff);
        }
        // ... the first where (hx − 0x6147a) | (0x6b851 − hx) > 0
        for (int i = 0; i < n; i++) {
            long hx = hxs[i];
            long m = -((hx - 0x6147aL) | (0x6b851L - hx)) >> 63;
            r[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(r[i]) & m) | (Double.doubleToRawLongBits(b[i]) & ~m));
        }
        for (int i = 0; i < n; i++) r[i] = Math.sqrt(-2.0 * r[i]);
        long any = 0;
        for (int i = 0; i < n; i++) any |= flags[i];
        if (any != 0) {
            for (int i = 0; i < n; i++) if (flags[i] != 0) r[i] = Math.sqrt(-2.0 * StrictMath.log(x[i]));
        }
    }

    // ------------------------------------------------------------------------------ angle

    static final double S1 = -0x1.5555555555549p-3,
            S2 = 0x1.111111110f8a6p-7,
            S3 = -0x1.a01a019c161d5p-13,
            S4 = 0x1.71de357b1fe7dp-19,
            S5 = -0x1.ae5e68a2b9cebp-26,
            S6 = 0x1.5d93a5acfd57cp-33;
    static final double C1 = 0x1.555555555554cp-5,
            C2 = -0x1.6c16c16c15177p-10,
            C3 = 0x1.a01a019cb159p-16,
            C4 = -0x1.27e4f809c52adp-22,
            C5 = 0x1.1ee9ebdb4b1c4p-29,
            C6 = -0x1.8fae9be8838d4p-37;
    static final double INVPIO2 = 0x1.45f306dc9c883p-1, PIO2_1 = 0x1.921fb544p0, PIO2_1T = 0x1.0b4611a626331p-34;
    private static final long QX_BIG = Double.doubleToRawLongBits(0.28125);

    /**
     * c[i] = cos θ, s[i] = sin θ with θ = 2π·(words[i] + 1)·2^-32, as {@link StrictMath#cos} and
     * {@link StrictMath#sin} give them; n ≤ 2·CHUNK.
     */
    static void angles(int[] words, double[] c, double[] s, int n, Scratch sc) {
        double[] th = sc.u, y0 = sc.t1, y1 = sc.t2, fn = sc.t3;
        long[] q = sc.l1, flags = sc.flags;
        for (int i = 0; i < n; i++) th[i] = CounterRandom.TWO_PI * (((words[i] & MASK) + 1L) * TWO_POW_M32);
        // __ieee754_rem_pio2, medium size: n = (int)(θ·2/π + 0.5), y = θ − n·π/2 in two parts
        for (int i = 0; i < n; i++) fn[i] = (double) (long) (th[i] * INVPIO2 + 0.5);
        for (int i = 0; i < n; i++) {
            double x = th[i], k = fn[i];
            double r0 = x - k * PIO2_1;
            double w = k * PIO2_1T;
            double a = r0 - w;
            y0[i] = a;
            y1[i] = (r0 - a) - w;
        }
        // no reduction up to π/4 (high word ≤ 0x3fe921fb): y = (θ, 0), n = 0
        for (int i = 0; i < n; i++) q[i] = ((Double.doubleToRawLongBits(th[i]) >>> 32) - 0x3fe921fcL) >> 63;
        for (int i = 0; i < n; i++)
            y0[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(th[i]) & q[i]) | (Double.doubleToRawLongBits(y0[i]) & ~q[i]));
        for (int i = 0; i < n; i++) y1[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(y1[i]) & ~q[i]);
        for (int i = 0; i < n; i++) fn[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(fn[i]) & ~q[i]);
        for (int i = 0; i < n; i++) q[i] = (long) fn[i];
        // |y0| < 2^-13: the first round may have cancelled (fdlibm then refines it; near π/2 it always
        // uses a longer π/2), or the kernels' tiny-argument shortcuts apply: the scalar routine decides
        for (int i = 0; i < n; i++)
            flags[i] = (((Double.doubleToRawLongBits(y0[i]) >>> 32) & 0x7fffffffL) - 0x3f200000L) >> 63;
        // sin: __kernel_sin(y0, y1, 1) after a reduction, __kernel_sin(θ, 0, 0) without
        for (int i = 0; i < n; i++) {
            double x = y0[i], y = y1[i];
            double z = x * x;
            double v = z * x;
            double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
            s[i] = x - ((z * (0.5 * y - v * r) - y) - v * S1);
            c[i] = x + v * (S1 + z * r);
        }
        for (int i = 0; i < n; i++) {
            long m = (q[i] - 1) >> 63;
            s[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(c[i]) & m) | (Double.doubleToRawLongBits(s[i]) & ~m));
        }
        // cos: __kernel_cos(y0, y1): below |x| = 0.3 directly, above with qx split off (0.28125 above 0.78125)
        for (int i = 0; i < n; i++) {
            double x = y0[i], y = y1[i];
            double z = x * x;
            double rc = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
            fn[i] = 1.0 - (0.5 * z - (z * rc - x * y));
            c[i] = z * rc - x * y;
        }
        for (int i = 0; i < n; i++) {
            long ix = (Double.doubleToRawLongBits(y0[i]) >>> 32) & 0x7fffffffL;
            long big = (0x3fe90000L - ix) >> 63;
            y1[i] = Double.longBitsToDouble((QX_BIG & big) | (((ix - 0x00200000L) << 32) & ~big));
        }
        for (int i = 0; i < n; i++) {
            double x = y0[i], qx = y1[i];
            c[i] = (1.0 - qx) - ((0.5 * (x * x) - qx) - c[i]);
        }
        for (int i = 0; i < n; i++) {
            long small = (((Double.doubleToRawLongBits(y0[i]) >>> 32) & 0x7fffffffL) - 0x3FD33333L) >> 63;
            c[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(fn[i]) & small) | (Double.doubleToRawLongBits(c[i]) & ~small));
        }
        // quadrant n mod 4: (cos, sin) = (c, s), (−s, c), (−c, −s), (s, −c)
        for (int i = 0; i < n; i++) y0[i] = c[i];
        for (int i = 0; i < n; i++) {
            long swap = -(q[i] & 1);
            c[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(s[i]) & swap) | (Double.doubleToRawLongBits(c[i]) & ~swap));
        }
        for (int i = 0; i < n; i++) {
            long swap = -(q[i] & 1);
            s[i] = Double.longBitsToDouble(
                    (Double.doubleToRawLongBits(y0[i]) & swap) | (Double.doubleToRawLongBits(s[i]) & ~swap));
        }
        for (int i = 0; i < n; i++)
            c[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(c[i]) ^ (((q[i] + 1) & 2) << 62));
        for (int i = 0; i < n; i++)
            s[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(s[i]) ^ ((q[i] & 2) << 62));
        long any = 0;
        for (int i = 0; i < n; i++) any |= flags[i];
        if (any != 0) {
            for (int i = 0; i < n; i++) {
                if (flags[i] != 0) {
                    c[i] = StrictMath.cos(th[i]);
                    s[i] = StrictMath.sin(th[i]);
                }
            }
        }
    }
}
