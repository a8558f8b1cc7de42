/**
 * Baselines a user would pick instead of the LE networks: the same {@link
 * io.cortex4j.model.topology.Topology} trained with plain backprop in DL4J ({@link
 * io.cortex4j.baselines.Dl4jNetwork}), with parameters and gradients exchanged in our layout so
 * that the two can be compared number by number.
 */
package io.cortex4j.baselines;
