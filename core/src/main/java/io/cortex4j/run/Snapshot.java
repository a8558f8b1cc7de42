package io.cortex4j.run;

import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of networks' state (tensors on their backend, scalars, batch size, phase), taken before an
 * isolated evaluation and put back after it, so that training continues from exactly the state
 * before the evaluation and the evaluation schedule cannot change what is learned.
 */
final class Snapshot implements AutoCloseable {
    private record Saved(
            Network net, int batch, Phase phase, Map<String, Tensor> tensors, Map<String, Double> scalars) {}

    private final List<Saved> saved = new ArrayList<>();

    Snapshot(Iterable<Network> nets) {
        for (Network n : nets) {
            Map<String, Tensor> copies = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : n.stateTensors().entrySet()) {
                Tensor t = e.getValue();
                Tensor c = n.backend().zeros(t.dtype(), t.shape());
                n.backend().copy(t, c);
                copies.put(e.getKey(), c);
            }
            saved.add(new Saved(n, n.batch(), n.phase(), copies, new LinkedHashMap<>(n.stateScalars())));
        }
    }

    /** Puts everything back as it was when the snapshot was taken. */
    void restore() {
        for (Saved s : saved) {
            Network n = s.net();
            if (n.batch() != s.batch()) n.setBatch(s.batch());
            Map<String, Tensor> now = n.stateTensors();
            for (Map.Entry<String, Tensor> e : s.tensors().entrySet())
                n.backend().copy(e.getValue(), now.get(e.getKey()));
            n.restoreScalars(s.scalars());
            if (s.phase() != null) n.setPhase(s.phase());
        }
    }

    @Override
    public void close() {
        for (Saved s : saved) for (Tensor t : s.tensors().values()) t.close();
    }
}
