package io.cortex4j.run;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the tasks on labelled (or random) samples share: their splits, the mini-batches of an epoch
 * in the run's permutation, the settling before training, and the data summary.
 */
abstract class LabeledTask {
    final RunContext c;
    final LabeledData train, validation, test;
    final int batch;
    int[] perm;
    /** The running sums of a task (accuracy counts, losses), saved by checkpoints under their names. */
    final double[] sums;

    private final String[] sumNames;

    LabeledTask(RunContext c, TaskData d, String... sumNames) {
        this.c = c;
        this.sumNames = sumNames;
        this.sums = new double[sumNames.length];
        this.train = d == null ? null : d.train();
        this.validation = d == null ? null : d.validation();
        this.test = d == null ? null : d.test();
        this.batch = c.e.schedule().batch();
    }

    public int epochs() {
        return c.e.schedule().epochs();
    }

    /** Full batches only: the last partial batch is dropped, as the references' loaders do. */
    public int batches(int epoch) {
        return train.size() / batch;
    }

    public int samplesPerBatch() {
        return batch;
    }

    /**
     * Settles the network before training (schedule.settle, held presentations): the first training
     * sample on every row of the input, no learning, no target, no noise.
     */
    public void settle() {
        if (!(c.presentation instanceof Presentation.Hold)) return;
        long steps = Math.round(c.e.schedule().settle() / c.family.dt(c.spec));
        if (steps == 0) return;
        c.net.setPhase(Phase.FREE);
        c.writeInputs(train, new int[c.net.batch()], 0);
        for (long i = 0; i < steps; i++) c.stepper.step(false);
    }

    /** The training permutation of an epoch (0-based), and the phase it trains in. */
    void shuffle(int epoch, Phase phase) {
        perm = c.rng.permutation(RunContext.STREAM_SHUFFLE, epoch, train.size());
        c.net.setPhase(phase);
    }

    /** Whether the test split is the validation split (then the last validation is the test result). */
    boolean testIsValidation() {
        return test == validation;
    }

    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < sums.length; i++) m.put(sumNames[i], sums[i]);
        return m;
    }

    public void restoreScalars(Map<String, Double> s) {
        for (int i = 0; i < sums.length; i++) sums[i] = s.get(sumNames[i]);
    }

    public Map<String, Network> networks() {
        return Map.of("", c.net);
    }

    public Map<String, Object> dataSummary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", train.name());
        m.put("train_size", train.size());
        if (validation != null) m.put("validation_size", validation.size());
        if (test != null && test != validation) m.put("test_size", test.size());
        return m;
    }
}
