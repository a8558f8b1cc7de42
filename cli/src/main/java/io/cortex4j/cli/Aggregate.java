package io.cortex4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cortex4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Mean ± std over the seeds of a multi-seed run, printed and written as {@code <name>-seeds.json}. */
final class Aggregate {
    private Aggregate() {}

    static void print(String name, List<Long> seeds, List<Map<String, Object>> results, Path parent) {
        Map<String, Object> agg = new LinkedHashMap<>();
        agg.put("name", name);
        agg.put("seeds", seeds);
        for (String key : results.get(0).keySet()) {
            if (!(results.get(0).get(key) instanceof Double)) continue;
            double[] v = results.stream().mapToDouble(r -> (Double) r.get(key)).toArray();
            double mean = 0, var = 0;
            for (double x : v) mean += x / v.length;
            for (double x : v) var += (x - mean) * (x - mean) / Math.max(1, v.length - 1);
            agg.put(key, Map.of("mean", mean, "std", Math.sqrt(var), "values", v));
            if (key.endsWith("_acc") || key.startsWith("angle_B")) {
                double k = key.endsWith("_acc") ? 100 : 1;
                System.out.printf(
                        Locale.ROOT, "%-16s %.2f ± %.2f  (n=%d)%n", key, k * mean, k * Math.sqrt(var), v.length);
            }
        }
        try {
            byte[] json = new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(agg);
            AtomicFiles.write(parent.resolve(name + "-seeds.json"), out -> out.write(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
