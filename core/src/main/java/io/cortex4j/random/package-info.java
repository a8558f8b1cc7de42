/**
 * Reproducible, backend-independent random numbers: the {@link io.cortex4j.random.Philox4x32}
 * counter-based block function and the project's streams built on it,
 * {@link io.cortex4j.random.CounterRandom}.
 */
package io.cortex4j.random;
