package io.cortex4j.random;

import static io.cortex4j.random.BoxMuller.C1;
import static io.cortex4j.random.BoxMuller.C2;
import static io.cortex4j.random.BoxMuller.C3;
import static io.cortex4j.random.BoxMuller.C4;
import static io.cortex4j.random.BoxMuller.C5;
import static io.cortex4j.random.BoxMuller.C6;
import static io.cortex4j.random.BoxMuller.INVPIO2;
import static io.cortex4j.random.BoxMuller.LG1;
import static io.cortex4j.random.BoxMuller.LG2;
import static io.cortex4j.random.BoxMuller.LG3;
import static io.cortex4j.random.BoxMuller.LG4;
import static io.cortex4j.random.BoxMuller.LG5;
import static io.cortex4j.random.BoxMuller.LG6;
import static io.cortex4j.random.BoxMuller.LG7;
import static io.cortex4j.random.BoxMuller.LN2_HI;
import static io.cortex4j.random.BoxMuller.LN2_LO;
import static io.cortex4j.random.BoxMuller.PIO2_1;
import static io.cortex4j.random.BoxMuller.PIO2_1T;
import static io.cortex4j.random.BoxMuller.S1;
import static io.cortex4j.random.BoxMuller.S2;
import static io.cortex4j.random.BoxMuller.S3;
import static io.cortex4j.random.BoxMuller.S4;
import static io.cortex4j.random.BoxMuller.S5;
import static io.cortex4j.random.BoxMuller.S6;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_I2L;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BoxMuller}'s arithmetic in the Vector API (incubating; used where the JVM runs with
 * {@code --add-modules jdk.incubator.vector}): the same fdlibm operations in the same order, with the
 * radius and angle of a pair kept in registers from the words to the two normals instead of one
 * array pass per operation, about 2.4× faster on AVX-512. Every value equals, bit for bit, the one of
 * {@link BoxMuller} and so of {@link CounterRandom#normal} ({@code BoxMullerTest} checks both on the
 * same words). Only operations every x86-64 AVX2 and ARM vector unit has are used: integers go to
 * doubles through the 2^52 (or 1.5·2^52) bit pattern, and fdlibm's {@code (int)(θ·2/π + 0.5)} is
 * counted with comparisons, so no double↔long conversion (AVX-512DQ) or 64-bit arithmetic shift is
 * needed. Lanes where fdlibm takes a rare path are recomputed by the scalar routines, as in
 * {@link BoxMuller}.
 *
 * <p>The algorithms are fdlibm's, the constants {@link BoxMuller}'s (see there for fdlibm's notice).
 */
final class BoxMullerVector {
    private BoxMullerVector() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I =
            VectorSpecies.of(int.class, VectorShape.forBitSize(L.vectorBitSize() / 2));
    private static final int LANES = D.length();

    /** Whether the vectors are wide enough to pay: 4 doubles or more (AVX2, AVX-512, SVE ≥ 256). */
    static boolean worthIt() {
        return LANES >= 4 && L.length() == LANES;
    }

    /** The vector width, for {@code cortex4j info}. */
    static int bits() {
        return D.vectorBitSize();
    }

    private static final class Scratch {
        final int[] x0 = new int[BoxMuller.CHUNK],
                x1 = new int[BoxMuller.CHUNK],
                x2 = new int[BoxMuller.CHUNK],
                x3 = new int[BoxMuller.CHUNK];
        final double[] a0 = new double[BoxMuller.CHUNK],
                a1 = new double[BoxMuller.CHUNK],
                a2 = new double[BoxMuller.CHUNK],
                a3 = new double[BoxMuller.CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** As {@link BoxMuller#normals}, same values. */
    static void normals(int k0, int k1, int stream, long step, long j0, long nb, double[] out, int o) {
        Scratch sc = SCRATCH.get();
        for (long done = 0; done < nb; done += BoxMuller.CHUNK) {
            int n = (int) Math.min(BoxMuller.CHUNK, nb - done);
            BoxMuller.philox(
                    (int) (j0 + done), stream, (int) step, (int) (step >>> 32), k0, k1, sc.x0, sc.x1, sc.x2, sc.x3, n);
            pairs(sc.x0, sc.x1, null, sc.a0, sc.a1, n); // pair 0 of each block: words 0 and 1
            pairs(sc.x2, sc.x3, null, sc.a2, sc.a3, n); // pair 1: words 2 and 3
            int at = o + (int) (4 * done);
            double[] a0 = sc.a0, a1 = sc.a1, a2 = sc.a2, a3 = sc.a3;
            for (int i = 0; i < n; i++) {
                out[at + 4 * i] = a0[i];
                out[at + 4 * i + 1] = a1[i];
                out[at + 4 * i + 2] = a2[i];
                out[at + 4 * i + 3] = a3[i];
            }
        }
    }

    private static final long EXP52 = 0x4330_0000_0000_0000L; // 2^52: its low bits hold an integer < 2^52
    private static final long EXP52_15 = 0x4338_0000_0000_0000L; // 1.5·2^52: ± small integers
    private static final double TWO52 = 0x1p52, TWO52_15 = 0x1.8p52;

    /** (w + 1)·2^-32 of the unsigned words w[i .. i + LANES): {@link CounterRandom#toUniform}, exactly. */
    private static DoubleVector uniform(int[] w, int i) {
        LongVector lw = (LongVector) IntVector.fromArray(I, w, i).convertShape(ZERO_EXTEND_I2L, L, 0);
        return lw.or(EXP52).reinterpretAsDoubles().sub(TWO52).add(1.0).mul(0x1p-32);
    }

    /** The small integers k (|k| < 2^51) as doubles, exactly. */
    private static DoubleVector toDouble(LongVector k) {
        return k.add(EXP52_15).reinterpretAsDoubles().sub(TWO52_15);
    }

    /**
     * For the pairs (radius word rw[i], angle word aw[i]), i &lt; n: with {@code r == null},
     * cs[i] = ρ·cos θ and sn[i] = ρ·sin θ (the pair's two normals); otherwise r[i] = ρ, cs[i] = cos θ,
     * sn[i] = sin θ (what {@link BoxMuller#radii} and {@link BoxMuller#angles} give, for the tests).
     */
    static void pairs(int[] rw, int[] aw, double[] r, double[] cs, double[] sn, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            // radius: √(−2·__ieee754_log(u)), as BoxMuller.radii
            DoubleVector x = uniform(rw, i);
            LongVector bits = x.reinterpretAsLongs();
            LongVector hx = bits.lanewise(LSHR, 32).and(0xfffffL);
            LongVector ii = hx.add(0x95f64L).and(0x100000L);
            DoubleVector dk = toDouble(bits.lanewise(LSHR, 52).sub(1023L).add(ii.lanewise(LSHR, 20)));
            DoubleVector f = hx.or(ii.lanewise(XOR, 0x3ff00000L))
                    .lanewise(LSHL, 32)
                    .or(bits.and(0xffffffffL))
                    .reinterpretAsDoubles()
                    .sub(1.0);
            VectorMask<Long> rare = hx.add(2L).and(0xfffffL).compare(VectorOperators.LT, 3L);
            DoubleVector s = f.div(f.add(2.0));
            DoubleVector z = s.mul(s);
            DoubleVector w = z.mul(z);
            DoubleVector t1 = w.mul(w.mul(w.mul(LG6).add(LG4)).add(LG2));
            DoubleVector t2 = z.mul(w.mul(w.mul(w.mul(LG7).add(LG5)).add(LG3)).add(LG1));
            DoubleVector rr = t2.add(t1);
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector dh = dk.mul(LN2_HI), dl = dk.mul(LN2_LO);
            DoubleVector logA = dh.sub(hfsq.sub(s.mul(hfsq.add(rr)).add(dl)).sub(f));
            DoubleVector logB = dh.sub(s.mul(f.sub(rr)).sub(dl).sub(f));
            VectorMask<Long> useA = hx.sub(0x6147aL).or(hx.neg().add(0x6b851L)).compare(VectorOperators.GT, 0L);
            DoubleVector rho = logB.blend(logA, useA.cast(D)).mul(-2.0).sqrt();

            // angle: __ieee754_rem_pio2 (medium), __kernel_sin, __kernel_cos, as BoxMuller.angles
            DoubleVector th = uniform(aw, i).mul(CounterRandom.TWO_PI);
            DoubleVector v = th.mul(INVPIO2).add(0.5); // in (0.5, 4.5]: (int) v counted
            DoubleVector zero = DoubleVector.zero(D);
            DoubleVector fn = zero.blend(1.0, v.compare(VectorOperators.GE, 1.0))
                    .add(zero.blend(1.0, v.compare(VectorOperators.GE, 2.0)))
                    .add(zero.blend(1.0, v.compare(VectorOperators.GE, 3.0)))
                    .add(zero.blend(1.0, v.compare(VectorOperators.GE, 4.0)));
            DoubleVector r0 = th.sub(fn.mul(PIO2_1));
            DoubleVector ww = fn.mul(PIO2_1T);
            DoubleVector y0 = r0.sub(ww);
            DoubleVector y1 = r0.sub(y0).sub(ww);
            VectorMask<Double> noReduction = th.reinterpretAsLongs()
                    .lanewise(LSHR, 32)
                    .compare(VectorOperators.LT, 0x3fe921fcL)
                    .cast(D);
            y0 = y0.blend(th, noReduction);
            y1 = y1.blend(0.0, noReduction);
            LongVector q = fn.blend(0.0, noReduction)
                    .add(TWO52_15)
                    .reinterpretAsLongs()
                    .sub(EXP52_15);
            LongVector ix = y0.reinterpretAsLongs().lanewise(LSHR, 32).and(0x7fffffffL);
            rare = rare.or(ix.compare(VectorOperators.LT, 0x3f200000L));
            DoubleVector zz = y0.mul(y0);
            DoubleVector vv = zz.mul(y0);
            DoubleVector rs =
                    zz.mul(zz.mul(zz.mul(zz.mul(S6).add(S5)).add(S4)).add(S3)).add(S2);
            DoubleVector sinReduced =
                    y0.sub(zz.mul(y1.mul(0.5).sub(vv.mul(rs))).sub(y1).sub(vv.mul(S1)));
            DoubleVector sinPlain = y0.add(vv.mul(zz.mul(rs).add(S1)));
            DoubleVector sin =
                    sinReduced.blend(sinPlain, q.compare(VectorOperators.LT, 1L).cast(D));
            DoubleVector rc = zz.mul(zz.mul(zz.mul(
                                    zz.mul(zz.mul(zz.mul(C6).add(C5)).add(C4)).add(C3))
                            .add(C2))
                    .add(C1));
            DoubleVector zrc = zz.mul(rc).sub(y0.mul(y1));
            DoubleVector one = DoubleVector.broadcast(D, 1.0);
            DoubleVector cosSmall = one.sub(zz.mul(0.5).sub(zrc));
            DoubleVector qx = ix.sub(0x00200000L)
                    .lanewise(LSHL, 32)
                    .reinterpretAsDoubles()
                    .blend(QX_BIG, ix.compare(VectorOperators.GT, 0x3fe90000L).cast(D));
            DoubleVector cosBig = one.sub(qx).sub(zz.mul(0.5).sub(qx).sub(zrc));
            DoubleVector cos = cosBig.blend(
                    cosSmall, ix.compare(VectorOperators.LT, 0x3FD33333L).cast(D));
            // quadrant q mod 4: (cos, sin) = (c, s), (−s, c), (−c, −s), (s, −c)
            VectorMask<Double> swap = q.and(1L).compare(VectorOperators.NE, 0L).cast(D);
            DoubleVector c = cos.blend(sin, swap), sn0 = sin.blend(cos, swap);
            c = c.reinterpretAsLongs()
                    .lanewise(XOR, q.add(1L).and(2L).lanewise(LSHL, 62))
                    .reinterpretAsDoubles();
            sn0 = sn0.reinterpretAsLongs()
                    .lanewise(XOR, q.and(2L).lanewise(LSHL, 62))
                    .reinterpretAsDoubles();
            if (r == null) {
                rho.mul(c).intoArray(cs, i);
                rho.mul(sn0).intoArray(sn, i);
            } else {
                rho.intoArray(r, i);
                c.intoArray(cs, i);
                sn0.intoArray(sn, i);
            }
            if (rare.anyTrue()) {
                for (int k = 0; k < LANES; k++) if (rare.laneIsSet(k)) scalar(rw[i + k], aw[i + k], r, cs, sn, i + k);
            }
        }
        for (; i < n; i++) scalar(rw[i], aw[i], r, cs, sn, i);
    }

    /** One pair by the scalar routines of {@link CounterRandom#normal}. */
    private static void scalar(int rw, int aw, double[] r, double[] cs, double[] sn, int i) {
        double rho = Math.sqrt(-2.0 * StrictMath.log(CounterRandom.toUniform(rw)));
        double th = CounterRandom.TWO_PI * CounterRandom.toUniform(aw);
        double c = StrictMath.cos(th), s = StrictMath.sin(th);
        if (r == null) {
            cs[i] = rho * c;
            sn[i] = rho * s;
        } else {
            r[i] = rho;
            cs[i] = c;
            sn[i] = s;
        }
    }

    private static final double QX_BIG = 0.28125;
}
