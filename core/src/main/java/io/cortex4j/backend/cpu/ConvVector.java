package io.cortex4j.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 im2col/col2im row loops of {@link Nd4jCpuBackend} with each kernel row (k consecutive
 * input elements) moved as one vector instead of k scalars: the same copies and the same additions in
 * the same order, so the same bits. Used where {@link io.cortex4j.tensor.VectorApi#enabled()} and the
 * kernel row fits: im2col for k ≤ 8 where the CPU has 256-bit vectors; col2im (float64 accumulators)
 * for k ≤ the doubles of the CPU's widest vector (8 with AVX-512). On LeNet5's shapes (k = 5) about 3×
 * (im2col) and 6× (col2im) faster than the scalar loops, whose 5-element runs do not vectorise.
 */
final class ConvVector {
    private ConvVector() {}

    private static final VectorSpecies<Float> ROW = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> ACC = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> ACC_F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(ACC.vectorBitSize() / 2));

    /** Floats im2col's buffers need beyond their last element (its loads and stores are whole vectors). */
    static final int SLACK = 8;

    static boolean im2colFits(int k) {
        return k <= ROW.length() && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** The widest kernel both loops take ({@code cortex4j info}). */
    static String maxKernel() {
        int im = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? ROW.length() : 0;
        int col = ACC.length() >= 4 ? ACC.length() : 0;
        return im == col ? Integer.toString(im) : im + " (im2col), " + col + " (col2im)";
    }

    static boolean col2imFits(int k) {
        return k <= ACC.length() && ACC.length() >= 4;
    }

    /**
     * As {@code Nd4jCpuBackend.im2colRows}, same values; xin and buf hold {@link #SLACK} floats more
     * than read and written (a run's vector store covers the next run's first elements, which that run
     * then writes).
     */
    static void im2colRows(
            float[] xin, int ch, int h, int w, int k, int s, int p, int ow, int oy0, int oy1, float[] buf) {
        int at = 0;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * s - p;
                boolean inside = ix0 >= 0 && ix0 + k <= w;
                for (int c = 0; c < ch; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * s - p + ky;
                        if (iy < 0 || iy >= h) {
                            for (int kx = 0; kx < k; kx++) buf[at + kx] = 0f;
                        } else {
                            int src = (c * h + iy) * w + ix0;
                            if (inside) FloatVector.fromArray(ROW, xin, src).intoArray(buf, at);
                            else
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ix0 + kx;
                                    buf[at + kx] = ix >= 0 && ix < w ? xin[src + kx] : 0f;
                                }
                        }
                        at += k;
                    }
                }
            }
        }
    }

    /** As {@code Nd4jCpuBackend.col2imRows}, same values (each run's k terms added lane by lane, in the same order). */
    static void col2imRows(
            float[] buf, int ch, int h, int w, int k, int s, int p, int ow, int oy0, int oy1, double[] acc) {
        VectorMask<Float> rf = ACC_F.indexInRange(0, k);
        VectorMask<Double> rd = ACC.indexInRange(0, k);
        int at = 0;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * s - p;
                boolean inside = ix0 >= 0 && ix0 + k <= w;
                for (int c = 0; c < ch; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * s - p + ky;
                        if (iy >= 0 && iy < h) {
                            int dst = (c * h + iy) * w + ix0;
                            if (inside) {
                                DoubleVector t = (DoubleVector) FloatVector.fromArray(ACC_F, buf, at, rf)
                                        .convertShape(VectorOperators.F2D, ACC, 0);
                                DoubleVector.fromArray(ACC, acc, dst, rd).add(t).intoArray(acc, dst, rd);
                            } else
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ix0 + kx;
                                    if (ix >= 0 && ix < w) acc[dst + kx] += buf[at + kx];
                                }
                        }
                        at += k;
                    }
                }
            }
        }
    }
}
