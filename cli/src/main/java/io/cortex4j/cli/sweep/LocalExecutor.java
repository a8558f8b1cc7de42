package io.cortex4j.cli.sweep;

import io.cortex4j.run.Progress;
import io.cortex4j.run.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep's unfinished runs on this machine, {@code parallel} at a time, each as its own
 * {@code cortex4j train --run-dir} process whose BLAS and backend threads share the cores evenly
 * (cores / parallel each). Runs that are done are skipped, partial ones resume from their checkpoints,
 * and a run that fails is reported and does not stop the others. Stopping the sweep (Ctrl-C, SIGTERM)
 * stops its runs; running it again finishes what is missing.
 */
public final class LocalExecutor {
    private final Sweep sweep;
    private final int parallel;
    private final int threads;
    private final Set<Process> children = ConcurrentHashMap.newKeySet();

    public LocalExecutor(Sweep sweep, Integer parallel) {
        this.sweep = sweep;
        int cores = Runtime.getRuntime().availableProcessors();
        this.parallel = parallel != null ? parallel : cores;
        this.threads = Math.max(1, cores / this.parallel);
    }

    /** Runs what is missing; returns the runs that failed. */
    public List<Sweep.Run> run(PrintWriter out) {
        List<Sweep.Run> todo = new ArrayList<>();
        int done = 0;
        for (Sweep.Run r : sweep.runs()) {
            if (sweep.state(r) == Sweep.State.DONE) done++;
            else todo.add(r);
        }
        out.printf(
                Locale.ROOT,
                "sweep %s: %d cells, %d runs; %d done, %d to run (%d at once, %d thread%s each) in %s%n",
                sweep.suite().name(),
                sweep.cells().size(),
                sweep.runs().size(),
                done,
                todo.size(),
                parallel,
                threads,
                threads == 1 ? "" : "s",
                sweep.dir());
        out.flush();
        if (todo.isEmpty()) return List.of();
        Thread hook = new Thread(() -> children.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }));
        Runtime.getRuntime().addShutdownHook(hook);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger finished = new AtomicInteger();
        List<Sweep.Run> failed = new ArrayList<>();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (Sweep.Run r : todo) {
                fs.add(pool.submit(() -> {
                    Sweep.State before = sweep.state(r);
                    long t0 = System.nanoTime();
                    int code = runOne(r);
                    double s = (System.nanoTime() - t0) / 1e9;
                    String what;
                    if (code == 0) {
                        what = "done" + (before == Sweep.State.PARTIAL ? " (resumed)" : "") + " in "
                                + Progress.duration(s) + headline(r);
                    } else {
                        synchronized (failed) {
                            failed.add(r);
                        }
                        what = "FAILED (exit " + code + "): " + sweep.failure(r) + " — log " + sweep.logFile(r);
                    }
                    synchronized (out) {
                        out.printf(
                                Locale.ROOT, "[%d/%d] %s %s%n", finished.incrementAndGet(), todo.size(), r.id(), what);
                        out.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            failed.sort(java.util.Comparator.comparingInt(sweep.runs()::indexOf)); // in the plan's order
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return failed;
    }

    private int runOne(Sweep.Run r) throws IOException, InterruptedException {
        Files.deleteIfExists(sweep.exitFile(r));
        List<String> cmd = new ArrayList<>(Launcher.java());
        cmd.add(1, "-XX:ActiveProcessorCount=" + threads);
        cmd.addAll(Launcher.train(sweep.configFile(r), sweep.runDir(r)));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(sweep.logFile(r).toFile()));
        Launcher.limitThreads(pb.environment(), threads);
        Process p = pb.start();
        children.add(p);
        Path pid = sweep.pidFile(r);
        Sweep.writeText(pid, p.pid() + "\n");
        try {
            int code = p.waitFor();
            Sweep.writeText(sweep.exitFile(r), code + "\n");
            return code;
        } finally {
            children.remove(p);
            Files.deleteIfExists(pid);
        }
    }

    /** ": test accuracy 91.20%" from the run's summary, or nothing. */
    private String headline(Sweep.Run r) {
        try {
            Map<String, Object> s = RunDirectory.readJson(sweep.runDir(r).resolve(RunDirectory.SUMMARY));
            if (s.get("test_acc") instanceof Double d)
                return String.format(Locale.ROOT, ": test accuracy %.2f%%", 100 * d);
            if (s.get("test_probe_acc") instanceof Double d)
                return String.format(Locale.ROOT, ": probe accuracy %.2f%%", 100 * d);
            if (s.get("val_loss") instanceof Double d) return String.format(Locale.ROOT, ": validation loss %.4g", d);
        } catch (RuntimeException e) {
            // no summary: nothing to add
        }
        return "";
    }
}
