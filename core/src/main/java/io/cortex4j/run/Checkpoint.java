package io.cortex4j.run;

import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.model.Network;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A run's named state in one {@code .npz}: for each network (the trained one under {@code network/},
 * a teacher under {@code teacher/}) its parameters, state tensors and scalars; the trainer's and the
 * task's scalars; and the metrics so far, one array per column. Written to a temporary file and
 * renamed, so a crash never leaves a half-written checkpoint. Loading checks every name and shape
 * against what the run expects and names the first that differs.
 */
final class Checkpoint {
    static final String FILE = "checkpoint.npz";
    /** Format 2: named arrays (format 1, before the spine, kept positional {@code __progress} arrays). */
    static final int FORMAT = 2;

    private Checkpoint() {}

    /** The arrays of a network under {@code prefix}: param/, state/ and scalar/ entries. */
    static void put(Map<String, NpyArray> out, String prefix, Network net) {
        for (Map.Entry<String, Tensor> e : net.parameters().entrySet())
            out.put(prefix + "param/" + e.getKey(), array(e.getValue()));
        for (Map.Entry<String, Tensor> e : net.stateTensors().entrySet())
            out.put(prefix + "state/" + e.getKey(), array(e.getValue()));
        for (Map.Entry<String, Double> e : net.stateScalars().entrySet())
            out.put(prefix + "scalar/" + e.getKey(), scalar(e.getValue()));
    }

    static NpyArray array(Tensor t) {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return new NpyArray(t.dtype() == DType.FLOAT64 ? "<f8" : "<f4", shape, t.toHost());
    }

    static NpyArray scalar(double v) {
        return NpyArray.ofDoubles(new double[] {v});
    }

    static void write(Path file, Map<String, NpyArray> arrays) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("format", scalar(FORMAT));
        m.putAll(arrays);
        Npz.write(file, m);
    }

    /** Reads a checkpoint; a file of another format or a damaged one is an error naming it. */
    static Map<String, NpyArray> read(Path file) {
        Map<String, NpyArray> m;
        try {
            m = Npz.read(file);
        } catch (IOException e) {
            throw new RunDirectoryException(
                    file + ": damaged checkpoint (" + e.getMessage() + "); the run cannot continue from it");
        }
        if (m.containsKey("__progress"))
            throw new RunDirectoryException(
                    file + ": a checkpoint of an older cortex4j (before named checkpoints); start the run again");
        NpyArray f = m.get("format");
        if (f == null || f.size() != 1 || f.data()[0] != FORMAT)
            throw new RunDirectoryException(file + ": not a cortex4j checkpoint (format " + FORMAT + ")");
        return m;
    }

    /** Loads the network's arrays under {@code prefix}, checking names and shapes; the scalars are returned. */
    static Map<String, Double> load(Path file, Map<String, NpyArray> m, String prefix, Network net) {
        for (Map.Entry<String, Tensor> e : net.parameters().entrySet())
            load(file, m, prefix + "param/" + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : net.stateTensors().entrySet())
            load(file, m, prefix + "state/" + e.getKey(), e.getValue());
        Map<String, Double> s = new LinkedHashMap<>();
        for (String k : net.stateScalars().keySet()) s.put(k, scalar(file, m, prefix + "scalar/" + k));
        return s;
    }

    private static void load(Path file, Map<String, NpyArray> m, String name, Tensor t) {
        NpyArray a = m.get(name);
        if (a == null)
            throw new RunDirectoryException(
                    file + ": the checkpoint lacks '" + name + "' (written by another config?)");
        long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
        if (!Arrays.equals(want, a.shape()))
            throw new RunDirectoryException(file + ": '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", the run expects " + Arrays.toString(want));
        t.load(a.data());
    }

    static double scalar(Path file, Map<String, NpyArray> m, String name) {
        NpyArray a = m.get(name);
        if (a == null || a.size() != 1)
            throw new RunDirectoryException(file + ": the checkpoint lacks the scalar '" + name + "'");
        return a.data()[0];
    }

    /** Every name of the file must be one the run reads: anything else means another config wrote it. */
    static void requireOnly(Path file, Map<String, NpyArray> m, java.util.Set<String> read) {
        TreeSet<String> extra = new TreeSet<>(m.keySet());
        extra.removeAll(read);
        extra.remove("format");
        if (!extra.isEmpty())
            throw new RunDirectoryException(file + ": the checkpoint holds " + extra.first()
                    + (extra.size() > 1 ? " (and " + (extra.size() - 1) + " more)" : "")
                    + ", which this run does not have (written by another config?)");
    }
}
