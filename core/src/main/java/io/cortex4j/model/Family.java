package io.cortex4j.model;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.TaskKind;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kind of network cortex4j can train, found at run time through {@link java.util.ServiceLoader}
 * (a line in {@code META-INF/services/io.cortex4j.model.Family}). A family brings its own config
 * record (bound from the {@code model}, {@code rule} and any other section it names), builds its
 * {@link Network}, and says which tasks and presentations it supports; the trainer, checkpoints,
 * evaluation, probes, {@code model.init.from}, metrics, plots and multi-seed runs then work for it.
 *
 * @param <M> the family's config record: its components are top-level sections ({@code model}, {@code rule}, ...)
 * @param <N> its network
 */
public interface Family<M extends Record, N extends Network> {
    /** The {@code model.family} word. */
    String name();

    /** The record bound from the config. */
    Class<M> specType();

    /** The tasks the family can run. */
    Set<TaskKind> tasks();

    /**
     * The family's defaults for shared keys (data, schedule, run) as YAML, applied where the config
     * leaves a key out, e.g. {@code schedule: {settle: 100, presentation: 1.0}}; written into the
     * resolved config like every other value.
     */
    default String defaults(TaskKind task) {
        return "{}";
    }

    /** The spec with every default that depends on other keys (one value per layer) filled in. */
    default M resolve(M spec, Common c) {
        return spec;
    }

    /** Checks that involve several keys, naming each with {@code at.error(path, ...)}. */
    default void validate(M spec, Common c, Checks at) {}

    /** The Euler step dt in the family's time unit. */
    double dt(M spec);

    /** The unit of its times, e.g. "ms"; empty for the papers' dimensionless units. */
    default String timeUnit() {
        return "";
    }

    /** Input and output sizes, and the keys that set them (for messages about data that does not fit). */
    Sizes sizes(M spec);

    /** Sizes of the network's input and output, and the config keys that define them. */
    record Sizes(int inputs, String inputKey, int outputs, String outputKey) {}

    /** The evaluation protocol of the family's reference code: isolated unless it carries state through evaluation. */
    default boolean evaluationCarriesState() {
        return false;
    }

    /** Builds the network. */
    N build(M spec, Build b);

    /** What a family needs to build a network. */
    record Build(Backend backend, DType dtype, int batch, long seed, Common common, boolean teacher) {}

    /** The teacher of a teacher–student run: the same architecture with the teacher's parameters, never learning. */
    default N buildTeacher(M spec, Build b) {
        throw new UnsupportedOperationException(name() + " has no teacher–student task");
    }

    /** Prepares a student against its teacher (e.g. copies the frozen layers); called once after both are built. */
    default void pairWithTeacher(M spec, N student, N teacher, Build b) {}

    /** The student parameters compared with the teacher's (param_rel_error) and logged when small. */
    default List<String> learnedParameters(M spec, N student) {
        return List.copyOf(student.parameters().keySet());
    }

    /** Metrics the family adds to every epoch's row, e.g. the angles between B and Wᵀ. */
    default List<EpochMetric<N>> epochMetrics(M spec, N network) {
        return List.of();
    }

    /**
     * The current name of an array in an imported {@code .npz} written by an older cortex4j or under
     * a reference code's name, or the name itself. {@code all} holds every name in the file.
     */
    default String importName(String name, Set<String> all) {
        return name;
    }

    /** Parameters {@link #afterImport} derives when {@code model.init.from} leaves them out (not an error then). */
    default Set<String> derivedOnImport(M spec, N network) {
        return Set.of();
    }

    /** Called after {@code model.init.from} loaded {@code loaded} (current names) into the network. */
    default void afterImport(M spec, N network, Set<String> loaded) {}

    /** What to change when a run of this family diverges, e.g. "lower rule.etaForward or model.dt". */
    default String divergenceHint() {
        return "lower the learning rates";
    }

    /** Names of evaluated quantities a family reports once at the end (beyond the task's), by value. */
    default Map<String, Object> summary(M spec, N network) {
        return Map.of();
    }
}
