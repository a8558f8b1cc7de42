package io.cortex4j.model.le;

import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.ConvGeometry;
import java.util.List;

/**
 * An independent plain-loop statement of an LE architecture's feed-forward map (no im2col, no
 * GEMM), for checking the network against: direct convolution loops over (f, oy, ox, c, ky, kx),
 * max-pooling by scanning each window, dense layers as sums. Parameters are per layer, W as
 * [post, pre] ([filters, C·k·k] for a convolution, in (c, ky, kx) order).
 */
final class ReferenceNet {
    final Topology arch;
    final double[][] w, b;

    ReferenceNet(Topology arch, double[][] w, double[][] b) {
        this.arch = arch;
        this.w = w;
        this.b = b;
    }

    /** Potentials (pre-activation) of every layer for one sample; index i is layer i's output. */
    double[][] potentials(double[] x) {
        List<LayerSpec> layers = arch.layers();
        List<Topology.Shape> shapes = arch.outputShapes();
        double[][] u = new double[layers.size()][];
        double[] in = x;
        Topology.Shape inShape = arch.input();
        for (int i = 0; i < layers.size(); i++) {
            Topology.Shape outShape = shapes.get(i);
            double[] out = new double[outShape.length()];
            double[] pot = new double[outShape.length()];
            switch (layers.get(i)) {
                case LayerSpec.Dense d -> {
                    for (int o = 0; o < out.length; o++) {
                        double s = b[i][o];
                        for (int k = 0; k < in.length; k++) s += w[i][o * in.length + k] * in[k];
                        pot[o] = s;
                        out[o] = d.activation().apply(s);
                    }
                }
                case LayerSpec.Conv2d c -> {
                    ConvGeometry g = arch.geometry(i);
                    int oh = g.outHeight(), ow = g.outWidth(), k = c.kernel();
                    for (int f = 0; f < c.filters(); f++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                double s = b[i][f];
                                for (int ch = 0; ch < g.channels(); ch++) {
                                    for (int ky = 0; ky < k; ky++) {
                                        for (int kx = 0; kx < k; kx++) {
                                            int iy = oy * c.stride() - c.padding() + ky,
                                                    ix = ox * c.stride() - c.padding() + kx;
                                            if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) continue;
                                            s += w[i][f * g.patch() + (ch * k + ky) * k + kx]
                                                    * in[(ch * g.height() + iy) * g.width() + ix];
                                        }
                                    }
                                }
                                int at = (f * oh + oy) * ow + ox;
                                pot[at] = s;
                                out[at] = c.activation().apply(s);
                            }
                        }
                    }
                }
                case LayerSpec.MaxPool2d m -> {
                    int k = m.kernel();
                    for (int ch = 0; ch < outShape.channels(); ch++) {
                        for (int oy = 0; oy < outShape.height(); oy++) {
                            for (int ox = 0; ox < outShape.width(); ox++) {
                                double best = Double.NEGATIVE_INFINITY;
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        best = Math.max(
                                                best,
                                                in[
                                                        (ch * inShape.height() + oy * k + ky) * inShape.width()
                                                                + ox * k
                                                                + kx]);
                                    }
                                }
                                int at = (ch * outShape.height() + oy) * outShape.width() + ox;
                                pot[at] = best;
                                out[at] = best;
                            }
                        }
                    }
                }
            }
            u[i] = pot;
            in = out;
            inShape = outShape;
        }
        return u;
    }

    double[] output(double[] x) {
        double[][] u = potentials(x);
        return u[u.length - 1];
    }

    /** Mean over samples of ½‖y − ŭ_N‖² (the loss whose gradient BP with the {@code mse} error follows). */
    double mseLoss(double[][] xs, double[][] ys) {
        double s = 0;
        for (int b = 0; b < xs.length; b++) {
            double[] o = output(xs[b]);
            for (int j = 0; j < o.length; j++) s += 0.5 * (ys[b][j] - o[j]) * (ys[b][j] - o[j]);
        }
        return s / xs.length;
    }

    static Activation act(LayerSpec l) {
        return switch (l) {
            case LayerSpec.Dense d -> d.activation();
            case LayerSpec.Conv2d c -> c.activation();
            case LayerSpec.MaxPool2d m -> Activation.LINEAR;
        };
    }
}
