package io.cortex4j.config;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes config records back as YAML, the inverse of the {@link Binder}: every component (defaults
 * included, absent ones left out) under its key, enums as their words, sealed-interface records with
 * their {@code type}, number lists in flow style. Binding the text again gives equal records, so a
 * run's {@code config.yaml} alone reproduces it.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** A record as a tree of maps, lists and scalars (numbers as {@link Number}, words as strings). */
    public static Object tree(Object value) {
        if (value == null) return null;
        if (value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long)
            return value;
        if (value instanceof Double d) return d;
        if (value instanceof Enum<?> e) return Binder.word(e);
        if (value instanceof double[] a) {
            List<Object> l = new ArrayList<>();
            for (double x : a) l.add(x);
            return l;
        }
        if (value instanceof int[] a) {
            List<Object> l = new ArrayList<>();
            for (int x : a) l.add(x);
            return l;
        }
        if (value instanceof long[] a) {
            List<Object> l = new ArrayList<>();
            for (long x : a) l.add(x);
            return l;
        }
        if (value instanceof double[][] a) {
            List<Object> l = new ArrayList<>();
            for (double[] x : a) l.add(tree(x));
            return l;
        }
        if (value instanceof List<?> list) {
            List<Object> l = new ArrayList<>();
            for (Object x : list) l.add(tree(x));
            return l;
        }
        try {
            Method m = value.getClass().getMethod("toConfig");
            return m.invoke(value);
        } catch (NoSuchMethodException e) {
            // a record
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        if (!value.getClass().isRecord())
            throw new IllegalStateException("cannot write " + value.getClass() + " as config");
        Map<String, Object> m = new LinkedHashMap<>();
        Words w = value.getClass().getAnnotation(Words.class);
        if (w != null) m.put("type", w.value()[0]);
        RecordComponent[] rc = value.getClass().getRecordComponents();
        for (RecordComponent c : rc) {
            try {
                Method acc = c.getAccessor();
                acc.setAccessible(true);
                Object v = tree(acc.invoke(value));
                if (v != null) m.put(c.getName(), v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        Key k0 = rc.length > 0 ? rc[0].getAnnotation(Key.class) : null;
        if (k0 != null && k0.shorthand() && m.size() == 1 && m.containsKey(rc[0].getName()))
            return m.get(rc[0].getName());
        return m;
    }

    /** Merges {@code extra} into {@code base} (maps recursively; extra's scalars win). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            Object b = out.get(e.getKey());
            if (b instanceof Map<?, ?> bm && e.getValue() instanceof Map<?, ?> em)
                out.put(e.getKey(), merge((Map<String, Object>) bm, (Map<String, Object>) em));
            else out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** The tree as YAML text: mappings in block style, lists of scalars and small mappings in flow style. */
    public static String yaml(Object tree) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
        o.setWidth(140);
        o.setIndent(2);
        o.setAllowUnicode(true);
        Representer r = new Representer(o) {
            {
                this.representers.put(Double.class, data -> representScalar(Tag.FLOAT, number((Double) data)));
            }
        };
        return new Yaml(r, o).dump(tree);
    }

    /**
     * A double as the shortest text that reads back to the same value, in a form YAML 1.1 readers
     * (PyYAML, SnakeYAML) also take as a number: {@code 0.01}, {@code 1.0e-06}, {@code 1.0e+20}.
     */
    public static String number(double d) {
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mant = s.substring(0, e), exp = s.substring(e + 1);
        if (!mant.contains(".")) mant = mant + ".0";
        String sign = exp.startsWith("-") ? "-" : "+";
        String digits = exp.startsWith("-") ? exp.substring(1) : exp;
        return mant + "e" + sign + (digits.length() == 1 ? "0" : "") + digits;
    }
}
