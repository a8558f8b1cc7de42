package io.cortex4j.run;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.metrics.LinearProbe;
import io.cortex4j.model.Phase;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target is the input (specs/pal.md §5.3): scored by the reconstruction error (mean squared
 * difference between output and input, per sample) and by a linear probe (standardise, then
 * multinomial logistic regression) fitted on the latent layer's rates of the training data and scored
 * on the evaluated data.
 */
public final class Autoencoder extends LabeledTask implements Task {
    /** Training latents the linear probe is fitted on at each evaluation. */
    static final int PROBE_TRAIN_LIMIT = 10_000;

    private final String latent;
    private static final int LOSS = 0, SEEN = 1;

    Autoencoder(RunContext c, TaskData d) {
        super(c, d, "loss", "seen");
        this.latent = "layer" + c.e.task().latent() + ".rate";
        if (!c.net.signals().containsKey(latent))
            throw c.e.at()
                    .error(
                            "task.latent",
                            "the network has no signal " + latent + " to probe (its signals: "
                                    + String.join(", ", c.net.signals().keySet()) + ")");
    }

    @Override
    public List<String> trainColumns() {
        return List.of("train_loss");
    }

    @Override
    public List<String> evalColumns() {
        return List.of("val_loss", "val_probe_acc");
    }

    @Override
    public void startEpoch(int epoch) {
        shuffle(epoch, Phase.TRAIN);
    }

    @Override
    public void trainBatch(int epoch, int b) {
        int from = b * batch;
        c.writeInputs(train, perm, from);
        c.be.copy(c.net.input(), c.net.target());
        c.net.startBatch();
        double[] out = c.hold();
        sums[LOSS] += reconstructionError(train, perm, from, out, batch);
        sums[SEEN] += batch;
    }

    /** Σ over the samples of the mean squared difference between output and (scaled, shifted) input. */
    private double reconstructionError(LabeledData d, int[] order, int from, double[] out, int count) {
        double k = c.e.data().inputScale(), s = c.e.data().inputShift(), sum = 0;
        int n = c.inputs;
        float[] x = new float[n];
        for (int b = 0; b < count && from + b < order.length; b++) {
            d.copyInput(order[from + b], x, 0);
            double e = 0;
            for (int j = 0; j < n; j++) {
                double diff = out[b * c.outputs + j] - (x[j] * k + s);
                e += diff * diff;
            }
            sum += e / n;
        }
        return sum;
    }

    @Override
    public double[] takeTrainMetrics() {
        double[] m = {sums[SEEN] > 0 ? sums[LOSS] / sums[SEEN] : Double.NaN};
        java.util.Arrays.fill(sums, 0);
        return m;
    }

    @Override
    public double[] evaluate() {
        double[] v = evaluate(validation);
        return new double[] {v[1], v[0]};
    }

    /** {linear-probe accuracy on the latent, reconstruction error}, learning off. */
    private double[] evaluate(LabeledData d) {
        c.net.setPhase(c.evalPhase());
        double[][] latentTrain = latents(train, Math.min(train.size(), PROBE_TRAIN_LIMIT), null);
        int[] labelsTrain = labels(train, latentTrain.length);
        double[] recon = new double[1];
        double[][] z = latents(d, d.size(), recon);
        LinearProbe probe = LinearProbe.fit(latentTrain, labelsTrain, train.numClasses());
        return new double[] {probe.accuracy(z, labels(d, d.size())), recon[0] / d.size()};
    }

    /** The latent rates of the first n samples; adds the reconstruction error to recon[0] if given. */
    private double[][] latents(LabeledData d, int n, double[] recon) {
        int B = c.net.batch();
        Tensor rate = c.net.signals().get(latent);
        int width = rate.cols();
        double[][] z = new double[n][width];
        int[] order = RunContext.identity(d.size());
        for (int from = 0; from < n; from += B) {
            c.writeInputs(d, order, from);
            double[] out = c.hold();
            double[] r = c.net.signals().get(latent).toHost();
            for (int b = 0; b < B && from + b < n; b++) System.arraycopy(r, b * width, z[from + b], 0, width);
            if (recon != null) recon[0] += reconstructionError(d, order, from, out, Math.min(B, n - from));
        }
        return z;
    }

    private static int[] labels(LabeledData d, int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = d.label(i);
        return l;
    }

    @Override
    public Map<String, Object> finish() {
        double[] t = evaluate(test);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("test_loss", t[1]);
        s.put("test_probe_acc", t[0]);
        return s;
    }
}
