/**
 * Data sets for cortex4j: the {@link io.cortex4j.datasets.LabeledData} interface, its in-memory
 * implementation, loaders for Yin-Yang (generated or official CSV), MNIST-style IDX files, CIFAR-10
 * binary batches, MNIST-1D CSV and random inputs, the {@link io.cortex4j.datasets.Datasets}
 * registry, and {@link io.cortex4j.datasets.DataDirectory} to find the data on disk. Depends on
 * the JDK only.
 */
package io.cortex4j.datasets;
