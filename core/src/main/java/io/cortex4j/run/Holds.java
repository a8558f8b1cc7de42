package io.cortex4j.run;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.Phase;

/** What the held presentations of every task share. */
final class Holds {
    private Holds() {}

    /**
     * Settles the network before training (schedule.settle): the first training sample on every
     * row of the input, no learning, no target, no noise.
     */
    static void settle(RunContext c, LabeledData train) {
        if (!(c.presentation instanceof Presentation.Hold)) return;
        long steps = Math.round(c.e.schedule().settle() / c.family.dt(c.spec));
        if (steps == 0) return;
        c.net.setPhase(Phase.FREE);
        int[] first = new int[c.net.batch()];
        c.writeInputs(train, first, 0);
        for (long i = 0; i < steps; i++) c.stepper.step(false);
    }
}
