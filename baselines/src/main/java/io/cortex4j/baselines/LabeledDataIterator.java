package io.cortex4j.baselines;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.random.CounterRandom;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Our {@link LabeledData} as a DL4J {@link DataSetIterator}, for {@code MultiLayerNetwork.fit},
 * {@code evaluate}, DL4J's normalizers and {@code AsyncDataSetIterator}.
 *
 * <p>Each {@link DataSet} holds features {@code [batch, inputSize]} (sample {@code i}'s input
 * mapped elementwise to {@code x·scale + shift}) and labels {@code [batch, numClasses]} (one-hot:
 * {@code high} at the label's class, {@code low} elsewhere), both in the chosen {@link DataType}
 * ({@link DataType#FLOAT} or {@link DataType#DOUBLE}), no masks. The affine map is computed in
 * {@code double} and then rounded to the data type, exactly as {@link Dl4jExperiment} does, so the
 * identity map gives the stored floats bit for bit. A {@linkplain #setPreProcessor preprocessor},
 * if set, is applied to every {@code DataSet} before it is returned.
 *
 * <h2>Order and epochs</h2>
 * The epoch number is the number of {@link #reset()} calls so far (0 for a fresh iterator). Without
 * shuffling the samples come in index order. With shuffling, epoch {@code e} visits them in the
 * order {@code new CounterRandom(seed).permutation(10_000, e, size)}, the same permutation our
 * training loops (and {@link Dl4jExperiment}) use for that epoch. {@code MultiLayerNetwork.fit(it,
 * epochs)} resets the iterator once before every epoch but the first (directly or through the
 * {@code AsyncDataSetIterator} it wraps this iterator in), so its epochs are 0, 1, 2, ...
 *
 * <h2>Batches</h2>
 * {@link #next()} returns {@link #batch()} samples, the last batch of an epoch possibly fewer,
 * unless the last partial batch is dropped: then every returned {@code DataSet} has exactly the
 * requested number of samples ({@code size / batch} full batches per epoch) and {@link #hasNext()}
 * is false once fewer than {@code batch} samples are left. {@link #next(int)} does the same for
 * another count (with dropping, it throws {@link NoSuchElementException} rather than return fewer
 * than asked).
 *
 * <p>Every {@code DataSet} is built in fresh arrays, so {@link #asyncSupported()} is true and
 * prefetching ({@code AsyncDataSetIterator}) is safe. Methods are synchronized; the data itself is
 * immutable. Create instances with {@link #of} or {@link #builder}. ({@link DataSetIterator} is
 * {@code Serializable}; this iterator serializes only if its data and preprocessor do.)
 */
public final class LabeledDataIterator implements DataSetIterator {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The stream id of the epoch permutations, as in our training loops. */
    public static final int SHUFFLE_STREAM = 10_000;

    private final LabeledData data;
    private final int batch;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final double scale;
    private final double shift;
    private final double high;
    private final double low;
    private final DataType dataType;
    private final List<String> labelNames;
    private DataSetPreProcessor preProcessor;

    private long epoch;
    private int cursor;
    private int[] order; // this epoch's order; null before first use in an epoch, or when not shuffling

    private LabeledDataIterator(Builder b) {
        this.data = b.data;
        this.batch = b.batch;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.scale = b.scale;
        this.shift = b.shift;
        this.high = b.high;
        this.low = b.low;
        this.dataType = b.dataType;
        this.labelNames = b.labelNames;
        this.preProcessor = b.preProcessor;
    }

    /** Batches of {@code batchSize} in index order, last partial batch kept, identity map, 1/0 targets, FLOAT. */
    public static LabeledDataIterator of(LabeledData data, int batchSize) {
        return builder(data, batchSize).build();
    }

    /** A builder with the defaults of {@link #of}; see its setters for the options. */
    public static Builder builder(LabeledData data, int batchSize) {
        return new Builder(data, batchSize);
    }

    /** Options of a {@link LabeledDataIterator}; every setter checks its arguments at once. */
    public static final class Builder {
        private final LabeledData data;
        private final int batch;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private double scale = 1.0;
        private double shift = 0.0;
        private double high = 1.0;
        private double low = 0.0;
        private DataType dataType = DataType.FLOAT;
        private List<String> labelNames;
        private DataSetPreProcessor preProcessor;

        private Builder(LabeledData data, int batch) {
            this.data = Objects.requireNonNull(data, "data");
            if (batch < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
            this.batch = batch;
        }

        /** Visit the samples in a fresh permutation every epoch, drawn from {@code seed} (see the class documentation). */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /** Shuffle from {@code seed} if {@code shuffle}, else index order. */
        public Builder shuffle(boolean shuffle, long seed) {
            this.shuffle = shuffle;
            this.seed = seed;
            return this;
        }

        /** Drop the last batch of each epoch when it has fewer than {@code batch} samples (default: keep it). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Features are {@code x·scale + shift} (default 1 and 0: the stored values unchanged). */
        public Builder inputMap(double scale, double shift) {
            if (!Double.isFinite(scale) || !Double.isFinite(shift))
                throw new IllegalArgumentException(
                        "input scale and shift must be finite, got scale " + scale + ", shift " + shift);
            this.scale = scale;
            this.shift = shift;
            return this;
        }

        /** One-hot target values: {@code high} for the label's class, {@code low} elsewhere (default 1 and 0). */
        public Builder targets(double high, double low) {
            if (!Double.isFinite(high) || !Double.isFinite(low))
                throw new IllegalArgumentException("target values must be finite, got high " + high + ", low " + low);
            this.high = high;
            this.low = low;
            return this;
        }

        /** {@link DataType#FLOAT} (default) or {@link DataType#DOUBLE}. */
        public Builder dataType(DataType dataType) {
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE)
                throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + dataType);
            this.dataType = dataType;
            return this;
        }

        /** Class names for {@link #getLabels()}, one per class (default {@code "0".."k-1"}). */
        public Builder labels(List<String> names) {
            Objects.requireNonNull(names, "names");
            if (names.size() != data.numClasses())
                throw new IllegalArgumentException(names.size() + " class names given but '" + data.name() + "' has "
                        + data.numClasses() + " classes");
            this.labelNames = List.copyOf(names);
            return this;
        }

        /** A preprocessor applied to every {@code DataSet} (same as {@link #setPreProcessor} later). */
        public Builder preProcessor(DataSetPreProcessor preProcessor) {
            this.preProcessor = preProcessor;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the last partial batch is dropped and the data has
         *     fewer samples than one batch (no batch would ever come)
         */
        public LabeledDataIterator build() {
            if (dropLast && data.size() < batch)
                throw new IllegalArgumentException("batch size " + batch + " is larger than '" + data.name() + "' ("
                        + data.size() + " samples) and the last partial batch is dropped: no batch would come");
            if (labelNames == null) {
                List<String> names = new ArrayList<>(data.numClasses());
                for (int k = 0; k < data.numClasses(); k++) names.add(Integer.toString(k));
                labelNames = List.copyOf(names);
            }
            return new LabeledDataIterator(this);
        }
    }

    // ---------------------------------------------------------------- iteration

    @Override
    public synchronized boolean hasNext() {
        return data.size() - cursor >= (dropLast ? batch : 1);
    }

    @Override
    public DataSet next() {
        return next(batch);
    }

    /**
     * The next {@code num} samples (fewer only at the end of an epoch, and then only if the last
     * partial batch is kept), with the preprocessor applied.
     *
     * @throws NoSuchElementException at the end of the epoch, or, when the last partial batch is
     *     dropped, when fewer than {@code num} samples are left
     */
    @Override
    public synchronized DataSet next(int num) {
        if (num < 1) throw new IllegalArgumentException("number of samples must be >= 1, got " + num);
        int left = data.size() - cursor;
        if (left <= 0)
            throw new NoSuchElementException(
                    "'" + data.name() + "': epoch " + epoch + " is done (call reset() for the next one)");
        if (dropLast && left < num)
            throw new NoSuchElementException("'" + data.name() + "': " + left + " samples left in epoch " + epoch
                    + ", fewer than the " + num + " asked, and the last partial batch is dropped");
        int count = Math.min(num, left);
        if (shuffle && order == null) order = new CounterRandom(seed).permutation(SHUFFLE_STREAM, epoch, data.size());
        int in = data.inputSize(), k = data.numClasses();
        float[] x = new float[count * in];
        int[] y = new int[count];
        for (int b = 0; b < count; b++) {
            int idx = shuffle ? order[cursor + b] : cursor + b;
            data.copyInput(idx, x, b * in);
            y[b] = data.label(idx);
        }
        cursor += count;
        boolean identity = scale == 1.0 && shift == 0.0;
        INDArray features, labels;
        long[] fShape = {count, in}, lShape = {count, k};
        if (dataType == DataType.DOUBLE) {
            double[] fx = new double[x.length];
            for (int i = 0; i < x.length; i++) fx[i] = identity ? x[i] : x[i] * scale + shift;
            double[] ly = new double[count * k];
            for (int b = 0; b < count; b++) for (int j = 0; j < k; j++) ly[b * k + j] = j == y[b] ? high : low;
            features = Nd4j.create(fx, fShape, 'c');
            labels = Nd4j.create(ly, lShape, 'c');
        } else {
            if (!identity) for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * scale + shift);
            float[] ly = new float[count * k];
            float h = (float) high, l = (float) low;
            for (int b = 0; b < count; b++) for (int j = 0; j < k; j++) ly[b * k + j] = j == y[b] ? h : l;
            features = Nd4j.create(x, fShape, 'c');
            labels = Nd4j.create(ly, lShape, 'c');
        }
        DataSet ds = new DataSet(features, labels);
        ds.setLabelNames(labelNames);
        if (preProcessor != null) preProcessor.preProcess(ds);
        return ds;
    }

    /** Starts the next epoch: back to the first sample, epoch number + 1 (a new permutation when shuffling). */
    @Override
    public synchronized void reset() {
        epoch++;
        cursor = 0;
        order = null;
    }

    /** Always true. */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** True: every {@code DataSet} is built in fresh arrays, so prefetching is safe. */
    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batch;
    }

    /** The input size of the data. */
    @Override
    public int inputColumns() {
        return data.inputSize();
    }

    /** The number of classes of the data. */
    @Override
    public int totalOutcomes() {
        return data.numClasses();
    }

    @Override
    public synchronized void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public synchronized DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** The class names, {@code "0".."k-1"} unless others were given (unmodifiable). */
    @Override
    public List<String> getLabels() {
        return labelNames;
    }

    // ---------------------------------------------------------------- extras

    /** The data this iterator reads. */
    public LabeledData data() {
        return data;
    }

    /** The current epoch: the number of {@link #reset()} calls so far. */
    public synchronized long epoch() {
        return epoch;
    }

    /** {@code DataSet}s per epoch from {@link #next()}: {@code ⌈size/batch⌉}, or {@code ⌊size/batch⌋} when dropping. */
    public int batchesPerEpoch() {
        return dropLast ? data.size() / batch : (data.size() + batch - 1) / batch;
    }

    /** The affine input map's scale. */
    public double inputScale() {
        return scale;
    }

    /** The affine input map's shift. */
    public double inputShift() {
        return shift;
    }

    public DataType dataType() {
        return dataType;
    }

    @Override
    public String toString() {
        return "LabeledDataIterator(" + data.name() + ", batch " + batch
                + (shuffle ? ", shuffled with seed " + seed : ", in order") + (dropLast ? ", last partial dropped" : "")
                + ", " + dataType + ")";
    }
}
