package io.cortex4j.optim;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer over a fixed set of parameters, stepped once per Euler step by the
 * continuous-time families (GLE: "one optimizer step per dt"). Gradients follow PyTorch's sign
 * convention: {@link #step} moves every parameter against its gradient.
 */
public abstract sealed class Optimizer permits Adam, SgdMomentum {
    /** A parameter and the tensor its gradient is written to before each {@link #step}. */
    public record Slot(String name, Tensor param, Tensor grad) {
        public Slot {
            if (param.length() != grad.length() || param.dtype() != grad.dtype()) {
                throw new IllegalArgumentException(
                        "gradient " + grad + " does not match parameter " + name + " " + param);
            }
        }
    }

    protected final Backend be;
    protected final List<Slot> slots;
    private double learningRate;
    private long steps;

    protected Optimizer(Backend be, List<Slot> slots, double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate))
            throw new IllegalArgumentException("learning rate must be ≥ 0, got " + learningRate);
        this.be = be;
        this.slots = List.copyOf(slots);
        this.learningRate = learningRate;
    }

    /** Applies one update to every parameter from its current gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < slots.size(); i++) update(i, slots.get(i));
    }

    protected abstract void update(int i, Slot s);

    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr))
            throw new IllegalArgumentException("learning rate must be ≥ 0, got " + lr);
        learningRate = lr;
    }

    /** Steps taken so far (Adam's bias correction counts them). */
    public long steps() {
        return steps;
    }

    public void setSteps(long t) {
        if (t < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + t);
        steps = t;
    }

    /** The optimizer's state tensors by name (moments, momentum buffers), for checkpoints. */
    public abstract Map<String, Tensor> state();

    public List<Slot> slots() {
        return slots;
    }

    /** The config word of this optimizer. */
    public abstract String word();

    protected static Map<String, Tensor> named(String prefix, List<Slot> slots, Tensor[] t) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < t.length; i++) m.put(prefix + slots.get(i).name(), t[i]);
        return m;
    }
}
