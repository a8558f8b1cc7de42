package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cortex4j.config.ConfigException;
import io.cortex4j.datasets.DataFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz test over mutated configs: keys dropped, duplicated, misspelt, re-indented, values
 * retyped or replaced by odd ones, lines swapped, text cut off, random bytes (control characters,
 * bytes that are not UTF-8) inserted. Every mutant must give either a valid experiment or one clean
 * line of error that names where — never another exception, never a multi-line message. Mutants of
 * the small runs (generated data) are also checked the way {@code cortex4j validate} does: data,
 * shapes and the network built.
 */
class ConfigFuzzTest {
    static final String[] VALUES = {
        "",
        "null",
        "~",
        "-1",
        "0",
        "1e309",
        "NaN",
        ".inf",
        "-.inf",
        "abc",
        "[1, 2]",
        "{a: 1}",
        "[]",
        "{}",
        "true",
        "99999999999",
        "1.5",
        "-0.0",
        "[-1]",
        "'x'",
        "[[1]]",
        "2147483648",
        "1_000",
        "0x10",
        "[0.5, abc]",
        "{type: dense}",
        "- 3",
        "[1, [2]]",
        "&a 1",
        "*a"
    };

    @TempDir
    Path tmp;

    record Outcome(int valid, int errors) {}

    @Test
    void mutantsOfEveryConfigGiveAValidExperimentOrOneCleanLine() throws IOException {
        List<String[]> sources = new ArrayList<>();
        for (Path p : ExperimentTest.shipped().toList())
            sources.add(new String[] {p.getFileName().toString(), Files.readString(p), "bind"});
        Path data = TinyRuns.mnist1d(tmp.resolve("data"));
        for (Map.Entry<String, String> e : TinyRuns.all().entrySet())
            sources.add(new String[] {e.getKey() + ".yaml", e.getValue().replace("%DATA%", data.toString()), "check"});
        Random r = new Random(Long.getLong("cortex4j.fuzz.seed", 20261201L));
        int valid = 0, errors = 0, n = 0;
        for (int round = 0; round < 45; round++) {
            for (String[] src : sources) {
                String mutant = mutate(src[1], r);
                boolean bytes = r.nextInt(6) == 0;
                Outcome o = bytes
                        ? tryBytes(src[0], mutant, r, src[2].equals("check"))
                        : tryText(src[0], mutant, src[2].equals("check"));
                valid += o.valid();
                errors += o.errors();
                n++;
            }
        }
        assertTrue(n >= 1000, "at least 1000 mutants, got " + n);
        assertTrue(
                errors > n / 4 && valid > n / 20,
                "both outcomes occur: " + valid + " valid, " + errors + " errors of " + n);
        System.out.println("config fuzz: " + n + " mutants, " + valid + " valid, " + errors + " clean errors");
    }

    private Outcome tryText(String name, String mutant, boolean check) {
        try {
            Experiment e = Experiment.parse(mutant, name, List.of());
            if (check) Trainer.check(e);
            return new Outcome(1, 0);
        } catch (ConfigException | DataFormatException e) {
            clean(e, name, mutant);
            return new Outcome(0, 1);
        } catch (RuntimeException e) {
            fail("mutant of " + name + " threw " + e + " instead of a clean error:\n" + mutant, e);
            return null;
        }
    }

    private Outcome tryBytes(String name, String mutant, Random r, boolean check) throws IOException {
        byte[] b = mutant.getBytes(StandardCharsets.UTF_8);
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) (r.nextBoolean() ? r.nextInt(32) : 0x80 + r.nextInt(128));
        System.arraycopy(b, at, out, at + 1, b.length - at);
        Path f = tmp.resolve(name);
        Files.write(f, out);
        try {
            Experiment e = Experiment.load(f, List.of());
            if (check) Trainer.check(e);
            return new Outcome(1, 0);
        } catch (ConfigException | DataFormatException e) {
            clean(e, f.toString(), new String(out, StandardCharsets.ISO_8859_1));
            return new Outcome(0, 1);
        } catch (RuntimeException e) {
            fail(
                    "byte mutant of " + name + " threw " + e + " instead of a clean error:\n"
                            + new String(out, StandardCharsets.ISO_8859_1),
                    e);
            return null;
        }
    }

    private static void clean(RuntimeException e, String source, String mutant) {
        String m = e.getMessage();
        if (m == null
                || m.isBlank()
                || m.contains("\n")
                || !(m.startsWith(source)
                        || m.startsWith("default of '")
                        || m.startsWith("defaults of family")
                        || e instanceof DataFormatException))
            fail("not one clean line naming " + source + ": " + m + "\nmutant:\n" + mutant);
    }

    /** One or two random edits of the config's text. */
    static String mutate(String text, Random r) {
        int edits = 1 + r.nextInt(2);
        for (int i = 0; i < edits; i++) text = edit(text, r);
        return text;
    }

    private static String edit(String text, Random r) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        List<Integer> keyed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
            if (lines.get(i).matches("\\s*-?\\s*[A-Za-z][A-Za-z0-9]*:.*")) keyed.add(i);
        if (keyed.isEmpty()) return text;
        int li = keyed.get(r.nextInt(keyed.size()));
        String line = lines.get(li);
        int colon = line.indexOf(':');
        switch (r.nextInt(9)) {
            case 0 -> lines.remove(li);
            case 1 -> lines.add(li, line);
            case 2 -> lines.set(li, line.substring(0, colon + 1) + " " + VALUES[r.nextInt(VALUES.length)]);
            case 3 -> {
                int k = line.indexOf(line.trim());
                String key = line.substring(k, colon);
                String typo = key.length() > 1 && r.nextBoolean() ? key.substring(0, key.length() - 1) : key + "s";
                lines.set(li, line.substring(0, k) + typo + line.substring(colon));
            }
            case 4 -> lines.set(li, r.nextBoolean() ? "  " + line : line.replaceFirst("^  ", ""));
            case 5 -> {
                int lj = keyed.get(r.nextInt(keyed.size()));
                String t = lines.get(lj);
                lines.set(lj, line);
                lines.set(li, t);
            }
            case 6 -> {
                String v = line.substring(colon + 1).trim();
                String retyped = v.startsWith("[")
                        ? v.replaceAll("[\\[\\]]", "").split(",")[0]
                        : v.startsWith("{") ? "1" : "[" + v + "]";
                lines.set(li, line.substring(0, colon + 1) + " " + retyped);
            }
            case 7 -> {
                String joined = String.join("\n", lines);
                return joined.substring(0, r.nextInt(joined.length() + 1));
            }
            default -> {
                String v = line.substring(colon + 1);
                String num = Double.toString((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(12) - 4));
                lines.set(li, line.substring(0, colon + 1) + v.replaceFirst("-?[0-9]+(\\.[0-9]+)?(e-?[0-9]+)?", num));
            }
        }
        return String.join("\n", lines);
    }
}
