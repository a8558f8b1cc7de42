package io.cortex4j.train;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.GleExperimentConfig;
import io.cortex4j.datasets.Datasets;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.io.Npz;
import io.cortex4j.model.gle.GleNetwork;
import io.cortex4j.optim.Adam;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.optim.PlateauSchedule;
import io.cortex4j.optim.SgdMomentum;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Backends;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streamed sequence classification with a GLE network (MNIST-1D, specs/gle.md §6.3, §7): each
 * sample is interpolated to {@code stepsPerSample} points and fed one point per Euler step, the
 * label error acts at every step, and the prediction is the argmax of the outputs summed over the
 * sample's steps. The state is never reset: samples, batches, and training and evaluation follow
 * each other in one stream (the batch size changes for evaluation by tiling or truncating the
 * state, as in the reference). One optimizer step per Euler step; the learning rate follows a
 * reduce-on-plateau schedule on the test loss, as in the reference.
 */
public final class GleClassificationExperiment implements AutoCloseable {
    private final GleExperimentConfig cfg;
    private final GleExperimentConfig.Classification c;
    private final Path runDir;
    private final Progress progress;
    private final Backend backend;
    private final GleNetwork net;
    private final Optimizer optimizer;
    private final PlateauSchedule plateau;
    private final float[][] train, test; // interpolated sequences [sample][step]
    private final int[] trainLabels, testLabels;
    private final int classes;
    private int epoch; // epochs completed
    private double wallBefore; // wall time of earlier sessions of this run (resumed runs)
    private int interruptAfterEpochs = -1;
    private final MetricsTable metrics = new MetricsTable(List.of(
            "epoch",
            "steps",
            "train_loss",
            "train_acc",
            "test_loss",
            "test_acc",
            "learning_rate",
            "wall_s",
            "steps_per_s"));

    private GleClassificationExperiment(GleExperimentConfig cfg, Path runDir, Progress progress) {
        this.cfg = cfg;
        this.c = cfg.classification();
        this.runDir = runDir;
        this.progress = progress;
        Path dataDir = c.dataDir() == null ? null : Path.of(c.dataDir());
        InMemoryData tr =
                limit(Datasets.open(c.data(), c.trainSplit(), dataDir, cfg.run().seed()), c.trainLimit());
        InMemoryData te =
                limit(Datasets.open(c.data(), c.testSplit(), dataDir, cfg.run().seed()), c.evalLimit());
        classes = tr.numClasses();
        if (cfg.model().outputSize() != classes) {
            throw new ConfigException("model.layers: the output layer has "
                    + cfg.model().outputSize() + " units but data '" + tr.name() + "' has " + classes + " classes");
        }
        if (tr.size() < c.batch())
            throw new ConfigException(
                    "schedule.batch: batch " + c.batch() + " is larger than the training set (" + tr.size() + ")");
        double mean = 0, sq = 0;
        long n = 0;
        if (c.standardise()) { // one mean and std over every value of the training set, as the reference does
            for (int i = 0; i < tr.size(); i++) {
                for (float v : tr.input(i)) {
                    mean += v;
                    sq += (double) v * v;
                    n++;
                }
            }
            mean /= n;
            sq = Math.sqrt(Math.max(sq / n - mean * mean, 0));
            if (!(sq > 0))
                throw new ConfigException("data.standardise: the training inputs of '" + tr.name() + "' are constant");
        }
        double m = c.standardise() ? mean : 0, sd = c.standardise() ? sq : 1;
        train = interpolate(tr, c.stepsPerSample(), m, sd);
        test = interpolate(te, c.stepsPerSample(), m, sd);
        trainLabels = labels(tr);
        testLabels = labels(te);
        backend = Backends.create(cfg.run().backend());
        net = new GleNetwork(
                cfg.model(),
                backend,
                cfg.run().precision(),
                c.batch(),
                cfg.run().seed());
        GleExperimentConfig.OptimizerSpec o = cfg.optimizer();
        optimizer = o.name().equals("adam")
                ? new Adam(backend, net.slots(), o.learningRate(), o.beta1(), o.beta2(), o.eps())
                : new SgdMomentum(backend, net.slots(), o.learningRate(), o.momentum());
        net.setOptimizer(optimizer);
        GleExperimentConfig.Plateau p = c.plateau();
        plateau = p == null ? null : new PlateauSchedule(p.factor(), p.patience(), p.threshold(), 0.0);
    }

    private static InMemoryData limit(InMemoryData d, int n) {
        return n <= 0 || n >= d.size() ? d : d.subset(0, n, d.name() + "[:" + n + "]");
    }

    private static int[] labels(InMemoryData d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) l[i] = d.label(i);
        return l;
    }

    /** Each sample's values, standardised, linearly interpolated onto {@code steps} evenly spaced points spanning the sample. */
    static float[][] interpolate(InMemoryData d, int steps, double mean, double std) {
        int len = d.inputSize();
        float[][] out = new float[d.size()][steps];
        for (int i = 0; i < d.size(); i++) {
            float[] x = d.input(i);
            for (int s = 0; s < steps; s++) {
                double pos = len == 1 ? 0 : (double) s * (len - 1) / (steps - 1);
                int lo = Math.min((int) Math.floor(pos), len - 1), hi = Math.min(lo + 1, len - 1);
                double f = pos - lo, v = x[lo] + f * (x[hi] - x[lo]);
                out[i][s] = (float) ((v - mean) / std);
            }
        }
        return out;
    }

    public static GleClassificationExperiment create(GleExperimentConfig cfg, Path runDir, Progress progress) {
        RunFiles.requireNew(runDir, true);
        GleClassificationExperiment e =
                new GleClassificationExperiment(cfg, runDir, progress); // data and shapes checked first
        RunFiles.writeConfig(runDir, cfg.toYaml());
        return e;
    }

    /** Continues the run in {@code runDir} from the checkpoint written at its last epoch end. */
    public static GleClassificationExperiment resume(Path runDir, Progress progress) {
        GleExperimentConfig cfg = GleExperimentConfig.load(runDir.resolve(MicrocircuitExperiment.CONFIG));
        if (cfg.task() != GleExperimentConfig.Task.CLASSIFICATION)
            throw new IllegalArgumentException(runDir + " is not a GLE classification run");
        GleClassificationExperiment e = new GleClassificationExperiment(cfg, runDir, progress);
        Path ck = runDir.resolve(MicrocircuitExperiment.CHECKPOINT);
        if (Files.exists(ck)) e.loadCheckpoint(ck);
        return e;
    }

    /** Stops {@link #run} after this many epochs of this session, as if the process were killed (for tests). */
    public void interruptAfterEpochs(int n) {
        interruptAfterEpochs = n;
    }

    private Map<String, Tensor> checkpointTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>(net.parameters());
        m.putAll(net.state());
        m.putAll(optimizer.state());
        return m;
    }

    /** Writes everything that evolves (parameters, state, optimizer moments, schedule, metrics) atomically. */
    private void checkpoint(double wall) {
        Map<String, io.cortex4j.io.NpyArray> m = ParameterFiles.toArrays(checkpointTensors());
        double[] prog = {
            epoch,
            net.steps(),
            optimizer.steps(),
            optimizer.learningRate(),
            plateau == null ? 0 : plateau.best(),
            plateau == null ? 0 : plateau.badEvaluations(),
            net.batch(),
            wall
        };
        m.put("__progress", io.cortex4j.io.NpyArray.ofDoubles(prog, prog.length));
        double[] flat = metrics.flat();
        m.put(
                "__metrics",
                io.cortex4j.io.NpyArray.ofDoubles(
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
        Map<String, io.cortex4j.io.NpyArray> m;
        try {
            m = Npz.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
        double[] p = m.get("__progress").data();
        net.setBatch((int) p[6]); // the state was saved at the batch size of the last evaluation batch
        for (Map.Entry<String, Tensor> e : checkpointTensors().entrySet()) {
            io.cortex4j.io.NpyArray a = m.get(e.getKey());
            if (a == null) throw new IllegalStateException(file + ": checkpoint lacks tensor '" + e.getKey() + "'");
            if (a.size() != e.getValue().length()) {
                throw new IllegalStateException(file + ": tensor '" + e.getKey() + "' has " + a.size()
                        + " elements, the run expects " + e.getValue().length());
            }
            e.getValue().load(a.data());
        }
        epoch = (int) p[0];
        net.setSteps((long) p[1]);
        optimizer.setSteps((long) p[2]);
        optimizer.setLearningRate(p[3]);
        if (plateau != null) plateau.restore(p[4], (int) p[5]);
        wallBefore = p[7];
        metrics.restore(m.get("__metrics").data());
    }

    /**
     * Streams samples {@code order[from..from+B)} through the network (learning as set), returning
     * {sum of per-step CE losses averaged over the batch, correct predictions}.
     */
    private double[] present(float[][] seqs, int[] labels, int[] order, int from, int batch) {
        int steps = c.stepsPerSample();
        double[] in = new double[batch],
                onehot = new double[batch * classes],
                out = new double[batch * classes],
                sums = new double[batch * classes];
        for (int b = 0; b < batch; b++) onehot[b * classes + labels[order[from + b]]] = 1.0;
        backend.copyFromHost(onehot, net.target());
        double loss = 0;
        Tensor[] o = new Tensor[1];
        Runnable step = () -> o[0] = net.step();
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < batch; b++) in[b] = seqs[order[from + b]][s];
            backend.copyFromHost(in, net.input());
            backend.runRepeated(step);
            backend.copyToHost(o[0], out);
            for (int b = 0; b < batch; b++) {
                int at = b * classes, y = labels[order[from + b]];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) {
                    sums[at + k] += out[at + k];
                    max = Math.max(max, out[at + k]);
                }
                double z = 0;
                for (int k = 0; k < classes; k++) z += Math.exp(out[at + k] - max);
                loss += (max + Math.log(z) - out[at + y]) / batch;
            }
        }
        int correct = 0;
        for (int b = 0; b < batch; b++) {
            int at = b * classes, best = 0;
            for (int k = 1; k < classes; k++) if (sums[at + k] > sums[at + best]) best = k;
            if (best == labels[order[from + b]]) correct++;
        }
        if (!Double.isFinite(loss))
            throw new ConfigException(
                    "the run diverged: the network's output is not finite; lower optimizer.learningRate");
        return new double[] {loss, correct};
    }

    /**
     * Trains the remaining epochs, evaluating on the test split and checkpointing after each, and
     * writes the results; returns the summary (null if interrupted).
     */
    public Map<String, Object> run() {
        long start = System.nanoTime() - (long) (wallBefore * 1e9);
        int B = c.batch(), E = c.evalBatch(), nb = train.length / B, steps = c.stepsPerSample();
        CounterRandom rng = new CounterRandom(cfg.run().seed());
        int[] testOrder = new int[test.length];
        for (int i = 0; i < testOrder.length; i++) testOrder[i] = i;
        double testAcc = metrics.rows().isEmpty() ? Double.NaN : metrics.last("test_acc"), best = 0;
        for (double a : metrics.column("test_acc")) best = Math.max(best, a);
        int session = 0;
        while (epoch < c.epochs()) {
            epoch++;
            int[] perm = rng.permutation(10_000, epoch - 1, train.length);
            net.setBatch(B);
            net.setLearning(true);
            net.setTargetOn(true);
            double loss = 0, correct = 0;
            for (int bi = 0; bi < nb; bi++) {
                double[] r = present(train, trainLabels, perm, bi * B, B);
                loss += r[0];
                correct += r[1];
                double secs = (System.nanoTime() - start) / 1e9;
                long done = (long) (epoch - 1) * nb + bi + 1, total = (long) c.epochs() * nb;
                progress.update(
                        epoch, c.epochs(), done, total, done * B / Math.max(secs, 1e-9), secs * (total - done) / done);
            }
            double[] t = evaluate(testOrder, E);
            testAcc = t[1];
            best = Math.max(best, testAcc);
            double lr = optimizer.learningRate();
            if (plateau != null) optimizer.setLearningRate(plateau.observe(t[0], lr));
            double wall = (System.nanoTime() - start) / 1e9;
            metrics.add(new double[] {
                epoch, net.steps(), loss / (nb * steps), correct / (nb * B), t[0], testAcc, lr, wall, net.steps() / wall
            });
            progress.line(String.format(
                    Locale.ROOT,
                    "epoch %d/%d  train %.2f%%  test %.2f%%  loss %.4f  lr %.3g  [%s]",
                    epoch,
                    c.epochs(),
                    100 * correct / (nb * B),
                    100 * testAcc,
                    t[0],
                    lr,
                    Progress.duration(wall)));
            writeMetrics();
            checkpoint(wall);
            if (++session == interruptAfterEpochs) return null;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cfg.name());
        s.put("family", "gle");
        s.put("task", "classification");
        s.put("data", c.data());
        s.put("seed", cfg.run().seed());
        s.put("epochs", c.epochs());
        s.put("steps", net.steps());
        s.put("steps_per_sample", steps);
        s.put("parameters", cfg.model().parameterCount());
        s.put("test_acc", testAcc);
        s.put("best_test_acc", best);
        s.put("test_loss", metrics.last("test_loss"));
        s.put("train_size", train.length);
        s.put("test_size", test.length);
        s.put("wall_time_s", wall);
        s.put("steps_per_s", net.steps() / Math.max(wall, 1e-9));
        s.put("provenance", Provenance.of(backend, net.dtype(), B));
        RunFiles.writeSummary(runDir, s);
        try {
            Npz.write(runDir.resolve(MicrocircuitExperiment.PARAMETERS), ParameterFiles.toArrays(net.parameters()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    /** {mean per-step CE loss, accuracy} on the test split, learning off, in batches of {@code evalBatch} (the last one smaller). */
    private double[] evaluate(int[] order, int E) {
        net.setLearning(false);
        net.setTargetOn(false);
        double loss = 0, correct = 0;
        for (int from = 0; from < test.length; from += E) {
            int b = Math.min(E, test.length - from);
            net.setBatch(b);
            double[] r = present(test, testLabels, order, from, b);
            loss += r[0] * b;
            correct += r[1];
        }
        return new double[] {loss / (test.length * (double) c.stepsPerSample()), correct / test.length};
    }

    private void writeMetrics() {
        try {
            metrics.writeCsv(runDir.resolve(MicrocircuitExperiment.METRICS));
            Plots.writeColumns(cfg.name() + " (GLE, seed " + cfg.run().seed() + ")", metrics, runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public GleNetwork network() {
        return net;
    }

    public MetricsTable metrics() {
        return metrics;
    }

    @Override
    public void close() {
        net.close();
        backend.close();
    }
}
