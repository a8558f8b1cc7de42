package io.cortex4j.model;

import io.cortex4j.tensor.Tensor;
import java.util.Map;

/**
 * Something whose evolving state can be saved and restored by name: a checkpoint holds these
 * tensors and scalars, checked by name and shape when it is loaded, never by position.
 */
public interface Stateful {
    /** Every tensor that evolves during a run other than the parameters: potentials, rates, traces, filters, moments. */
    Map<String, Tensor> stateTensors();

    /** The scalars that evolve: step counters, flags, learning rates. */
    Map<String, Double> stateScalars();

    /** Sets the scalars of {@link #stateScalars()}; every name must be known. */
    void restoreScalars(Map<String, Double> scalars);
}
