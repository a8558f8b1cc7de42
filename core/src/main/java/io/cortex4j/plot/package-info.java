/**
 * Headless charts written as PNG files: the plots of a run from its metrics table, drawn with XChart
 * ({@link io.cortex4j.plot.RunPlots}, {@link io.cortex4j.plot.PlotData}), and the older dependency-free
 * {@link io.cortex4j.plot.LinePlot}.
 */
package io.cortex4j.plot;
