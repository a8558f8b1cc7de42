package io.cortex4j.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.datasets.YinYang;
import io.cortex4j.random.CounterRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.AsyncDataSetIterator;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.datasets.iterator.INDArrayDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * {@link LabeledDataIterator} and {@link Dl4jData} against DL4J's own iterators, normalizers,
 * prefetching and networks (no mocks).
 */
class Dl4jIteratorsTest {

    // ------------------------------------------------------------------ helpers

    /** Gaussian inputs of assorted magnitudes (1e-3 to 1e3), random labels. */
    static InMemoryData gaussian(String name, int n, int in, int k, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * in];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
        for (int i = 0; i < n; i++) y[i] = r.nextInt(k);
        return new InMemoryData(name, x, in, y, k);
    }

    /** {@link #gaussian} plus awkward values: ±0, subnormal, near the float limits. */
    static InMemoryData awkward(String name, int n, int in, int k, long seed) {
        InMemoryData g = gaussian(name, n, in, k, seed);
        float[] x = new float[n * in];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            g.copyInput(i, x, i * in);
            y[i] = g.label(i);
        }
        float[] odd = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 3.0e38f, -1.0e-30f, 1 / 3f, -Float.MAX_VALUE};
        for (int i = 0; i < odd.length && i < x.length; i++) x[i * 3 % x.length] = odd[i];
        return new InMemoryData(name, x, in, y, k);
    }

    /** Sample {@code i}'s first input is {@code i} (exact in float), the rest noise; label {@code i % k}. */
    static InMemoryData indexed(int n, int in, int k) {
        Random r = new Random(n);
        float[] x = new float[n * in];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i * in] = i;
            for (int j = 1; j < in; j++) x[i * in + j] = (float) r.nextGaussian();
            y[i] = i % k;
        }
        return new InMemoryData("indexed", x, in, y, k);
    }

    static float[] flat(INDArray a) {
        return a.castTo(DataType.FLOAT)
                .dup('c')
                .reshape('c', new long[] {a.length()})
                .toFloatVector();
    }

    static double[] flatD(INDArray a) {
        return a.castTo(DataType.DOUBLE)
                .dup('c')
                .reshape('c', new long[] {a.length()})
                .toDoubleVector();
    }

    /** One epoch's batches, copied out at once (prefetching iterators may reuse workspace memory). */
    record Batch(float[] features, float[] labels, long rows, DataType type) {}

    static List<Batch> drain(DataSetIterator it) {
        List<Batch> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            out.add(new Batch(
                    flat(ds.getFeatures()),
                    flat(ds.getLabels()),
                    ds.getFeatures().size(0),
                    ds.getFeatures().dataType()));
        }
        return out;
    }

    /** The first input of every row of an epoch: the sample indices for {@link #indexed} data. */
    static int[] order(List<Batch> batches, int in) {
        return batches.stream()
                .flatMapToInt(b -> {
                    int[] idx = new int[(int) b.rows()];
                    for (int i = 0; i < idx.length; i++) idx[i] = (int) b.features()[i * in];
                    return Arrays.stream(idx);
                })
                .toArray();
    }

    static long[] sizes(List<Batch> batches) {
        return batches.stream().mapToLong(Batch::rows).toArray();
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }

    /** Same sizes, labels and inputs bit for bit; {@code order[i]} is the original index of sample i (null: identity). */
    static void assertSameData(LabeledData expected, LabeledData actual, int[] order) {
        int n = order == null ? expected.size() : order.length;
        assertEquals(n, actual.size(), "size");
        assertEquals(expected.inputSize(), actual.inputSize(), "input size");
        assertEquals(expected.numClasses(), actual.numClasses(), "classes");
        float[] e = new float[expected.inputSize()], a = new float[actual.inputSize()];
        for (int i = 0; i < n; i++) {
            int src = order == null ? i : order[i];
            expected.copyInput(src, e, 0);
            actual.copyInput(i, a, 0);
            assertArrayEquals(bits(e), bits(a), "input bits of sample " + i);
            assertEquals(expected.label(src), actual.label(i), "label of sample " + i);
        }
    }

    static void assertSameBatches(List<Batch> expected, List<Batch> actual) {
        assertEquals(expected.size(), actual.size(), "batches");
        for (int b = 0; b < expected.size(); b++) {
            assertArrayEquals(expected.get(b).features(), actual.get(b).features(), "features of batch " + b);
            assertArrayEquals(expected.get(b).labels(), actual.get(b).labels(), "labels of batch " + b);
        }
    }

    static boolean isPermutation(int[] p) {
        int[] s = p.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length; i++) if (s[i] != i) return false;
        return true;
    }

    static DataSet ds(INDArray features, INDArray labels) {
        return new DataSet(features, labels);
    }

    static INDArray oneHot(int k, int... classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, classes.length, k);
        for (int i = 0; i < classes.length; i++) y.putScalar(i, classes[i], 1.0);
        return y;
    }

    static INDArray column(double... indices) {
        return Nd4j.create(indices, new long[] {indices.length, 1}, DataType.FLOAT);
    }

    static INDArray matrix(float[][] rows) {
        return Nd4j.create(rows);
    }

    /** {@link Dl4jData#read} fails with a one-line message containing every fragment. */
    static void assertReadFails(DataSetIterator it, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dl4jData.read(it, "x"));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message '" + m + "' should contain '" + f + "'");
    }

    // ------------------------------------------------------------------ LabeledData -> DL4J -> LabeledData

    @Test
    void roundTripIsExactInFloatAndDouble() {
        InMemoryData data = awkward("awkward", 53, 6, 4, 1);
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            LabeledDataIterator it =
                    LabeledDataIterator.builder(data, 8).dataType(type).build();
            List<Batch> batches = drain(it);
            assertArrayEquals(new long[] {8, 8, 8, 8, 8, 8, 5}, sizes(batches), type.toString());
            assertEquals(7, it.batchesPerEpoch());
            for (Batch b : batches) {
                assertEquals(type, b.type());
                assertEquals(b.rows() * 6, b.features().length);
                assertEquals(b.rows() * 4, b.labels().length);
            }
            // labels of the first batch: 1 at the class, 0 elsewhere
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 4; j++)
                    assertEquals(j == data.label(i) ? 1f : 0f, batches.get(0).labels()[i * 4 + j]);

            InMemoryData back = Dl4jData.read(it, "back");
            assertEquals("back", back.name());
            assertSameData(data, back, null);
            assertEquals(1, it.epoch(), "read() resets the iterator once");
        }
    }

    @Test
    void shufflingFollowsTheTrainingLoopsPermutationPerEpoch() {
        int n = 97, in = 3;
        InMemoryData data = indexed(n, in, 5);
        LabeledDataIterator it =
                LabeledDataIterator.builder(data, 10).shuffle(42).build();
        CounterRandom rng = new CounterRandom(42);

        List<Batch> e0 = drain(it);
        int[] order0 = order(e0, in);
        assertTrue(isPermutation(order0));
        assertArrayEquals(rng.permutation(10_000, 0, n), order0);
        // labels travel with their inputs
        int row = 0;
        for (Batch b : e0)
            for (int i = 0; i < b.rows(); i++, row++)
                for (int j = 0; j < 5; j++) assertEquals(j == data.label(order0[row]) ? 1f : 0f, b.labels()[i * 5 + j]);

        it.reset();
        assertEquals(1, it.epoch());
        int[] order1 = order(drain(it), in);
        assertTrue(isPermutation(order1));
        assertArrayEquals(rng.permutation(10_000, 1, n), order1);
        assertFalse(Arrays.equals(order0, order1), "two epochs, two orders");

        // same seed, same orders; another seed, another order
        LabeledDataIterator again =
                LabeledDataIterator.builder(data, 10).shuffle(42).build();
        assertArrayEquals(order0, order(drain(again), in));
        again.reset();
        assertArrayEquals(order1, order(drain(again), in));
        LabeledDataIterator other =
                LabeledDataIterator.builder(data, 10).shuffle(43).build();
        assertFalse(Arrays.equals(order0, order(drain(other), in)));

        // read back through Dl4jData: the reset makes it epoch 1 of a fresh iterator
        InMemoryData back =
                Dl4jData.read(LabeledDataIterator.builder(data, 10).shuffle(42).build(), "back");
        assertSameData(data, back, rng.permutation(10_000, 1, n));
    }

    @Test
    void lastPartialBatchKeptOrDropped() {
        InMemoryData data = indexed(10, 2, 3);
        LabeledDataIterator keep = LabeledDataIterator.of(data, 4);
        assertArrayEquals(new long[] {4, 4, 2}, sizes(drain(keep)));
        assertThrows(NoSuchElementException.class, keep::next);
        assertEquals(3, keep.batchesPerEpoch());

        LabeledDataIterator drop =
                LabeledDataIterator.builder(data, 4).dropLast(true).build();
        assertArrayEquals(new long[] {4, 4}, sizes(drain(drop)));
        assertFalse(drop.hasNext());
        assertThrows(NoSuchElementException.class, drop::next);
        assertEquals(2, drop.batchesPerEpoch());
        drop.reset();
        assertArrayEquals(new long[] {4, 4}, sizes(drain(drop)));

        // next(num): the last call gives the rest when kept, throws when dropped
        keep.reset();
        long[] got = new long[4];
        for (int i = 0; i < 4; i++) got[i] = keep.next(3).numExamples();
        assertArrayEquals(new long[] {3, 3, 3, 1}, got);
        drop.reset();
        for (int i = 0; i < 3; i++) assertEquals(3, drop.next(3).numExamples());
        assertThrows(NoSuchElementException.class, () -> drop.next(3));
        assertThrows(IllegalArgumentException.class, () -> drop.next(0));

        // dropped samples are not read back; kept ones in order
        InMemoryData back = Dl4jData.read(drop, "dropped");
        assertSameData(data, back, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        // a batch larger than the data would never come
        assertThrows(
                IllegalArgumentException.class,
                () -> LabeledDataIterator.builder(data, 11).dropLast(true).build());
        assertEquals(1, LabeledDataIterator.of(data, 11).batchesPerEpoch());
    }

    @Test
    void inputMapTargetsAndTheRestOfTheInterface() {
        InMemoryData data = gaussian("gauss", 12, 4, 3, 2);
        LabeledDataIterator it = LabeledDataIterator.builder(data, 5)
                .inputMap(2.0, -1.0)
                .targets(0.9, 0.1)
                .dataType(DataType.DOUBLE)
                .labels(List.of("yin", "yang", "dot"))
                .build();
        assertEquals(5, it.batch());
        assertEquals(4, it.inputColumns());
        assertEquals(3, it.totalOutcomes());
        assertTrue(it.resetSupported());
        assertTrue(it.asyncSupported());
        assertEquals(List.of("yin", "yang", "dot"), it.getLabels());
        DataSet first = it.next();
        assertEquals(List.of("yin", "yang", "dot"), first.getLabelNamesList());
        double[] fx = flatD(first.getFeatures()), ly = flatD(first.getLabels());
        for (int i = 0; i < 5; i++) {
            float[] x = data.input(i);
            for (int j = 0; j < 4; j++) assertEquals(x[j] * 2.0 - 1.0, fx[i * 4 + j], 0.0, "x*2-1 in double");
            for (int j = 0; j < 3; j++) assertEquals(j == data.label(i) ? 0.9 : 0.1, ly[i * 3 + j], 0.0);
        }
        // 0.9/0.1 rows are one-hot for Dl4jData; inputs come back as the mapped values rounded to float
        InMemoryData back = Dl4jData.read(it, "mapped");
        assertEquals(12, back.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(data.label(i), back.label(i));
            float[] x = data.input(i), y = back.input(i);
            for (int j = 0; j < 4; j++) assertEquals((float) (x[j] * 2.0 - 1.0), y[j], 0f);
        }

        LabeledDataIterator plain = LabeledDataIterator.of(data, 5);
        assertEquals(List.of("0", "1", "2"), plain.getLabels());
        assertEquals(DataType.FLOAT, plain.dataType());
        assertNull(plain.getPreProcessor());

        assertThrows(IllegalArgumentException.class, () -> LabeledDataIterator.of(data, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> LabeledDataIterator.builder(data, 2).labels(List.of("a", "b")));
        assertThrows(
                IllegalArgumentException.class,
                () -> LabeledDataIterator.builder(data, 2).dataType(DataType.HALF));
        assertThrows(
                IllegalArgumentException.class,
                () -> LabeledDataIterator.builder(data, 2).inputMap(Double.NaN, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> LabeledDataIterator.builder(data, 2).targets(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void dl4jNormalizersFittedOnTheIteratorAreApplied() {
        // standardisation: fitted by DL4J on our iterator, then applied by it to every batch
        Random r = new Random(5);
        int n = 400;
        float[] x = new float[n * 3];
        for (int i = 0; i < n; i++) {
            x[i * 3] = (float) (r.nextGaussian() * 7 + 100);
            x[i * 3 + 1] = (float) (r.nextGaussian() * 0.01 - 3);
            x[i * 3 + 2] = (float) r.nextDouble();
        }
        InMemoryData data = new InMemoryData("skewed", x, 3, new int[n], 2);
        LabeledDataIterator it =
                LabeledDataIterator.builder(data, 32).shuffle(9).build();
        NormalizerStandardize norm = new NormalizerStandardize();
        norm.fit(it);
        it.setPreProcessor(norm);
        assertSame(norm, it.getPreProcessor());
        InMemoryData std = Dl4jData.read(it, "standardised");
        for (int j = 0; j < 3; j++) {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                double v = std.input(i)[j];
                s += v;
                s2 += v * v;
            }
            double mean = s / n, sd = Math.sqrt(s2 / n - mean * mean);
            assertEquals(0, mean, 1e-3, "mean of column " + j);
            assertEquals(1, sd, 1e-2, "std of column " + j);
        }

        // pixel scaling 0..255 -> 0..1, given to the builder, also through DL4J's prefetching iterator
        float[] px = new float[20 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
        InMemoryData pixels = new InMemoryData("pixels", px, 4, new int[20], 1);
        ImagePreProcessingScaler scaler = new ImagePreProcessingScaler(0, 1);
        LabeledDataIterator pit =
                LabeledDataIterator.builder(pixels, 6).preProcessor(scaler).build();
        AsyncDataSetIterator async = new AsyncDataSetIterator(pit, 2);
        try {
            assertSame(scaler, async.getPreProcessor());
            List<Batch> batches = drain(async);
            float[] all = new float[px.length];
            int at = 0;
            for (Batch b : batches) {
                System.arraycopy(b.features(), 0, all, at, b.features().length);
                at += b.features().length;
            }
            assertEquals(px.length, at);
            for (int i = 0; i < px.length; i++) assertEquals(px[i] / 255f, all[i], 1e-6f, "pixel " + i);
        } finally {
            async.shutdown();
        }
    }

    @Test
    void asyncPrefetchGivesTheSameBatchesAndEpochs() {
        InMemoryData data = indexed(45, 3, 4);
        LabeledDataIterator direct =
                LabeledDataIterator.builder(data, 7).shuffle(3).build();
        List<Batch> d0 = drain(direct);
        direct.reset();
        List<Batch> d1 = drain(direct);

        LabeledDataIterator backed =
                LabeledDataIterator.builder(data, 7).shuffle(3).build();
        AsyncDataSetIterator async = new AsyncDataSetIterator(backed, 3);
        try {
            assertEquals(7, async.batch());
            assertEquals(3, async.inputColumns());
            assertEquals(4, async.totalOutcomes());
            List<Batch> a0 = drain(async);
            async.reset();
            List<Batch> a1 = drain(async);
            assertEquals(1, backed.epoch());
            assertSameBatches(d0, a0);
            assertSameBatches(d1, a1);
        } finally {
            async.shutdown();
        }
    }

    // ------------------------------------------------------------------ DL4J's iterators -> LabeledData

    @Test
    void readsListAndIndArrayIterators() {
        // 6 examples x 3 features (value 10·i + j), one-hot labels over 4 classes
        int[] classes = {2, 0, 3, 3, 1, 0};
        float[][] rows = new float[6][3];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 3; j++) rows[i][j] = 10 * i + j;
        DataSet all = ds(matrix(rows), oneHot(4, classes));

        ListDataSetIterator<DataSet> list = new ListDataSetIterator<>(all.asList(), 4); // batches of 4 and 2
        InMemoryData a = Dl4jData.read(list, "list");
        assertEquals(6, a.size());
        assertEquals(3, a.inputSize());
        assertEquals(4, a.numClasses());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(rows[i], a.input(i));
            assertEquals(classes[i], a.label(i));
        }

        // INDArrayDataSetIterator (which itself drops a last partial batch: 6 pairs, batch 3)
        List<Pair<INDArray, INDArray>> pairs = new ArrayList<>();
        for (int i = 0; i < 6; i++) pairs.add(new Pair<>(matrix(new float[][] {rows[i]}), oneHot(4, classes[i])));
        InMemoryData b = Dl4jData.read(new INDArrayDataSetIterator(pairs, 3), "pairs", 4);
        assertSameData(a, b, null);

        // the iterator's own preprocessor is applied while reading
        ListDataSetIterator<DataSet> scaled = new ListDataSetIterator<>(all.asList(), 5);
        scaled.setPreProcessor(d -> d.getFeatures().muli(2));
        InMemoryData c = Dl4jData.read(scaled, "scaled");
        for (int i = 0; i < 6; i++) assertEquals(2 * rows[i][1], c.input(i)[1]);
    }

    @Test
    void imageBatchesAreFlattenedInChwOrderAndClassIndicesRead() {
        // value of example e, channel c, row h, column w: 1000e + 100c + 10h + w
        int C = 3, H = 2, W = 4;
        INDArray b0 = Nd4j.create(DataType.FLOAT, 2, C, H, W), b1 = Nd4j.create(DataType.FLOAT, 1, C, H, W);
        for (int e = 0; e < 3; e++)
            for (int c = 0; c < C; c++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++)
                        (e < 2 ? b0 : b1)
                                .putScalar(new long[] {e < 2 ? e : 0, c, h, w}, 1000 * e + 100 * c + 10 * h + w);
        // the second batch in Fortran memory order and in double: still read in logical C order
        INDArray b1f = b1.castTo(DataType.DOUBLE).dup('f');
        ExistingDataSetIterator it = new ExistingDataSetIterator(List.of(ds(b0, column(4, 0)), ds(b1f, column(2))));
        InMemoryData d = Dl4jData.read(it, "images");
        assertEquals(3, d.size());
        assertEquals(C * H * W, d.inputSize());
        assertEquals(5, d.numClasses(), "largest index + 1");
        assertArrayEquals(new int[] {4, 0, 2}, new int[] {d.label(0), d.label(1), d.label(2)});
        for (int e = 0; e < 3; e++) {
            float[] x = d.input(e);
            for (int c = 0; c < C; c++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++)
                        assertEquals(
                                1000 * e + 100 * c + 10 * h + w,
                                x[c * H * W + h * W + w],
                                "e" + e + " c" + c + " h" + h + " w" + w);
        }

        // class indices as a vector [n], with a given class count
        INDArray idx = Nd4j.create(new float[] {1, 0, 1}, new long[] {3}, 'c');
        InMemoryData v = Dl4jData.read(
                new ExistingDataSetIterator(List.of(ds(Nd4j.rand(DataType.FLOAT, 3, 2), idx))), "vector", 7);
        assertEquals(7, v.numClasses());
        assertEquals(0, v.label(1));

        // probability rows (softmax outputs, smoothed labels): argmax
        INDArray probs = Nd4j.create(new float[][] {{0.1f, 0.7f, 0.2f}, {0.05f, 0.05f, 0.9f}, {0.5f, 0.3f, 0.2f}});
        InMemoryData p = Dl4jData.read(
                new ExistingDataSetIterator(List.of(ds(Nd4j.rand(DataType.FLOAT, 3, 2), probs))), "probs");
        assertArrayEquals(new int[] {1, 2, 0}, new int[] {p.label(0), p.label(1), p.label(2)});
    }

    @Test
    void errorsAreClearOneLiners() {
        INDArray x2x4 = Nd4j.rand(DataType.FLOAT, 2, 4);
        assertReadFails(new ExistingDataSetIterator(List.<DataSet>of()), "ExistingDataSetIterator", "'x'", "empty");
        assertReadFails(
                new ExistingDataSetIterator(
                        List.of(ds(x2x4, oneHot(3, 0, 1)), ds(Nd4j.rand(DataType.FLOAT, 2, 5), oneHot(3, 1, 2)))),
                "inconsistent feature sizes",
                "batch 1",
                "[5]",
                "batch 0",
                "[4]");
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, oneHot(3, 0, 1)), ds(x2x4, oneHot(4, 1, 3)))),
                "inconsistent class counts",
                "batch 1 has 4 label columns",
                "batch 0 had 3");
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, column(0, 1)), ds(x2x4, oneHot(3, 1, 2)))),
                "inconsistent class counts",
                "class indices");

        INDArray nan = x2x4.dup();
        nan.putScalar(1, 2, Double.NaN);
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, column(0, 1)), ds(nan, column(0, 1)))),
                "batch 1, example 1 (example 3 overall): feature 2 is NaN");
        INDArray inf = x2x4.castTo(DataType.DOUBLE);
        inf.putScalar(0, 0, 1e300);
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(inf, column(0, 1)))),
                "batch 0, example 0",
                "feature 0 is infinite");

        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, Nd4j.create(new float[][] {{1, 0, 0}, {0.5f, 0.5f, 0}})))),
                "ExistingDataSetIterator",
                "batch 0, row 1",
                "not one-hot",
                "no single largest entry");
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, Nd4j.create(new float[][] {{0.2f, 0.3f, 0.4f}, {1, 0, 0}
                })))),
                "batch 0, row 0",
                "not one-hot");
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, column(0, 1.5)))), "batch 0, row 1", "not a class index");
        assertReadFails(new ExistingDataSetIterator(List.of(ds(x2x4, column(-1, 1)))), "row 0", "not a class index");
        IllegalArgumentException tooBig = assertThrows(
                IllegalArgumentException.class,
                () -> Dl4jData.read(new ExistingDataSetIterator(List.of(ds(x2x4, column(0, 3)))), "x", 3));
        assertTrue(tooBig.getMessage().contains("outside [0, 3)"), tooBig.getMessage());
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, Nd4j.zeros(DataType.FLOAT, 2, 3, 5)))),
                "per-time-step labels");
        assertReadFails(
                new ExistingDataSetIterator(List.of(ds(x2x4, column(0, 1, 2)))), "2 feature rows but labels of shape");
    }

    // ------------------------------------------------------------------ a real training run

    /**
     * A 4-30-3 sigmoid/softmax MLP trained by DL4J's {@code fit(iterator, epochs)} through our
     * iterator on Yin-Yang, evaluated by DL4J's {@code evaluate(iterator)}. Chance: the largest class
     * of this test split is 313 of 900 (0.348). Measured (Adam 0.03, batch 32, 10 epochs, network
     * and shuffle seeds 7, 8, 9): 0.821, 0.816, 0.827 test accuracy (0.77-0.81 after 5 epochs; DL4J
     * on CPU is deterministic here, the same run gives the same number). The threshold, 0.70, leaves
     * a wide margin. About 3 s of training on an idle 2-core machine, several times that under load.
     */
    @Test
    void trainsAnMlpOnYinYangThroughTheIterator() {
        YinYang.Splits splits = YinYang.standardSplits(11);
        LabeledDataIterator train =
                LabeledDataIterator.builder(splits.train(), 32).shuffle(7).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.03))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder()
                        .nIn(4)
                        .nOut(30)
                        .activation(Activation.SIGMOID)
                        .build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT)
                        .nIn(30)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        int epochs = 10;
        long t0 = System.nanoTime();
        net.fit(train, epochs);
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(epochs - 1, train.epoch(), "fit resets once per epoch after the first");

        Evaluation eval = net.evaluate(LabeledDataIterator.of(splits.test(), 256));
        double acc = eval.accuracy();
        System.out.printf(
                "Yin-Yang 4-30-3 through LabeledDataIterator: test accuracy %.4f after %d epochs in %.1f s%n",
                acc, epochs, secs);
        assertEquals(splits.test().size(), eval.getNumRowCounter(), 0.0);
        assertTrue(acc > 0.70, "test accuracy " + acc);
    }
}
