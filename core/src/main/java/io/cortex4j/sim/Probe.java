package io.cortex4j.sim;

import io.cortex4j.model.microcircuit.Microcircuit;

/** Called by the {@link Presenter} after every Euler step; records whatever signals it was asked for. */
@FunctionalInterface
public interface Probe {
    void afterStep(Microcircuit network, long step);
}
