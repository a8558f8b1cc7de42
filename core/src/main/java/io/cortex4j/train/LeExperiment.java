package io.cortex4j.train;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.config.LeExperimentConfig;
import io.cortex4j.config.LeExperimentConfig.Task;
import io.cortex4j.datasets.Datasets;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.metrics.Angles;
import io.cortex4j.metrics.LinearProbe;
import io.cortex4j.model.le.LeNetwork;
import io.cortex4j.model.le.LeRule;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Backends;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run of a layered LE network (specs/pal.md §4–5.3): every mini-batch is held for
 * {@code schedule.presentation} time units while the network steps and learns; at epoch ends the
 * network is evaluated with learning, target and noise off (the same presentation time, the state
 * carried on, as in the reference); results, checkpoints and parameters go to the run directory in
 * the same format as the microcircuit runs ({@code metrics.csv}, {@code summary.json},
 * {@code checkpoint.npz}, {@code parameters.npz}, {@code config.yaml}).
 *
 * <p>Classification reads the output after the last step of a presentation (ŭ_N, or ρ_N with the
 * {@code rate} error) and takes its argmax. The autoencoder's targets are its inputs; it is scored
 * by the reconstruction error and by a linear probe on the latent layer's rates (§5.3).
 */
public final class LeExperiment implements AutoCloseable {
    static final int STREAM_SHUFFLE = 10_000;
    /** Training latents used to fit the autoencoder's linear probe at the end of each evaluated epoch. */
    static final int PROBE_TRAIN_LIMIT = 10_000;

    private final LeExperimentConfig cfg;
    private final Path runDir;
    private final Backend backend;
    private final LeNetwork net;
    private final LabeledData train, validation, test;
    private final MetricsTable metrics;
    private final Progress progress;
    private final CounterRandom rng;
    private final int inputSize, outputSize, steps;

    private int epoch;
    private int batchInEpoch;
    private double trainCorrect, trainSeen, trainLoss;
    private double wallBefore;
    private long startNanos;
    private int interruptAfterBatches = -1;
    private int batchesThisSession;

    private LeExperiment(LeExperimentConfig cfg, Path runDir, Progress progress) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.progress = progress;
        this.rng = new CounterRandom(cfg.run().seed());
        this.inputSize = cfg.model().architecture().inputLength();
        this.outputSize = cfg.model().architecture().outputLength();
        this.steps = cfg.stepsPerSample();
        ExperimentConfig.Data d = cfg.data();
        Path dataDir = d.dir() == null ? null : Path.of(d.dir());
        train = limit(Datasets.open(d.name(), d.trainSplit(), dataDir, cfg.run().seed()), d.trainLimit());
        validation = limit(
                Datasets.open(d.name(), d.validationSplit(), dataDir, cfg.run().seed()), d.evalLimit());
        test = limit(Datasets.open(d.name(), d.testSplit(), dataDir, cfg.run().seed()), d.evalLimit());
        for (LabeledData x : List.of(train, validation, test)) checkShapes(x);
        if (train.size() < cfg.batch()) {
            throw new ConfigException("schedule.batch: batch " + cfg.batch() + " is larger than the training set ("
                    + train.size() + " samples)");
        }
        this.backend = Backends.create(cfg.run().backend());
        this.net = new LeNetwork(
                cfg.model(),
                backend,
                cfg.run().precision(),
                cfg.batch(),
                cfg.run().seed());
        if (cfg.initFrom() != null) {
            if (!Files.isRegularFile(Path.of(cfg.initFrom())))
                throw new ConfigException("model.init.from: parameter file not found: " + cfg.initFrom());
            try {
                ParameterFiles.load(Path.of(cfg.initFrom()), net.parameters());
            } catch (IOException e) {
                throw new UncheckedIOException("model.init.from: cannot read " + cfg.initFrom(), e);
            }
        }
        this.metrics = new MetricsTable(columns());
    }

    private static LabeledData limit(InMemoryData d, int n) {
        return n <= 0 || n >= d.size() ? d : d.subset(0, n, d.name() + "[:" + n + "]");
    }

    private void checkShapes(LabeledData d) {
        if (d.inputSize() != inputSize) {
            throw new ConfigException("model.input: the network takes " + inputSize + " values per sample ("
                    + cfg.model().architecture().input() + ") but data '" + d.name() + "' has " + d.inputSize());
        }
        if (cfg.task() == Task.CLASSIFICATION && d.numClasses() != outputSize) {
            throw new ConfigException("model.layers: the output layer has " + outputSize + " units but data '"
                    + d.name() + "' has " + d.numClasses() + " classes");
        }
        if (cfg.task() == Task.AUTOENCODER && outputSize != inputSize) {
            throw new ConfigException(
                    "model.layers: an autoencoder's output layer must have as many units as the input (" + inputSize
                            + "), not " + outputSize);
        }
    }

    /** Starts a new run in {@code runDir} (created; must not hold a run already). */
    public static LeExperiment create(LeExperimentConfig cfg, Path runDir, Progress progress) {
        RunFiles.requireNew(runDir, true);
        LeExperiment e =
                new LeExperiment(cfg, runDir, progress); // validates data and shapes before anything is written
        RunFiles.writeConfig(runDir, cfg.toYaml());
        return e;
    }

    /** Continues the run in {@code runDir} from its last checkpoint. */
    public static LeExperiment resume(Path runDir, Progress progress) {
        return resume(runDir, progress, null);
    }

    /**
     * The run in {@code runDir} at its last checkpoint, on {@code backend} (null: the run's own
     * {@code run.backend}); for evaluating a run on another backend than it trained on. The saved
     * config is not rewritten, so continue a run only on its own backend.
     */
    public static LeExperiment resume(Path runDir, Progress progress, String backend) {
        LeExperimentConfig cfg = LeExperimentConfig.load(runDir.resolve(MicrocircuitExperiment.CONFIG));
        if (backend != null) cfg = cfg.withBackend(backend);
        LeExperiment e = new LeExperiment(cfg, runDir, progress);
        Path ck = runDir.resolve(MicrocircuitExperiment.CHECKPOINT);
        if (Files.exists(ck)) e.loadCheckpoint(ck);
        return e;
    }

    private List<String> columns() {
        List<String> c = new ArrayList<>(List.of("epoch", "steps"));
        if (cfg.task() == Task.CLASSIFICATION) c.addAll(List.of("train_acc", "val_acc", "val_loss"));
        else c.addAll(List.of("train_loss", "val_loss", "val_probe_acc"));
        for (int i : net.weightLayers()) if (i > 0 && hasFeedback()) c.add("angle_B_W_" + (i + 1));
        c.addAll(List.of("wall_s", "samples_per_s"));
        return c;
    }

    private boolean hasFeedback() {
        LeRule r = cfg.model().rule();
        return r != LeRule.BP && r != LeRule.DFA;
    }

    public void interruptAfterBatches(int n) {
        interruptAfterBatches = n;
    }

    public LeNetwork network() {
        return net;
    }

    public MetricsTable metrics() {
        return metrics;
    }

    public Path runDir() {
        return runDir;
    }

    /** Runs the remaining epochs and writes the summary; returns it. */
    public Map<String, Object> run() {
        startNanos = System.nanoTime();
        int B = cfg.batch();
        int nb = train.size() / B; // the last partial batch is dropped, as the reference's loaders do
        long totalBatches = (long) nb * cfg.epochs();
        while (epoch < cfg.epochs()) {
            int[] perm = rng.permutation(STREAM_SHUFFLE, epoch, train.size());
            net.setLearning(true);
            for (int bi = batchInEpoch; bi < nb; bi++) {
                double[] out = present(train, perm, bi * B, true);
                score(train, perm, bi * B, out, B);
                batchInEpoch = bi + 1;
                batchesThisSession++;
                long done = (long) epoch * nb + batchInEpoch;
                double rate = batchesThisSession * (double) B / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
                progress.update(
                        epoch + 1,
                        cfg.epochs(),
                        done,
                        totalBatches,
                        rate,
                        (totalBatches - done) * B / Math.max(rate, 1e-9));
                if (cfg.run().checkpointEvery() > 0
                        && batchInEpoch % cfg.run().checkpointEvery() == 0
                        && batchInEpoch < nb) checkpoint();
                if (interruptAfterBatches >= 0 && batchesThisSession >= interruptAfterBatches)
                    throw new MicrocircuitExperiment.Interrupted();
            }
            endEpoch();
        }
        Map<String, Object> summary = summary();
        writeSummary(summary);
        return summary;
    }

    /** Writes samples perm[from..from+B) (repeating the last to fill a short batch), holds them for the presentation, returns the read-out. */
    private double[] present(LabeledData d, int[] perm, int from, boolean learn) {
        int B = net.batch();
        float[] x = new float[B * inputSize];
        for (int b = 0; b < B; b++) d.copyInput(perm[Math.min(from + b, perm.length - 1)], x, b * inputSize);
        double k = cfg.data().inputScale(), s = cfg.inputShift();
        if (k != 1.0 || s != 0.0) for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * k + s);
        backend.copyFromHost(x, 0, net.input());
        if (learn) {
            if (cfg.task() == Task.AUTOENCODER) {
                backend.copy(net.input(), net.target());
            } else {
                double[] y = new double[B * outputSize];
                for (int b = 0; b < B; b++) {
                    int label = d.label(perm[Math.min(from + b, perm.length - 1)]);
                    for (int j = 0; j < outputSize; j++)
                        y[b * outputSize + j] = j == label
                                ? cfg.data().targetHigh()
                                : cfg.data().targetLow();
                }
                net.target().load(y);
            }
            net.startBatch();
        }
        Runnable step = net::step;
        for (int i = 0; i < steps; i++) net.backend().runRepeated(step);
        return net.output().toHost();
    }

    /** Adds a training batch's accuracy (classification) or reconstruction error (autoencoder). */
    private void score(LabeledData d, int[] perm, int from, double[] out, int count) {
        if (cfg.task() == Task.CLASSIFICATION) {
            trainCorrect += correct(d, perm, from, out, count);
        } else {
            trainLoss += reconstructionError(d, perm, from, out, count);
        }
        trainSeen += count;
    }

    private int correct(LabeledData d, int[] perm, int from, double[] out, int count) {
        int c = 0;
        for (int b = 0; b < count && from + b < perm.length; b++) if (argmax(out, b) == d.label(perm[from + b])) c++;
        return c;
    }

    private int argmax(double[] out, int b) {
        int best = 0;
        for (int k = 1; k < outputSize; k++) if (out[b * outputSize + k] > out[b * outputSize + best]) best = k;
        return best;
    }

    /** Sum over the batch of the mean squared difference between output and (scaled, shifted) input. */
    private double reconstructionError(LabeledData d, int[] perm, int from, double[] out, int count) {
        double k = cfg.data().inputScale(), s = cfg.inputShift(), sum = 0;
        float[] x = new float[inputSize];
        for (int b = 0; b < count && from + b < perm.length; b++) {
            d.copyInput(perm[from + b], x, 0);
            double e = 0;
            for (int j = 0; j < inputSize; j++) {
                double diff = out[b * outputSize + j] - (x[j] * k + s);
                e += diff * diff;
            }
            sum += e / inputSize;
        }
        return sum;
    }

    /**
     * Evaluates with learning, target and noise off. Classification: {accuracy, mean squared
     * output error against the one-hot targets}. Autoencoder: {linear-probe accuracy on the latent,
     * reconstruction error}.
     */
    public double[] evaluate(LabeledData d) {
        boolean was = net.learning();
        net.setLearning(false);
        try {
            int B = net.batch();
            int[] order = identity(d.size());
            if (cfg.task() == Task.AUTOENCODER) {
                double[][] latentTrain = latents(train, Math.min(train.size(), PROBE_TRAIN_LIMIT), null);
                int[] labelsTrain = labels(train, latentTrain.length);
                double[] recon = new double[1];
                double[][] latent = latents(d, d.size(), recon);
                LinearProbe probe = LinearProbe.fit(latentTrain, labelsTrain, train.numClasses());
                return new double[] {probe.accuracy(latent, labels(d, d.size())), recon[0] / d.size()};
            }
            double correct = 0, loss = 0;
            for (int from = 0; from < d.size(); from += B) {
                double[] out = present(d, order, from, false);
                correct += correct(d, order, from, out, B);
                for (int b = 0; b < B && from + b < d.size(); b++) {
                    int label = d.label(from + b);
                    for (int k = 0; k < outputSize; k++) {
                        double t = k == label
                                ? cfg.data().targetHigh()
                                : cfg.data().targetLow();
                        double e = out[b * outputSize + k] - t;
                        loss += e * e / outputSize;
                    }
                }
            }
            return new double[] {correct / d.size(), loss / d.size()};
        } finally {
            net.setLearning(was);
        }
    }

    /** The latent layer's rates for the first n samples (learning off); adds the reconstruction error to recon[0] if given. */
    private double[][] latents(LabeledData d, int n, double[] recon) {
        int B = net.batch(), layer = cfg.latentLayer() - 1;
        int width = net.rate(layer).cols();
        double[][] z = new double[n][width];
        int[] order = identity(d.size());
        for (int from = 0; from < n; from += B) {
            double[] out = present(d, order, from, false);
            double[] r = net.rate(layer).toHost();
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

    private static int[] identity(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    private double elapsed() {
        return wallBefore + (System.nanoTime() - startNanos) / 1e9;
    }

    private void endEpoch() {
        epoch++;
        batchInEpoch = 0;
        checkFinite();
        boolean eval = epoch % cfg.evalEvery() == 0 || epoch == cfg.epochs();
        double[] val = eval ? evaluate(validation) : new double[] {Double.NaN, Double.NaN};
        List<Double> row = new ArrayList<>(List.of((double) epoch, (double) net.stepCount()));
        String shown;
        if (cfg.task() == Task.CLASSIFICATION) {
            row.addAll(List.of(trainSeen > 0 ? trainCorrect / trainSeen : Double.NaN, val[0], val[1]));
            shown = String.format(Locale.ROOT, "train %.2f%%", 100 * trainCorrect / Math.max(1, trainSeen))
                    + (eval ? String.format(Locale.ROOT, "  val %.2f%%", 100 * val[0]) : "");
        } else {
            row.addAll(List.of(trainSeen > 0 ? trainLoss / trainSeen : Double.NaN, val[1], val[0]));
            shown = String.format(Locale.ROOT, "train mse %.4g", trainLoss / Math.max(1, trainSeen))
                    + (eval ? String.format(Locale.ROOT, "  val mse %.4g  probe %.2f%%", val[1], 100 * val[0]) : "");
        }
        StringBuilder ang = new StringBuilder();
        for (int i : net.weightLayers()) {
            if (i > 0 && hasFeedback()) {
                double a =
                        Angles.degrees(net.weights(i).toHost(), net.feedback(i).toHost());
                row.add(a);
                ang.append(String.format(Locale.ROOT, " %.1f°", a));
            }
        }
        double wall = elapsed();
        row.add(wall);
        row.add(batchesThisSession * (double) net.batch() / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9));
        metrics.add(row.stream().mapToDouble(Double::doubleValue).toArray());
        trainCorrect = 0;
        trainSeen = 0;
        trainLoss = 0;
        progress.line(String.format(
                Locale.ROOT,
                "epoch %d/%d  %s%s  [%s]",
                epoch,
                cfg.epochs(),
                shown,
                ang.length() > 0 ? "  ∠(B,W)" + ang : "",
                Progress.duration(wall)));
        try {
            metrics.writeCsv(runDir.resolve(MicrocircuitExperiment.METRICS));
            Plots.writeColumns(
                    cfg.name() + " (" + cfg.model().rule().word() + ", seed "
                            + cfg.run().seed() + ")",
                    metrics,
                    runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkpoint();
    }

    private void checkFinite() {
        for (Map.Entry<String, Tensor> e : net.parameters().entrySet()) {
            if (backend.hasNonFinite(e.getValue())) {
                throw new MicrocircuitExperiment.DivergedException(
                        "the run diverged: " + e.getKey() + " holds NaN or infinite values after epoch " + epoch
                                + " (step " + net.stepCount() + "); lower rule.learningRate or rule.lrFactors");
            }
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /** Writes every evolving tensor, the position in the schedule and the metrics so far, atomically. */
    public void checkpoint() {
        Map<String, NpyArray> m = ParameterFiles.toArrays(net.fullState());
        boolean[] hp = net.highPassStarted();
        double[] prog = new double[8 + hp.length];
        double[] head = {
            epoch, batchInEpoch, net.stepCount(), net.batchCount(), trainCorrect, trainSeen, trainLoss, elapsed()
        };
        System.arraycopy(head, 0, prog, 0, head.length);
        for (int i = 0; i < hp.length; i++) prog[8 + i] = hp[i] ? 1 : 0;
        m.put("__progress", NpyArray.ofDoubles(prog, prog.length));
        double[] flat = metrics.flat();
        m.put(
                "__metrics",
                NpyArray.ofDoubles(
                        flat,
                        flat.length / metrics.columns().size(),
                        metrics.columns().size()));
        try {
            Npz.write(runDir.resolve(MicrocircuitExperiment.CHECKPOINT), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + runDir, e);
        }
    }

    private void loadCheckpoint(Path file) {
        Map<String, NpyArray> m;
        try {
            m = Npz.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
        for (Map.Entry<String, Tensor> e : net.fullState().entrySet()) {
            NpyArray a = m.get(e.getKey());
            if (a == null) throw new IllegalStateException(file + ": checkpoint lacks tensor '" + e.getKey() + "'");
            if (a.size() != e.getValue().length()) {
                throw new IllegalStateException(file + ": tensor '" + e.getKey() + "' has " + a.size()
                        + " elements, the network expects " + e.getValue().length());
            }
            e.getValue().load(a.data());
        }
        double[] p = m.get("__progress").data();
        epoch = (int) p[0];
        batchInEpoch = (int) p[1];
        net.setStepCount((long) p[2]);
        net.setBatchCount((long) p[3]);
        trainCorrect = p[4];
        trainSeen = p[5];
        trainLoss = p[6];
        wallBefore = p[7];
        boolean[] hp = new boolean[p.length - 8];
        for (int i = 0; i < hp.length; i++) hp[i] = p[8 + i] != 0;
        net.setHighPassStarted(hp);
        metrics.restore(m.get("__metrics").data());
    }

    public void exportParameters(Path file) throws IOException {
        Npz.write(file, ParameterFiles.toArrays(net.parameters()));
    }

    // ---------------------------------------------------------------- results

    private Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cfg.name());
        s.put("family", cfg.family());
        s.put("task", cfg.task().name().toLowerCase(Locale.ROOT));
        s.put("rule", cfg.model().rule().word());
        s.put("architecture", cfg.model().architecture().layers().toString());
        s.put("seed", cfg.run().seed());
        s.put("epochs", epoch);
        s.put("steps", net.stepCount());
        s.put("steps_per_sample", steps);
        double[] t = evaluate(test);
        if (cfg.task() == Task.CLASSIFICATION) {
            s.put("test_acc", t[0]);
            s.put("test_loss", t[1]);
            s.put("val_acc", metrics.last("val_acc"));
        } else {
            s.put("test_probe_acc", t[0]);
            s.put("test_loss", t[1]);
            s.put("val_probe_acc", metrics.last("val_probe_acc"));
        }
        s.put("train_size", train.size());
        s.put("test_size", test.size());
        s.put("data", train.name());
        for (String c : metrics.columns()) if (c.startsWith("angle_")) s.put(c, metrics.last(c));
        double wall = elapsed();
        s.put("wall_time_s", wall);
        s.put("steps_per_s", net.stepCount() / Math.max(wall, 1e-9));
        s.put("provenance", Provenance.of(backend, net.dtype(), net.batch()));
        return s;
    }

    private void writeSummary(Map<String, Object> summary) {
        RunFiles.writeSummary(runDir, summary);
        try {
            exportParameters(runDir.resolve(MicrocircuitExperiment.PARAMETERS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public LabeledData validationData() {
        return validation;
    }

    public LabeledData testData() {
        return test;
    }

    public LeExperimentConfig config() {
        return cfg;
    }

    @Override
    public void close() {
        net.close();
        backend.close();
    }
}
