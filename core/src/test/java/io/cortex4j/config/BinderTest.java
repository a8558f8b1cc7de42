package io.cortex4j.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one binder of every config: types, defaults, bounds, positions in errors, overrides, the YAML writer. */
class BinderTest {
    enum Colour {
        RED,
        @Words({"dark-blue", "navy"})
        DARK_BLUE
    }

    record Inner(
            @Key(def = "2", min = 1) int n,
            @Key(def = "[0.5, 1.0]") double[] range) {}

    sealed interface Shape {
        @Words("circle")
        record Circle(@Key(above = 0) double r) implements Shape {}

        @Words({"square", "box"})
        record Square(double side, @Key(def = "0.0") double angle) implements Shape {}
    }

    record Task(
            @Key(shorthand = true) String name,
            @Key(def = Key.ABSENT) Integer extra) {}

    record Doc(
            String name,
            @Key(def = "0.01", above = 0) double dt,
            @Key(def = "red") Colour colour,
            @Key(def = "{}") Inner inner,
            @Key(def = Key.ABSENT) double[] rates,
            @Key(def = Key.ABSENT, uniform = true) double[] tau,
            @Key(def = Key.ABSENT) List<Shape> shapes,
            @Key(def = "classification") Task task,
            @Key(def = "false") boolean flag) {}

    static Doc bind(String yaml) {
        Binder b = new Binder();
        ConfigNode root = ConfigNode.parse(yaml, "test.yaml");
        Doc d = b.bind(Doc.class, root);
        b.finish(root);
        return d;
    }

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> bind(yaml)).getMessage();
    }

    @Test
    void bindsEveryKindOfValueWithItsDefaults() {
        Doc d = bind("""
                name: x
                colour: navy
                rates: [1, 2.5]
                tau: 3
                shapes: [{type: circle, r: 2}, {type: box, side: 1.5}]
                task: {name: t, extra: 4}
                """);
        assertEquals(0.01, d.dt());
        assertEquals(Colour.DARK_BLUE, d.colour());
        assertEquals(2, d.inner().n());
        assertArrayEquals(new double[] {0.5, 1.0}, d.inner().range());
        assertArrayEquals(new double[] {1, 2.5}, d.rates());
        assertArrayEquals(new double[] {3}, d.tau(), "a uniform list may be one number");
        assertEquals(new Shape.Circle(2), d.shapes().get(0));
        assertEquals(new Shape.Square(1.5, 0.0), d.shapes().get(1));
        assertEquals(new Task("t", 4), d.task());
        assertEquals(
                new Task("classification", null), bind("name: x").task(), "a record may be written as its first value");
        assertNull(bind("name: x").rates());
    }

    @Test
    void errorsNameFileLineAndKey() {
        assertEquals("test.yaml:1: missing key 'name'", error("dt: 0.1\n"));
        assertEquals("test.yaml:2: 'dt': must be > 0, got 0", error("name: x\ndt: 0\n"));
        assertEquals("test.yaml:2: 'dt': must be a number, got 'fast'", error("name: x\ndt: fast\n"));
        assertTrue(error("name: x\ncolour: green\n")
                .startsWith("test.yaml:2: 'colour': unknown value 'green' (use red, dark-blue)"));
        assertEquals("test.yaml:3: 'inner.n': must be ≥ 1, got 0", error("name: x\ninner:\n  n: 0\n"));
        assertTrue(error("name: x\nshapes: [{type: hexagon}]\n")
                .startsWith("test.yaml:2: 'shapes[0].type': unknown type 'hexagon' (use circle, square)"));
        assertEquals(
                "test.yaml:2: 'shapes[0].r': must be > 0, got -1", error("name: x\nshapes: [{type: circle, r: -1}]\n"));
        assertEquals("test.yaml:2: 'flag': must be true or false, got 'maybe'", error("name: x\nflag: maybe\n"));
    }

    @Test
    void aKeyWithoutAValueIsAnErrorNotADefault() {
        assertEquals(
                "test.yaml:2: 'dt': no value given: write a value or delete the key (there is no silent default)",
                error("name: x\ndt:\n"));
        assertTrue(error("name: x\ninner: {n: null}\n").contains("'inner.n': no value given"));
        assertTrue(error("name: x\nrates: ~\n").contains("'rates': no value given"));
    }

    @Test
    void aSingleNumberIsNotRepeatedIntoAList() {
        assertEquals(
                "test.yaml:2: 'rates': must be a list of numbers like [1, 2], not a value '0.5' (one value is not repeated for you:"
                        + " write the list)",
                error("name: x\nrates: 0.5\n"));
        assertTrue(error("name: x\ninner: {range: -0.1}\n").contains("'inner.range': must be a list of numbers"));
    }

    @Test
    void unknownKeysAreRejectedWithTheKnownOnes() {
        assertEquals(
                "test.yaml:2: 'colur': unknown key (known here: name, dt, colour, inner, rates, tau, shapes, task, flag)",
                error("name: x\ncolur: red\n"));
        assertEquals("test.yaml:3: 'inner.m': unknown key (known here: n, range)", error("name: x\ninner:\n  m: 3\n"));
        assertTrue(error("name: x\nname: y\n").contains("'name': this key appears twice"));
    }

    @Test
    void brokenFilesGiveOneLineNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "name: x\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        String m = assertThrows(ConfigException.class, () -> ConfigNode.load(latin1))
                .getMessage();
        assertEquals(latin1 + ":2: not UTF-8 text (byte 13 is 0xe9); save the config as UTF-8", m);
        String ctrl = assertThrows(ConfigException.class, () -> ConfigNode.parse("name: x\ndt: 0.1\u0007\n", "c.yaml"))
                .getMessage();
        assertEquals("c.yaml:2: not valid YAML: the control character U+0007 is not allowed in a YAML file", ctrl);
        String bad = assertThrows(ConfigException.class, () -> ConfigNode.parse("name: [x\n", "b.yaml"))
                .getMessage();
        assertTrue(bad.startsWith("b.yaml:2: not valid YAML:") && !bad.contains("\n"), bad);
        assertEquals(
                dir.resolve("none.yaml") + ": config file not found",
                assertThrows(ConfigException.class, () -> ConfigNode.load(dir.resolve("none.yaml")))
                        .getMessage());
    }

    @Test
    void overridesActOnTheTreeAndNameThemselvesInErrors() {
        ConfigNode root = ConfigNode.parse("name: x\ninner: {n: 3}\nshapes: [{type: circle, r: 1}]\n", "t.yaml")
                .withOverrides(List.of("inner.n=5", "dt=0.5", "shapes[0].r=2", "rates=[1, 2]"));
        Doc d = new Binder().bind(Doc.class, root);
        assertEquals(5, d.inner().n());
        assertEquals(0.5, d.dt());
        assertEquals(2, ((Shape.Circle) d.shapes().get(0)).r());
        assertArrayEquals(new double[] {1, 2}, d.rates());
        ConfigNode bad = ConfigNode.parse("name: x\n", "t.yaml").withOverrides(List.of("dt=-1"));
        assertEquals(
                "--set dt=-1: 'dt': must be > 0, got -1",
                assertThrows(ConfigException.class, () -> new Binder().bind(Doc.class, bad))
                        .getMessage());
        assertEquals(
                "--set shapes[3].r=1: 'shapes' has 1 elements, no [3]",
                assertThrows(
                                ConfigException.class,
                                () -> ConfigNode.parse("name: x\nshapes: [{type: circle, r: 1}]\n", "t.yaml")
                                        .withOverrides(List.of("shapes[3].r=1")))
                        .getMessage());
        assertTrue(assertThrows(
                        ConfigException.class,
                        () -> ConfigNode.parse("name: x\n", "t.yaml").withOverrides(List.of("nonsense")))
                .getMessage()
                .startsWith("--set nonsense: expected key=value"));
    }

    @Test
    void defaultsFillOnlyWhatTheDocumentLeavesOut() {
        ConfigNode root = ConfigNode.parse("name: x\ninner: {n: 3}\n", "t.yaml")
                .withDefaults("{dt: 0.2, inner: {n: 7, range: [1.0, 2.0]}}", "family defaults");
        Doc d = new Binder().bind(Doc.class, root);
        assertEquals(0.2, d.dt());
        assertEquals(3, d.inner().n());
        assertArrayEquals(new double[] {1, 2}, d.inner().range());
    }

    @Test
    void theWriterIsTheInverseOfTheBinder() {
        Doc d = bind("""
                name: x
                dt: 1.0e-07
                colour: navy
                rates: [1, 2.5, 1e20]
                shapes: [{type: circle, r: 2}, {type: box, side: 1.5}]
                task: {name: t, extra: 4}
                """);
        String yaml = ConfigWriter.yaml(ConfigWriter.tree(d));
        Doc again = bind(yaml);
        assertEquals(ConfigWriter.tree(d), ConfigWriter.tree(again));
        assertTrue(yaml.contains("rates: [1.0, 2.5, 1.0e+20]"), yaml);
        assertTrue(yaml.contains("colour: dark-blue"), yaml);
        assertEquals("1.0e-07", ConfigWriter.number(1e-7));
        assertEquals("0.01", ConfigWriter.number(0.01));
        for (double v : new double[] {0.1, 1e-300, 123456789.125, -2.5e-5, Double.MIN_VALUE})
            assertEquals(v, Double.parseDouble(ConfigWriter.number(v)), "round trip of " + v);
    }
}
