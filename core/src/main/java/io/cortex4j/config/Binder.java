package io.cortex4j.config;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds YAML (a {@link ConfigNode} tree) to immutable config records, the one way every config of
 * cortex4j is read: a record component {@code foo} is the key {@code foo}; its {@link Key}
 * annotation gives its default, bounds and whether it may be absent. Supported values: strings,
 * numbers, booleans, enums (by their {@link Words} or lower-case names), number lists and lists of
 * lists, lists of records, nested records (mappings), sealed interfaces of records chosen by a
 * {@code type} key, and value types with a static {@code fromConfig(ConfigNode)} factory and a
 * {@code toConfig()} method.
 *
 * <p>Every problem is one {@link ConfigException} naming file, line and key: a missing key, a key
 * given without a value ({@code etaIP:}), a wrong type, a number out of bounds, a single number where
 * a list is expected (never silently repeated), an unknown key ({@link #finish}).
 */
public final class Binder {
    private final Map<String, ConfigNode> positions = new LinkedHashMap<>();
    private final Map<String, Set<String>> used = new LinkedHashMap<>();
    private final Map<String, Set<String>> known = new LinkedHashMap<>();

    /**
     * Binds record {@code type} from the mapping {@code node}, taking the keys it names; several
     * records may be bound from one mapping (the shared experiment and a family's own record share
     * the {@code model} section), and {@link #finish} then rejects what none of them took.
     */
    public <T> T bind(Class<T> type, ConfigNode node) {
        return type.cast(value(type, type, node, null));
    }

    /** Rejects every key of {@code root} that no record took: a typo must not be silently ignored. */
    public void finish(ConfigNode root) {
        walk(root);
    }

    private void walk(ConfigNode m) {
        Set<String> u = used.get(m.path());
        if (u == null) return; // a mapping read by a value type as a whole
        for (Map.Entry<String, ConfigNode> e : m.entries().entrySet()) {
            if (!u.contains(e.getKey())) {
                Set<String> k = known.getOrDefault(m.path(), Set.of());
                throw e.getValue()
                        .error("unknown key" + (k.isEmpty() ? "" : " (known here: " + String.join(", ", k) + ")"));
            }
            walkValue(e.getValue());
        }
    }

    private void walkValue(ConfigNode v) {
        if (v.kind() == ConfigNode.Kind.MAPPING) walk(v);
        else if (v.kind() == ConfigNode.Kind.LIST) for (ConfigNode e : v.elements()) walkValue(e);
    }

    /** Positions of every value bound so far, for cross-key checks. */
    public Checks checks() {
        ConfigNode root = positions.get("");
        return new Checks(
                positions,
                root != null
                        ? root.source()
                        : positions.values().stream()
                                .findFirst()
                                .map(ConfigNode::source)
                                .orElse("config"));
    }

    // ------------------------------------------------------------------------------------ values

    private Object value(Class<?> raw, Type generic, ConfigNode v, Key key) {
        positions.put(v.path(), v);
        if (v.kind() == ConfigNode.Kind.NULL)
            throw v.error("no value given: write a value or delete the key (there is no silent default)");
        if (raw == String.class) return v.text();
        if (raw == double.class || raw == Double.class) return checkBounds(number(v), v, key);
        if (raw == int.class || raw == Integer.class)
            return (int) checkBounds(whole(v, Integer.MIN_VALUE, Integer.MAX_VALUE), v, key);
        if (raw == long.class || raw == Long.class)
            return (long) checkBounds(whole(v, Long.MIN_VALUE, Long.MAX_VALUE), v, key);
        if (raw == boolean.class || raw == Boolean.class) return bool(v);
        if (raw.isEnum()) return word(raw, v);
        if (raw == double[].class) {
            if (v.kind() == ConfigNode.Kind.SCALAR && key != null && key.uniform())
                return new double[] {checkBounds(number(v), v, key)};
            List<ConfigNode> e = list(v, "numbers like [1, 2]");
            double[] out = new double[e.size()];
            for (int i = 0; i < out.length; i++) out[i] = checkBounds(number(e.get(i)), e.get(i), key);
            return out;
        }
        if (raw == int[].class || raw == long[].class) {
            List<ConfigNode> e = list(v, "whole numbers like [4, 30, 3]");
            Object out = Array.newInstance(raw.getComponentType(), e.size());
            for (int i = 0; i < e.size(); i++) {
                double d = checkBounds(whole(e.get(i), Long.MIN_VALUE, Long.MAX_VALUE), e.get(i), key);
                if (raw == int[].class) {
                    if (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE)
                        throw e.get(i).error("too large");
                    Array.setInt(out, i, (int) d);
                } else Array.setLong(out, i, (long) d);
            }
            return out;
        }
        if (raw == double[][].class) {
            List<ConfigNode> e = list(v, "lists of numbers like [[1.0], [2.0]]");
            double[][] out = new double[e.size()][];
            for (int i = 0; i < out.length; i++)
                out[i] = (double[]) value(double[].class, double[].class, e.get(i), key);
            return out;
        }
        if (raw == List.class) {
            Type elem = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : String.class;
            Class<?> er = elem instanceof Class<?> c ? c : (Class<?>) ((ParameterizedType) elem).getRawType();
            List<Object> out = new ArrayList<>();
            for (ConfigNode e : list(v, "a list")) out.add(value(er, elem, e, key));
            return List.copyOf(out);
        }
        Method factory = factory(raw);
        if (factory != null) return reflect(v, () -> factory.invoke(null, v));
        if (raw.isSealed() && raw.isInterface()) return tagged(raw, v);
        if (raw.isRecord()) return record(raw, v);
        throw new IllegalStateException("config type not supported by the binder: " + generic);
    }

    private static List<ConfigNode> list(ConfigNode v, String what) {
        if (v.kind() != ConfigNode.Kind.LIST) {
            throw v.error("must be a list of " + what + ", not a " + v.describe()
                    + (v.kind() == ConfigNode.Kind.SCALAR
                            ? " (one value is not repeated for you: write the list)"
                            : ""));
        }
        return v.elements();
    }

    private static double number(ConfigNode v) {
        String s = v.text();
        try {
            double d = Double.parseDouble(s.replace("_", ""));
            if (!Double.isFinite(d)) throw v.error("must be a finite number, got '" + s + "'");
            return d;
        } catch (NumberFormatException e) {
            throw v.error("must be a number, got '" + s + "'");
        }
    }

    private static double whole(ConfigNode v, long lo, long hi) {
        String s = v.text();
        try {
            long x = Long.parseLong(s.replace("_", ""));
            if (x < lo || x > hi) throw v.error("out of range: " + s);
            return x;
        } catch (NumberFormatException e) {
            throw v.error("must be a whole number, got '" + s + "'");
        }
    }

    private static boolean bool(ConfigNode v) {
        return switch (v.text().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw v.error("must be true or false, got '" + v.text() + "'");
        };
    }

    private static double checkBounds(double d, ConfigNode v, Key k) {
        if (k == null) return d;
        if (d < k.min()) throw v.error("must be ≥ " + fmt(k.min()) + ", got " + fmt(d));
        if (!Double.isNaN(k.above()) && !(d > k.above()))
            throw v.error("must be > " + fmt(k.above()) + ", got " + fmt(d));
        if (d > k.max()) throw v.error("must be ≤ " + fmt(k.max()) + ", got " + fmt(d));
        return d;
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** The words of an enum constant: its {@link Words}, else its name in lower case with '-'. */
    public static List<String> words(Enum<?> e) {
        try {
            Words w = e.getDeclaringClass().getField(e.name()).getAnnotation(Words.class);
            if (w != null) return List.of(w.value());
        } catch (NoSuchFieldException x) {
            throw new IllegalStateException(x);
        }
        return List.of(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** The word written for an enum constant. */
    public static String word(Enum<?> e) {
        return words(e).get(0);
    }

    private static Object word(Class<?> type, ConfigNode v) {
        try {
            Method parse = type.getMethod("parse", String.class);
            if (Modifier.isStatic(parse.getModifiers()) && parse.getReturnType() == type)
                return reflect(v, () -> parse.invoke(null, v.text()));
        } catch (NoSuchMethodException e) {
            // words below
        }
        String s = v.text().toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> all = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
            List<String> w = words((Enum<?>) c);
            for (String x : w) if (x.equalsIgnoreCase(s)) return c;
            all.add(w.get(0));
        }
        throw v.error("unknown value '" + v.text() + "' (use " + String.join(", ", all) + ")");
    }

    private static Method factory(Class<?> raw) {
        try {
            Method m = raw.getMethod("fromConfig", ConfigNode.class);
            return Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The records of a sealed interface with their {@link Words}. */
    static Map<String, Class<?>> variants(Class<?> sealed) {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            Words w = c.getAnnotation(Words.class);
            if (w == null) throw new IllegalStateException(c + " needs @Words to be chosen by a type key");
            for (String s : w.value()) out.put(s, c);
        }
        return out;
    }

    private Object tagged(Class<?> sealed, ConfigNode v) {
        if (v.kind() != ConfigNode.Kind.MAPPING) throw v.error("must be a mapping with a type, not a " + v.describe());
        Map<String, Class<?>> variants = variants(sealed);
        ConfigNode t = v.get("type");
        Set<String> firsts = new LinkedHashSet<>();
        for (Class<?> c : variants.values())
            firsts.add(c.getAnnotation(Words.class).value()[0]);
        if (t == null) throw v.error("needs a type (" + String.join(", ", firsts) + ")");
        positions.put(t.path(), t);
        Class<?> c = variants.get(t.text().toLowerCase(Locale.ROOT));
        if (c == null) throw t.error("unknown type '" + t.text() + "' (use " + String.join(", ", firsts) + ")");
        used(v.path()).add("type");
        known(v.path()).add("type");
        return record(c, v);
    }

    private Set<String> used(String path) {
        return used.computeIfAbsent(path, p -> new LinkedHashSet<>());
    }

    private Set<String> known(String path) {
        return known.computeIfAbsent(path, p -> new LinkedHashSet<>());
    }

    private Object record(Class<?> type, ConfigNode v) {
        RecordComponent[] rc = type.getRecordComponents();
        if (v.kind() == ConfigNode.Kind.SCALAR && rc.length > 0) {
            Key k0 = rc[0].getAnnotation(Key.class);
            if (k0 != null && k0.shorthand()) {
                Object[] args = new Object[rc.length];
                args[0] = value(rc[0].getType(), rc[0].getGenericType(), v, k0);
                for (int i = 1; i < rc.length; i++) args[i] = absent(rc[i], v, v.path() + "." + rc[i].getName());
                return construct(type, args, v);
            }
        }
        if (v.kind() != ConfigNode.Kind.MAPPING)
            throw v.error("must be a mapping of keys to values, not a " + v.describe());
        Map<String, ConfigNode> entries = v.entries();
        Set<String> u = used(v.path()), kn = known(v.path());
        Object[] args = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            String name = rc[i].getName();
            kn.add(name);
            u.add(name);
            ConfigNode e = entries.get(name);
            String path = v.path().isEmpty() ? name : v.path() + "." + name;
            args[i] = e == null
                    ? absent(rc[i], v, path)
                    : value(rc[i].getType(), rc[i].getGenericType(), e, rc[i].getAnnotation(Key.class));
        }
        return construct(type, args, v);
    }

    private Object absent(RecordComponent c, ConfigNode parent, String path) {
        Key k = c.getAnnotation(Key.class);
        String def = k == null ? Key.REQUIRED : k.def();
        if (def.equals(Key.REQUIRED)) throw parent.error("missing key '" + c.getName() + "'");
        if (def.equals(Key.ABSENT)) {
            if (c.getType().isPrimitive()) throw new IllegalStateException(path + ": a primitive cannot be absent");
            return null;
        }
        ConfigNode d = ConfigNode.parseValue(def, "default of '" + path + "'", path);
        Object out = value(c.getType(), c.getGenericType(), d, k);
        positions.put(path, parent); // a default is reported at the section that left it out
        return out;
    }

    private static Object construct(Class<?> type, Object[] args, ConfigNode at) {
        return reflect(at, () -> {
            Class<?>[] types = new Class<?>[args.length];
            RecordComponent[] rc = type.getRecordComponents();
            for (int i = 0; i < rc.length; i++) types[i] = rc[i].getType();
            Constructor<?> c = type.getDeclaredConstructor(types);
            c.setAccessible(true);
            return c.newInstance(args);
        });
    }

    /** A reflective call whose IllegalArgumentException (a record's own check) becomes an error at {@code at}. */
    private interface Reflective {
        Object call() throws ReflectiveOperationException;
    }

    private static Object reflect(ConfigNode at, Reflective r) {
        try {
            return r.call();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ConfigException c) throw c;
            if (e.getCause() instanceof IllegalArgumentException a) throw at.error(a.getMessage());
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
