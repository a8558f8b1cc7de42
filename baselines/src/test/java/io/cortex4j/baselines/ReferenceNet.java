package io.cortex4j.baselines;

import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import java.util.List;

/**
 * A plain-Java forward pass of an {@link Topology} in double precision, written from the
 * definitions (direct loops, no im2col, no DL4J), with parameters in our layout: the independent
 * reference for the layout mapping and the gradients of {@link Dl4jNetwork}.
 */
final class ReferenceNet {
    private final Topology arch;
    final double[][] weights;
    final double[][] biases;

    ReferenceNet(Topology arch) {
        this.arch = arch;
        this.weights = new double[arch.layers().size()][];
        this.biases = new double[arch.layers().size()][];
    }

    /** Output of one sample {@code x} (channel-major C·H·W); softmax on the last layer if {@code softmax}. */
    double[] forward(double[] x, boolean softmax) {
        List<LayerSpec> layers = arch.layers();
        List<Topology.Shape> shapes = arch.outputShapes();
        Topology.Shape in = arch.input();
        double[] a = x;
        for (int l = 0; l < layers.size(); l++) {
            Topology.Shape out = shapes.get(l);
            boolean last = l == layers.size() - 1;
            a = switch (layers.get(l)) {
                case LayerSpec.Dense d -> dense(a, weights[l], biases[l], d, last && softmax);
                case LayerSpec.Conv2d c -> conv(a, in, out, weights[l], biases[l], c);
                case LayerSpec.MaxPool2d p -> pool(a, in, out, p.kernel());
            };
            in = out;
        }
        return a;
    }

    /** L = (1/B)·Σ_b ½Σ_j (y−o)² (MSE) or (1/B)·Σ_b −Σ_j y·log softmax (cross-entropy), x and y flat row-major. */
    double loss(double[] x, double[] y, Dl4jNetwork.Loss loss) {
        int nIn = arch.inputLength(), nOut = arch.outputLength(), batch = x.length / nIn;
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            double[] xb = java.util.Arrays.copyOfRange(x, b * nIn, (b + 1) * nIn);
            double[] o = forward(xb, loss == Dl4jNetwork.Loss.CROSS_ENTROPY);
            for (int j = 0; j < nOut; j++) {
                double t = y[b * nOut + j];
                sum += loss == Dl4jNetwork.Loss.MSE ? 0.5 * (t - o[j]) * (t - o[j]) : -t * Math.log(o[j]);
            }
        }
        return sum / batch;
    }

    private static double[] dense(double[] x, double[] w, double[] bias, LayerSpec.Dense d, boolean softmax) {
        int n = d.units(), m = x.length;
        double[] z = new double[n];
        for (int o = 0; o < n; o++) {
            double s = bias[o];
            for (int i = 0; i < m; i++) s += w[o * m + i] * x[i];
            z[o] = s;
        }
        if (softmax) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : z) max = Math.max(max, v);
            for (int o = 0; o < n; o++) sum += z[o] = Math.exp(z[o] - max);
            for (int o = 0; o < n; o++) z[o] /= sum;
        } else {
            for (int o = 0; o < n; o++) z[o] = d.activation().apply(z[o]);
        }
        return z;
    }

    private static double[] conv(
            double[] x, Topology.Shape in, Topology.Shape out, double[] w, double[] bias, LayerSpec.Conv2d c) {
        int k = c.kernel(), s = c.stride(), p = c.padding(), C = in.channels(), H = in.height(), W = in.width();
        double[] y = new double[out.length()];
        for (int f = 0; f < out.channels(); f++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    double sum = bias[f];
                    for (int ch = 0; ch < C; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s + ky - p, ix = ox * s + kx - p;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue; // zero padding
                                sum += w[f * C * k * k + (ch * k + ky) * k + kx] * x[(ch * H + iy) * W + ix];
                            }
                        }
                    }
                    y[(f * out.height() + oy) * out.width() + ox] =
                            c.activation().apply(sum);
                }
            }
        }
        return y;
    }

    private static double[] pool(double[] x, Topology.Shape in, Topology.Shape out, int k) {
        double[] y = new double[out.length()];
        for (int ch = 0; ch < out.channels(); ch++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            m = Math.max(m, x[(ch * in.height() + oy * k + ky) * in.width() + ox * k + kx]);
                        }
                    }
                    y[(ch * out.height() + oy) * out.width() + ox] = m;
                }
            }
        }
        return y;
    }
}
