package io.cortex4j.config;

import io.cortex4j.model.gle.GleLayerSpec;
import io.cortex4j.model.gle.GleParams;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An experiment with a Generalized Latent Equilibrium network ({@code model.family: gle},
 * specs/gle.md), in the paper's dimensionless time units. The {@code mimic} task is a
 * teacher–student run on a temporal input stream (LagLine §6.1, LagNet §6.2): a teacher network of
 * the same architecture with given parameters produces the target at every Euler step, and the
 * student learns its plastic layers online.
 *
 * <pre>
 * name: gle-lagline
 * task: mimic
 * model:
 *   family: gle
 *   input: 1
 *   dt: 0.01
 *   gamma: 1.0                 # error nudging of the membranes
 *   beta: 0.01
 *   errors: prospective        # or instantaneous ("bp" in the paper's LagLine comparison)
 *   loss: mse                  # or cross-entropy (linear output)
 *   feedback: bp               # weight transport, or fa (fixed random feedback)
 *   learnTauM: true
 *   tauClamp: [0.1, 100]       # bounds of learned τm
 *   layers:
 *     - {units: 1, activation: softplus, tauM: 1.0, tauR: 0.1, bias: false}
 *     - {units: 53, activation: tanh, groups: [{units: 18, tauM: 0.6, tauR: 0.2}, ...]}
 * teacher: {weights: [[1.0], [2.0]], tauM: [[1.0], [2.0]]}     # per layer; biases: [[..], ..] if the layers have bias
 * student: {plastic: [0, 1], init: {weights: [0, 1], tauM: [0, 1]}}
 * signal: {type: square, halfPeriod: 2.0, smoothSteps: 5}     # or {type: sines, omegas: [..]} or {type: ou, tau: 1, sigma: 1}
 * optimizer: {name: adam, learningRate: 1e-4}                 # or {name: sgd, learningRate: .., momentum: 0.9}
 * schedule: {batch: 100, settle: 50, duration: 4000, logEvery: 10}   # time units
 * run: {seed: 1}
 * </pre>
 */
public record GleExperimentConfig(
        String name,
        Task task,
        GleParams model,
        Mimic mimic,
        Signal signal,
        Classification classification,
        OptimizerSpec optimizer,
        Schedule schedule,
        ExperimentConfig.Run run,
        String sourceText) {

    public enum Task {
        /** Teacher–student on a temporal signal (mimic, signal and schedule are set). */
        MIMIC,
        /** Streamed sequence classification, e.g. MNIST-1D (classification is set). */
        CLASSIFICATION
    }

    /**
     * A streamed classification run (§6.3, §7): every sample (standardised over the training set if
     * asked) is linearly interpolated to {@code stepsPerSample} points and fed one point per Euler
     * step to a batch of streams, with the label error at every step; the prediction is the argmax of
     * the time-summed outputs. The state carries over between samples, batches and train/test.
     */
    public record Classification(
            String data,
            String dataDir,
            String trainSplit,
            String testSplit,
            int trainLimit,
            int evalLimit,
            int stepsPerSample,
            boolean standardise,
            int epochs,
            int batch,
            int evalBatch,
            Plateau plateau) {}

    /** Reduce-on-plateau of the learning rate on the test loss (null: constant rate). */
    public record Plateau(double factor, int patience, double threshold) {}

    /**
     * The teacher's parameters (per layer, W row-major [out × in]; biases and τm optional, else the
     * model's), the layers the student learns (the others take the teacher's values), and the
     * uniform ranges the student's plastic weights and τm are drawn from (null: the default init,
     * U(±1/√fan_in) weights and the model's τm).
     */
    public record Mimic(
            double[][] teacherWeights,
            double[][] teacherBiases,
            double[][] teacherTauM,
            int[] plastic,
            double[] initWeights,
            double[] initTauM) {}

    public record Signal(
            String type, double halfPeriod, double smoothSteps, double[] omegas, double tau, double sigma) {}

    public record OptimizerSpec(
            String name,
            double learningRate,
            double beta1,
            double beta2,
            double eps,
            double momentum,
            Plateau plateau) {}

    /** Batch (parallel input streams), settling time without learning, training time, logging interval: all in time units but the batch. */
    public record Schedule(int batch, double settle, double duration, double logEvery) {}

    public static GleExperimentConfig load(Path file) {
        try {
            return parse(OldConfigNode.load(file), java.nio.file.Files.readString(file));
        } catch (java.io.IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static GleExperimentConfig parse(String yaml, String fileName) {
        return parse(OldConfigNode.parse(yaml, fileName), yaml);
    }

    private static GleExperimentConfig parse(OldConfigNode root, String text) {
        root.keys("name", "task", "model", "teacher", "student", "signal", "data", "optimizer", "schedule", "run");
        String name = root.string("name", "experiment");
        if (!name.matches("[A-Za-z0-9._-]+"))
            throw root.error("name", "use letters, digits, '.', '_' and '-' only (it names the run directory)");
        String taskWord = root.string("task", "mimic").toLowerCase(Locale.ROOT);
        if (!taskWord.equals("mimic") && !taskWord.equals("classification"))
            throw root.error("task", "unknown task for a GLE network (use mimic or classification)");

        GleParams model = model(root.section("model"));
        int nl = model.layers().size();
        if (taskWord.equals("classification")) return classification(root, text, name, model);

        OldConfigNode t = root.section("teacher").keys("weights", "biases", "tauM");
        double[][] tw = t.numberLists("weights");
        if (tw.length != nl) throw t.error("weights", "needs one list per layer (" + nl + "), got " + tw.length);
        for (int l = 0; l < nl; l++) {
            int want = model.layers().get(l).units() * model.inputSizeOf(l);
            if (tw[l].length != want)
                throw t.error(
                        "weights",
                        "layer " + l + " needs " + want + " weights (out × in, row-major), got " + tw[l].length);
        }
        double[][] tb = t.has("biases") ? t.numberLists("biases") : null;
        if (tb != null) {
            if (tb.length != nl) throw t.error("biases", "needs one list per layer (" + nl + ")");
            for (int l = 0; l < nl; l++) {
                GleLayerSpec s = model.layers().get(l);
                if (tb[l].length != (s.bias() ? s.units() : 0))
                    throw t.error("biases", "layer " + l + " needs " + (s.bias() ? s.units() : 0) + " biases");
            }
        } else {
            for (GleLayerSpec s : model.layers())
                if (s.bias()) throw t.error("biases", "missing: the layers have biases, so the teacher needs them");
        }
        double[][] tt = t.has("tauM") ? t.numberLists("tauM") : null;
        if (tt != null) {
            if (tt.length != nl) throw t.error("tauM", "needs one list per layer (" + nl + ")");
            for (int l = 0; l < nl; l++) {
                if (tt[l].length != model.layers().get(l).units())
                    throw t.error(
                            "tauM",
                            "layer " + l + " needs " + model.layers().get(l).units() + " values");
                for (double v : tt[l])
                    if (v < model.dt()) throw t.error("tauM", "τm " + v + " is below dt " + model.dt());
            }
        }

        OldConfigNode st = root.optSection("student").keys("plastic", "init");
        int[] plastic;
        if (st.has("plastic")) {
            double[] p = st.numberList("plastic");
            plastic = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                if (p[i] != Math.rint(p[i]) || p[i] < 0 || p[i] >= nl)
                    throw st.error("plastic", "layer indices 0.." + (nl - 1) + ", got " + Arrays.toString(p));
                plastic[i] = (int) p[i];
            }
        } else {
            plastic = new int[nl];
            for (int l = 0; l < nl; l++) plastic[l] = l;
        }
        OldConfigNode init = st.optSection("init").keys("weights", "tauM");
        double[] iw = init.has("weights") ? range(init, "weights") : null,
                it = init.has("tauM") ? range(init, "tauM") : null;
        if (it != null && !model.learnTauM())
            throw init.error("tauM", "drawing τm at random needs model.learnTauM: true");

        OldConfigNode sg = root.section("signal").keys("type", "halfPeriod", "smoothSteps", "omegas", "tau", "sigma");
        String type = sg.string("type").toLowerCase(Locale.ROOT);
        Signal signal = switch (type) {
            case "square" -> {
                double hp = sg.number("halfPeriod");
                if (!(hp > 0)) throw sg.error("halfPeriod", "must be > 0");
                if (Math.abs(Math.round(hp / model.dt()) * model.dt() - hp) > 1e-9 * hp) {
                    throw sg.error("halfPeriod", "must be a whole number of steps of dt " + model.dt());
                }
                double sm = sg.number("smoothSteps", 0);
                if (sm < 0) throw sg.error("smoothSteps", "must be ≥ 0");
                yield new Signal(type, hp, sm, null, 0, 0);
            }
            case "sines" -> new Signal(type, 0, 0, sg.numberList("omegas"), 0, 0);
            case "ou" -> {
                double tau = sg.number("tau", 1.0), sigma = sg.number("sigma", 1.0);
                if (!(tau > 0) || sigma < 0) throw sg.error("tau", "need tau > 0 and sigma ≥ 0");
                yield new Signal(type, 0, 0, null, tau, sigma);
            }
            default -> throw sg.error("type", "unknown signal '" + type + "' (use square, sines or ou)");
        };
        if (model.inputSize() != 1)
            throw root.section("model").error("input", "the mimic signals have one channel; use input: 1");

        OptimizerSpec opt = optimizer(root.section("optimizer"));
        if (opt.plateau() != null)
            throw root.section("optimizer").error("plateau", "mimic runs have no evaluations to watch; remove plateau");

        OldConfigNode s = root.section("schedule").keys("batch", "settle", "duration", "logEvery");
        long batch = s.integer("batch", 1);
        if (batch < 1) throw s.error("batch", "must be ≥ 1");
        double settle = s.number("settle", 0),
                duration = s.number("duration"),
                logEvery = s.number("logEvery", duration / 100);
        if (settle < 0) throw s.error("settle", "must be ≥ 0");
        if (!(duration >= model.dt())) throw s.error("duration", "must be ≥ dt");
        if (!(logEvery >= model.dt())) throw s.error("logEvery", "must be ≥ dt");

        ExperimentConfig.Run run = run(root.optSection("run"));
        root.finish();
        return new GleExperimentConfig(
                name,
                Task.MIMIC,
                model,
                new Mimic(tw, tb, tt, plastic, iw, it),
                signal,
                null,
                opt,
                new Schedule((int) batch, settle, duration, logEvery),
                run,
                text);
    }

    private static GleExperimentConfig classification(OldConfigNode root, String text, String name, GleParams model) {
        for (String k : new String[] {"teacher", "student", "signal"})
            if (root.has(k)) throw root.error(k, "only mimic runs have " + k);
        OldConfigNode d = root.section("data")
                .keys("name", "dir", "train", "test", "trainLimit", "evalLimit", "stepsPerSample", "standardise");
        long steps = d.integer("stepsPerSample", 0);
        if (steps < 2)
            throw d.error("stepsPerSample", "missing or < 2: each sample is interpolated to this many Euler steps");
        long trainLimit = d.integer("trainLimit", 0), evalLimit = d.integer("evalLimit", 0);
        if (trainLimit < 0) throw d.error("trainLimit", "must be ≥ 0");
        if (evalLimit < 0) throw d.error("evalLimit", "must be ≥ 0");
        if (model.inputSize() != 1)
            throw root.section("model").error("input", "a streamed sample feeds one value per step; use input: 1");
        OptimizerSpec opt = optimizer(root.section("optimizer"));
        OldConfigNode s = root.section("schedule").keys("epochs", "batch", "evalBatch");
        long epochs = s.integer("epochs", 1),
                batch = s.integer("batch", 100),
                evalBatch = s.integer("evalBatch", batch);
        if (epochs < 1) throw s.error("epochs", "must be ≥ 1");
        if (batch < 1) throw s.error("batch", "must be ≥ 1");
        if (evalBatch < 1) throw s.error("evalBatch", "must be ≥ 1");
        Classification cl = new Classification(
                d.string("name"),
                d.string("dir", null),
                d.string("train", "train"),
                d.string("test", "test"),
                (int) trainLimit,
                (int) evalLimit,
                (int) steps,
                d.bool("standardise", true),
                (int) epochs,
                (int) batch,
                (int) evalBatch,
                opt.plateau());
        ExperimentConfig.Run run = run(root.optSection("run"));
        root.finish();
        return new GleExperimentConfig(name, Task.CLASSIFICATION, model, null, null, cl, opt, null, run, text);
    }

    static GleParams model(OldConfigNode m) {
        m.keys(
                "family",
                "units",
                "input",
                "dt",
                "gamma",
                "beta",
                "errors",
                "loss",
                "feedback",
                "learnTauM",
                "tauClamp",
                "layers");
        if (!m.string("family").equals("gle")) throw m.error("family", "expected gle here");
        if (!m.string("units", "dimensionless").equals("dimensionless"))
            throw m.error("units", "GLE networks use the paper's dimensionless time units");
        long in = m.integer("input", 0);
        if (in < 1) throw m.error("input", "missing or < 1: the number of input channels");
        double dt = m.number("dt", 0.1);
        if (!(dt > 0)) throw m.error("dt", "must be > 0, got " + dt);
        double gamma = m.number("gamma", 0.0), beta = m.number("beta", 1.0);
        if (beta < 0) throw m.error("beta", "must be ≥ 0");
        String errors = m.string("errors", "prospective");
        if (!errors.equals("prospective") && !errors.equals("instantaneous"))
            throw m.error("errors", "use prospective or instantaneous");
        GleParams.Loss loss = switch (m.string("loss", "mse").toLowerCase(Locale.ROOT)) {
            case "mse" -> GleParams.Loss.MSE;
            case "cross-entropy", "ce" -> GleParams.Loss.CROSS_ENTROPY;
            default -> throw m.error("loss", "use mse or cross-entropy");
        };
        GleParams.Feedback fb = switch (m.string("feedback", "bp").toLowerCase(Locale.ROOT)) {
            case "bp" -> GleParams.Feedback.TRANSPOSE;
            case "fa" -> GleParams.Feedback.FIXED_RANDOM;
            default -> throw m.error("feedback", "use bp (weight transport) or fa (fixed random feedback)");
        };
        boolean learnTau = m.bool("learnTauM", false);
        double[] clamp = m.numbers("tauClamp", 2, new double[] {Math.max(dt, 0.0), 100});
        if (!(clamp[0] >= dt) || !(clamp[1] >= clamp[0]))
            throw m.error("tauClamp", "need dt ≤ lower ≤ upper, got " + Arrays.toString(clamp));
        List<GleLayerSpec> layers = new ArrayList<>();
        for (OldConfigNode l : m.sectionList("layers")) layers.add(layer(l));
        try {
            return new GleParams(
                    (int) in,
                    layers,
                    dt,
                    gamma,
                    beta,
                    errors.equals("prospective"),
                    loss,
                    fb,
                    learnTau,
                    clamp[0],
                    clamp[1]);
        } catch (IllegalArgumentException e) {
            throw m.error("layers", e.getMessage());
        }
    }

    private static GleLayerSpec layer(OldConfigNode l) {
        l.keys("units", "activation", "tauM", "tauR", "groups", "bias");
        long units = l.integer("units", 0);
        if (units < 1) throw l.error("units", "missing or < 1");
        Activation act;
        try {
            act = Activation.parse(l.string("activation", "linear"));
        } catch (IllegalArgumentException e) {
            throw l.error("activation", e.getMessage());
        }
        int n = (int) units;
        double[] tm, tr;
        if (l.has("groups")) {
            if (l.has("tauM") || l.has("tauR")) throw l.error("groups", "give either groups or tauM/tauR");
            tm = new double[n];
            tr = new double[n];
            int at = 0;
            for (OldConfigNode g : l.sectionList("groups")) {
                g.keys("units", "tauM", "tauR");
                long k = g.integer("units", 0);
                if (k < 1) throw g.error("units", "missing or < 1");
                double m = g.number("tauM"), r = g.number("tauR");
                if (at + k > n) throw l.error("groups", "the groups hold more than the layer's " + n + " units");
                Arrays.fill(tm, at, at + (int) k, m);
                Arrays.fill(tr, at, at + (int) k, r);
                at += (int) k;
            }
            if (at != n) throw l.error("groups", "the groups hold " + at + " units, the layer " + n);
        } else {
            tm = l.numbers("tauM", n, null);
            if (tm == null) throw l.error("tauM", "missing (a number, one per unit, or use groups)");
            tr = l.numbers("tauR", n, tm);
        }
        try {
            return new GleLayerSpec(n, act, tm, tr, l.bool("bias", true));
        } catch (IllegalArgumentException e) {
            throw l.error("units", e.getMessage());
        }
    }

    static OptimizerSpec optimizer(OldConfigNode o) {
        o.keys("name", "learningRate", "betas", "eps", "momentum", "plateau");
        String name = o.string("name").toLowerCase(Locale.ROOT);
        double lr = o.number("learningRate");
        if (!(lr >= 0)) throw o.error("learningRate", "must be ≥ 0");
        Plateau plateau = null;
        if (o.has("plateau")) {
            OldConfigNode p = o.section("plateau").keys("factor", "patience", "threshold");
            double f = p.number("factor", 0.1), th = p.number("threshold", 1e-4);
            long pat = p.integer("patience", 10);
            if (!(f > 0 && f < 1)) throw p.error("factor", "must lie in (0, 1)");
            if (pat < 0) throw p.error("patience", "must be ≥ 0");
            if (th < 0) throw p.error("threshold", "must be ≥ 0");
            plateau = new Plateau(f, (int) pat, th);
        }
        return switch (name) {
            case "adam" -> {
                double[] b = o.numbers("betas", 2, new double[] {0.9, 0.999});
                if (!(b[0] >= 0 && b[0] < 1 && b[1] >= 0 && b[1] < 1)) throw o.error("betas", "must lie in [0, 1)");
                double eps = o.number("eps", 1e-8);
                if (!(eps > 0)) throw o.error("eps", "must be > 0");
                if (o.has("momentum")) throw o.error("momentum", "Adam has betas, not momentum");
                yield new OptimizerSpec(name, lr, b[0], b[1], eps, 0, plateau);
            }
            case "sgd" -> {
                double mom = o.number("momentum", 0.0);
                if (!(mom >= 0 && mom < 1)) throw o.error("momentum", "must lie in [0, 1)");
                if (o.has("betas") || o.has("eps"))
                    throw o.error(o.has("betas") ? "betas" : "eps", "only Adam has this");
                yield new OptimizerSpec(name, lr, 0, 0, 0, mom, plateau);
            }
            default -> throw o.error("name", "unknown optimizer '" + name + "' (use adam or sgd)");
        };
    }

    static ExperimentConfig.Run run(OldConfigNode rn) {
        rn.keys("seed", "backend", "precision", "checkpointEvery", "out");
        DType precision;
        try {
            precision = DType.parse(rn.string("precision", "float32"));
        } catch (IllegalArgumentException e) {
            throw rn.error("precision", e.getMessage());
        }
        long ck = rn.integer("checkpointEvery", 0);
        if (ck < 0) throw rn.error("checkpointEvery", "must be ≥ 0");
        return new ExperimentConfig.Run(
                rn.integer("seed", 1), rn.string("backend", "cpu"), precision, (int) ck, rn.string("out", "runs"));
    }

    private static double[] range(OldConfigNode c, String key) {
        double[] r = c.numbers(key, 2, null);
        if (!(r[1] >= r[0])) throw c.error(key, "a range [low, high] with low ≤ high, got " + Arrays.toString(r));
        return r;
    }

    /** A copy with another number of epochs (classification runs; the command line's --epochs). */
    public GleExperimentConfig withEpochs(int epochs) {
        if (classification == null)
            throw new IllegalArgumentException(
                    "--epochs applies to GLE classification runs only (mimic runs have schedule.duration)");
        Classification k = classification;
        return new GleExperimentConfig(
                name,
                task,
                model,
                mimic,
                signal,
                new Classification(
                        k.data(),
                        k.dataDir(),
                        k.trainSplit(),
                        k.testSplit(),
                        k.trainLimit(),
                        k.evalLimit(),
                        k.stepsPerSample(),
                        k.standardise(),
                        epochs,
                        k.batch(),
                        k.evalBatch(),
                        k.plateau()),
                optimizer,
                schedule,
                run,
                sourceText);
    }

    public GleExperimentConfig withSeed(long seed) {
        return withRun(run.withSeed(seed));
    }

    public GleExperimentConfig withBackend(String backend) {
        return withRun(run.withBackend(backend));
    }

    private GleExperimentConfig withRun(ExperimentConfig.Run r) {
        return new GleExperimentConfig(
                name, task, model, mimic, signal, classification, optimizer, schedule, r, sourceText);
    }

    /** The resolved config as YAML: every value, defaults included; parsing it gives an equal config. */
    public String toYaml() {
        GleParams p = model;
        StringBuilder y =
                new StringBuilder("# resolved config of run '").append(name).append("' (all defaults filled in)\n");
        y.append("name: ")
                .append(name)
                .append("\ntask: ")
                .append(task.name().toLowerCase(Locale.ROOT))
                .append("\nmodel:\n  family: gle\n  units: dimensionless\n  input: ")
                .append(p.inputSize())
                .append("\n  dt: ")
                .append(p.dt())
                .append("\n  gamma: ")
                .append(p.gamma())
                .append("\n  beta: ")
                .append(p.beta())
                .append("\n  errors: ")
                .append(p.prospectiveErrors() ? "prospective" : "instantaneous")
                .append("\n  loss: ")
                .append(p.loss().word())
                .append("\n  feedback: ")
                .append(p.feedback().word())
                .append("\n  learnTauM: ")
                .append(p.learnTauM())
                .append("\n  tauClamp: [")
                .append(p.tauMin())
                .append(", ")
                .append(p.tauMax())
                .append("]\n  layers:\n");
        for (GleLayerSpec l : p.layers()) {
            y.append("    - {units: ")
                    .append(l.units())
                    .append(", activation: ")
                    .append(l.activation().name().toLowerCase(Locale.ROOT))
                    .append(", tauM: ")
                    .append(list(l.tauM()))
                    .append(", tauR: ")
                    .append(list(l.tauR()))
                    .append(", bias: ")
                    .append(l.bias())
                    .append("}\n");
        }
        if (task == Task.CLASSIFICATION) {
            Classification c = classification;
            y.append("data:\n  name: ").append(c.data()).append('\n');
            if (c.dataDir() != null)
                y.append("  dir: \"")
                        .append(c.dataDir().replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\"\n");
            y.append("  train: ")
                    .append(c.trainSplit())
                    .append("\n  test: ")
                    .append(c.testSplit())
                    .append("\n  trainLimit: ")
                    .append(c.trainLimit())
                    .append("\n  evalLimit: ")
                    .append(c.evalLimit())
                    .append("\n  stepsPerSample: ")
                    .append(c.stepsPerSample())
                    .append("\n  standardise: ")
                    .append(c.standardise())
                    .append('\n');
            optimizerYaml(y);
            y.append("schedule: {epochs: ")
                    .append(c.epochs())
                    .append(", batch: ")
                    .append(c.batch())
                    .append(", evalBatch: ")
                    .append(c.evalBatch())
                    .append("}\n");
            runYaml(y);
            return y.toString();
        }
        y.append("teacher:\n  weights: ").append(lists(mimic.teacherWeights())).append('\n');
        if (mimic.teacherBiases() != null)
            y.append("  biases: ").append(lists(mimic.teacherBiases())).append('\n');
        if (mimic.teacherTauM() != null)
            y.append("  tauM: ").append(lists(mimic.teacherTauM())).append('\n');
        y.append("student:\n  plastic: [");
        for (int i = 0; i < mimic.plastic().length; i++)
            y.append(i > 0 ? ", " : "").append(mimic.plastic()[i]);
        y.append("]\n");
        if (mimic.initWeights() != null || mimic.initTauM() != null) {
            y.append("  init: {");
            if (mimic.initWeights() != null) y.append("weights: ").append(list(mimic.initWeights()));
            if (mimic.initTauM() != null)
                y.append(mimic.initWeights() != null ? ", " : "")
                        .append("tauM: ")
                        .append(list(mimic.initTauM()));
            y.append("}\n");
        }
        y.append("signal: {type: ").append(signal.type());
        switch (signal.type()) {
            case "square" ->
                y.append(", halfPeriod: ")
                        .append(signal.halfPeriod())
                        .append(", smoothSteps: ")
                        .append(signal.smoothSteps());
            case "sines" -> y.append(", omegas: ").append(list(signal.omegas()));
            default ->
                y.append(", tau: ").append(signal.tau()).append(", sigma: ").append(signal.sigma());
        }
        y.append("}\n");
        optimizerYaml(y);
        y.append("schedule: {batch: ")
                .append(schedule.batch())
                .append(", settle: ")
                .append(schedule.settle())
                .append(", duration: ")
                .append(schedule.duration())
                .append(", logEvery: ")
                .append(schedule.logEvery())
                .append("}\n");
        runYaml(y);
        return y.toString();
    }

    private void optimizerYaml(StringBuilder y) {
        y.append("optimizer: {name: ")
                .append(optimizer.name())
                .append(", learningRate: ")
                .append(optimizer.learningRate());
        if (optimizer.name().equals("adam"))
            y.append(", betas: [")
                    .append(optimizer.beta1())
                    .append(", ")
                    .append(optimizer.beta2())
                    .append("], eps: ")
                    .append(optimizer.eps());
        else y.append(", momentum: ").append(optimizer.momentum());
        Plateau p = optimizer.plateau();
        if (p != null)
            y.append(", plateau: {factor: ")
                    .append(p.factor())
                    .append(", patience: ")
                    .append(p.patience())
                    .append(", threshold: ")
                    .append(p.threshold())
                    .append('}');
        y.append("}\n");
    }

    private void runYaml(StringBuilder y) {
        y.append("run:\n  seed: ")
                .append(run.seed())
                .append("\n  backend: ")
                .append(run.backend())
                .append("\n  precision: ")
                .append(run.precision().name().toLowerCase(Locale.ROOT))
                .append("\n  checkpointEvery: ")
                .append(run.checkpointEvery())
                .append("\n  out: \"")
                .append(run.outDir().replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"\n");
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(v[i]);
        return b.append(']').toString();
    }

    private static String lists(double[][] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(list(v[i]));
        return b.append(']').toString();
    }
}
