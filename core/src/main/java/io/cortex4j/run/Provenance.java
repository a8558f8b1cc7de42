package io.cortex4j.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Where a result came from: the git commit of the working tree that ran it, read once when this
 * class is first used (the CLI touches it at start-up via {@link #commit()}), so that a run still
 * names the code it started from when the tree moves on before it ends. {@code -Dcortex4j.commit=…}
 * overrides it.
 */
public final class Provenance {
    private static final String COMMIT = System.getProperty("cortex4j.commit", gitCommit());

    private Provenance() {}

    /** The commit recorded for this JVM's runs. */
    public static String commit() {
        return COMMIT;
    }

    /** The provenance block of a run's summary: commit, JDK, OS, backend, device, precision and batch. */
    public static java.util.Map<String, Object> of(
            io.cortex4j.tensor.Backend backend, io.cortex4j.tensor.DType dtype, int batch) {
        java.util.Map<String, Object> prov = new java.util.LinkedHashMap<>();
        prov.put("git_commit", COMMIT);
        prov.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        prov.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        prov.put("backend", backend == null ? "dl4j" : backend.name());
        prov.put(
                "device",
                backend == null ? "CPU: " + Runtime.getRuntime().availableProcessors() + " cores" : backend.device());
        prov.put("precision", dtype.name().toLowerCase(java.util.Locale.ROOT));
        prov.put("batch", batch);
        return prov;
    }

    /**
     * {@code git rev-parse HEAD} (with "-dirty" if there are uncommitted changes) of the checkout this
     * code was loaded from (not of the working directory, which may be another repository or none), or
     * "unknown".
     */
    public static String gitCommit() {
        try {
            java.io.File code = codeFolder();
            if (code == null) return "unknown";
            String head = run(code, "git", "rev-parse", "HEAD");
            if (head.isEmpty()) return "unknown";
            String status = run(code, "git", "status", "--porcelain", "--untracked-files=no");
            return status.isEmpty() ? head : head + "-dirty";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    /** The folder of the jar (or classes folder) this class was loaded from, or null. */
    private static java.io.File codeFolder() {
        try {
            var source = Provenance.class.getProtectionDomain().getCodeSource();
            if (source == null) return null;
            java.io.File f = new java.io.File(source.getLocation().toURI());
            return f.isDirectory() ? f : f.getParentFile();
        } catch (java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String run(java.io.File dir, String... cmd) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return "";
        return new String(out, StandardCharsets.UTF_8).trim();
    }
}
