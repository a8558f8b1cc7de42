package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small runs of the spiking family on the spine: every rule from one config word, and its config errors. */
class SpikingRunsTest {
    @TempDir
    Path tmp;

    /** A Yin-Yang 4-40-3 spiking MLP: 1000 training samples in batches of 8, T = 5, Adam. */
    static String yinYang(String rule) {
        return """
                name: tiny-spiking
                model:
                  family: spiking
                  input: 4
                  layers: [{type: dense, units: 40}, {type: dense, units: 3}]
                  init: {gain: 2.0}
                rule: {name: %s}
                optimizer: {name: adam, learningRate: 1.0e-02}
                data: {name: yinyang, trainLimit: 1000}
                schedule: {epochs: 6, batch: 8}
                run: {seed: 3}
                """.formatted(rule);
    }

    /**
     * Each rule runs from one word and learns Yin-Yang well above chance (1/3) in 6 short epochs,
     * scored on all 900 validation samples.
     */
    @Test
    void everyRuleIsOneWordAndLearns() {
        for (String rule : List.of("bp", "fa", "usf", "brsf", "frsf", "microcircuit")) {
            Experiment e = Experiment.parse(yinYang(rule), "x.yaml", List.of());
            try (Trainer t = Trainer.start(e, tmp.resolve(rule), Progress.silent())) {
                Map<String, Object> s = t.run();
                double acc = (double) s.get("test_acc");
                assertTrue(acc > 0.5, rule + ": test accuracy " + acc);
            }
        }
    }

    /** Keys that the spiking family does not take, or values it cannot run, are named. */
    @Test
    void configErrorsNameTheKey() {
        String[][] cases = {
            {"rule.name=pal", "'rule.name'"},
            {"rule.circuit={sign: fixed}", "'rule.circuit': only the microcircuit rule reads rule.circuit"},
            {
                "rule={name: bp, feedbackStd: 0.1}",
                "'rule': bp (and the microcircuit's transport magnitudes) send errors down"
            },
            {
                "rule={name: frsf, signScale: 0.1}",
                "'rule.signScale': only usf (and the microcircuit's uniform magnitudes)"
            },
            {"schedule.presentation=2.5", "'schedule.presentation': a spiking network holds each sample"},
            {"rule.loss={silentSteps: 5}", "'rule.loss.silentSteps': the desired train must have spikes"},
            {"model.layers[0].activation=tanh", "'model.layers[0].activation': spiking layers fire spikes"},
            {"model.neuron.tauS=0.5", "tauS"},
            {"model.encoding={type: poisson, maxRate: 1.5}", "maxRate"},
        };
        for (String[] c : cases) {
            String m = assertThrows(
                            ConfigException.class, () -> Experiment.parse(yinYang("bp"), "x.yaml", List.of(c[0])), c[0])
                    .getMessage();
            assertTrue(m.contains(c[1]) && !m.contains("\n"), c[0] + " → " + m);
        }
        String m = assertThrows(
                        ConfigException.class,
                        () -> Experiment.parse(
                                yinYang("bp").replace("optimizer: {name: adam, learningRate: 1.0e-02}\n", ""),
                                "x.yaml",
                                List.of()))
                .getMessage();
        assertTrue(m.contains("'optimizer': spiking networks learn through an optimizer"), m);
    }

    /**
     * configs/cifar10-spiking-microcircuit.yaml trains on files in the official CIFAR-10 binary format
     * (five training batch files and the test batch, 40 images each, every image its class's random
     * prototype plus noise): 200 images, 3 epochs of batches of 20; the training loss falls, and
     * the kernels have the config's shapes.
     */
    @Test
    void theCifarNetworkTrainsOnCifarFormatFiles() throws IOException {
        CifarFiles.prototypes(tmp.resolve("data"), 40);
        Experiment e = Experiment.load(
                ExperimentTest.CONFIGS.resolve("cifar10-spiking-microcircuit.yaml"),
                List.of(
                        "data.dir=\"" + tmp.resolve("data") + "\"",
                        "data.trainLimit=200",
                        "schedule.batch=20",
                        "schedule.epochs=3"));
        Path run = tmp.resolve("cifar");
        try (Trainer t = Trainer.start(e, run, Progress.silent())) {
            t.run();
            double[] loss = t.metrics().column("train_loss");
            assertTrue(loss[2] < loss[0], "training loss " + loss[0] + " → " + loss[2]);
        }
        Map<String, NpyArray> p = Npz.read(run.resolve(RunDirectory.PARAMETERS));
        assertArrayEquals(new long[] {32, 75}, p.get("layer1.W").shape());
        assertArrayEquals(new long[] {64, 288}, p.get("layer2.W").shape());
        assertArrayEquals(new long[] {256, 2304}, p.get("layer3.W").shape());
    }
}
