package io.cortex4j.model.burst;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.TaskKind;
import io.cortex4j.model.EpochMetric;
import io.cortex4j.model.Family;
import io.cortex4j.model.burst.BurstSpec.Feedback;
import io.cortex4j.model.burst.BurstSpec.FeedbackMode;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Layered burst networks ({@code model.family: burst}, specs/burstccn.md): BurstCCN with its Y and Q
 * feedback, and Burstprop, EDN, BP and FA on the same sigmoid networks, one mini-batch per step.
 * Defaults that depend on the rule are filled in by {@link #resolve} and written into the resolved
 * config: BurstCCN as the authors' MNIST notebook (p_b 0.5, Y ~ N(0, 0.5²) fixed, Q = p_b·Y learned
 * at 7.31e-4), Burstprop as the BurstCCN repository's trainer (p_b 0.2, Y ~ N(0, 1), recurrent Z),
 * EDN as its trainer (Y ~ N(0, 1), λ = 0.1, interneurons at 2η), FA with BurstCCN's Y.
 */
public final class BurstFamily implements Family<BurstSpec, BurstNetwork> {
    @Override
    public String name() {
        return "burst";
    }

    @Override
    public Class<BurstSpec> specType() {
        return BurstSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION, TaskKind.TEACHER_STUDENT);
    }

    /**
     * Classification: one mini-batch per step, read out after it, the authors' batch of 32; the
     * continuous regression task: one stream.
     */
    @Override
    public String defaults(TaskKind task) {
        return task == TaskKind.TEACHER_STUDENT
                ? "{schedule: {batch: 1}}"
                : "{schedule: {presentation: 1.0, readout: last, batch: 32}}";
    }

    static Topology topology(BurstSpec s) {
        InputShape in = s.model().input();
        return new Topology(in.channels(), in.height(), in.width(), s.model().layers());
    }

    @Override
    public BurstSpec resolve(BurstSpec s, Common c) {
        BurstSpec.Rule r = s.rule();
        int n = s.model().layers().size();
        BurstRule rule = r.name();
        Double pb = s.model().pBaseline();
        BurstSpec.Continuous ct = s.model().continuous();
        if (pb == null && rule == BurstRule.BURSTCCN) pb = 0.5;
        if (pb == null && rule == BurstRule.BURSTPROP) pb = ct != null ? 0.5 : 0.2; // continuous: the reference's 0.5
        if (ct != null && ct.beta() == null)
            ct = new BurstSpec.Continuous(
                    ct.dt(),
                    ct.tauSoma(),
                    ct.tauApical(),
                    ct.tauWeights(),
                    rule == BurstRule.BURSTPROP ? 1.0 : 4.0,
                    ct.tauAverage());
        Feedback y = r.Y(), q = r.Q();
        if (ct != null) { // the reference's continuous networks transport weights: Y = Wᵀ, Q = p_b·Y, after every step
            y = fill(y, FeedbackMode.TIED, 1.0, 0.0);
            if (rule == BurstRule.BURSTCCN) q = fill(q, FeedbackMode.TIED, 1.0, 0.0);
        }
        switch (rule) {
            case BURSTCCN -> {
                y = fill(y, FeedbackMode.RANDOM, 0.5, 0.0);
                // Q learns (the notebook's 7.31e-4) unless it is tied to Y
                q = fill(q, FeedbackMode.SYMMETRIC, 1.0, q.mode() == FeedbackMode.TIED ? 0.0 : 7.31e-4);
            }
            case BURSTPROP, EDN -> y = fill(y, FeedbackMode.RANDOM, 1.0, 0.0);
            case FA -> y = fill(y, FeedbackMode.RANDOM, 0.5, 0.0);
            case BP -> {}
        }
        BurstSpec.Recurrent rec = r.recurrent();
        if (rec == null && rule == BurstRule.BURSTPROP && ct == null) rec = new BurstSpec.Recurrent(true, 0.01, 1e-4);
        BurstSpec.Edn edn = r.edn();
        if (edn == null && rule == BurstRule.EDN)
            edn = new BurstSpec.Edn(0.1, 0.1, 0.1, 2.0, FeedbackMode.SYMMETRIC, 1.0);
        double[] f = r.lrFactors();
        if (f == null) {
            f = new double[n];
            Arrays.fill(f, 1.0);
        }
        BurstSpec.Model m = s.model();
        return new BurstSpec(
                new BurstSpec.Model(m.input(), m.layers(), pb, m.init(), ct),
                new BurstSpec.Rule(rule, r.learningRate(), f, r.momentum(), r.weightDecay(), y, q, rec, edn),
                s.teacher());
    }

    private static Feedback fill(Feedback f, FeedbackMode mode, double scale, double lr) {
        return new Feedback(
                f.mode() != null ? f.mode() : mode,
                f.scale() != null ? f.scale() : scale,
                f.learningRate() != null ? f.learningRate() : lr);
    }

    private static boolean empty(Feedback f) {
        return f.mode() == null && f.scale() == null && f.learningRate() == null;
    }

    @Override
    public void validate(BurstSpec s, Common c, Checks at) {
        Topology arch;
        try {
            arch = topology(s);
        } catch (IllegalArgumentException e) {
            throw at.error("model.layers", e.getMessage());
        }
        List<LayerSpec> layers = s.model().layers();
        for (int i = 0; i < layers.size(); i++) {
            String key = "model.layers[" + i + "]";
            switch (layers.get(i)) {
                case LayerSpec.Dense d ->
                    at.require(
                            d.activation() == Activation.SIGMOID,
                            key + ".activation",
                            "burst networks are sigmoid networks (their burst probabilities use 1 − e = σ'(v)/σ(v))");
                case LayerSpec.Conv2d k -> {
                    at.require(
                            k.activation() == Activation.SIGMOID,
                            key + ".activation",
                            "burst networks are sigmoid networks (their burst probabilities use 1 − e = σ'(v)/σ(v))");
                    at.require(
                            s.rule().name() != BurstRule.BURSTPROP && s.rule().name() != BurstRule.EDN,
                            key,
                            s.rule().name().name().toLowerCase() + " is built for dense layers only");
                }
                case LayerSpec.MaxPool2d p -> throw at.error(key, "burst networks have no pooling layers");
            }
        }
        BurstSpec.Rule r = s.rule();
        BurstRule rule = r.name();
        at.length(r.lrFactors(), layers.size(), "rule.lrFactors", "layer");
        Double pb = s.model().pBaseline();
        boolean bursts = rule == BurstRule.BURSTCCN || rule == BurstRule.BURSTPROP;
        at.require(
                bursts || pb == null,
                "model.pBaseline",
                "only burstccn and burstprop have a baseline burst probability");
        if (rule == BurstRule.BURSTCCN)
            at.require(
                    pb <= 0.5,
                    "model.pBaseline",
                    "above 0.5 the burst probability 2p_b·σ(·) can exceed 1 (" + pb + ")");
        if (rule == BurstRule.BP)
            at.require(empty(r.Y()), "rule.Y", "bp sends errors down through W itself; remove rule.Y");
        if (rule != BurstRule.BURSTCCN)
            at.require(empty(r.Q()), "rule.Q", "only burstccn has the Q pathway; remove rule.Q");
        if (rule.usesY()) {
            at.require(r.Y().mode() != FeedbackMode.W_SYMMETRIC, "rule.Y.mode", "w-symmetric is a mode of Q only");
            at.require(
                    !(r.Y().mode() == FeedbackMode.TIED && r.Y().learningRate() > 0),
                    "rule.Y.learningRate",
                    "tied Y is copied from W after every update; it cannot also learn");
        }
        if (rule == BurstRule.BURSTCCN)
            at.require(
                    !(r.Q().mode() == FeedbackMode.TIED && r.Q().learningRate() > 0),
                    "rule.Q.learningRate",
                    "tied Q is copied from Y after every update; it cannot also learn");
        if (rule == BurstRule.EDN || rule == BurstRule.FA || rule == BurstRule.BP)
            at.require(
                    r.Y().learningRate() == null || r.Y().learningRate() == 0,
                    "rule.Y.learningRate",
                    rule.name().toLowerCase() + " keeps its feedback fixed");
        if (rule == BurstRule.BURSTPROP)
            at.require(
                    !(r.momentum() > 0 && r.Y().learningRate() > 0),
                    "rule.momentum",
                    "learned Y with momentum is not supported; set one of them to 0");
        at.require(
                rule == BurstRule.BURSTPROP || r.recurrent() == null,
                "rule.recurrent",
                "only burstprop has recurrent weights");
        at.require(
                s.model().continuous() == null || r.recurrent() == null,
                "rule.recurrent",
                "the continuous-time Burstprop has no recurrent weights");
        at.require(rule == BurstRule.EDN || r.edn() == null, "rule.edn", "only the edn rule reads rule.edn");
        if (rule == BurstRule.EDN) {
            var t = c.data().targets();
            at.require(
                    t.high() == 1.0 && t.low() == 0.0,
                    "data.targets",
                    "EDN nudges its output towards logit(0.2 + 0.6·y) and needs one-hot targets (high 1, low 0)");
        }
        BurstSpec.Continuous ct = s.model().continuous();
        boolean ts = c.task().name() == TaskKind.TEACHER_STUDENT;
        if (ct == null) {
            at.require(
                    !ts,
                    "model.continuous",
                    "the teacher-student task is the continuous regression of §5: add model.continuous");
            at.require(
                    c.schedule().presentation() != null && c.schedule().presentation() == 1.0,
                    "schedule.presentation",
                    "a burst network takes one mini-batch per step: leave schedule.presentation out (it is 1)");
        } else {
            at.require(
                    rule == BurstRule.BURSTCCN || rule == BurstRule.BURSTPROP,
                    "rule.name",
                    "the continuous-time network learns with burstccn or burstprop");
            at.require(
                    ts && c.data().signal() != null,
                    "model.continuous",
                    "a continuous burst network runs the teacher-student task on a signal (task: teacher-student, data.signal)");
            for (int i = 0; i < layers.size(); i++)
                at.require(
                        layers.get(i) instanceof LayerSpec.Dense,
                        "model.layers[" + i + "]",
                        "the continuous-time network is dense");
            at.require(
                    ct.tauSoma() >= ct.dt(),
                    "model.continuous.tauSoma",
                    "below dt = " + ct.dt() + " the Euler step overshoots");
            at.require(
                    ct.tauApical() >= ct.dt(),
                    "model.continuous.tauApical",
                    "below dt = " + ct.dt() + " the Euler step overshoots");
            at.require(
                    ct.tauAverage() >= ct.dt(),
                    "model.continuous.tauAverage",
                    "below dt = " + ct.dt() + " the Euler step overshoots");
            at.require(r.momentum() == 0, "rule.momentum", "the continuous-time network learns without momentum");
            at.require(
                    r.Y().learningRate() == 0 && (r.Q().learningRate() == null || r.Q().learningRate() == 0),
                    "rule.Y",
                    "the continuous-time network keeps Y and Q fixed or tied (as the reference)");
        }
        if (ts) {
            BurstSpec.Teacher t = s.teacher();
            at.require(t != null, "teacher", "the teacher-student task needs a teacher section (its layers)");
            for (int i = 0; i < t.layers().size(); i++)
                at.require(
                        t.layers().get(i) instanceof LayerSpec.Dense d && d.activation() == Activation.SIGMOID,
                        "teacher.layers[" + i + "]",
                        "the teacher is a dense sigmoid network");
            at.require(
                    t.layers().getLast() instanceof LayerSpec.Dense d && d.units() == arch.outputLength(),
                    "teacher.layers",
                    "the teacher's output must have the student's " + arch.outputLength() + " units");
        } else {
            at.require(s.teacher() == null, "teacher", "only the teacher-student task has a teacher");
        }
        at.require(
                c.data().stepsPerSample() == null,
                "data.stepsPerSample",
                "burst networks take one mini-batch per step; remove it");
        at.require(c.optimizer() == null, "optimizer", "burst networks learn with rule.learningRate; remove optimizer");
        if (arch.layers().size() < 2 && rule != BurstRule.BP)
            at.require(false, "model.layers", "needs at least one hidden layer for feedback to reach");
    }

    /** Discrete: one step per mini-batch (time counts mini-batches); continuous: model.continuous.dt. */
    @Override
    public double dt(BurstSpec s) {
        return s.model().continuous() != null ? s.model().continuous().dt() : 1.0;
    }

    @Override
    public Sizes sizes(BurstSpec s) {
        Topology arch = topology(s);
        return new Sizes(arch.inputLength(), "model.input", arch.outputLength(), "model.layers");
    }

    @Override
    public BurstNetwork build(BurstSpec s, Build b) {
        return new BurstNetwork(s, topology(s), b.backend(), b.dtype(), b.batch(), b.seed());
    }

    /** The teacher: a discrete sigmoid network of teacher.layers that never learns (its step is the forward sweep). */
    @Override
    public BurstNetwork buildTeacher(BurstSpec s, Build b) {
        BurstSpec.Teacher t = s.teacher();
        InputShape in = s.model().input();
        Topology arch = new Topology(in.channels(), in.height(), in.width(), t.layers());
        BurstSpec ts = new BurstSpec(
                new BurstSpec.Model(in, t.layers(), null, new BurstSpec.Init(1.0), null),
                new BurstSpec.Rule(
                        BurstRule.BP,
                        1.0,
                        new double[t.layers().size()],
                        0,
                        0,
                        new Feedback(null, null, null),
                        new Feedback(null, null, null),
                        null,
                        null),
                null);
        BurstNetwork n = new BurstNetwork(ts, arch, b.backend(), b.dtype(), b.batch(), t.seed());
        n.linearInit(t.weightScale());
        return n;
    }

    /** The student's parameters where the teacher has the same architecture; none where it differs (no parameter error then). */
    @Override
    public List<String> learnedParameters(BurstSpec s, BurstNetwork student) {
        if (s.teacher() == null || !s.teacher().layers().equals(s.model().layers())) return List.of();
        List<String> out = new ArrayList<>();
        for (int l = 1; l <= s.model().layers().size(); l++) {
            out.add("layer" + l + ".W");
            out.add("layer" + l + ".b");
        }
        return out;
    }

    /**
     * Per hidden layer ℓ the angle between its feedback and the forward weights it stands for,
     * ∠(Y_ℓ, W_{ℓ+1}ᵀ) (and for BurstCCN ∠(Q_ℓ, Y_ℓ)); per layer the angles between the rule's update of
     * W and the BP gradient ({@code angle_dW_bp_ℓ}) and the FA update through the same Y
     * ({@code angle_dW_fa_ℓ}), on the epoch's last training batch (as the authors log them, on a
     * training batch without applying the update).
     */
    @Override
    public List<EpochMetric<BurstNetwork>> epochMetrics(BurstSpec s, BurstNetwork net) {
        List<String> cols = new ArrayList<>();
        int n = net.depth();
        BurstRule rule = s.rule().name();
        // tied feedback is a copy: its angle is 0 by construction
        if (rule.usesY() && s.rule().Y().mode() != FeedbackMode.TIED)
            for (int l = 1; l < n; l++) cols.add("angle_Y_WT_" + l);
        if (rule == BurstRule.BURSTCCN && s.rule().Q().mode() != FeedbackMode.TIED)
            for (int l = 1; l < n; l++) cols.add("angle_Q_Y_" + l);
        if (s.model().continuous() == null) { // the update angles belong to the one-sweep network
            if (rule != BurstRule.BP) for (int l = 1; l <= n; l++) cols.add("angle_dW_bp_" + l);
            if (rule != BurstRule.BP && rule != BurstRule.FA) for (int l = 1; l <= n; l++) cols.add("angle_dW_fa_" + l);
        }
        if (cols.isEmpty()) return List.of();
        return List.of(new EpochMetric<>(cols, BurstNetwork::angles));
    }

    @Override
    public String divergenceHint() {
        return "lower rule.learningRate (or rule.Q.learningRate)";
    }
}
