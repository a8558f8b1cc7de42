package io.cortex4j.run;

import io.cortex4j.model.Network;
import io.cortex4j.tensor.Tensor;
import java.util.Map;

/**
 * Stops a run whose parameters, state or output became NaN or infinite, naming the tensor and the
 * step, before anything is learned from them or written into a checkpoint. Runs every
 * {@code run.guardEvery} training batches, at every epoch end and before every checkpoint.
 */
final class DivergenceGuard {
    private final Trainer t;

    DivergenceGuard(Trainer t) {
        this.t = t;
    }

    void check(String when) {
        for (Map.Entry<String, Network> n : t.task().networks().entrySet()) {
            String role = n.getKey().isEmpty() ? "" : n.getKey() + " ";
            Network net = n.getValue();
            check(role, net, net.parameters(), when);
            check(role, net, net.stateTensors(), when);
        }
    }

    private void check(String role, Network net, Map<String, Tensor> tensors, String when) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (net.backend().hasNonFinite(e.getValue())) {
                throw new DivergedException(
                        "the run diverged: " + role + e.getKey() + " holds NaN or infinite values at step "
                                + net.steps() + " (" + when + "); " + t.family().divergenceHint()
                                + ". Nothing after the last checkpoint was written.");
            }
        }
    }
}
