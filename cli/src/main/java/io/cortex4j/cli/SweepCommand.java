package io.cortex4j.cli;

import io.cortex4j.cli.sweep.BenchRunner;
import io.cortex4j.cli.sweep.Collect;
import io.cortex4j.cli.sweep.LocalExecutor;
import io.cortex4j.cli.sweep.SlurmExecutor;
import io.cortex4j.cli.sweep.Suite;
import io.cortex4j.cli.sweep.Sweep;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cortex4j sweep SUITE}: expands a suite into cells and runs them on this machine or as one
 * Slurm job array; {@code sweep status|cancel|collect SWEEP_DIR} follow and gather them.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Run a suite: every base config × every point of its grid × every seed, each run an ordinary run directory"
                    + " under <out>/<suite name>/runs/. Runs that are done are skipped, partial ones resume from their"
                    + " checkpoints, a failed one is reported and does not stop the others; run it again to finish"
                    + " what is missing. Locally the results are collected at the end (sweep collect).",
        },
        subcommands = {SweepCommand.Status.class, SweepCommand.Cancel.class, SweepCommand.CollectCmd.class})
final class SweepCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SUITE", description = "the suite's YAML file (see suites/)")
    Path suiteFile;

    @Option(names = "--executor", paramLabel = "NAME", description = "local (default) or slurm")
    String executor = "local";

    @Option(names = "--out", paramLabel = "DIR", description = "parent of the sweep directory (default: sweeps)")
    Path out = Path.of("sweeps");

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "override a value of every cell's config (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data.dir of every cell")
    Path dataDir;

    @Option(names = "--backend", paramLabel = "NAME", description = "run.backend of every cell")
    String backend;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            description = "local: runs at once (default: the suite's, else one per core)")
    Integer parallel;

    @Option(
            names = "--dry-run",
            description = "expand and check the suite, list its runs and their states; run nothing")
    boolean dryRun;

    @Option(names = "--partition", paramLabel = "NAME", description = "slurm: partition")
    String partition;

    @Option(names = "--time", paramLabel = "LIMIT", description = "slurm: time limit per task, e.g. 02:00:00")
    String time;

    @Option(names = "--mem", paramLabel = "SIZE", description = "slurm: memory per task, e.g. 8G")
    String mem;

    @Option(names = "--cpus-per-task", paramLabel = "N", description = "slurm: CPUs per task (its BLAS threads)")
    Integer cpus;

    @Option(names = "--gpus", paramLabel = "N", description = "slurm: GPUs per task")
    Integer gpus;

    @Option(names = "--throttle", paramLabel = "N", description = "slurm: at most N tasks of the array at once")
    Integer throttle;

    @Option(names = "--wait", description = "slurm: wait until the array is finished, then collect")
    boolean await;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (suiteFile == null)
            throw new IllegalArgumentException("sweep needs a suite file (or: sweep status|cancel|collect SWEEP_DIR)");
        String ex = executor.toLowerCase(Locale.ROOT);
        if (!ex.equals("local") && !ex.equals("slurm"))
            throw new IllegalArgumentException("--executor " + executor + ": the executors are local and slurm");
        if (parallel != null && parallel < 1) throw new IllegalArgumentException("--parallel needs a whole number ≥ 1");
        if (ex.equals("local")) {
            List<String> slurmOnly = new ArrayList<>();
            if (partition != null) slurmOnly.add("--partition");
            if (time != null) slurmOnly.add("--time");
            if (mem != null) slurmOnly.add("--mem");
            if (cpus != null) slurmOnly.add("--cpus-per-task");
            if (gpus != null) slurmOnly.add("--gpus");
            if (throttle != null) slurmOnly.add("--throttle");
            if (await) slurmOnly.add("--wait");
            if (!slurmOnly.isEmpty())
                throw new IllegalArgumentException(
                        String.join(", ", slurmOnly)
                                + " belong to the slurm executor (--executor slurm); locally, --parallel sets the runs at once");
        } else if (parallel != null)
            throw new IllegalArgumentException("--parallel belongs to the local executor; Slurm's is --throttle");
        Suite suite = Suite.load(suiteFile);
        Sweep sweep = Sweep.expand(suite, out, Main.overrides(sets, null, null, backend, dataDir));
        BenchRunner bench = new BenchRunner(sweep);
        if (dryRun) {
            w.printf(
                    Locale.ROOT,
                    "sweep %s: %d cells, %d runs in %s%n",
                    suite.name(),
                    sweep.cells().size(),
                    sweep.runs().size(),
                    sweep.dir());
            for (Sweep.Run r : sweep.runs()) w.printf(Locale.ROOT, "  %-60s %s%n", r.id(), state(sweep, r));
            for (BenchRunner.Variant v : bench.variants())
                w.printf(
                        Locale.ROOT,
                        "  bench %-54s on %s%n",
                        v.id(),
                        String.join(", ", suite.bench().backends()));
            return 0;
        }
        sweep.write();
        if (ex.equals("slurm")) {
            SlurmExecutor s = new SlurmExecutor(sweep);
            SlurmExecutor.Job job = s.submit(new SlurmExecutor.Options(partition, time, mem, cpus, gpus, throttle), w);
            if (!bench.variants().isEmpty())
                w.println("note: the suite's benchmarks run with the local executor only (they need the machine to"
                        + " themselves): run cortex4j sweep " + suiteFile + " on a node you hold");
            if (!await) {
                if (job != null)
                    w.println("follow it with: cortex4j sweep status " + sweep.dir()
                            + "; when it is done: cortex4j sweep collect " + sweep.dir());
                return 0;
            }
            s.await(w, 2);
            return finish(sweep, w);
        }
        List<Sweep.Run> failed = new LocalExecutor(sweep, parallel != null ? parallel : suite.parallel()).run(w);
        bench.run(w); // a backend it could not measure is reported there and in the results
        int code = finish(sweep, w);
        if (!failed.isEmpty()) {
            w.println(failed.size() + " run" + (failed.size() == 1 ? "" : "s") + " failed: "
                    + String.join(", ", failed.stream().map(Sweep.Run::id).toList()) + " (their logs are in "
                    + sweep.dir().resolve("logs")
                    + "; run the suite again to retry them)");
            return 1;
        }
        return code;
    }

    private static int finish(Sweep sweep, PrintWriter w) {
        Path md = new Collect(sweep).write();
        w.println("results: " + md + " (and results.csv, results.json, plots beside it)"
                + (sweep.suite().report() != null ? "; report: " + sweep.suite().report() : ""));
        long missing = sweep.runs().stream()
                .filter(r -> sweep.state(r) != Sweep.State.DONE)
                .count();
        return missing == 0 ? 0 : 1;
    }

    static String state(Sweep sweep, Sweep.Run r) {
        return switch (sweep.state(r)) {
            case DONE -> "done";
            case PARTIAL -> "partial (has a checkpoint)";
            case FAILED -> "failed: " + sweep.failure(r);
            case PENDING -> "pending";
        };
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "Where each run of a sweep stands: its files, and Slurm's queue (and accounting, where the cluster keeps it).")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "SWEEP_DIR")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter w = spec.commandLine().getOut();
            Sweep sweep = Sweep.open(dir);
            SlurmExecutor s = new SlurmExecutor(sweep);
            boolean slurm = !s.jobs().isEmpty();
            Map<String, String> queued = slurm ? s.queuedRuns() : Map.of();
            List<String> why = new ArrayList<>();
            Map<String, String> acct = slurm ? s.accounted(why) : Map.of();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Sweep.Run r : sweep.runs()) {
                String st;
                if (queued.containsKey(r.id()) && sweep.state(r) != Sweep.State.DONE) {
                    String q = queued.get(r.id());
                    st = q.substring(q.indexOf(' ') + 1).toLowerCase(Locale.ROOT) + " (slurm "
                            + q.substring(0, q.indexOf(' ')) + ")";
                    counts.merge(q.substring(q.indexOf(' ') + 1).toLowerCase(Locale.ROOT), 1, Integer::sum);
                } else if (sweep.state(r) != Sweep.State.DONE && sweep.runningPid(r) != null) {
                    st = "running (local process " + sweep.runningPid(r) + ")";
                    counts.merge("running", 1, Integer::sum);
                } else {
                    st = state(sweep, r);
                    counts.merge(sweep.state(r).name().toLowerCase(Locale.ROOT), 1, Integer::sum);
                }
                if (acct != null && acct.containsKey(r.id())) st += "; sacct: " + acct.get(r.id());
                w.printf(Locale.ROOT, "%-60s %s%n", r.id(), st);
            }
            StringBuilder sb = new StringBuilder(
                    "sweep " + sweep.suite().name() + ": " + sweep.runs().size() + " runs");
            counts.forEach((k, v) -> sb.append(", ").append(v).append(' ').append(k));
            w.println(sb);
            if (slurm) {
                w.println("slurm jobs: "
                        + String.join(
                                ", ",
                                s.jobs().stream().map(SlurmExecutor.Job::id).toList()));
                if (acct == null)
                    w.println("no accounting on this cluster (" + String.join("; ", why)
                            + "): states come from squeue and the run directories");
            }
            return 0;
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancel a sweep's Slurm jobs that are still queued or running.")
    static final class Cancel implements Callable<Integer> {
        @Parameters(paramLabel = "SWEEP_DIR")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter w = spec.commandLine().getOut();
            Sweep sweep = Sweep.open(dir);
            SlurmExecutor s = new SlurmExecutor(sweep);
            if (s.jobs().isEmpty())
                throw new IllegalArgumentException(
                        dir + " has no Slurm jobs (it ran with the local executor; stop that one with Ctrl-C)");
            List<String> ids = s.cancel();
            w.println(
                    ids.isEmpty()
                            ? "nothing to cancel: no job of " + sweep.suite().name() + " is queued or running"
                            : "cancelled job" + (ids.size() == 1 ? " " : "s ") + String.join(", ", ids)
                                    + " (runs with a checkpoint resume when the suite is run again)");
            return 0;
        }
    }

    @Command(
            name = "collect",
            mixinStandardHelpOptions = true,
            description =
                    "Tables (Markdown, CSV), JSON with every number's provenance, and plots of the runs of a sweep that are done.")
    static final class CollectCmd implements Callable<Integer> {
        @Parameters(paramLabel = "SWEEP_DIR")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter w = spec.commandLine().getOut();
            Sweep sweep = Sweep.open(dir);
            if (!Files.isDirectory(dir.resolve("runs")))
                throw new IllegalArgumentException(dir + " has no runs/ folder");
            finish(sweep, w);
            return 0;
        }
    }
}
