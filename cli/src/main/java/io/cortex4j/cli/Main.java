package io.cortex4j.cli;

import io.cortex4j.config.Binder;
import io.cortex4j.config.ConfigException;
import io.cortex4j.cuda.CudaInfo;
import io.cortex4j.cuda.CudaLibraries;
import io.cortex4j.datasets.DataDirectory;
import io.cortex4j.datasets.DataFormatException;
import io.cortex4j.model.Families;
import io.cortex4j.run.DivergedException;
import io.cortex4j.run.Experiment;
import io.cortex4j.run.Progress;
import io.cortex4j.run.Provenance;
import io.cortex4j.run.RunDirectory;
import io.cortex4j.run.RunDirectoryException;
import io.cortex4j.run.Trainer;
import io.cortex4j.tensor.BackendProvider;
import io.cortex4j.tensor.Backends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code cortex4j} command: train, eval, validate, info, demo, bench, sweep. It names no family: every
 * config is bound into an {@link Experiment} and run by the one {@link Trainer}. Options that change
 * a config ({@code --epochs}, {@code --backend}, {@code --seeds}, {@code --data-dir}) become
 * {@code --set key=value} overrides of its YAML tree, the same path every override takes.
 */
@Command(
        name = "cortex4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Cortical microcircuits and continuous-time networks with local, always-on plasticity.",
        subcommands = {
            Main.Train.class,
            Main.Eval.class,
            Main.Validate.class,
            Main.Info.class,
            Main.Demo.class,
            Main.Bench.class,
            SweepCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {
    /** Exit status of a usage error or a problem of the user's input (config, data, run directory). */
    static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        Provenance.commit(); // read the commit now: the code this process started from
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands()
                .get("bench")
                .setUnmatchedOptionsArePositionalParams(true); // the harness's options, in order
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            CommandLine c = ex.getCommandLine();
            err.println("(see " + c.getCommandSpec().qualifiedName() + " --help)");
            return USER_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof ConfigException
                    || ex instanceof DataFormatException
                    || ex instanceof DivergedException
                    || ex instanceof RunDirectoryException
                    || ex instanceof IllegalArgumentException
                    || ex instanceof IllegalStateException) {
                err.println("error: " + ex.getMessage());
                return USER_ERROR;
            }
            if (ex instanceof UncheckedIOException u) {
                err.println("error: " + u.getMessage()
                        + (u.getCause() != null ? ": " + u.getCause().getMessage() : ""));
                return USER_ERROR;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return USER_ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "cortex4j " + (v == null ? "(development build)" : v) + ", commit " + Provenance.commit()
            };
        }
    }

    // ------------------------------------------------------------------------------------ train

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = "Run an experiment; results go to <out>/<name>-s<seed>-<time>/.")
    static final class Train implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "the experiment's YAML config")
        Path config;

        @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a run from its last checkpoint")
        Path resume;

        @Option(
                names = "--set",
                paramLabel = "KEY=VALUE",
                description = "override a config value, e.g. --set rule.etaFeedback=[0.5] (repeatable)")
        List<String> sets = new ArrayList<>();

        @Option(
                names = "--seeds",
                split = ",",
                paramLabel = "SEED",
                description = "run once per seed and report mean ± std, e.g. --seeds 1,2,3")
        List<Long> seeds = new ArrayList<>();

        @Option(
                names = "--epochs",
                paramLabel = "N",
                description = "schedule.epochs (with --resume: extend the run to N epochs)")
        Integer epochs;

        @Option(names = "--eval-every", paramLabel = "N", description = "schedule.evalEvery")
        Integer evalEvery;

        @Option(names = "--backend", paramLabel = "NAME", description = "run.backend: cpu or cuda")
        String backend;

        @Option(names = "--out", paramLabel = "DIR", description = "parent of the run directories (run.out)")
        Path out;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "data.dir: the folder that holds the data sets")
        Path dataDir;

        @Option(
                names = "--run-dir",
                paramLabel = "DIR",
                description = "train in exactly this directory: start the run there, or, if DIR holds a run of this"
                        + " config, resume it (nothing to do if it is done); what sweeps' cells run")
        Path runDir;

        @Option(names = "--quiet", description = "no progress output")
        boolean quiet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter w = spec.commandLine().getOut();
            if (epochs != null && epochs < 1)
                throw new IllegalArgumentException("--epochs needs a whole number ≥ 1, got " + epochs);
            if (evalEvery != null && evalEvery < 1)
                throw new IllegalArgumentException("--eval-every needs a whole number ≥ 1, got " + evalEvery);
            if (resume != null) return resume(w);
            if (config == null) throw new IllegalArgumentException("train needs a config file (or --resume RUN_DIR)");
            List<String> overrides = overrides(sets, epochs, evalEvery, backend, dataDir);
            Experiment base = Experiment.load(config, overrides);
            if (runDir != null) {
                if (!seeds.isEmpty() || out != null)
                    throw new IllegalArgumentException("--run-dir names the one directory of one run; it does not take "
                            + (!seeds.isEmpty() ? "--seeds" : "--out"));
                return inRunDir(base, w);
            }
            Path parent = out != null ? out : Path.of(base.run().out());
            if (seeds.isEmpty()) {
                runOne(base, parent, w);
                return 0;
            }
            List<Experiment> runs = new ArrayList<>();
            for (long s : seeds) {
                List<String> o = new ArrayList<>(overrides);
                o.add("run.seed=" + s);
                runs.add(Experiment.load(config, o));
            }
            List<Map<String, Object>> results = new ArrayList<>();
            for (Experiment e : runs) results.add(runOne(e, parent, w));
            Seeds.report(base.name(), seeds, results, parent, w);
            return 0;
        }

        private Map<String, Object> runOne(Experiment e, Path parent, PrintWriter out) {
            Path dir = RunDirectory.fresh(parent, e.name(), e.run().seed());
            Progress progress = new Progress(System.out, quiet);
            try (Trainer t = Trainer.start(e, dir, progress)) {
                progress.line("run directory " + dir);
                Map<String, Object> summary = t.run();
                report(summary, dir, out);
                return summary;
            }
        }

        /** {@code --run-dir}: start, resume or (done) report the run of {@code e} in {@link #runDir}. */
        private Integer inRunDir(Experiment e, PrintWriter w) {
            Path cfg = runDir.resolve(RunDirectory.CONFIG);
            Progress progress = new Progress(System.out, quiet);
            if (java.nio.file.Files.isRegularFile(cfg)) {
                Experiment there = Experiment.load(cfg, List.of());
                if (!there.sameRunAs(e))
                    throw new RunDirectoryException(runDir + " holds a run of another config than " + config
                            + "; choose another --run-dir (or resume that run with --resume " + runDir + ")");
                Integer more = there.schedule().epochs() == e.schedule().epochs()
                        ? null
                        : e.schedule().epochs();
                Path summary = runDir.resolve(RunDirectory.SUMMARY);
                if (more == null && java.nio.file.Files.isRegularFile(summary)) {
                    w.println("already done: " + runDir);
                    report(RunDirectory.readJson(summary), runDir, w);
                    return 0;
                }
                if (java.nio.file.Files.isRegularFile(runDir.resolve(RunDirectory.CHECKPOINT))) {
                    try (Trainer t = Trainer.resume(runDir, progress, more)) {
                        progress.line("resuming " + runDir + " at epoch " + t.epoch());
                        report(t.run(), runDir, w);
                    }
                    return 0;
                }
                // stopped before its first checkpoint: nothing was trained; start it again, and say so
                progress.line("note: " + runDir + " stopped before its first checkpoint; starting it again");
                RunDirectory.clear(runDir);
            }
            try (Trainer t = Trainer.start(e, runDir, progress)) {
                progress.line("run directory " + runDir);
                report(t.run(), runDir, w);
            }
            return 0;
        }

        private Integer resume(PrintWriter w) {
            List<String> refused = new ArrayList<>();
            if (config != null) refused.add("a config file (" + config + ")");
            if (!seeds.isEmpty()) refused.add("--seeds");
            if (out != null) refused.add("--out");
            if (runDir != null) refused.add("--run-dir");
            if (!sets.isEmpty()) refused.add("--set");
            if (backend != null) refused.add("--backend");
            if (evalEvery != null) refused.add("--eval-every");
            if (dataDir != null) refused.add("--data-dir");
            if (!refused.isEmpty())
                throw new IllegalArgumentException("--resume continues a run exactly as it was configured ("
                        + resume.resolve(RunDirectory.CONFIG) + "); it does not take " + String.join(", ", refused)
                        + " (only --epochs, to extend it, and --quiet)");
            Progress progress = new Progress(System.out, quiet);
            try (Trainer t = Trainer.resume(resume, progress, epochs)) {
                progress.line("resuming " + resume + " at epoch " + t.epoch());
                report(t.run(), resume, w);
            }
            return 0;
        }
    }

    /** The overrides a command's options stand for, after the user's own --set ones. */
    static List<String> overrides(List<String> sets, Integer epochs, Integer evalEvery, String backend, Path dataDir) {
        List<String> o = new ArrayList<>(sets);
        if (epochs != null) o.add("schedule.epochs=" + epochs);
        if (evalEvery != null) o.add("schedule.evalEvery=" + evalEvery);
        if (backend != null) o.add("run.backend=" + backend.toLowerCase(Locale.ROOT));
        if (dataDir != null)
            o.add("data.dir=\"" + dataDir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return o;
    }

    static void report(Map<String, Object> s, Path dir, PrintWriter out) {
        StringBuilder sb = new StringBuilder("done: ");
        for (String k : List.of("test_acc", "test_probe_acc")) {
            if (s.get(k) instanceof Double d)
                sb.append(String.format(
                        Locale.ROOT, "%s %.2f%%, ", k.replace('_', ' ').replace("acc", "accuracy"), 100 * d));
        }
        if (s.get("val_loss") instanceof Double d && !s.containsKey("test_acc") && !s.containsKey("test_probe_acc"))
            sb.append(String.format(Locale.ROOT, "validation loss %.4g, ", d));
        if (s.get("param_rel_error") instanceof Double d)
            sb.append(String.format(Locale.ROOT, "largest relative parameter error %.2f%%, ", 100 * d));
        for (Map.Entry<String, Object> e : s.entrySet()) {
            if (e.getKey().startsWith("angle_B_WT_") && e.getValue() instanceof Double d)
                sb.append(String.format(
                        Locale.ROOT, "∠(B%s,Wᵀ) %.1f°, ", e.getKey().substring(11), d));
            if (e.getKey().startsWith("angle_B_W_") && e.getValue() instanceof Double d)
                sb.append(String.format(
                        Locale.ROOT, "∠(B%s,W) %.1f°, ", e.getKey().substring(10), d));
        }
        sb.append(String.format(
                Locale.ROOT, "%.0f steps/s, wall %s", (double) s.get("steps_per_s"), Progress.duration((double)
                        s.get("wall_time_s"))));
        out.println(sb);
        out.println("results: " + dir.resolve(RunDirectory.METRICS) + ", " + dir.resolve(RunDirectory.SUMMARY)
                + ", plots in " + dir);
    }

    // ------------------------------------------------------------------------------------ eval

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Evaluate a run's network (its last checkpoint) on its validation and test data.")
    static final class Eval implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "a run directory")
        Path dir;

        @Option(
                names = "--backend",
                paramLabel = "NAME",
                description = "compute backend (default: the run's run.backend); the run's files are not changed")
        String backend;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Trainer t = Trainer.open(dir, backend == null ? null : backend.toLowerCase(Locale.ROOT))) {
                Map<String, Map<String, Double>> r = t.evaluateSplits();
                if (r.isEmpty()) {
                    out.println(Binder.word(t.experiment().task().name())
                            + " run: nothing to evaluate; its results are in " + dir.resolve(RunDirectory.METRICS));
                    return 0;
                }
                out.println("evaluated at epoch " + t.epoch() + " (" + dir.resolve(RunDirectory.CHECKPOINT) + ")");
                for (Map.Entry<String, Map<String, Double>> split : r.entrySet()) {
                    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s", split.getKey()));
                    for (Map.Entry<String, Double> v : split.getValue().entrySet()) {
                        String name = v.getKey().replaceFirst("^(val|test)_", "");
                        if (name.endsWith("acc"))
                            b.append(String.format(
                                    Locale.ROOT,
                                    "  %s %.2f%%",
                                    name.replace("probe_acc", "linear-probe accuracy")
                                            .replace("acc", "accuracy"),
                                    100 * v.getValue()));
                        else b.append(String.format(Locale.ROOT, "  %s %.5g", name, v.getValue()));
                    }
                    out.println(b);
                }
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------ validate

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check a config, its data and their shapes, and build the network; writes nothing.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "CONFIG")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config value (repeatable)")
        List<String> sets = new ArrayList<>();

        @Option(names = "--backend", paramLabel = "NAME")
        String backend;

        @Option(names = "--data-dir", paramLabel = "DIR")
        Path dataDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Experiment e = Experiment.load(config, overrides(sets, null, null, backend, dataDir));
            Trainer.check(e);
            spec.commandLine()
                    .getOut()
                    .println(config + ": valid (" + e.family().name() + ", "
                            + Binder.word(e.task().name()) + ", data and shapes checked)");
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------ info

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description =
                    "Versions, families, backends (and why one is unavailable), CUDA libraries and devices, data directory.")
    static final class Info implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println(new Version().getVersion()[0]);
            out.println("JDK      " + System.getProperty("java.vm.vendor") + " " + Runtime.version());
            out.println("families " + String.join(", ", Families.names()));
            for (BackendProvider p : Backends.providers()) {
                String why = p.isAvailable()
                        ? "available"
                        : "unavailable (" + p.unavailableReason().replaceAll(" \\(searched [^)]*\\)", "") + ")";
                out.println("backend  " + p.name() + ": " + why);
            }
            out.println("gemm     cpu: " + io.cortex4j.backend.cpu.Blas.describe());
            out.println("vectors  cpu: " + io.cortex4j.backend.cpu.Nd4jCpuBackend.vectorPaths());
            for (String line : CudaInfo.report(CudaLibraries.system())) out.println("cuda     " + line);
            try {
                out.println("data     " + DataDirectory.resolve(null));
            } catch (IllegalStateException e) {
                out.println("data     not found (" + e.getMessage() + ")");
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------ demo

    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description =
                    "Train the built-in demo: a Yin-Yang 4-30-3 microcircuit with PAL (generated data, about half a minute).")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--backend", paramLabel = "NAME")
        String backend;

        @Option(names = "--out", paramLabel = "DIR", description = "parent of the run directory (default: runs)")
        Path out;

        @Option(names = "--quiet")
        boolean quiet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            String text;
            try (InputStream in = Main.class.getResourceAsStream("demo.yaml")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Experiment e = Experiment.parse(text, "demo.yaml", overrides(List.of(), null, null, backend, null));
            PrintWriter w = spec.commandLine().getOut();
            w.println(
                    "cortex4j demo: dendritic microcircuit 4-30-3 with PAL feedback learning on Yin-Yang (generated data, "
                            + e.schedule().epochs() + " epochs, batch "
                            + e.schedule().batch() + ")");
            Path parent = out != null ? out : Path.of(e.run().out());
            Path dir = RunDirectory.fresh(parent, e.name(), e.run().seed());
            Progress progress = new Progress(System.out, quiet);
            try (Trainer t = Trainer.start(e, dir, progress)) {
                progress.line("run directory " + dir);
                report(t.run(), dir, w);
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------ bench

    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            description =
                    "The benchmark suite: Euler steps/s of the PAL microcircuit (default), --le layered LE networks, --gle the GLE"
                            + " MNIST-1D network, --gemm the GEMM path; --backend cpu|cuda. Options after 'bench' go to the harness.")
    static final class Bench implements Callable<Integer> {
        @Parameters(
                arity = "0..*",
                paramLabel = "OPTION",
                description = "the harness's options (see docs/measurements.md)")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            return io.cortex4j.bench.StepsPerSecond.run(args.toArray(String[]::new));
        }
    }
}
