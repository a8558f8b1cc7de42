package io.cortex4j.config;

/**
 * The keys of the {@code model} section that every family shares: which family, and where its
 * initial parameters (and state) come from. The family's own record binds the other keys.
 */
public record ModelRef(
        @Key(doc = "the family: microcircuit, le, gle, dl4j, ...")
        String family,

        @Key(def = "{}") Init init) {

    /**
     * @param from    a NumPy {@code .npz} of parameters (and optionally state tensors) by name
     * @param partial allow the file to leave some parameters out (they keep their seeded values)
     */
    public record Init(
            @Key(def = Key.ABSENT, doc = ".npz with parameters (and state) by name")
            String from,

            @Key(def = "false") boolean partial) {}
}
