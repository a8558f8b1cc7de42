package io.cortex4j.cli.sweep;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command that runs one sweep run, {@code cortex4j train CONFIG --run-dir DIR} (one progress line per epoch into its log), as a JVM of
 * its own: this JVM's java, flags and class path (under {@code ./cortex4j}: the build snapshot, which
 * a rebuild does not change), with its threads limited so that runs side by side do not fight over
 * the cores.
 */
final class Launcher {
    static final String MAIN = "io.cortex4j.cli.Main";

    private Launcher() {}

    /** java, JVM flags (without debugger or agent flags) and class path. */
    static List<String> java() {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib")
                    || a.startsWith("-javaagent")
                    || a.startsWith("-Xrunjdwp")
                    || a.startsWith("-XX:ActiveProcessorCount")) continue;
            c.add(a);
        }
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        return c;
    }

    /** The arguments after the class path: main class and {@code train} with the run's files. */
    static List<String> train(Path config, Path runDir) {
        return List.of(MAIN, "train", config.toString(), "--run-dir", runDir.toString());
    }

    /** The environment variables that hold the BLAS and OpenMP pools to {@code threads}. */
    static void limitThreads(Map<String, String> env, int threads) {
        String t = Integer.toString(threads);
        for (String k : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) env.put(k, t);
    }
}
