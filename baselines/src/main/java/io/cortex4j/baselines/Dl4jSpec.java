package io.cortex4j.baselines;

import io.cortex4j.config.Key;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.model.topology.InputShape;
import io.cortex4j.model.topology.LayerSpec;
import java.util.List;

/**
 * The config of the DL4J baseline ({@code model.family: dl4j}): the layered architecture of an LE
 * config trained by DL4J's {@code MultiLayerNetwork} with plain mini-batch SGD backprop, one step per
 * batch. {@code rule.learningRate} times {@code rule.lrFactors} is each layer's step on
 * L = mean_b ½‖y − out‖² ({@code mse}) or the mean cross-entropy ({@code cross-entropy}).
 */
public record Dl4jSpec(Model model, Rule rule) {
    public record Model(
            InputShape input,
            List<LayerSpec> layers,
            @Key(def = "mse") OutputError output) {}

    /** @param name always bp: DL4J trains by backprop */
    public record Rule(
            @Key(def = "bp") String name,
            @Key(above = 0) double learningRate,
            @Key(def = Key.ABSENT, min = 0) double[] lrFactors) {}
}
