package io.cortex4j.cli.sweep;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.ConfigNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep suite, read from its YAML file: base configs, overrides for every cell, a grid of overrides
 * (axes multiply; the keys of one axis go together, element by element), seeds, published numbers,
 * where the report goes, and the executors' settings.
 *
 * <pre>
 * name: quick                       # the sweep directory: &lt;out&gt;/quick/
 * description: ...                  # Markdown, printed under the report's title
 * configs:                          # paths relative to this file
 *   - ../configs/yinyang-bp.yaml
 *   - {config: ../configs/yinyang-pal.yaml, label: pal-slow, set: {rule.etaFeedback: [0.1]}}
 * set: {schedule.epochs: 3}         # overrides of every cell
 * grid:                             # the cells: every base config × every point of the grid
 *   - {model.dt: [0.01, 0.005]}
 *   - {rule.learningRate: [0.1, 0.01], schedule.batch: [32, 64]}   # zipped: two points
 * seeds: [1, 2, 3]                  # one run per cell and seed
 * columns: [test_acc, best_val_acc] # summary numbers to tabulate (default: chosen from the runs)
 * published:                        # published numbers beside ours
 *   - {match: {config: yinyang-pal}, test_acc: 0.955, source: "Max et al. 2024, Table 1"}
 * report: ../docs/measurements.md        # also write the Markdown page here (plots in a folder beside it)
 * local: {parallel: 2}              # cells at once (default: one per core)
 * slurm: {partition: gpu, time: "02:00:00", mem: 8G, cpusPerTask: 2, gpus: 1, throttle: 16,
 *         setup: ["module load java/25"], extra: ["--account=lab"]}
 * </pre>
 */
public record Suite(
        Path file,
        String name,
        String description,
        List<Base> configs,
        List<String> set,
        List<Axis> grid,
        List<Long> seeds,
        List<String> columns,
        List<Published> published,
        Path report,
        Integer parallel,
        Slurm slurm,
        Bench bench) {

    /**
     * The suite's benchmarks: workloads (names of configs/bench or config paths) with their own
     * overrides and width variants (an axis: keys zipped, like a grid axis), measured at each batch
     * on each backend by the step-rate harness, one backend at a time with the whole machine.
     */
    public record Bench(
            List<BenchWorkload> workloads,
            List<Integer> batches,
            List<String> backends,
            int repeats,
            double blockSeconds) {}

    /** A benchmark workload: what it names, a label, its overrides and its width variants (or null). */
    public record BenchWorkload(
            String workload, String label, List<String> set, Axis widths, List<Integer> batches, String where) {}

    /** A base config: its file, its label in cell names (default: the config's {@code name}), its own overrides. */
    public record Base(Path config, String label, List<String> set, String where) {}

    /** One axis of the grid: keys whose value lists go together (all of one length). */
    public record Axis(List<String> keys, List<List<String>> values, String where) {
        int size() {
            return values.get(0).size();
        }
    }

    /** A published number (or numbers) for the cells that {@code match} selects. */
    public record Published(Map<String, String> match, Map<String, Object> values, String source, String where) {}

    /** What the Slurm executor asks for; null: not given. */
    public record Slurm(
            String partition,
            String time,
            String mem,
            Integer cpusPerTask,
            Integer gpus,
            Integer throttle,
            List<String> setup,
            List<String> extra) {
        static final Slurm NONE = new Slurm(null, null, null, null, null, null, List.of(), List.of());
    }

    private static final Set<String> KEYS = Set.of(
            "name",
            "description",
            "configs",
            "set",
            "grid",
            "seeds",
            "columns",
            "published",
            "report",
            "local",
            "slurm",
            "bench");

    /** Reads a suite file; a mistake is one {@link ConfigException} naming file, line and key. */
    public static Suite load(Path file) {
        return load(file, file.toAbsolutePath().getParent());
    }

    /** Reads a suite file whose relative paths are relative to {@code dir} (a sweep directory's copy). */
    public static Suite load(Path file, Path dir) {
        ConfigNode root = ConfigNode.load(file);
        for (Map.Entry<String, ConfigNode> e : root.entries().entrySet())
            if (!KEYS.contains(e.getKey()))
                throw e.getValue()
                        .error("unknown key in a suite (the keys are " + String.join(", ", sorted(KEYS)) + ")");
        ConfigNode n = required(root, "name");
        String name = n.text();
        if (!name.matches("[A-Za-z0-9._-]+"))
            throw n.error("use letters, digits, '.', '_' and '-' only (it names the sweep directory)");
        String description =
                root.get("description") == null ? "" : root.get("description").text();

        List<Base> configs = new ArrayList<>();
        ConfigNode cs = root.get("bench") != null && root.get("configs") == null ? null : required(root, "configs");
        if (cs != null && cs.elements().isEmpty()) throw cs.error("needs at least one config");
        for (ConfigNode c : cs == null ? List.<ConfigNode>of() : cs.elements()) {
            if (c.kind() == ConfigNode.Kind.SCALAR) {
                configs.add(new Base(dir.resolve(c.text()).normalize(), null, List.of(), c.where()));
                continue;
            }
            only(c, Set.of("config", "label", "set"));
            String label = c.get("label") == null ? null : c.get("label").text();
            if (label != null && !label.matches("[A-Za-z0-9._-]+"))
                throw c.get("label").error("use letters, digits, '.', '_' and '-' only (it names cells)");
            configs.add(new Base(
                    dir.resolve(required(c, "config").text()).normalize(), label, overrides(c.get("set")), c.where()));
        }

        List<Axis> grid = new ArrayList<>();
        if (root.get("grid") != null) {
            for (ConfigNode a : root.get("grid").elements()) grid.add(axis(a));
        }

        List<Long> seeds = new ArrayList<>();
        if (root.get("seeds") != null) {
            for (ConfigNode s : root.get("seeds").elements()) {
                try {
                    long v = Long.parseLong(s.text());
                    if (seeds.contains(v)) throw s.error("seed " + v + " appears twice");
                    seeds.add(v);
                } catch (NumberFormatException x) {
                    throw s.error("a seed is a whole number");
                }
            }
            if (seeds.isEmpty())
                throw root.get("seeds").error("needs at least one seed (or leave it out: the configs' own)");
        }

        List<String> columns = new ArrayList<>();
        if (root.get("columns") != null) for (ConfigNode c : root.get("columns").elements()) columns.add(c.text());

        List<Published> published = new ArrayList<>();
        if (root.get("published") != null) {
            for (ConfigNode p : root.get("published").elements()) {
                Map<String, String> match = new LinkedHashMap<>();
                ConfigNode m = required(p, "match");
                for (Map.Entry<String, ConfigNode> e : m.entries().entrySet())
                    match.put(
                            e.getKey(),
                            e.getValue().kind() == ConfigNode.Kind.SCALAR
                                    ? e.getValue().text()
                                    : e.getValue().yaml());
                Map<String, Object> values = new LinkedHashMap<>();
                String source = null;
                for (Map.Entry<String, ConfigNode> e : p.entries().entrySet()) {
                    switch (e.getKey()) {
                        case "match" -> {}
                        case "source" -> source = e.getValue().text();
                        default -> {
                            String t = e.getValue().text();
                            try {
                                values.put(e.getKey(), Double.parseDouble(t));
                            } catch (NumberFormatException x) {
                                values.put(e.getKey(), t);
                            }
                        }
                    }
                }
                if (values.isEmpty()) throw p.error("a published entry needs at least one number, e.g. test_acc: 0.97");
                published.add(new Published(match, values, source, p.where()));
            }
        }

        Path report = root.get("report") == null
                ? null
                : dir.resolve(root.get("report").text()).normalize();
        if (report != null && !report.getFileName().toString().endsWith(".md"))
            throw root.get("report").error("the report is a Markdown file (.md)");

        Integer parallel = null;
        if (root.get("local") != null) {
            ConfigNode l = root.get("local");
            only(l, Set.of("parallel"));
            if (l.get("parallel") != null) parallel = positive(l.get("parallel"));
        }

        Slurm slurm = Slurm.NONE;
        if (root.get("slurm") != null) {
            ConfigNode s = root.get("slurm");
            only(s, Set.of("partition", "time", "mem", "cpusPerTask", "gpus", "throttle", "setup", "extra"));
            slurm = new Slurm(
                    text(s, "partition"),
                    text(s, "time"),
                    text(s, "mem"),
                    s.get("cpusPerTask") == null ? null : positive(s.get("cpusPerTask")),
                    s.get("gpus") == null ? null : nonNegative(s.get("gpus")),
                    s.get("throttle") == null ? null : positive(s.get("throttle")),
                    s.get("setup") == null
                            ? List.of()
                            : s.get("setup").elements().stream()
                                    .map(ConfigNode::text)
                                    .toList(),
                    s.get("extra") == null
                            ? List.of()
                            : s.get("extra").elements().stream()
                                    .map(ConfigNode::text)
                                    .toList());
        }
        return new Suite(
                file,
                name,
                description,
                configs,
                overrides(root.get("set")),
                grid,
                seeds,
                columns,
                published,
                report,
                parallel,
                slurm,
                root.get("bench") == null ? null : bench(root.get("bench"), dir));
    }

    /** One axis: keys with lists of one length, zipped into points. */
    private static Axis axis(ConfigNode a) {
        List<String> keys = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        int size = -1;
        for (Map.Entry<String, ConfigNode> e : a.entries().entrySet()) {
            ConfigNode v = e.getValue();
            if (v.kind() != ConfigNode.Kind.LIST || v.elements().isEmpty())
                throw v.error("an axis gives each key a list of values, e.g. " + e.getKey() + ": [a, b]");
            List<String> vs = v.elements().stream().map(ConfigNode::yaml).toList();
            if (size >= 0 && vs.size() != size)
                throw v.error("the keys of one grid axis go together, so their lists need one length: " + vs.size()
                        + " values here, " + size + " for " + keys.get(0)
                        + " (put keys that should multiply in axes of their own)");
            size = vs.size();
            keys.add(e.getKey());
            values.add(vs);
        }
        if (keys.isEmpty()) throw a.error("an empty axis");
        List<List<String>> points = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> p = new ArrayList<>();
            for (List<String> vs : values) p.add(vs.get(i));
            points.add(p);
        }
        return new Axis(keys, points, a.where());
    }

    private static Bench bench(ConfigNode b, Path dir) {
        only(b, Set.of("workloads", "batches", "backends", "repeats", "blockSeconds"));
        List<BenchWorkload> ws = new ArrayList<>();
        ConfigNode wn = required(b, "workloads");
        if (wn.elements().isEmpty()) throw wn.error("needs at least one workload");
        for (ConfigNode w : wn.elements()) {
            if (w.kind() == ConfigNode.Kind.SCALAR) {
                ws.add(new BenchWorkload(workload(w.text(), dir), null, List.of(), null, List.of(), w.where()));
                continue;
            }
            only(w, Set.of("workload", "label", "set", "widths", "batches"));
            List<Integer> own = new ArrayList<>();
            if (w.get("batches") != null) for (ConfigNode n : w.get("batches").elements()) own.add(positive(n));
            ws.add(new BenchWorkload(
                    workload(required(w, "workload").text(), dir),
                    w.get("label") == null ? null : w.get("label").text(),
                    overrides(w.get("set")),
                    w.get("widths") == null ? null : axis(w.get("widths")),
                    own,
                    w.where()));
        }
        List<Integer> batches = new ArrayList<>();
        if (b.get("batches") != null) for (ConfigNode n : b.get("batches").elements()) batches.add(positive(n));
        List<String> backends = new ArrayList<>();
        if (b.get("backends") != null) for (ConfigNode n : b.get("backends").elements()) backends.add(n.text());
        else backends.add("cpu");
        int repeats = b.get("repeats") == null ? 7 : positive(b.get("repeats"));
        double block = 1.0;
        if (b.get("blockSeconds") != null) {
            try {
                block = Double.parseDouble(b.get("blockSeconds").text());
            } catch (NumberFormatException x) {
                throw b.get("blockSeconds").error("needs a number of seconds");
            }
            if (!(block > 0)) throw b.get("blockSeconds").error("needs a number of seconds > 0");
        }
        return new Bench(ws, batches, backends, repeats, block);
    }

    /** A workload: a YAML path relative to the suite (if it ends in .yaml), else a name of configs/bench. */
    private static String workload(String w, Path dir) {
        return w.endsWith(".yaml") || w.endsWith(".yml")
                ? dir.resolve(w).normalize().toString()
                : w;
    }

    private static List<String> overrides(ConfigNode set) {
        if (set == null) return List.of();
        List<String> o = new ArrayList<>();
        for (Map.Entry<String, ConfigNode> e : set.entries().entrySet())
            o.add(e.getKey() + "=" + e.getValue().yaml());
        return o;
    }

    private static ConfigNode required(ConfigNode m, String key) {
        ConfigNode v = m.get(key);
        if (v == null || v.kind() == ConfigNode.Kind.NULL) throw (v == null ? m : v).error("missing key '" + key + "'");
        return v;
    }

    private static String text(ConfigNode m, String key) {
        return m.get(key) == null ? null : m.get(key).text();
    }

    private static void only(ConfigNode m, Set<String> keys) {
        for (Map.Entry<String, ConfigNode> e : m.entries().entrySet())
            if (!keys.contains(e.getKey()))
                throw e.getValue().error("unknown key (the keys here are " + String.join(", ", sorted(keys)) + ")");
    }

    private static int positive(ConfigNode n) {
        int v = nonNegative(n);
        if (v < 1) throw n.error("needs a whole number ≥ 1");
        return v;
    }

    private static int nonNegative(ConfigNode n) {
        try {
            int v = Integer.parseInt(n.text());
            if (v < 0) throw n.error("needs a whole number ≥ 0");
            return v;
        } catch (NumberFormatException x) {
            throw n.error("needs a whole number");
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    static ConfigException error(String where, String message) {
        return new ConfigException(where + ": " + message);
    }
}
