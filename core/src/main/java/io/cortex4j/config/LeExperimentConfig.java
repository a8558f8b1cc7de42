package io.cortex4j.config;

import io.cortex4j.model.topology.Topology;
import io.cortex4j.model.topology.LayerSpec;
import io.cortex4j.model.le.LeParams;
import io.cortex4j.model.le.LeRule;
import io.cortex4j.model.le.OutputError;
import io.cortex4j.tensor.Activation;
import io.cortex4j.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An experiment with a layered network ({@code model.family: le}, specs/pal.md §4–5.3), or the same
 * architecture trained by DL4J's {@code MultiLayerNetwork} with plain backprop
 * ({@code model.family: dl4j}, the baseline a user would pick instead). Times are in the LE
 * papers' dimensionless units (τ = 10, dt = 0.1); the presentation time per sample is
 * {@code schedule.presentation} in those units.
 *
 * <pre>
 * name: fashion-mnist-mlp-pal
 * task: classification            # or autoencoder (targets = inputs, linear probe on model.latent)
 * model:
 *   family: le                    # or dl4j
 *   input: [1, 28, 28]            # or 784
 *   layers:
 *     - {type: conv, filters: 20, kernel: 5, activation: sigmoid}
 *     - {type: maxpool, kernel: 2}
 *     - {type: dense, units: 10, activation: linear}
 *   output: mse                   # mse | rate | cross-entropy
 * rule: {name: pal, learningRate: 0.8, lrFactors: [..], feedbackLrFactors: [..], alpha: 1e-4, sigma: [..], ...}
 * </pre>
 */
public record LeExperimentConfig(
        String name,
        String family,
        Task task,
        LeParams model,
        int latentLayer,
        String initFrom,
        ExperimentConfig.Data data,
        double inputShift,
        double presentation,
        int epochs,
        int batch,
        int evalEvery,
        ExperimentConfig.Run run,
        String sourceText) {

    public enum Task {
        CLASSIFICATION,
        AUTOENCODER
    }

    /** The value of {@code model.family} of a config file, without validating the rest. */
    public static String familyOf(OldConfigNode root) {
        if (!root.has("model")) return "microcircuit";
        OldConfigNode m = root.section("model");
        return m.string("family", "microcircuit");
    }

    public static LeExperimentConfig load(Path file) {
        try {
            return parse(OldConfigNode.load(file), java.nio.file.Files.readString(file));
        } catch (java.io.IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static LeExperimentConfig parse(String yaml, String fileName) {
        return parse(OldConfigNode.parse(yaml, fileName), yaml);
    }

    public int stepsPerSample() {
        return Math.max(1, (int) Math.round(presentation / model.dt()));
    }

    private static LeExperimentConfig parse(OldConfigNode root, String text) {
        root.keys("name", "task", "model", "rule", "data", "schedule", "run");
        String name = root.string("name", "experiment");
        if (!name.matches("[A-Za-z0-9._-]+"))
            throw root.error("name", "use letters, digits, '.', '_' and '-' only (it names the run directory)");
        Task task = switch (root.string("task", "classification").toLowerCase(Locale.ROOT)) {
            case "classification" -> Task.CLASSIFICATION;
            case "autoencoder" -> Task.AUTOENCODER;
            default ->
                throw root.error("task", "unknown task for a layered network (use classification or autoencoder)");
        };

        OldConfigNode m = root.section("model")
                .keys("family", "units", "input", "layers", "tau", "dt", "beta", "output", "init", "latent");
        String family = m.string("family");
        if (!family.equals("le") && !family.equals("dl4j")) throw m.error("family", "expected le or dl4j here");
        String units = m.string("units", "dimensionless");
        if (!units.equals("dimensionless"))
            throw m.error("units", "layered LE networks use the papers' dimensionless time units");
        int[] in;
        if (m.isList("input")) {
            double[] v = m.numberList("input");
            if (v.length != 3) throw m.error("input", "give [channels, height, width] or a single size");
            in = new int[] {whole(m, "input", v[0]), whole(m, "input", v[1]), whole(m, "input", v[2])};
        } else {
            in = new int[] {1, 1, (int) m.integer("input", 0)};
            if (in[2] < 1) throw m.error("input", "missing or < 1: the input size, e.g. 784 or [1, 28, 28]");
        }
        List<LayerSpec> specs = new ArrayList<>();
        List<OldConfigNode> layerNodes = m.sectionList("layers");
        for (OldConfigNode l : layerNodes) specs.add(layer(l));
        Topology arch;
        try {
            arch = new Topology(in[0], in[1], in[2], specs);
        } catch (IllegalArgumentException e) {
            throw m.error("layers", e.getMessage());
        }
        int n = specs.size();
        double tau = m.number("tau", 10.0), dt = m.number("dt", 0.1), beta = m.number("beta", 0.1);
        if (!(dt > 0)) throw m.error("dt", "must be > 0, got " + dt);
        if (tau < dt) throw m.error("tau", "τ = " + tau + " is below dt = " + dt);
        if (beta < 0) throw m.error("beta", "must be ≥ 0");
        OutputError out;
        try {
            out = OutputError.parse(m.string("output", "mse"));
        } catch (IllegalArgumentException e) {
            throw m.error("output", e.getMessage());
        }
        OldConfigNode init = m.optSection("init").keys("std", "feedbackStd", "from");
        double initStd = init.number("std", 0.05), fbStd = init.number("feedbackStd", 0.05);
        if (initStd < 0) throw init.error("std", "must be ≥ 0");
        if (fbStd < 0) throw init.error("feedbackStd", "must be ≥ 0");
        String initFrom = init.string("from", null);
        int latent = (int) m.integer("latent", 0);
        if (task == Task.AUTOENCODER) {
            if (latent < 1 || latent >= n)
                throw m.error(
                        "latent", "the autoencoder's latent layer (1.." + (n - 1) + ") is needed for the linear probe");
        } else if (latent != 0) {
            throw m.error("latent", "only the autoencoder task has a latent layer");
        }

        OldConfigNode r = root.section("rule")
                .keys(
                        "name",
                        "learningRate",
                        "lrFactors",
                        "feedbackLrFactors",
                        "alpha",
                        "sigma",
                        "tauXi",
                        "tauHighPass",
                        "tauLowPass",
                        "signScale");
        String ruleName = r.string("name");
        LeRule rule;
        try {
            rule = LeRule.parse(ruleName);
        } catch (IllegalArgumentException e) {
            throw r.error("name", e.getMessage());
        }
        if (family.equals("dl4j") && rule != LeRule.BP)
            throw r.error("name", "the DL4J baseline trains with backprop: use bp");
        double eta = r.number("learningRate", 0.8);
        if (!(eta >= 0)) throw r.error("learningRate", "must be ≥ 0");
        double[] lr = perLayer(r, "lrFactors", n, 1.0);
        double[] fbLr = perLayer(r, "feedbackLrFactors", n, rule == LeRule.PAL ? 1.0 : 0.0);
        double[] alpha = perLayer(r, "alpha", n, 1e-4);
        double[] sigma = perLayer(r, "sigma", n, rule == LeRule.PAL ? 1e-2 : 0.0);
        double[] tauXi = perLayer(r, "tauXi", n, 10 * dt);
        double[] tauHP = perLayer(r, "tauHighPass", n, 10 * dt);
        double[] tauLO = perLayer(r, "tauLowPass", n, 0.0);
        double signScale = r.number("signScale", initStd);
        if (rule != LeRule.PAL) {
            for (String k : new String[] {"feedbackLrFactors", "sigma", "tauXi", "tauHighPass", "alpha"}) {
                if (r.has(k)) throw r.error(k, "only the pal rule uses " + k);
            }
        }
        LeParams params;
        try {
            params = new LeParams(
                    arch, rule, out, tau, dt, beta, eta, lr, fbLr, alpha, sigma, tauXi, tauHP, tauLO, initStd, fbStd,
                    signScale);
        } catch (IllegalArgumentException e) {
            throw r.error("name", e.getMessage());
        }

        OldConfigNode d = root.section("data")
                .keys(
                        "name",
                        "dir",
                        "train",
                        "validation",
                        "test",
                        "trainLimit",
                        "evalLimit",
                        "targets",
                        "inputScale",
                        "inputShift");
        OldConfigNode tg = d.optSection("targets").keys("high", "low");
        if (task == Task.AUTOENCODER && d.has("targets"))
            throw d.error("targets", "the autoencoder's targets are its inputs");
        ExperimentConfig.Data data = new ExperimentConfig.Data(
                d.string("name"),
                d.string("dir", null),
                d.string("train", "train"),
                d.string("validation", "validation"),
                d.string("test", "test"),
                (int) nonNegative(d, "trainLimit"),
                (int) nonNegative(d, "evalLimit"),
                0,
                tg.number("high", 1.0),
                tg.number("low", 0.0),
                d.number("inputScale", 1.0),
                new double[] {0, 0},
                0);
        double shift = d.number("inputShift", 0.0);

        OldConfigNode s = root.optSection("schedule").keys("presentation", "epochs", "batch", "evalEvery");
        double pres = s.number("presentation", 10.0);
        if (pres < dt) throw s.error("presentation", "presentation time " + pres + " is below dt = " + dt);
        long epochs = s.integer("epochs", 1), batch = s.integer("batch", 32), evalEvery = s.integer("evalEvery", 1);
        if (epochs < 1) throw s.error("epochs", "must be ≥ 1");
        if (batch < 1) throw s.error("batch", "must be ≥ 1");
        if (evalEvery < 1) throw s.error("evalEvery", "must be ≥ 1");

        OldConfigNode rn = root.optSection("run").keys("seed", "backend", "precision", "checkpointEvery", "out");
        DType precision;
        try {
            precision = DType.parse(rn.string("precision", "float32"));
        } catch (IllegalArgumentException e) {
            throw rn.error("precision", e.getMessage());
        }
        ExperimentConfig.Run run = new ExperimentConfig.Run(
                rn.integer("seed", 1),
                rn.string("backend", "cpu"),
                precision,
                (int) nonNegative(rn, "checkpointEvery"),
                rn.string("out", "runs"));
        root.finish();
        return new LeExperimentConfig(
                name,
                family,
                task,
                params,
                latent,
                initFrom,
                data,
                shift,
                pres,
                (int) epochs,
                (int) batch,
                (int) evalEvery,
                run,
                text);
    }

    private static LayerSpec layer(OldConfigNode l) {
        l.keys("type", "units", "filters", "kernel", "stride", "padding", "activation");
        String type = l.string("type");
        try {
            return switch (type.toLowerCase(Locale.ROOT)) {
                case "dense" -> new LayerSpec.Dense((int) l.integer("units", 0), activation(l));
                case "conv", "conv2d" ->
                    new LayerSpec.Conv2d(
                            (int) l.integer("filters", 0),
                            (int) l.integer("kernel", 0),
                            (int) l.integer("stride", 1),
                            (int) l.integer("padding", 0),
                            activation(l));
                case "maxpool", "maxpool2d" -> new LayerSpec.MaxPool2d((int) l.integer("kernel", 2));
                default -> throw l.error("type", "unknown layer type '" + type + "' (use dense, conv or maxpool)");
            };
        } catch (IllegalArgumentException e) {
            throw l.error("type", e.getMessage());
        }
    }

    private static Activation activation(OldConfigNode l) {
        try {
            return Activation.parse(l.string("activation", "sigmoid"));
        } catch (IllegalArgumentException e) {
            throw l.error("activation", e.getMessage());
        }
    }

    private static int whole(OldConfigNode c, String key, double v) {
        if (v < 1 || v != Math.rint(v)) throw c.error(key, "sizes must be whole numbers ≥ 1");
        return (int) v;
    }

    private static long nonNegative(OldConfigNode c, String key) {
        long v = c.integer(key, 0);
        if (v < 0) throw c.error(key, "must be ≥ 0");
        return v;
    }

    private static double[] perLayer(OldConfigNode c, String key, int n, double def) {
        double[] v = c.numbers(key, n, LeParams.fill(n, def));
        for (double x : v) if (x < 0) throw c.error(key, "must be ≥ 0, got " + java.util.Arrays.toString(v));
        return v;
    }

    /** The resolved config as YAML: every value, defaults included; parsing it gives an equal config. */
    public String toYaml() {
        LeParams p = model;
        Topology a = p.architecture();
        StringBuilder y = new StringBuilder();
        y.append("# resolved config of run '").append(name).append("' (all defaults filled in)\n");
        y.append("name: ")
                .append(name)
                .append("\ntask: ")
                .append(task.name().toLowerCase(Locale.ROOT))
                .append('\n');
        y.append("model:\n  family: ").append(family).append("\n  units: dimensionless\n");
        y.append("  input: [")
                .append(a.channels())
                .append(", ")
                .append(a.height())
                .append(", ")
                .append(a.width())
                .append("]\n  layers:\n");
        for (LayerSpec l : a.layers()) {
            y.append("    - ")
                    .append(
                            switch (l) {
                                case LayerSpec.Dense d ->
                                    "{type: dense, units: " + d.units() + ", activation: " + act(d.activation()) + "}";
                                case LayerSpec.Conv2d c ->
                                    "{type: conv, filters: " + c.filters() + ", kernel: " + c.kernel() + ", stride: "
                                            + c.stride() + ", padding: " + c.padding() + ", activation: "
                                            + act(c.activation()) + "}";
                                case LayerSpec.MaxPool2d m -> "{type: maxpool, kernel: " + m.kernel() + "}";
                            })
                    .append('\n');
        }
        y.append("  tau: ")
                .append(p.tau())
                .append("\n  dt: ")
                .append(p.dt())
                .append("\n  beta: ")
                .append(p.beta())
                .append("\n  output: ")
                .append(p.outputError().word())
                .append('\n');
        y.append("  init: {std: ")
                .append(p.initStd())
                .append(", feedbackStd: ")
                .append(p.feedbackStd())
                .append(initFrom == null ? "" : ", from: " + quote(initFrom))
                .append("}\n");
        if (latentLayer > 0) y.append("  latent: ").append(latentLayer).append('\n');
        y.append("rule:\n  name: ")
                .append(p.rule().word())
                .append("\n  learningRate: ")
                .append(p.learningRate())
                .append("\n  lrFactors: ")
                .append(list(p.lrFactors()))
                .append('\n');
        if (p.rule() == LeRule.PAL) {
            y.append("  feedbackLrFactors: ")
                    .append(list(p.feedbackLrFactors()))
                    .append("\n  alpha: ")
                    .append(list(p.alpha()))
                    .append("\n  sigma: ")
                    .append(list(p.sigma()))
                    .append("\n  tauXi: ")
                    .append(list(p.tauXi()))
                    .append("\n  tauHighPass: ")
                    .append(list(p.tauHighPass()))
                    .append('\n');
        }
        y.append("  tauLowPass: ")
                .append(list(p.tauLowPass()))
                .append("\n  signScale: ")
                .append(p.signScale())
                .append('\n');
        ExperimentConfig.Data d = data;
        y.append("data:\n  name: ").append(d.name()).append('\n');
        if (d.dir() != null) y.append("  dir: ").append(quote(d.dir())).append('\n');
        y.append("  train: ")
                .append(d.trainSplit())
                .append("\n  validation: ")
                .append(d.validationSplit())
                .append("\n  test: ")
                .append(d.testSplit())
                .append("\n  trainLimit: ")
                .append(d.trainLimit())
                .append("\n  evalLimit: ")
                .append(d.evalLimit())
                .append("\n  inputScale: ")
                .append(d.inputScale())
                .append("\n  inputShift: ")
                .append(inputShift)
                .append('\n');
        if (task == Task.CLASSIFICATION)
            y.append("  targets: {high: ")
                    .append(d.targetHigh())
                    .append(", low: ")
                    .append(d.targetLow())
                    .append("}\n");
        y.append("schedule:\n  presentation: ")
                .append(presentation)
                .append("\n  epochs: ")
                .append(epochs)
                .append("\n  batch: ")
                .append(batch)
                .append("\n  evalEvery: ")
                .append(evalEvery)
                .append('\n');
        y.append("run:\n  seed: ")
                .append(run.seed())
                .append("\n  backend: ")
                .append(run.backend())
                .append("\n  precision: ")
                .append(run.precision().name().toLowerCase(Locale.ROOT))
                .append("\n  checkpointEvery: ")
                .append(run.checkpointEvery())
                .append("\n  out: ")
                .append(quote(run.outDir()))
                .append('\n');
        return y.toString();
    }

    private static String act(Activation a) {
        return a.configWord();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(v[i]);
        return b.append(']').toString();
    }

    /** A copy with other epochs and validation interval (command-line overrides). */
    public LeExperimentConfig withSchedule(int epochs, int evalEvery) {
        return new LeExperimentConfig(
                name,
                family,
                task,
                model,
                latentLayer,
                initFrom,
                data,
                inputShift,
                presentation,
                epochs,
                batch,
                evalEvery,
                run,
                sourceText);
    }

    public LeExperimentConfig withSeed(long seed) {
        return withRun(run.withSeed(seed));
    }

    public LeExperimentConfig withBackend(String backend) {
        return withRun(run.withBackend(backend));
    }

    private LeExperimentConfig withRun(ExperimentConfig.Run r) {
        return new LeExperimentConfig(
                name,
                family,
                task,
                model,
                latentLayer,
                initFrom,
                data,
                inputShift,
                presentation,
                epochs,
                batch,
                evalEvery,
                r,
                sourceText);
    }
}
