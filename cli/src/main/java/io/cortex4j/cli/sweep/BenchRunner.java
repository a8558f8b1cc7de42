package io.cortex4j.cli.sweep;

import io.cortex4j.config.ConfigException;
import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.run.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A suite's benchmarks: each workload variant (a workload of configs/bench or a config, with the
 * suite's overrides and one point of its widths) at each batch, on each backend, measured by the
 * step-rate harness ({@code io.cortex4j.bench.LeStepsPerSecond}: median ms per step over repeated
 * blocks, GEMM FLOPs per step counted on the cost backend, GFLOP/s and the fraction of the SGEMM peak
 * measured in the same process). One process per backend, alone on the machine after the training
 * runs; its numbers go to {@code bench/<backend>.json}. A backend whose file holds every item is not
 * measured again; one that is unavailable here is reported with the harness's reason.
 */
public final class BenchRunner {
    static final String HARNESS = "io.cortex4j.bench.LeStepsPerSecond";

    /** A workload variant: its id (file name), what it came from and its width point, resolved config text. */
    public record Variant(String id, String workload, Map<String, String> point, List<Integer> batches, String yaml) {}

    private final Sweep sweep;
    private final List<Variant> variants = new ArrayList<>();

    /** Binds every variant (a mistake names the suite's line); writes nothing. */
    public BenchRunner(Sweep sweep) {
        this.sweep = sweep;
        Suite.Bench b = sweep.suite().bench();
        if (b == null) return;
        Set<String> ids = new HashSet<>();
        for (Suite.BenchWorkload w : b.workloads()) {
            List<List<String>> points = new ArrayList<>();
            if (w.widths() == null) points.add(List.of());
            else points.addAll(w.widths().values());
            for (List<String> p : points) {
                Map<String, String> point = new LinkedHashMap<>();
                List<String> o = new ArrayList<>(w.set());
                for (int i = 0; i < p.size(); i++) {
                    point.put(w.widths().keys().get(i), p.get(i));
                    o.add(w.widths().keys().get(i) + "=" + p.get(i));
                }
                io.cortex4j.run.Experiment e;
                try {
                    e = BenchWorkloads.experiment(w.workload(), 0, o);
                } catch (ConfigException | IllegalArgumentException x) {
                    throw Suite.error(w.where(), "workload " + w.workload() + ": " + x.getMessage());
                }
                String base = w.label() != null
                        ? w.label()
                        : Path.of(w.workload()).getFileName().toString().replaceAll("\\.ya?ml$", "");
                String id = Sweep.cellId(base, point);
                if (!ids.add(id))
                    throw Suite.error(
                            w.where(), "two benchmark workloads would be named " + id + " (give them labels)");
                List<Integer> batches = !w.batches().isEmpty()
                        ? w.batches()
                        : !b.batches().isEmpty()
                                ? b.batches()
                                : List.of(e.schedule().batch());
                variants.add(new Variant(id, w.workload(), point, batches, e.toYaml()));
            }
        }
    }

    public List<Variant> variants() {
        return variants;
    }

    Path dir() {
        return sweep.dir().resolve("bench");
    }

    Path config(Variant v) {
        return dir().resolve("configs").resolve(v.id() + ".yaml");
    }

    /** The harness's items: {@code path@batch} for every variant and its batches (the workload's, else the suite's, else the config's). */
    List<String> items() {
        List<String> items = new ArrayList<>();
        for (Variant v : variants) for (int b : v.batches()) items.add(config(v).toAbsolutePath() + "@" + b);
        return items;
    }

    /** Measures every backend whose results are missing; returns the backends that failed, with why. */
    public Map<String, String> run(PrintWriter out) {
        Map<String, String> failed = new LinkedHashMap<>();
        if (variants.isEmpty()) return failed;
        try {
            Files.createDirectories(dir().resolve("configs"));
            Map<String, Object> plan = new LinkedHashMap<>();
            List<Object> vs = new ArrayList<>();
            for (Variant v : variants) {
                Sweep.writeText(config(v), v.yaml());
                vs.add(Map.of(
                        "id",
                        v.id(),
                        "workload",
                        v.workload(),
                        "point",
                        v.point(),
                        "config",
                        config(v).toAbsolutePath().toString()));
            }
            plan.put("variants", vs);
            RunDirectory.writeJson(dir().resolve("plan.json"), plan);
            List<String> items = items();
            for (String backend : sweep.suite().bench().backends()) {
                Path json = dir().resolve(backend + ".json");
                if (complete(json, items)) {
                    out.println("bench " + backend + ": done (" + json + ")");
                    continue;
                }
                out.printf(Locale.ROOT, "bench %s: %d items, alone on the machine ...%n", backend, items.size());
                out.flush();
                Path log = sweep.dir().resolve("logs").resolve("bench-" + backend + ".log");
                Files.createDirectories(log.getParent());
                List<String> cmd = new ArrayList<>(Launcher.java());
                cmd.addAll(List.of(
                        HARNESS,
                        "--le",
                        "--le-workloads",
                        String.join(",", items),
                        "--backend",
                        backend,
                        "--repeats",
                        Integer.toString(sweep.suite().bench().repeats()),
                        "--block-seconds",
                        Double.toString(sweep.suite().bench().blockSeconds()),
                        "--json",
                        json.toAbsolutePath().toString()));
                Files.deleteIfExists(json);
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                int code = p.waitFor();
                if (code != 0 || !Files.exists(json)) {
                    String why = lastLine(log);
                    failed.put(backend, why);
                    Sweep.writeText(dir().resolve(backend + ".failed"), why + "\n");
                    out.println("bench " + backend + ": not measured: " + why);
                } else {
                    Files.deleteIfExists(dir().resolve(backend + ".failed"));
                    out.println("bench " + backend + ": done (" + json + ", log " + log + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the benchmarks of " + sweep.dir(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("benchmarks interrupted");
        }
        return failed;
    }

    private static boolean complete(Path json, List<String> items) {
        if (!Files.isRegularFile(json)) return false;
        try {
            Map<String, Object> j = RunDirectory.readJson(json);
            Set<String> have = new HashSet<>();
            for (Object o : (List<?>) j.get("results")) {
                Map<?, ?> r = (Map<?, ?>) o;
                have.add(r.get("workload") + "@" + r.get("batch"));
            }
            for (String i : items) if (!have.contains(i)) return false;
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String lastLine(Path log) {
        String why = Sweep.lastError(log);
        return why != null ? why : "the harness wrote no results";
    }
}
