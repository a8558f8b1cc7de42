package io.cortex4j.baselines;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.config.LeExperimentConfig;
import io.cortex4j.datasets.Datasets;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.train.MetricsTable;
import io.cortex4j.train.Plots;
import io.cortex4j.train.Progress;
import io.cortex4j.train.Provenance;
import io.cortex4j.train.RunFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The baseline row: the architecture of an LE config ({@code model.family: dl4j}) trained by
 * DL4J's {@code MultiLayerNetwork} with plain mini-batch SGD backprop on the same data, batches,
 * epochs, input scaling and targets, writing the same results ({@code config.yaml},
 * {@code metrics.csv}, {@code summary.json}, plots). {@code rule.learningRate} times
 * {@code rule.lrFactors} is each layer's SGD step on L = mean_b ½‖y − out‖² ({@code mse}) or the mean
 * cross-entropy ({@code cross-entropy}). There
 * are no mid-run checkpoints: a baseline run is short.
 */
public final class Dl4jExperiment {
    private final LeExperimentConfig cfg;
    private final Path runDir;
    private final Progress progress;
    private final Dl4jNetwork net;
    private final LabeledData train, validation, test;
    private final MetricsTable metrics =
            new MetricsTable(List.of("epoch", "train_loss", "train_acc", "val_acc", "wall_s", "samples_per_s"));
    private final int inputSize, outputSize;

    private Dl4jExperiment(LeExperimentConfig cfg, Path runDir, Progress progress) {
        if (!cfg.family().equals("dl4j"))
            throw new IllegalArgumentException("not a dl4j config: model.family is " + cfg.family());
        if (cfg.task() != LeExperimentConfig.Task.CLASSIFICATION)
            throw new ConfigException("task: the DL4J baseline runs classification only");
        this.cfg = cfg;
        this.runDir = runDir;
        this.progress = progress;
        ExperimentConfig.Data d = cfg.data();
        Path dataDir = d.dir() == null ? null : Path.of(d.dir());
        train = limit(Datasets.open(d.name(), d.trainSplit(), dataDir, cfg.run().seed()), d.trainLimit());
        validation = limit(
                Datasets.open(d.name(), d.validationSplit(), dataDir, cfg.run().seed()), d.evalLimit());
        test = limit(Datasets.open(d.name(), d.testSplit(), dataDir, cfg.run().seed()), d.evalLimit());
        inputSize = cfg.model().architecture().inputLength();
        outputSize = cfg.model().architecture().outputLength();
        for (LabeledData x : List.of(train, validation, test)) {
            if (x.inputSize() != inputSize) {
                throw new ConfigException("model.input: the network takes " + inputSize
                        + " values per sample but data '" + x.name() + "' has " + x.inputSize());
            }
            if (x.numClasses() != outputSize) {
                throw new ConfigException("model.layers: the output layer has " + outputSize + " units but data '"
                        + x.name() + "' has " + x.numClasses() + " classes");
            }
        }
        Dl4jNetwork.Loss loss = cfg.model().outputError() == OutputError.CROSS_ENTROPY
                ? Dl4jNetwork.Loss.CROSS_ENTROPY
                : Dl4jNetwork.Loss.MSE;
        DataType type = cfg.run().precision() == io.cortex4j.tensor.DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        net = Dl4jNetwork.build(
                cfg.model().architecture(),
                loss,
                cfg.model().learningRate(),
                cfg.model().lrFactors(),
                cfg.run().seed(),
                type);
    }

    private static LabeledData limit(InMemoryData d, int n) {
        return n <= 0 || n >= d.size() ? d : d.subset(0, n, d.name() + "[:" + n + "]");
    }

    public static Dl4jExperiment create(LeExperimentConfig cfg, Path runDir, Progress progress) {
        RunFiles.requireNew(runDir, false);
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Dl4jExperiment e = new Dl4jExperiment(cfg, runDir, progress);
        RunFiles.writeConfig(runDir, cfg.toYaml());
        return e;
    }

    public Dl4jNetwork network() {
        return net;
    }

    /** Trains every epoch (shuffled by the run's seed, last partial batch dropped like the LE runs), evaluates, writes results. */
    public Map<String, Object> run() {
        long start = System.nanoTime();
        int B = cfg.batch(), nb = train.size() / B;
        if (nb == 0)
            throw new ConfigException(
                    "schedule.batch: batch " + B + " is larger than the training set (" + train.size() + " samples)");
        CounterRandom rng = new CounterRandom(cfg.run().seed());
        float[] x = new float[B * inputSize], y = new float[B * outputSize];
        double seen = 0;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            int[] perm = rng.permutation(10_000, epoch - 1, train.size());
            double loss = 0, correct = 0;
            long t0 = System.nanoTime();
            for (int bi = 0; bi < nb; bi++) {
                fill(train, perm, bi * B, B, x, y);
                INDArray xa = array(x, B, inputSize), ya = array(y, B, outputSize);
                INDArray out = net.dl4j().output(xa, false);
                correct += countCorrect(out, train, perm, bi * B, B);
                net.dl4j().fit(xa, ya);
                loss += B
                        * (net.loss() == Dl4jNetwork.Loss.MSE
                                ? net.dl4j().score() * outputSize / 2.0
                                : net.dl4j().score());
                seen += B;
                double rate = seen / ((System.nanoTime() - start) / 1e9);
                long done = (long) (epoch - 1) * nb + bi + 1, total = (long) nb * cfg.epochs();
                progress.update(epoch, cfg.epochs(), done, total, rate, (total - done) * B / Math.max(rate, 1e-9));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            boolean eval = epoch % cfg.evalEvery() == 0 || epoch == cfg.epochs();
            double val = eval ? accuracy(validation) : Double.NaN;
            double wall = (System.nanoTime() - start) / 1e9;
            metrics.add(new double[] {epoch, loss / (nb * B), correct / (nb * B), val, wall, nb * B / secs});
            progress.line(String.format(
                    Locale.ROOT,
                    "epoch %d/%d  train %.2f%%%s  [%s]",
                    epoch,
                    cfg.epochs(),
                    100 * correct / (nb * B),
                    eval ? String.format(Locale.ROOT, "  val %.2f%%", 100 * val) : "",
                    Progress.duration(wall)));
            try {
                metrics.writeCsv(runDir.resolve("metrics.csv"));
                Plots.writeColumns(cfg.name() + " (DL4J BP, seed " + cfg.run().seed() + ")", metrics, runDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cfg.name());
        s.put("family", "dl4j");
        s.put("task", "classification");
        s.put("rule", "bp");
        s.put("architecture", cfg.model().architecture().layers().toString());
        s.put("seed", cfg.run().seed());
        s.put("epochs", cfg.epochs());
        s.put("test_acc", accuracy(test));
        s.put("val_acc", metrics.last("val_acc"));
        s.put("train_size", train.size());
        s.put("test_size", test.size());
        s.put("data", train.name());
        double wall = (System.nanoTime() - start) / 1e9;
        s.put("wall_time_s", wall);
        s.put("samples_per_s", seen / wall);
        s.put("steps_per_s", nb * (double) cfg.epochs() / wall);
        s.put("provenance", Provenance.of(null, cfg.run().precision(), B));
        RunFiles.writeSummary(runDir, s);
        return s;
    }

    private void fill(LabeledData d, int[] order, int from, int count, float[] x, float[] y) {
        double k = cfg.data().inputScale(), sh = cfg.inputShift();
        for (int b = 0; b < count; b++) {
            int idx = order[Math.min(from + b, order.length - 1)];
            d.copyInput(idx, x, b * inputSize);
            if (y != null) {
                int label = d.label(idx);
                for (int j = 0; j < outputSize; j++)
                    y[b * outputSize + j] = (float)
                            (j == label ? cfg.data().targetHigh() : cfg.data().targetLow());
            }
        }
        if (k != 1.0 || sh != 0.0) for (int i = 0; i < count * inputSize; i++) x[i] = (float) (x[i] * k + sh);
    }

    private static int countCorrect(INDArray out, LabeledData d, int[] order, int from, int count) {
        long[] pred = out.argMax(1).toLongVector();
        int c = 0;
        for (int b = 0; b < count; b++) if (pred[b] == d.label(order[from + b])) c++;
        return c;
    }

    /** Accuracy on a data set (argmax of the output), with the run's input scaling. */
    public double accuracy(LabeledData d) {
        int B = cfg.batch();
        int[] order = new int[d.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        float[] x = new float[B * inputSize];
        int correct = 0;
        for (int from = 0; from < d.size(); from += B) {
            int count = Math.min(B, d.size() - from);
            fill(d, order, from, count, x, null);
            correct += countCorrect(net.dl4j().output(array(x, count, inputSize), false), d, order, from, count);
        }
        return correct / (double) d.size();
    }

    private INDArray array(float[] buf, int rows, int cols) {
        float[] data = rows * cols == buf.length ? buf : java.util.Arrays.copyOf(buf, rows * cols);
        return Nd4j.create(data, new long[] {rows, cols}, 'c').castTo(net.dataType());
    }
}
