package io.cortex4j.run;

import io.cortex4j.config.ProbeSpec;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Records signals and parameters of the trained network after the configured steps (settling and
 * training; not evaluation) into {@code probes.npz}: for each name an array {@code [records, ...shape]}
 * (or {@code [records]} for a mean or largest magnitude) and {@code steps}, the step of each record.
 * Written with every checkpoint, so a resumed run continues the same file.
 */
final class ProbeRecorder implements Stepper.Listener {
    private final ProbeSpec spec;
    private final List<String> names;
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, List<double[]>> records = new LinkedHashMap<>();
    private final List<Long> steps = new ArrayList<>();
    private int next; // index into spec.steps()
    private boolean paused;

    ProbeRecorder(Experiment e, Network net) {
        this.spec = e.probes();
        this.names = spec.signals();
        Map<String, Tensor> all = available(net);
        for (String n : names) {
            Tensor t = all.get(n);
            if (t == null)
                throw e.at().error(
                                "probes.signals",
                                "the network has no signal or parameter '" + n + "' (it has: "
                                        + String.join(", ", new TreeSet<>(all.keySet())) + ")");
            shapes.put(n, t.shape());
            records.put(n, new ArrayList<>());
        }
    }

    private static Map<String, Tensor> available(Network net) {
        Map<String, Tensor> m = new LinkedHashMap<>(net.signals());
        m.putAll(net.parameters());
        return m;
    }

    void pause(boolean p) {
        paused = p;
    }

    @Override
    public void afterStep(Network net) {
        if (paused) return;
        long s = net.steps();
        boolean due;
        if (spec.every() != null) due = s % spec.every() == 0;
        else {
            long[] at = spec.steps();
            while (next < at.length && at[next] < s) next++;
            due = next < at.length && at[next] == s;
        }
        if (!due) return;
        Map<String, Tensor> all = available(net);
        for (String n : names) {
            Tensor t = all.get(n);
            double[] v = switch (spec.summary()) {
                case FULL -> t.toHost();
                case MEAN -> new double[] {t.backend().sum(t) / t.length()};
                case MAXABS -> new double[] {t.backend().maxAbs(t)};
            };
            records.get(n).add(v);
        }
        steps.add(s);
    }

    /** Writes every record so far. */
    void write(Path file) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put(
                "steps",
                NpyArray.ofDoubles(steps.stream().mapToDouble(Long::doubleValue).toArray(), steps.size()));
        for (String n : names) {
            List<double[]> r = records.get(n);
            boolean full = spec.summary() == ProbeSpec.Summary.FULL;
            int per = full ? Arrays.stream(shapes.get(n)).reduce(1, (a, b) -> a * b) : 1;
            double[] flat = new double[r.size() * per];
            for (int i = 0; i < r.size(); i++) System.arraycopy(r.get(i), 0, flat, i * per, per);
            long[] shape = new long[full ? 1 + shapes.get(n).length : 1];
            shape[0] = r.size();
            if (full) for (int k = 0; k < shapes.get(n).length; k++) shape[k + 1] = shapes.get(n)[k];
            m.put(n, new NpyArray("<f8", shape, flat));
        }
        Npz.write(file, m);
    }

    /** Continues the records in {@code file} up to step {@code upTo} (a resumed run drops what came after its checkpoint). */
    void resume(Path file, long upTo) {
        if (!Files.exists(file)) return;
        Map<String, NpyArray> m;
        try {
            m = Npz.read(file);
        } catch (IOException e) {
            throw new RunDirectoryException(file + ": damaged probes file (" + e.getMessage() + ")");
        }
        NpyArray st = m.get("steps");
        if (st == null) throw new RunDirectoryException(file + ": no 'steps' array");
        int keep = 0;
        while (keep < st.size() && st.data()[keep] <= upTo) keep++;
        for (int i = 0; i < keep; i++) steps.add((long) st.data()[i]);
        for (String n : names) {
            NpyArray a = m.get(n);
            if (a == null) throw new RunDirectoryException(file + ": no records of '" + n + "'");
            int per = keep == 0 ? 0 : a.size() / st.size();
            for (int i = 0; i < keep; i++) records.get(n).add(Arrays.copyOfRange(a.data(), i * per, (i + 1) * per));
        }
        if (spec.steps() != null) while (next < spec.steps().length && spec.steps()[next] <= upTo) next++;
    }
}
