package io.cortex4j.model;

import io.cortex4j.optim.Optimizer;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.Map;

/**
 * A network of any family as the trainer sees it: tensors for input, target and read-out, one Euler
 * step (or one sweep) with its plasticity, and its parameters, state and probe-able signals by name.
 * Names are 1-based by layer ({@code layer1.W}, {@code layer2.rate}); the input is layer 0. Matrices
 * are {@code [post, pre]}; states {@code [batch, units]}.
 */
public interface Network extends Stateful, AutoCloseable {
    Backend backend();

    DType dtype();

    /** Samples stepped in parallel. */
    int batch();

    /** Written before each step: {@code [batch, inputs]}. */
    Tensor input();

    /** The target the output is nudged towards while {@link Phase#target()} is on: {@code [batch, outputs]}. */
    Tensor target();

    /** The read-out of the last step: {@code [batch, outputs]}; valid until the next step. */
    Tensor output();

    /**
     * Whether {@link #output()} itself is pulled towards {@link #target()} while {@link Phase#target()}
     * is on (the microcircuit's somatic nudging; GLE with γ ≠ 0 on its output layer). Training metrics
     * read from such an output are marked {@code _nudged}: they show how well the target is imposed,
     * not what the network has learned.
     */
    default boolean outputNudged() {
        return false;
    }

    void setPhase(Phase phase);

    Phase phase();

    /** One step in the family's own order, plasticity included. */
    void step();

    /** Steps taken so far (part of {@link #stateScalars()}). */
    long steps();

    /** Learned and fixed parameters by name, e.g. {@code layer1.W} ({@code [post, pre]}), {@code layer1.B}. */
    Map<String, Tensor> parameters();

    /** Signals a probe can record, by name: potentials, rates, errors, noise of each layer. */
    Map<String, Tensor> signals();

    /** Called before a new mini-batch is presented for training (brSF redraws its feedback magnitudes). */
    default void startBatch() {}

    /**
     * Called before every held presentation of a batch, in training and in evaluation (after
     * {@link #startBatch} in training): a network whose samples each start from rest (a spiking
     * network) resets its state here.
     */
    default void startPresentation() {}

    /** Whether {@link #setBatch} can change the number of parallel samples while the state carries over. */
    default boolean resizable() {
        return false;
    }

    /** Changes the number of parallel samples, carrying the state over as the family's reference does. */
    default void setBatch(int batch) {
        if (batch != batch()) throw new UnsupportedOperationException("this network's batch size is fixed");
    }

    /** The optimizer stepped with the network, or null (its rates are part of the rule). */
    default Optimizer optimizer() {
        return null;
    }

    @Override
    void close();
}
