package io.cortex4j.train;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.GleExperimentConfig;
import io.cortex4j.datasets.TemporalSignal;
import io.cortex4j.io.Npz;
import io.cortex4j.model.gle.GleLayerSpec;
import io.cortex4j.model.gle.GleNetwork;
import io.cortex4j.model.gle.GleParams;
import io.cortex4j.optim.Adam;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.optim.SgdMomentum;
import io.cortex4j.plot.LinePlot;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Backends;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A GLE teacher–student run on a temporal input stream (LagLine, LagNet; specs/gle.md §6.1–6.2):
 * the teacher, a GLE network of the same architecture with the configured parameters, produces the
 * target at every Euler step; the student learns its plastic layers online, one optimizer step per
 * dt, after the settling time. Writes {@code config.yaml}, {@code metrics.csv} (time, the loss
 * ½‖y_teacher − y_student‖² averaged over each logging interval, the largest relative error of the
 * plastic parameters, and the values of small parameter tensors), {@code parameters.png},
 * {@code loss.png}, {@code summary.json} and {@code parameters.npz}.
 */
public final class GleMimicExperiment implements AutoCloseable {
    /** Parameter tensors up to this size get their own metrics columns. */
    private static final int TRACKED = 8;

    private final GleExperimentConfig cfg;
    private final Path runDir;
    private final Progress progress;
    private final Backend backend;
    private final GleNetwork teacher, student;
    private final Optimizer optimizer;
    private final List<String> plasticNames = new ArrayList<>();
    private final MetricsTable metrics;

    private GleMimicExperiment(GleExperimentConfig cfg, Path runDir, Progress progress) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.progress = progress;
        this.backend = Backends.create(cfg.run().backend());
        GleParams sp = cfg.model();
        GleExperimentConfig.Mimic m = cfg.mimic();
        int batch = cfg.schedule().batch();
        long seed = cfg.run().seed();
        // the teacher: the model with the teacher's τm, never learning
        List<GleLayerSpec> tl = new ArrayList<>();
        for (int l = 0; l < sp.layers().size(); l++) {
            GleLayerSpec s = sp.layers().get(l);
            tl.add(
                    m.teacherTauM() == null
                            ? s
                            : new GleLayerSpec(s.units(), s.activation(), m.teacherTauM()[l], s.tauR(), s.bias()));
        }
        GleParams tp = new GleParams(
                sp.inputSize(),
                tl,
                sp.dt(),
                sp.gamma(),
                sp.beta(),
                sp.prospectiveErrors(),
                sp.loss(),
                sp.feedback(),
                false,
                sp.tauMin(),
                sp.tauMax());
        teacher = new GleNetwork(tp, backend, cfg.run().precision(), batch, seed);
        teacher.setLearning(false);
        student = new GleNetwork(sp, backend, cfg.run().precision(), batch, seed + 1);
        boolean[] plastic = new boolean[sp.layers().size()];
        for (int l : m.plastic()) plastic[l] = true;
        CounterRandom rng = new CounterRandom(seed);
        for (int l = 0; l < plastic.length; l++) {
            backend.copyFromHost(m.teacherWeights()[l], teacher.weights(l));
            if (m.teacherBiases() != null && teacher.bias(l) != null)
                backend.copyFromHost(m.teacherBiases()[l], teacher.bias(l));
            if (!plastic[l]) { // frozen at the teacher's values
                backend.copy(teacher.weights(l), student.weights(l));
                if (student.bias(l) != null) backend.copy(teacher.bias(l), student.bias(l));
                backend.copy(teacher.tauM(l), student.tauM(l));
                continue;
            }
            if (m.initWeights() != null)
                backend.copyFromHost(
                        uniform(rng, 5000 + 16 * l, (int) student.weights(l).length(), m.initWeights(), 0),
                        student.weights(l));
            if (m.initTauM() != null)
                backend.copyFromHost(
                        uniform(rng, 5001 + 16 * l, (int) student.tauM(l).length(), m.initTauM(), sp.tauMin()),
                        student.tauM(l));
        }
        List<Optimizer.Slot> slots = new ArrayList<>();
        for (Optimizer.Slot s : student.slots()) {
            int l = Integer.parseInt(s.name().substring(5, s.name().indexOf('.')));
            if (plastic[l]) {
                slots.add(s);
                plasticNames.add(s.name());
            }
        }
        GleExperimentConfig.OptimizerSpec o = cfg.optimizer();
        optimizer = o.name().equals("adam")
                ? new Adam(backend, slots, o.learningRate(), o.beta1(), o.beta2(), o.eps())
                : new SgdMomentum(backend, slots, o.learningRate(), o.momentum());
        student.setOptimizer(optimizer);
        student.setTargetOn(true);
        List<String> cols = new ArrayList<>(List.of("time", "loss", "param_rel_error"));
        for (String n : plasticNames) {
            Tensor t = student.parameters().get(n);
            if (t.length() <= TRACKED) for (int i = 0; i < t.length(); i++) cols.add(n + "[" + i + "]");
        }
        metrics = new MetricsTable(cols);
    }

    private static double[] uniform(CounterRandom rng, int stream, int n, double[] range, double floor) {
        double[] x = new double[n];
        rng.uniforms(stream, 0, x, 0, n);
        for (int i = 0; i < n; i++) x[i] = Math.max(floor, range[0] + (range[1] - range[0]) * x[i]);
        return x;
    }

    /** Starts a new run in {@code runDir} (created; must not hold a run already). */
    public static GleMimicExperiment create(GleExperimentConfig cfg, Path runDir, Progress progress) {
        RunFiles.requireNew(runDir, false);
        GleMimicExperiment e = new GleMimicExperiment(cfg, runDir, progress);
        RunFiles.writeConfig(runDir, cfg.toYaml());
        return e;
    }

    private TemporalSignal signal() {
        GleExperimentConfig.Signal s = cfg.signal();
        int batch = cfg.schedule().batch();
        double dt = cfg.model().dt();
        long seed = cfg.run().seed();
        return switch (s.type()) {
            case "square" -> TemporalSignal.square(s.halfPeriod(), dt, s.smoothSteps(), batch, seed);
            case "sines" -> TemporalSignal.sines(dt, batch, s.omegas());
            default -> TemporalSignal.ou(s.tau(), s.sigma(), dt, batch, 1, seed);
        };
    }

    /** Runs the whole stream and writes the results; returns the summary. */
    public Map<String, Object> run() {
        long start = System.nanoTime();
        double dt = cfg.model().dt();
        int batch = cfg.schedule().batch(), nOut = cfg.model().outputSize();
        long settle = Math.round(cfg.schedule().settle() / dt),
                total = settle + Math.round(cfg.schedule().duration() / dt);
        long logSteps = Math.max(1, Math.round(cfg.schedule().logEvery() / dt));
        TemporalSignal x = signal();
        double[] in = new double[batch], y = new double[batch * nOut], o = new double[batch * nOut];
        double lossSum = 0;
        long lossN = 0;
        Tensor[] stepped = new Tensor[2];
        Runnable step = () -> {
            stepped[0] = teacher.step();
            backend.copy(stepped[0], student.target());
            stepped[1] = student.step();
        };
        for (long k = 0; k < total; k++) {
            x.fill(k, in);
            backend.copyFromHost(in, teacher.input());
            backend.copyFromHost(in, student.input());
            student.setLearning(k >= settle);
            backend.runRepeated(step);
            Tensor target = stepped[0], out = stepped[1];
            backend.copyToHost(target, y);
            backend.copyToHost(out, o);
            double l = 0;
            for (int i = 0; i < y.length; i++) l += 0.5 * (y[i] - o[i]) * (y[i] - o[i]);
            lossSum += l / batch;
            lossN++;
            if ((k + 1) % logSteps == 0 || k == total - 1) {
                log((k + 1) * dt, lossSum / lossN);
                lossSum = 0;
                lossN = 0;
                double frac = (k + 1.0) / total, secs = (System.nanoTime() - start) / 1e9;
                progress.update(1, 1, k + 1, total, (k + 1) / Math.max(secs, 1e-9), secs / frac - secs);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        progress.line(String.format(
                Locale.ROOT,
                "t = %.0f: loss %.3g, largest relative parameter error %.3g [%s]",
                total * dt,
                metrics.last("loss"),
                metrics.last("param_rel_error"),
                Progress.duration(wall)));
        Map<String, Object> s = summary(total, wall);
        write(s);
        return s;
    }

    private void log(double time, double loss) {
        if (!Double.isFinite(loss)) {
            throw new ConfigException("the run diverged at t = " + time
                    + ": the student's output is not finite; lower optimizer.learningRate");
        }
        double[] row = new double[metrics.columns().size()];
        row[0] = time;
        row[1] = loss;
        row[2] = relativeError();
        int c = 3;
        for (String n : plasticNames) {
            Tensor t = student.parameters().get(n);
            if (t.length() > TRACKED) continue;
            for (double v : t.toHost()) row[c++] = v;
        }
        metrics.add(row);
    }

    /** max_i |θ_i − θ*_i| / |θ*_i| over the student's plastic parameters θ and the teacher's θ*. */
    public double relativeError() {
        double worst = 0;
        Map<String, Tensor> sp = student.parameters(), tp = teacher.parameters();
        for (String n : plasticNames) {
            double[] a = sp.get(n).toHost(), b = tp.get(n).toHost();
            for (int i = 0; i < a.length; i++)
                worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
        }
        return worst;
    }

    private Map<String, Object> summary(long steps, double wall) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cfg.name());
        s.put("family", "gle");
        s.put("task", "mimic");
        s.put("errors", cfg.model().prospectiveErrors() ? "prospective" : "instantaneous");
        s.put("seed", cfg.run().seed());
        s.put("steps", steps);
        s.put("final_loss", metrics.last("loss"));
        s.put("param_rel_error", metrics.last("param_rel_error"));
        Map<String, Object> learned = new LinkedHashMap<>(), target = new LinkedHashMap<>();
        for (String n : plasticNames) {
            learned.put(n, student.parameters().get(n).toHost());
            target.put(n, teacher.parameters().get(n).toHost());
        }
        s.put("student", learned);
        s.put("teacher", target);
        s.put("wall_time_s", wall);
        s.put("steps_per_s", steps / Math.max(wall, 1e-9));
        s.put("provenance", Provenance.of(backend, student.dtype(), student.batch()));
        return s;
    }

    private void write(Map<String, Object> summary) {
        try {
            metrics.writeCsv(runDir.resolve(MicrocircuitExperiment.METRICS));
            double[] t = metrics.column("time");
            if (io.cortex4j.plot.Plotting.available()) plot(t);
            RunFiles.writeSummary(runDir, summary);
            Npz.write(runDir.resolve(MicrocircuitExperiment.PARAMETERS), ParameterFiles.toArrays(student.parameters()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void plot(double[] t) throws java.io.IOException {
        new LinePlot()
                .title(cfg.name() + " (seed " + cfg.run().seed() + ")")
                .xLabel("time")
                .yLabel("loss")
                .addSeries("loss", t, metrics.column("loss"))
                .write(runDir.resolve("loss.png"));
        LinePlot p = new LinePlot()
                .title(cfg.name() + ": student parameters (seed " + cfg.run().seed() + ")")
                .xLabel("time")
                .yLabel("value");
        boolean any = false;
        for (String c : metrics.columns()) {
            if (c.contains("[")) {
                p.addSeries(c, t, metrics.column(c));
                any = true;
            }
        }
        if (any) p.write(runDir.resolve("parameters.png"));
    }

    public GleNetwork student() {
        return student;
    }

    public GleNetwork teacher() {
        return teacher;
    }

    public MetricsTable metrics() {
        return metrics;
    }

    @Override
    public void close() {
        teacher.close();
        student.close();
        backend.close();
    }
}
