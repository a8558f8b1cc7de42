package io.cortex4j.model.le;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.TaskKind;
import io.cortex4j.metrics.Angles;
import io.cortex4j.model.EpochMetric;
import io.cortex4j.model.Family;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Layered latent-equilibrium networks (dense, conv, max-pool) with BP, FA, DFA, the sign-concordant
 * uSF, brSF, frSF, or PAL (specs/pal.md §4–5.3), as a family: classification and the autoencoder,
 * each mini-batch held for {@code schedule.presentation} time units and read out after its last step.
 */
public final class LeFamily implements Family<LeSpec, LeNetwork> {
    @Override
    public String name() {
        return "le";
    }

    @Override
    public Class<LeSpec> specType() {
        return LeSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION, TaskKind.AUTOENCODER);
    }

    @Override
    public String defaults(TaskKind task) {
        return "{schedule: {presentation: 10.0, readout: last, batch: 32}}";
    }

    /** The topology of a spec, or an error naming model.layers. */
    static Topology topology(LeSpec s, Checks at) {
        InputShape in = s.model().input();
        try {
            return new Topology(
                    in.channels(), in.height(), in.width(), s.model().layers());
        } catch (IllegalArgumentException e) {
            if (at == null) throw e;
            throw at.error("model.layers", e.getMessage());
        }
    }

    @Override
    public LeSpec resolve(LeSpec s, Common c) {
        int n = s.model().layers().size();
        double dt = s.model().dt();
        LeSpec.Rule r = s.rule();
        boolean pal = r.name() == FeedbackRule.PAL;
        LeSpec.Rule rr = new LeSpec.Rule(
                r.name(),
                r.learningRate(),
                orFill(r.lrFactors(), n, 1.0),
                pal ? orFill(r.feedbackLrFactors(), n, 1.0) : r.feedbackLrFactors(),
                pal ? orFill(r.alpha(), n, 1e-4) : r.alpha(),
                pal ? orFill(r.sigma(), n, 1e-2) : r.sigma(),
                pal ? orFill(r.tauXi(), n, 10 * dt) : r.tauXi(),
                pal ? orFill(r.tauHighPass(), n, 10 * dt) : r.tauHighPass(),
                orFill(r.tauLowPass(), n, 0.0),
                r.signScale() != null ? r.signScale() : s.model().init().std());
        return new LeSpec(s.model(), rr);
    }

    private static double[] orFill(double[] v, int n, double def) {
        if (v != null) return v;
        double[] d = new double[n];
        Arrays.fill(d, def);
        return d;
    }

    @Override
    public void validate(LeSpec s, Common c, Checks at) {
        LeSpec.Model m = s.model();
        at.require(
                m.units().equals("dimensionless"),
                "model.units",
                "layered LE networks use the papers' dimensionless time units");
        Topology arch = topology(s, at);
        int n = m.layers().size();
        at.require(m.tau() >= m.dt(), "model.tau", "τ = " + m.tau() + " is below dt = " + m.dt());
        LeSpec.Rule r = s.rule();
        if (r.name() != FeedbackRule.PAL) {
            String[] keys = {"feedbackLrFactors", "alpha", "sigma", "tauXi", "tauHighPass"};
            double[][] vals = {r.feedbackLrFactors(), r.alpha(), r.sigma(), r.tauXi(), r.tauHighPass()};
            for (int i = 0; i < keys.length; i++)
                at.require(vals[i] == null, "rule." + keys[i], "only the pal rule uses " + keys[i]);
        }
        String what = "layer (pooling layers included)";
        at.length(r.lrFactors(), n, "rule.lrFactors", what);
        at.length(r.feedbackLrFactors(), n, "rule.feedbackLrFactors", what);
        at.length(r.alpha(), n, "rule.alpha", what);
        at.length(r.sigma(), n, "rule.sigma", what);
        at.length(r.tauXi(), n, "rule.tauXi", what);
        at.length(r.tauHighPass(), n, "rule.tauHighPass", what);
        at.length(r.tauLowPass(), n, "rule.tauLowPass", what);
        for (int i = 0; i < n; i++) {
            if (r.name() == FeedbackRule.PAL) {
                at.require(
                        !(r.sigma()[i] > 0 && r.tauXi()[i] < m.dt()),
                        "rule.tauXi",
                        "layer " + (i + 1) + ": τ_ξ is below dt = " + m.dt());
                at.require(
                        r.tauHighPass()[i] >= m.dt(),
                        "rule.tauHighPass",
                        "layer " + (i + 1) + ": τ_HP is below dt = " + m.dt());
            }
            at.require(
                    r.tauLowPass()[i] == 0 || r.tauLowPass()[i] >= m.dt(),
                    "rule.tauLowPass",
                    "layer " + (i + 1) + ": τ_LO is below dt = " + m.dt() + " (0 switches it off)");
        }
        if (c.task().name() == TaskKind.AUTOENCODER) {
            int latent = c.task().latent();
            at.require(latent < n, "task.latent", "the latent layer must be a hidden layer 1.." + (n - 1));
        }
        at.require(
                c.data().stepsPerSample() == null,
                "data.stepsPerSample",
                "LE networks hold each mini-batch for schedule.presentation; remove it");
        at.require(
                c.optimizer() == null, "optimizer", "LE networks learn with rule.learningRate; remove the optimizer");
        params(s, arch);
    }

    static LeParams params(LeSpec s, Topology arch) {
        LeSpec.Model m = s.model();
        LeSpec.Rule r = s.rule();
        int n = m.layers().size();
        double dt = m.dt();
        return new LeParams(
                arch,
                r.name(),
                m.output(),
                m.tau(),
                dt,
                m.beta(),
                r.learningRate(),
                r.lrFactors(),
                r.feedbackLrFactors() != null ? r.feedbackLrFactors() : LeParams.fill(n, 0.0),
                r.alpha() != null ? r.alpha() : LeParams.fill(n, 1e-4),
                r.sigma() != null ? r.sigma() : LeParams.fill(n, 0.0),
                r.tauXi() != null ? r.tauXi() : LeParams.fill(n, 10 * dt),
                r.tauHighPass() != null ? r.tauHighPass() : LeParams.fill(n, 10 * dt),
                r.tauLowPass(),
                m.init().std(),
                m.init().feedbackStd(),
                r.signScale());
    }

    @Override
    public double dt(LeSpec s) {
        return s.model().dt();
    }

    @Override
    public Sizes sizes(LeSpec s) {
        Topology arch = topology(s, null);
        return new Sizes(arch.inputLength(), "model.input", arch.outputLength(), "model.layers");
    }

    @Override
    public LeNetwork build(LeSpec s, Build b) {
        return new LeNetwork(params(s, topology(s, null)), b.backend(), b.dtype(), b.batch(), b.seed());
    }

    /** ∠(B_ℓ, W_ℓ) of every layer whose errors travel back through a feedback matrix (all rules but BP and DFA). */
    @Override
    public List<EpochMetric<LeNetwork>> epochMetrics(LeSpec s, LeNetwork net) {
        FeedbackRule r = s.rule().name();
        if (r == FeedbackRule.BP || r == FeedbackRule.DFA) return List.of();
        List<Integer> layers = new ArrayList<>();
        for (int i : net.weightLayers()) if (i > 0) layers.add(i);
        if (layers.isEmpty()) return List.of();
        List<String> cols = new ArrayList<>();
        for (int i : layers) cols.add("angle_B_W_" + (i + 1));
        return List.of(new EpochMetric<>(cols, n -> {
            double[] a = new double[layers.size()];
            for (int k = 0; k < a.length; k++)
                a[k] = Angles.degrees(
                        n.weights(layers.get(k)).toHost(),
                        n.feedback(layers.get(k)).toHost());
            return a;
        }));
    }

    @Override
    public String divergenceHint() {
        return "lower rule.learningRate or rule.lrFactors";
    }
}
