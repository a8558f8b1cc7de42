package io.cortex4j.baselines;

import io.cortex4j.config.Checks;
import io.cortex4j.config.Common;
import io.cortex4j.config.TaskKind;
import io.cortex4j.model.Family;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.model.topology.Topology;
import io.cortex4j.tensor.DType;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The DL4J baseline as a family ({@code model.family: dl4j}): the architecture of an LE config trained
 * by DL4J's {@code MultiLayerNetwork} with plain SGD backprop, one step per mini-batch, on the same
 * data, batches, epochs, input scaling and targets, written to the same run directory files.
 */
public final class Dl4jFamily implements Family<Dl4jSpec, Dl4jBaseline> {
    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public Class<Dl4jSpec> specType() {
        return Dl4jSpec.class;
    }

    @Override
    public Set<TaskKind> tasks() {
        return Set.of(TaskKind.CLASSIFICATION);
    }

    /** One SGD step per batch: a presentation of one step, read out after it. */
    @Override
    public String defaults(TaskKind task) {
        return "{schedule: {presentation: 1.0, readout: last, batch: 32}}";
    }

    static Topology topology(Dl4jSpec s) {
        var in = s.model().input();
        return new Topology(in.channels(), in.height(), in.width(), s.model().layers());
    }

    @Override
    public void validate(Dl4jSpec s, Common c, Checks at) {
        Topology arch;
        try {
            arch = topology(s);
        } catch (IllegalArgumentException e) {
            throw at.error("model.layers", e.getMessage());
        }
        at.require(s.rule().name().equals("bp"), "rule.name", "the DL4J baseline trains with backprop: use bp");
        at.require(
                s.model().output() != OutputError.RATE, "model.output", "the DL4J baseline takes mse or cross-entropy");
        if (s.rule().lrFactors() != null)
            at.length(
                    s.rule().lrFactors(),
                    s.model().layers().size(),
                    "rule.lrFactors",
                    "layer (pooling layers included)");
        at.require(
                c.schedule().presentation() != null && c.schedule().presentation() == 1.0,
                "schedule.presentation",
                "a DL4J baseline takes one SGD step per batch: leave schedule.presentation out (it is 1)");
        at.require(c.run().backend().equals("cpu"), "run.backend", "the DL4J baseline runs on ND4J's own CPU backend");
        at.require(c.optimizer() == null, "optimizer", "the DL4J baseline uses plain SGD with rule.learningRate");
        try {
            Dl4jNetwork.build(
                    arch,
                    Dl4jNetwork.Loss.MSE,
                    s.rule().learningRate(),
                    s.rule().lrFactors(),
                    1,
                    DataType.FLOAT);
        } catch (IllegalArgumentException e) {
            throw at.error("model.layers", e.getMessage());
        }
    }

    @Override
    public double dt(Dl4jSpec s) {
        return 1.0;
    }

    @Override
    public Sizes sizes(Dl4jSpec s) {
        Topology arch = topology(s);
        return new Sizes(arch.inputLength(), "model.input", arch.outputLength(), "model.layers");
    }

    @Override
    public Dl4jBaseline build(Dl4jSpec s, Build b) {
        Dl4jNetwork.Loss loss =
                s.model().output() == OutputError.CROSS_ENTROPY ? Dl4jNetwork.Loss.CROSS_ENTROPY : Dl4jNetwork.Loss.MSE;
        DataType type = b.dtype() == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        Dl4jNetwork net = Dl4jNetwork.build(
                topology(s), loss, s.rule().learningRate(), s.rule().lrFactors(), b.seed(), type);
        return new Dl4jBaseline(net, b.backend(), b.dtype(), b.batch());
    }

    @Override
    public String divergenceHint() {
        return "lower rule.learningRate or rule.lrFactors";
    }
}
