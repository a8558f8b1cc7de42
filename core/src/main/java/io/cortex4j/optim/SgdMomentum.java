package io.cortex4j.optim;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum as PyTorch does it (no dampening, not Nesterov): {@code buf ← μ·buf + g},
 * {@code p ← p − lr·buf}; the buffers start at 0, so the first step is a plain SGD step.
 */
public final class SgdMomentum extends Optimizer {
    private final double momentum;
    private final Tensor[] buf;

    public SgdMomentum(Backend be, List<Slot> slots, double learningRate, double momentum) {
        super(be, slots, learningRate);
        if (!(momentum >= 0 && momentum < 1))
            throw new IllegalArgumentException("momentum must lie in [0, 1), got " + momentum);
        this.momentum = momentum;
        buf = new Tensor[slots.size()];
        for (int i = 0; i < buf.length; i++)
            buf[i] = be.zeros(slots.get(i).param().dtype(), slots.get(i).param().shape());
    }

    @Override
    protected void update(int i, Slot s) {
        if (momentum == 0.0) {
            be.axpby(-learningRate(), s.grad(), 1.0, s.param());
            return;
        }
        be.axpby(1.0, s.grad(), momentum, buf[i]);
        be.axpby(-learningRate(), buf[i], 1.0, s.param());
    }

    @Override
    public Map<String, Tensor> state() {
        return named("sgd.momentum.", slots, buf);
    }

    @Override
    public String word() {
        return "sgd";
    }
}
