/**
 * Baselines a user would pick instead of the LE networks: the same {@link
 * io.cortex4j.model.topology.Topology} trained with plain backprop in DL4J ({@link
 * io.cortex4j.baselines.Dl4jNetwork}), with parameters and gradients exchanged in our layout so
 * that the two can be compared number by number.
 *
 * <p>Data crosses over both ways: {@link io.cortex4j.baselines.LabeledDataIterator} feeds our
 * {@link io.cortex4j.datasets.LabeledData} to anything that takes a DL4J {@code DataSetIterator}
 * (fit, evaluate, normalizers, prefetching), with the epoch permutations of our training loops;
 * {@link io.cortex4j.baselines.Dl4jData} reads any {@code DataSetIterator} into an
 * {@link io.cortex4j.datasets.InMemoryData}.
 */
package io.cortex4j.baselines;
