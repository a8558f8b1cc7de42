package io.cortex4j.model.microcircuit;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.TaskKind;
import io.cortex4j.model.EpochMetric;
import io.cortex4j.model.Family;
import io.cortex4j.model.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dendritic cortical microcircuit with PAL, FA, BP or PAL's control (specs/pal.md §2–3, §5), as a
 * family: classification, teacher–student (PAL's fw_bw) and the alignment task (bw_only), each
 * sample held for {@code schedule.presentation} ms and read out as the mean ŭ_N over the window.
 */
public final class MicrocircuitFamily implements Family<MicrocircuitSpec, Microcircuit> {
    @Override
    public String name() {
        return "microcircuit";
    }

    @Override
    public Class<MicrocircuitSpec> specType() {
        return MicrocircuitSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION, TaskKind.TEACHER_STUDENT, TaskKind.ALIGNMENT);
    }

    @Override
    public String defaults(TaskKind task) {
        return "{data: {targets: {high: 1.0, low: 0.1}}, schedule: {settle: 100.0, presentation: 1.0, readout: mean, readoutSkip: 0.2}}";
    }

    @Override
    public MicrocircuitSpec resolve(MicrocircuitSpec s, Common c) {
        int n = s.model().layers().length - 1, h = Math.max(0, n - 1);
        MicrocircuitSpec.Rule r = s.rule();
        double tauLowPass = r.tauLowPass() != null ? r.tauLowPass() : r.name().lowPassesForward() ? 100.0 : 0.0;
        MicrocircuitSpec.Rule rr = new MicrocircuitSpec.Rule(
                r.name(),
                orFill(r.etaForward(), n, 1.0),
                orFill(r.etaFeedback(), h, 0.0),
                orFill(r.etaIP(), h, 0.0),
                orFill(r.etaPI(), h, 0.0),
                orFill(r.alpha(), h, 1e-5),
                r.noise(),
                r.tauHighPass(),
                tauLowPass);
        MicrocircuitSpec.Teacher t = s.teacher();
        if (t == null && c.task().name() == TaskKind.TEACHER_STUDENT)
            t = new MicrocircuitSpec.Teacher(null, 1_000_003L);
        if (t != null && t.weights() == null)
            t = new MicrocircuitSpec.Teacher(s.model().init().weights(), t.seed());
        return new MicrocircuitSpec(s.model(), rr, t);
    }

    private static double[] orFill(double[] v, int n, double def) {
        if (v != null) return v;
        double[] d = new double[n];
        Arrays.fill(d, def);
        return d;
    }

    @Override
    public void validate(MicrocircuitSpec s, Common c, Checks at) {
        MicrocircuitSpec.Model m = s.model();
        at.require(m.units().equals("ms"), "model.units", "the microcircuit family uses ms");
        int[] layers = m.layers();
        at.require(layers.length >= 2, "model.layers", "need at least an input and an output size, e.g. [4, 30, 3]");
        for (int n : layers) at.require(n >= 1, "model.layers", "sizes must be ≥ 1, got " + Arrays.toString(layers));
        int n = layers.length - 1, h = n - 1;
        int na = m.activation().values().length;
        at.require(
                na == 1 || na == n,
                "model.activation",
                "give one activation, or one per layer above the input (" + n + "), not " + na);
        range(at, m.init().weights(), "model.init.weights");
        range(at, m.init().feedback(), "model.init.feedback");
        double dt = m.dt();
        Conductances g = m.conductances();
        at.require(
                g.leak() + g.basal() + g.apical() > 0,
                "model.conductances",
                "give the pyramidal cells some leak or dendritic conductance");
        String[] names = {
            "pyramidal 1/(leak+basal+apical)",
            "interneuron 1/(leak+dendrite+interneuronNudge)",
            "output 1/(leak+basal+target)"
        };
        double[] taus = {g.tauPyramidal(), g.tauInterneuron(), g.tauOutput()};
        for (int i = 0; i < 3; i++)
            at.require(
                    taus[i] >= dt,
                    "model.conductances",
                    "the membrane time constant of the " + names[i] + " = " + taus[i] + " ms is below dt = " + dt
                            + " ms");
        MicrocircuitSpec.Rule r = s.rule();
        at.length(r.etaForward(), n, "rule.etaForward", "weight layer W_1…W_" + n);
        at.length(r.etaFeedback(), h, "rule.etaFeedback", "hidden layer");
        at.length(r.etaIP(), h, "rule.etaIP", "hidden layer");
        at.length(r.etaPI(), h, "rule.etaPI", "hidden layer");
        at.length(r.alpha(), h, "rule.alpha", "hidden layer");
        if (r.name().injectsNoise()) {
            at.require(
                    r.noise().tau() >= dt,
                    "rule.noise.tau",
                    "τ_ξ = " + r.noise().tau() + " ms is below dt = " + dt + " ms");
            at.require(
                    r.tauHighPass() >= dt,
                    "rule.tauHighPass",
                    "τ_HP = " + r.tauHighPass() + " ms is below dt = " + dt + " ms");
        }
        at.require(
                r.tauLowPass() == 0 || r.tauLowPass() >= dt,
                "rule.tauLowPass",
                "τ_LO = " + r.tauLowPass() + " ms is below dt = " + dt + " ms (use 0 to switch it off)");
        if (s.teacher() != null) {
            at.require(
                    c.task().name() == TaskKind.TEACHER_STUDENT,
                    "teacher",
                    "only the teacher-student task has a teacher");
            range(at, s.teacher().weights(), "teacher.weights");
        }
        at.require(
                c.data().stepsPerSample() == null,
                "data.stepsPerSample",
                "the microcircuit holds each sample for schedule.presentation; remove it");
        at.require(
                c.optimizer() == null,
                "optimizer",
                "the microcircuit learns with its rule's rates (rule.eta*); remove the optimizer");
        at.require(
                c.data().signal() == null,
                "data.signal",
                "the microcircuit's teacher–student task presents random inputs (data.name: random-uniform)");
    }

    private static void range(Checks at, double[] r, String path) {
        at.require(r.length == 2 && r[0] <= r[1], path, "needs [low, high] with low ≤ high, got " + Arrays.toString(r));
    }

    static MicrocircuitParams params(MicrocircuitSpec s) {
        MicrocircuitSpec.Model m = s.model();
        MicrocircuitSpec.Rule r = s.rule();
        int[] layers = m.layers();
        return new MicrocircuitParams(
                layers,
                m.activation().perLayer(layers.length - 1),
                m.dt(),
                m.conductances(),
                m.prospective(),
                r.name(),
                r.etaForward(),
                r.etaFeedback(),
                r.etaIP(),
                r.etaPI(),
                r.alpha(),
                r.noise().sigma(),
                r.noise().tau(),
                r.tauHighPass(),
                r.tauLowPass(),
                m.init().weights(),
                m.init().feedback(),
                m.init().potentialStd(),
                m.init().selfPredicting());
    }

    @Override
    public double dt(MicrocircuitSpec s) {
        return s.model().dt();
    }

    @Override
    public String timeUnit() {
        return "ms";
    }

    @Override
    public Sizes sizes(MicrocircuitSpec s) {
        int[] l = s.model().layers();
        return new Sizes(l[0], "model.layers", l[l.length - 1], "model.layers");
    }

    @Override
    public Microcircuit build(MicrocircuitSpec s, Build b) {
        return new Microcircuit(params(s), b.backend(), b.dtype(), b.batch(), b.seed());
    }

    /** The teacher of PAL's fw_bw task: the student's architecture, weights U[teacher.weights], fixed random feedback, no noise. */
    @Override
    public Microcircuit buildTeacher(MicrocircuitSpec s, Build b) {
        MicrocircuitParams p = params(s);
        MicrocircuitParams tp = new MicrocircuitParams(
                p.layers(),
                p.activations(),
                p.dt(),
                p.conductances(),
                p.prospectiveFactor(),
                MicrocircuitRule.FA,
                p.etaForward(),
                p.etaFeedback(),
                p.etaIP(),
                p.etaPI(),
                p.alpha(),
                0,
                p.tauNoise(),
                p.tauHighPass(),
                0,
                s.teacher().weights(),
                p.feedbackRange(),
                p.initialPotentialStd(),
                true);
        Microcircuit t = new Microcircuit(
                tp, b.backend(), b.dtype(), b.batch(), s.teacher().seed());
        t.setPhase(Phase.FREE);
        return t;
    }

    @Override
    public List<String> learnedParameters(MicrocircuitSpec s, Microcircuit student) {
        List<String> out = new ArrayList<>();
        for (int l = 1; l <= student.depth(); l++) out.add("layer" + l + ".W");
        return out;
    }

    @Override
    public List<EpochMetric<Microcircuit>> epochMetrics(MicrocircuitSpec s, Microcircuit net) {
        int h = net.depth() - 1;
        if (h == 0) return List.of();
        List<String> a = new ArrayList<>(), j = new ArrayList<>();
        for (int l = 1; l <= h; l++) {
            a.add("angle_B_WT_" + l);
            j.add("angle_B_JWTJ_" + l);
        }
        return List.of(
                new EpochMetric<>(a, MicrocircuitAngles::feedbackVsTranspose),
                new EpochMetric<>(j, MicrocircuitAngles::feedbackVsJacobian));
    }

    /** The names before the layer-named parameters: W1, B1, WIP1, BPI1. */
    @Override
    public String importName(String name, Set<String> all) {
        var m = java.util.regex.Pattern.compile("(W|B|WIP|BPI)([0-9]+)").matcher(name);
        return m.matches() ? "layer" + m.group(2) + "." + m.group(1) : name;
    }

    @Override
    public Set<String> derivedOnImport(MicrocircuitSpec s, Microcircuit net) {
        if (!s.model().init().selfPredicting()) return Set.of();
        Set<String> d = new LinkedHashSet<>();
        for (int l = 1; l < net.depth(); l++) {
            d.add("layer" + l + ".WIP");
            d.add("layer" + l + ".BPI");
        }
        return d;
    }

    /** With the self-predicting init, lateral weights the file leaves out follow from the imported W and B. */
    @Override
    public void afterImport(MicrocircuitSpec s, Microcircuit net, Set<String> loaded) {
        if (s.model().init().selfPredicting()
                && loaded.stream().noneMatch(k -> k.endsWith(".WIP") || k.endsWith(".BPI")))
            net.setSelfPredictingState();
    }

    @Override
    public String divergenceHint() {
        return "lower the learning rates (rule.eta*) or model.dt";
    }
}
