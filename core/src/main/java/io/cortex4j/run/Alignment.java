package io.cortex4j.run;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PAL's bw_only task (specs/pal.md §5.1): random inputs are held one after the other with no target
 * and the forward weights frozen, while the feedback pathway learns from the rule's noise alone; the
 * family's epoch metrics (the angles between B and Wᵀ) are the result.
 */
public final class Alignment implements Task {
    private final RunContext c;
    private final LabeledData train;
    private final int batch;
    private int[] perm;

    Alignment(RunContext c, TaskData d) {
        this.c = c;
        this.train = d.train();
        this.batch = c.e.schedule().batch();
    }

    @Override
    public List<String> trainColumns() {
        return List.of();
    }

    @Override
    public List<String> evalColumns() {
        return List.of();
    }

    @Override
    public int epochs() {
        return c.e.schedule().epochs();
    }

    @Override
    public int batches(int epoch) {
        return train.size() / batch;
    }

    @Override
    public int samplesPerBatch() {
        return batch;
    }

    @Override
    public void settle() {
        Holds.settle(c, train);
    }

    @Override
    public void startEpoch(int epoch) {
        perm = c.rng.permutation(RunContext.STREAM_SHUFFLE, epoch, train.size());
        c.net.setPhase(Phase.ALIGN);
    }

    @Override
    public void trainBatch(int epoch, int b) {
        c.writeInputs(train, perm, b * batch);
        c.hold();
    }

    @Override
    public double[] takeTrainMetrics() {
        return new double[0];
    }

    @Override
    public double[] evaluate() {
        return new double[0];
    }

    @Override
    public Map<String, Object> finish() {
        return Map.of();
    }

    @Override
    public Map<String, Network> networks() {
        return Map.of("", c.net);
    }

    @Override
    public Map<String, Double> stateScalars() {
        return Map.of();
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {}

    @Override
    public Map<String, Object> dataSummary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", train.name());
        m.put("train_size", train.size());
        return m;
    }
}
