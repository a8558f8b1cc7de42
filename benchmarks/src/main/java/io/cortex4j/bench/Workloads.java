package io.cortex4j.bench;

import io.cortex4j.model.microcircuit.Conductances;
import io.cortex4j.model.microcircuit.FeedbackRule;
import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.model.microcircuit.MicrocircuitParams;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.Arrays;

/**
 * The benchmark workloads, matching the reference harness R3 (shared/reference-bench,
 * ref_pal_mc.py): PAL microcircuit, learning on, GeNN MNIST learning rates, σ = 0.01, every layer
 * learning, output nudged towards a fixed target, one input held.
 */
final class Workloads {
    private Workloads() {
    }

    static int[] parseLayers(String s) {
        return Arrays.stream(s.split("[,\\-x ]+")).mapToInt(Integer::parseInt).toArray();
    }

    static MicrocircuitParams palParams(int[] layers, FeedbackRule rule) {
        int h = layers.length - 2;
        double[] fw = new double[layers.length - 1];
        Arrays.fill(fw, 0.5);
        double[] bw = new double[h], ip = new double[h], pi = new double[h], alpha = new double[h];
        Arrays.fill(bw, 0.2);
        Arrays.fill(ip, 0.02);
        Arrays.fill(pi, 0.02);
        Arrays.fill(alpha, 1e-6);
        return new MicrocircuitParams(layers, Activation.SIGMOID, 0.01, Conductances.PUBLISHED, 1.0, rule, fw, bw, ip, pi, alpha, 0.01, 0.1, 0.1, 100.0,
                new double[] {-0.1, 0.1}, new double[] {-1, 1}, 1.0, true);
    }

    static Microcircuit palNetwork(int[] layers, FeedbackRule rule, Backend be, DType dtype, int batch, long seed) {
        Microcircuit net = new Microcircuit(palParams(layers, rule), be, dtype, batch, seed);
        double[] x = new double[batch * layers[0]];
        for (int i = 0; i < x.length; i++) x[i] = (i * 0.618034) % 1.0;
        net.input().load(x);
        double[] t = new double[batch * layers[layers.length - 1]];
        for (int i = 0; i < t.length; i++) t[i] = i % 3 == 0 ? 1.0 : 0.1;
        net.target().load(t);
        net.setTargetOn(true);
        return net;
    }
}
