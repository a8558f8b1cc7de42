package io.cortex4j.baselines;

import io.cortex4j.datasets.InMemoryData;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * DL4J data as ours: {@link #read} turns any {@link DataSetIterator} (DL4J's own, a DataVec
 * {@code RecordReaderDataSetIterator}, a {@link LabeledDataIterator}, ...) into an
 * {@link InMemoryData} by reading all of it.
 *
 * <h2>What is read</h2>
 * The iterator is {@linkplain DataSetIterator#reset() reset} first (when it supports that; if not,
 * it is read from where it stands) and then read to the end; its own preprocessor, if any, is
 * applied by the iterator as usual. It is not reset afterwards. Every {@link DataSet} must have
 * features of shape {@code [n, d1, d2, ...]} (rank ≥ 2), the same per-example shape
 * {@code [d1, d2, ...]} in every batch, and no mask arrays. Each example's features are flattened
 * row-major (C order, whatever the array's memory order): an image batch {@code [n, c, h, w]} gives
 * vectors of {@code c·h·w} values in CHW order, the layout our conv layers read. Values are stored
 * as {@code float}; NaN and infinite values (also doubles beyond float range) are rejected.
 *
 * <p>Labels are either
 * <ul>
 *   <li><b>rows</b> {@code [n, k]} with {@code k ≥ 2}: the class is the column of the row's single
 *       largest entry, and a row is accepted only if it is a one-hot row in one of two senses:
 *       <em>two-level</em> (one entry above all others, the others all equal: 0/1 one-hot, or any
 *       high/low targets such as 0.9/0.1 or 1/−1) or a <em>probability row</em> (all entries in
 *       [0, 1], summing to 1 within {@value #SUM_TOLERANCE}, with a unique largest entry, e.g.
 *       softmax outputs or smoothed labels). {@code k} is the number of classes; or</li>
 *   <li><b>class indices</b>, a single column {@code [n, 1]} or a vector {@code [n]} of
 *       non-negative integers; the number of classes is the largest index + 1 unless given.</li>
 * </ul>
 * All batches must use the same kind and, for rows, the same {@code k}.
 *
 * <p>Errors are {@link IllegalArgumentException}s with a one-line message naming the iterator's
 * class and the target name, and where it applies the batch (0-based, in reading order), the row
 * within the batch and the example's index overall.
 */
public final class Dl4jData {
    /** How far from 1 the sum of a probability label row may be. */
    public static final double SUM_TOLERANCE = 1e-3;

    private Dl4jData() {}

    /**
     * Reads all of {@code iterator} into an {@link InMemoryData} called {@code name}; the number of
     * classes is taken from the labels (see the class documentation).
     *
     * @throws IllegalArgumentException if the iterator gives no examples, batches disagree on the
     *     feature shape or the number of classes, a feature is NaN or infinite, or a label row is
     *     neither one-hot (or a probability row) nor a class index
     */
    public static InMemoryData read(DataSetIterator iterator, String name) {
        return read(iterator, name, 0);
    }

    /**
     * As {@link #read(DataSetIterator, String)} with a known number of classes: one-hot rows must
     * have {@code numClasses} columns, class indices must be below it.
     */
    public static InMemoryData read(DataSetIterator iterator, String name, int numClasses) {
        Objects.requireNonNull(iterator, "iterator");
        Objects.requireNonNull(name, "name");
        if (numClasses < 0)
            throw new IllegalArgumentException("numClasses must be >= 1 (or 0: infer), got " + numClasses);
        return new Reader(iterator, name, numClasses).read();
    }

    /** The state of one read. */
    private static final class Reader {
        private final DataSetIterator it;
        private final String name;
        private final int givenClasses;
        private final String prefix;

        private float[] inputs = new float[1024];
        private int[] labels = new int[64];
        private int total; // examples read so far
        private long[] exampleShape; // features per example, from the first non-empty batch
        private int exampleShapeBatch;
        private int inputSize;
        private int labelColumns = -1; // 1: class indices; k >= 2: one-hot rows; -1: not seen yet
        private int labelColumnsBatch;
        private int maxIndex = -1;

        Reader(DataSetIterator it, String name, int givenClasses) {
            this.it = it;
            this.name = name;
            this.givenClasses = givenClasses;
            String cls = it.getClass().getSimpleName();
            this.prefix = "reading " + (cls.isEmpty() ? it.getClass().getName() : cls) + " into '" + name + "': ";
        }

        InMemoryData read() {
            if (it.resetSupported()) it.reset();
            int batch = 0;
            while (it.hasNext()) {
                DataSet ds = it.next();
                if (ds == null) throw fail("batch " + batch + " is null");
                add(ds, batch);
                batch++;
            }
            if (total == 0)
                throw fail(
                        batch == 0 ? "the iterator is empty (no batches)" : batch + " batches but no examples in them");
            int k = labelColumns >= 2 ? labelColumns : givenClasses > 0 ? givenClasses : maxIndex + 1;
            return new InMemoryData(
                    name, Arrays.copyOf(inputs, total * inputSize), inputSize, Arrays.copyOf(labels, total), k);
        }

        private void add(DataSet ds, int batch) {
            INDArray f = ds.getFeatures(), l = ds.getLabels();
            if (f == null) throw fail("batch " + batch + " has no features");
            if (l == null) throw fail("batch " + batch + " has no labels");
            if (ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null)
                throw fail("batch " + batch + " has mask arrays (time series?): only fixed-size examples can be read");
            if (f.rank() < 2)
                throw fail("batch " + batch + " has features of shape " + Arrays.toString(f.shape())
                        + ": expected [examples, ...] (rank >= 2)");
            long n = f.size(0);
            if (l.rank() > 2)
                throw fail("batch " + batch + " has labels of shape " + Arrays.toString(l.shape())
                        + ": expected [examples, classes] or [examples] (per-time-step labels are not supported)");
            if (l.rank() == 0 || l.size(0) != n)
                throw fail("batch " + batch + " has " + n + " feature rows but labels of shape "
                        + Arrays.toString(l.shape()));
            if (n == 0) return;

            long[] shape = Arrays.copyOfRange(f.shape(), 1, f.rank());
            long per = 1;
            for (long s : shape) per *= s;
            if (exampleShape == null) {
                if (per < 1 || per > Integer.MAX_VALUE)
                    throw fail("batch " + batch + " has " + per + " feature values per example");
                exampleShape = shape;
                exampleShapeBatch = batch;
                inputSize = (int) per;
            } else if (!Arrays.equals(shape, exampleShape)) {
                throw fail("inconsistent feature sizes: batch " + batch + " has examples of shape "
                        + Arrays.toString(shape) + " (" + per + " values) but batch " + exampleShapeBatch + " had "
                        + Arrays.toString(exampleShape) + " (" + inputSize + " values)");
            }
            int cols = l.rank() == 1 ? 1 : (int) l.size(1);
            if (cols < 1) throw fail("batch " + batch + " has labels of shape " + Arrays.toString(l.shape()));
            if (labelColumns < 0) {
                if (cols >= 2 && givenClasses > 0 && cols != givenClasses)
                    throw fail("batch " + batch + " has " + cols + " label columns (classes) but " + givenClasses
                            + " classes were asked for");
                labelColumns = cols;
                labelColumnsBatch = batch;
            } else if (cols != labelColumns) {
                throw fail("inconsistent class counts: batch " + batch + " has " + describeLabels(cols) + " but batch "
                        + labelColumnsBatch + " had " + describeLabels(labelColumns));
            }

            int rows = (int) n;
            int start = total;
            int newTotal;
            long values;
            try {
                newTotal = Math.addExact(total, rows);
                values = Math.multiplyExact((long) newTotal, inputSize);
            } catch (ArithmeticException e) {
                throw fail("too many examples for one data set");
            }
            if (values > Integer.MAX_VALUE - 8) throw fail("too many feature values for one data set");
            ensureCapacity(newTotal, (int) values);

            // C order, whatever the array's memory order or view offsets: a fresh C-ordered copy, flattened
            float[] x = f.castTo(DataType.FLOAT)
                    .dup('c')
                    .reshape('c', new long[] {n * inputSize})
                    .toFloatVector();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < inputSize; j++) {
                    float v = x[r * inputSize + j];
                    if (!Float.isFinite(v)) {
                        String what = Float.isNaN(v) ? "NaN" : "infinite (or beyond the float range)";
                        throw fail("batch " + batch + ", example " + r + " (example " + (start + r)
                                + " overall): feature " + j + " is " + what);
                    }
                }
            }
            System.arraycopy(x, 0, inputs, start * inputSize, rows * inputSize);

            double[] y = l.castTo(DataType.DOUBLE)
                    .dup('c')
                    .reshape('c', new long[] {(long) rows * cols})
                    .toDoubleVector();
            for (int r = 0; r < rows; r++) {
                String at = "batch " + batch + ", row " + r + " (example " + (start + r) + " overall)";
                labels[start + r] = cols == 1 ? index(y[r], at) : oneHot(y, r * cols, cols, at);
            }
            total = newTotal;
        }

        private static String describeLabels(int cols) {
            return cols == 1 ? "a single column of class indices" : cols + " label columns (classes)";
        }

        private int index(double v, String at) {
            if (!(v >= 0) || v != Math.rint(v) || v >= Integer.MAX_VALUE)
                throw fail(at + ": label " + v
                        + " is not a class index (a non-negative integer); labels are a single column, so they"
                        + " are read as class indices, not one-hot rows");
            int c = (int) v;
            if (givenClasses > 0 && c >= givenClasses)
                throw fail(at + ": class index " + c + " is outside [0, " + givenClasses + ")");
            maxIndex = Math.max(maxIndex, c);
            return c;
        }

        private int oneHot(double[] y, int from, int k, String at) {
            int arg = from;
            boolean finite = true, inUnit = true;
            double sum = 0;
            for (int j = from; j < from + k; j++) {
                double v = y[j];
                finite &= Double.isFinite(v);
                inUnit &= v >= 0 && v <= 1;
                sum += v;
                if (v > y[arg]) arg = j;
            }
            boolean uniqueMax = true, othersEqual = true;
            double other = Double.NaN;
            for (int j = from; j < from + k; j++) {
                if (j == arg) continue;
                if (y[j] == y[arg]) uniqueMax = false;
                if (Double.isNaN(other)) other = y[j];
                else if (y[j] != other) othersEqual = false;
            }
            boolean probability = inUnit && Math.abs(sum - 1) <= SUM_TOLERANCE;
            if (finite && uniqueMax && (othersEqual || probability)) return arg - from;
            throw fail(at + ": labels " + Arrays.toString(Arrays.copyOfRange(y, from, from + k)) + " are not one-hot ("
                    + (!finite
                            ? "not all finite"
                            : !uniqueMax
                                    ? "no single largest entry"
                                    : "neither one high value with all others equal nor probabilities summing to 1")
                    + ")");
        }

        private void ensureCapacity(int examples, int values) {
            if (labels.length < examples) labels = Arrays.copyOf(labels, grow(labels.length, examples));
            if (inputs.length < values) inputs = Arrays.copyOf(inputs, grow(inputs.length, values));
        }

        private static int grow(int have, int need) {
            return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * have));
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException(prefix + what);
        }
    }
}
