package io.cortex4j.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read with positions, so that every error can name the file, the line and the
 * key. Readers take the keys they know; {@link #finish()} then rejects every key nobody took.
 */
public final class OldConfigNode {
    private final String file;
    private final String path;
    private final MappingNode node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> used = new LinkedHashSet<>();
    private final List<OldConfigNode> children = new ArrayList<>();

    private OldConfigNode(String file, String path, MappingNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) throw error(t.getKeyNode(), "keys must be plain words");
            if (entries.put(k.getValue(), t) != null)
                throw error(t.getKeyNode(), "key '" + qualified(k.getValue()) + "' appears twice");
        }
    }

    public static OldConfigNode load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static OldConfigNode parse(String text, String fileName) {
        Node root;
        try (Reader r = new java.io.StringReader(text)) {
            root = new Yaml(new LoaderOptions()).compose(r);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(fileName + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (IOException e) {
            throw new ConfigException(fileName + ": " + e.getMessage());
        }
        if (!(root instanceof MappingNode m))
            throw new ConfigException(fileName + ": a config must be a YAML mapping of keys to values");
        return new OldConfigNode(fileName, "", m);
    }

    public String file() {
        return file;
    }

    public int line() {
        return node.getStartMark().getLine() + 1;
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public ConfigException error(Node at, String message) {
        return new ConfigException(file + ":" + (at.getStartMark().getLine() + 1) + ": " + message);
    }

    /** An error about the value of {@code key} (or about this section if the key is absent). */
    public ConfigException error(String key, String message) {
        NodeTuple t = entries.get(key);
        Node at = t == null ? node : t.getValueNode();
        return error(at, "'" + qualified(key) + "': " + message);
    }

    public boolean has(String key) {
        return entries.containsKey(key) && !isNull(entries.get(key).getValueNode());
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && (s.getTag().getValue().endsWith(":null"));
    }

    private Node value(String key) {
        used.add(key);
        NodeTuple t = entries.get(key);
        return t == null || isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    public OldConfigNode section(String key) {
        Node v = value(key);
        if (v == null) throw error(key, "missing section");
        if (!(v instanceof MappingNode m)) throw error(key, "must be a mapping of keys to values");
        OldConfigNode c = new OldConfigNode(file, qualified(key), m);
        children.add(c);
        return c;
    }

    /** The section, or an empty one if the key is absent. */
    public OldConfigNode optSection(String key) {
        if (!has(key)) {
            used.add(key);
            MappingNode empty = new MappingNode(
                    Tag.MAP,
                    true,
                    new ArrayList<>(),
                    node.getStartMark(),
                    node.getEndMark(),
                    DumperOptions.FlowStyle.BLOCK);
            OldConfigNode c = new OldConfigNode(file, qualified(key), empty);
            children.add(c);
            return c;
        }
        return section(key);
    }

    /** A list of mappings (e.g. the layers of a network), each a section named {@code key[i]}. */
    public List<OldConfigNode> sectionList(String key) {
        Node v = value(key);
        if (v == null) throw error(key, "missing list");
        if (!(v instanceof SequenceNode seq) || seq.getValue().isEmpty())
            throw error(key, "must be a non-empty list of mappings");
        List<OldConfigNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node e = seq.getValue().get(i);
            if (!(e instanceof MappingNode m))
                throw error(e, "'" + qualified(key) + "[" + i + "]': must be a mapping like {type: dense, units: 100}");
            OldConfigNode c = new OldConfigNode(file, qualified(key) + "[" + i + "]", m);
            children.add(c);
            out.add(c);
        }
        return out;
    }

    /** True if the value of {@code key} is a list. */
    public boolean isList(String key) {
        NodeTuple t = entries.get(key);
        return t != null && t.getValueNode() instanceof SequenceNode;
    }

    private String scalar(String key, Node v) {
        if (!(v instanceof ScalarNode s)) throw error(key, "must be a single value, not a list or mapping");
        return s.getValue().trim();
    }

    public String string(String key, String def) {
        Node v = value(key);
        return v == null ? def : scalar(key, v);
    }

    public String string(String key) {
        String s = string(key, null);
        if (s == null) throw error(key, "missing");
        return s;
    }

    public double number(String key, double def) {
        Node v = value(key);
        return v == null ? def : parseNumber(key, scalar(key, v));
    }

    public double number(String key) {
        if (!has(key)) throw error(key, "missing");
        return number(key, Double.NaN);
    }

    private double parseNumber(String key, String s) {
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) throw error(key, "must be a finite number, got '" + s + "'");
            return d;
        } catch (NumberFormatException e) {
            throw error(key, "must be a number, got '" + s + "'");
        }
    }

    public long integer(String key, long def) {
        Node v = value(key);
        if (v == null) return def;
        String s = scalar(key, v);
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(key, "must be a whole number, got '" + s + "'");
        }
    }

    public boolean bool(String key, boolean def) {
        Node v = value(key);
        if (v == null) return def;
        String s = scalar(key, v).toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(key, "must be true or false, got '" + s + "'");
        };
    }

    /** A list of numbers, or a single number repeated {@code n} times; {@code def} if absent. */
    public double[] numbers(String key, int n, double[] def) {
        Node v = value(key);
        if (v == null) return def;
        if (v instanceof ScalarNode) {
            double d = parseNumber(key, scalar(key, v));
            double[] out = new double[n];
            java.util.Arrays.fill(out, d);
            return out;
        }
        double[] out = numberList(key, v);
        if (n >= 0 && out.length != n) throw error(key, "needs " + n + " value(s), got " + out.length);
        return out;
    }

    /** A list of numbers of any length. */
    public double[] numberList(String key) {
        Node v = value(key);
        if (v == null) throw error(key, "missing");
        return numberList(key, v);
    }

    private double[] numberList(String key, Node v) {
        if (!(v instanceof SequenceNode seq)) throw error(key, "must be a list of numbers like [1, 2]");
        double[] out = new double[seq.getValue().size()];
        for (int i = 0; i < out.length; i++) {
            Node e = seq.getValue().get(i);
            if (!(e instanceof ScalarNode s))
                throw error(e, "'" + qualified(key) + "': element " + i + " must be a number");
            out[i] = parseNumber(key, s.getValue().trim());
        }
        return out;
    }

    /** A list of lists of numbers, e.g. per-layer weight vectors {@code [[1.0], [2.0]]}. */
    public double[][] numberLists(String key) {
        Node v = value(key);
        if (v == null) throw error(key, "missing");
        if (!(v instanceof SequenceNode seq))
            throw error(key, "must be a list of lists of numbers like [[1.0], [2.0]]");
        double[][] out = new double[seq.getValue().size()][];
        for (int i = 0; i < out.length; i++)
            out[i] = numberList(key + "[" + i + "]", seq.getValue().get(i));
        return out;
    }

    /**
     * Rejects every key of this section and its sections that no reader took: a typo in a config
     * must not be silently ignored.
     */
    public void finish() {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!used.contains(e.getKey())) {
                throw error(
                        e.getValue().getKeyNode(),
                        "unknown key '" + qualified(e.getKey()) + "'"
                                + (known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")"));
            }
        }
        for (OldConfigNode c : children) c.finish();
    }

    private final Set<String> known = new LinkedHashSet<>();

    /** Declares the keys this section accepts, for the message of {@link #finish()}. */
    public OldConfigNode keys(String... names) {
        known.addAll(List.of(names));
        return this;
    }
}
