package io.cortex4j.config;

/**
 * {@code task: classification}, or a mapping with the task's options, e.g.
 * {@code task: {name: autoencoder, latent: 2}}.
 *
 * @param latent the autoencoder's latent layer (1-based), whose rates the linear probe reads
 */
public record TaskSpec(
        @Key(shorthand = true, doc = "classification, autoencoder, teacher-student or alignment")
        TaskKind name,

        @Key(def = Key.ABSENT, min = 1, doc = "autoencoder: the latent layer (1-based)")
        Integer latent) {
    public TaskSpec {
        if (name == TaskKind.AUTOENCODER && latent == null)
            throw new IllegalArgumentException(
                    "the autoencoder needs its latent layer: task: {name: autoencoder, latent: 2}");
        if (name != TaskKind.AUTOENCODER && latent != null)
            throw new IllegalArgumentException("only the autoencoder task has a latent layer");
    }
}
