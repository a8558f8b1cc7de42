package io.cortex4j.run;

import io.cortex4j.model.Network;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a run, as the trainer composes it: an optional hook before the network's step (a
 * teacher stepping and handing its output over as the target), the network's step, optionally the
 * output added into a read-out accumulator; the whole stretch runs as a recurring op sequence
 * ({@link Backend#runRepeated}, one CUDA graph on a GPU), then the listeners (probes) see the state.
 */
public final class Stepper {
    /** Sees the network after each step. */
    public interface Listener {
        void afterStep(Network network);
    }

    private final Network net;
    private final Runnable plain, andRead;
    private final List<Listener> listeners = new ArrayList<>();

    /**
     * @param before runs before every step inside the recurring stretch, or null
     * @param readout the accumulator {@code [batch, outputs]} that {@link #step(boolean) step(true)} adds the output into, or null
     */
    public Stepper(Network net, Runnable before, Tensor readout) {
        this.net = net;
        Backend be = net.backend();
        if (before == null) {
            this.plain = net::step;
            this.andRead = readout == null
                    ? plain
                    : () -> {
                        net.step();
                        be.axpby(1.0, net.output(), 1.0, readout);
                    };
        } else {
            this.plain = () -> {
                before.run();
                net.step();
            };
            this.andRead = readout == null
                    ? plain
                    : () -> {
                        before.run();
                        net.step();
                        be.axpby(1.0, net.output(), 1.0, readout);
                    };
        }
    }

    public Network network() {
        return net;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** One step; with {@code read} the output is added into the read-out accumulator. */
    public void step(boolean read) {
        net.backend().runRepeated(read ? andRead : plain);
        for (int i = 0; i < listeners.size(); i++) listeners.get(i).afterStep(net);
    }
}
