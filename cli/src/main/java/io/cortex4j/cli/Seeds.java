package io.cortex4j.cli;

import io.cortex4j.cli.sweep.Collect;
import io.cortex4j.run.RunDirectory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a multi-seed run: mean ± std of every number the runs' summaries share, printed and
 * written to {@code <out>/<name>-seeds-<time>.json} (never over an earlier file), whose path is printed.
 */
final class Seeds {
    private Seeds() {}

    static Path report(String name, List<Long> seeds, List<Map<String, Object>> results, Path parent, PrintWriter out) {
        Map<String, Object> agg = new LinkedHashMap<>();
        agg.put("name", name);
        agg.put("seeds", seeds);
        List<String> runs = new ArrayList<>();
        for (Map<String, Object> r : results) if (r.get("run_dir") instanceof String s) runs.add(s);
        for (String key : results.get(0).keySet()) {
            if (!(results.get(0).get(key) instanceof Double)) continue;
            double[] v = new double[results.size()];
            boolean all = true;
            for (int i = 0; i < v.length; i++) {
                if (results.get(i).get(key) instanceof Double d) v[i] = d;
                else all = false;
            }
            if (!all) continue;
            double[] ms = Collect.meanAndStd(v);
            double mean = ms[0], std = ms[1];
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            if (v.length > 1) m.put("std", std);
            m.put("values", v);
            agg.put(key, m);
            if (key.endsWith("_acc") || key.startsWith("angle_B")) {
                double k = key.endsWith("_acc") ? 100 : 1;
                out.println(
                        v.length > 1
                                ? String.format(
                                        Locale.ROOT, "%-16s %.2f ± %.2f  (n=%d)", key, k * mean, k * std, v.length)
                                : String.format(Locale.ROOT, "%-16s %.2f  (n=1)", key, k * mean));
            }
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path file = parent.resolve(name + "-seeds-" + stamp + ".json");
        for (int k = 2; Files.exists(file); k++) file = parent.resolve(name + "-seeds-" + stamp + "-" + k + ".json");
        RunDirectory.writeJson(file, agg);
        out.println("over the seeds: " + file);
        return file;
    }
}
