package io.cortex4j.run;

import io.cortex4j.model.Phase;
import java.util.List;
import java.util.Map;

/**
 * PAL's bw_only task (specs/pal.md §5.1): random inputs are held one after the other with no target
 * and the forward weights frozen, while the feedback pathway learns from the rule's noise alone; the
 * family's epoch metrics (the angles between B and Wᵀ) are the result.
 */
public final class Alignment extends LabeledTask implements Task {
    Alignment(RunContext c, TaskData d) {
        super(c, d);
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
    public void startEpoch(int epoch) {
        shuffle(epoch, Phase.ALIGN);
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
}
