package io.cortex4j.baselines;

import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@code MultiLayerNetwork} as a cortex4j {@link Network}: one {@link #step()} is one
 * forward pass (its output is the read-out) followed, while learning, by one SGD step on the batch
 * in {@link #input()} and {@link #target()}. Parameters are exposed in our layout ({@code layerℓ.W}
 * {@code [post, pre]}, {@code layerℓ.b}); values written into them (a checkpoint, {@code model.init.from})
 * reach DL4J before the next step.
 */
final class Dl4jBaseline implements Network {
    private final Dl4jNetwork net;
    private final Backend be;
    private final DType dtype;
    private final int batch, inputs, outputs;
    private final Tensor input, target, output;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private boolean handedOut;
    private Phase phase;
    private long steps;

    Dl4jBaseline(Dl4jNetwork net, Backend be, DType dtype, int batch) {
        this.net = net;
        this.be = be;
        this.dtype = dtype;
        this.batch = batch;
        this.inputs = net.architecture().inputLength();
        this.outputs = net.architecture().outputLength();
        this.input = be.zeros(dtype, batch, inputs);
        this.target = be.zeros(dtype, batch, outputs);
        this.output = be.zeros(dtype, batch, outputs);
        for (int i = 0; i < net.architecture().layers().size(); i++) {
            if (net.architecture().layers().get(i) instanceof LayerSpec.MaxPool2d) continue;
            double[] w = net.weights(i), b = net.bias(i);
            params.put("layer" + (i + 1) + ".W", be.fromHost(dtype, w, b.length, w.length / b.length)); // [post, pre]
            params.put("layer" + (i + 1) + ".b", be.fromHost(dtype, b, 1, b.length));
        }
    }

    /** The DL4J network behind it. */
    Dl4jNetwork dl4j() {
        return net;
    }

    @Override
    public void step() {
        if (handedOut) {
            push();
            handedOut = false;
        }
        INDArray x = array(input, inputs), y = array(target, outputs);
        INDArray out = net.dl4j().output(x, false);
        be.copyFromHost(
                out.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble(), output);
        if (phase != null && phase.learn()) net.dl4j().fit(x, y);
        steps++;
    }

    private INDArray array(Tensor t, int cols) {
        double[] h = t.toHost();
        float[] f = new float[h.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) h[i];
        return Nd4j.create(f, new long[] {batch, cols}, 'c').castTo(net.dataType());
    }

    private void push() {
        for (int i = 0; i < net.architecture().layers().size(); i++) {
            Tensor w = params.get("layer" + (i + 1) + ".W");
            if (w == null) continue;
            net.setParameters(
                    i, w.toHost(), params.get("layer" + (i + 1) + ".b").toHost());
        }
    }

    /** The weights and biases in our layout, refreshed from DL4J. */
    @Override
    public Map<String, Tensor> parameters() {
        if (!handedOut) {
            for (int i = 0; i < net.architecture().layers().size(); i++) {
                Tensor w = params.get("layer" + (i + 1) + ".W");
                if (w == null) continue;
                be.copyFromHost(net.weights(i), w);
                be.copyFromHost(net.bias(i), params.get("layer" + (i + 1) + ".b"));
            }
        }
        handedOut = true;
        return params;
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", input);
        m.put("target", target);
        return m;
    }

    @Override
    public Map<String, Double> stateScalars() {
        return Map.of("steps", (double) steps);
    }

    @Override
    public void restoreScalars(Map<String, Double> s) {
        steps = Math.round(s.get("steps"));
    }

    @Override
    public Map<String, Tensor> signals() {
        return Map.of("output", output);
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public Tensor input() {
        return input;
    }

    @Override
    public Tensor target() {
        return target;
    }

    @Override
    public Tensor output() {
        return output;
    }

    @Override
    public void setPhase(Phase p) {
        if (p.learn() && !p.learnForward())
            throw new UnsupportedOperationException("DL4J cannot learn with frozen forward weights");
        phase = p;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        input.close();
        target.close();
        output.close();
        for (Tensor t : params.values()) t.close();
    }
}
