package io.cortex4j.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Small runs of every family × task of core, each a config of the shipped kind shrunk to a few
 * batches (generated data, or data the tests write), for the spine's tests.
 */
final class TinyRuns {
    private TinyRuns() {}

    /** Family × task → config text; {@code %DATA%} stands for a data directory the test provides. */
    static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("microcircuit-classification", """
                name: tiny-mc
                model: {family: microcircuit, layers: [4, 6, 3], dt: 0.01, init: {weights: [-0.5, 0.5], feedback: [-1.0, 1.0]}}
                rule: {name: pal, etaForward: [5.0, 0.5], etaFeedback: [0.5], etaIP: [0.05], etaPI: [0.02], alpha: [1.0e-06],
                       noise: {sigma: 0.05, tau: 0.1}, tauHighPass: 0.1, tauLowPass: 100}
                data: {name: yinyang, trainLimit: 8, evalLimit: 6}
                schedule: {settle: 1.0, presentation: 0.1, epochs: 3, batch: 2}
                run: {seed: 3}
                """);
        m.put("microcircuit-teacher-student", """
                name: tiny-mc-ts
                task: teacher-student
                model: {family: microcircuit, layers: [1, 2, 1], init: {weights: [-1, 0], feedback: [-1, 0]}}
                rule: {name: pal, etaForward: [2.0, 0.5], etaFeedback: [20], etaIP: [10], etaPI: [0.5], alpha: [1.0e-06], noise: {sigma: 0.01, tau: 0.1}}
                teacher: {weights: [2, 2]}
                data: {name: random-uniform, size: 6}
                schedule: {settle: 0.5, presentation: 0.1, epochs: 3, batch: 1}
                run: {seed: 4}
                """);
        m.put("microcircuit-alignment", """
                name: tiny-mc-align
                task: alignment
                model: {family: microcircuit, layers: [3, 5, 4, 3]}
                rule: {name: pal, etaFeedback: [50, 50], etaIP: [0, 0], etaPI: [5, 5], alpha: [1.0e-05, 1.0e-05], noise: {sigma: 0.05, tau: 0.1}}
                data: {name: random-uniform, size: 5}
                schedule: {settle: 0.5, presentation: 0.1, epochs: 3, batch: 1}
                run: {seed: 5}
                """);
        m.put("le-classification", """
                name: tiny-le
                model:
                  family: le
                  input: 4
                  layers: [{type: dense, units: 8, activation: sigmoid}, {type: dense, units: 3, activation: linear}]
                rule: {name: pal, learningRate: 0.8, lrFactors: [5, 1], feedbackLrFactors: [0, 5], sigma: [0.05, 0.0]}
                data: {name: yinyang, trainLimit: 16, evalLimit: 8}
                schedule: {presentation: 0.5, epochs: 3, batch: 4}
                run: {seed: 6}
                """);
        m.put("le-autoencoder", """
                name: tiny-le-ae
                task: {name: autoencoder, latent: 2}
                model:
                  family: le
                  input: 4
                  output: rate
                  layers:
                    - {type: dense, units: 5, activation: tanh}
                    - {type: dense, units: 2, activation: linear}
                    - {type: dense, units: 5, activation: tanh}
                    - {type: dense, units: 4, activation: linear}
                rule: {name: fa, learningRate: 0.8, lrFactors: [1, 1, 1, 1]}
                data: {name: yinyang, trainLimit: 16, evalLimit: 8}
                schedule: {presentation: 0.5, epochs: 3, batch: 4}
                run: {seed: 7}
                """);
        m.put("gle-classification", """
                name: tiny-gle
                model:
                  family: gle
                  input: 1
                  dt: 0.2
                  loss: cross-entropy
                  layers:
                    - {units: 6, activation: linear, tauM: [0.6, 0.6, 1.2, 1.2, 1.2, 1.2], tauR: [0.2, 0.2, 0.2, 0.2, 1.2, 1.2]}
                    - {units: 6, activation: tanh, groups: [{units: 4, tauM: 0.6, tauR: 0.2}, {units: 2, tauM: 1.2, tauR: 1.2}]}
                    - {units: 10, activation: linear, tauM: 1.2}
                rule: {name: bp}
                data: {name: mnist1d, dir: "%DATA%", train: train, validation: test, test: test, stepsPerSample: 8}
                optimizer: {name: adam, learningRate: 1.0e-03, plateau: {factor: 0.5, patience: 1}}
                schedule: {epochs: 3, batch: 4, evalBatch: 6}
                run: {seed: 8}
                """);
        m.put("gle-teacher-student", """
                name: tiny-gle-ts
                task: teacher-student
                model:
                  family: gle
                  input: 1
                  dt: 0.01
                  beta: 0.01
                  learnTauM: true
                  tauClamp: [0.1, 100]
                  layers:
                    - {units: 1, activation: softplus, tauM: 1.0, tauR: 0.1, bias: false, gamma: 1.0}
                    - {units: 1, activation: softplus, tauM: 2.0, tauR: 0.1, bias: false, gamma: 1.0}
                rule: {name: bp}
                teacher: {weights: [[1.0], [2.0]], tauM: [[1.0], [2.0]]}
                student: {init: {weights: [0, 1], tauM: [0, 1]}}
                data: {name: signal, signal: {type: square, halfPeriod: 0.1, smoothSteps: 2}}
                optimizer: {name: adam, learningRate: 1.0e-02}
                schedule: {batch: 3, settle: 0.05, duration: 0.25, logEvery: 0.05}
                run: {seed: 9}
                """);
        m.put("burst-classification", """
                name: tiny-burst
                model:
                  family: burst
                  input: 4
                  layers: [{type: dense, units: 8}, {type: dense, units: 6}, {type: dense, units: 3}]
                rule: {name: burstccn, learningRate: 0.5, momentum: 0.5, weightDecay: 1.0e-04, Q: {learningRate: 1.0e-03}}
                data: {name: yinyang, trainLimit: 16, evalLimit: 8}
                schedule: {epochs: 3, batch: 4}
                run: {seed: 10}
                """);
        m.put("burstprop-classification", """
                name: tiny-burstprop
                model:
                  family: burst
                  input: 4
                  layers: [{type: dense, units: 8}, {type: dense, units: 3}]
                rule: {name: burstprop, learningRate: 0.5, Y: {learningRate: 0.5}}
                data: {name: yinyang, trainLimit: 16, evalLimit: 8}
                schedule: {epochs: 3, batch: 4}
                run: {seed: 11}
                """);
        m.put("spiking-classification", """
                name: tiny-spiking
                model:
                  family: spiking
                  input: 4
                  layers: [{type: dense, units: 12}, {type: dense, units: 8}, {type: dense, units: 3}]
                  neuron: {refractory: 1}
                  encoding: {type: poisson}
                rule: {name: brsf}
                optimizer: {name: adam, learningRate: 1.0e-02}
                data: {name: yinyang, trainLimit: 16, evalLimit: 8}
                schedule: {presentation: 4.0, epochs: 3, batch: 4}
                run: {seed: 12}
                """);
        m.put("burst-teacher-student", """
                name: tiny-burst-ts
                task: teacher-student
                model:
                  family: burst
                  input: 3
                  layers: [{type: dense, units: 6}, {type: dense, units: 1}]
                  continuous: {dt: 0.1, tauSoma: 0.1, tauApical: 0.2, tauWeights: 10}
                rule: {name: burstccn, learningRate: 1.0}
                teacher: {layers: [{type: dense, units: 4}, {type: dense, units: 1}]}
                data: {name: signal, signal: {type: cosines, minPeriod: 4.0}}
                schedule: {batch: 2, settle: 1.0, duration: 12.0, logEvery: 2.0}
                run: {seed: 12}
                """);
        return m;
    }

    /** Writes a small MNIST-1D-shaped data set (CSV, 40 values, labels 0..9) under {@code dir/mnist1d}. */
    static Path mnist1d(Path dir) {
        try {
            Path d = Files.createDirectories(dir.resolve("mnist1d"));
            Random r = new Random(42);
            for (String split : List.of("train", "test")) {
                int n = split.equals("train") ? 16 : 6;
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int label = i % 10;
                    StringBuilder b = new StringBuilder(Integer.toString(label));
                    for (int j = 0; j < 40; j++)
                        b.append(',')
                                .append(String.format(
                                        Locale.ROOT, "%.5f", Math.sin(0.3 * j * (label + 1)) + 0.3 * r.nextGaussian()));
                    lines.add(b.toString());
                }
                Files.write(d.resolve(split + ".csv"), lines);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config text of a run with its data directory filled in. */
    static String config(String key, Path dataDir) {
        return all().get(key).replace("%DATA%", dataDir.toString());
    }
}
