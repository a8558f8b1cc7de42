package io.cortex4j.model.gle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.datasets.TemporalSignal;
import io.cortex4j.optim.Adam;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LagLine (specs/gle.md §6.1): a two-neuron softplus chain learns its weights and membrane time
 * constants from a teacher (w = (1, 2), τm = (1, 2)) driven by a smoothed square wave. With GLE's
 * prospective errors it recovers them; with instantaneous errors ("bp") it does not.
 */
class LagLineTest {
    static final Backend BE = new Nd4jCpuBackend();
    static final double DT = 0.01;

    static GleParams chain(double tau0, double tau1, boolean prospective, boolean learnTau) {
        return new GleParams(1, List.of(GleLayerSpec.uniform(1, Activation.SOFTPLUS, tau0, 0.1, false),
                GleLayerSpec.uniform(1, Activation.SOFTPLUS, tau1, 0.1, false)), DT, 1.0, 0.01, prospective, GleParams.Loss.MSE,
                GleParams.Feedback.TRANSPOSE, learnTau, 0.1, 100);
    }

    /** Runs settle + train time units; returns the student's (w0, w1, τm0, τm1). */
    static double[] run(boolean prospective, double trainTime) {
        int batch = 100;
        try (GleNetwork teacher = new GleNetwork(chain(1.0, 2.0, true, false), BE, DType.FLOAT32, batch, 1);
                GleNetwork student = new GleNetwork(chain(0.97, 0.44, prospective, true), BE, DType.FLOAT32, batch, 2)) {
            BE.copyFromHost(new double[] {1.0}, teacher.weights(0));
            BE.copyFromHost(new double[] {2.0}, teacher.weights(1));
            BE.copyFromHost(new double[] {0.57}, student.weights(0));
            BE.copyFromHost(new double[] {0.75}, student.weights(1));
            teacher.setLearning(false);
            student.setOptimizer(new Adam(BE, student.slots(), 1e-4));
            student.setTargetOn(true);
            TemporalSignal x = TemporalSignal.square(2.0, DT, 5, batch, 3);
            double[] buf = new double[batch];
            long settle = Math.round(50 / DT), total = settle + Math.round(trainTime / DT);
            for (long k = 0; k < total; k++) {
                x.fill(k, buf);
                BE.copyFromHost(buf, teacher.input());
                BE.copyFromHost(buf, student.input());
                BE.copy(teacher.step(), student.target());
                student.setLearning(k >= settle);
                student.step();
            }
            return new double[] {student.weights(0).toHost()[0], student.weights(1).toHost()[0], student.tauM(0).toHost()[0], student.tauM(1).toHost()[0]};
        }
    }

    @Test
    void gleRecoversTheTeachersWeightsAndTimeConstants() {
        double[] got = run(true, 600);
        double[] want = {1, 2, 1, 2};
        for (int i = 0; i < 4; i++) assertEquals(want[i], got[i], 0.01 * want[i], "parameter " + i + " (w0, w1, τm0, τm1)");
    }

    @Test
    void instantaneousErrorsDoNotRecoverThem() {
        double[] got = run(false, 600);
        double[] want = {1, 2, 1, 2};
        double worst = 0;
        for (int i = 0; i < 4; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / want[i]);
        assertTrue(worst > 0.5, "instantaneous errors should miss the teacher, got " + java.util.Arrays.toString(got));
    }
}
