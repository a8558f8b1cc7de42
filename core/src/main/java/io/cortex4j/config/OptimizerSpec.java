package io.cortex4j.config;

/**
 * The optimizer stepped with the network at every Euler step, for families whose learning rates are
 * not part of their rule (GLE).
 *
 * @param betas    Adam's moment decay rates (default [0.9, 0.999])
 * @param eps      Adam's ε (default 1e-8)
 * @param momentum SGD's momentum (default 0)
 * @param plateau  reduce the learning rate when the validation loss stops improving
 */
public record OptimizerSpec(
        Kind name,
        @Key(min = 0) double learningRate,
        @Key(def = Key.ABSENT, min = 0, max = 0.999999) double[] betas,
        @Key(def = Key.ABSENT, above = 0) Double eps,
        @Key(def = Key.ABSENT, min = 0, max = 0.999999) Double momentum,
        @Key(def = Key.ABSENT) Plateau plateau) {

    public enum Kind {
        ADAM,
        SGD
    }

    /** PyTorch's ReduceLROnPlateau on the validation loss (relative threshold). */
    public record Plateau(
            @Key(def = "0.1", above = 0, max = 0.999999) double factor,
            @Key(def = "10", min = 0) int patience,
            @Key(def = "1.0e-04", min = 0) double threshold) {}

    public OptimizerSpec {
        if (name == Kind.ADAM) {
            if (momentum != null) throw new IllegalArgumentException("Adam has betas, not momentum");
            if (betas == null) betas = new double[] {0.9, 0.999};
            if (betas.length != 2) throw new IllegalArgumentException("betas: give [β1, β2]");
            if (eps == null) eps = 1e-8;
        } else {
            if (betas != null || eps != null) throw new IllegalArgumentException("only Adam has betas and eps");
            if (momentum == null) momentum = 0.0;
        }
    }
}
