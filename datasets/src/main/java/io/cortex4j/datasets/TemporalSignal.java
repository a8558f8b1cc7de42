package io.cortex4j.datasets;

import java.util.SplittableRandom;

/**
 * Streams of input currents for the temporal tasks (specs/gle.md §6): {@code batch} parallel
 * channels of {@code width} values, sampled once per Euler step. A signal is a pure function of the
 * step index (and its seed), except the Ornstein–Uhlenbeck process, which must be read in order.
 */
public sealed interface TemporalSignal
        permits TemporalSignal.SquareWave,
                TemporalSignal.Sines,
                TemporalSignal.Cosines,
                TemporalSignal.OrnsteinUhlenbeck {
    int batch();

    int width();

    /** Writes the values at Euler step k (time k·dt) into out [batch·width], row-major. */
    void fill(long k, double[] out);

    /**
     * A ±1 square wave of the given half-period, smoothed by a Gaussian of {@code sigmaSteps} Euler
     * steps (as a periodic convolution), one random phase per batch row (LagLine, §6.1). Width 1.
     */
    static SquareWave square(double halfPeriod, double dt, double sigmaSteps, int batch, long seed) {
        return new SquareWave(halfPeriod, dt, sigmaSteps, batch, seed);
    }

    final class SquareWave implements TemporalSignal {
        private final double[] period;
        private final int[] phase;

        SquareWave(double halfPeriod, double dt, double sigmaSteps, int batch, long seed) {
            if (!(halfPeriod > 0) || !(dt > 0) || !(sigmaSteps >= 0) || batch < 1) {
                throw new IllegalArgumentException(
                        "square wave: need halfPeriod > 0, dt > 0, sigmaSteps ≥ 0 and batch ≥ 1");
            }
            int half = (int) Math.round(halfPeriod / dt);
            if (half < 1 || Math.abs(half * dt - halfPeriod) > 1e-9 * halfPeriod) {
                throw new IllegalArgumentException(
                        "square wave: the half-period " + halfPeriod + " must be a whole number of steps of dt " + dt);
            }
            int n = 2 * half;
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) raw[i] = i < half ? 1.0 : -1.0;
            period = new double[n];
            if (sigmaSteps == 0) {
                System.arraycopy(raw, 0, period, 0, n);
            } else {
                int reach = (int) Math.ceil(4 * sigmaSteps);
                double[] kern = new double[2 * reach + 1];
                double sum = 0;
                for (int j = -reach; j <= reach; j++)
                    sum += kern[j + reach] = Math.exp(-0.5 * j * j / (sigmaSteps * sigmaSteps));
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = -reach; j <= reach; j++) s += kern[j + reach] * raw[Math.floorMod(i - j, n)];
                    period[i] = s / sum;
                }
            }
            SplittableRandom rng = new SplittableRandom(seed);
            phase = new int[batch];
            for (int b = 0; b < batch; b++) phase[b] = rng.nextInt(n);
        }

        @Override
        public int batch() {
            return phase.length;
        }

        @Override
        public int width() {
            return 1;
        }

        @Override
        public void fill(long k, double[] out) {
            for (int b = 0; b < phase.length; b++)
                out[b] = period[(int) Math.floorMod(k + phase[b], (long) period.length)];
        }
    }

    /** x(t) = Σ_k sin(ω_k t), the same in every row (LagNet, §6.2). Width 1. */
    static Sines sines(double dt, int batch, double... omegas) {
        return new Sines(dt, batch, omegas);
    }

    final class Sines implements TemporalSignal {
        private final double dt;
        private final int batch;
        private final double[] omegas;

        Sines(double dt, int batch, double[] omegas) {
            if (!(dt > 0) || batch < 1 || omegas.length == 0)
                throw new IllegalArgumentException("sines: need dt > 0, batch ≥ 1 and at least one ω");
            this.dt = dt;
            this.batch = batch;
            this.omegas = omegas.clone();
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int width() {
            return 1;
        }

        @Override
        public void fill(long k, double[] out) {
            double t = k * dt, s = 0;
            for (double w : omegas) s += Math.sin(w * t);
            java.util.Arrays.fill(out, 0, batch, s);
        }
    }

    /**
     * x_i(t) = cos(ω_i t + φ_i) per channel i and row, ω_i uniform in [0, 2π/minPeriod), φ_i uniform in
     * [0, 2π), drawn from the seed (BurstCCN's continuous regression inputs, specs/burstccn.md §5).
     */
    static Cosines cosines(double minPeriod, double dt, int batch, int width, long seed) {
        return new Cosines(minPeriod, dt, batch, width, seed);
    }

    final class Cosines implements TemporalSignal {
        private final double dt;
        private final int batch, width;
        private final double[] omega, phase;

        Cosines(double minPeriod, double dt, int batch, int width, long seed) {
            if (!(minPeriod > 0) || !(dt > 0) || batch < 1 || width < 1)
                throw new IllegalArgumentException("cosines: need minPeriod > 0, dt > 0, batch ≥ 1 and width ≥ 1");
            this.dt = dt;
            this.batch = batch;
            this.width = width;
            SplittableRandom rng = new SplittableRandom(seed);
            omega = new double[batch * width];
            phase = new double[batch * width];
            for (int i = 0; i < omega.length; i++) {
                omega[i] = rng.nextDouble() * 2 * Math.PI / minPeriod;
                phase[i] = rng.nextDouble() * 2 * Math.PI;
            }
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public void fill(long k, double[] out) {
            double t = k * dt;
            for (int i = 0; i < omega.length; i++) out[i] = Math.cos(omega[i] * t + phase[i]);
        }
    }

    /**
     * An Ornstein–Uhlenbeck process τ dx = −x dt + σ√(2τ) dW per channel (stationary std σ), started
     * at 0 and advanced by exact discretisation; {@link #fill} must be called with k = 0, 1, 2, ….
     */
    static OrnsteinUhlenbeck ou(double tau, double sigma, double dt, int batch, int width, long seed) {
        return new OrnsteinUhlenbeck(tau, sigma, dt, batch, width, seed);
    }

    final class OrnsteinUhlenbeck implements TemporalSignal {
        private final double decay, gain;
        private final int batch, width;
        private final double[] x;
        private final SplittableRandom rng;
        private long next;

        OrnsteinUhlenbeck(double tau, double sigma, double dt, int batch, int width, long seed) {
            if (!(tau > 0) || !(sigma >= 0) || !(dt > 0) || batch < 1 || width < 1)
                throw new IllegalArgumentException("OU: need τ > 0, σ ≥ 0, dt > 0");
            this.decay = Math.exp(-dt / tau);
            this.gain = sigma * Math.sqrt(1 - decay * decay);
            this.batch = batch;
            this.width = width;
            this.x = new double[batch * width];
            this.rng = new SplittableRandom(seed);
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public void fill(long k, double[] out) {
            if (k != next)
                throw new IllegalStateException(
                        "the OU process is read in order: expected step " + next + ", got " + k);
            if (k > 0) {
                for (int i = 0; i < x.length; i++) {
                    double z = gaussian();
                    x[i] = decay * x[i] + gain * z;
                }
            }
            next++;
            System.arraycopy(x, 0, out, 0, x.length);
        }

        private double gaussian() {
            double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
            return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
    }
}
