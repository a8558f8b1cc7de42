package io.cortex4j.run;

import io.cortex4j.model.Network;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stops a run whose parameters, state or output became NaN or infinite, naming the tensor and the
 * step, before anything is learned from them or written into a checkpoint. Every
 * {@code run.guardEvery} training batches it checks the parameters and the read-out of every network
 * of the run (a non-finite state reaches them within a step or two); at every epoch end and before
 * every checkpoint it checks every state tensor as well.
 */
final class DivergenceGuard {
    private final Trainer t;
    /** Per network: its role, and its parameters with the output (fixed tensors, collected once). */
    private final List<Object[]> quick = new ArrayList<>();

    DivergenceGuard(Trainer t) {
        this.t = t;
        for (Map.Entry<String, Network> n : t.task().networks().entrySet()) {
            Map<String, Tensor> m = new LinkedHashMap<>(n.getValue().parameters());
            quick.add(new Object[] {n.getKey(), n.getValue(), m});
        }
    }

    /** Parameters and outputs, after training batch {@code batch} (1-based; 0: the epoch's end) of epoch {@code epoch} (1-based). */
    @SuppressWarnings("unchecked")
    void checkQuick(int batch, int epoch) {
        for (Object[] q : quick) {
            Network net = (Network) q[1];
            Map<String, Tensor> params = (Map<String, Tensor>) q[2];
            boolean bad = net.backend().hasNonFinite(net.output());
            for (Tensor p : params.values()) bad |= net.backend().hasNonFinite(p);
            if (bad) {
                String when = batch == 0 ? "the end of epoch " + epoch : "batch " + batch + " of epoch " + epoch;
                check((String) q[0], net, params, when);
                check((String) q[0], net, Map.of("output", net.output()), when);
            }
        }
    }

    /** Parameters and every state tensor (epoch ends, checkpoints). */
    void check(String when) {
        for (Map.Entry<String, Network> n : t.task().networks().entrySet()) {
            Network net = n.getValue();
            check(n.getKey(), net, net.parameters(), when);
            check(n.getKey(), net, net.stateTensors(), when);
        }
    }

    private void check(String role, Network net, Map<String, Tensor> tensors, String when) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (net.backend().hasNonFinite(e.getValue())) {
                throw new DivergedException("the run diverged: " + (role.isEmpty() ? "" : role + " ") + e.getKey()
                        + " holds NaN or infinite values at step " + net.steps() + " (" + when + "); "
                        + t.family().divergenceHint()
                        + ". Nothing after the last checkpoint was written.");
            }
        }
    }
}
