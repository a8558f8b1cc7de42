package io.cortex4j.random;

/**
 * {@code r·cos(x)} and {@code r·sin(x)} for one angle {@code 0 < x ≤ 2π} with a single argument
 * reduction, equal bit for bit to {@code r * StrictMath.cos(x)} and {@code r * StrictMath.sin(x)}:
 * the same fdlibm 5.3 steps that {@link StrictMath} specifies ({@code __ieee754_rem_pio2} for
 * arguments below 2<sup>19</sup>·π/2, then {@code __kernel_sin} and {@code __kernel_cos}), done once
 * for both functions instead of twice. The Box–Muller transform of {@link CounterRandom} needs both
 * of every angle; the exhaustive check over all 2<sup>32</sup> angles it can produce is in the
 * tests ({@code SinCosTest}, a sample by default).
 *
 * <p>The algorithm and constants are those of fdlibm:
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
final class SinCos {
    private SinCos() {
    }

    // __kernel_sin
    private static final double S1 = -0x1.5555555555549p-3, S2 = 0x1.111111110f8a6p-7, S3 = -0x1.a01a019c161d5p-13, S4 = 0x1.71de357b1fe7dp-19,
            S5 = -0x1.ae5e68a2b9cebp-26, S6 = 0x1.5d93a5acfd57cp-33;
    // __kernel_cos
    private static final double C1 = 0x1.555555555554cp-5, C2 = -0x1.6c16c16c15177p-10, C3 = 0x1.a01a019cb159p-16, C4 = -0x1.27e4f809c52adp-22,
            C5 = 0x1.1ee9ebdb4b1c4p-29, C6 = -0x1.8fae9be8838d4p-37;
    // __ieee754_rem_pio2
    private static final double INVPIO2 = 0x1.45f306dc9c883p-1, PIO2_1 = 0x1.921fb544p0, PIO2_1T = 0x1.0b4611a626331p-34, PIO2_2 = 0x1.0b4611a6p-34,
            PIO2_2T = 0x1.3198a2e037073p-69, PIO2_3 = 0x1.3198a2ep-69, PIO2_3T = 0x1.b839a252049c1p-104;
    /** High words of n·π/2, n = 1..4 (the first entries of fdlibm's npio2_hw). */
    private static final int[] NPIO2_HW = {0x3FF921FB, 0x400921FB, 0x4012D97C, 0x401921FB};

    /** Largest angle accepted: 2π (as the double {@code 2.0 * Math.PI}). */
    static final double MAX = 2.0 * Math.PI;

    private static int hi(double x) {
        return (int) (Double.doubleToRawLongBits(x) >>> 32);
    }

    /**
     * Writes {@code out[o] = r·cos(x)} and {@code out[o + 1] = r·sin(x)}, with cos and sin exactly as
     * {@link StrictMath#cos} and {@link StrictMath#sin} return them.
     *
     * @param x the angle, {@code 0 < x ≤ 2π}
     */
    static void polar(double r, double x, double[] out, int o) {
        int ix = hi(x);
        if (!(x > 0 && x <= MAX)) throw new IllegalArgumentException("angle outside (0, 2π]: " + x);
        if (ix <= 0x3fe9_21fb) { // |x| ≤ π/4: no reduction; sin with iy = 0
            out[o] = r * kernelCos(x, 0.0);
            out[o + 1] = r * sin0(x);
            return;
        }
        double y0, y1;
        int n;
        if (ix < 0x4002_d97c) { // x < 3π/4: n = 1
            double z = x - PIO2_1;
            if (ix != 0x3ff9_21fb) { // 33+53 bit π is good enough
                y0 = z - PIO2_1T;
                y1 = (z - y0) - PIO2_1T;
            } else { // near π/2: 33+33+53 bit π
                z -= PIO2_2;
                y0 = z - PIO2_2T;
                y1 = (z - y0) - PIO2_2T;
            }
            n = 1;
        } else { // medium size (x ≤ 2π ≪ 2^19·π/2)
            double t = x;
            n = (int) (t * INVPIO2 + 0.5);
            double fn = n;
            double r0 = t - fn * PIO2_1;
            double w = fn * PIO2_1T; // first round, good to 85 bits
            if (ix != NPIO2_HW[n - 1]) {
                y0 = r0 - w; // no cancellation
            } else {
                int j = ix >> 20;
                y0 = r0 - w;
                int i = j - ((hi(y0) >> 20) & 0x7ff);
                if (i > 16) { // second iteration, good to 118 bits
                    t = r0;
                    w = fn * PIO2_2;
                    r0 = t - w;
                    w = fn * PIO2_2T - ((t - r0) - w);
                    y0 = r0 - w;
                    i = j - ((hi(y0) >> 20) & 0x7ff);
                    if (i > 49) { // third iteration, 151 bits
                        t = r0;
                        w = fn * PIO2_3;
                        r0 = t - w;
                        w = fn * PIO2_3T - ((t - r0) - w);
                        y0 = r0 - w;
                    }
                }
            }
            y1 = (r0 - y0) - w;
        }
        double s = kernelSin1(y0, y1), c = kernelCos(y0, y1);
        switch (n & 3) {
            case 0 -> {
                out[o] = r * c;
                out[o + 1] = r * s;
            }
            case 1 -> {
                out[o] = r * -s;
                out[o + 1] = r * c;
            }
            case 2 -> {
                out[o] = r * -c;
                out[o + 1] = r * -s;
            }
            default -> {
                out[o] = r * s;
                out[o + 1] = r * -c;
            }
        }
    }

    /** __kernel_sin(x, 0, 0). */
    private static double sin0(double x) {
        int ix = hi(x) & 0x7fff_ffff;
        if (ix < 0x3e40_0000 && (int) x == 0) return x; // |x| < 2^-27
        double z = x * x;
        double v = z * x;
        double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x + v * (S1 + z * r);
    }

    /** __kernel_sin(x, y, 1). */
    private static double kernelSin1(double x, double y) {
        int ix = hi(x) & 0x7fff_ffff;
        if (ix < 0x3e40_0000 && (int) x == 0) return x;
        double z = x * x;
        double v = z * x;
        double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x - ((z * (0.5 * y - v * r) - y) - v * S1);
    }

    /** __kernel_cos(x, y). */
    private static double kernelCos(double x, double y) {
        int ix = hi(x) & 0x7fff_ffff;
        if (ix < 0x3e40_0000 && (int) x == 0) return 1.0;
        double z = x * x;
        double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
        if (ix < 0x3FD3_3333) return 1.0 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
        double qx = ix > 0x3fe9_0000 ? 0.28125 : Double.longBitsToDouble((long) (ix - 0x0020_0000) << 32);
        double hz = 0.5 * z - qx;
        double a = 1.0 - qx;
        return a - (hz - (z * r - x * y));
    }
}
