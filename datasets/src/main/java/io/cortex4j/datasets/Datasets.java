package io.cortex4j.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a data set by name and split. Known names and splits:
 *
 * <ul>
 *   <li>{@code yinyang}: generated ({@link YinYang#standardSplits}) from {@code seed}; splits
 *       {@code train} (6000), {@code validation} (900), {@code test} (900). Needs no data directory.
 *   <li>{@code yinyang-official}: the official publication data, {@code <dataDir>/yinyang/<split>.csv};
 *       splits {@code train} (5000), {@code validation} (1000), {@code test} (1000).
 *   <li>{@code fashion-mnist}, {@code mnist}: IDX files in {@code <dataDir>/fashion-mnist} and
 *       {@code <dataDir>/mnist}; splits {@code train} (the whole train file, 60000), {@code test}
 *       (10000), and, for a held-out validation set, {@code train-head} (the first 50000 of the
 *       train file) with {@code validation} (its last 10000). Pixels scaled by /255.
 *   <li>{@code mnist-10k}: IDX files in {@code <dataDir>/mnist-10k}; splits {@code train} (8000),
 *       {@code test} (2000).
 *   <li>{@code mnist1d}: {@code <dataDir>/mnist1d/<split>.csv}; splits {@code train}, {@code test}.
 *   <li>{@code cifar10}: binary batches in {@code <dataDir>/cifar10} (or
 *       {@code <dataDir>/cifar-10-batches-bin}); splits {@code train}, {@code test}.
 *   <li>{@code random-uniform}: {@link RandomInputs#uniform}, needing the options {@code count} and
 *       {@code size} (numbers); splits {@code train} and {@code test}, from different seeds derived
 *       from {@code seed}.
 * </ul>
 *
 * <p>{@code seed} only affects generated data sets. A null {@code dataDir} is resolved with
 * {@link DataDirectory#resolve(String) DataDirectory.resolve(null)} when a file-based set needs one.
 */
public final class Datasets {
    /** The known data set names. */
    public static final List<String> NAMES = List.of(
            "yinyang",
            "yinyang-official",
            "fashion-mnist",
            "mnist",
            "mnist-10k",
            "mnist1d",
            "cifar10",
            "random-uniform");

    /** Size of the {@code validation} split of fashion-mnist and mnist: the last samples of the train file. */
    public static final int IDX_VALIDATION_SIZE = 10000;

    private Datasets() {}

    /** The split names {@code name} accepts. */
    public static List<String> splits(String name) {
        return switch (name) {
            case "yinyang", "yinyang-official" -> List.of("train", "validation", "test");
            case "fashion-mnist", "mnist" -> List.of("train", "test", "train-head", "validation");
            case "mnist-10k", "mnist1d", "cifar10", "random-uniform" -> List.of("train", "test");
            default -> throw unknownName(name);
        };
    }

    /** Opens a data set that needs no options. */
    public static InMemoryData open(String name, String split, Path dataDir, long seed) {
        return open(name, split, dataDir, seed, Map.of());
    }

    /**
     * Opens split {@code split} of data set {@code name}.
     *
     * @param options per-data-set options (only {@code random-uniform} takes any: {@code count}, {@code size})
     * @throws IllegalArgumentException for an unknown name, split or option, or a missing option
     * @throws DataFormatException when the data files are missing or malformed
     */
    public static InMemoryData open(String name, String split, Path dataDir, long seed, Map<String, ?> options) {
        List<String> splits = splits(name);
        if (!splits.contains(split)) {
            throw new IllegalArgumentException(
                    "unknown split '" + split + "' of " + name + "; known: " + String.join(", ", splits));
        }
        Set<String> allowed = name.equals("random-uniform") ? Set.of("count", "size") : Set.of();
        if (!allowed.containsAll(options.keySet())) {
            Set<String> unknown = new TreeSet<>(options.keySet());
            unknown.removeAll(allowed);
            throw new IllegalArgumentException("unknown option(s) " + unknown + " for " + name
                    + (allowed.isEmpty() ? ", which takes none" : "; known: " + new TreeSet<>(allowed)));
        }
        String label = name + "/" + split;
        return switch (name) {
            case "yinyang" -> YinYang.standardSplits(seed).get(split);
            case "yinyang-official" -> YinYang.loadCsv(dir(dataDir, "yinyang").resolve(split + ".csv"));
            case "mnist1d" -> Mnist1d.loadCsv(dir(dataDir, "mnist1d").resolve(split + ".csv"));
            case "cifar10" -> Cifar10.load(cifarDir(dataDir), split.equals("train"));
            case "random-uniform" ->
                RandomInputs.uniform(
                                intOption(options, "count"),
                                intOption(options, "size"),
                                Seeds.derive(seed, split.equals("train") ? 0 : 1))
                        .withName(label);
            default -> idx(name, split, dir(dataDir, name));
        };
    }

    private static InMemoryData idx(String name, String split, Path dir) {
        InMemoryData all = Idx.loadDirectory(dir, !split.equals("test")).withName(name + "/" + split);
        int head = all.size() - IDX_VALIDATION_SIZE;
        return switch (split) {
            case "train-head", "validation" -> {
                if (head <= 0) {
                    throw new DataFormatException(
                            dir,
                            "the train file has only " + all.size() + " samples, too few to hold out "
                                    + IDX_VALIDATION_SIZE + " for validation");
                }
                yield split.equals("validation")
                        ? all.subset(head, all.size(), name + "/validation")
                        : all.subset(0, head, name + "/train-head");
            }
            default -> all;
        };
    }

    private static Path dir(Path dataDir, String sub) {
        return (dataDir != null ? dataDir : DataDirectory.resolve(null)).resolve(sub);
    }

    private static Path cifarDir(Path dataDir) {
        Path preferred = dir(dataDir, "cifar10");
        Path archive = preferred.resolveSibling(Cifar10.ARCHIVE_FOLDER);
        return !Files.isDirectory(preferred) && Files.isDirectory(archive) ? archive : preferred;
    }

    private static int intOption(Map<String, ?> options, String key) {
        Object v = options.get(key);
        if (v == null) throw new IllegalArgumentException("random-uniform needs the option '" + key + "'");
        if (v instanceof Number n && n.doubleValue() == n.intValue()) return n.intValue();
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("option '" + key + "' must be an integer, got " + v);
    }

    private static IllegalArgumentException unknownName(String name) {
        return new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", NAMES));
    }
}
