package io.cortex4j.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.baselines.Dl4jNetwork.Loss;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.model.topology.LayerSpec.Conv2d;
import io.cortex4j.model.topology.LayerSpec.Dense;
import io.cortex4j.model.topology.LayerSpec.MaxPool2d;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class Dl4jNetworkTest {
    /** 5-4-3, sigmoid hidden, linear output. */
    static final Topology MLP = Topology.mlp(new int[] {5, 4, 3}, Activation.SIGMOID, Activation.LINEAR);
    /** 1×6×6 → conv 2×3×3 (tanh) → 2×4×4 → maxpool 2 → 2×2×2 → dense 3 (linear). */
    static final Topology TINY_CONV = new Topology(
            1,
            6,
            6,
            List.of(new Conv2d(2, 3, 1, 0, Activation.TANH), new MaxPool2d(2), new Dense(3, Activation.LINEAR)));
    /**
     * Two input channels, stride and padding, two convolutions, a pool that floors (3×3 → 1×1):
     * 2×7×7 → conv 3×3×3 s2 p1 (sigmoid) → 3×4×4 → conv 2×2×2 (tanh) → 2×3×3 → maxpool 2 → 2×1×1
     * → dense 4 (tanh) → dense 3 (linear).
     */
    static final Topology CONV_2CH = new Topology(
            2,
            7,
            7,
            List.of(
                    new Conv2d(3, 3, 2, 1, Activation.SIGMOID),
                    new Conv2d(2, 2, 1, 0, Activation.TANH),
                    new MaxPool2d(2),
                    new Dense(4, Activation.TANH),
                    new Dense(3, Activation.LINEAR)));

    // ------------------------------------------------------------------ helpers

    /** Random parameters (N(0, 0.5²)) set into both the DL4J network and the reference. */
    static ReferenceNet randomize(Dl4jNetwork net, long seed) {
        Topology arch = net.architecture();
        ReferenceNet ref = new ReferenceNet(arch);
        Random rng = new Random(seed);
        List<Topology.Shape> shapes = arch.outputShapes();
        for (int l = 0; l < arch.layers().size(); l++) {
            int in = l == 0 ? arch.inputLength() : shapes.get(l - 1).length();
            int nw, nb;
            switch (arch.layers().get(l)) {
                case Dense d -> {
                    nw = d.units() * in;
                    nb = d.units();
                }
                case Conv2d c -> {
                    nw = c.filters() * arch.geometry(l).patch();
                    nb = c.filters();
                }
                case MaxPool2d p -> {
                    continue;
                }
            }
            double[] w = gaussian(rng, nw, 0.5), b = gaussian(rng, nb, 0.5);
            net.setParameters(l, w, b);
            if (net.dataType() == DataType.FLOAT) {
                w = roundToFloat(w);
                b = roundToFloat(b);
            }
            ref.weights[l] = w;
            ref.biases[l] = b;
        }
        return ref;
    }

    static double[] gaussian(Random rng, int n, double sd) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = sd * rng.nextGaussian();
        return a;
    }

    static double[] roundToFloat(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (float) a[i];
        return r;
    }

    static double[] row(double[] flat, int i, int n) {
        return java.util.Arrays.copyOfRange(flat, i * n, (i + 1) * n);
    }

    // ------------------------------------------------------------------ 1. layout

    @Test
    void parametersRoundTripInOurLayoutAndMapToDl4jsLayout() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Dl4jNetwork net = Dl4jNetwork.build(CONV_2CH, Loss.MSE, 0.1, 1, type);
            Random rng = new Random(2);
            // conv layer 0: 3 filters × (2·3·3), dense layer 3: 4 × 2
            double[] cw = gaussian(rng, 3 * 18, 1), cb = gaussian(rng, 3, 1);
            double[] dw = gaussian(rng, 4 * 2, 1), db = gaussian(rng, 4, 1);
            net.setParameters(0, cw, cb);
            net.setParameters(3, dw, db);
            boolean f = type == DataType.FLOAT;
            assertArrayEquals(f ? roundToFloat(cw) : cw, net.weights(0), 0.0);
            assertArrayEquals(f ? roundToFloat(cb) : cb, net.bias(0), 0.0);
            assertArrayEquals(f ? roundToFloat(dw) : dw, net.weights(3), 0.0);
            assertArrayEquals(f ? roundToFloat(db) : db, net.bias(3), 0.0);

            // the DL4J arrays themselves: dense W is [in, out], conv W is [out, in, kH, kW]
            INDArray dW = net.dl4j().getLayer(3).getParam("W");
            assertArrayEquals(new long[] {2, 4}, dW.shape());
            double[] dwStored = f ? roundToFloat(dw) : dw, cwStored = f ? roundToFloat(cw) : cw;
            for (int o = 0; o < 4; o++)
                for (int i = 0; i < 2; i++) assertEquals(dwStored[o * 2 + i], dW.getDouble(i, o), 0.0);
            INDArray cW = net.dl4j().getLayer(0).getParam("W");
            assertArrayEquals(new long[] {3, 2, 3, 3}, cW.shape());
            for (int fi = 0; fi < 3; fi++)
                for (int c = 0; c < 2; c++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            assertEquals(cwStored[fi * 18 + (c * 3 + ky) * 3 + kx], cW.getDouble(fi, c, ky, kx), 0.0);
                        }
        }
    }

    @Test
    void forwardPassEqualsPlainJavaReference() {
        Topology reluMlp = Topology.mlp(new int[] {6, 5, 4}, Activation.RELU, Activation.SIGMOID);
        for (Topology arch : List.of(TINY_CONV, CONV_2CH, MLP, reluMlp)) {
            for (Loss loss : Loss.values()) {
                Dl4jNetwork net = Dl4jNetwork.build(arch, loss, 0.1, 3); // FLOAT, the default
                ReferenceNet ref = randomize(net, 4);
                int batch = 3, n = arch.inputLength(), m = arch.outputLength();
                double[] x = roundToFloat(gaussian(new Random(5), batch * n, 1));
                double[] out = net.output(x);
                for (int b = 0; b < batch; b++) {
                    double[] expected = ref.forward(row(x, b, n), loss == Loss.CROSS_ENTROPY);
                    double[] got = row(out, b, m);
                    for (int j = 0; j < m; j++) {
                        assertEquals(
                                expected[j],
                                got[j],
                                1e-5 * (1 + Math.abs(expected[j])),
                                arch + " " + loss + " sample " + b + " output " + j);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ 2. gradient

    @Test
    void gradientEqualsFiniteDifferencesOfOurLoss() {
        record Case(Topology arch, Loss loss) {}
        for (Case c : List.of(
                new Case(MLP, Loss.MSE),
                new Case(TINY_CONV, Loss.MSE),
                new Case(CONV_2CH, Loss.MSE),
                new Case(MLP, Loss.CROSS_ENTROPY),
                new Case(CONV_2CH, Loss.CROSS_ENTROPY))) {
            Topology arch = c.arch();
            Dl4jNetwork net = Dl4jNetwork.build(arch, c.loss(), 0.1, 7, DataType.DOUBLE);
            ReferenceNet ref = randomize(net, 8);
            int batch = 4, n = arch.inputLength(), m = arch.outputLength();
            Random rng = new Random(9);
            double[] x = gaussian(rng, batch * n, 1);
            double[] y = new double[batch * m];
            for (int b = 0; b < batch; b++) {
                if (c.loss() == Loss.MSE) for (int j = 0; j < m; j++) y[b * m + j] = rng.nextDouble();
                else y[b * m + rng.nextInt(m)] = 1;
            }
            Dl4jNetwork.Gradient g = net.gradient(x, y);
            double lossValue = ref.loss(x, y, c.loss());
            assertEquals(lossValue, g.loss(), 1e-12 * lossValue, c + ": loss");

            double h = 1e-5, worst = 0;
            for (int l = 0; l < arch.layers().size(); l++) {
                if (arch.layers().get(l) instanceof MaxPool2d) continue;
                for (double[] p : new double[][] {ref.weights[l], ref.biases[l]}) {
                    double[] analytic = p == ref.weights[l] ? g.weights(l) : g.bias(l);
                    assertEquals(p.length, analytic.length);
                    for (int i = 0; i < p.length; i++) {
                        double keep = p[i];
                        p[i] = keep + h;
                        double plus = ref.loss(x, y, c.loss());
                        p[i] = keep - h;
                        double minus = ref.loss(x, y, c.loss());
                        p[i] = keep;
                        double fd = (plus - minus) / (2 * h);
                        double err = Math.abs(analytic[i] - fd);
                        worst = Math.max(worst, err / Math.max(Math.abs(fd), 1e-4));
                        assertTrue(
                                err <= 1e-6 * Math.abs(fd) + 1e-10,
                                c + " layer " + l + " param " + i + ": analytic " + analytic[i]
                                        + " vs finite difference " + fd);
                    }
                }
            }
            assertTrue(worst < 1e-6, c + ": worst relative error " + worst);
            System.out.println(c + ": worst relative error " + worst);
        }
    }

    @Test
    void gradientLeavesParametersUnchanged() {
        Dl4jNetwork net = Dl4jNetwork.build(MLP, Loss.MSE, 0.1, 7, DataType.DOUBLE);
        double[] w = net.weights(0);
        net.gradient(new double[][] {{1, 2, 3, 4, 5}}, new double[][] {{1, 0, 0}});
        assertArrayEquals(w, net.weights(0), 0.0);
    }

    @Test
    void oneTrainingStepIsMinusLearningRateTimesGradient() {
        for (Loss loss : Loss.values()) {
            for (Topology arch : List.of(MLP, TINY_CONV)) {
                double lr = 0.05;
                Dl4jNetwork net = Dl4jNetwork.build(arch, loss, lr, 11, DataType.DOUBLE);
                int batch = 6, n = arch.inputLength(), m = arch.outputLength();
                Random rng = new Random(12);
                float[] xs = new float[batch * n];
                for (int i = 0; i < xs.length; i++) xs[i] = (float) rng.nextGaussian();
                int[] labels = new int[batch];
                double[] y = new double[batch * m];
                for (int b = 0; b < batch; b++) y[b * m + (labels[b] = rng.nextInt(m))] = 1;
                double[] x = new double[xs.length];
                for (int i = 0; i < xs.length; i++) x[i] = xs[i];

                Dl4jNetwork.Gradient g = net.gradient(x, y);
                List<double[]> before = new ArrayList<>();
                for (int l = 0; l < arch.layers().size(); l++) {
                    if (!(arch.layers().get(l) instanceof MaxPool2d)) {
                        before.add(net.weights(l));
                        before.add(net.bias(l));
                    }
                }
                net.train(new InMemoryData("step", xs, n, labels, m), null, 1, batch, 13, null);
                int k = 0;
                for (int l = 0; l < arch.layers().size(); l++) {
                    if (arch.layers().get(l) instanceof MaxPool2d) continue;
                    double[][] now = {net.weights(l), net.bias(l)}, grad = {g.weights(l), g.bias(l)};
                    for (int t = 0; t < 2; t++, k++) {
                        double[] old = before.get(k);
                        for (int i = 0; i < old.length; i++) {
                            double expected = old[i] - lr * grad[t][i];
                            assertEquals(
                                    expected,
                                    now[t][i],
                                    1e-12 * (1 + Math.abs(old[i])),
                                    arch + " " + loss + " layer " + l);
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ 3. training

    /** Three Gaussian blobs in 4-D, well apart. */
    static InMemoryData blobs(String name, int n, long seed) {
        Random rng = new Random(seed);
        double[][] centers = {{2, 0, 0, -1}, {-2, 1, 0, 1}, {0, -2, 2, 0}};
        float[] x = new float[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) (centers[labels[i]][j] + 0.6 * rng.nextGaussian());
        }
        return new InMemoryData(name, x, 4, labels, 3);
    }

    /** 1×6×6 images of a horizontal (class 0) or vertical (class 1) bar at a random place, with noise. */
    static InMemoryData bars(String name, int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 36];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int at = rng.nextInt(6);
            for (int p = 0; p < 36; p++) {
                boolean on = labels[i] == 0 ? p / 6 == at : p % 6 == at;
                x[i * 36 + p] = (float) ((on ? 1 : 0) + 0.2 * rng.nextGaussian());
            }
        }
        return new InMemoryData(name, x, 36, labels, 2);
    }

    @Test
    void mlpWithMseLearnsSeparableBlobs() {
        Topology arch = Topology.mlp(new int[] {4, 16, 3}, Activation.SIGMOID, Activation.LINEAR);
        Dl4jNetwork net = Dl4jNetwork.build(arch, Loss.MSE, 0.2, 21);
        InMemoryData train = blobs("blobs/train", 600, 22), test = blobs("blobs/test", 300, 23);
        List<Dl4jNetwork.EpochStats> seen = new ArrayList<>();
        Dl4jNetwork.TrainResult r = net.train(train, test, 8, 16, 24, seen::add);
        assertEquals(8, seen.size());
        assertEquals(r.epochs(), seen);
        Dl4jNetwork.EpochStats first = seen.getFirst(), last = seen.getLast();
        assertTrue(last.trainLoss() < first.trainLoss(), seen.toString());
        assertTrue(last.seconds() > 0 && last.samplesPerSecond() > 0, last.toString());
        assertTrue(r.finalTestAccuracy() > 0.9, seen.toString());
        assertEquals(r.finalTestAccuracy(), net.accuracy(test), 0.0);
    }

    @Test
    void convNetWithCrossEntropyLearnsBars() {
        Topology arch = new Topology(
                1,
                6,
                6,
                List.of(new Conv2d(4, 3, 1, 0, Activation.RELU), new MaxPool2d(2), new Dense(2, Activation.LINEAR)));
        Dl4jNetwork net = Dl4jNetwork.build(arch, Loss.CROSS_ENTROPY, 0.1, 31);
        Dl4jNetwork.TrainResult r = net.train(bars("bars/train", 400, 32), bars("bars/test", 200, 33), 5, 16, 34, null);
        assertTrue(r.finalTestAccuracy() > 0.9, r.toString());
    }

    @Test
    void shufflingIsDeterministicBySeed() {
        InMemoryData train = blobs("blobs/train", 90, 41);
        double[][] w = new double[2][];
        for (int k = 0; k < 2; k++) {
            Dl4jNetwork net = Dl4jNetwork.build(
                    Topology.mlp(new int[] {4, 5, 3}, Activation.TANH, Activation.LINEAR),
                    Loss.MSE,
                    0.1,
                    42,
                    DataType.DOUBLE);
            net.train(train, null, 2, 8, 43, null);
            w[k] = net.weights(1);
        }
        assertArrayEquals(w[0], w[1], 0.0);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void clearErrors() {
        Dl4jNetwork net = Dl4jNetwork.build(TINY_CONV, Loss.MSE, 0.1, 1);
        InMemoryData wrong = blobs("blobs", 6, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.accuracy(wrong));
        assertEquals(
                "data 'blobs' has inputs of length 4 but the architecture's input 1×6×6 has length 36", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.train(wrong, null, 1, 2, 0, null));
        e = assertThrows(IllegalArgumentException.class, () -> net.weights(1));
        assertTrue(e.getMessage().contains("pooling layer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.setParameters(2, new double[5], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> net.gradient(new double[36], new double[2]));
        assertThrows(IllegalArgumentException.class, () -> net.output(new double[35]));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Dl4jNetwork.build(
                        new Topology(
                                1,
                                1,
                                8,
                                List.of(
                                        new Dense(16, Activation.RELU),
                                        new Conv2d(1, 1, 1, 0, Activation.RELU),
                                        new Dense(2, Activation.LINEAR))),
                        Loss.MSE,
                        0.1,
                        1));
        assertTrue(e.getMessage().contains("after a dense layer"), e.getMessage());
        // DL4J's HARDSIGMOID is another function (clip(0.2x + 0.5, 0, 1)): refused, not substituted
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Dl4jNetwork.build(
                        Topology.mlp(new int[] {4, 5, 3}, Activation.HARD_SIGMOID, Activation.LINEAR),
                        Loss.MSE,
                        0.1,
                        1));
        assertTrue(e.getMessage().contains("hard-sigmoid"), e.getMessage());
    }
}
