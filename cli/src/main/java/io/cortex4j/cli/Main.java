package io.cortex4j.cli;

import io.cortex4j.baselines.Dl4jExperiment;
import io.cortex4j.config.ConfigException;
import io.cortex4j.config.OldConfigNode;
import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.config.GleExperimentConfig;
import io.cortex4j.config.LeExperimentConfig;
import io.cortex4j.datasets.DataDirectory;
import io.cortex4j.datasets.DataFormatException;
import io.cortex4j.tensor.BackendProvider;
import io.cortex4j.tensor.Backends;
import io.cortex4j.train.GleClassificationExperiment;
import io.cortex4j.train.GleMimicExperiment;
import io.cortex4j.train.LeExperiment;
import io.cortex4j.train.MicrocircuitExperiment;
import io.cortex4j.train.Progress;
import io.cortex4j.train.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code cortex4j} command: train, eval, demo, info. */
public final class Main {
    static final String USAGE = """
            usage: cortex4j <command> [options]

              demo                        train the built-in demo (Yin-Yang 4-30-3 microcircuit, PAL) for a few epochs
                  --backend cpu|cuda      compute backend (default: run.backend of the config, cpu)
              train <config.yaml>         run an experiment; results go to runs/<name>-s<seed>-<time>/
                  --backend cpu|cuda      override run.backend
                  --out DIR               parent directory of run directories (default: run.out of the config)
                  --seeds 1,2,3           run once per seed and print mean ± std of the results
                  --epochs N              override schedule.epochs
                  --eval-every N          override schedule.evalEvery
                  --quiet                 no progress output
              train --resume <run-dir>    continue a run from its last checkpoint
              eval <run-dir>              accuracy of a run's network on its test (and validation) data
                  --backend cpu|cuda      compute backend (default: run.backend of the run's config)
              info                        versions, backends, data directory
              bench [--le|--gle|--gemm]   the benchmark suite (run through the ./cortex4j script)
                  --backend cpu|cuda      backend of the measured workloads (default cpu; --gemm: cpu only)
              jmh [JMH options]           the microcircuit step as a JMH benchmark (CPU backend only)
            """;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Provenance.commit(); // read the commit now: the code this process started from
        try {
            return switch (args[0]) {
                case "train" -> train(args);
                case "demo" -> demo(args);
                case "eval" -> eval(args);
                case "info" -> info();
                default -> {
                    System.err.println("error: unknown command '" + args[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (ConfigException
                | DataFormatException
                | MicrocircuitExperiment.DivergedException
                | IllegalArgumentException
                | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            System.err.println("error: " + e.getMessage()
                    + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
            return 2;
        }
    }

    private static int demo(String[] args) {
        String text;
        try (InputStream in = Main.class.getResourceAsStream("demo.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean quiet = false;
        String backend = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--quiet" -> quiet = true;
                case "--backend" -> backend = backendOption(value(args, ++i, "--backend"));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " for demo");
            }
        }
        ExperimentConfig cfg = ExperimentConfig.parse(text, "demo.yaml");
        if (backend != null) cfg = cfg.withBackend(backend);
        System.out.println(
                "cortex4j demo: dendritic microcircuit 4-30-3 with PAL feedback learning on Yin-Yang (generated data, "
                        + cfg.schedule().epochs() + " epochs, batch "
                        + cfg.schedule().batch() + ")");
        return runOne(cfg, Path.of(cfg.run().outDir()), quiet) == null ? 1 : 0;
    }

    private static int train(String[] args) {
        Path config = null, out = null, resume = null;
        List<Long> seeds = new ArrayList<>();
        boolean quiet = false;
        int epochs = 0, evalEvery = 0;
        String backend = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--resume" -> resume = Path.of(value(args, ++i, "--resume"));
                case "--quiet" -> quiet = true;
                case "--epochs" -> epochs = positive(value(args, ++i, "--epochs"), "--epochs");
                case "--eval-every" -> evalEvery = positive(value(args, ++i, "--eval-every"), "--eval-every");
                case "--backend" -> backend = backendOption(value(args, ++i, "--backend"));
                case "--seeds" -> {
                    for (String s : value(args, ++i, "--seeds").split(",")) {
                        try {
                            seeds.add(Long.parseLong(s.trim()));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--seeds: '" + s + "' is not a whole number");
                        }
                    }
                }
                default -> {
                    if (args[i].startsWith("--")) throw new IllegalArgumentException("unknown option " + args[i]);
                    if (config != null)
                        throw new IllegalArgumentException(
                                "train takes one config file, got '" + config + "' and '" + args[i] + "'");
                    config = Path.of(args[i]);
                }
            }
        }
        Progress progress = new Progress(System.out, quiet);
        if (resume != null && backend != null) {
            throw new IllegalArgumentException(
                    "--backend does not apply to --resume: a run continues on the backend it started on (run.backend in "
                            + resume.resolve(MicrocircuitExperiment.CONFIG) + ")");
        }
        if (resume != null) {
            String family = LeExperimentConfig.familyOf(OldConfigNode.load(resume.resolve(MicrocircuitExperiment.CONFIG)));
            progress.line("resuming " + resume);
            if (family.equals("le")) {
                try (LeExperiment e = LeExperiment.resume(resume, progress)) {
                    report(e.run(), resume);
                }
                return 0;
            }
            if (family.equals("dl4j"))
                throw new IllegalArgumentException("DL4J baseline runs keep no checkpoints; start the run again");
            if (family.equals("gle")) {
                try (GleClassificationExperiment e = GleClassificationExperiment.resume(resume, progress)) {
                    report(e.run(), resume);
                }
                return 0;
            }
            try (MicrocircuitExperiment e = MicrocircuitExperiment.resume(resume, progress)) {
                report(e.run(), resume);
            }
            return 0;
        }
        if (config == null) throw new IllegalArgumentException("train needs a config file (or --resume <run-dir>)");
        String family = LeExperimentConfig.familyOf(OldConfigNode.load(config));
        if (family.equals("dl4j") && backend != null)
            throw new IllegalArgumentException(
                    "--backend does not apply to DL4J baseline runs (they run on ND4J's own CPU backend)");
        if (family.equals("le") || family.equals("dl4j")) {
            LeExperimentConfig le = LeExperimentConfig.load(config);
            return trainLayered(backend != null ? le.withBackend(backend) : le, seeds, out, quiet, epochs, evalEvery);
        }
        if (family.equals("gle")) {
            if (evalEvery > 0)
                throw new IllegalArgumentException(
                        "--eval-every does not apply to GLE runs (classification runs evaluate every epoch)");
            GleExperimentConfig g = GleExperimentConfig.load(config);
            if (backend != null) g = g.withBackend(backend);
            return trainGle(epochs > 0 ? g.withEpochs(epochs) : g, seeds, out, quiet);
        }
        ExperimentConfig cfg = ExperimentConfig.load(config);
        if (backend != null) cfg = cfg.withBackend(backend);
        if (epochs > 0 || evalEvery > 0) {
            cfg = cfg.withSchedule(
                    epochs > 0 ? epochs : cfg.schedule().epochs(),
                    evalEvery > 0 ? evalEvery : cfg.schedule().evalEvery());
        }
        Path parent = out != null ? out : Path.of(cfg.run().outDir());
        if (seeds.isEmpty()) return runOne(cfg, parent, quiet) == null ? 1 : 0;
        List<Map<String, Object>> results = new ArrayList<>();
        for (long s : seeds) results.add(runOne(cfg.withSeed(s), parent, quiet));
        Aggregate.print(cfg.name(), seeds, results, parent);
        return 0;
    }

    private static int trainGle(GleExperimentConfig cfg, List<Long> seeds, Path out, boolean quiet) {
        Path parent = out != null ? out : Path.of(cfg.run().outDir());
        List<Long> run = seeds.isEmpty() ? List.of(cfg.run().seed()) : seeds;
        List<Map<String, Object>> results = new ArrayList<>();
        for (long s : run) {
            GleExperimentConfig c = cfg.withSeed(s);
            Path dir = runDirectory(parent, c.name(), s);
            Progress progress = new Progress(System.out, quiet);
            progress.line("run directory " + dir);
            Map<String, Object> summary;
            if (c.task() == GleExperimentConfig.Task.MIMIC) {
                try (GleMimicExperiment e = GleMimicExperiment.create(c, dir, progress)) {
                    summary = e.run();
                }
            } else {
                try (GleClassificationExperiment e = GleClassificationExperiment.create(c, dir, progress)) {
                    summary = e.run();
                }
            }
            report(summary, dir);
            results.add(summary);
        }
        if (!seeds.isEmpty()) Aggregate.print(cfg.name(), seeds, results, parent);
        return 0;
    }

    private static int trainLayered(
            LeExperimentConfig cfg, List<Long> seeds, Path out, boolean quiet, int epochs, int evalEvery) {
        if (epochs > 0 || evalEvery > 0)
            cfg = cfg.withSchedule(epochs > 0 ? epochs : cfg.epochs(), evalEvery > 0 ? evalEvery : cfg.evalEvery());
        Path parent = out != null ? out : Path.of(cfg.run().outDir());
        if (seeds.isEmpty()) {
            runLayered(cfg, parent, quiet);
            return 0;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (long s : seeds) results.add(runLayered(cfg.withSeed(s), parent, quiet));
        Aggregate.print(cfg.name(), seeds, results, parent);
        return 0;
    }

    private static Map<String, Object> runLayered(LeExperimentConfig cfg, Path parent, boolean quiet) {
        Path dir = runDirectory(parent, cfg.name(), cfg.run().seed());
        Progress progress = new Progress(System.out, quiet);
        progress.line("run directory " + dir);
        Map<String, Object> summary;
        if (cfg.family().equals("dl4j")) {
            summary = Dl4jExperiment.create(cfg, dir, progress).run();
        } else {
            try (LeExperiment e = LeExperiment.create(cfg, dir, progress)) {
                summary = e.run();
            }
        }
        report(summary, dir);
        return summary;
    }

    private static Path runDirectory(Path parent, String name, long seed) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = parent.resolve(name + "-s" + seed + "-" + stamp);
        for (int k = 2; Files.exists(dir); k++) dir = parent.resolve(name + "-s" + seed + "-" + stamp + "-" + k);
        return dir;
    }

    private static Map<String, Object> runOne(ExperimentConfig cfg, Path parent, boolean quiet) {
        Path dir = runDirectory(parent, cfg.name(), cfg.run().seed());
        Progress progress = new Progress(System.out, quiet);
        progress.line("run directory " + dir);
        try (MicrocircuitExperiment e = MicrocircuitExperiment.create(cfg, dir, progress)) {
            Map<String, Object> summary = e.run();
            report(summary, dir);
            return summary;
        }
    }

    private static void report(Map<String, Object> s, Path dir) {
        StringBuilder sb = new StringBuilder("done: ");
        if (s.containsKey("test_acc"))
            sb.append(String.format(Locale.ROOT, "test accuracy %.2f%%, ", 100 * (double) s.get("test_acc")));
        if (s.containsKey("test_probe_acc"))
            sb.append(String.format(
                    Locale.ROOT, "test linear-probe accuracy %.2f%%, ", 100 * (double) s.get("test_probe_acc")));
        if (s.containsKey("param_rel_error"))
            sb.append(String.format(
                    Locale.ROOT,
                    "loss %.3g, largest relative parameter error %.2f%%, ",
                    (double) s.get("final_loss"),
                    100 * (double) s.get("param_rel_error")));
        for (Map.Entry<String, Object> e : s.entrySet()) {
            if (e.getKey().startsWith("angle_B_WT_"))
                sb.append(String.format(
                        Locale.ROOT, "∠(B%s,Wᵀ) %.1f°, ", e.getKey().substring(11), (double) e.getValue()));
            if (e.getKey().startsWith("angle_B_W_"))
                sb.append(String.format(
                        Locale.ROOT, "∠(B%s,W) %.1f°, ", e.getKey().substring(10), (double) e.getValue()));
        }
        sb.append(String.format(
                Locale.ROOT, "%.0f steps/s, wall %s", (double) s.get("steps_per_s"), Progress.duration((double)
                        s.get("wall_time_s"))));
        System.out.println(sb);
        System.out.println("results: " + dir.resolve(MicrocircuitExperiment.METRICS) + ", "
                + dir.resolve(MicrocircuitExperiment.SUMMARY) + ", plots in " + dir);
    }

    private static int eval(String[] args) {
        Path dir = null;
        String backend = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--backend")) {
                backend = backendOption(value(args, ++i, "--backend"));
            } else if (args[i].startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + args[i] + " for eval");
            } else {
                if (dir != null)
                    throw new IllegalArgumentException(
                            "eval takes one run directory, got '" + dir + "' and '" + args[i] + "'");
                dir = Path.of(args[i]);
            }
        }
        if (dir == null) throw new IllegalArgumentException("eval takes one run directory");
        if (!Files.exists(dir.resolve(MicrocircuitExperiment.CONFIG)))
            throw new IllegalArgumentException(dir + " is not a run directory (no config.yaml)");
        String family = LeExperimentConfig.familyOf(OldConfigNode.load(dir.resolve(MicrocircuitExperiment.CONFIG)));
        if (family.equals("dl4j") && backend != null)
            throw new IllegalArgumentException(
                    "--backend does not apply to DL4J baseline runs (they run on ND4J's own CPU backend)");
        if (family.equals("dl4j"))
            throw new IllegalArgumentException(
                    "DL4J baseline runs keep no network; see " + dir.resolve(MicrocircuitExperiment.SUMMARY));
        if (family.equals("gle"))
            throw new IllegalArgumentException(
                    "GLE runs keep no checkpoint to evaluate; see " + dir.resolve(MicrocircuitExperiment.SUMMARY));
        if (family.equals("le")) {
            try (LeExperiment e = LeExperiment.resume(dir, Progress.silent(), backend)) {
                String what =
                        e.config().task() == LeExperimentConfig.Task.AUTOENCODER ? "linear-probe accuracy" : "accuracy";
                for (var r : Map.of("validation", e.validationData(), "test", e.testData())
                        .entrySet()) {
                    double[] v = e.evaluate(r.getValue());
                    System.out.printf(Locale.ROOT, "%-10s %s %.2f%%  loss %.5f%n", r.getKey(), what, 100 * v[0], v[1]);
                }
            }
            return 0;
        }
        try (MicrocircuitExperiment e = MicrocircuitExperiment.resume(dir, Progress.silent(), backend)) {
            if (e.config().task() == ExperimentConfig.Task.ALIGNMENT) {
                System.out.println("alignment run: see " + dir.resolve(MicrocircuitExperiment.METRICS));
                return 0;
            }
            if (e.config().task() == ExperimentConfig.Task.TEACHER_STUDENT) {
                System.out.printf(
                        Locale.ROOT,
                        "student-teacher MSE on held-out inputs %.5g%n",
                        e.teacherLoss(e.validationData()));
                return 0;
            }
            Map<String, double[]> res = new LinkedHashMap<>();
            res.put("validation", e.evaluate(e.validationData()));
            res.put("test", e.evaluate(e.testData()));
            for (Map.Entry<String, double[]> r : res.entrySet()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-10s accuracy %.2f%%  loss %.5f%n",
                        r.getKey(),
                        100 * r.getValue()[0],
                        r.getValue()[1]);
            }
        }
        return 0;
    }

    private static int info() {
        System.out.println("cortex4j " + Main.class.getPackage().getImplementationVersion());
        System.out.println("JDK      " + System.getProperty("java.vm.vendor") + " " + Runtime.version());
        for (BackendProvider p : Backends.providers()) {
            System.out.println("backend  " + p.name()
                    + (p.isAvailable() ? ": available" : ": unavailable (" + p.unavailableReason() + ")"));
        }
        for (String line : io.cortex4j.cuda.CudaInfo.report(io.cortex4j.cuda.CudaLibraries.system()))
            System.out.println("cuda     " + line);
        try {
            System.out.println("data     " + DataDirectory.resolve(null));
        } catch (IllegalStateException e) {
            System.out.println("data     not found (" + e.getMessage() + ")");
        }
        return 0;
    }

    /** A {@code --backend} value, checked before any run directory is made: known here and able to run here. */
    private static String backendOption(String name) {
        Backends.requireAvailable(name);
        return name.toLowerCase(Locale.ROOT);
    }

    private static int positive(String s, String opt) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v >= 1) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(opt + " needs a whole number ≥ 1, got '" + s + "'");
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }
}
