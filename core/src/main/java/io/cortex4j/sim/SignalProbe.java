package io.cortex4j.sim;

import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Records a scalar summary (max |x| or mean) of one signal every {@code every} steps: e.g. the
 * largest apical potential of layer 1. The samples can be plotted or written to CSV.
 */
public final class SignalProbe implements Probe {
    public enum Summary {
        MAX_ABS,
        MEAN
    }

    private final String name;
    private final Function<Microcircuit, Tensor> signal;
    private final Summary summary;
    private final int every;
    private final List<Long> steps = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();

    public SignalProbe(String name, Function<Microcircuit, Tensor> signal, Summary summary, int every) {
        if (every <= 0) throw new IllegalArgumentException("probe '" + name + "': every must be ≥ 1");
        this.name = name;
        this.signal = signal;
        this.summary = summary;
        this.every = every;
    }

    @Override
    public void afterStep(Microcircuit network, long step) {
        if (step % every != 0) return;
        Tensor t = signal.apply(network);
        double v =
                summary == Summary.MAX_ABS ? t.backend().maxAbs(t) : t.backend().sum(t) / t.length();
        steps.add(step);
        values.add(v);
    }

    public String name() {
        return name;
    }

    public double[] values() {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public long[] steps() {
        return steps.stream().mapToLong(Long::longValue).toArray();
    }

    /** Forgets the samples taken so far (after they were written out). */
    public void clear() {
        steps.clear();
        values.clear();
    }
}
