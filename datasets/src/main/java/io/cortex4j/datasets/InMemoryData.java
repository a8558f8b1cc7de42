package io.cortex4j.datasets;

import java.util.Objects;

/**
 * {@link LabeledData} held in one flat, row-major {@code float[]} plus an {@code int[]} of labels.
 *
 * <p>Instances are immutable. The public constructors copy their arguments; {@link #subset} and
 * {@link #withName} share the backing arrays with the original (no copying), which is safe because
 * nothing ever writes to them.
 */
public final class InMemoryData implements LabeledData {
    private final String name;
    private final float[] inputs;
    private final int[] labels;
    private final int inputSize;
    private final int numClasses;
    private final int start;
    private final int size;
    private final int[] imageShape;

    /**
     * Builds a data set from one input vector per sample. All rows must have the same, non-zero
     * length; at least one sample is required (the input size is taken from the rows).
     *
     * @throws IllegalArgumentException on mismatched sizes or a label outside [0, numClasses)
     */
    public InMemoryData(String name, float[][] inputs, int[] labels, int numClasses) {
        this(name, flatten(inputs), inputs[0].length, labels.clone(), numClasses, 0, labels.length, true, null);
    }

    /**
     * Builds a data set from a flat row-major array: sample {@code i} is
     * {@code inputs[i*inputSize .. (i+1)*inputSize)}. Zero samples are allowed.
     *
     * @throws IllegalArgumentException on mismatched sizes or a label outside [0, numClasses)
     */
    public InMemoryData(String name, float[] inputs, int inputSize, int[] labels, int numClasses) {
        this(name, inputs.clone(), inputSize, labels.clone(), numClasses, 0, labels.length, true, null);
    }

    /** Takes ownership of the arrays without copying; for loaders that built them themselves. */
    static InMemoryData wrap(String name, float[] inputs, int inputSize, int[] labels, int numClasses) {
        return new InMemoryData(name, inputs, inputSize, labels, numClasses, 0, labels.length, true, null);
    }

    /** {@link #wrap} for images of {@code imageShape} = {channels, height, width} (CHW). */
    static InMemoryData wrapImages(String name, float[] inputs, int[] imageShape, int[] labels, int numClasses) {
        int size = imageShape[0] * imageShape[1] * imageShape[2];
        return new InMemoryData(name, inputs, size, labels, numClasses, 0, labels.length, true, imageShape.clone());
    }

    private InMemoryData(
            String name,
            float[] inputs,
            int inputSize,
            int[] labels,
            int numClasses,
            int start,
            int size,
            boolean validate,
            int[] imageShape) {
        this.name = Objects.requireNonNull(name, "name");
        this.inputs = inputs;
        this.labels = labels;
        this.inputSize = inputSize;
        this.numClasses = numClasses;
        this.start = start;
        this.size = size;
        this.imageShape = imageShape;
        if (validate) validate();
    }

    private void validate() {
        if (inputSize < 1) throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        if ((long) labels.length * inputSize != inputs.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need "
                    + (long) labels.length * inputSize + " input values (" + inputSize + " per sample), got "
                    + inputs.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(
                        name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
            }
        }
    }

    private static float[] flatten(float[][] rows) {
        if (rows.length == 0) throw new IllegalArgumentException("no samples: cannot infer the input size");
        int n = rows[0].length;
        float[] flat = new float[Math.multiplyExact(rows.length, n)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != n) {
                throw new IllegalArgumentException("input row " + i + " has length " + rows[i].length + ", expected "
                        + n + " (the length of row 0)");
            }
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
        return flat;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public void copyInput(int index, float[] dst, int offset) {
        Objects.checkIndex(index, size);
        System.arraycopy(inputs, (start + index) * inputSize, dst, offset, inputSize);
    }

    @Override
    public int[] imageShape() {
        return imageShape == null ? null : imageShape.clone();
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size);
        return labels[start + index];
    }

    /** A fresh copy of sample {@code index}'s input. */
    public float[] input(int index) {
        float[] x = new float[inputSize];
        copyInput(index, x, 0);
        return x;
    }

    /** Number of samples per class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int i = 0; i < size; i++) counts[labels[start + i]]++;
        return counts;
    }

    /** Samples {@code [from, to)} as a view sharing this data's arrays, named {@code name[from:to]}. */
    public InMemoryData subset(int from, int to) {
        return subset(from, to, name + "[" + from + ":" + to + "]");
    }

    /** Samples {@code [from, to)} as a view sharing this data's arrays, under the given name. */
    public InMemoryData subset(int from, int to, String name) {
        Objects.checkFromToIndex(from, to, size);
        return new InMemoryData(
                name, inputs, inputSize, labels, numClasses, start + from, to - from, false, imageShape);
    }

    /** The same samples under another name. */
    public InMemoryData withName(String name) {
        return new InMemoryData(name, inputs, inputSize, labels, numClasses, start, size, false, imageShape);
    }

    @Override
    public String toString() {
        return name + " (" + size + " samples, " + inputSize + " inputs, " + numClasses + " classes)";
    }
}
