package io.cortex4j.run;

import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.Phase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labelled data: the output is nudged towards one-hot targets (data.targets.high for the label,
 * low elsewhere) while the network learns, and scored by the argmax of its read-out. Held
 * presentations read the output after (or averaged over) the presentation, and their loss is the mean
 * squared difference between read-out and target; streamed presentations feed each sample one value
 * per step, read the sum of the outputs over the sample, and their loss is the cross-entropy of the
 * output at every step (the GLE protocol, specs/gle.md §7).
 */
public final class Classification extends LabeledTask implements Task {
    private final boolean stream;
    // streamed data: each sample's sequence, interpolated and standardised
    private final float[][] trainSeq, validationSeq, testSeq;
    private static final int CORRECT = 0, SEEN = 1, LOSS = 2, BATCHES = 3;

    Classification(RunContext c, TaskData d) {
        super(c, d, "correct", "seen", "loss", "batches");
        this.stream = c.presentation instanceof Presentation.Stream;
        if (stream) {
            int steps = ((Presentation.Stream) c.presentation).steps();
            double mean = 0, sd = 1;
            if (c.e.data().standardise()) {
                double sum = 0, sq = 0;
                long n = 0;
                // one mean and std over every value of the training set, as the GLE reference does
                for (int i = 0; i < train.size(); i++) {
                    for (float v : ((InMemoryData) train).input(i)) {
                        sum += v;
                        sq += (double) v * v;
                        n++;
                    }
                }
                mean = sum / n;
                sd = Math.sqrt(Math.max(sq / n - mean * mean, 0));
                if (!(sd > 0))
                    throw new IllegalArgumentException(
                            "data.standardise: the training inputs of '" + train.name() + "' are constant");
            }
            trainSeq = interpolate(train, steps, mean, sd);
            validationSeq = interpolate(validation, steps, mean, sd);
            testSeq = test == validation ? validationSeq : interpolate(test, steps, mean, sd);
        } else {
            trainSeq = validationSeq = testSeq = null;
        }
    }

    /** Each sample's values, standardised, linearly interpolated onto {@code steps} evenly spaced points spanning the sample. */
    static float[][] interpolate(LabeledData d, int steps, double mean, double std) {
        int len = d.inputSize();
        float[][] out = new float[d.size()][steps];
        float[] x = new float[len];
        for (int i = 0; i < d.size(); i++) {
            d.copyInput(i, x, 0);
            for (int s = 0; s < steps; s++) {
                double pos = len == 1 ? 0 : (double) s * (len - 1) / (steps - 1);
                int lo = Math.min((int) Math.floor(pos), len - 1), hi = Math.min(lo + 1, len - 1);
                double f = pos - lo, v = x[lo] + f * (x[hi] - x[lo]);
                out[i][s] = (float) ((v - mean) / std);
            }
        }
        return out;
    }

    @Override
    public List<String> trainColumns() {
        return List.of("train_acc", "train_loss");
    }

    @Override
    public List<String> evalColumns() {
        return List.of("val_acc", "val_loss");
    }

    @Override
    public void startEpoch(int epoch) {
        if (c.net.resizable()) c.net.setBatch(batch);
        shuffle(epoch, Phase.TRAIN);
    }

    @Override
    public void trainBatch(int epoch, int b) {
        int from = b * batch;
        if (stream) {
            double[] r = present(trainSeq, train, perm, from, batch);
            sums[LOSS] += r[0];
            sums[CORRECT] += r[1];
            sums[SEEN] += batch;
            sums[BATCHES]++;
            return;
        }
        c.writeInputs(train, perm, from, epoch);
        c.writeTargets(train, perm, from);
        c.net.startBatch();
        double[] out = c.hold();
        sums[CORRECT] += c.correct(train, perm, from, out, batch);
        sums[LOSS] += squaredError(train, perm, from, out, batch);
        sums[SEEN] += batch;
    }

    /** Σ over the batch's samples of the mean squared difference between read-out and target. */
    private double squaredError(LabeledData d, int[] order, int from, double[] out, int count) {
        double hi = c.e.data().targets().high(), lo = c.e.data().targets().low(), sum = 0;
        int n = c.outputs;
        for (int b = 0; b < count && from + b < order.length; b++) {
            int label = d.label(order[from + b]);
            for (int k = 0; k < n; k++) {
                double e = out[b * n + k] - (k == label ? hi : lo);
                sum += e * e / n;
            }
        }
        return sum;
    }

    @Override
    public double[] takeTrainMetrics() {
        double[] m = stream
                ? new double[] {
                    sums[CORRECT] / sums[SEEN],
                    sums[LOSS] / (sums[BATCHES] * ((Presentation.Stream) c.presentation).steps())
                }
                : new double[] {
                    sums[SEEN] > 0 ? sums[CORRECT] / sums[SEEN] : Double.NaN,
                    sums[SEEN] > 0 ? sums[LOSS] / sums[SEEN] : Double.NaN
                };
        java.util.Arrays.fill(sums, 0);
        return m;
    }

    @Override
    public double[] evaluate() {
        return evaluate(validation, validationSeq);
    }

    private double[] evaluate(LabeledData d, float[][] seq) {
        c.net.setPhase(c.evalPhase());
        int n = d.size();
        int[] order = RunContext.identity(n);
        if (stream) {
            int E = c.e.schedule().evalBatch() != null && c.net.resizable()
                    ? c.e.schedule().evalBatch()
                    : batch;
            double l = 0, right = 0;
            for (int from = 0; from < n; from += E) {
                int b = Math.min(E, n - from);
                if (c.net.resizable()) c.net.setBatch(b);
                double[] r = present(seq, d, order, from, c.net.batch());
                l += r[0] * b;
                right += r[1];
            }
            return new double[] {right / n, l / (n * (double) ((Presentation.Stream) c.presentation).steps())};
        }
        double right = 0, l = 0;
        int B = c.net.batch();
        for (int from = 0; from < n; from += B) {
            c.writeInputs(d, order, from);
            double[] out = c.hold();
            right += c.correct(d, order, from, out, B);
            l += squaredError(d, order, from, out, B);
        }
        return new double[] {right / n, l / n};
    }

    /**
     * Streams samples {@code order[from .. from+B)} through the network one value per step, returning
     * {Σ over steps of the cross-entropy averaged over the batch, correct predictions of the summed outputs}.
     */
    private double[] present(float[][] seqs, LabeledData d, int[] order, int from, int B) {
        int steps = seqs[0].length, classes = c.outputs;
        double hi = c.e.data().targets().high(), lo = c.e.data().targets().low();
        double[] in = new double[B],
                target = new double[B * classes],
                out = new double[B * classes],
                sums = new double[B * classes];
        int[] label = new int[B];
        for (int b = 0; b < B; b++) {
            label[b] = d.label(order[Math.min(from + b, order.length - 1)]);
            for (int k = 0; k < classes; k++) target[b * classes + k] = k == label[b] ? hi : lo;
        }
        c.be.copyFromHost(target, c.net.target());
        double loss = 0;
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < B; b++) in[b] = seqs[order[Math.min(from + b, order.length - 1)]][s];
            c.be.copyFromHost(in, c.net.input());
            c.stepper.step(false);
            c.be.copyToHost(c.net.output(), out);
            for (int b = 0; b < B; b++) {
                int at = b * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) {
                    sums[at + k] += out[at + k];
                    max = Math.max(max, out[at + k]);
                }
                double z = 0;
                for (int k = 0; k < classes; k++) z += Math.exp(out[at + k] - max);
                loss += (max + Math.log(z) - out[at + label[b]]) / B;
            }
        }
        if (!Double.isFinite(loss))
            throw new DivergedException("the run diverged: the network's output is not finite at step " + c.net.steps()
                    + "; " + c.family.divergenceHint());
        int right = 0;
        for (int b = 0; b < B; b++) {
            int at = b * classes, best = 0;
            for (int k = 1; k < classes; k++) if (sums[at + k] > sums[at + best]) best = k;
            if (best == label[b]) right++;
        }
        return new double[] {loss, right};
    }

    @Override
    public Map<String, Object> finish() {
        Map<String, Object> s = new LinkedHashMap<>();
        double[] t = evaluate(test, testSeq);
        s.put("test_acc", t[0]);
        s.put("test_loss", t[1]);
        return s;
    }
}
