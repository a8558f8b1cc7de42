package io.cortex4j.run;

import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.model.Family;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code model.init.from}: sets a network's parameters, and optionally its state (potentials,
 * rates, traces), from a NumPy {@code .npz} by name, so that a run can start from weights (or the
 * exact state) of another run or a reference code. Names are the network's
 * ({@code layer1.W}, {@code layer1.u}, ...), a family's older names are accepted
 * ({@link Family#importName}), and a cortex4j checkpoint can be read directly. Every parameter must
 * be in the file unless {@code model.init.partial} is set; an unknown name, a wrong shape or a NaN
 * or infinite value is an error that names the array.
 */
final class ParameterImport {
    private ParameterImport() {}

    /** The entries of a checkpoint that are not the trained network's tensors. */
    private static boolean skipped(String name) {
        return name.equals("format")
                || name.startsWith("trainer/")
                || name.startsWith("task/")
                || name.startsWith("schedule/")
                || name.startsWith("metrics/")
                || name.startsWith("teacher/")
                || name.startsWith("network/scalar/");
    }

    static Set<String> load(Experiment e, Family<Record, Network> family, Network net) {
        String from = e.model().init().from();
        Path file = Path.of(from);
        if (!Files.isRegularFile(file))
            throw e.at().error("model.init.from", "parameter file not found: " + file.toAbsolutePath());
        Map<String, NpyArray> arrays;
        try {
            arrays = Npz.read(file);
        } catch (IOException x) {
            throw e.at().error("model.init.from", x.getMessage());
        }
        Map<String, NpyArray> named = new LinkedHashMap<>();
        Set<String> raw = new LinkedHashSet<>();
        for (String k : arrays.keySet()) {
            if (skipped(k)) continue;
            raw.add(
                    k.startsWith("network/param/")
                            ? k.substring(14)
                            : k.startsWith("network/state/") ? k.substring(14) : k);
        }
        for (Map.Entry<String, NpyArray> a : arrays.entrySet()) {
            String k = a.getKey();
            if (skipped(k)) continue;
            if (k.startsWith("network/param/") || k.startsWith("network/state/")) k = k.substring(14);
            String name = family.importName(k, raw);
            if (named.put(name, a.getValue()) != null)
                throw e.at().error("model.init.from", file + ": two arrays name " + name);
        }
        Map<String, Tensor> params = net.parameters(), state = net.stateTensors();
        Set<String> loaded = new LinkedHashSet<>();
        for (Map.Entry<String, NpyArray> a : named.entrySet()) {
            Tensor t = params.get(a.getKey());
            if (t == null) t = state.get(a.getKey());
            if (t == null) {
                Set<String> known = new TreeSet<>(params.keySet());
                throw e.at().error(
                                "model.init.from",
                                file + ": array '" + a.getKey() + "' names no parameter or state tensor of this network"
                                        + " (its parameters: " + String.join(", ", known) + ")");
            }
            long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
            NpyArray v = a.getValue();
            if (!Arrays.equals(want, v.shape()))
                throw e.at().error(
                                "model.init.from",
                                file + ": array '" + a.getKey() + "' has shape " + Arrays.toString(v.shape())
                                        + " but the network's is " + Arrays.toString(want)
                                        + (params.containsKey(a.getKey()) ? " ([post, pre])" : " ([batch, units])"));
            double[] d = v.data();
            for (int i = 0; i < d.length; i++) {
                if (!Double.isFinite(d[i]))
                    throw e.at().error(
                                    "model.init.from",
                                    file + ": array '" + a.getKey() + "' holds " + d[i] + " at flat index " + i);
            }
            t.load(d);
            loaded.add(a.getKey());
        }
        if (!e.model().init().partial()) {
            Set<String> derived = family.derivedOnImport(e.spec(), net);
            for (String p : params.keySet()) {
                if (!loaded.contains(p) && !derived.contains(p))
                    throw e.at().error(
                                    "model.init.from",
                                    file + " has no array for the parameter " + p + " (it has: "
                                            + String.join(", ", named.keySet())
                                            + "); set model.init.partial: true to keep the seeded values of the parameters it leaves out");
            }
        }
        family.afterImport(e.spec(), net, loaded);
        return loaded;
    }
}
