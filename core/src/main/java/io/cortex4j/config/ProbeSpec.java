package io.cortex4j.config;

import java.util.List;

/**
 * Signals and parameters recorded during training into {@code probes.npz}: for each name an array
 * {@code [recorded steps, ...]} (the full tensor, or its mean or largest magnitude), and the step numbers.
 *
 * @param signals names of {@code Network.signals()} or {@code Network.parameters()}, e.g. layer1.apical, layer2.W
 * @param steps   record after these training steps (counted from 1)
 * @param every   or after every N-th step
 */
public record ProbeSpec(
        List<String> signals,
        @Key(def = Key.ABSENT, min = 1) long[] steps,
        @Key(def = Key.ABSENT, min = 1) Long every,
        @Key(def = "full") Summary summary) {

    /** What is kept of a recorded tensor. */
    public enum Summary {
        FULL,
        MEAN,
        MAXABS
    }

    public ProbeSpec {
        if (signals.isEmpty()) throw new IllegalArgumentException("signals: name at least one signal");
        if ((steps == null) == (every == null))
            throw new IllegalArgumentException("give either steps: [..] or every: N");
        if (steps != null)
            for (int i = 1; i < steps.length; i++)
                if (steps[i] <= steps[i - 1]) throw new IllegalArgumentException("steps must be increasing");
    }
}
