package io.cortex4j.run;

import io.cortex4j.config.Binder;
import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.ConfigNode;
import io.cortex4j.config.ConfigWriter;
import io.cortex4j.config.DataSpec;
import io.cortex4j.config.ModelRef;
import io.cortex4j.config.OptimizerSpec;
import io.cortex4j.config.ProbeSpec;
import io.cortex4j.config.RunSpec;
import io.cortex4j.config.ScheduleSpec;
import io.cortex4j.config.TaskKind;
import io.cortex4j.config.TaskSpec;
import io.cortex4j.model.Families;
import io.cortex4j.model.Family;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment, bound from one YAML file (plus {@code --set} overrides) and immutable: the
 * sections every family shares ({@link Common}: task, data, schedule, optimizer, run, probes, and
 * {@code model.family} with {@code model.init}) and the family's own record ({@code spec}: its
 * {@code model} keys, its {@code rule}, ...). Every check, the family's included, has passed when an
 * Experiment exists; {@code at} locates every value in the file it came from, for the checks that
 * come later (the data's shapes against the network) and name file, line and key.
 * {@link #toYaml()} writes it back with every default filled in; loading that text gives an equal
 * experiment.
 */
public record Experiment(
        Family<?, ?> family,
        Record spec,
        String name,
        TaskSpec task,
        ModelRef model,
        DataSpec data,
        ScheduleSpec schedule,
        OptimizerSpec optimizer,
        RunSpec run,
        ProbeSpec probes,
        Checks at) {

    /** Loads a config file with {@code key=value} overrides applied to its YAML tree. */
    public static Experiment load(Path file, List<String> overrides) {
        return bind(ConfigNode.load(file).withOverrides(overrides));
    }

    /** Parses config text ({@code source} names it in errors). */
    public static Experiment parse(String text, String source, List<String> overrides) {
        return bind(ConfigNode.parse(text, source).withOverrides(overrides));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Experiment bind(ConfigNode root) {
        ConfigNode model = root.get("model");
        if (model == null) throw root.error("missing section 'model' (with model.family)");
        ConfigNode fam = model.kind() == ConfigNode.Kind.MAPPING ? model.get("family") : null;
        if (fam == null) throw model.error("missing key 'family' (one of " + String.join(", ", Families.names()) + ")");
        Family<?, ?> family;
        try {
            family = Families.get(fam.text());
        } catch (IllegalArgumentException e) {
            throw fam.error(e.getMessage());
        }
        ConfigNode taskNode = root.get("task");
        TaskKind kind = taskNode == null
                ? TaskKind.CLASSIFICATION
                : new Binder().bind(TaskSpec.class, taskNode).name();
        root = root.withDefaults(family.defaults(kind), "defaults of family " + family.name());

        Binder b = new Binder();
        Common c = b.bind(Common.class, root);
        Record spec = b.bind(family.specType(), root);
        b.finish(root);
        Checks at = b.checks();
        if (!c.name().matches("[A-Za-z0-9._-]+"))
            throw at.error("name", "use letters, digits, '.', '_' and '-' only (it names the run directory)");
        if (!family.tasks().contains(c.task().name()))
            throw at.error(
                    "task",
                    "family " + family.name() + " does not run the "
                            + Binder.word(c.task().name()) + " task (it runs: "
                            + String.join(
                                    ", ",
                                    family.tasks().stream().map(Binder::word).toList()) + ")");
        Family f = family;
        Record r = (Record) f.resolve(spec, c);
        f.validate(r, c, at);
        return new Experiment(
                family,
                r,
                c.name(),
                c.task(),
                c.model(),
                c.data(),
                c.schedule(),
                c.optimizer(),
                c.run(),
                c.probes(),
                at);
    }

    /** The sections every family shares, as the family sees them. */
    public Common common() {
        return new Common(name, task, model, data, schedule, optimizer, run, probes);
    }

    /** The family's record. */
    public <M extends Record> M spec(Class<M> type) {
        return type.cast(spec);
    }

    /** The resolved config as YAML: every value, defaults included, in a fixed order. */
    public String toYaml() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name());
        out.put("task", ConfigWriter.tree(task()));
        @SuppressWarnings("unchecked")
        Map<String, Object> fam = (Map<String, Object>) ConfigWriter.tree(spec);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", model().family());
        Map<String, Object> famModel = asMap(fam.get("model"));
        m.putAll(famModel);
        if (model().init().from() != null || model().init().partial()) {
            Map<String, Object> init = new LinkedHashMap<>(asMap(famModel.get("init")));
            init.putAll(asMap(ConfigWriter.tree(model().init())));
            m.put("init", init);
        }
        out.put("model", m);
        for (Map.Entry<String, Object> e : fam.entrySet())
            if (!e.getKey().equals("model")) out.put(e.getKey(), e.getValue());
        out.put("data", ConfigWriter.tree(data()));
        out.put("schedule", ConfigWriter.tree(schedule()));
        if (optimizer() != null) out.put("optimizer", ConfigWriter.tree(optimizer()));
        out.put("run", ConfigWriter.tree(run()));
        if (probes() != null) out.put("probes", ConfigWriter.tree(probes()));
        return "# the resolved config of run '" + name() + "': every value, defaults included\n"
                + ConfigWriter.yaml(out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /**
     * Whether {@code other} is this run's experiment but for {@code schedule.epochs}: a run extended
     * (or to be extended) by {@code --epochs} is still the same run.
     */
    public boolean sameRunAs(Experiment other) {
        return equals(other)
                || parse(
                                toYaml(),
                                "",
                                List.of("schedule.epochs=" + other.schedule().epochs()))
                        .equals(other);
    }

    /** Equal experiments have equal values; where they were read from does not count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Experiment x && toYaml().equals(x.toYaml());
    }

    @Override
    public int hashCode() {
        return toYaml().hashCode();
    }

    @Override
    public String toString() {
        return "Experiment[" + name() + ", family " + family.name() + "]";
    }
}
