package io.cortex4j.cli.sweep;

import io.cortex4j.config.ConfigException;
import io.cortex4j.io.AtomicFiles;
import io.cortex4j.run.Experiment;
import io.cortex4j.run.RunDirectory;
import io.cortex4j.run.RunDirectoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A suite expanded into cells and runs, and the sweep directory that holds them:
 *
 * <pre>
 * &lt;out&gt;/&lt;suite name&gt;/
 *   suite.yaml           the suite as last run
 *   plan.json            the cells: base config, overrides, runs
 *   configs/&lt;run&gt;.yaml  each run's resolved config (what `cortex4j train` runs)
 *   runs/&lt;run&gt;/         each run's ordinary run directory
 *   logs/&lt;run&gt;.log      its output; logs/&lt;run&gt;.exit its exit status
 *   slurm/               job scripts, task lists, jobs.json, Slurm's own output
 *   results/             what `sweep collect` writes
 * </pre>
 *
 * A cell is a base config at one point of the grid; a run is a cell with one seed, named
 * {@code <cell>-s<seed>}. Everything is bound and checked before anything is written; a run
 * directory that holds a different config than the suite now asks for is an error, never overwritten.
 */
public final class Sweep {
    /** A cell: its name, base config, grid point (key → YAML value) and overrides in order. */
    public record Cell(String id, String label, Path config, Map<String, String> point, List<String> overrides) {}

    /** A run of a cell with one seed, and its resolved config. */
    public record Run(Cell cell, long seed, String id, String yaml) {}

    /** Where a run stands, from its files. */
    public enum State {
        PENDING,
        PARTIAL,
        DONE,
        FAILED
    }

    public static final String PLAN = "plan.json";

    private final Suite suite;
    private final Path dir;
    private final List<Cell> cells;
    private final List<Run> runs;

    private Sweep(Suite suite, Path dir, List<Cell> cells, List<Run> runs) {
        this.suite = suite;
        this.dir = dir;
        this.cells = cells;
        this.runs = runs;
    }

    /**
     * Expands {@code suite} under {@code out} with {@code extra} overrides (the command line's) after
     * the suite's own: binds every run's config (a mistake names the cell and the config's file, line
     * and key) and checks that the runs already on disk are runs of these configs. Writes nothing.
     */
    public static Sweep expand(Suite suite, Path out, List<String> extra) {
        Path dir = out.resolve(suite.name());
        List<List<String>> points = new ArrayList<>();
        points.add(List.of());
        List<String> keys = new ArrayList<>();
        for (Suite.Axis a : suite.grid()) {
            keys.addAll(a.keys());
            List<List<String>> next = new ArrayList<>();
            for (List<String> p : points)
                for (List<String> v : a.values()) {
                    List<String> q = new ArrayList<>(p);
                    q.addAll(v);
                    next.add(q);
                }
            points = next;
        }
        List<Cell> cells = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Suite.Base b : suite.configs()) {
            if (!Files.isRegularFile(b.config())) throw Suite.error(b.where(), "config file not found: " + b.config());
            for (List<String> p : points) {
                Map<String, String> point = new LinkedHashMap<>();
                List<String> o = new ArrayList<>(b.set());
                o.addAll(suite.set());
                for (int i = 0; i < keys.size(); i++) {
                    point.put(keys.get(i), p.get(i));
                    o.add(keys.get(i) + "=" + p.get(i));
                }
                o.addAll(extra);
                Experiment base = bind(b.config(), o, "a cell of " + b.config().getFileName());
                String label = b.label() != null ? b.label() : base.name();
                String id = cellId(label, point);
                if (!ids.add(id))
                    throw Suite.error(
                            b.where(),
                            "two cells would be named " + id
                                    + " (the same config twice? give the entries of configs: distinct labels)");
                Cell cell = new Cell(id, label, b.config(), point, List.copyOf(o));
                cells.add(cell);
                List<Long> seeds = suite.seeds().isEmpty() ? List.of(base.run().seed()) : suite.seeds();
                for (long s : seeds) {
                    List<String> os = new ArrayList<>(o);
                    os.add("run.seed=" + s);
                    Experiment e = suite.seeds().isEmpty() ? base : bind(b.config(), os, "cell " + id);
                    runs.add(new Run(cell, s, id + "-s" + s, e.toYaml()));
                }
            }
        }
        Sweep sw = new Sweep(suite, dir, cells, runs);
        for (Run r : runs) sw.checkOnDisk(r);
        return sw;
    }

    /** The sweep in {@code dir} as last written (for status, cancel, collect): its suite copy and plan. */
    public static Sweep open(Path dir) {
        if (!Files.isDirectory(dir)) throw new RunDirectoryException(dir + " is not a directory");
        Path plan = dir.resolve(PLAN);
        if (!Files.isRegularFile(plan))
            throw new RunDirectoryException(dir + " is not a sweep directory (it has no " + PLAN
                    + "; a sweep directory is made by cortex4j sweep SUITE)");
        Map<String, Object> p = RunDirectory.readJson(plan);
        Suite suite;
        try {
            Path original = Path.of((String) p.get("suite_file"));
            Suite copy = Suite.load(dir.resolve("suite.yaml"), original.getParent());
            // named by the file its user edits; its copy here is what was run
            suite = new Suite(
                    original,
                    copy.name(),
                    copy.description(),
                    copy.configs(),
                    copy.set(),
                    copy.grid(),
                    copy.seeds(),
                    copy.columns(),
                    copy.published(),
                    copy.report(),
                    copy.parallel(),
                    copy.slurm(),
                    copy.bench());
        } catch (RuntimeException e) {
            throw new RunDirectoryException(dir.resolve("suite.yaml") + " is damaged: " + e.getMessage());
        }
        List<Cell> cells = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        try {
            for (Object o : (List<?>) p.get("cells")) {
                Map<?, ?> c = (Map<?, ?>) o;
                @SuppressWarnings("unchecked")
                Cell cell = new Cell(
                        (String) c.get("id"),
                        (String) c.get("label"),
                        Path.of((String) c.get("config")),
                        new LinkedHashMap<>((Map<String, String>) c.get("point")),
                        List.copyOf((List<String>) c.get("overrides")));
                cells.add(cell);
                for (Object ro : (List<?>) c.get("runs")) {
                    Map<?, ?> r = (Map<?, ?>) ro;
                    String id = (String) r.get("id");
                    Path cfg = dir.resolve("configs").resolve(id + ".yaml");
                    String yaml = Files.isRegularFile(cfg) ? Files.readString(cfg) : null;
                    runs.add(new Run(cell, ((Number) r.get("seed")).longValue(), id, yaml));
                }
            }
        } catch (ClassCastException | NullPointerException | IOException e) {
            throw new RunDirectoryException(plan + " is damaged (" + e + "); run the suite again to rewrite it");
        }
        return new Sweep(suite, dir, cells, runs);
    }

    private static Experiment bind(Path config, List<String> overrides, String what) {
        try {
            return Experiment.load(config, overrides);
        } catch (ConfigException e) {
            throw new ConfigException(what + ": " + e.getMessage());
        }
    }

    /** {@code label} and the grid point's values: {@code pal-learningRate0.01-batch32}. */
    static String cellId(String label, Map<String, String> point) {
        StringBuilder sb = new StringBuilder(label);
        for (Map.Entry<String, String> e : point.entrySet()) {
            String k = e.getKey();
            // model.dt → dt, model.layers[1].units → layers1.units: the path without its section
            int dot = k.indexOf('.');
            if (dot > 0 && dot < k.length() - 1) k = k.substring(dot + 1);
            k = k.replaceAll("\\[(\\d+)]", "$1");
            String v = e.getValue().replaceAll("[^A-Za-z0-9._]+", "_").replaceAll("^_|_$", "");
            if (v.length() > 24 || v.isEmpty()) v = sha256(e.getValue()).substring(0, 8);
            sb.append('-').append(k.replaceAll("[^A-Za-z0-9._]+", "_")).append(v);
        }
        return sb.toString();
    }

    /** A run already on disk must be a run of the config the suite now gives it. */
    private void checkOnDisk(Run r) {
        Path cfg = runDir(r).resolve(RunDirectory.CONFIG);
        if (!Files.isRegularFile(cfg)) return;
        Experiment there;
        try {
            there = Experiment.load(cfg, List.of());
        } catch (ConfigException e) {
            throw new RunDirectoryException(runDir(r) + " holds a config that no longer binds (" + e.getMessage()
                    + "); move it away to run this cell again");
        }
        Experiment now = Experiment.parse(r.yaml(), "the suite's config of " + r.id(), List.of());
        if (!there.sameRunAs(now))
            throw new RunDirectoryException("run " + r.id() + " in " + runDir(r)
                    + " was made with another config than the suite now gives it (" + firstDifference(there, now)
                    + "); give the suite another name, or move that run directory away to run it again");
    }

    private static String firstDifference(Experiment a, Experiment b) {
        String[] x = a.toYaml().split("\n");
        String[] y = b.toYaml().split("\n");
        for (int i = 0; i < Math.min(x.length, y.length); i++)
            if (!x[i].equals(y[i]))
                return "line " + (i + 1) + ": '" + x[i].strip() + "' there, '" + y[i].strip() + "' now";
        return "their lengths differ";
    }

    /** Writes suite.yaml, plan.json and the resolved configs (atomically, each file whole). */
    public void write() {
        try {
            Files.createDirectories(dir.resolve("configs"));
            Files.createDirectories(dir.resolve("runs"));
            Files.createDirectories(dir.resolve("logs"));
            writeText(dir.resolve("suite.yaml"), Files.readString(suite.file()));
            for (Run r : runs) writeText(configFile(r), r.yaml());
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("suite", suite.name());
            plan.put("suite_file", suite.file().toAbsolutePath().normalize().toString());
            List<Object> cs = new ArrayList<>();
            for (Cell c : cells) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.id());
                m.put("label", c.label());
                m.put("config", c.config().toString());
                m.put("point", c.point());
                m.put("overrides", c.overrides());
                List<Object> rs = new ArrayList<>();
                for (Run r : runs) if (r.cell() == c) rs.add(Map.of("id", r.id(), "seed", r.seed()));
                m.put("runs", rs);
                cs.add(m);
            }
            plan.put("cells", cs);
            RunDirectory.writeJson(dir.resolve(PLAN), plan);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sweep directory " + dir, e);
        }
    }

    static void writeText(Path file, String text) throws IOException {
        if (Files.isRegularFile(file) && Files.readString(file).equals(text)) return;
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(b));
    }

    /** Where a run stands: done (its summary is written), failed (its last attempt exited non-zero), partial (it has a checkpoint), or pending. */
    public State state(Run r) {
        Path d = runDir(r);
        if (Files.isRegularFile(d.resolve(RunDirectory.SUMMARY))) return State.DONE;
        Integer code = exitCode(r);
        if (code != null && code != 0) return State.FAILED;
        if (Files.isRegularFile(d.resolve(RunDirectory.CHECKPOINT))) return State.PARTIAL;
        return State.PENDING;
    }

    /** The exit status of the run's last attempt, or null. */
    public Integer exitCode(Run r) {
        Path f = exitFile(r);
        if (!Files.isRegularFile(f)) return null;
        try {
            return Integer.parseInt(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** The last line of the run's log that says what went wrong (an {@code error:} line, else the last line). */
    public String failure(Run r) {
        String why = lastError(logFile(r));
        return why != null ? why : "exit status " + exitCode(r);
    }

    /** The message of a log's last {@code error:} line, else its last line; null where there is no log. */
    static String lastError(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--)
                if (lines.get(i).startsWith("error:"))
                    return lines.get(i).substring(6).strip();
            for (int i = lines.size() - 1; i >= 0; i--)
                if (!lines.get(i).isBlank()) return lines.get(i).strip();
        } catch (IOException e) {
            // no log
        }
        return null;
    }

    public Suite suite() {
        return suite;
    }

    public Path dir() {
        return dir;
    }

    public List<Cell> cells() {
        return cells;
    }

    public List<Run> runs() {
        return runs;
    }

    public Path runDir(Run r) {
        return dir.resolve("runs").resolve(r.id());
    }

    public Path configFile(Run r) {
        return dir.resolve("configs").resolve(r.id() + ".yaml");
    }

    public Path logFile(Run r) {
        return dir.resolve("logs").resolve(r.id() + ".log");
    }

    /** {@code logs/<run>.pid}: the process of a run that the local executor is running now. */
    public Path pidFile(Run r) {
        return dir.resolve("logs").resolve(r.id() + ".pid");
    }

    /** The pid of the local process running {@code r} now, or null. */
    public Long runningPid(Run r) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(r)).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    public Path exitFile(Run r) {
        return dir.resolve("logs").resolve(r.id() + ".exit");
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
