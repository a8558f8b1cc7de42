package io.cortex4j.config;

import io.cortex4j.model.microcircuit.Conductances;
import io.cortex4j.model.microcircuit.FeedbackRule;
import io.cortex4j.model.microcircuit.MicrocircuitParams;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An experiment, parsed and validated from one YAML file: what network, which rule, which data,
 * which schedule, and where and how to run. Immutable; every impossible value is rejected when it
 * is parsed, with the file line and key.
 */
public record ExperimentConfig(
        String name,
        Task task,
        MicrocircuitParams model,
        Data data,
        Schedule schedule,
        Run run,
        List<ProbeSpec> probes,
        String initFrom,
        String sourceText) {

    /** A signal to record every {@code every} steps: e.g. {@code apical1} with summary {@code maxabs}. */
    public record ProbeSpec(String signal, String summary, int every) {}

    /** What the network is asked to do. */
    public enum Task {
        /** Classify labelled data: the output is nudged towards high/low target potentials. */
        CLASSIFICATION,
        /** The bw_only task (§5.1): no target, W frozen; W^IP, B^PI and B learn; report B's alignment. */
        ALIGNMENT,
        /** fw_bw (§5.1): a free-running teacher microcircuit with other weights gives the targets. */
        TEACHER_STUDENT;

        static Task parse(OldConfigNode at, String key, String s) {
            return switch (s.toLowerCase(Locale.ROOT).replace('_', '-')) {
                case "classification" -> CLASSIFICATION;
                case "alignment", "bw-only" -> ALIGNMENT;
                case "teacher-student", "fw-bw" -> TEACHER_STUDENT;
                default ->
                    throw at.error(key, "unknown task '" + s + "' (use classification, alignment or teacher-student)");
            };
        }
    }

    /**
     * @param name          dataset name for {@code io.cortex4j.datasets.Datasets}
     * @param dir           data directory, or null to search for it
     * @param trainSplit    split names
     * @param trainLimit    use only the first N training samples (0 = all)
     * @param size          sample count for generated sets (random-uniform, teacher-student)
     * @param targetHigh    target potential of the correct class
     * @param targetLow     target potential of the others
     * @param teacherWeights teacher-student: range [low, high] of the teacher's weights ([2, 2]: all 2)
     * @param teacherSeed   teacher-student: seed of the teacher's weights
     */
    public record Data(
            String name,
            String dir,
            String trainSplit,
            String validationSplit,
            String testSplit,
            int trainLimit,
            int evalLimit,
            int size,
            double targetHigh,
            double targetLow,
            double inputScale,
            double[] teacherWeights,
            long teacherSeed) {}

    /**
     * @param settleMs       dynamics before training, without learning or noise
     * @param presentationMs time each (batch of) sample(s) is held
     * @param readoutSkip    fraction of the presentation skipped before the output is averaged
     * @param epochs         passes over the training set
     * @param batch          samples simulated in parallel (increments are batch means)
     * @param evalEvery      validate every N epochs (the last epoch always)
     * @param noiseDuringEval keep the OU noise on while evaluating (GeNN does; PAL MC does not)
     */
    public record Schedule(
            double settleMs,
            double presentationMs,
            double readoutSkip,
            int epochs,
            int batch,
            int evalEvery,
            boolean noiseDuringEval) {
        public int stepsPerSample(double dt) {
            return (int) Math.round(presentationMs / dt);
        }
    }

    /**
     * @param checkpointEvery batches between checkpoints (0: only at epoch ends)
     */
    public record Run(long seed, String backend, DType precision, int checkpointEvery, String outDir) {
        public Run withSeed(long s) {
            return new Run(s, backend, precision, checkpointEvery, outDir);
        }

        /** The same run settings on another backend (the CLI's {@code --backend}). */
        public Run withBackend(String b) {
            return new Run(seed, b, precision, checkpointEvery, outDir);
        }
    }

    public static ExperimentConfig load(Path file) {
        OldConfigNode root = OldConfigNode.load(file);
        try {
            return parse(root, java.nio.file.Files.readString(file));
        } catch (java.io.IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static ExperimentConfig parse(String yaml, String fileName) {
        return parse(OldConfigNode.parse(yaml, fileName), yaml);
    }

    private static ExperimentConfig parse(OldConfigNode root, String text) {
        root.keys("name", "task", "model", "rule", "data", "schedule", "run", "probes");
        String name = root.string("name", "experiment");
        if (!name.matches("[A-Za-z0-9._-]+"))
            throw root.error("name", "use letters, digits, '.', '_' and '-' only (it names the run directory)");
        Task task = Task.parse(root, "task", root.string("task", "classification"));

        OldConfigNode m = root.section("model")
                .keys("family", "units", "layers", "activation", "dt", "prospective", "conductances", "init");
        String family = m.string("family", "microcircuit");
        if (!family.equals("microcircuit"))
            throw m.error("family", "unknown family '" + family + "' (available: microcircuit)");
        String units = m.string("units", "ms");
        if (!units.equals("ms")) throw m.error("units", "the microcircuit family uses ms");
        double[] lay = m.numberList("layers");
        if (lay.length < 2) throw m.error("layers", "need at least an input and an output size, e.g. [4, 30, 3]");
        int[] layers = new int[lay.length];
        for (int i = 0; i < lay.length; i++) {
            if (lay[i] < 1 || lay[i] != Math.rint(lay[i]))
                throw m.error("layers", "sizes must be whole numbers ≥ 1, got " + Arrays.toString(lay));
            layers[i] = (int) lay[i];
        }
        int hidden = layers.length - 2;
        Activation act;
        try {
            act = Activation.parse(m.string("activation", "sigmoid"));
        } catch (IllegalArgumentException e) {
            throw m.error("activation", e.getMessage());
        }
        double dt = m.number("dt", 0.01);
        if (!(dt > 0)) throw m.error("dt", "must be > 0, got " + dt);
        double prospective = m.number("prospective", 1.0);
        if (prospective < 0) throw m.error("prospective", "must be ≥ 0 (1 = prospective rates, 0 = plain rates)");
        OldConfigNode gc =
                m.optSection("conductances").keys("leak", "basal", "apical", "dendrite", "interneuronNudge", "target");
        Conductances P = Conductances.PUBLISHED;
        String[] gk = {"leak", "basal", "apical", "dendrite", "interneuronNudge", "target"};
        double[] gv = {P.leak(), P.basal(), P.apical(), P.dendrite(), P.interneuronNudge(), P.target()};
        for (int i = 0; i < gk.length; i++) {
            gv[i] = gc.number(gk[i], gv[i]);
            if (gv[i] < 0) throw gc.error(gk[i], "conductances must be ≥ 0");
        }
        Conductances g = new Conductances(gv[0], gv[1], gv[2], gv[3], gv[4], gv[5]);
        String[] tauNames = {
            "pyramidal 1/(leak+basal+apical)",
            "interneuron 1/(leak+dendrite+interneuronNudge)",
            "output 1/(leak+basal+target)"
        };
        double[] taus = {g.tauPyramidal(), g.tauInterneuron(), g.tauOutput()};
        for (int i = 0; i < 3; i++) {
            if (taus[i] < dt)
                throw gc.error(
                        "leak",
                        "membrane time constant τ of the " + tauNames[i] + " = " + taus[i] + " ms is below dt = " + dt
                                + " ms");
        }
        OldConfigNode init = m.optSection("init").keys("weights", "feedback", "potentialStd", "selfPredicting", "from");
        String initFrom = init.string("from", null);
        double[] wr = range(init, "weights", new double[] {-1, 1});
        double[] br = range(init, "feedback", new double[] {-1, 1});
        double ustd = init.number("potentialStd", 1.0);
        if (ustd < 0) throw init.error("potentialStd", "must be ≥ 0");
        boolean sps = init.bool("selfPredicting", true);

        OldConfigNode r = root.section("rule")
                .keys(
                        "name",
                        "etaForward",
                        "etaFeedback",
                        "etaIP",
                        "etaPI",
                        "alpha",
                        "noise",
                        "tauHighPass",
                        "tauLowPass");
        FeedbackRule rule;
        try {
            rule = FeedbackRule.parse(r.string("name"));
        } catch (IllegalArgumentException e) {
            throw r.error("name", e.getMessage());
        }
        double[] etaFw = rates(r, "etaForward", layers.length - 1, 1.0);
        double[] etaBw = rates(r, "etaFeedback", hidden, 0.0);
        double[] etaIP = rates(r, "etaIP", hidden, 0.0);
        double[] etaPI = rates(r, "etaPI", hidden, 0.0);
        double[] alpha = rates(r, "alpha", hidden, 1e-5);
        OldConfigNode noise = r.optSection("noise").keys("sigma", "tau");
        double sigma = noise.number("sigma", 0.05);
        if (sigma < 0) throw noise.error("sigma", "must be ≥ 0");
        double tauXi = noise.number("tau", 0.1);
        double tauHP = r.number("tauHighPass", 0.1);
        double tauLO = r.number("tauLowPass", rule.lowPassesForward() ? 100.0 : 0.0);
        if (rule.injectsNoise()) {
            if (tauXi < dt) throw noise.error("tau", "τ_ξ = " + tauXi + " ms is below dt = " + dt + " ms");
            if (tauHP < dt) throw r.error("tauHighPass", "τ_HP = " + tauHP + " ms is below dt = " + dt + " ms");
        }
        if (tauLO != 0 && tauLO < dt)
            throw r.error("tauLowPass", "τ_LO = " + tauLO + " ms is below dt = " + dt + " ms (use 0 to switch it off)");
        MicrocircuitParams params = new MicrocircuitParams(
                layers,
                act,
                dt,
                g,
                prospective,
                rule,
                etaFw,
                etaBw,
                etaIP,
                etaPI,
                alpha,
                sigma,
                tauXi,
                tauHP,
                tauLO,
                wr,
                br,
                ustd,
                sps);

        OldConfigNode d = root.section("data")
                .keys(
                        "name",
                        "dir",
                        "train",
                        "validation",
                        "test",
                        "trainLimit",
                        "evalLimit",
                        "size",
                        "targets",
                        "inputScale",
                        "teacherWeights",
                        "teacherSeed");
        String dname = d.string("name");
        String dir = d.string("dir", null);
        OldConfigNode tg = d.optSection("targets").keys("high", "low");
        Data data = new Data(
                dname,
                dir,
                d.string("train", "train"),
                d.string("validation", "validation"),
                d.string("test", "test"),
                (int) nonNegative(d, "trainLimit", d.integer("trainLimit", 0)),
                (int) nonNegative(d, "evalLimit", d.integer("evalLimit", 0)),
                (int) nonNegative(d, "size", d.integer("size", 100)),
                tg.number("high", 1.0),
                tg.number("low", 0.1),
                d.number("inputScale", 1.0),
                range(d, "teacherWeights", wr),
                d.integer("teacherSeed", 1_000_003L));
        if ((task == Task.ALIGNMENT || task == Task.TEACHER_STUDENT) && !dname.equals("random-uniform")) {
            throw d.error(
                    "name",
                    "the " + task.name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + " task presents random inputs: use name: random-uniform");
        }

        OldConfigNode s = root.optSection("schedule")
                .keys("settle", "presentation", "readoutSkip", "epochs", "batch", "evalEvery", "noiseDuringEval");
        double settle = s.number("settle", 100.0);
        if (settle < 0) throw s.error("settle", "must be ≥ 0 ms");
        double pres = s.number("presentation", 1.0);
        if (pres < dt) throw s.error("presentation", "presentation time " + pres + " ms is below dt = " + dt + " ms");
        double skip = s.number("readoutSkip", 0.2);
        if (skip < 0 || skip >= 1) throw s.error("readoutSkip", "must be in [0, 1)");
        long epochs = s.integer("epochs", 1);
        if (epochs < 1) throw s.error("epochs", "must be ≥ 1");
        long batch = s.integer("batch", 1);
        if (batch < 1) throw s.error("batch", "must be ≥ 1");
        long evalEvery = s.integer("evalEvery", 1);
        if (evalEvery < 1) throw s.error("evalEvery", "must be ≥ 1");
        Schedule schedule = new Schedule(
                settle, pres, skip, (int) epochs, (int) batch, (int) evalEvery, s.bool("noiseDuringEval", false));

        OldConfigNode rn = root.optSection("run").keys("seed", "backend", "precision", "checkpointEvery", "out");
        DType precision;
        try {
            precision = DType.parse(rn.string("precision", "float32"));
        } catch (IllegalArgumentException e) {
            throw rn.error("precision", e.getMessage());
        }
        Run run = new Run(
                rn.integer("seed", 1),
                rn.string("backend", "cpu"),
                precision,
                (int) nonNegative(rn, "checkpointEvery", rn.integer("checkpointEvery", 0)),
                rn.string("out", "runs"));
        List<ProbeSpec> probes = new ArrayList<>();
        OldConfigNode pr = root.optSection("probes").keys("signals", "summary", "every");
        if (pr.has("signals")) {
            String sum = pr.string("summary", "maxabs");
            if (!sum.equals("maxabs") && !sum.equals("mean")) throw pr.error("summary", "use maxabs or mean");
            long every = pr.integer("every", 100);
            if (every < 1) throw pr.error("every", "must be ≥ 1 step");
            for (String sig : pr.string("signals").split("[,\\s]+")) {
                if (!sig.matches("(apical|basal|prospective|somatic|rate|noise)[0-9]+")) {
                    throw pr.error(
                            "signals",
                            "unknown signal '" + sig
                                    + "' (use apical<ℓ>, basal<ℓ>, prospective<ℓ>, somatic<ℓ>, rate<ℓ>, noise<ℓ>, separated by commas)");
                }
                int l = Integer.parseInt(sig.replaceAll("[a-z]", ""));
                boolean hiddenOnly = sig.startsWith("apical") || sig.startsWith("noise");
                if (l < 1 || l > layers.length - 1 || (hiddenOnly && l > layers.length - 2)) {
                    throw pr.error(
                            "signals",
                            "'" + sig + "': no such layer"
                                    + (hiddenOnly ? " (hidden layers are 1.." + (layers.length - 2) + ")" : ""));
                }
                probes.add(new ProbeSpec(sig, sum, (int) every));
            }
        }
        root.finish();
        return new ExperimentConfig(name, task, params, data, schedule, run, List.copyOf(probes), initFrom, text);
    }

    private static long nonNegative(OldConfigNode c, String key, long v) {
        if (v < 0) throw c.error(key, "must be ≥ 0");
        return v;
    }

    private static double[] range(OldConfigNode c, String key, double[] def) {
        double[] r = c.numbers(key, 2, def);
        if (r.length != 2 || r[0] > r[1]) throw c.error(key, "needs [low, high] with low ≤ high");
        return r;
    }

    private static double[] rates(OldConfigNode c, String key, int n, double def) {
        double[] d = new double[n];
        Arrays.fill(d, def);
        double[] v = c.numbers(key, n, d);
        for (double x : v) if (x < 0) throw c.error(key, "rates must be ≥ 0, got " + Arrays.toString(v));
        return v;
    }

    /**
     * The resolved config as YAML: every value, defaults included, so that the file alone
     * reproduces the run ({@link #parse(String, String)} of it gives an equal config).
     */
    public String toYaml() {
        MicrocircuitParams m = model;
        Conductances g = m.conductances();
        StringBuilder y = new StringBuilder();
        y.append("# resolved config of run '").append(name).append("' (all defaults filled in)\n");
        y.append("name: ").append(name).append('\n');
        y.append("task: ")
                .append(task.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append('\n');
        y.append("model:\n  family: microcircuit\n  units: ms\n");
        y.append("  layers: ").append(Arrays.toString(m.layers())).append('\n');
        y.append("  activation: ")
                .append(m.activation().name().toLowerCase(Locale.ROOT))
                .append('\n');
        y.append("  dt: ").append(num(m.dt())).append('\n');
        y.append("  prospective: ").append(num(m.prospectiveFactor())).append('\n');
        y.append("  conductances: {leak: ")
                .append(num(g.leak()))
                .append(", basal: ")
                .append(num(g.basal()))
                .append(", apical: ")
                .append(num(g.apical()))
                .append(", dendrite: ")
                .append(num(g.dendrite()))
                .append(", interneuronNudge: ")
                .append(num(g.interneuronNudge()))
                .append(", target: ")
                .append(num(g.target()))
                .append("}\n");
        y.append("  init: {weights: ")
                .append(list(m.weightRange()))
                .append(", feedback: ")
                .append(list(m.feedbackRange()))
                .append(", potentialStd: ")
                .append(num(m.initialPotentialStd()))
                .append(", selfPredicting: ")
                .append(m.selfPredictingInit())
                .append(
                        initFrom == null
                                ? ""
                                : ", from: \"" + initFrom.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .append("}\n");
        y.append("rule:\n  name: ").append(m.rule().name()).append('\n');
        y.append("  etaForward: ").append(list(m.etaForward())).append('\n');
        y.append("  etaFeedback: ").append(list(m.etaFeedback())).append('\n');
        y.append("  etaIP: ").append(list(m.etaIP())).append('\n');
        y.append("  etaPI: ").append(list(m.etaPI())).append('\n');
        y.append("  alpha: ").append(list(m.alpha())).append('\n');
        y.append("  noise: {sigma: ")
                .append(num(m.noiseSigma()))
                .append(", tau: ")
                .append(num(m.tauNoise()))
                .append("}\n");
        y.append("  tauHighPass: ").append(num(m.tauHighPass())).append('\n');
        y.append("  tauLowPass: ").append(num(m.tauLowPass())).append('\n');
        Data d = data;
        y.append("data:\n  name: ").append(d.name()).append('\n');
        if (d.dir() != null)
            y.append("  dir: \"")
                    .append(d.dir().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n");
        y.append("  train: ")
                .append(d.trainSplit())
                .append("\n  validation: ")
                .append(d.validationSplit())
                .append("\n  test: ")
                .append(d.testSplit())
                .append('\n');
        y.append("  trainLimit: ")
                .append(d.trainLimit())
                .append("\n  evalLimit: ")
                .append(d.evalLimit())
                .append("\n  size: ")
                .append(d.size())
                .append('\n');
        y.append("  inputScale: ").append(num(d.inputScale())).append('\n');
        y.append("  targets: {high: ")
                .append(num(d.targetHigh()))
                .append(", low: ")
                .append(num(d.targetLow()))
                .append("}\n");
        y.append("  teacherWeights: ")
                .append(list(d.teacherWeights()))
                .append("\n  teacherSeed: ")
                .append(d.teacherSeed())
                .append('\n');
        Schedule sc = schedule;
        y.append("schedule:\n  settle: ")
                .append(num(sc.settleMs()))
                .append("\n  presentation: ")
                .append(num(sc.presentationMs()))
                .append("\n  readoutSkip: ")
                .append(num(sc.readoutSkip()))
                .append("\n  epochs: ")
                .append(sc.epochs())
                .append("\n  batch: ")
                .append(sc.batch())
                .append("\n  evalEvery: ")
                .append(sc.evalEvery())
                .append("\n  noiseDuringEval: ")
                .append(sc.noiseDuringEval())
                .append('\n');
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
        if (!probes.isEmpty()) {
            y.append("probes:\n  signals: ")
                    .append(String.join(
                            ", ", probes.stream().map(ProbeSpec::signal).toList()))
                    .append("\n  summary: ")
                    .append(probes.get(0).summary())
                    .append("\n  every: ")
                    .append(probes.get(0).every())
                    .append('\n');
        }
        return y.toString();
    }

    private static String num(double v) {
        return Double.toString(v);
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(num(v[i]));
        return b.append(']').toString();
    }

    /** A copy with another number of epochs and validation interval (command-line overrides). */
    public ExperimentConfig withSchedule(int epochs, int evalEvery) {
        if (epochs < 1 || evalEvery < 1) throw new IllegalArgumentException("epochs and eval interval must be ≥ 1");
        Schedule s = schedule;
        return new ExperimentConfig(
                name,
                task,
                model,
                data,
                new Schedule(
                        s.settleMs(),
                        s.presentationMs(),
                        s.readoutSkip(),
                        epochs,
                        s.batch(),
                        evalEvery,
                        s.noiseDuringEval()),
                run,
                probes,
                initFrom,
                sourceText);
    }

    /** A copy with other seed (for multi-seed sweeps). */
    public ExperimentConfig withSeed(long seed) {
        return withRun(run.withSeed(seed));
    }

    public ExperimentConfig withBackend(String backend) {
        return withRun(run.withBackend(backend));
    }

    private ExperimentConfig withRun(Run r) {
        return new ExperimentConfig(name, task, model, data, schedule, r, probes, initFrom, sourceText);
    }
}
