package io.cortex4j.cli.sweep;

import io.cortex4j.run.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sweep's unfinished runs as one Slurm job array ({@code sbatch --array=0-(n-1)%throttle}):
 * task i runs {@code cortex4j train} on the i-th run's resolved config into its run directory (so a
 * task that Slurm restarts, or a run killed by its time limit and submitted again, resumes from its
 * checkpoint). Slurm does the scheduling; this class writes the job script and the task list, calls
 * {@code sbatch}, and records the job in {@code slurm/jobs.json} for {@code sweep status} and
 * {@code sweep cancel}, which ask {@code squeue} (and {@code sacct} where the cluster keeps accounting).
 */
public final class SlurmExecutor {
    /** What the command line adds to or changes in the suite's {@code slurm:} settings. */
    public record Options(
            String partition, String time, String mem, Integer cpusPerTask, Integer gpus, Integer throttle) {}

    /** A submitted array: its job id and the runs of its tasks, in task order. */
    public record Job(String id, List<String> runs, String submitted) {}

    private final Sweep sweep;

    public SlurmExecutor(Sweep sweep) {
        this.sweep = sweep;
    }

    private Path slurmDir() {
        return sweep.dir().resolve("slurm");
    }

    /**
     * Submits the runs that are neither done nor queued in an earlier job of this sweep; returns the
     * job, or null when there is nothing to submit.
     */
    public Job submit(Options o, PrintWriter out) {
        Suite.Slurm s = sweep.suite().slurm();
        String partition = o.partition() != null ? o.partition() : s.partition();
        String time = o.time() != null ? o.time() : s.time();
        String mem = o.mem() != null ? o.mem() : s.mem();
        int cpus = o.cpusPerTask() != null ? o.cpusPerTask() : s.cpusPerTask() != null ? s.cpusPerTask() : 1;
        Integer gpus = o.gpus() != null ? o.gpus() : s.gpus();
        Integer throttle = o.throttle() != null ? o.throttle() : s.throttle();

        Map<String, String> queued = queuedRuns();
        List<Sweep.Run> todo = new ArrayList<>();
        int done = 0;
        for (Sweep.Run r : sweep.runs()) {
            if (sweep.state(r) == Sweep.State.DONE) done++;
            else if (!queued.containsKey(r.id())) todo.add(r);
        }
        out.printf(
                Locale.ROOT,
                "sweep %s: %d cells, %d runs; %d done, %d queued or running, %d to submit%n",
                sweep.suite().name(),
                sweep.cells().size(),
                sweep.runs().size(),
                done,
                queued.size(),
                todo.size());
        if (todo.isEmpty()) return null;
        try {
            Files.createDirectories(slurmDir());
            Path script = slurmDir().resolve("task.sh");
            Sweep.writeText(script, script(s.setup()));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            String stamp = LocalDateTime.now().toString().replace(':', '-').replaceAll("\\..*", "");
            Path list = slurmDir().resolve("tasks-" + stamp + ".txt");
            for (int k = 2; Files.exists(list); k++) list = slurmDir().resolve("tasks-" + stamp + "-" + k + ".txt");
            StringBuilder sb = new StringBuilder();
            for (Sweep.Run r : todo) sb.append(r.id()).append('\n');
            Sweep.writeText(list, sb.toString());

            List<String> cmd = new ArrayList<>(List.of(
                    "sbatch",
                    "--parsable",
                    "--job-name=" + jobName(),
                    "--array=0-" + (todo.size() - 1) + (throttle != null ? "%" + throttle : ""),
                    "--cpus-per-task=" + cpus,
                    "--output=" + slurmDir().toAbsolutePath().resolve("slurm-%A_%a.out"),
                    "--chdir=" + Path.of("").toAbsolutePath()));
            if (partition != null) cmd.add("--partition=" + partition);
            if (time != null) cmd.add("--time=" + time);
            if (mem != null) cmd.add("--mem=" + mem);
            if (gpus != null && gpus > 0) cmd.add("--gpus=" + gpus);
            cmd.addAll(s.extra());
            cmd.add(script.toAbsolutePath().toString());
            cmd.add(list.toAbsolutePath().toString());
            Result r = exec(cmd, 60);
            if (r.code != 0)
                throw new IllegalStateException("sbatch failed (exit " + r.code + "): " + r.text.strip()
                        + "\n  command: " + String.join(" ", cmd));
            String id = r.text.strip().split(";")[0].strip();
            if (!id.matches("\\d+"))
                throw new IllegalStateException("sbatch answered '" + r.text.strip() + "', not a job id");
            Job job = new Job(
                    id,
                    todo.stream().map(Sweep.Run::id).toList(),
                    LocalDateTime.now().toString());
            List<Job> jobs = new ArrayList<>(jobs());
            jobs.add(job);
            writeJobs(jobs);
            out.printf(
                    Locale.ROOT,
                    "submitted job array %s: %d tasks%s (task list %s)%n",
                    id,
                    todo.size(),
                    throttle != null ? ", at most " + throttle + " at once" : "",
                    list);
            return job;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Slurm files of " + sweep.dir(), e);
        }
    }

    private String jobName() {
        return "cortex4j-" + sweep.suite().name();
    }

    /** The job script: the task's run from the list, threads from Slurm's CPU count, exit status recorded. */
    String script(List<String> setup) {
        List<String> java = new ArrayList<>(Launcher.java());
        StringBuilder sb = new StringBuilder();
        sb.append("#!/usr/bin/env bash\n");
        sb.append("# One run of the cortex4j sweep '")
                .append(sweep.suite().name())
                .append("' per array task: the task's line of the list file ($1).\n");
        sb.append(
                "# Written by cortex4j sweep; each task runs `cortex4j train CONFIG --run-dir DIR`, which resumes a\n");
        sb.append("# run that has a checkpoint and does nothing for a run that is done.\n");
        sb.append("set -u\n");
        sb.append("run=\"$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$1\")\"\n");
        sb.append("[ -n \"$run\" ] || { echo \"no run for task $SLURM_ARRAY_TASK_ID in $1\" >&2; exit 2; }\n");
        sb.append("sweep=")
                .append(quote(sweep.dir().toAbsolutePath().toString()))
                .append('\n');
        sb.append("threads=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        sb.append(
                "export OMP_NUM_THREADS=\"$threads\" OPENBLAS_NUM_THREADS=\"$threads\" MKL_NUM_THREADS=\"$threads\"\n");
        sb.append("export OPENBLAS_THREAD_TIMEOUT=\"${OPENBLAS_THREAD_TIMEOUT:-16}\"\n");
        for (String l : setup) sb.append(l).append('\n');
        sb.append("rm -f \"$sweep/logs/$run.exit\"\n");
        sb.append(
                "echo \"== $(date -Is) slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname)\" >> \"$sweep/logs/$run.log\"\n");
        // the heap: half the memory Slurm grants the task (the other half for ND4J's off-heap buffers),
        // else the submitting JVM's own -Xmx
        String xmx = java.stream()
                .filter(a -> a.startsWith("-Xmx"))
                .reduce((a, b) -> b)
                .orElse("");
        sb.append("heap=").append(quote(xmx.isEmpty() ? "" : xmx)).append('\n');
        sb.append("if [ -n \"${SLURM_MEM_PER_NODE:-}\" ]; then heap=\"-Xmx$((SLURM_MEM_PER_NODE / 2))m\";\n");
        sb.append(
                "elif [ -n \"${SLURM_MEM_PER_CPU:-}\" ]; then heap=\"-Xmx$((SLURM_MEM_PER_CPU * threads / 2))m\"; fi\n");
        sb.append(quote(java.get(0)));
        sb.append(" ${heap:+\"$heap\"}");
        for (String a : java.subList(1, java.size()))
            if (!a.startsWith("-Xmx")) sb.append(" \\\n  ").append(quote(a));
        sb.append(" \\\n  \"-XX:ActiveProcessorCount=$threads\" ").append(Launcher.MAIN);
        sb.append(
                " train \"$sweep/configs/$run.yaml\" --run-dir \"$sweep/runs/$run\" >> \"$sweep/logs/$run.log\" 2>&1\n");
        sb.append("code=$?\n");
        sb.append(
                "echo \"$code\" > \"$sweep/logs/$run.exit.tmp\" && mv \"$sweep/logs/$run.exit.tmp\" \"$sweep/logs/$run.exit\"\n");
        sb.append("exit \"$code\"\n");
        return sb.toString();
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./=:,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    // ------------------------------------------------------------------------------------ jobs

    public List<Job> jobs() {
        Path f = slurmDir().resolve("jobs.json");
        if (!Files.isRegularFile(f)) return List.of();
        List<Job> out = new ArrayList<>();
        Map<String, Object> j = RunDirectory.readJson(f);
        try {
            for (Object o : (List<?>) j.get("jobs")) {
                Map<?, ?> m = (Map<?, ?>) o;
                @SuppressWarnings("unchecked")
                List<String> runs = (List<String>) m.get("runs");
                out.add(new Job((String) m.get("id"), List.copyOf(runs), (String) m.get("submitted")));
            }
        } catch (ClassCastException | NullPointerException e) {
            throw new io.cortex4j.run.RunDirectoryException(f + " is damaged (" + e + ")");
        }
        return out;
    }

    private void writeJobs(List<Job> jobs) {
        Map<String, Object> j = new LinkedHashMap<>();
        List<Object> l = new ArrayList<>();
        for (Job job : jobs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", job.id());
            m.put("submitted", job.submitted());
            m.put("runs", job.runs());
            l.add(m);
        }
        j.put("jobs", l);
        RunDirectory.writeJson(slurmDir().resolve("jobs.json"), j);
    }

    /** The runs of this sweep that squeue lists, with their job step (123_4) and state (PENDING, RUNNING, ...). */
    public Map<String, String> queuedRuns() {
        List<Job> jobs = jobs();
        Map<String, String> out = new LinkedHashMap<>();
        if (jobs.isEmpty()) return out;
        // by the jobs' name, not their ids: squeue refuses a list of ids as soon as one has left its memory
        Result r = exec(List.of("squeue", "-h", "-r", "-o", "%i %T", "-n", jobName()), 60);
        if (r.code != 0) throw new IllegalStateException("squeue failed (exit " + r.code + "): " + r.text.strip());
        for (String line : r.text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) continue;
            String run = runOf(jobs, f[0]);
            if (run != null) out.put(run, f[0] + " " + f[1]);
        }
        return out;
    }

    /** sacct's view of the jobs (state and exit code per task), or null with the reason where there is none. */
    public Map<String, String> accounted(List<String> why) {
        List<Job> jobs = jobs();
        if (jobs.isEmpty()) return Map.of();
        List<String> cmd = new ArrayList<>(List.of("sacct", "-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j"));
        cmd.add(String.join(",", jobs.stream().map(Job::id).toList()));
        Result r;
        try {
            r = exec(cmd, 60);
        } catch (IllegalStateException e) {
            why.add(e.getMessage());
            return null;
        }
        if (r.code != 0
                || r.text.toLowerCase(Locale.ROOT).contains("not enabled")
                || r.text.toLowerCase(Locale.ROOT).contains("accounting storage")) {
            why.add("sacct: " + r.text.strip().replace('\n', ' '));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.text.split("\n")) {
            String[] f = line.strip().split("\\|");
            if (f.length < 3) continue;
            String run = runOf(jobs, f[0]);
            if (run != null) out.put(run, f[1] + " exit " + f[2]);
        }
        return out;
    }

    /** The run of a job step {@code 123_4} (task 4 of job 123). */
    private static String runOf(List<Job> jobs, String step) {
        int u = step.indexOf('_');
        if (u < 0) return null;
        String id = step.substring(0, u);
        String task = step.substring(u + 1);
        if (!task.matches("\\d+")) return null;
        for (Job j : jobs) {
            int t = Integer.parseInt(task);
            if (j.id().equals(id) && t < j.runs().size()) return j.runs().get(t);
        }
        return null;
    }

    /** scancel of every job of this sweep that squeue still lists; returns the job ids cancelled. */
    public List<String> cancel() {
        Map<String, String> queued = queuedRuns();
        List<String> ids = new ArrayList<>();
        for (String v : queued.values()) {
            String id = v.substring(0, v.indexOf('_'));
            if (!ids.contains(id)) ids.add(id);
        }
        if (ids.isEmpty()) return ids;
        List<String> cmd = new ArrayList<>(List.of("scancel"));
        cmd.addAll(ids);
        Result r = exec(cmd, 60);
        if (r.code != 0) throw new IllegalStateException("scancel failed (exit " + r.code + "): " + r.text.strip());
        return ids;
    }

    /** Waits until none of this sweep's jobs is queued or running, printing progress now and then. */
    public void await(PrintWriter out, double pollSeconds) {
        String last = "";
        while (true) {
            Map<String, String> q = queuedRuns();
            if (q.isEmpty()) return;
            long done = 0, running = 0, pending = 0;
            for (Sweep.Run r : sweep.runs()) {
                // a task that has written its summary counts as done, though squeue may list it a moment longer
                if (sweep.state(r) == Sweep.State.DONE) done++;
                else if (q.containsKey(r.id())) {
                    if (q.get(r.id()).endsWith("RUNNING")) running++;
                    else pending++;
                }
            }
            String line =
                    String.format(Locale.ROOT, "waiting: %d runs done, %d running, %d pending", done, running, pending);
            if (!line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
            try {
                Thread.sleep((long) (pollSeconds * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    record Result(int code, String text) {}

    /** Runs a Slurm client command; a missing command is one clear error. */
    static Result exec(List<String> cmd, int timeoutS) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] b = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not answer within " + timeoutS + " s");
            }
            return new Result(p.exitValue(), new String(b, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(cmd.get(0) + " cannot be run here (" + e.getMessage()
                    + "): the Slurm executor needs Slurm's client commands on the PATH (a cluster's login node)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(cmd.get(0) + " interrupted");
        }
    }
}
