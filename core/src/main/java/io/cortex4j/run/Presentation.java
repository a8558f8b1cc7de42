package io.cortex4j.run;

import io.cortex4j.config.ScheduleSpec;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;

/**
 * How inputs reach a network over time (the integrator's schedule): {@link Hold} keeps one batch of
 * samples on the input for a presentation time, {@link Stream} feeds a sequence one value per step,
 * {@link Continuous} drives the input from a temporal signal with no samples at all. Each step runs
 * through {@link Stepper}, which the trainer composes (a teacher's step, probes).
 */
public sealed interface Presentation permits Presentation.Hold, Presentation.Stream, Presentation.Continuous {

    /**
     * Holds the batch already written into the network's input (and target) for {@code steps} Euler
     * steps and reads the output: after the last step ({@link ScheduleSpec.Readout#LAST}) or averaged
     * over the steps from {@code readoutFrom} on ({@link ScheduleSpec.Readout#MEAN}).
     */
    record Hold(int steps, ScheduleSpec.Readout readout, int readoutFrom) implements Presentation {
        public Hold {
            if (steps < 1) throw new IllegalArgumentException("a presentation needs ≥ 1 step");
        }

        /** The read-out {@code [batch, outputs]} row-major after presenting; {@code acc} is scratch of the output's shape. */
        public double[] present(Stepper s, Tensor acc) {
            Network net = s.network();
            net.startPresentation();
            if (readout == ScheduleSpec.Readout.LAST) {
                for (int i = 0; i < steps; i++) s.step(false);
                return net.output().toHost();
            }
            Backend be = net.backend();
            be.fill(acc, 0.0);
            for (int i = 0; i < steps; i++) s.step(i >= readoutFrom);
            double[] out = acc.toHost();
            double k = 1.0 / (steps - readoutFrom);
            for (int i = 0; i < out.length; i++) out[i] *= k;
            return out;
        }
    }

    /** Feeds each sample's sequence one value per step (each sample resampled to {@code steps} values). */
    record Stream(int steps) implements Presentation {}

    /**
     * A signal on the input for {@code settleSteps + trainSteps} steps, the first without learning,
     * reported every {@code logSteps} steps (each report is one "epoch" of the run).
     */
    record Continuous(long settleSteps, long trainSteps, long logSteps) implements Presentation {
        /** The number of reports (epochs). */
        public int epochs() {
            return Math.toIntExact((settleSteps + trainSteps + logSteps - 1) / logSteps);
        }

        /** Steps of report {@code epoch} (0-based): logSteps, the last one what remains. */
        public long stepsOf(int epoch) {
            long total = settleSteps + trainSteps;
            return Math.min(logSteps, total - epoch * logSteps);
        }
    }
}
