package io.cortex4j.baselines;

import io.cortex4j.datasets.LabeledData;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.topology.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The backprop baseline for an {@link Topology}: the same layers as a DL4J
 * {@link MultiLayerNetwork}, trained with plain minibatch SGD (no momentum, no regularisation).
 *
 * <h2>Layers</h2>
 * Each layer of the architecture becomes exactly one DL4J layer, so layer indices agree:
 * {@code Dense} → {@link DenseLayer} (the last one → {@link OutputLayer}), {@code Conv2d} →
 * {@link ConvolutionLayer} (cross-correlation, {@link ConvolutionMode#Truncate}: output
 * {@code ⌊(H + 2p − k)/s⌋ + 1} as in {@link io.cortex4j.tensor.ConvGeometry}), {@code MaxPool2d}
 * → {@link SubsamplingLayer} MAX with kernel = stride = k. A network starting with a conv or pool
 * layer reads its flat input through {@link InputType#convolutionalFlat}: DL4J reshapes each row
 * to {@code [C, H, W]} in C order and flattens maps before a dense layer the same way, i.e.
 * channel-major {@code C·H·W} exactly as our layers do (the tests check this against a plain-Java
 * forward pass). Conv or pool layers after a dense layer are not supported.
 *
 * <h2>Losses, and the scaling conventions used here</h2>
 * For a batch of {@code B} samples with targets {@code y} and outputs {@code o}:
 * <ul>
 *   <li>{@link Loss#MSE}: {@code L = (1/B)·Σ_b ½·Σ_j (y_bj − o_bj)²} on the last layer's own
 *       activation (DL4J {@code LossFunction.MSE}).</li>
 *   <li>{@link Loss#CROSS_ENTROPY}: {@code L = (1/B)·Σ_b −Σ_j y_bj·log softmax(z_b)_j}; the last
 *       layer's activation is replaced by softmax (DL4J {@code LossFunction.MCXENT}).</li>
 * </ul>
 * DL4J's own MSE is {@code (1/n)·Σ_j (y_j − o_j)²} per sample ({@code n} = number of outputs, no
 * ½), and {@code computeGradientAndScore} returns the gradient of the <em>sum</em> over the batch
 * of those per-sample losses (the division by {@code B} happens later, in the updater), while its
 * score is the batch mean. Hence, with {@code n} outputs,
 * <pre>
 *   ∂L/∂θ = (n / (2B)) · gradient_DL4J     (MSE)        L = (n/2) · score_DL4J
 *   ∂L/∂θ = (1 / B)    · gradient_DL4J     (cross-entropy)  L = score_DL4J
 * </pre>
 * {@link #gradient} applies this conversion. The {@code learningRate} given to {@link #build} is
 * the SGD step on <em>this</em> {@code L} — one {@link #train} step changes every parameter by
 * exactly {@code −learningRate · ∂L/∂θ} — so the DL4J {@link Sgd} updater is given
 * {@code learningRate · n/2} for MSE and {@code learningRate} for cross-entropy.
 *
 * <h2>Parameters in our layout</h2>
 * Dense weights are {@code [out, in]} row-major (post × pre; DL4J stores the transpose,
 * {@code [nIn, nOut]}); conv weights are {@code [filters, C·k·k]} row-major with columns in
 * {@code (c, ky, kx)} order (DL4J's {@code [nOut, nIn, kH, kW]} in C order is the same sequence of
 * numbers); biases have one value per unit or filter.
 *
 * <p>Not thread-safe: one network, one thread.
 */
public final class Dl4jNetwork {
    /** The training loss (see the class documentation for the exact scaling). */
    public enum Loss {
        MSE,
        CROSS_ENTROPY
    }

    /** Samples per forward pass in {@link #accuracy}. */
    private static final int EVAL_BATCH = 512;

    private final Topology arch;
    private final Loss loss;
    private final double learningRate;
    private final DataType dataType;
    private final MultiLayerNetwork net;
    private final int inputLength;
    private final int outputLength;

    private Dl4jNetwork(Topology arch, Loss loss, double learningRate, DataType dataType, MultiLayerNetwork net) {
        this.arch = arch;
        this.loss = loss;
        this.learningRate = learningRate;
        this.dataType = dataType;
        this.net = net;
        this.inputLength = arch.inputLength();
        this.outputLength = arch.outputLength();
    }

    /** {@link #build(Topology, Loss, double, long, DataType)} in single precision. */
    public static Dl4jNetwork build(Topology arch, Loss loss, double learningRate, long seed) {
        return build(arch, loss, learningRate, seed, DataType.FLOAT);
    }

    /**
     * Builds and initialises the network: weights drawn by DL4J's {@link WeightInit#NORMAL}
     * (Gaussian with standard deviation {@code 1/√fanIn}) from {@code seed}, biases zero. Use
     * {@link #setParameters} to start from given values instead.
     *
     * @param learningRate SGD step size on the loss {@code L} of the class documentation
     * @param dataType     {@link DataType#FLOAT} or {@link DataType#DOUBLE} (for gradient checks)
     */
    public static Dl4jNetwork build(Topology arch, Loss loss, double learningRate, long seed, DataType dataType) {
        return build(arch, loss, learningRate, null, seed, dataType);
    }

    /**
     * As {@link #build(Topology, Loss, double, long, DataType)}, with a factor on the learning
     * rate per layer of the architecture (pooling layers' entries are ignored), as the LE configs'
     * {@code rule.lrFactors}; null means 1 everywhere.
     */
    public static Dl4jNetwork build(
            Topology arch, Loss loss, double learningRate, double[] layerFactors, long seed, DataType dataType) {
        Objects.requireNonNull(arch, "arch");
        if (layerFactors != null && layerFactors.length != arch.layers().size()) {
            throw new IllegalArgumentException(layerFactors.length + " learning-rate factors for "
                    + arch.layers().size() + " layers");
        }
        Objects.requireNonNull(loss, "loss");
        if (!(learningRate > 0) || Double.isInfinite(learningRate))
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE)
            throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + dataType);
        List<LayerSpec> specs = arch.layers();
        int n = arch.outputLength();
        double dl4jRate = loss == Loss.MSE ? learningRate * n / 2.0 : learningRate;

        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(new Sgd(dl4jRate))
                .weightInit(WeightInit.NORMAL)
                .biasInit(0.0)
                .convolutionMode(ConvolutionMode.Truncate)
                .miniBatch(true)
                .list();
        boolean seenDense = false;
        for (int i = 0; i < specs.size(); i++) {
            LayerSpec spec = specs.get(i);
            boolean last = i == specs.size() - 1;
            Layer layer = switch (spec) {
                case LayerSpec.Dense d
                when last ->
                    loss == Loss.MSE
                            ? new OutputLayer.Builder(LossFunction.MSE)
                                    .nOut(d.units())
                                    .activation(activation(d.activation()))
                                    .updater(sgd(dl4jRate, layerFactors, i))
                                    .build()
                            : new OutputLayer.Builder(LossFunction.MCXENT)
                                    .nOut(d.units())
                                    .activation(Activation.SOFTMAX)
                                    .updater(sgd(dl4jRate, layerFactors, i))
                                    .build();
                case LayerSpec.Dense d ->
                    new DenseLayer.Builder()
                            .nOut(d.units())
                            .activation(activation(d.activation()))
                            .updater(sgd(dl4jRate, layerFactors, i))
                            .build();
                case LayerSpec.Conv2d c ->
                    new ConvolutionLayer.Builder(c.kernel(), c.kernel())
                            .stride(c.stride(), c.stride())
                            .padding(c.padding(), c.padding())
                            .nOut(c.filters())
                            .activation(activation(c.activation()))
                            .updater(sgd(dl4jRate, layerFactors, i))
                            .build();
                case LayerSpec.MaxPool2d p ->
                    new SubsamplingLayer.Builder(PoolingType.MAX)
                            .kernelSize(p.kernel(), p.kernel())
                            .stride(p.kernel(), p.kernel())
                            .build();
            };
            if (seenDense && !(spec instanceof LayerSpec.Dense)) {
                throw new IllegalArgumentException("layer " + (i + 1) + " (" + spec
                        + "): conv/pool layers after a dense layer are not supported by the DL4J baseline");
            }
            seenDense |= spec instanceof LayerSpec.Dense;
            list.layer(i, layer);
        }
        list.setInputType(
                specs.getFirst() instanceof LayerSpec.Dense
                        ? InputType.feedForward(arch.inputLength())
                        : InputType.convolutionalFlat(arch.height(), arch.width(), arch.channels()));
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return new Dl4jNetwork(arch, loss, learningRate, dataType, net);
    }

    private static Sgd sgd(double rate, double[] factors, int layer) {
        return new Sgd(factors == null ? rate : rate * factors[layer]);
    }

    private static Activation activation(io.cortex4j.tensor.Activation a) {
        return switch (a) {
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case RELU -> Activation.RELU;
            case LINEAR -> Activation.IDENTITY;
            case SOFTPLUS -> Activation.SOFTPLUS;
            // DL4J's HARDSIGMOID is clip(0.2·x + 0.5, 0, 1), another function than clamp(x, 0, 1)
            case HARD_SIGMOID ->
                throw new IllegalArgumentException("the DL4J baseline has no hard-sigmoid (clamp(x, 0, 1)): DL4J's"
                        + " HARDSIGMOID is clip(0.2x + 0.5, 0, 1); use the cortex4j backends");
        };
    }

    public Topology architecture() {
        return arch;
    }

    public Loss loss() {
        return loss;
    }

    /** The SGD step size on {@code L} (see the class documentation), as given to {@link #build}. */
    public double learningRate() {
        return learningRate;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The underlying DL4J network (for inspection; its parameters are in DL4J's layout). */
    public MultiLayerNetwork dl4j() {
        return net;
    }

    // ---------------------------------------------------------------- parameters (our layout)

    /**
     * Sets layer {@code layer}'s weights and biases, given in our layout (see the class
     * documentation): dense {@code [out, in]} row-major, conv {@code [filters, C·k·k]} in
     * {@code (c, ky, kx)} order.
     *
     * @throws IllegalArgumentException for a pooling layer or arrays of the wrong length
     */
    public void setParameters(int layer, double[] weights, double[] bias) {
        INDArray w = param(layer, "W");
        INDArray b = param(layer, "b");
        checkLength(layer, "weights", weights.length, w.length());
        checkLength(layer, "bias", bias.length, b.length());
        INDArray ours = switch (arch.layers().get(layer)) {
            // ours [out, in] → DL4J [in, out]
            case LayerSpec.Dense d ->
                Nd4j.create(weights, new long[] {w.size(1), w.size(0)}, 'c').transpose();
            // ours [f, C·k·k] in (c, ky, kx) order is DL4J's [f, C, k, k] in C order
            default -> Nd4j.create(weights, w.shape(), 'c');
        };
        w.assign(ours.castTo(dataType));
        b.assign(Nd4j.create(bias, b.shape(), 'c').castTo(dataType));
    }

    /** Layer {@code layer}'s weights in our layout (a fresh array). */
    public double[] weights(int layer) {
        return toOurWeights(layer, param(layer, "W"));
    }

    /** Layer {@code layer}'s biases (a fresh array). */
    public double[] bias(int layer) {
        return flat(param(layer, "b"));
    }

    private double[] toOurWeights(int layer, INDArray dl4jW) {
        return arch.layers().get(layer) instanceof LayerSpec.Dense ? flat(dl4jW.transpose()) : flat(dl4jW);
    }

    private INDArray param(int layer, String key) {
        Objects.checkIndex(layer, arch.layers().size());
        LayerSpec spec = arch.layers().get(layer);
        if (spec instanceof LayerSpec.MaxPool2d) {
            throw new IllegalArgumentException(
                    "layer " + layer + " (" + spec + ") is a pooling layer and has no parameters");
        }
        return net.getLayer(layer).getParam(key);
    }

    private static void checkLength(int layer, String what, int got, long expected) {
        if (got != expected)
            throw new IllegalArgumentException(
                    "layer " + layer + " " + what + ": expected " + expected + " values, got " + got);
    }

    /** The values of {@code a} in C (row-major) order as a fresh {@code double[]}. */
    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    // ---------------------------------------------------------------- forward pass and gradient

    /**
     * The network's output (after the last activation; softmax for cross-entropy) for a batch
     * {@code x} of {@code B = x.length / inputLength} samples, flat row-major {@code [B, outputs]}.
     */
    public double[] output(double[] x) {
        int batch = batchOf(x.length);
        return flat(net.output(
                Nd4j.create(x, new long[] {batch, inputLength}, 'c').castTo(dataType), false));
    }

    /**
     * The gradient of the mean loss {@code L} (class documentation) over the batch
     * {@code x [B, inputLength]} (flat, row-major) with targets {@code targets [B, outputs]}, in
     * our parameter layout. The network's parameters are not changed. The arithmetic is in the
     * network's data type (inputs and targets are rounded to it); use a {@link DataType#DOUBLE}
     * network for gradient checks.
     */
    public Gradient gradient(double[] x, double[] targets) {
        int batch = batchOf(x.length);
        if (targets.length != (long) batch * outputLength) {
            throw new IllegalArgumentException(
                    "targets: expected " + batch + " × " + outputLength + " values, got " + targets.length);
        }
        net.setInput(Nd4j.create(x, new long[] {batch, inputLength}, 'c').castTo(dataType));
        net.setLabels(
                Nd4j.create(targets, new long[] {batch, outputLength}, 'c').castTo(dataType));
        net.computeGradientAndScore();
        org.deeplearning4j.nn.gradient.Gradient g = net.gradient();
        double score = net.score();
        net.clear();
        // see the class documentation for these factors
        double gradScale = loss == Loss.MSE ? outputLength / (2.0 * batch) : 1.0 / batch;
        double lossValue = loss == Loss.MSE ? score * outputLength / 2.0 : score;
        int layers = arch.layers().size();
        double[][] dw = new double[layers][];
        double[][] db = new double[layers][];
        for (int i = 0; i < layers; i++) {
            if (arch.layers().get(i) instanceof LayerSpec.MaxPool2d) continue;
            dw[i] = scale(toOurWeights(i, g.getGradientFor(i + "_W")), gradScale);
            db[i] = scale(flat(g.getGradientFor(i + "_b")), gradScale);
        }
        return new Gradient(lossValue, dw, db, arch);
    }

    /** {@link #gradient(double[], double[])} with one row per sample. */
    public Gradient gradient(double[][] x, double[][] targets) {
        if (x.length != targets.length)
            throw new IllegalArgumentException(x.length + " inputs but " + targets.length + " targets");
        return gradient(concat(x, inputLength, "input"), concat(targets, outputLength, "target"));
    }

    private static double[] concat(double[][] rows, int n, String what) {
        double[] flat = new double[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != n)
                throw new IllegalArgumentException(
                        what + " row " + i + " has length " + rows[i].length + ", expected " + n);
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
        return flat;
    }

    private static double[] scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) a[i] *= s;
        return a;
    }

    private int batchOf(int length) {
        if (length == 0 || length % inputLength != 0) {
            throw new IllegalArgumentException("input of " + length
                    + " values is not a whole number of samples of length " + inputLength + " (" + arch.input() + ")");
        }
        return length / inputLength;
    }

    /**
     * Per-layer gradients {@code ∂L/∂W}, {@code ∂L/∂b} in our layout, and the loss {@code L}
     * itself, both as defined in the {@link Dl4jNetwork} class documentation.
     */
    public static final class Gradient {
        private final double loss;
        private final double[][] weights;
        private final double[][] biases;
        private final Topology arch;

        private Gradient(double loss, double[][] weights, double[][] biases, Topology arch) {
            this.loss = loss;
            this.weights = weights;
            this.biases = biases;
            this.arch = arch;
        }

        /** The mean loss {@code L} over the batch. */
        public double loss() {
            return loss;
        }

        /** {@code ∂L/∂W} of layer {@code layer} in our layout (a fresh array). */
        public double[] weights(int layer) {
            return of(weights, layer).clone();
        }

        /** {@code ∂L/∂b} of layer {@code layer} (a fresh array). */
        public double[] bias(int layer) {
            return of(biases, layer).clone();
        }

        private double[] of(double[][] a, int layer) {
            Objects.checkIndex(layer, a.length);
            if (a[layer] == null)
                throw new IllegalArgumentException("layer " + layer + " ("
                        + arch.layers().get(layer) + ") is a pooling layer and has no parameters");
            return a[layer];
        }
    }

    // ---------------------------------------------------------------- training and evaluation

    /** Statistics of one training epoch. */
    public record EpochStats(
            int epoch, double trainLoss, double testAccuracy, double seconds, double samplesPerSecond) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "epoch %d: train loss %.5f, test accuracy %.4f, %.2f s, %.0f samples/s",
                    epoch,
                    trainLoss,
                    testAccuracy,
                    seconds,
                    samplesPerSecond);
        }
    }

    /** Called after every epoch. */
    @FunctionalInterface
    public interface EpochListener {
        void onEpoch(EpochStats stats);
    }

    /** All epochs of one {@link #train} call. */
    public record TrainResult(List<EpochStats> epochs) {
        public TrainResult {
            epochs = List.copyOf(epochs);
        }

        /** Test accuracy after the last epoch ({@code NaN} with no epochs or no test data). */
        public double finalTestAccuracy() {
            return epochs.isEmpty() ? Double.NaN : epochs.getLast().testAccuracy();
        }
    }

    /**
     * Trains for {@code epochs} epochs of minibatch SGD on one-hot targets (1 for the label, 0
     * elsewhere; for MSE these are the targets of the last layer's own activation). Each epoch
     * visits the training samples in a fresh random order drawn from {@code seed} (the same seed
     * gives the same order), in batches of {@code batch} (the last one may be smaller). The
     * reported train loss is the sample-weighted mean of {@code L} over the epoch's batches, each
     * taken before that batch's update; seconds and samples/s cover the training only, not the
     * test evaluation.
     *
     * @param test     evaluated after every epoch; may be {@code null} (accuracy then {@code NaN})
     * @param listener may be {@code null}
     */
    public TrainResult train(
            LabeledData train, LabeledData test, int epochs, int batch, long seed, EpochListener listener) {
        checkData(train);
        if (test != null) checkData(test);
        if (epochs < 0 || batch < 1) throw new IllegalArgumentException("epochs " + epochs + ", batch " + batch);
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        float[] xBuf = new float[batch * inputLength];
        float[] yBuf = new float[batch * outputLength];
        List<EpochStats> stats = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long t0 = System.nanoTime();
            double lossSum = 0;
            for (int start = 0; start < n; start += batch) {
                int b = Math.min(batch, n - start);
                Arrays.fill(yBuf, 0f);
                for (int k = 0; k < b; k++) {
                    train.copyInput(order[start + k], xBuf, k * inputLength);
                    yBuf[k * outputLength + train.label(order[start + k])] = 1f;
                }
                net.fit(array(xBuf, b, inputLength), array(yBuf, b, outputLength));
                lossSum += b * (loss == Loss.MSE ? net.score() * outputLength / 2.0 : net.score());
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            EpochStats s = new EpochStats(
                    epoch,
                    n == 0 ? Double.NaN : lossSum / n,
                    test == null ? Double.NaN : accuracy(test),
                    seconds,
                    n / seconds);
            stats.add(s);
            if (listener != null) listener.onEpoch(s);
        }
        net.clear();
        return new TrainResult(stats);
    }

    /** Fraction of {@code data}'s samples whose output argmax equals the label ({@code NaN} if empty). */
    public double accuracy(LabeledData data) {
        checkData(data);
        int n = data.size();
        if (n == 0) return Double.NaN;
        float[] xBuf = new float[Math.min(EVAL_BATCH, n) * inputLength];
        long correct = 0;
        for (int start = 0; start < n; start += EVAL_BATCH) {
            int b = Math.min(EVAL_BATCH, n - start);
            for (int k = 0; k < b; k++) data.copyInput(start + k, xBuf, k * inputLength);
            long[] predicted =
                    net.output(array(xBuf, b, inputLength), false).argMax(1).toLongVector();
            for (int k = 0; k < b; k++) if (predicted[k] == data.label(start + k)) correct++;
        }
        return (double) correct / n;
    }

    /** The first {@code rows × cols} values of {@code buf} as a {@code [rows, cols]} array of the network's type. */
    private INDArray array(float[] buf, int rows, int cols) {
        float[] data = rows * cols == buf.length ? buf : Arrays.copyOf(buf, rows * cols);
        return Nd4j.create(data, new long[] {rows, cols}, 'c').castTo(dataType);
    }

    private void checkData(LabeledData data) {
        if (data.inputSize() != inputLength) {
            throw new IllegalArgumentException("data '" + data.name() + "' has inputs of length " + data.inputSize()
                    + " but the architecture's input " + arch.input() + " has length " + inputLength);
        }
        if (data.numClasses() > outputLength) {
            throw new IllegalArgumentException("data '" + data.name() + "' has " + data.numClasses()
                    + " classes but the network has only " + outputLength + " outputs");
        }
    }

    @Override
    public String toString() {
        return "Dl4jNetwork(" + arch.input() + " → " + arch.layers() + ", " + loss + ", lr " + learningRate + ", "
                + dataType + ")";
    }
}
