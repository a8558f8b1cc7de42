package io.cortex4j.model.gle;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.OptimizerSpec;
import io.cortex4j.config.TaskKind;
import io.cortex4j.model.Family;
import io.cortex4j.model.Phase;
import io.cortex4j.optim.Adam;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.optim.SgdMomentum;
import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generalized Latent Equilibrium networks (specs/gle.md) as a family: streamed sequence
 * classification (MNIST-1D: each sample interpolated to {@code data.stepsPerSample} steps, the label
 * error at every step, the time-summed output read out) and teacher–student on a temporal signal
 * (LagLine, LagNet). One optimizer step per Euler step. The state carries over between samples,
 * batches and evaluation, as in the reference, so evaluation defaults to {@code carried}.
 */
public final class GleFamily implements Family<GleSpec, GleNetwork> {
    @Override
    public String name() {
        return "gle";
    }

    @Override
    public Class<GleSpec> specType() {
        return GleSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION, TaskKind.TEACHER_STUDENT);
    }

    @Override
    public String defaults(TaskKind task) {
        return task == TaskKind.CLASSIFICATION ? "{data: {standardise: true}, schedule: {batch: 100}}" : "{}";
    }

    @Override
    public boolean evaluationCarriesState() {
        return true;
    }

    @Override
    public GleSpec resolve(GleSpec s, Common c) {
        GleSpec.Model m = s.model();
        GleSpec.Model mm = m.tauClamp() != null
                ? m
                : new GleSpec.Model(
                        m.units(),
                        m.input(),
                        m.dt(),
                        m.beta(),
                        m.loss(),
                        m.learnTauM(),
                        new double[] {m.dt(), 100},
                        m.layers());
        GleSpec.Student st = s.student();
        if (c.task().name() == TaskKind.TEACHER_STUDENT) {
            if (st == null) st = new GleSpec.Student(null, new GleSpec.Init(null, null));
            if (st.plastic() == null) {
                int[] all = new int[m.layers().size()];
                for (int l = 0; l < all.length; l++) all[l] = l + 1;
                st = new GleSpec.Student(all, st.init());
            }
        }
        return new GleSpec(mm, s.rule(), s.teacher(), st);
    }

    @Override
    public void validate(GleSpec s, Common c, Checks at) {
        GleSpec.Model m = s.model();
        at.require(
                m.units().equals("dimensionless"),
                "model.units",
                "GLE networks use the paper's dimensionless time units");
        double dt = m.dt();
        double[] clamp = m.tauClamp();
        at.require(
                clamp.length == 2 && clamp[0] >= dt && clamp[1] >= clamp[0],
                "model.tauClamp",
                "needs [lower, upper] with dt ≤ lower ≤ upper, got " + Arrays.toString(clamp));
        int n = m.layers().size();
        for (int l = 0; l < n; l++) {
            GleSpec.Layer y = m.layers().get(l);
            String p = "model.layers[" + l + "]";
            if (y.groups() != null) {
                at.require(y.tauM() == null && y.tauR() == null, p + ".groups", "give either groups or tauM/tauR");
                int sum = 0;
                for (GleSpec.Group g : y.groups()) sum += g.units();
                at.require(
                        sum == y.units(), p + ".groups", "the groups hold " + sum + " units, the layer " + y.units());
            } else {
                at.require(y.tauM() != null, p + ".tauM", "missing: a number, one per unit, or use groups");
                perUnit(at, y.tauM(), y.units(), p + ".tauM");
                if (y.tauR() != null) perUnit(at, y.tauR(), y.units(), p + ".tauR");
            }
            try {
                GleLayerSpec ls = layer(y);
                for (int i = 0; i < ls.units(); i++)
                    at.require(
                            ls.tauM()[i] >= dt && ls.tauR()[i] >= dt,
                            p,
                            "unit " + i + ": τm " + ls.tauM()[i] + " and τr " + ls.tauR()[i] + " must be ≥ dt " + dt);
            } catch (IllegalArgumentException e) {
                throw at.error(p, e.getMessage());
            }
        }
        if (m.loss() == GleParams.Loss.CROSS_ENTROPY)
            at.require(
                    m.layers().get(n - 1).activation() == Activation.LINEAR,
                    "model.loss",
                    "cross-entropy needs a linear output layer (the logits)");
        at.require(
                c.optimizer() != null,
                "optimizer",
                "GLE networks learn through an optimizer stepped every Euler step, e.g. optimizer: {name: adam, learningRate: 1.0e-03}");
        if (c.task().name() == TaskKind.CLASSIFICATION) {
            at.require(
                    c.data().stepsPerSample() != null,
                    "data.stepsPerSample",
                    "a GLE classification streams each sample: give the steps per sample");
            at.require(m.input() == 1, "model.input", "a streamed sample feeds one value per step; use input: 1");
            at.require(s.teacher() == null, "teacher", "only the teacher-student task has a teacher");
            at.require(s.student() == null, "student", "only the teacher-student task has a student section");
        } else {
            at.require(
                    c.data().signal() != null,
                    "data.signal",
                    "a GLE teacher–student run is driven by a signal: data: {name: signal, signal: {type: square, ...}}");
            at.require(
                    m.input() == 1 || !(c.data().signal() instanceof io.cortex4j.config.SignalSpec.Sines),
                    "model.input",
                    "the sines signal has one channel; use input: 1");
            at.require(s.teacher() != null, "teacher", "missing: the teacher's weights per layer");
            at.require(
                    c.optimizer().plateau() == null,
                    "optimizer.plateau",
                    "teacher–student runs have no validation loss to watch; remove plateau");
            GleSpec.Teacher t = s.teacher();
            at.require(
                    t.weights().length == n,
                    "teacher.weights",
                    "needs one list per layer (" + n + "), got " + t.weights().length);
            for (int l = 0; l < n; l++) {
                int want = m.layers().get(l).units()
                        * (l == 0 ? m.input() : m.layers().get(l - 1).units());
                at.require(
                        t.weights()[l].length == want,
                        "teacher.weights",
                        "layer " + (l + 1) + " needs " + want + " weights (out × in, row-major), got "
                                + t.weights()[l].length);
            }
            if (t.biases() != null) {
                at.require(t.biases().length == n, "teacher.biases", "needs one list per layer (" + n + ")");
                for (int l = 0; l < n; l++) {
                    GleSpec.Layer y = m.layers().get(l);
                    at.require(
                            t.biases()[l].length == (y.bias() ? y.units() : 0),
                            "teacher.biases",
                            "layer " + (l + 1) + " needs " + (y.bias() ? y.units() : 0) + " biases");
                }
            } else {
                for (GleSpec.Layer y : m.layers())
                    at.require(
                            !y.bias(), "teacher.biases", "missing: the layers have biases, so the teacher needs them");
            }
            if (t.tauM() != null) {
                at.require(t.tauM().length == n, "teacher.tauM", "needs one list per layer (" + n + ")");
                for (int l = 0; l < n; l++) {
                    at.require(
                            t.tauM()[l].length == m.layers().get(l).units(),
                            "teacher.tauM",
                            "layer " + (l + 1) + " needs " + m.layers().get(l).units() + " values");
                    for (double v : t.tauM()[l]) at.require(v >= dt, "teacher.tauM", "τm " + v + " is below dt " + dt);
                }
            }
            for (int p : s.student().plastic())
                at.require(p >= 1 && p <= n, "student.plastic", "layers are 1.." + n + ", got " + p);
            GleSpec.Init init = s.student().init();
            if (init.weights() != null) range(at, init.weights(), "student.init.weights");
            if (init.tauM() != null) {
                range(at, init.tauM(), "student.init.tauM");
                at.require(m.learnTauM(), "student.init.tauM", "drawing τm at random needs model.learnTauM: true");
            }
        }
        params(s);
    }

    private static void perUnit(Checks at, double[] v, int units, String path) {
        at.require(
                v.length == 1 || v.length == units,
                path,
                "give one value for all " + units + " units or one per unit, got " + v.length);
    }

    private static void range(Checks at, double[] r, String path) {
        at.require(r.length == 2 && r[0] <= r[1], path, "needs [low, high] with low ≤ high, got " + Arrays.toString(r));
    }

    static GleLayerSpec layer(GleSpec.Layer y) {
        int n = y.units();
        double[] tm = new double[n], tr = new double[n];
        if (y.groups() != null) {
            int at = 0;
            for (GleSpec.Group g : y.groups()) {
                if (at + g.units() > n)
                    throw new IllegalArgumentException("the groups hold more than the layer's " + n + " units");
                Arrays.fill(tm, at, at + g.units(), g.tauM());
                Arrays.fill(tr, at, at + g.units(), g.tauR());
                at += g.units();
            }
        } else {
            tm = expand(y.tauM(), n);
            tr = y.tauR() == null ? tm.clone() : expand(y.tauR(), n);
        }
        return new GleLayerSpec(n, y.activation(), tm, tr, y.bias(), y.gamma());
    }

    private static double[] expand(double[] v, int n) {
        if (v.length == n) return v.clone();
        double[] o = new double[n];
        Arrays.fill(o, v[0]);
        return o;
    }

    static GleParams params(GleSpec s) {
        GleSpec.Model m = s.model();
        List<GleLayerSpec> layers = new ArrayList<>();
        for (GleSpec.Layer y : m.layers()) layers.add(layer(y));
        return new GleParams(
                m.input(),
                layers,
                m.dt(),
                m.beta(),
                s.rule().errors() == GleSpec.Errors.PROSPECTIVE,
                m.loss(),
                s.rule().name(),
                m.learnTauM(),
                m.tauClamp()[0],
                m.tauClamp()[1]);
    }

    @Override
    public double dt(GleSpec s) {
        return s.model().dt();
    }

    @Override
    public Sizes sizes(GleSpec s) {
        List<GleSpec.Layer> l = s.model().layers();
        return new Sizes(s.model().input(), "model.input", l.get(l.size() - 1).units(), "model.layers");
    }

    /** The student of a teacher–student run takes the run's seed + 1 (the teacher takes the seed), as before the spine. */
    @Override
    public GleNetwork build(GleSpec s, Build b) {
        boolean student = b.common().task().name() == TaskKind.TEACHER_STUDENT;
        GleNetwork net =
                new GleNetwork(params(s), b.backend(), b.dtype(), b.batch(), student ? b.seed() + 1 : b.seed());
        List<Optimizer.Slot> slots = new ArrayList<>();
        for (Optimizer.Slot slot : net.slots()) if (!student || plastic(s, layerOf(slot.name()))) slots.add(slot);
        OptimizerSpec o = b.common().optimizer();
        net.setOptimizer(
                o.name() == OptimizerSpec.Kind.ADAM
                        ? new Adam(b.backend(), slots, o.learningRate(), o.betas()[0], o.betas()[1], o.eps())
                        : new SgdMomentum(b.backend(), slots, o.learningRate(), o.momentum()));
        return net;
    }

    private static boolean plastic(GleSpec s, int layer) {
        for (int p : s.student().plastic()) if (p == layer) return true;
        return false;
    }

    /** The 1-based layer of a name like {@code layer3.W}. */
    private static int layerOf(String name) {
        return Integer.parseInt(name.substring(5, name.indexOf('.')));
    }

    /** The teacher: the model with the teacher's τm, its weights and biases, never learning. */
    @Override
    public GleNetwork buildTeacher(GleSpec s, Build b) {
        GleParams sp = params(s);
        GleSpec.Teacher t = s.teacher();
        List<GleLayerSpec> tl = new ArrayList<>();
        for (int l = 0; l < sp.layers().size(); l++) {
            GleLayerSpec y = sp.layers().get(l);
            tl.add(
                    t.tauM() == null
                            ? y
                            : new GleLayerSpec(y.units(), y.activation(), t.tauM()[l], y.tauR(), y.bias(), y.gamma()));
        }
        GleParams tp = new GleParams(
                sp.inputSize(),
                tl,
                sp.dt(),
                sp.beta(),
                sp.prospectiveErrors(),
                sp.loss(),
                sp.feedback(),
                false,
                sp.tauMin(),
                sp.tauMax());
        GleNetwork teacher = new GleNetwork(tp, b.backend(), b.dtype(), b.batch(), b.seed());
        for (int l = 0; l < tl.size(); l++) {
            b.backend().copyFromHost(t.weights()[l], teacher.weights(l));
            if (t.biases() != null && teacher.bias(l) != null) b.backend().copyFromHost(t.biases()[l], teacher.bias(l));
        }
        teacher.setPhase(Phase.FREE);
        return teacher;
    }

    /** Frozen layers take the teacher's values; learned ones are drawn from student.init's ranges where given. */
    @Override
    public void pairWithTeacher(GleSpec s, GleNetwork student, GleNetwork teacher, Build b) {
        CounterRandom rng = new CounterRandom(b.seed());
        GleSpec.Init init = s.student().init();
        double tauMin = s.model().tauClamp()[0];
        for (int l = 0; l < s.model().layers().size(); l++) {
            if (!plastic(s, l + 1)) {
                b.backend().copy(teacher.weights(l), student.weights(l));
                if (student.bias(l) != null) b.backend().copy(teacher.bias(l), student.bias(l));
                b.backend().copy(teacher.tauM(l), student.tauM(l));
                continue;
            }
            if (init.weights() != null)
                b.backend()
                        .copyFromHost(
                                uniform(
                                        rng,
                                        5000 + 16 * l,
                                        (int) student.weights(l).length(),
                                        init.weights(),
                                        Double.NEGATIVE_INFINITY),
                                student.weights(l));
            if (init.tauM() != null)
                b.backend()
                        .copyFromHost(
                                uniform(
                                        rng,
                                        5001 + 16 * l,
                                        (int) student.tauM(l).length(),
                                        init.tauM(),
                                        tauMin),
                                student.tauM(l));
        }
    }

    private static double[] uniform(CounterRandom rng, int stream, int n, double[] range, double floor) {
        double[] x = new double[n];
        rng.uniforms(stream, 0, x, 0, n);
        for (int i = 0; i < n; i++) x[i] = Math.max(floor, range[0] + (range[1] - range[0]) * x[i]);
        return x;
    }

    /** The student's learned parameters (weights, biases, τm of the plastic layers). */
    @Override
    public List<String> learnedParameters(GleSpec s, GleNetwork student) {
        List<String> out = new ArrayList<>();
        for (Optimizer.Slot slot : student.optimizer().slots()) out.add(slot.name());
        return out;
    }

    private static final Pattern LAYER = Pattern.compile("layer([0-9]+)\\.(.*)");

    /** Files written before layers were numbered from 1 (they hold layer0.*): every index moves up by one. */
    @Override
    public String importName(String name, Set<String> all) {
        boolean zeroBased = all.stream().anyMatch(k -> k.startsWith("layer0."));
        Matcher m = LAYER.matcher(name);
        return zeroBased && m.matches() ? "layer" + (Integer.parseInt(m.group(1)) + 1) + "." + m.group(2) : name;
    }

    @Override
    public String divergenceHint() {
        return "lower optimizer.learningRate";
    }
}
