/**
 * Dependency-free, headless charts written as PNG files: {@link io.cortex4j.plot.LinePlot}.
 */
package io.cortex4j.plot;
