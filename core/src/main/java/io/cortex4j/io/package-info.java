/**
 * Dependency-free file formats: NumPy {@code .npy} / {@code .npz} arrays
 * ({@link io.cortex4j.io.Npy}, {@link io.cortex4j.io.Npz}, {@link io.cortex4j.io.NpyArray}) and
 * crash-safe file replacement ({@link io.cortex4j.io.AtomicFiles}).
 */
package io.cortex4j.io;
