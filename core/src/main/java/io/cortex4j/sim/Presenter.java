package io.cortex4j.sim;

import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The presentation schedule of the Euler integrator: holds one batch of inputs (and targets) for
 * the presentation time while the network steps, and averages the output's prospective potential
 * ŭ_N over the readout window (the last part of the presentation, skipping the transient), as the
 * references read out a class (specs/pal.md §5.2).
 */
public final class Presenter {
    private final Microcircuit net;
    private final int stepsPerSample;
    private final int readoutFrom;
    private final Tensor readout;
    private final List<Probe> probes = new ArrayList<>();
    private Runnable beforeStep = () -> {};
    /** One Euler step (with its hook), and one that also adds ŭ_N to the readout: each runs as a recurring op stretch ({@link Backend#runRepeated}). */
    private final Runnable step, stepAndRead;

    /**
     * @param stepsPerSample Euler steps per presented batch (T_pres/dt)
     * @param skipFraction   fraction of the presentation skipped before the readout averages ŭ_N
     */
    public Presenter(Microcircuit net, int stepsPerSample, double skipFraction) {
        if (stepsPerSample <= 0) throw new IllegalArgumentException("a presentation needs ≥ 1 step");
        this.net = net;
        this.stepsPerSample = stepsPerSample;
        this.readoutFrom = Math.min(stepsPerSample - 1, (int) Math.floor(skipFraction * stepsPerSample));
        this.readout =
                net.backend().zeros(net.dtype(), net.batch(), net.params().layers()[net.depth()]);
        this.step = () -> {
            beforeStep.run();
            net.step();
        };
        this.stepAndRead = () -> {
            beforeStep.run();
            net.step();
            net.backend().axpby(1.0, net.prospectivePotential(net.depth()), 1.0, readout);
        };
    }

    public void addProbe(Probe p) {
        probes.add(p);
    }

    public void removeLastProbe() {
        probes.remove(probes.size() - 1);
    }

    /** Runs before every Euler step (e.g. a teacher network that supplies this step's target). */
    public void beforeStep(Runnable hook) {
        this.beforeStep = hook;
    }

    /** Index (0-based, within a presentation) of the first step the readout averages. */
    public int readoutFrom() {
        return readoutFrom;
    }

    public int stepsPerSample() {
        return stepsPerSample;
    }

    /** Runs {@code steps} Euler steps with whatever input/target is set, calling the probes. */
    public void run(long steps) {
        for (long i = 0; i < steps; i++) stepOnce(step);
    }

    private void stepOnce(Runnable ops) {
        net.backend().runRepeated(ops);
        for (Probe p : probes) p.afterStep(net, net.stepCount());
    }

    /**
     * Presents the batch already written into the network's input (and target) tensors and returns
     * the mean ŭ_N over the readout window, row-major [batch, n_N].
     */
    public double[] present() {
        Backend be = net.backend();
        be.fill(readout, 0.0);
        for (int s = 0; s < stepsPerSample; s++) stepOnce(s >= readoutFrom ? stepAndRead : step);
        double[] out = readout.toHost();
        double k = 1.0 / (stepsPerSample - readoutFrom);
        for (int i = 0; i < out.length; i++) out[i] *= k;
        return out;
    }
}
