package io.cortex4j.train;

import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/** Parameters exchanged with NumPy as {@code .npz}, by projection name (W1, B1, WIP1, BPI1, ...). */
public final class ParameterFiles {
    private ParameterFiles() {}

    /**
     * Loads every array of {@code file} into the projection of the same name. A name that is not a
     * projection, or an array of the wrong shape, is an error naming both; projections absent from
     * the file keep their values.
     */
    public static java.util.Set<String> load(Path file, Map<String, Tensor> projections) throws IOException {
        Map<String, NpyArray> arrays = Npz.read(file);
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            Tensor t = projections.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException(file + ": array '" + e.getKey()
                        + "' names no projection of this network (it has " + new TreeSet<>(projections.keySet()) + ")");
            }
            long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
            if (!Arrays.equals(want, e.getValue().shape())) {
                throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the projection is " + Arrays.toString(want)
                        + " ([post, pre])");
            }
            t.load(e.getValue().data());
        }
        return arrays.keySet();
    }

    /** Named tensors as NumPy arrays of their own precision and shape. */
    public static Map<String, NpyArray> toArrays(Map<String, Tensor> tensors) {
        Map<String, NpyArray> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
            m.put(
                    e.getKey(),
                    new NpyArray(t.dtype() == io.cortex4j.tensor.DType.FLOAT64 ? "<f8" : "<f4", shape, t.toHost()));
        }
        return m;
    }
}
