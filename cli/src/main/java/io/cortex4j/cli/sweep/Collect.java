package io.cortex4j.cli.sweep;

import io.cortex4j.io.AtomicFiles;
import io.cortex4j.plot.RunPlots;
import io.cortex4j.run.Provenance;
import io.cortex4j.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code cortex4j sweep collect}: the runs of a sweep that are done, per cell mean ± std over seeds,
 * written to {@code <sweep>/results/}: {@code results.md} (one table per family and data set, the
 * published numbers beside ours, plots), {@code results.csv} (one row per cell), {@code results.json}
 * (every number with its run: seed, run directory, commit, config hash, backend, device) and PNG plots
 * per family and data set (validation accuracy or loss over epochs per cell, alignment angles over
 * epochs, wall time per epoch). With the suite's {@code report:}, the Markdown page goes there too,
 * its plots into a folder beside it named like it.
 */
public final class Collect {
    /** The summary numbers tabulated by default, in this order, where the runs have them. */
    static final List<String> MAIN =
            List.of("test_acc", "test_probe_acc", "best_val_acc", "val_loss", "param_rel_error");

    private final Sweep sweep;

    /** A done run's numbers. */
    record RunResult(Sweep.Run run, Map<String, Object> summary, Metrics metrics, String configSha) {}

    /** A cell's group (family and data set), rule, stated size and results. */
    record CellResult(
            Sweep.Cell cell,
            String family,
            String data,
            String rule,
            List<RunResult> done,
            List<Sweep.Run> failed,
            int runs) {
        String group() {
            return data == null ? family : family + " · " + data;
        }
    }

    /** A run's metrics.csv. */
    record Metrics(List<String> columns, List<double[]> rows) {
        double[] column(String name) {
            int i = columns.indexOf(name);
            if (i < 0) return null;
            double[] v = new double[rows.size()];
            for (int r = 0; r < v.length; r++) v[r] = rows.get(r)[i];
            return v;
        }
    }

    public Collect(Sweep sweep) {
        this.sweep = sweep;
    }

    /** Writes results/ (and the report); returns the Markdown file in results/. */
    public Path write() {
        List<CellResult> cells = read();
        Path out = sweep.dir().resolve("results");
        try {
            Files.createDirectories(out);
            Map<String, Object> json = json(cells);
            RunDirectory.writeJson(out.resolve("results.json"), json);
            text(out.resolve("results.csv"), csv(cells));
            if (!bench().isEmpty()) text(out.resolve("bench.csv"), benchCsv());
            Map<String, List<String>> plots = plots(cells, out);
            Path md = out.resolve("results.md");
            text(md, markdown(cells, plots, "", json));
            Path report = sweep.suite().report();
            if (report != null) {
                String stem = report.getFileName().toString().replaceAll("\\.md$", "");
                Path plotDir = report.resolveSibling(stem);
                Map<String, List<String>> reportPlots = plots(cells, plotDir);
                text(report, markdown(cells, reportPlots, stem + "/", json));
            }
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results of " + sweep.dir(), e);
        }
    }

    List<CellResult> read() {
        List<CellResult> out = new ArrayList<>();
        for (Sweep.Cell c : sweep.cells()) {
            List<RunResult> done = new ArrayList<>();
            List<Sweep.Run> failed = new ArrayList<>();
            int n = 0;
            String family = null, data = null, rule = null;
            for (Sweep.Run r : sweep.runs()) {
                if (r.cell() != c) continue;
                n++;
                if (r.yaml() != null && family == null) {
                    Map<?, ?> cfg = new Yaml(new LoaderOptions()).load(r.yaml());
                    family = String.valueOf(((Map<?, ?>) cfg.get("model")).get("family"));
                    if (cfg.get("rule") instanceof Map<?, ?> rm && rm.get("name") != null)
                        rule = String.valueOf(rm.get("name"));
                    if (cfg.get("data") instanceof Map<?, ?> dm && dm.get("name") != null)
                        data = String.valueOf(dm.get("name"));
                }
                Sweep.State s = sweep.state(r);
                if (s == Sweep.State.FAILED) failed.add(r);
                if (s != Sweep.State.DONE) continue;
                Path d = sweep.runDir(r);
                try {
                    done.add(new RunResult(
                            r,
                            RunDirectory.readJson(d.resolve(RunDirectory.SUMMARY)),
                            metrics(d.resolve(RunDirectory.METRICS)),
                            Sweep.sha256(Files.readString(d.resolve(RunDirectory.CONFIG)))));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the run " + d, e);
                }
            }
            out.add(new CellResult(c, family == null ? "?" : family, data, rule, done, failed, n));
        }
        return out;
    }

    static Metrics metrics(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) return new Metrics(List.of(), List.of());
        List<String> cols = List.of(lines.get(0).split(",", -1));
        List<double[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            String[] f = l.split(",", -1);
            double[] v = new double[cols.size()];
            for (int i = 0; i < v.length; i++) {
                try {
                    v[i] = i < f.length && !f[i].isEmpty() ? Double.parseDouble(f[i]) : Double.NaN;
                } catch (NumberFormatException e) {
                    v[i] = Double.NaN;
                }
            }
            rows.add(v);
        }
        return new Metrics(cols, rows);
    }

    // ------------------------------------------------------------------------------------ numbers

    /** The columns of a group: the suite's, or the main numbers, final angles and the step rate the runs have. */
    List<String> columns(List<CellResult> group) {
        Set<String> have = new LinkedHashSet<>();
        for (CellResult c : group)
            for (RunResult r : c.done())
                for (Map.Entry<String, Object> e : r.summary().entrySet())
                    if (e.getValue() instanceof Number) have.add(e.getKey());
        if (!sweep.suite().columns().isEmpty())
            return sweep.suite().columns().stream().filter(have::contains).toList();
        List<String> cols = new ArrayList<>();
        for (String k : MAIN) if (have.contains(k)) cols.add(k);
        if (cols.isEmpty() && have.contains("train_loss")) cols.add("train_loss"); // continuous runs without validation
        // a number the suite gives a published value for is tabulated too, beside it
        for (CellResult c : group)
            for (Suite.Published p : sweep.suite().published())
                for (String k : p.values().keySet()) if (!cols.contains(k) && published(c, k) != null) cols.add(k);
        for (String k : new TreeSet<>(have))
            if ((k.startsWith("angle_B_WT_") || k.startsWith("angle_B_W_")) && !cols.contains(k)) cols.add(k);
        if (have.contains("steps_per_s")) cols.add("steps_per_s");
        return cols;
    }

    /** Mean, sample std (n > 1) and the values of {@code key} over a cell's done runs; null if none has it. */
    static double[] stats(CellResult c, String key) {
        List<Double> v = new ArrayList<>();
        for (RunResult r : c.done()) if (r.summary().get(key) instanceof Number n) v.add(n.doubleValue());
        if (v.isEmpty()) return null;
        double[] ms = meanAndStd(v.stream().mapToDouble(Double::doubleValue).toArray());
        return new double[] {ms[0], ms[1], v.size()};
    }

    /** The mean and the sample standard deviation of {@code v} (NaN for one value): the numbers over seeds everywhere. */
    public static double[] meanAndStd(double[] v) {
        double mean = 0, var = 0;
        for (double x : v) mean += x / v.length;
        for (double x : v) var += (x - mean) * (x - mean) / Math.max(1, v.length - 1);
        return new double[] {mean, v.length > 1 ? Math.sqrt(var) : Double.NaN};
    }

    /** The published entry for a cell and key: the first whose match fits the cell. */
    Suite.Published published(CellResult c, String key) {
        for (Suite.Published p : sweep.suite().published()) {
            if (!p.values().containsKey(key)) continue;
            boolean ok = true;
            for (Map.Entry<String, String> m : p.match().entrySet()) {
                String want = m.getValue();
                String have = switch (m.getKey()) {
                    case "config", "label" -> c.cell().label();
                    case "cell" -> c.cell().id();
                    case "rule" -> c.rule();
                    case "family" -> c.family();
                    default -> c.cell().point().get(m.getKey());
                };
                if (have == null || !have.equals(want)) ok = false;
            }
            if (ok) return p;
        }
        return null;
    }

    static boolean percent(String key) {
        return key.endsWith("_acc");
    }

    static String format(String key, double v) {
        if (Double.isNaN(v)) return "";
        if (percent(key)) return String.format(Locale.ROOT, "%.2f", 100 * v);
        if (key.startsWith("angle_")) return String.format(Locale.ROOT, "%.1f", v);
        if (key.equals("steps_per_s") || key.endsWith("_s")) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String heading(String key) {
        if (key.startsWith("angle_B_WT_"))
            return "∠(B" + key.substring(11) + ", W" + (Integer.parseInt(key.substring(11)) + 1) + "ᵀ) °";
        if (key.startsWith("angle_B_W_")) return "∠(B" + key.substring(10) + ", W" + key.substring(10) + ") °";
        return switch (key) {
            case "test_acc" -> "test acc. %";
            case "test_probe_acc" -> "probe acc. %";
            case "best_val_acc" -> "best val. acc. %";
            case "val_acc" -> "val. acc. %";
            case "val_loss" -> "val. loss";
            case "param_rel_error" -> "param. rel. error";
            case "train_loss" -> "train loss";
            case "steps_per_s" -> "steps/s";
            case "wall_time_s" -> "wall s";
            default -> key + (percent(key) ? " %" : "");
        };
    }

    // ------------------------------------------------------------------------------------ files

    Map<String, Object> json(List<CellResult> cells) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("suite", sweep.suite().name());
        j.put("suite_file", sweep.suite().file().toString());
        j.put("suite_sha256", Sweep.sha256(Files.readString(sweep.dir().resolve("suite.yaml"))));
        Set<String> commits = new TreeSet<>(), devices = new TreeSet<>();
        for (CellResult c : cells)
            for (RunResult r : c.done()) {
                commits.add(String.valueOf(prov(r).get("git_commit")));
                devices.add(prov(r).get("backend") + " (" + prov(r).get("device") + ")");
            }
        j.put("commits", new ArrayList<>(commits));
        j.put("devices", new ArrayList<>(devices));
        j.put("collected_by", Provenance.commit());
        List<Object> cs = new ArrayList<>();
        for (CellResult c : cells) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell", c.cell().id());
            m.put("config", c.cell().config().toString());
            m.put("family", c.family());
            m.put("rule", c.rule());
            m.put("data", c.data());
            m.put("point", c.cell().point());
            m.put("overrides", c.cell().overrides());
            m.put("runs_done", c.done().size());
            m.put("runs", c.runs());
            Map<String, Object> stats = new LinkedHashMap<>();
            Set<String> keys = new LinkedHashSet<>();
            for (RunResult r : c.done())
                for (Map.Entry<String, Object> e : r.summary().entrySet())
                    if (e.getValue() instanceof Number) keys.add(e.getKey());
            for (String k : keys) {
                double[] s = stats(c, k);
                if (s == null) continue;
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("mean", s[0]);
                if (!Double.isNaN(s[1])) sm.put("std", s[1]);
                sm.put("n", (int) s[2]);
                Suite.Published p = published(c, k);
                if (p != null) {
                    sm.put("published", p.values().get(k));
                    if (p.source() != null) sm.put("published_source", p.source());
                }
                stats.put(k, sm);
            }
            m.put("stats", stats);
            List<Object> rs = new ArrayList<>();
            for (RunResult r : c.done()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("run", r.run().id());
                rm.put("seed", r.run().seed());
                rm.put("run_dir", sweep.runDir(r.run()).toString());
                rm.put("config_sha256", r.configSha());
                rm.put("commit", prov(r).get("git_commit"));
                rm.put("backend", prov(r).get("backend"));
                rm.put("device", prov(r).get("device"));
                rm.put("precision", prov(r).get("precision"));
                Map<String, Object> vals = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : r.summary().entrySet())
                    if (e.getValue() instanceof Number) vals.put(e.getKey(), e.getValue());
                rm.put("values", vals);
                rs.add(rm);
            }
            m.put("run_results", rs);
            List<Object> fs = new ArrayList<>();
            for (Sweep.Run r : c.failed())
                fs.add(Map.of(
                        "run",
                        r.id(),
                        "error",
                        sweep.failure(r),
                        "log",
                        sweep.logFile(r).toString()));
            m.put("failed", fs);
            cs.add(m);
        }
        j.put("cells", cs);
        if (!bench().isEmpty()) j.put("bench", bench());
        return j;
    }

    private static Map<?, ?> prov(RunResult r) {
        return r.summary().get("provenance") instanceof Map<?, ?> m ? m : Map.of();
    }

    String csv(List<CellResult> cells) {
        Set<String> keys = new LinkedHashSet<>();
        Set<String> pointKeys = new LinkedHashSet<>();
        for (CellResult c : cells) {
            keys.addAll(columns(List.of(c)));
            pointKeys.addAll(c.cell().point().keySet());
        }
        StringBuilder sb = new StringBuilder("cell,config,family,rule,data");
        for (String k : pointKeys) sb.append(',').append(csvField(k));
        sb.append(",runs_done,runs,epochs,train_size");
        for (String k : keys)
            sb.append(',')
                    .append(k)
                    .append("_mean,")
                    .append(k)
                    .append("_std,published_")
                    .append(k);
        sb.append('\n');
        for (CellResult c : cells) {
            sb.append(csvField(c.cell().id()))
                    .append(',')
                    .append(csvField(c.cell().config().getFileName().toString()))
                    .append(',')
                    .append(c.family())
                    .append(',')
                    .append(c.rule() == null ? "" : c.rule())
                    .append(',')
                    .append(c.data() == null ? "" : c.data());
            for (String k : pointKeys)
                sb.append(',').append(csvField(c.cell().point().getOrDefault(k, "")));
            sb.append(',').append(c.done().size()).append(',').append(c.runs());
            sb.append(',').append(stat(c, "epochs")).append(',').append(stat(c, "train_size"));
            for (String k : keys) {
                double[] s = stats(c, k);
                sb.append(',').append(s == null ? "" : num(s[0])).append(',');
                sb.append(s == null || Double.isNaN(s[1]) ? "" : num(s[1])).append(',');
                Suite.Published p = published(c, k);
                if (p != null) sb.append(csvField(String.valueOf(p.values().get(k))));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String stat(CellResult c, String key) {
        double[] s = stats(c, key);
        return s == null ? "" : num(s[0]);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The plots of each group, written into {@code dir}: group → file names. */
    Map<String, List<String>> plots(List<CellResult> cells, Path dir) throws IOException {
        Map<String, List<CellResult>> groups = groups(cells);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<CellResult>> g : groups.entrySet()) {
            String slug = g.getKey().replace(" · ", "-").replaceAll("[^A-Za-z0-9._-]+", "_");
            List<String> files = new ArrayList<>();
            String acc = g.getValue().stream().anyMatch(c -> has(c, "val_acc")) ? "val_acc" : null;
            String y = acc != null
                    ? acc
                    : g.getValue().stream().anyMatch(c -> has(c, "val_loss"))
                            ? "val_loss"
                            : g.getValue().stream().anyMatch(c -> has(c, "train_loss")) ? "train_loss" : null;
            String what = y == null
                    ? ""
                    : y.equals("train_loss")
                            ? "training loss"
                            : y.startsWith("val_acc") ? "validation accuracy" : "validation loss";
            if (y != null) {
                List<RunPlots.Line> lines = new ArrayList<>();
                for (CellResult c : g.getValue())
                    lines.add(meanCurve(c, y, c.cell().id(), acc != null ? 100 : 1));
                String f = (acc != null ? "accuracy-" : "loss-") + slug + ".png";
                if (RunPlots.lines(
                        dir.resolve(f),
                        g.getKey() + ": " + what + " (mean over seeds)",
                        x(g.getValue()),
                        acc != null ? what + " (%)" : what,
                        true,
                        acc == null,
                        lines)) files.add(f);
            }
            List<RunPlots.Line> angles = new ArrayList<>();
            for (CellResult c : g.getValue()) {
                Set<String> cols = new TreeSet<>();
                for (RunResult r : c.done())
                    for (String col : r.metrics().columns())
                        if (col.startsWith("angle_B_WT_") || col.startsWith("angle_B_W_")) cols.add(col);
                for (String col : cols)
                    angles.add(
                            meanCurve(c, col, c.cell().id() + " " + heading(col).replace(" °", ""), 1));
            }
            if (!angles.isEmpty()) {
                String f = "angles-" + slug + ".png";
                if (RunPlots.lines(
                        dir.resolve(f),
                        g.getKey() + ": alignment angles (mean over seeds)",
                        x(g.getValue()),
                        "angle (degrees)",
                        true,
                        false,
                        angles)) files.add(f);
            }
            List<RunPlots.Line> time = new ArrayList<>();
            for (CellResult c : g.getValue()) time.add(epochTime(c));
            String f = "time-" + slug + ".png";
            if (RunPlots.lines(
                    dir.resolve(f),
                    g.getKey() + ": wall time per epoch (mean over seeds)",
                    x(g.getValue()),
                    "seconds",
                    true,
                    false,
                    time)) files.add(f);
            out.put(g.getKey(), files);
        }
        for (Map.Entry<String, Map<String, Object>> b : bench().entrySet()) {
            if (!(b.getValue().get("results") instanceof List<?> rows)) continue;
            Map<String, List<double[]>> pts = new LinkedHashMap<>();
            for (Object o : rows) {
                Map<?, ?> r = (Map<?, ?>) o;
                if (r.containsKey("error")) continue;
                pts.computeIfAbsent(variantOf(r), k -> new ArrayList<>()).add(new double[] {
                    ((Number) r.get("batch")).doubleValue(), ((Number) r.get("gflop_per_s")).doubleValue()
                });
            }
            List<RunPlots.Line> lines = new ArrayList<>();
            for (Map.Entry<String, List<double[]>> e : pts.entrySet()) {
                List<double[]> p = e.getValue();
                p.sort((x, y) -> Double.compare(x[0], y[0]));
                lines.add(new RunPlots.Line(
                        e.getKey(),
                        p.stream().mapToDouble(x -> x[0]).toArray(),
                        p.stream().mapToDouble(x -> x[1]).toArray()));
            }
            String f = "bench-" + b.getKey() + ".png";
            if (RunPlots.lines(
                    dir.resolve(f),
                    "GEMM GFLOP/s per step by batch (" + b.getKey() + ")",
                    "batch",
                    "GFLOP/s",
                    false,
                    false,
                    lines)) out.put("bench:" + b.getKey(), List.of(f));
        }
        return out;
    }

    /** The benchmark results by backend: the harness's JSON, or {error} where the backend was not measured. */
    Map<String, Map<String, Object>> bench() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Suite.Bench b = sweep.suite().bench();
        if (b == null) return out;
        Path dir = sweep.dir().resolve("bench");
        for (String backend : b.backends()) {
            Path json = dir.resolve(backend + ".json");
            Path failed = dir.resolve(backend + ".failed");
            try {
                if (Files.isRegularFile(json)) out.put(backend, RunDirectory.readJson(json));
                else if (Files.isRegularFile(failed))
                    out.put(backend, Map.of("error", Files.readString(failed).strip()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private Map<String, Map<?, ?>> variants;

    /** The bench variant a result row measured (the file name of its config), e.g. le-mlp-bp-units512. */
    String variantOf(Map<?, ?> row) {
        String w = String.valueOf(row.get("workload"));
        return Path.of(w).getFileName().toString().replaceAll("\\.ya?ml$", "");
    }

    /** The width point of a variant, from bench/plan.json. */
    Map<?, ?> point(String variant) {
        if (variants == null) {
            variants = new LinkedHashMap<>();
            Path plan = sweep.dir().resolve("bench/plan.json");
            if (Files.isRegularFile(plan))
                for (Object o : (List<?>) RunDirectory.readJson(plan).get("variants")) {
                    Map<?, ?> v = (Map<?, ?>) o;
                    variants.put(String.valueOf(v.get("id")), (Map<?, ?>) v.get("point"));
                }
        }
        return variants.getOrDefault(variant, Map.of());
    }

    String benchCsv() {
        StringBuilder sb = new StringBuilder(
                "backend,variant,widths,batch,ms_per_step,steps_per_s,gemm_gflop_per_step,gflop_per_s,peak_fraction,sgemm_peak_gflop_per_s\n");
        for (Map.Entry<String, Map<String, Object>> b : bench().entrySet()) {
            if (!(b.getValue().get("results") instanceof List<?> rows)) continue;
            for (Object o : rows) {
                Map<?, ?> r = (Map<?, ?>) o;
                if (r.containsKey("error")) continue;
                String v = variantOf(r);
                sb.append(b.getKey()).append(',').append(v).append(',').append(csvField(point(v).toString()));
                for (String k : List.of(
                        "batch", "ms_per_step", "steps_per_s", "gemm_gflop_per_step", "gflop_per_s", "peak_fraction"))
                    sb.append(',').append(r.get(k));
                sb.append(',')
                        .append(b.getValue().get("sgemm_peak_gflop_per_s"))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    String benchMarkdown(Map<String, List<String>> plots, String plotPrefix) {
        StringBuilder sb = new StringBuilder();
        Map<String, Map<String, Object>> bench = bench();
        if (bench.isEmpty()) return "";
        sb.append("## Speed: step rate by family, width and batch\n\n");
        sb.append("Each workload (`configs/bench/`, with the suite's overrides and widths) stepped with learning on,"
                        + " float32, through `Backend.runRepeated` as training steps: the median of ")
                .append(sweep.suite().bench().repeats())
                .append(" timed blocks. GEMM GFLOP per step are counted on the cost backend; GFLOP/s is that count over"
                        + " the measured time, beside the SGEMM peak measured in the same process (1024³). Each backend"
                        + " ran alone on the machine, after the training runs.\n\n");
        for (Map.Entry<String, Map<String, Object>> b : bench.entrySet()) {
            Map<String, Object> j = b.getValue();
            if (j.containsKey("error")) {
                sb.append("**")
                        .append(b.getKey())
                        .append("**: not measured here: ")
                        .append(j.get("error"))
                        .append("\n\n");
                continue;
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "**%s** on %s, commit `%s`; SGEMM peak %.1f GFLOP/s.%n%n",
                    b.getKey(),
                    j.get("device"),
                    abbrev(String.valueOf(j.get("commit"))),
                    ((Number) j.get("sgemm_peak_gflop_per_s")).doubleValue()));
            sb.append("| workload | widths | batch | ms/step | steps/s | GEMM GFLOP/step | GFLOP/s | % of peak |\n");
            sb.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
            for (Object o : (List<?>) j.get("results")) {
                Map<?, ?> r = (Map<?, ?>) o;
                String v = variantOf(r);
                StringBuilder widths = new StringBuilder();
                point(v).forEach((k, x) -> widths.append(widths.isEmpty() ? "" : ", ")
                        .append('`')
                        .append(k)
                        .append("` ")
                        .append(x));
                if (r.containsKey("error")) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | not measured: %s | | | | |%n",
                            v,
                            widths,
                            ((Number) r.get("batch")).intValue(),
                            String.valueOf(r.get("error")).replace("|", "\\|")));
                    continue;
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %d | %.3f | %.1f | %.4f | %.1f | %.1f |%n",
                        v,
                        widths,
                        ((Number) r.get("batch")).intValue(),
                        ((Number) r.get("ms_per_step")).doubleValue(),
                        ((Number) r.get("steps_per_s")).doubleValue(),
                        ((Number) r.get("gemm_gflop_per_step")).doubleValue(),
                        ((Number) r.get("gflop_per_s")).doubleValue(),
                        100 * ((Number) r.get("peak_fraction")).doubleValue()));
            }
            sb.append('\n');
            for (String f : plots.getOrDefault("bench:" + b.getKey(), List.of()))
                sb.append("![")
                        .append(f.replace(".png", ""))
                        .append("](")
                        .append(plotPrefix)
                        .append(f)
                        .append(")\n\n");
        }
        return sb.toString();
    }

    private static String x(List<CellResult> g) {
        return g.stream()
                        .flatMap(c -> c.done().stream())
                        .anyMatch(r -> r.metrics().columns().contains("epoch"))
                ? "epoch"
                : "row";
    }

    private static boolean has(CellResult c, String col) {
        return c.done().stream().anyMatch(r -> r.metrics().columns().contains(col));
    }

    /** The mean over a cell's runs of one metrics column, epoch by epoch, over the epochs all runs have it. */
    static RunPlots.Line meanCurve(CellResult c, String col, String name, double scale) {
        List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (RunResult r : c.done()) {
            double[] y = r.metrics().column(col);
            if (y == null) continue;
            double[] x = r.metrics().column("epoch");
            if (x == null) {
                x = new double[y.length];
                for (int i = 0; i < x.length; i++) x[i] = i + 1;
            }
            xs.add(x);
            ys.add(y);
        }
        if (ys.isEmpty()) return new RunPlots.Line(name, new double[0], new double[0]);
        int n = ys.stream().mapToInt(a -> a.length).min().orElse(0);
        List<Double> px = new ArrayList<>(), py = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double s = 0;
            boolean ok = true;
            for (double[] y : ys) {
                if (Double.isNaN(y[i])) ok = false;
                s += y[i];
            }
            if (!ok) continue;
            px.add(xs.get(0)[i]);
            py.add(scale * s / ys.size());
        }
        return new RunPlots.Line(
                name,
                px.stream().mapToDouble(Double::doubleValue).toArray(),
                py.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static RunPlots.Line epochTime(CellResult c) {
        List<double[]> per = new ArrayList<>();
        double[] ex = null;
        for (RunResult r : c.done()) {
            double[] w = r.metrics().column("wall_s");
            if (w == null || w.length == 0) continue;
            double[] d = new double[w.length];
            for (int i = 0; i < w.length; i++) d[i] = i == 0 ? w[0] : w[i] - w[i - 1];
            per.add(d);
            if (ex == null) ex = r.metrics().column("epoch");
        }
        if (per.isEmpty()) return new RunPlots.Line(c.cell().id(), new double[0], new double[0]);
        int n = per.stream().mapToInt(a -> a.length).min().orElse(0);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = ex != null ? ex[i] : i + 1;
            for (double[] d : per) y[i] += d[i] / per.size();
        }
        return new RunPlots.Line(c.cell().id(), x, y);
    }

    static Map<String, List<CellResult>> groups(List<CellResult> cells) {
        Map<String, List<CellResult>> g = new LinkedHashMap<>();
        for (CellResult c : cells)
            g.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c);
        return g;
    }

    String markdown(
            List<CellResult> cells, Map<String, List<String>> plots, String plotPrefix, Map<String, Object> json) {
        Suite s = sweep.suite();
        StringBuilder sb = new StringBuilder();
        sb.append("# Results: suite `").append(s.name()).append("`\n\n");
        sb.append("<!-- generated by `cortex4j sweep collect`: edit the suite (")
                .append(shown(s.file()))
                .append("), not this file -->\n\n");
        if (!s.description().isBlank()) sb.append(s.description().strip()).append("\n\n");
        int done = 0, total = 0, failed = 0;
        for (CellResult c : cells) {
            done += c.done().size();
            total += c.runs();
            failed += c.failed().size();
        }
        if (!cells.isEmpty())
            sb.append(String.format(
                    Locale.ROOT,
                    "Every table here comes from the suite `%s` (sha256 %s…), collected on %s from %d of its %d runs"
                            + " (%d cells%s); the runs ran at commit%s %s on %s. Each number is the mean ± sample std"
                            + " over a cell's seeds (n = the runs done); `results.json` beside the sweep names the run,"
                            + " seed, commit, config hash, backend and device of every number.\n\n",
                    s.name(),
                    String.valueOf(json.get("suite_sha256")).substring(0, 12),
                    LocalDate.now(),
                    done,
                    total,
                    cells.size(),
                    failed > 0 ? ", " + failed + " runs failed: listed at the end" : "",
                    ((List<?>) json.get("commits")).size() == 1 ? "" : "s",
                    String.join(
                            ", ",
                            ((List<?>) json.get("commits"))
                                    .stream()
                                            .map(c -> "`" + abbrev(String.valueOf(c)) + "`")
                                            .toList()),
                    String.join(
                            "; ",
                            ((List<?>) json.get("devices"))
                                    .stream().map(String::valueOf).toList())));
        for (Map.Entry<String, List<CellResult>> g : groups(cells).entrySet()) {
            List<CellResult> group = g.getValue();
            sb.append("## ").append(g.getKey()).append("\n\n");
            List<String> cols = columns(group);
            Set<String> pointKeys = new LinkedHashSet<>();
            for (CellResult c : group) pointKeys.addAll(c.cell().point().keySet());
            List<String> pub = cols.stream()
                    .filter(k -> group.stream().anyMatch(c -> published(c, k) != null))
                    .toList();
            StringBuilder head = new StringBuilder("| cell | rule |");
            StringBuilder rule = new StringBuilder("|---|---|");
            for (String k : pointKeys) {
                head.append(" `").append(k).append("` |");
                rule.append("---|");
            }
            head.append(" size | runs |");
            rule.append("--:|--:|");
            for (String k : cols) {
                head.append(' ').append(heading(k)).append(" |");
                rule.append("--:|");
                if (pub.contains(k)) {
                    head.append(" published |");
                    rule.append("--:|");
                }
            }
            sb.append(head).append('\n').append(rule).append('\n');
            List<String> sources = new ArrayList<>();
            for (CellResult c : group) {
                sb.append("| ")
                        .append(c.cell().id())
                        .append(" | ")
                        .append(c.rule() == null ? "" : c.rule())
                        .append(" |");
                for (String k : pointKeys)
                    sb.append(' ').append(c.cell().point().getOrDefault(k, "")).append(" |");
                sb.append(' ').append(size(c)).append(" | ");
                sb.append(c.done().size())
                        .append(c.done().size() == c.runs() ? "" : "/" + c.runs())
                        .append(" |");
                for (String k : cols) {
                    double[] st = stats(c, k);
                    sb.append(' ');
                    if (st != null) {
                        sb.append(format(k, st[0]));
                        if (!Double.isNaN(st[1])) sb.append(" ± ").append(format(k, st[1]));
                    } else sb.append('–');
                    sb.append(" |");
                    if (pub.contains(k)) {
                        Suite.Published p = published(c, k);
                        sb.append(' ');
                        if (p != null) {
                            Object v = p.values().get(k);
                            sb.append(v instanceof Double d ? format(k, d) : String.valueOf(v));
                            if (p.source() != null) {
                                if (!sources.contains(p.source())) sources.add(p.source());
                                sb.append(" [")
                                        .append(sources.indexOf(p.source()) + 1)
                                        .append(']');
                            }
                        }
                        sb.append(" |");
                    }
                }
                sb.append('\n');
            }
            sb.append('\n').append(caption(group)).append("\n\n");
            for (int i = 0; i < sources.size(); i++)
                sb.append('[').append(i + 1).append("] ").append(sources.get(i)).append("  \n");
            if (!sources.isEmpty()) sb.append('\n');
            for (String f : plots.getOrDefault(g.getKey(), List.of()))
                sb.append("![")
                        .append(f.replace(".png", ""))
                        .append("](")
                        .append(plotPrefix)
                        .append(f)
                        .append(")\n");
            sb.append('\n');
        }
        sb.append(benchMarkdown(plots, plotPrefix));
        if (failed > 0) {
            sb.append("## Runs that failed\n\n| run | error |\n|---|---|\n");
            for (CellResult c : cells)
                for (Sweep.Run r : c.failed())
                    sb.append("| ")
                            .append(r.id())
                            .append(" | ")
                            .append(sweep.failure(r).replace("|", "\\|"))
                            .append(" |\n");
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * What a cell's runs trained on: {@code 5 × 6000} (epochs × training samples), or the simulated
     * time of a continuous run ({@code T 21000 ms}); empty where no run is done.
     */
    static String size(CellResult c) {
        if (c.done().isEmpty()) return "";
        Map<String, Object> s = c.done().get(0).summary();
        if (s.get("train_size") instanceof Number n) return stat(c, "epochs") + " × " + n.longValue();
        if (s.get("time") instanceof Number t)
            return "T " + num(t.doubleValue())
                    + (s.get("time_unit") instanceof String u && !u.equals("dimensionless") ? " " + u : "");
        return stat(c, "epochs") + " epochs";
    }

    /** Which suite, commits and backends made a table: its runs' own provenance. */
    String caption(List<CellResult> group) {
        Set<String> commits = new TreeSet<>(), backends = new TreeSet<>();
        int runs = 0;
        for (CellResult c : group)
            for (RunResult r : c.done()) {
                runs++;
                commits.add("`" + abbrev(String.valueOf(prov(r).get("git_commit"))) + "`");
                backends.add(String.valueOf(prov(r).get("backend")));
            }
        if (runs == 0) return "_Suite `" + sweep.suite().name() + "`: no run of this table is done._";
        return "_Suite `" + sweep.suite().name() + "`, " + runs + " run" + (runs == 1 ? "" : "s") + " at commit"
                + (commits.size() == 1 ? " " : "s ") + String.join(", ", commits) + ", backend "
                + String.join(", ", backends) + "._";
    }

    /** A path relative to the working directory where it lies below it (suites/quick.yaml), else as it is. */
    static String shown(Path p) {
        Path abs = p.toAbsolutePath().normalize(), here = Path.of("").toAbsolutePath();
        return abs.startsWith(here) ? here.relativize(abs).toString() : abs.toString();
    }

    /** The first 12 hex digits, and "-dirty" where the working tree had changes. */
    private static String abbrev(String commit) {
        String hash = commit.replace("-dirty", "");
        return (hash.length() > 12 ? hash.substring(0, 12) : hash) + (commit.endsWith("-dirty") ? "-dirty" : "");
    }

    private static void text(Path file, String s) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(b));
    }
}
