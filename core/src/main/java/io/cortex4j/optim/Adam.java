package io.cortex4j.optim;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adam (PyTorch's formulation, no weight decay, no AMSGrad); see {@link Backend#adamStep}. */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps;
    private final Tensor[] m, v;

    public Adam(Backend be, List<Slot> slots, double learningRate, double beta1, double beta2, double eps) {
        super(be, slots, learningRate);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("Adam betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("Adam eps must be > 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        m = new Tensor[slots.size()];
        v = new Tensor[slots.size()];
        for (int i = 0; i < m.length; i++) {
            Tensor p = slots.get(i).param();
            m[i] = be.zeros(p.dtype(), p.shape());
            v[i] = be.zeros(p.dtype(), p.shape());
        }
    }

    /** PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
    public Adam(Backend be, List<Slot> slots, double learningRate) {
        this(be, slots, learningRate, 0.9, 0.999, 1e-8);
    }

    @Override
    protected void update(int i, Slot s) {
        be.adamStep(s.param(), s.grad(), m[i], v[i], learningRate(), beta1, beta2, eps, steps());
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>(named("adam.m.", slots, m));
        out.putAll(named("adam.v.", slots, v));
        return out;
    }

    @Override
    public String word() {
        return "adam";
    }
}
