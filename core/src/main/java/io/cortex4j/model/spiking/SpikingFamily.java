package io.cortex4j.model.spiking;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.OptimizerSpec;
import io.cortex4j.config.TaskKind;
import io.cortex4j.model.EpochMetric;
import io.cortex4j.model.Family;
import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.optim.Adam;
import io.cortex4j.optim.SgdMomentum;
import io.cortex4j.tensor.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Layered spiking networks ({@code model.family: spiking}, specs/yangli.md): discrete-time LIF
 * layers with synaptic traces, trained by a per-step surrogate gradient of a global spiking error
 * carried down by BP, FA or sign-concordant feedback (uSF, brSF, frSF: the rules of the LE networks,
 * {@link FeedbackRule}). One Euler step is one unit time step; each sample is held for
 * {@code schedule.presentation} steps from rest, read out as the mean of the output trace, and the
 * optimizer applies the presentation's summed gradients after its last step.
 */
public final class SpikingFamily implements Family<SpikingSpec, SpikingNetwork> {
    @Override
    public String name() {
        return "spiking";
    }

    @Override
    public Class<SpikingSpec> specType() {
        return SpikingSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION);
    }

    /** T = 5 steps per sample (TSSL-BP's), read out as the mean of the output trace; batch 32. */
    @Override
    public String defaults(TaskKind task) {
        return "{schedule: {presentation: 5.0, readout: mean, batch: 32}}";
    }

    static Topology topology(SpikingSpec s) {
        InputShape in = s.model().input();
        return new Topology(in.channels(), in.height(), in.width(), s.model().layers());
    }

    /** The microcircuit's choices default to fixed magnitudes and migrating signs (the circuit is frSF). */
    @Override
    public SpikingSpec resolve(SpikingSpec s, Common c) {
        SpikingSpec.Rule r = s.rule();
        if (r.name() != SpikingRule.MICROCIRCUIT || r.circuit() != null) return s;
        return new SpikingSpec(
                s.model(),
                new SpikingSpec.Rule(
                        r.name(),
                        r.feedbackStd(),
                        r.signScale(),
                        r.loss(),
                        new SpikingSpec.Circuit(
                                SpikingSpec.Circuit.Magnitudes.FIXED, SpikingSpec.Circuit.Sign.MIGRATE)));
    }

    @Override
    public void validate(SpikingSpec s, Common c, Checks at) {
        try {
            topology(s);
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
                            "spiking layers fire spikes and have no activation function; remove it");
                case LayerSpec.Conv2d k ->
                    at.require(
                            k.activation() == Activation.SIGMOID,
                            key + ".activation",
                            "spiking layers fire spikes and have no activation function; remove it");
                case LayerSpec.MaxPool2d p -> throw at.error(key, "spiking networks have no pooling layers");
            }
        }
        SpikingSpec.Rule rule = s.rule();
        SpikingRule name = rule.name();
        at.require(
                name == SpikingRule.MICROCIRCUIT || rule.circuit() == null,
                "rule.circuit",
                "only the microcircuit rule reads rule.circuit");
        FeedbackRule r = name.feedback(rule.circuit());
        at.require(
                r != FeedbackRule.BP || (rule.feedbackStd() == null && rule.signScale() == null),
                "rule",
                "bp (and the microcircuit's transport magnitudes) send errors down through W itself;"
                        + " remove rule.feedbackStd and rule.signScale");
        at.require(
                rule.signScale() == null || r == FeedbackRule.USF,
                "rule.signScale",
                "only usf (and the microcircuit's uniform magnitudes) scales sign(W); remove it");
        at.require(
                rule.feedbackStd() == null || r != FeedbackRule.USF,
                "rule.feedbackStd",
                "usf has no random magnitudes (its scale is rule.signScale); remove it");
        Double p = c.schedule().presentation();
        at.require(
                p != null && p >= 1 && p == Math.rint(p),
                "schedule.presentation",
                "a spiking network holds each sample for a whole number of unit steps (T), got " + p);
        if (p != null && p >= 1)
            at.require(
                    s.rule().loss().silentSteps() < p,
                    "rule.loss.silentSteps",
                    "the desired train must have spikes within the presentation of " + (int) Math.rint(p) + " steps");
        at.require(
                c.optimizer() != null,
                "optimizer",
                "spiking networks learn through an optimizer stepped at the end of each presentation, e.g."
                        + " optimizer: {name: adam, learningRate: 5.0e-04}");
        at.require(
                c.data().stepsPerSample() == null,
                "data.stepsPerSample",
                "spiking networks hold each sample for schedule.presentation steps; remove it");
        at.require(c.schedule().settle() == 0, "schedule.settle", "every presentation starts from rest; remove it");
    }

    /** One unit time step per Euler step. */
    @Override
    public double dt(SpikingSpec s) {
        return 1.0;
    }

    @Override
    public String timeUnit() {
        return "step";
    }

    @Override
    public Sizes sizes(SpikingSpec s) {
        Topology arch = topology(s);
        return new Sizes(arch.inputLength(), "model.input", arch.outputLength(), "model.layers");
    }

    @Override
    public SpikingNetwork build(SpikingSpec s, Build b) {
        int steps = (int) Math.rint(b.common().schedule().presentation());
        SpikingNetwork net = new SpikingNetwork(s, topology(s), b.backend(), b.dtype(), b.batch(), steps, b.seed());
        OptimizerSpec o = b.common().optimizer();
        net.setOptimizer(
                o.name() == OptimizerSpec.Kind.ADAM
                        ? new Adam(b.backend(), net.slots(), o.learningRate(), o.betas()[0], o.betas()[1], o.eps())
                        : new SgdMomentum(b.backend(), net.slots(), o.learningRate(), o.momentum()));
        return net;
    }

    /**
     * ∠(B_ℓ, W_ℓ) per layer that carries errors down (not under bp or transport); per layer the angle
     * between the summed update of one presentation of the epoch's last training batch and the update
     * of the equivalent rate network under the same rule ({@code angle_dW_rate_ℓ}); and for a
     * microcircuit with fixed synapse types the fraction of each layer's weights pinned at 0.
     */
    @Override
    public List<EpochMetric<SpikingNetwork>> epochMetrics(SpikingSpec s, SpikingNetwork net) {
        List<EpochMetric<SpikingNetwork>> out = new ArrayList<>();
        SpikingSpec.Circuit c = s.rule().circuit();
        if (s.rule().name().feedback(c) != FeedbackRule.BP && net.depth() >= 2) {
            List<String> cols = new ArrayList<>();
            for (int l = 2; l <= net.depth(); l++) cols.add("angle_B_W_" + l);
            out.add(new EpochMetric<>(cols, SpikingNetwork::feedbackAngles));
        }
        if (s.model().layers().stream().allMatch(l -> l instanceof LayerSpec.Dense)) {
            List<String> rate = new ArrayList<>();
            for (int l = 1; l <= net.depth(); l++) rate.add("angle_dW_rate_" + l);
            out.add(new EpochMetric<>(rate, SpikingNetwork::rateAngles));
        }
        if (c != null && c.sign() == SpikingSpec.Circuit.Sign.FIXED) {
            List<String> cols = new ArrayList<>();
            for (int l = 1; l <= net.depth(); l++) cols.add("zero_weights_" + l);
            out.add(new EpochMetric<>(cols, SpikingNetwork::zeroFractions));
        }
        return out;
    }

    @Override
    public String divergenceHint() {
        return "lower optimizer.learningRate";
    }
}
