package io.cortex4j.run;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.config.Binder;
import io.cortex4j.config.DataSpec;
import io.cortex4j.config.RunSpec;
import io.cortex4j.config.ScheduleSpec;
import io.cortex4j.config.TaskKind;
import io.cortex4j.datasets.Datasets;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.model.EpochMetric;
import io.cortex4j.model.Family;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Backends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one training loop of every family. A run is an {@link Experiment} (family × task ×
 * presentation × backend) and a run directory; {@link #start} checks everything (config, backend,
 * data and its shapes, {@code model.init.from}, probes) and builds the network before anything is
 * written, {@link #run} trains epoch by epoch (each training batch presented by the task, each step
 * through {@link Backend#runRepeated}), and the callbacks guard against divergence, write metrics,
 * plots, probes and checkpoints. {@link #resume} continues a killed run from its checkpoint to the
 * same numbers as an uninterrupted run; {@link #open} loads a run's last checkpoint for evaluation.
 */
public final class Trainer implements AutoCloseable {
    private final Experiment e;
    private final Path dir;
    private final Progress progress;
    /** Whether this process has said that the CPU backend's GEMM kernels are older than the CPU. */
    private static final AtomicBoolean GEMM_WARNED = new AtomicBoolean();

    private final Family<Record, Network> family;
    private final Backend backend;
    private final Network net;
    private final RunContext ctx;
    private final Task task;
    private final MetricsTable metrics;
    private final List<EpochMetric<Network>> familyMetrics;
    private final boolean isolated;
    private final ProbeRecorder probes;
    private final LearningRateSchedule schedule;
    private final List<Callback> callbacks = new ArrayList<>();

    private int epoch;
    private int batchInEpoch;
    private boolean settled;
    private double wallBefore;
    private long sessionStart;
    private long batchesThisSession;
    private long stepsAtSessionStart;
    private int interruptAfterBatches = -1;
    private long lastSave = Long.MIN_VALUE / 2;

    /** The shortest wall time between two epoch-end saves (metrics.csv, plots, checkpoint) of epochs that end quickly. */
    static final double SAVE_INTERVAL_S = 5;

    @SuppressWarnings("unchecked")
    private Trainer(Experiment e, Path dir, Progress progress, TaskData suppliedData) {
        this.e = e;
        this.dir = dir;
        this.progress = progress;
        this.family = (Family<Record, Network>) e.family();
        Record spec = e.spec();
        RunSpec run = e.run();
        try {
            Backends.requireAvailable(run.backend());
        } catch (IllegalArgumentException | IllegalStateException x) {
            throw e.at().error("run.backend", x.getMessage());
        }
        Presentation presentation = presentation(e, family.dt(spec));
        Family.Sizes sizes = family.sizes(spec);
        TaskData data = suppliedData != null ? suppliedData : openData(e, sizes.inputs());
        if (data != null) checkShapes(e, sizes, data, presentation);
        this.backend = Backends.create(run.backend());
        String slowGemm = backend instanceof Nd4jCpuBackend cpu ? cpu.gemmWarning() : null;
        if (slowGemm != null && !GEMM_WARNED.getAndSet(true)) System.err.println("warning: " + slowGemm);
        Network student = null, teacher = null;
        try {
            int batch = e.schedule().batch();
            student = family.build(
                    spec, new Family.Build(backend, run.precision(), batch, run.seed(), e.common(), false));
            if (e.task().name() == TaskKind.TEACHER_STUDENT) {
                teacher = family.buildTeacher(
                        spec, new Family.Build(backend, run.precision(), batch, run.seed(), e.common(), true));
                family.pairWithTeacher(
                        spec,
                        student,
                        teacher,
                        new Family.Build(backend, run.precision(), batch, run.seed(), e.common(), false));
            }
            if (e.model().init().from() != null) ParameterImport.load(e, family, student);
            this.net = student;
            Network t = teacher, st = student;
            Runnable before = t == null
                    ? null
                    : () -> {
                        t.step();
                        backend.copy(t.output(), st.target());
                    };
            this.ctx = new RunContext(e, family, student, teacher, presentation, before);
            this.task = switch (e.task().name()) {
                case CLASSIFICATION -> new Classification(ctx, data);
                case AUTOENCODER -> new Autoencoder(ctx, data);
                case TEACHER_STUDENT -> new TeacherStudent(ctx, data, family.learnedParameters(spec, student));
                case ALIGNMENT -> new Alignment(ctx, data);
            };
            this.familyMetrics = family.epochMetrics(spec, student);
            this.metrics = new MetricsTable(columns());
            this.isolated = run.evaluation() != null
                    ? run.evaluation() == RunSpec.Evaluation.ISOLATED
                    : !family.evaluationCarriesState();
            this.probes = e.probes() == null ? null : new ProbeRecorder(e, student);
            if (probes != null) ctx.stepper.addListener(probes);
            this.schedule = e.optimizer() != null && e.optimizer().plateau() != null && student.optimizer() != null
                    ? new LearningRateSchedule(e.optimizer().plateau(), student.optimizer())
                    : null;
            if (schedule != null && task.evalColumns().indexOf("val_loss") < 0)
                throw e.at().error(
                                "optimizer.plateau", "watches the validation loss, which this task does not measure");
        } catch (RuntimeException x) {
            if (teacher != null) teacher.close();
            if (student != null) student.close();
            backend.close();
            throw x;
        }
    }

    /** The presentation of an experiment: continuous with a signal, streamed with stepsPerSample, else held. */
    static Presentation presentation(Experiment e, double dt) {
        ScheduleSpec s = e.schedule();
        DataSpec d = e.data();
        if (d.signal() != null) {
            if (s.duration() == null)
                throw e.at().error("schedule.duration", "a continuous run (data.signal) needs its duration");
            double log = s.logEvery() != null ? s.logEvery() : s.duration() / 100;
            long settle = Math.round(s.settle() / dt), train = Math.round(s.duration() / dt);
            if (train < 1) throw e.at().error("schedule.duration", "must be ≥ dt (" + dt + ")");
            if (d.signal() instanceof io.cortex4j.config.SignalSpec.Square q
                    && Math.abs(Math.round(q.halfPeriod() / dt) * dt - q.halfPeriod()) > 1e-9 * q.halfPeriod())
                throw e.at().error(
                                "data.signal.halfPeriod",
                                "must be a whole number of steps of dt " + dt + ", got " + q.halfPeriod());
            return new Presentation.Continuous(settle, train, Math.max(1, Math.round(log / dt)));
        }
        if (s.duration() != null)
            throw e.at().error(
                            "schedule.duration",
                            "only continuous runs (data.signal) have a duration; use schedule.epochs");
        if (d.stepsPerSample() != null) return new Presentation.Stream(d.stepsPerSample());
        if (s.presentation() == null)
            throw e.at().error("schedule.presentation", "missing: the time each sample is held");
        if (s.presentation() < dt)
            throw e.at().error(
                            "schedule.presentation", "presentation time " + s.presentation() + " is below dt = " + dt);
        int steps = Math.max(1, (int) Math.round(s.presentation() / dt));
        ScheduleSpec.Readout r = s.readout() == null ? ScheduleSpec.Readout.LAST : s.readout();
        int from = r == ScheduleSpec.Readout.MEAN ? Math.min(steps - 1, (int) Math.floor(s.readoutSkip() * steps)) : 0;
        return new Presentation.Hold(steps, r, from);
    }

    /** The data of the task, limited as configured (null for continuous runs). */
    static TaskData openData(Experiment e, int inputs) {
        DataSpec d = e.data();
        TaskKind kind = e.task().name();
        if (d.signal() != null) {
            if (kind != TaskKind.TEACHER_STUDENT)
                throw e.at().error("data.signal", "a signal drives teacher–student runs only");
            return null;
        }
        Path dataDir = d.dir() == null ? null : Path.of(d.dir());
        long seed = e.run().seed();
        try {
            if (kind == TaskKind.ALIGNMENT || kind == TaskKind.TEACHER_STUDENT) {
                if (!d.name().equals("random-uniform"))
                    throw e.at().error(
                                    "data.name",
                                    "the " + io.cortex4j.config.Binder.word(kind)
                                            + " task presents random inputs: use name: random-uniform");
                InMemoryData train = Datasets.open(
                        "random-uniform", "train", dataDir, seed, Map.of("count", d.size(), "size", inputs));
                InMemoryData held = Datasets.open(
                        "random-uniform",
                        "test",
                        dataDir,
                        seed,
                        Map.of("count", Math.max(1, d.size() / 5), "size", inputs));
                return new TaskData(train, held, held);
            }
            LabeledData train = limit(Datasets.open(d.name(), d.train(), dataDir, seed), d.trainLimit());
            LabeledData val = limit(Datasets.open(d.name(), d.validation(), dataDir, seed), d.evalLimit());
            LabeledData test = d.test().equals(d.validation())
                    ? val
                    : limit(Datasets.open(d.name(), d.test(), dataDir, seed), d.evalLimit());
            return new TaskData(train, val, test);
        } catch (IllegalArgumentException x) {
            throw e.at().error("data", x.getMessage());
        }
    }

    private static LabeledData limit(InMemoryData d, int n) {
        return n <= 0 || n >= d.size() ? d : d.subset(0, n, d.name() + "[:" + n + "]");
    }

    /** data.normalise and data.augment: image data, one value per channel, the tasks and presentation they serve. */
    private static void checkImages(Experiment e, TaskData data, Presentation p) {
        DataSpec d = e.data();
        for (String key : List.of("normalise", "augment")) {
            if ((key.equals("normalise") ? d.normalise() : d.augment()) == null) continue;
            String at = "data." + key;
            if (p instanceof Presentation.Stream)
                throw e.at().error(at, "applies to images held as inputs, not to streamed samples (stepsPerSample)");
            TaskKind kind = e.task().name();
            if (kind != TaskKind.CLASSIFICATION)
                throw e.at().error(at, "applies to the classification task only, not " + Binder.word(kind));
            for (LabeledData l : List.of(data.train(), data.validation(), data.test()))
                if (l.imageShape() == null)
                    throw e.at().error(at, "needs image data, but '" + l.name() + "' is not images");
        }
        DataSpec.Normalise n = d.normalise();
        if (n != null) {
            int channels = data.train().imageShape()[0];
            for (String which : List.of("mean", "std")) {
                double[] v = which.equals("mean") ? n.mean() : n.std();
                if (v.length != channels)
                    throw e.at().error(
                                    "data.normalise." + which,
                                    "needs one value per channel: '"
                                            + data.train().name() + "' has " + channels + ", got " + v.length);
                for (double x : v)
                    if (!Double.isFinite(x) || (which.equals("std") && x <= 0))
                        throw e.at().error(
                                        "data.normalise." + which,
                                        which.equals("std") ? "every std must be > 0, got " + x : "not finite: " + x);
            }
        }
        DataSpec.Augment a = d.augment();
        if (a != null) {
            int[] shape = data.train().imageShape();
            if (a.crop() >= Math.min(shape[1], shape[2]))
                throw e.at().error(
                                "data.augment.crop",
                                "must be smaller than the image (" + shape[1] + "×" + shape[2] + "), got " + a.crop());
        }
    }

    private static void checkShapes(Experiment e, Family.Sizes s, TaskData data, Presentation p) {
        int batch = e.schedule().batch();
        for (LabeledData d : List.of(data.train(), data.validation(), data.test())) {
            if (p instanceof Presentation.Stream) {
                if (s.inputs() != 1)
                    throw e.at().error(
                                    s.inputKey(),
                                    "a streamed sample feeds one value per step, so the network needs 1 input, not "
                                            + s.inputs());
            } else if (d.inputSize() != s.inputs()) {
                throw e.at().error(
                                s.inputKey(),
                                "the network takes " + s.inputs() + " inputs but data '" + d.name() + "' has "
                                        + d.inputSize() + " values per sample");
            }
            switch (e.task().name()) {
                case CLASSIFICATION -> {
                    if (d.numClasses() != s.outputs())
                        throw e.at().error(
                                        s.outputKey(),
                                        "the output layer has " + s.outputs() + " units but data '" + d.name()
                                                + "' has " + d.numClasses() + " classes");
                }
                case AUTOENCODER -> {
                    if (s.outputs() != s.inputs())
                        throw e.at().error(
                                        s.outputKey(),
                                        "an autoencoder's output layer needs as many units as the input (" + s.inputs()
                                                + "), not " + s.outputs());
                }
                default -> {}
            }
        }
        checkImages(e, data, p);
        if (data.train().size() < batch)
            throw e.at().error(
                            "schedule.batch",
                            "batch " + batch + " is larger than the training set ("
                                    + data.train().size() + " samples)");
    }

    /**
     * The metrics columns: position, the task's training and evaluation numbers (training ones marked
     * {@code _nudged} where the read-out carries the target, {@link Network#outputNudged()}), the
     * family's, and wall time.
     */
    private List<String> columns() {
        List<String> c = new ArrayList<>(List.of("epoch", "steps", "time"));
        for (String t : task.trainColumns()) c.add(net.outputNudged() && t.startsWith("train_") ? t + "_nudged" : t);
        c.addAll(task.evalColumns());
        if (net.optimizer() != null) c.add("learning_rate");
        for (EpochMetric<Network> m : familyMetrics) c.addAll(m.columns());
        c.addAll(List.of("wall_s", "samples_per_s", "steps_per_s"));
        return c;
    }

    // ------------------------------------------------------------------------------------ starting

    /**
     * Starts a new run of {@code e} in {@code dir}: everything is checked and built first, then the
     * directory is created with the resolved config; a failed check leaves nothing on disk.
     */
    public static Trainer start(Experiment e, Path dir, Progress progress) {
        return start(e, dir, progress, null);
    }

    /**
     * Starts a run on data the caller supplies (for example read from a DL4J {@code DataSetIterator})
     * instead of {@code data.name}; the config still names the data it describes.
     */
    public static Trainer start(
            Experiment e, Path dir, Progress progress, LabeledData train, LabeledData validation, LabeledData test) {
        return start(e, dir, progress, new TaskData(train, validation, test));
    }

    /**
     * Checks everything {@link #start} checks (backend, data and its shapes, {@code model.init.from},
     * probes) and builds the network, then lets it go: writes nothing.
     */
    public static void check(Experiment e) {
        new Trainer(e, Path.of("."), Progress.silent(), null).close();
    }

    private static Trainer start(Experiment e, Path dir, Progress progress, TaskData data) {
        if (Files.exists(dir.resolve(RunDirectory.CONFIG)))
            throw new RunDirectoryException(
                    dir + " already holds a run; resume it (--resume) or choose another directory");
        Trainer t = new Trainer(e, dir, progress, data);
        try {
            RunDirectory.create(dir, e.toYaml());
        } catch (RuntimeException x) {
            t.close();
            throw x;
        }
        return t;
    }

    /**
     * Continues the run in {@code dir} from its last checkpoint. {@code epochs} (or null) extends or
     * shortens the schedule; it may not end before the epochs already trained.
     */
    public static Trainer resume(Path dir, Progress progress, Integer epochs) {
        Path cfg = requireRun(dir);
        Path ck = dir.resolve(Checkpoint.FILE);
        if (!Files.exists(ck))
            throw new RunDirectoryException(
                    dir + " has no checkpoint to resume from (a run writes one after settling and at every epoch end);"
                            + " start it again with cortex4j train " + cfg);
        List<String> sets = epochs == null ? List.of() : List.of("schedule.epochs=" + epochs);
        Experiment e = Experiment.load(cfg, sets);
        Trainer t = new Trainer(e, dir, progress, null);
        try {
            t.load(ck);
            if (epochs != null) {
                if (epochs < t.epoch)
                    throw new RunDirectoryException("--epochs " + epochs + ": the run in " + dir + " has trained "
                            + t.epoch + " epochs already");
                RunDirectory.write(cfg, e.toYaml());
            }
        } catch (IOException x) {
            t.close();
            throw new UncheckedIOException(x);
        } catch (RuntimeException x) {
            t.close();
            throw x;
        }
        return t;
    }

    /**
     * The run in {@code dir} at its last checkpoint, for evaluation, on {@code backend} (null: the
     * run's own). Its files are not changed. A run without a checkpoint, or whose checkpoint holds no
     * training yet, is an error.
     */
    public static Trainer open(Path dir, String backend) {
        Path cfg = requireRun(dir);
        Path ck = dir.resolve(Checkpoint.FILE);
        if (!Files.exists(ck))
            throw new RunDirectoryException(dir + " has no checkpoint: nothing was trained there yet");
        Experiment e = Experiment.load(cfg, backend == null ? List.of() : List.of("run.backend=" + backend));
        Trainer t = new Trainer(e, dir, Progress.silent(), null);
        try {
            t.load(ck);
        } catch (RuntimeException x) {
            t.close();
            throw x;
        }
        if (t.epoch == 0 && t.batchInEpoch == 0) {
            t.close();
            throw new RunDirectoryException(dir
                    + ": its checkpoint holds no training yet (written after settling); train or resume the run first");
        }
        return t;
    }

    private static Path requireRun(Path dir) {
        if (!Files.isDirectory(dir)) throw new RunDirectoryException(dir + " is not a directory");
        Path cfg = dir.resolve(RunDirectory.CONFIG);
        if (!Files.exists(cfg))
            throw new RunDirectoryException(dir + " is not a run directory (it has no " + RunDirectory.CONFIG + ")");
        return cfg;
    }

    // ------------------------------------------------------------------------------------ the loop

    /** Test hook: stop (as if killed) after this many training batches of this session. */
    public void interruptAfterBatches(int n) {
        interruptAfterBatches = n;
    }

    /** Thrown by the test hook of {@link #interruptAfterBatches}. */
    public static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted by the test hook");
        }
    }

    /** Adds a callback after the built-in ones. */
    public void addCallback(Callback c) {
        callbacks.add(c);
    }

    /** Trains the remaining epochs and writes the results; returns the summary. */
    public Map<String, Object> run() {
        sessionStart = System.nanoTime();
        stepsAtSessionStart = net.steps();
        DivergenceGuard guard = new DivergenceGuard(this);
        Plots plots = new Plots(this);
        for (Callback c : callbacks) c.onRunStart(this);
        if (!settled) {
            task.settle();
            settled = true;
            checkpoint();
        }
        int epochs = task.epochs();
        while (epoch < epochs) {
            int nb = task.batches(epoch);
            if (nb == 0) throw e.at().error("schedule.batch", "the training set holds less than one batch");
            task.startEpoch(epoch);
            long total = 0;
            for (int k = 0; k < epochs; k++) total += task.batches(k);
            for (int b = batchInEpoch; b < nb; b++) {
                task.trainBatch(epoch, b);
                batchInEpoch = b + 1;
                batchesThisSession++;
                if (batchesThisSession % e.run().guardEvery() == 0) guard.checkQuick(batchInEpoch, epoch + 1);
                long done = (long) epoch * nb + batchInEpoch;
                double secs = Math.max(1e-9, (System.nanoTime() - sessionStart) / 1e9);
                double rate = batchesThisSession * (double) task.samplesPerBatch() / secs;
                progress.update(
                        epoch + 1,
                        epochs,
                        done,
                        total,
                        rate,
                        (total - done) * task.samplesPerBatch() / Math.max(rate, 1e-9));
                for (Callback c : callbacks) c.onBatchEnd(this, epoch, b);
                if (e.run().checkpointEvery() > 0 && batchInEpoch % e.run().checkpointEvery() == 0 && batchInEpoch < nb)
                    checkpoint();
                if (interruptAfterBatches >= 0 && batchesThisSession >= interruptAfterBatches) throw new Interrupted();
            }
            epoch++;
            batchInEpoch = 0;
            endEpoch(guard, plots, epochs);
        }
        Map<String, Object> summary = summary();
        RunDirectory.writeJson(dir.resolve(RunDirectory.SUMMARY), summary);
        writeParameters();
        plots.write(true, summaryFinals(summary));
        for (Callback c : callbacks) c.onRunEnd(this, summary);
        return summary;
    }

    private void endEpoch(DivergenceGuard guard, Plots plots, int epochs) {
        guard.checkQuick(batchInEpoch, epoch); // every state tensor is checked before the checkpoint below
        double[] train = task.takeTrainMetrics();
        boolean due = epoch % e.schedule().evalEvery() == 0 || epoch == epochs;
        double[] val = new double[task.evalColumns().size()];
        java.util.Arrays.fill(val, Double.NaN);
        if (due && val.length > 0) val = evaluate(task::evaluate);
        List<Double> row =
                new ArrayList<>(List.of((double) epoch, (double) net.steps(), net.steps() * family.dt(ctx.spec)));
        for (double v : train) row.add(v);
        for (double v : val) row.add(v);
        if (net.optimizer() != null) row.add(net.optimizer().learningRate());
        for (EpochMetric<Network> m : familyMetrics) for (double v : m.compute().apply(net)) row.add(v);
        double wall = elapsed(), secs = Math.max(1e-9, (System.nanoTime() - sessionStart) / 1e9);
        row.add(wall);
        row.add(batchesThisSession * (double) task.samplesPerBatch() / secs);
        row.add((net.steps() - stepsAtSessionStart) / secs);
        double[] r = row.stream().mapToDouble(Double::doubleValue).toArray();
        metrics.add(r);
        if (schedule != null) schedule.observe(metrics.last("val_loss"));
        progress.line(epochLine(r, epochs));
        for (Callback c : callbacks) c.onEpochEnd(this, r);
        // short epochs (a continuous run's report intervals) are saved at most every SAVE_INTERVAL_S; the last always
        long now = System.nanoTime();
        if (epoch == epochs || now - lastSave >= SAVE_INTERVAL_S * 1e9) {
            lastSave = now;
            try {
                metrics.writeCsv(dir.resolve(RunDirectory.METRICS));
            } catch (IOException x) {
                throw new UncheckedIOException("cannot write " + dir.resolve(RunDirectory.METRICS), x);
            }
            plots.write(false, Map.of());
            checkpoint();
        }
    }

    /** Runs an evaluation, on a saved copy of the state when evaluation is isolated. */
    private <T> T evaluate(java.util.function.Supplier<T> eval) {
        if (probes != null) probes.pause(true);
        try {
            if (!isolated) return eval.get();
            try (Snapshot s = new Snapshot(task.networks().values())) {
                T out = eval.get();
                s.restore();
                return out;
            }
        } finally {
            if (probes != null) probes.pause(false);
        }
    }

    private String epochLine(double[] r, int epochs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  t=%s", epoch, epochs, time(r[2])));
        for (int i = 3; i < metrics.columns().size(); i++) {
            String c = metrics.columns().get(i);
            if (Double.isNaN(r[i]) || c.startsWith("wall") || c.endsWith("_per_s") || c.contains("[")) continue;
            if (c.startsWith("angle_B_JWTJ")) continue;
            String label = c.replace("angle_B_WT_", "∠(B,Wᵀ)").replace("angle_B_W_", "∠(B,W)");
            if (c.endsWith("_acc") || c.endsWith("_acc_nudged"))
                b.append(String.format(Locale.ROOT, "  %s %.2f%%", c, 100 * r[i]));
            else if (c.startsWith("angle_")) b.append(String.format(Locale.ROOT, "  %s %.1f°", label, r[i]));
            else b.append(String.format(Locale.ROOT, "  %s %.4g", c, r[i]));
        }
        return b.append("  [").append(Progress.duration(elapsed())).append(']').toString();
    }

    private String time(double t) {
        String unit = family.timeUnit();
        return unit.equals("ms")
                ? String.format(Locale.ROOT, "%.2f s", t / 1000)
                : String.format(Locale.ROOT, "%.6g", t);
    }

    private double elapsed() {
        return wallBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    // ------------------------------------------------------------------------------------ results

    private Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", e.name());
        s.put("family", family.name());
        s.put("task", io.cortex4j.config.Binder.word(e.task().name()));
        s.put("seed", e.run().seed());
        s.put("epochs", epoch);
        s.put("steps", net.steps());
        s.put("time", net.steps() * family.dt(ctx.spec));
        s.put("time_unit", family.timeUnit().isEmpty() ? "dimensionless" : family.timeUnit());
        boolean reuse = (task instanceof Classification c && c.testIsValidation())
                || (task instanceof Autoencoder a && a.testIsValidation());
        if (reuse
                && !metrics.rows().isEmpty()
                && !Double.isNaN(metrics.last(task.evalColumns().get(0)))) {
            for (String c : task.evalColumns()) s.put(c.replace("val_", "test_"), metrics.last(c));
        } else {
            s.putAll(evaluate(task::finish));
        }
        for (String c : metrics.columns()) {
            if (c.startsWith("val_")
                    || c.startsWith("train_")
                    || c.startsWith("angle_")
                    || c.equals("param_rel_error")
                    || c.equals("learning_rate")) s.put(c, metrics.last(c));
        }
        if (metrics.has("val_acc")) {
            double best = Double.NaN;
            for (double v : metrics.column("val_acc"))
                if (!Double.isNaN(v)) best = Double.isNaN(best) ? v : Math.max(best, v);
            s.put("best_val_acc", best);
        }
        s.putAll(task.dataSummary());
        s.putAll(family.summary(ctx.spec, net));
        double wall = elapsed();
        s.put("wall_time_s", wall);
        s.put(
                "steps_per_s",
                (net.steps() - stepsAtSessionStart) / Math.max((System.nanoTime() - sessionStart) / 1e9, 1e-9));
        s.put("run_dir", dir.toString());
        s.put("provenance", Provenance.of(backend, net.dtype(), net.batch()));
        return s;
    }

    private static Map<String, Double> summaryFinals(Map<String, Object> s) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : List.of("test_acc", "test_probe_acc", "test_loss"))
            if (s.get(k) instanceof Double d) m.put(k, d);
        return m;
    }

    private void writeParameters() {
        try {
            Map<String, NpyArray> m = new LinkedHashMap<>();
            for (Map.Entry<String, io.cortex4j.tensor.Tensor> x :
                    net.parameters().entrySet()) m.put(x.getKey(), Checkpoint.array(x.getValue()));
            Npz.write(dir.resolve(RunDirectory.PARAMETERS), m);
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write " + dir.resolve(RunDirectory.PARAMETERS), x);
        }
    }

    /**
     * Evaluates the network as it stands on the validation and the test data, in that order; the
     * values by split name, each {column → value} with the task's evaluation columns.
     */
    public Map<String, Map<String, Double>> evaluateSplits() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        List<String> cols = task.evalColumns();
        if (cols.isEmpty()) return out;
        double[] v = evaluate(task::evaluate);
        Map<String, Double> val = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) val.put(cols.get(i), v[i]);
        out.put("validation", val);
        Map<String, Object> t = evaluate(task::finish);
        Map<String, Double> test = new LinkedHashMap<>();
        for (Map.Entry<String, Object> x : t.entrySet()) if (x.getValue() instanceof Double d) test.put(x.getKey(), d);
        if (!test.isEmpty()) out.put("test", test);
        return out;
    }

    // ------------------------------------------------------------------------------------ checkpoints

    /** Writes everything that evolves, the position in the schedule and the metrics so far, atomically. */
    public void checkpoint() {
        new DivergenceGuard(this).check("a checkpoint at epoch " + epoch + ", batch " + batchInEpoch);
        Map<String, NpyArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, Network> x : task.networks().entrySet())
            Checkpoint.put(m, prefix(x.getKey()), x.getValue());
        Map<String, Double> tr = trainerScalars();
        for (Map.Entry<String, Double> x : tr.entrySet())
            m.put("trainer/" + x.getKey(), Checkpoint.scalar(x.getValue()));
        for (Map.Entry<String, Double> x : task.stateScalars().entrySet())
            m.put("task/" + x.getKey(), Checkpoint.scalar(x.getValue()));
        if (schedule != null)
            for (Map.Entry<String, Double> x : schedule.stateScalars().entrySet())
                m.put("schedule/" + x.getKey(), Checkpoint.scalar(x.getValue()));
        for (String c : metrics.columns())
            m.put(
                    "metrics/" + c,
                    NpyArray.ofDoubles(metrics.column(c), metrics.rows().size()));
        try {
            if (probes != null) probes.write(dir.resolve(RunDirectory.PROBES));
            Checkpoint.write(dir.resolve(Checkpoint.FILE), m);
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write the checkpoint in " + dir, x);
        }
    }

    private static String prefix(String role) {
        return role.isEmpty() ? "network/" : role + "/";
    }

    private Map<String, Double> trainerScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("epoch", (double) epoch);
        m.put("batchInEpoch", (double) batchInEpoch);
        m.put("settled", settled ? 1.0 : 0.0);
        m.put("wall", elapsed());
        m.put("batch", (double) net.batch());
        return m;
    }

    private void load(Path file) {
        Map<String, NpyArray> m = Checkpoint.read(file);
        Set<String> read = new HashSet<>();
        int batch = (int) Checkpoint.scalar(file, m, "trainer/batch");
        if (batch != net.batch()) {
            if (!net.resizable())
                throw new RunDirectoryException(
                        file + ": the checkpoint's batch " + batch + " differs from the config's " + net.batch());
            net.setBatch(batch);
        }
        for (Map.Entry<String, Network> x : task.networks().entrySet()) {
            String p = prefix(x.getKey());
            Network n = x.getValue();
            n.restoreScalars(Checkpoint.load(file, m, p, n));
            for (String k : n.parameters().keySet()) read.add(p + "param/" + k);
            for (String k : n.stateTensors().keySet()) read.add(p + "state/" + k);
            for (String k : n.stateScalars().keySet()) read.add(p + "scalar/" + k);
        }
        for (String k : trainerScalars().keySet()) read.add("trainer/" + k);
        epoch = (int) Checkpoint.scalar(file, m, "trainer/epoch");
        batchInEpoch = (int) Checkpoint.scalar(file, m, "trainer/batchInEpoch");
        settled = Checkpoint.scalar(file, m, "trainer/settled") != 0;
        wallBefore = Checkpoint.scalar(file, m, "trainer/wall");
        Map<String, Double> ts = new LinkedHashMap<>();
        for (String k : task.stateScalars().keySet()) {
            ts.put(k, Checkpoint.scalar(file, m, "task/" + k));
            read.add("task/" + k);
        }
        task.restoreScalars(ts);
        if (schedule != null) {
            Map<String, Double> ss = new LinkedHashMap<>();
            for (String k : schedule.stateScalars().keySet()) {
                ss.put(k, Checkpoint.scalar(file, m, "schedule/" + k));
                read.add("schedule/" + k);
            }
            schedule.restore(ss);
        }
        List<double[]> cols = new ArrayList<>();
        for (String c : metrics.columns()) {
            NpyArray a = m.get("metrics/" + c);
            if (a == null)
                throw new RunDirectoryException(file + ": the checkpoint lacks the metrics column '" + c + "'");
            cols.add(a.data());
            read.add("metrics/" + c);
        }
        metrics.restore(cols);
        Checkpoint.requireOnly(file, m, read);
        if (probes != null) probes.resume(dir.resolve(RunDirectory.PROBES), net.steps());
    }

    // ------------------------------------------------------------------------------------ access

    public Experiment experiment() {
        return e;
    }

    public Network network() {
        return net;
    }

    /** The teacher of a teacher–student run, else null. */
    public Network teacher() {
        return ctx.teacher;
    }

    public MetricsTable metrics() {
        return metrics;
    }

    public Path dir() {
        return dir;
    }

    public Task task() {
        return task;
    }

    /** Epochs completed. */
    public int epoch() {
        return epoch;
    }

    Family<Record, Network> family() {
        return family;
    }

    Map<String, Double> reference() {
        return task instanceof TeacherStudent ts ? ts.reference() : Map.of();
    }

    /** Whether the run's evaluation works on a saved copy of the state. */
    public boolean isolatedEvaluation() {
        return isolated;
    }

    @Override
    public void close() {
        task.close();
        ctx.close();
        net.close();
        backend.close();
    }
}
