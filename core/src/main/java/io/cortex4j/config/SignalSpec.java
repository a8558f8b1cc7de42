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

    /** An Ornstein–Uhlenbeck process. */
    @Words("ou")
    record Ou(
            @Key(def = "1.0", above = 0) double tau,
            @Key(def = "1.0", min = 0) double sigma) implements SignalSpec {}
}
