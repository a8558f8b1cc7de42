package io.cortex4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.ConvGeometry;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import io.cortex4j.tensor.VectorApi;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float32 im2col/col2im with {@link ConvVector} give the bits of the array loops: kernels 1–9 (the
 * vector path takes k ≤ 8, the rest falls back), with and without padding, strides 1–3, LeNet5's and
 * BurstCCN's shapes, whole samples and one output row at a time (grain 0), on 1 and 3 threads.
 */
class ConvVectorTest {
    static final ConvGeometry[] SHAPES = {
        new ConvGeometry(20, 14, 14, 5, 1, 0), // LeNet5 conv 2
        new ConvGeometry(3, 32, 32, 5, 1, 0), // LeNet5 conv 1 (CIFAR)
        new ConvGeometry(3, 32, 32, 5, 1, 2), // padded
        new ConvGeometry(4, 11, 9, 3, 2, 1),
        new ConvGeometry(2, 12, 12, 8, 1, 0),
        new ConvGeometry(2, 12, 13, 9, 1, 0), // wider than a vector: the array loops
        new ConvGeometry(5, 7, 7, 1, 1, 0),
        new ConvGeometry(3, 10, 10, 4, 3, 3),
    };

    @Test
    void theVectorPathsGiveTheArrayLoopsBits() {
        assertTrue(VectorApi.enabled(), "tests run with --add-modules=jdk.incubator.vector (cortex4j.jvmFlags)");
        assertTrue(ConvVector.im2colFits(5), "a 256-bit vector unit: im2col's k = 5 runs on the vector path");
        SplittableRandom rnd = new SplittableRandom(11);
        for (double grain : new double[] {1.0, 0.0})
            for (int threads : new int[] {1, 3}) {
                Backend arrays = new Nd4jCpuBackend(Long.MAX_VALUE, threads, grain, null, false);
                Backend vectors = new Nd4jCpuBackend(Long.MAX_VALUE, threads, grain, null, true);
                for (ConvGeometry g : SHAPES) {
                    int batch = 3, rows = batch * g.positions();
                    double[] x = new double[batch * g.inputLength()], c = new double[rows * g.patch()];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < c.length; i++)
                        c[i] = (float) (rnd.nextGaussian() * Math.exp(8 * rnd.nextDouble()));
                    String what = g + ", grain " + grain + ", " + threads + " threads";
                    assertArrayEquals(
                            bits(im2col(arrays, g, x, batch)), bits(im2col(vectors, g, x, batch)), "im2col " + what);
                    assertArrayEquals(
                            bits(col2im(arrays, g, c, batch)), bits(col2im(vectors, g, c, batch)), "col2im " + what);
                }
            }
    }

    static double[] im2col(Backend be, ConvGeometry g, double[] x, int batch) {
        Tensor X = be.fromHost(DType.FLOAT32, x, batch, g.inputLength());
        Tensor C = be.fromHost(
                DType.FLOAT32, new double[batch * g.positions() * g.patch()], batch * g.positions(), g.patch());
        be.im2col(X, g, C);
        return C.toHost();
    }

    static double[] col2im(Backend be, ConvGeometry g, double[] c, int batch) {
        Tensor C = be.fromHost(DType.FLOAT32, c, batch * g.positions(), g.patch());
        Tensor X = be.zeros(DType.FLOAT32, batch, g.inputLength());
        be.col2im(C, g, X);
        return X.toHost();
    }

    static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }
}
