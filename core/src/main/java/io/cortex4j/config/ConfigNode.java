package io.cortex4j.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * One value of a YAML config with its position: a mapping, a list, a scalar or an explicit null, the
 * file (or {@code --set} override) it came from, its line, and its key path ({@code model.layers[1].units}).
 * Every error about a value names file, line and key through {@link #error(String)}.
 */
public final class ConfigNode {
    /** The kind of a YAML value. */
    public enum Kind {
        MAPPING,
        LIST,
        SCALAR,
        NULL
    }

    private final String source;
    private final String path;
    private final Node node;
    /** Nodes grafted in by overrides, with the override that made them (their subtrees inherit it). */
    private final Map<Node, String> grafted;

    private Map<String, ConfigNode> entries;

    private ConfigNode(String source, String path, Node node, Map<Node, String> grafted) {
        this.grafted = grafted;
        this.source = grafted.getOrDefault(node, source);
        this.path = path;
        this.node = node;
    }

    private ConfigNode(String source, String path, Node node) {
        this(source, path, node, new IdentityHashMap<>());
    }

    private ConfigNode child(String path, Node n) {
        return new ConfigNode(source, path, n, grafted);
    }

    /** Reads a config file: UTF-8 text holding one YAML mapping. */
    public static ConfigNode load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": config file not readable (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + e.getMessage());
        }
        return parse(decode(bytes, file.toString()), file.toString());
    }

    /** Decodes UTF-8 strictly: a file in another encoding is named with the line of its first bad byte. */
    static String decode(byte[] bytes, String source) {
        CharsetDecoder dec = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isUnderflow()) r = dec.flush(out);
        if (r.isError()) {
            int bad = in.position();
            int line = 1;
            for (int i = 0; i < bad; i++) if (bytes[i] == '\n') line++;
            throw new ConfigException(source + ":" + line + ": not UTF-8 text (byte " + bad + " is 0x"
                    + String.format("%02x", bytes[Math.min(bad, bytes.length - 1)] & 0xff)
                    + "); save the config as UTF-8");
        }
        out.flip();
        return out.toString();
    }

    /** Parses YAML text whose top level must be a mapping; {@code source} names it in errors. */
    public static ConfigNode parse(String text, String source) {
        Node root = compose(text, source);
        if (!(root instanceof MappingNode))
            throw new ConfigException(source + ": a config must be a YAML mapping of keys to values");
        return new ConfigNode(source, "", root);
    }

    /** Parses one YAML value of any kind (an override's value, a default). */
    static ConfigNode parseValue(String text, String source, String path) {
        Node n = compose(text, source);
        if (n == null) n = new ScalarNode(Tag.NULL, "", null, null, DumperOptions.ScalarStyle.PLAIN);
        return new ConfigNode(source, path, n);
    }

    private static Node compose(String text, String source) {
        try {
            return new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new ConfigException(source + (m == null ? "" : ":" + (m.getLine() + 1)) + ": not valid YAML: "
                    + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage()));
        } catch (ReaderException e) {
            int line = 1;
            for (int i = 0; i < Math.min(e.getPosition(), text.length()); i++) if (text.charAt(i) == '\n') line++;
            throw new ConfigException(source + ":" + line + ": not valid YAML: the control character U+"
                    + String.format("%04X", e.getCodePoint()) + " is not allowed in a YAML file");
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML: " + oneLine(e.getMessage()));
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    // ------------------------------------------------------------------------------------ reading

    public String source() {
        return source;
    }

    /** The key path of this value, e.g. {@code model.layers[1].units}; empty for the document. */
    public String path() {
        return path;
    }

    public int line() {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** {@code file:line} of this value. */
    public String where() {
        return line() > 0 && !source.startsWith("--set ") ? source + ":" + line() : source;
    }

    public Kind kind() {
        if (node instanceof MappingNode) return Kind.MAPPING;
        if (node instanceof SequenceNode) return Kind.LIST;
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) return Kind.NULL;
        return Kind.SCALAR;
    }

    /** An error about this value: {@code file:line: 'path': message}. */
    public ConfigException error(String message) {
        return new ConfigException(where() + ": " + (path.isEmpty() ? "" : "'" + path + "': ") + message);
    }

    /** The scalar's text (trimmed). */
    public String text() {
        if (!(node instanceof ScalarNode s)) throw error("must be a single value, not a " + describe());
        return s.getValue().strip();
    }

    /** A short description of this value's kind, for error messages. */
    public String describe() {
        return switch (kind()) {
            case MAPPING -> "mapping";
            case LIST -> "list";
            case NULL -> "missing value";
            case SCALAR -> "value '" + ((ScalarNode) node).getValue() + "'";
        };
    }

    /**
     * This value as one line of YAML ({@code 0.5}, {@code [1, 2]}, {@code {sigma: 0.1}}), such that
     * {@code key=<text>} as an override sets the same value.
     */
    public String yaml() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
        o.setWidth(Integer.MAX_VALUE);
        o.setSplitLines(false);
        StringWriter w = new StringWriter();
        new Yaml().serialize(node, w);
        Object value = new Yaml(new LoaderOptions()).load(w.toString());
        if (value == null) return "null";
        String text = new Yaml(o).dump(value).strip();
        return text.endsWith("...") ? text.substring(0, text.length() - 3).strip() : text;
    }

    /** The entries of a mapping in file order. */
    public Map<String, ConfigNode> entries() {
        if (!(node instanceof MappingNode m)) throw error("must be a mapping of keys to values, not a " + describe());
        if (entries == null) {
            Map<String, ConfigNode> e = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k) || k.getTag().equals(Tag.NULL))
                    throw child(path, t.getKeyNode()).error("keys must be plain words");
                String key = k.getValue().strip();
                if (e.containsKey(key))
                    throw child(childPath(key), t.getKeyNode()).error("this key appears twice");
                e.put(key, child(childPath(key), t.getValueNode()));
            }
            entries = e;
        }
        return entries;
    }

    /** The value of {@code key} in this mapping, or null if the key is absent. */
    public ConfigNode get(String key) {
        return entries().get(key);
    }

    /** The elements of a list. */
    public List<ConfigNode> elements() {
        if (!(node instanceof SequenceNode s)) throw error("must be a list, not a " + describe());
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++)
            out.add(child(path + "[" + i + "]", s.getValue().get(i)));
        return out;
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    // ------------------------------------------------------------------------------------ overrides

    /**
     * This document with {@code key=value} overrides applied to the YAML tree (the command line's
     * {@code --set}): the key is a dotted path with list indices ({@code model.layers[1].units}), the
     * value YAML ({@code 0.5}, {@code [1, 2]}, {@code {sigma: 0.1}}). Missing mappings on the path are
     * created; a value from an override names the override in errors.
     */
    public ConfigNode withOverrides(List<String> assignments) {
        if (assignments.isEmpty()) return this;
        if (!(node instanceof MappingNode)) throw error("overrides need a mapping");
        Map<Node, String> g = new IdentityHashMap<>();
        MappingNode root = (MappingNode) copy(node, grafted, g);
        for (String a : assignments) apply(root, a, g);
        return new ConfigNode(source, "", root, g);
    }

    /**
     * This document with {@code defaults} (a YAML mapping) filled in wherever the document leaves a key
     * out, recursively through mappings; the values taken from it name {@code source} in errors.
     */
    public ConfigNode withDefaults(String defaults, String source) {
        Node d = compose(defaults, source);
        if (d == null) return this;
        if (!(d instanceof MappingNode dm)) throw new IllegalStateException(source + ": defaults must be a mapping");
        Map<Node, String> g = new IdentityHashMap<>();
        MappingNode root = (MappingNode) copy(node, grafted, g);
        fill(root, dm, source, g);
        return new ConfigNode(this.source, "", root, g);
    }

    private static void fill(MappingNode into, MappingNode defaults, String source, Map<Node, String> grafted) {
        for (NodeTuple t : defaults.getValue()) {
            String k = ((ScalarNode) t.getKeyNode()).getValue();
            NodeTuple have = null;
            for (NodeTuple x : into.getValue())
                if (x.getKeyNode() instanceof ScalarNode s
                        && s.getValue().strip().equals(k)) have = x;
            if (have == null) {
                into.getValue().add(new NodeTuple(t.getKeyNode(), t.getValueNode()));
                grafted.put(t.getValueNode(), source);
            } else if (have.getValueNode() instanceof MappingNode hm && t.getValueNode() instanceof MappingNode dm) {
                fill(hm, dm, source, grafted);
            }
        }
    }

    private static void apply(MappingNode root, String assignment, Map<Node, String> grafted) {
        String src = "--set " + assignment;
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new ConfigException(src + ": expected key=value, e.g. --set rule.etaFeedback=[0.5]");
        String key = assignment.substring(0, eq).strip();
        List<Object> steps = pathSteps(key, src);
        Node value = parseValue(assignment.substring(eq + 1), src, key).node;
        grafted.put(value, src);
        Node at = root;
        for (int i = 0; i < steps.size(); i++) {
            Object step = steps.get(i);
            boolean last = i == steps.size() - 1;
            if (step instanceof String k) {
                if (!(at instanceof MappingNode m))
                    throw new ConfigException(
                            src + ": '" + prefix(steps, i) + "' is not a mapping, so it has no key '" + k + "'");
                NodeTuple found = null;
                int index = -1;
                for (int j = 0; j < m.getValue().size(); j++) {
                    if (m.getValue().get(j).getKeyNode() instanceof ScalarNode s
                            && s.getValue().strip().equals(k)) {
                        found = m.getValue().get(j);
                        index = j;
                    }
                }
                Node next;
                if (last) next = value;
                else if (found != null
                        && !(found.getValueNode() instanceof ScalarNode s
                                && s.getTag().equals(Tag.NULL))) next = found.getValueNode();
                else {
                    next = steps.get(i + 1) instanceof Integer ? null : emptyMapping();
                    if (next != null) grafted.put(next, src);
                }
                if (next == null)
                    throw new ConfigException(src + ": '" + prefix(steps, i + 1) + "' is not a list in the config");
                ScalarNode keyNode = new ScalarNode(Tag.STR, k, null, null, DumperOptions.ScalarStyle.PLAIN);
                NodeTuple t = new NodeTuple(found != null ? found.getKeyNode() : keyNode, next);
                if (found != null) m.getValue().set(index, t);
                else m.getValue().add(t);
                at = next;
            } else {
                int idx = (Integer) step;
                if (!(at instanceof SequenceNode s))
                    throw new ConfigException(src + ": '" + prefix(steps, i) + "' is not a list");
                if (idx >= s.getValue().size())
                    throw new ConfigException(src + ": '" + prefix(steps, i) + "' has "
                            + s.getValue().size() + " elements, no [" + idx + "]");
                if (last) s.getValue().set(idx, value);
                at = s.getValue().get(idx);
            }
        }
    }

    private static MappingNode emptyMapping() {
        return new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
    }

    private static String prefix(List<Object> steps, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (steps.get(i) instanceof String s)
                b.append(b.isEmpty() ? "" : ".").append(s);
            else b.append('[').append(steps.get(i)).append(']');
        }
        return b.toString();
    }

    /** {@code a.b[2].c} as ["a", "b", 2, "c"]. */
    static List<Object> pathSteps(String key, String src) {
        List<Object> steps = new ArrayList<>();
        for (String part : key.split("\\.", -1)) {
            int br = part.indexOf('[');
            String name = br < 0 ? part : part.substring(0, br);
            if (!name.matches("[A-Za-z][A-Za-z0-9_-]*"))
                throw new ConfigException(src + ": '" + key + "' is not a key path like model.layers[1].units");
            steps.add(name);
            String rest = br < 0 ? "" : part.substring(br);
            while (!rest.isEmpty()) {
                int close = rest.indexOf(']');
                if (!rest.startsWith("[")
                        || close < 2
                        || !rest.substring(1, close).matches("[0-9]+"))
                    throw new ConfigException(src + ": '" + key + "' is not a key path like model.layers[1].units");
                steps.add(Integer.parseInt(rest.substring(1, close)));
                rest = rest.substring(close + 1);
            }
        }
        return steps;
    }

    /** A deep copy of the mappings and lists of a tree; a node grafted by an override stays marked in the copy. */
    private static Node copy(Node n, Map<Node, String> grafted, Map<Node, String> into) {
        Node out = n;
        if (n instanceof MappingNode m) {
            List<NodeTuple> t = new ArrayList<>();
            for (NodeTuple x : m.getValue())
                t.add(new NodeTuple(x.getKeyNode(), copy(x.getValueNode(), grafted, into)));
            out = new MappingNode(m.getTag(), true, t, m.getStartMark(), m.getEndMark(), m.getFlowStyle());
        } else if (n instanceof SequenceNode s) {
            List<Node> v = new ArrayList<>();
            for (Node x : s.getValue()) v.add(copy(x, grafted, into));
            out = new SequenceNode(s.getTag(), true, v, s.getStartMark(), s.getEndMark(), s.getFlowStyle());
        }
        String src = grafted.get(n);
        if (src != null) into.put(out, src);
        return out;
    }

    @Override
    public String toString() {
        return where() + " " + path;
    }
}
