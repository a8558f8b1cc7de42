package io.cortex4j.bench;

import io.cortex4j.config.ConfigException;
import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.run.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Command-line helpers of the benchmark workloads. The workloads themselves are the configs of
 * {@code configs/bench} (the PAL microcircuits matching the reference harness R3, the layered LE
 * networks, the GLE MNIST-1D network), built for the CPU harnesses and the GPU benchmark alike by
 * {@link BenchWorkloads}.
 */
final class Workloads {
    private Workloads() {}

    /**
     * One workload to measure: its name as given, for the printout (layer sizes joined by '-', as
     * before the configs), what it names (a workload of {@link BenchWorkloads#NAMES} or a config path)
     * and its batch.
     */
    record Item(String label, String workload, int batch) {}

    /** The layer sizes of the microcircuit spelling from before the configs: 4,30,3 or 4-30-3 (or 4x30x3). */
    private static final Pattern LAYERS = Pattern.compile("\\d+(?:\\s*[,x\\- ]\\s*\\d+)+");

    /** Layer sizes with commas alone (4,30,3@1): one item, not three. */
    private static final Pattern COMMA_LAYERS = Pattern.compile("\\s*\\d+(?:\\s*,\\s*\\d+)+\\s*(?:@.*)?");

    /** {@code 4,30,3} → {@code microcircuit-4-30-3}; anything else unchanged. */
    static String microcircuitAlias(String name) {
        return LAYERS.matcher(name.trim()).matches()
                ? "microcircuit-" + String.join("-", name.trim().split("\\s*[,x\\- ]\\s*"))
                : name.trim();
    }

    /**
     * The items of a {@code --workloads} value: {@code workload[@batch]} separated by {@code ,} or
     * {@code ;}, where a workload is a name of configs/bench, an {@code alias} of one, or the path of a
     * YAML config; without a batch, the config's {@code schedule.batch}. A microcircuit's layer sizes
     * joined by commas alone ({@code 4,30,3@1;784,100,10@32}, the spelling from before the configs)
     * stay one item between semicolons; {@code 4-30-3,784-100-10} is two. Each workload is bound here,
     * so a bad one is refused before anything is measured.
     */
    static List<Item> parse(String value, String option, UnaryOperator<String> alias) {
        List<Item> items = new ArrayList<>();
        for (String chunk : value.split(";")) {
            if (chunk.isBlank()) continue;
            if (COMMA_LAYERS.matcher(chunk).matches()) items.add(item(chunk.trim(), option, alias));
            else for (String w : chunk.split(",")) if (!w.isBlank()) items.add(item(w.trim(), option, alias));
        }
        if (items.isEmpty()) throw new IllegalArgumentException(option + " needs at least one workload");
        return items;
    }

    private static Item item(String w, String option, UnaryOperator<String> alias) {
        int at = w.lastIndexOf('@');
        String name = (at < 0 ? w : w.substring(0, at)).trim();
        Integer batch = null;
        if (at >= 0) {
            try {
                batch = Integer.parseInt(w.substring(at + 1).trim());
            } catch (NumberFormatException e) {
                batch = -1;
            }
            if (batch < 1)
                throw new IllegalArgumentException(option + ": '" + w
                        + "' is not workload[@batch] with a whole batch ≥ 1 (e.g. microcircuit-784-100-10@32)");
        }
        if (name.isEmpty()) throw new IllegalArgumentException(option + ": '" + w + "' names no workload");
        String workload = alias.apply(name);
        Experiment e;
        try {
            e = BenchWorkloads.experiment(workload, batch == null ? 0 : batch, List.of());
        } catch (ConfigException x) {
            throw new IllegalArgumentException(option + ": " + x.getMessage());
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(option + ": " + x.getMessage()
                    + (workload.equals(name) ? "" : " (the workload of '" + name + "')"));
        }
        String label = LAYERS.matcher(name).matches() ? String.join("-", name.split("\\s*[,x\\- ]\\s*")) : name;
        return new Item(label, workload, e.schedule().batch());
    }
}
