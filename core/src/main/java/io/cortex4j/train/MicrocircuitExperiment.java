package io.cortex4j.train;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.config.ExperimentConfig.Task;
import io.cortex4j.datasets.Datasets;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.metrics.MicrocircuitAngles;
import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.sim.Presenter;
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
 * One run of a microcircuit experiment, end to end: data → network (topology + dynamics + rule on a
 * backend) → settling → epochs of presentations with always-on plasticity → evaluation, metrics,
 * plots and checkpoints at epoch ends → {@code summary.json}. Everything a run produces goes to its
 * run directory; a run killed at any point continues from its last checkpoint with
 * {@link #resume(Path, Progress)} and ends bit-identical to an uninterrupted one.
 */
public final class MicrocircuitExperiment implements AutoCloseable {
    public static final String CONFIG = "config.yaml";
    public static final String CHECKPOINT = "checkpoint.npz";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String PARAMETERS = "parameters.npz";
    static final int STREAM_SHUFFLE = 10_000;

    private final ExperimentConfig cfg;
    private final Path runDir;
    private final Backend backend;
    private final Microcircuit net;
    private final Presenter presenter;
    private final Microcircuit teacher;
    private final LabeledData train, validation, test;
    private final MetricsTable metrics;
    private final Progress progress;
    private final CounterRandom rng;
    private final int inputSize, outputSize;

    private int epoch;
    private int batchInEpoch;
    private boolean settled;
    private double trainCorrect, trainSeen;
    private double wallBefore;
    private long startNanos;
    private int interruptAfterBatches = -1;
    private int batchesThisSession;

    private MicrocircuitExperiment(ExperimentConfig cfg, Path runDir, Progress progress) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.progress = progress;
        this.rng = new CounterRandom(cfg.run().seed());
        int[] layers = cfg.model().layers();
        this.inputSize = layers[0];
        this.outputSize = layers[layers.length - 1];
        ExperimentConfig.Data d = cfg.data();
        Path dataDir = d.dir() == null ? null : Path.of(d.dir());
        if (cfg.task() == Task.ALIGNMENT) {
            train = Datasets.open(
                    "random-uniform", "train", dataDir, cfg.run().seed(), Map.of("count", d.size(), "size", inputSize));
            validation = null;
            test = null;
        } else if (cfg.task() == Task.TEACHER_STUDENT) {
            train = Datasets.open(
                    "random-uniform", "train", dataDir, cfg.run().seed(), Map.of("count", d.size(), "size", inputSize));
            validation = Datasets.open(
                    "random-uniform",
                    "test",
                    dataDir,
                    cfg.run().seed(),
                    Map.of("count", Math.max(1, d.size() / 5), "size", inputSize));
            test = validation;
        } else {
            train = limit(
                    Datasets.open(d.name(), d.trainSplit(), dataDir, cfg.run().seed()), d.trainLimit());
            validation = limit(
                    Datasets.open(
                            d.name(), d.validationSplit(), dataDir, cfg.run().seed()),
                    d.evalLimit());
            test = limit(
                    Datasets.open(d.name(), d.testSplit(), dataDir, cfg.run().seed()), d.evalLimit());
            for (LabeledData x : List.of(train, validation, test)) checkShapes(x);
        }
        this.backend = Backends.create(cfg.run().backend());
        this.net = new Microcircuit(
                cfg.model(),
                backend,
                cfg.run().precision(),
                cfg.schedule().batch(),
                cfg.run().seed());
        this.presenter = new Presenter(
                net,
                cfg.schedule().stepsPerSample(cfg.model().dt()),
                cfg.schedule().readoutSkip());
        if (cfg.task() == Task.TEACHER_STUDENT) {
            // a free-running teacher with the same architecture and other weights gives the target: u_tgt(t) = ŭ_N(t)
            // of the teacher
            var tp = new io.cortex4j.model.microcircuit.MicrocircuitParams(
                    layers,
                    cfg.model().activation(),
                    cfg.model().dt(),
                    cfg.model().conductances(),
                    cfg.model().prospectiveFactor(),
                    io.cortex4j.model.microcircuit.FeedbackRule.FA,
                    cfg.model().etaForward(),
                    cfg.model().etaFeedback(),
                    cfg.model().etaIP(),
                    cfg.model().etaPI(),
                    cfg.model().alpha(),
                    0,
                    cfg.model().tauNoise(),
                    cfg.model().tauHighPass(),
                    0,
                    d.teacherWeights(),
                    cfg.model().feedbackRange(),
                    cfg.model().initialPotentialStd(),
                    true);
            teacher = new Microcircuit(
                    tp, backend, cfg.run().precision(), cfg.schedule().batch(), d.teacherSeed());
            teacher.setLearning(false, false, false);
            teacher.setNoise(false);
            int top = layers.length - 1;
            presenter.beforeStep(() -> {
                teacher.step();
                backend.copy(teacher.prospectivePotential(top), net.target());
            });
        } else {
            teacher = null;
        }
        this.metrics = new MetricsTable(columns());
        if (cfg.initFrom() != null) {
            if (!Files.isRegularFile(Path.of(cfg.initFrom())))
                throw new ConfigException("model.init.from: parameter file not found: " + cfg.initFrom());
            try {
                java.util.Set<String> loaded = ParameterFiles.load(Path.of(cfg.initFrom()), net.parameters());
                // lateral weights not in the file follow from the imported forward and feedback weights
                if (cfg.model().selfPredictingInit()
                        && loaded.stream().noneMatch(k -> k.startsWith("WIP") || k.startsWith("BPI")))
                    net.setSelfPredictingState();
            } catch (IOException e) {
                throw new UncheckedIOException("model.init.from: cannot read " + cfg.initFrom(), e);
            }
        }
        for (ExperimentConfig.ProbeSpec ps : cfg.probes()) probes.add(probe(ps));
        probes.forEach(presenter::addProbe);
    }

    private final List<io.cortex4j.sim.SignalProbe> probes = new ArrayList<>();

    private static io.cortex4j.sim.SignalProbe probe(ExperimentConfig.ProbeSpec ps) {
        String kind = ps.signal().replaceAll("[0-9]", "");
        int l = Integer.parseInt(ps.signal().replaceAll("[a-z]", ""));
        java.util.function.Function<Microcircuit, Tensor> f = switch (kind) {
            case "apical" -> n -> n.apicalPotential(l);
            case "basal" -> n -> n.basalPotential(l);
            case "prospective" -> n -> n.prospectivePotential(l);
            case "somatic" -> n -> n.somaticPotential(l);
            case "rate" -> n -> n.rate(l);
            default -> n -> n.noise(l);
        };
        return new io.cortex4j.sim.SignalProbe(
                ps.signal(),
                f,
                ps.summary().equals("mean")
                        ? io.cortex4j.sim.SignalProbe.Summary.MEAN
                        : io.cortex4j.sim.SignalProbe.Summary.MAX_ABS,
                ps.every());
    }

    /** Appends the probes' samples since the last call to {@code probes.csv} (step, signal, value). */
    private void flushProbes() throws IOException {
        if (probes.isEmpty()) return;
        Path f = runDir.resolve("probes.csv");
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(f)) sb.append("step,signal,value\n");
        for (io.cortex4j.sim.SignalProbe p : probes) {
            long[] st = p.steps();
            double[] v = p.values();
            for (int i = 0; i < st.length; i++)
                sb.append(st[i])
                        .append(',')
                        .append(p.name())
                        .append(',')
                        .append(v[i])
                        .append('\n');
            p.clear();
        }
        Files.writeString(f, sb, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static LabeledData limit(InMemoryData d, int n) {
        return n <= 0 || n >= d.size() ? d : d.subset(0, n, d.name() + "[:" + n + "]");
    }

    private void checkShapes(LabeledData d) {
        if (d.inputSize() != inputSize) {
            throw new ConfigException("model.layers: the network's input layer has " + inputSize + " units but data '"
                    + d.name() + "' has " + d.inputSize() + " inputs per sample");
        }
        if (d.numClasses() != outputSize) {
            throw new ConfigException("model.layers: the network's output layer has " + outputSize + " units but data '"
                    + d.name() + "' has " + d.numClasses() + " classes");
        }
    }

    /** Starts a new run in {@code runDir} (created; must not hold a run already). */
    public static MicrocircuitExperiment create(ExperimentConfig cfg, Path runDir, Progress progress) {
        RunFiles.requireNew(runDir, true);
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MicrocircuitExperiment e = new MicrocircuitExperiment(cfg, runDir, progress);
        RunFiles.writeConfig(runDir, cfg.toYaml());
        return e;
    }

    /** Continues the run in {@code runDir} from its last checkpoint (or from the start if none was written). */
    public static MicrocircuitExperiment resume(Path runDir, Progress progress) {
        return resume(runDir, progress, null);
    }

    /**
     * The run in {@code runDir} at its last checkpoint, on {@code backend} (null: the run's own
     * {@code run.backend}); for evaluating a run on another backend than it trained on. The saved
     * config is not rewritten, so continue a run only on its own backend.
     */
    public static MicrocircuitExperiment resume(Path runDir, Progress progress, String backend) {
        Path c = runDir.resolve(CONFIG);
        if (!Files.exists(c)) throw new IllegalStateException(runDir + " is not a run directory (no " + CONFIG + ")");
        ExperimentConfig cfg = ExperimentConfig.load(c);
        if (backend != null) cfg = cfg.withBackend(backend);
        MicrocircuitExperiment e = new MicrocircuitExperiment(cfg, runDir, progress);
        if (Files.exists(runDir.resolve(CHECKPOINT))) e.loadCheckpoint(runDir.resolve(CHECKPOINT));
        return e;
    }

    private List<String> columns() {
        List<String> c = new ArrayList<>(List.of("epoch", "steps", "sim_time_s"));
        if (cfg.task() == Task.CLASSIFICATION) c.addAll(List.of("train_acc_nudged", "val_acc", "val_loss"));
        if (cfg.task() == Task.TEACHER_STUDENT) c.add("val_loss");
        for (int l = 1; l < net.depth(); l++) c.add("angle_B_WT_" + l);
        for (int l = 1; l < net.depth(); l++) c.add("angle_B_JWTJ_" + l);
        c.addAll(List.of("wall_s", "samples_per_s"));
        return c;
    }

    /** Test hook: stop (as if killed) after this many training batches of this session. */
    public void interruptAfterBatches(int n) {
        this.interruptAfterBatches = n;
    }

    /** Thrown by the test hook of {@link #interruptAfterBatches(int)}. */
    public static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted by test hook");
        }
    }

    public Microcircuit network() {
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
        ExperimentConfig.Schedule s = cfg.schedule();
        if (!settled) {
            settle();
            settled = true;
            checkpoint();
        }
        int B = s.batch();
        int nb = train.size() / B;
        if (nb == 0)
            throw new ConfigException(
                    "schedule.batch: batch " + B + " is larger than the training set (" + train.size() + " samples)");
        long totalBatches = (long) nb * s.epochs();
        while (epoch < s.epochs()) {
            int[] perm = rng.permutation(STREAM_SHUFFLE, epoch, train.size());
            setTrainingMode();
            for (int bi = batchInEpoch; bi < nb; bi++) {
                double[] out = presentBatch(train, perm, bi * B, cfg.task() == Task.CLASSIFICATION);
                if (cfg.task() == Task.CLASSIFICATION) {
                    trainCorrect += correct(train, perm, bi * B, out, B);
                    trainSeen += B;
                }
                batchInEpoch = bi + 1;
                batchesThisSession++;
                long done = (long) epoch * nb + batchInEpoch;
                double rate = batchesThisSession * (double) B / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
                progress.update(
                        epoch + 1,
                        s.epochs(),
                        done,
                        totalBatches,
                        rate,
                        (totalBatches - done) * B / Math.max(rate, 1e-9));
                if (cfg.run().checkpointEvery() > 0
                        && batchInEpoch % cfg.run().checkpointEvery() == 0
                        && batchInEpoch < nb) checkpoint();
                if (interruptAfterBatches >= 0 && batchesThisSession >= interruptAfterBatches) throw new Interrupted();
            }
            endEpoch(nb * B);
        }
        Map<String, Object> summary = summary();
        writeSummary(summary);
        return summary;
    }

    private void settle() {
        int steps = (int) Math.round(cfg.schedule().settleMs() / cfg.model().dt());
        net.setLearning(false, false, false);
        net.setNoise(false);
        net.setTargetOn(false);
        float[] x = new float[net.batch() * inputSize];
        for (int b = 0; b < net.batch(); b++) train.copyInput(0, x, b * inputSize);
        scaleInputs(x);
        backend.copyFromHost(x, 0, net.input());
        if (teacher != null) backend.copyFromHost(x, 0, teacher.input());
        presenter.run(steps);
    }

    private void scaleInputs(float[] x) {
        double k = cfg.data().inputScale();
        if (k != 1.0) for (int i = 0; i < x.length; i++) x[i] *= (float) k;
    }

    private void setTrainingMode() {
        boolean alignment = cfg.task() == Task.ALIGNMENT;
        net.setLearning(!alignment, true, true);
        net.setNoise(true);
        net.setTargetOn(!alignment);
        // the teacher supplies the target each step; classification writes it per batch

    }

    /** Writes samples perm[from..from+B) (repeating the last one to fill a short batch) and presents them. */
    private double[] presentBatch(LabeledData d, int[] perm, int from, boolean withTarget) {
        int B = net.batch();
        float[] x = new float[B * inputSize];
        double[] y = withTarget ? new double[B * outputSize] : null;
        for (int b = 0; b < B; b++) {
            int i = Math.min(from + b, perm.length - 1);
            int idx = perm[i];
            d.copyInput(idx, x, b * inputSize);
            if (withTarget) {
                int label = d.label(idx);
                for (int k = 0; k < outputSize; k++)
                    y[b * outputSize + k] =
                            k == label ? cfg.data().targetHigh() : cfg.data().targetLow();
            }
        }
        scaleInputs(x);
        backend.copyFromHost(x, 0, net.input());
        if (teacher != null) backend.copyFromHost(x, 0, teacher.input());
        if (withTarget) net.target().load(y);
        return presenter.present();
    }

    private int correct(LabeledData d, int[] perm, int from, double[] out, int count) {
        int c = 0;
        for (int b = 0; b < count && from + b < perm.length; b++) {
            int best = 0;
            for (int k = 1; k < outputSize; k++) if (out[b * outputSize + k] > out[b * outputSize + best]) best = k;
            if (best == d.label(perm[from + b])) c++;
        }
        return c;
    }

    /** Accuracy and loss on a data set with learning and target off (noise as configured). */
    public double[] evaluate(LabeledData d) {
        net.setLearning(false, false, false);
        net.setTargetOn(false);
        net.setNoise(cfg.schedule().noiseDuringEval());
        int B = net.batch();
        int[] order = new int[d.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        double correct = 0, loss = 0;
        for (int from = 0; from < d.size(); from += B) {
            double[] out = presentBatch(d, order, from, false);
            correct += correct(d, order, from, out, B);
            for (int b = 0; b < B && from + b < d.size(); b++) {
                int label = d.label(from + b);
                for (int k = 0; k < outputSize; k++) {
                    double t = k == label ? cfg.data().targetHigh() : cfg.data().targetLow();
                    double e = out[b * outputSize + k] - t;
                    loss += e * e / outputSize;
                }
            }
        }
        return new double[] {correct / d.size(), loss / d.size()};
    }

    /** Mean squared difference between the free student's and the teacher's output ŭ_N, learning off. */
    public double teacherLoss(LabeledData d) {
        net.setLearning(false, false, false);
        net.setTargetOn(false);
        net.setNoise(false);
        int B = net.batch();
        int[] order = new int[d.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Tensor acc = backend.zeros(net.dtype(), B, outputSize);
        double loss = 0;
        int top = net.depth();
        long[] start = new long[1];
        presenter.addProbe((n, step) -> {
            if (step - start[0] - 1 >= presenter.readoutFrom())
                backend.axpby(1.0, teacher.prospectivePotential(top), 1.0, acc);
        });
        try {
            for (int from = 0; from < d.size(); from += B) {
                backend.fill(acc, 0.0);
                start[0] = net.stepCount();
                double[] out = presentBatch(d, order, from, false);
                double[] t = acc.toHost();
                for (int b = 0; b < B && from + b < d.size(); b++) {
                    for (int k = 0; k < outputSize; k++) {
                        // the presenter averaged the student over the readout window; average the teacher the same way
                        double tk = t[b * outputSize + k] / (presenter.stepsPerSample() - presenter.readoutFrom());
                        double e = out[b * outputSize + k] - tk;
                        loss += e * e / outputSize;
                    }
                }
            }
        } finally {
            presenter.removeLastProbe();
            acc.close();
        }
        return loss / d.size();
    }

    private double elapsed() {
        return wallBefore + (System.nanoTime() - startNanos) / 1e9;
    }

    private void endEpoch(int samples) {
        epoch++;
        batchInEpoch = 0;
        checkFinite();
        List<Double> row = new ArrayList<>();
        row.add((double) epoch);
        row.add((double) net.stepCount());
        row.add(net.stepCount() * cfg.model().dt() / 1000.0);
        String acc = "";
        if (cfg.task() == Task.TEACHER_STUDENT) {
            double loss = epoch % cfg.schedule().evalEvery() == 0
                            || epoch == cfg.schedule().epochs()
                    ? teacherLoss(validation)
                    : Double.NaN;
            row.add(loss);
            acc = String.format(Locale.ROOT, "  student-teacher MSE %.3g", loss);
        }
        if (cfg.task() == Task.CLASSIFICATION) {
            double trainAcc = trainSeen > 0 ? trainCorrect / trainSeen : Double.NaN;
            double[] val = epoch % cfg.schedule().evalEvery() == 0
                            || epoch == cfg.schedule().epochs()
                    ? evaluate(validation)
                    : new double[] {Double.NaN, Double.NaN};
            row.add(trainAcc);
            row.add(val[0]);
            row.add(val[1]);
            acc = Double.isNaN(val[0]) ? "" : String.format(Locale.ROOT, "  val %.2f%%", 100 * val[0]);
            trainCorrect = 0;
            trainSeen = 0;
        }
        double[] a1 = MicrocircuitAngles.feedbackVsTranspose(net), a2 = MicrocircuitAngles.feedbackVsJacobian(net);
        for (double v : a1) row.add(v);
        for (double v : a2) row.add(v);
        double wall = elapsed();
        row.add(wall);
        row.add(batchesThisSession * (double) net.batch() / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9));
        metrics.add(row.stream().mapToDouble(Double::doubleValue).toArray());
        StringBuilder ang = new StringBuilder();
        for (int i = 0; i < a1.length; i++) ang.append(String.format(Locale.ROOT, " %.1f°", a1[i]));
        progress.line(String.format(
                Locale.ROOT,
                "epoch %d/%d  t=%.2f s%s%s  [%s]",
                epoch,
                cfg.schedule().epochs(),
                net.stepCount() * cfg.model().dt() / 1000.0,
                acc,
                a1.length > 0 ? "  ∠(B,Wᵀ)" + ang : "",
                Progress.duration(wall)));
        try {
            metrics.writeCsv(runDir.resolve(METRICS));
            Plots.write(cfg, metrics, runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkpoint();
    }

    private void checkFinite() {
        for (Map.Entry<String, Tensor> e : net.parameters().entrySet()) {
            if (backend.hasNonFinite(e.getValue())) {
                throw new DivergedException("the run diverged: " + e.getKey()
                        + " holds NaN or infinite values after epoch " + (epoch) + " (simulated step " + net.stepCount()
                        + "); lower the learning rates (rule.eta*) or dt");
            }
        }
    }

    /** A run whose weights became NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(String m) {
            super(m);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /** Writes every evolving tensor, the position in the schedule and the metrics so far, atomically. */
    public void checkpoint() {
        try {
            flushProbes(); // samples up to this checkpoint; a resumed run appends from here
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write probes.csv in " + runDir, e);
        }
        Map<String, NpyArray> m = ParameterFiles.toArrays(checkpointed());
        m.put(
                "__progress",
                NpyArray.ofDoubles(
                        new double[] {
                            epoch, batchInEpoch, settled ? 1 : 0, net.stepCount(), trainCorrect, trainSeen, elapsed()
                        },
                        7));
        double[] flat = metrics.flat();
        m.put(
                "__metrics",
                NpyArray.ofDoubles(
                        flat,
                        flat.length / metrics.columns().size(),
                        metrics.columns().size()));
        try {
            Npz.write(runDir.resolve(CHECKPOINT), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + runDir, e);
        }
    }

    /** The student's state, and the teacher's under "teacher." names. */
    private Map<String, Tensor> checkpointed() {
        Map<String, Tensor> m = net.fullState();
        if (teacher != null)
            for (Map.Entry<String, Tensor> e : teacher.fullState().entrySet())
                m.put("teacher." + e.getKey(), e.getValue());
        return m;
    }

    private void loadCheckpoint(Path file) {
        Map<String, NpyArray> m;
        try {
            m = Npz.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
        for (Map.Entry<String, Tensor> e : checkpointed().entrySet()) {
            NpyArray a = m.get(e.getKey());
            if (a == null) throw new IllegalStateException(file + ": checkpoint lacks tensor '" + e.getKey() + "'");
            if (a.size() != e.getValue().length())
                throw new IllegalStateException(file + ": tensor '" + e.getKey() + "' has " + a.size()
                        + " elements, the network expects " + e.getValue().length());
            e.getValue().load(a.data());
        }
        double[] p = m.get("__progress").data();
        epoch = (int) p[0];
        batchInEpoch = (int) p[1];
        settled = p[2] != 0;
        net.setStepCount((long) p[3]);
        if (teacher != null) teacher.setStepCount((long) p[3]);
        trainCorrect = p[4];
        trainSeen = p[5];
        wallBefore = p[6];
        metrics.restore(m.get("__metrics").data());
    }

    /** Writes the learned parameters by projection name (W1, B1, ...) as NumPy .npz. */
    public void exportParameters(Path file) throws IOException {
        Npz.write(file, ParameterFiles.toArrays(net.parameters()));
    }

    /** Loads parameters by projection name from a NumPy .npz (every name in the file must be a projection of this network). */
    public void importParameters(Path file) throws IOException {
        ParameterFiles.load(file, net.parameters());
    }

    // ---------------------------------------------------------------- results

    private Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cfg.name());
        s.put("task", cfg.task().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        s.put("rule", cfg.model().rule().name());
        s.put("layers", cfg.model().layers());
        s.put("seed", cfg.run().seed());
        s.put("epochs", epoch);
        s.put("steps", net.stepCount());
        s.put("simulated_time_s", net.stepCount() * cfg.model().dt() / 1000.0);
        if (cfg.task() == Task.TEACHER_STUDENT) s.put("val_loss", metrics.last("val_loss"));
        if (cfg.task() == Task.CLASSIFICATION) {
            double[] t = evaluate(test);
            s.put("test_acc", t[0]);
            s.put("test_loss", t[1]);
            s.put("val_acc", metrics.last("val_acc"));
            s.put("train_size", train.size());
            s.put("test_size", test.size());
            s.put("data", train.name());
        }
        for (int l = 1; l < net.depth(); l++) {
            s.put("angle_B_WT_" + l, metrics.last("angle_B_WT_" + l));
            s.put("angle_B_JWTJ_" + l, metrics.last("angle_B_JWTJ_" + l));
        }
        double wall = elapsed();
        s.put("wall_time_s", wall);
        s.put("steps_per_s", net.stepCount() / Math.max(wall, 1e-9));
        s.put("provenance", Provenance.of(backend, net.dtype(), net.batch()));
        return s;
    }

    private void writeSummary(Map<String, Object> summary) {
        RunFiles.writeSummary(runDir, summary);
        try {
            exportParameters(runDir.resolve(PARAMETERS));
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

    public ExperimentConfig config() {
        return cfg;
    }

    @Override
    public void close() {
        net.close();
        if (teacher != null) teacher.close();
        backend.close();
    }
}
