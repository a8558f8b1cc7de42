package io.cortex4j.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.model.le.LeNetwork;
import io.cortex4j.model.le.LeParams;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The equivalence: an LE network with BP feedback, once it has settled on a fixed input
 * and target, makes each step exactly the gradient step DL4J computes for the same network, input
 * and target: ΔW = −dt·η·β·∂L/∂W with L = mean_b ½‖y − ŭ_N‖² (the conv bias increment is the
 * reference's mean over output positions, i.e. the gradient divided by their number).
 */
class BpEquivalenceTest {
    static final Topology MLP =
            Topology.mlp(new int[] {6, 8, 5, 3}, Activation.SIGMOID, Activation.TANH, Activation.LINEAR);
    static final Topology CONV = new Topology(
            2,
            8,
            8,
            List.of(
                    new LayerSpec.Conv2d(3, 3, 1, 1, Activation.TANH),
                    new LayerSpec.MaxPool2d(2),
                    new LayerSpec.Conv2d(4, 2, 2, 0, Activation.SIGMOID),
                    new LayerSpec.Dense(5, Activation.SIGMOID),
                    new LayerSpec.Dense(3, Activation.LINEAR)));

    @Test
    void settledBpUpdateEqualsDl4jGradient() {
        for (Topology arch : List.of(MLP, CONV)) {
            int batch = 4, n = arch.layers().size();
            double eta = 1e-6, beta = 0.5;
            LeParams p = LeParams.defaults(arch, FeedbackRule.BP, OutputError.MSE)
                    .withLearningRate(eta, LeParams.fill(n, 1.0))
                    .withBeta(beta);
            p = new LeParams(
                    arch,
                    p.rule(),
                    p.outputError(),
                    p.tau(),
                    p.dt(),
                    p.beta(),
                    p.learningRate(),
                    p.lrFactors(),
                    p.feedbackLrFactors(),
                    p.alpha(),
                    p.sigma(),
                    p.tauXi(),
                    p.tauHighPass(),
                    p.tauLowPass(),
                    0.4,
                    0.05,
                    0.05); // weights large enough for a non-trivial gradient
            Random r = new Random(3);
            double[] x = new double[batch * arch.inputLength()], y = new double[batch * arch.outputLength()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            for (int i = 0; i < y.length; i++) y[i] = r.nextGaussian();
            try (LeNetwork le = new LeNetwork(p, new Nd4jCpuBackend(), DType.FLOAT64, batch, 7)) {
                le.input().load(x);
                le.target().load(y);
                for (int s = 0; s < 2 * n + 2; s++) le.step(); // forward, then errors, reach every layer
                Dl4jNetwork dl4j = Dl4jNetwork.build(arch, Dl4jNetwork.Loss.MSE, 0.1, 1, DataType.DOUBLE);
                int[] wl = le.weightLayers();
                double[][] w0 = new double[n][], b0 = new double[n][];
                for (int i : wl) {
                    w0[i] = le.weights(i).toHost();
                    b0[i] = le.bias(i).toHost();
                    dl4j.setParameters(i, w0[i], b0[i]);
                }
                Dl4jNetwork.Gradient g = dl4j.gradient(rows(x, batch), rows(y, batch));
                le.step();
                double scale = -p.dt() * eta * beta;
                for (int i : wl) {
                    int positions = arch.layers().get(i) instanceof LayerSpec.Conv2d
                            ? arch.geometry(i).positions()
                            : 1;
                    double[] w1 = le.weights(i).toHost(), b1 = le.bias(i).toHost(), gw = g.weights(i), gb = g.bias(i);
                    double gmax = 0;
                    for (double v : gw) gmax = Math.max(gmax, Math.abs(v));
                    for (int k = 0; k < w1.length; k++) {
                        assertEquals(
                                scale * gw[k],
                                w1[k] - w0[i][k],
                                1e-5 * Math.abs(scale) * gmax,
                                arch.layers().get(i) + " W[" + k + "]");
                    }
                    for (int k = 0; k < b1.length; k++) {
                        assertEquals(
                                scale * gb[k] / positions,
                                b1[k] - b0[i][k],
                                1e-5 * Math.abs(scale) * gmax,
                                arch.layers().get(i) + " b[" + k + "]");
                    }
                }
            }
        }
    }

    private static double[][] rows(double[] flat, int n) {
        int c = flat.length / n;
        double[][] r = new double[n][c];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * c, r[i], 0, c);
        return r;
    }
}
