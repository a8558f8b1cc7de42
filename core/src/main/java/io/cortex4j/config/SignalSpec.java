package io.cortex4j.config;

/** The input current of a continuous run: one value per channel and step. */
public sealed interface SignalSpec {
    /** A ±1 square wave with a random phase per stream, smoothed by a Gaussian of {@code smoothSteps} steps. */
    @Words("square")
    record Square(
            @Key(above = 0) double halfPeriod,
            @Key(def = "0.0", min = 0) double smoothSteps) implements SignalSpec {}

    /** A sum of sines sin(ω t). */
    @Words("sines")
    record Sines(double[] omegas) implements SignalSpec {
        public Sines {
            if (omegas.length == 0) throw new IllegalArgumentException("omegas: give at least one frequency");
        }
    }

    /**
     * One cosine per input channel, x_i(t) = cos(ω_i t + φ_i), with ω_i uniform in (0, 2π/minPeriod)
     * and φ_i uniform in (0, 2π), drawn per channel and stream from the run's seed (BurstCCN's
     * continuous regression task, specs/burstccn.md §5: a minimum period of 40 steps).
     */
    @Words("cosines")
    record Cosines(@Key(above = 0) double minPeriod) implements SignalSpec {}

    /** An Ornstein–Uhlenbeck process. */
    @Words("ou")
    record Ou(
            @Key(def = "1.0", above = 0) double tau,
            @Key(def = "1.0", min = 0) double sigma) implements SignalSpec {}
}
