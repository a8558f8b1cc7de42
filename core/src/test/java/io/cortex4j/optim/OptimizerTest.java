package io.cortex4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    static final Backend BE = new Nd4jCpuBackend();

    @Test
    void sgdWithMomentumFollowsPyTorchsRecursion() {
        Tensor p = BE.fromHost(DType.FLOAT64, new double[] {1, -2}, 1, 2), g = BE.zeros(DType.FLOAT64, 1, 2);
        SgdMomentum opt = new SgdMomentum(BE, List.of(new Optimizer.Slot("p", p, g)), 0.1, 0.9);
        double[] want = {1, -2}, buf = {0, 0};
        double[][] grads = {{1, 0.5}, {0, -1}, {2, 2}};
        for (double[] gr : grads) {
            BE.copyFromHost(gr, g);
            opt.step();
            for (int i = 0; i < 2; i++) {
                buf[i] = 0.9 * buf[i] + gr[i];
                want[i] -= 0.1 * buf[i];
            }
            assertArrayEquals(want, p.toHost(), 1e-15);
        }
        assertEquals(3, opt.steps());
        assertArrayEquals(buf, opt.state().get("sgd.momentum.p").toHost(), 1e-15);
    }

    @Test
    void adamMinimisesAQuadratic() {
        Tensor p = BE.fromHost(DType.FLOAT64, new double[] {3, -4}, 1, 2), g = BE.zeros(DType.FLOAT64, 1, 2);
        Adam opt = new Adam(BE, List.of(new Optimizer.Slot("p", p, g)), 0.05);
        for (int t = 0; t < 2000; t++) {
            double[] x = p.toHost();
            BE.copyFromHost(new double[] {2 * (x[0] - 1), 2 * (x[1] + 0.5)}, g); // ∇ of (x0−1)² + (x1+0.5)²
            opt.step();
        }
        assertArrayEquals(new double[] {1, -0.5}, p.toHost(), 1e-3);
        assertEquals(2, opt.state().size(), "m and v");
    }

    /** PyTorch's ReduceLROnPlateau, mode min, relative threshold: reduce after more than `patience` bad evaluations. */
    @Test
    void plateauScheduleReducesAfterPatienceBadEvaluations() {
        PlateauSchedule s = new PlateauSchedule(0.5, 2, 1e-4, 0.0);
        double lr = 1.0;
        double[] losses = {1.0, 0.9, 0.95, 0.9, 0.89995, 0.8, 0.8, 0.8, 0.8};
        double[] want = {1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25};
        for (int i = 0; i < losses.length; i++) {
            lr = s.observe(losses[i], lr);
            assertEquals(want[i], lr, 0.0, "after evaluation " + i);
        }
        PlateauSchedule floor = new PlateauSchedule(0.5, 0, 0, 0.3);
        assertEquals(0.3, floor.observe(2.0, floor.observe(1.0, 0.4)), 0.0, "not below the minimum rate");
        assertThrows(IllegalArgumentException.class, () -> new PlateauSchedule(1.5, 2, 1e-4, 0));
    }
}
