package io.cortex4j.run;

import io.cortex4j.config.DataSpec;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.Family;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;

/**
 * What a task works with during a run: the experiment, the family and its spec, the network (and a
 * teacher), the presentation, the stepper that runs every step, and the run's random permutations.
 */
final class RunContext {
    /** Random stream of the per-epoch training permutations (shared by every family, as before the spine). */
    static final int STREAM_SHUFFLE = 10_000;
    /** Random stream of image augmentation: step = epoch, index 3·position + (0: dx, 1: dy, 2: flip). */
    static final int STREAM_AUGMENT = 10_001;

    final Experiment e;
    final Family<Record, Network> family;
    final Record spec;
    final Backend be;
    final Network net;
    final Network teacher;
    final Presentation presentation;
    final Stepper stepper;
    /** The read-out accumulator of mean read-outs, {@code [batch, outputs]}. */
    final Tensor readout;

    final CounterRandom rng;
    final int inputs, outputs;

    RunContext(
            Experiment e,
            Family<Record, Network> family,
            Network net,
            Network teacher,
            Presentation presentation,
            Runnable beforeStep) {
        this.e = e;
        this.family = family;
        this.spec = e.spec();
        this.be = net.backend();
        this.net = net;
        this.teacher = teacher;
        this.presentation = presentation;
        this.inputs = net.input().cols();
        this.outputs = net.output().cols();
        this.readout = be.zeros(net.dtype(), net.batch(), outputs);
        this.stepper = new Stepper(net, beforeStep, readout);
        this.rng = new CounterRandom(e.run().seed());
    }

    /** The phase of evaluation: no learning, no target, noise as the schedule says. */
    Phase evalPhase() {
        return Phase.FREE.withNoise(e.schedule().noiseDuringEval());
    }

    /**
     * Writes samples {@code order[from .. from+B)} into the input (repeating the last sample to fill a
     * short batch), each value normalised per channel (data.normalise) and then x·inputScale +
     * inputShift, and into the teacher's input; returns them.
     */
    float[] writeInputs(LabeledData d, int[] order, int from) {
        return writeInputs(d, order, from, -1);
    }

    /**
     * {@link #writeInputs(LabeledData, int[], int)} for a training batch of epoch {@code epoch}
     * (0-based; -1: not training), whose images are augmented first when data.augment says so.
     */
    float[] writeInputs(LabeledData d, int[] order, int from, int epoch) {
        int B = net.batch();
        float[] x = new float[B * inputs];
        DataSpec.Augment aug = e.data().augment();
        float[] image = aug != null && epoch >= 0 ? new float[inputs] : null;
        for (int b = 0; b < B; b++) {
            int pos = Math.min(from + b, order.length - 1);
            if (image == null) d.copyInput(order[pos], x, b * inputs);
            else {
                d.copyInput(order[pos], image, 0);
                augment(rng, image, d.imageShape(), aug, epoch, pos, x, b * inputs);
            }
        }
        normalise(e.data().normalise(), x, inputs, d.imageShape());
        affine(x);
        be.copyFromHost(x, 0, net.input());
        if (teacher != null) be.copyFromHost(x, 0, teacher.input());
        return x;
    }

    /**
     * Writes image {@code src} ({C, H, W} = shape) into {@code dst[offset ..]} shifted by (dx, dy) in
     * [−crop, crop] (pixels shifted in from outside are 0, as a crop of the zero-padded image) and
     * mirrored left–right when the flip is drawn: dst(c, i, j) = src(c, i + dy, j' + dx) with
     * j' = W − 1 − j when flipped, else j.
     */
    static void augment(
            CounterRandom rng,
            float[] src,
            int[] shape,
            DataSpec.Augment a,
            int epoch,
            int pos,
            float[] dst,
            int offset) {
        int C = shape[0], H = shape[1], W = shape[2], p = a.crop();
        long i0 = 3L * pos;
        int dx = p == 0 ? 0 : (int) Math.min(2 * p, (long) (rng.uniform(STREAM_AUGMENT, epoch, i0) * (2 * p + 1))) - p;
        int dy = p == 0
                ? 0
                : (int) Math.min(2 * p, (long) (rng.uniform(STREAM_AUGMENT, epoch, i0 + 1) * (2 * p + 1))) - p;
        boolean flip = a.flip() && rng.uniform(STREAM_AUGMENT, epoch, i0 + 2) <= 0.5;
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H; i++) {
                int si = i + dy, row = offset + (c * H + i) * W;
                for (int j = 0; j < W; j++) {
                    int sj = (flip ? W - 1 - j : j) + dx;
                    dst[row + j] = si >= 0 && si < H && sj >= 0 && sj < W ? src[(c * H + si) * W + sj] : 0f;
                }
            }
    }

    /** (x − mean_c)/std_c per channel of every image (of {@code inputs} values) in {@code x}, computed in double. */
    static void normalise(DataSpec.Normalise n, float[] x, int inputs, int[] shape) {
        if (n == null) return;
        int C = shape[0], plane = shape[1] * shape[2];
        for (int at = 0; at < x.length; at += inputs)
            for (int c = 0; c < C; c++) {
                double m = n.mean()[c], sd = n.std()[c];
                for (int k = at + c * plane; k < at + (c + 1) * plane; k++) x[k] = (float) ((x[k] - m) / sd);
            }
    }

    void affine(float[] x) {
        DataSpec d = e.data();
        double k = d.inputScale(), s = d.inputShift();
        if (k != 1.0 || s != 0.0) for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * k + s);
    }

    /** One-hot targets (high for the label, low elsewhere) of samples {@code order[from ..]} into the network's target. */
    void writeTargets(LabeledData d, int[] order, int from) {
        int B = net.batch();
        double[] y = new double[B * outputs];
        double hi = e.data().targets().high(), lo = e.data().targets().low();
        for (int b = 0; b < B; b++) {
            int label = d.label(order[Math.min(from + b, order.length - 1)]);
            for (int j = 0; j < outputs; j++) y[b * outputs + j] = j == label ? hi : lo;
        }
        net.target().load(y);
    }

    int argmax(double[] out, int b) {
        int best = 0;
        for (int k = 1; k < outputs; k++) if (out[b * outputs + k] > out[b * outputs + best]) best = k;
        return best;
    }

    /** Samples among {@code order[from .. from+count)} whose read-out's argmax is their label. */
    int correct(LabeledData d, int[] order, int from, double[] out, int count) {
        int c = 0;
        for (int b = 0; b < count && from + b < order.length; b++) if (argmax(out, b) == d.label(order[from + b])) c++;
        return c;
    }

    /** Holds the batch written into the input for one presentation and returns the read-out. */
    double[] hold() {
        return ((Presentation.Hold) presentation).present(stepper, readout);
    }

    static int[] identity(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    void close() {
        readout.close();
    }
}
