package io.cortex4j.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs this module's tests (the CUDA conformance suite, the golden cases against the CPU backend's
 * reference outputs, graph capture and replay, NVRTC and the kernel cache, library discovery) without Maven, for a GPU machine that has only a JDK 25 runtime
 * and our jars ({@code scripts/gpu-check}). Prints one line per test (PASS, FAIL with the message,
 * SKIP with the reason), writes the same lines to {@code <out>/gpu-checks.txt}, and exits 1 if any
 * test failed or none ran.
 *
 * <pre>java -cp … io.cortex4j.cuda.GpuChecks [out-dir] [test-class …]</pre>
 */
public final class GpuChecks {
    private GpuChecks() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(out);
        LauncherDiscoveryRequestBuilder req = LauncherDiscoveryRequestBuilder.request();
        if (args.length > 1) {
            for (int i = 1; i < args.length; i++) req.selectors(selectClass(args[i]));
        } else {
            // the host-emulator suites (HostCuda*) check on a CPU what this machine checks on its GPU:
            // not run here unless named
            req.selectors(selectPackage("io.cortex4j.cuda"))
                    .filters(ClassNameFilter.excludeClassNamePatterns(".*\\.HostCuda.*"));
        }
        LauncherDiscoveryRequest request = req.build();
        List<String> lines = new ArrayList<>();
        AtomicInteger pass = new AtomicInteger(), fail = new AtomicInteger(), skip = new AtomicInteger();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier t, String reason) {
                skip.incrementAndGet();
                emit(lines, "SKIP " + name(t) + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier t, TestExecutionResult r) {
                if (r.getStatus() == TestExecutionResult.Status.ABORTED) {
                    if (t.isTest() || t.isContainer() && t.getSource().isPresent()) {
                        skip.incrementAndGet();
                        emit(
                                lines,
                                "SKIP " + name(t) + ": "
                                        + r.getThrowable()
                                                .map(Throwable::getMessage)
                                                .orElse(""));
                    }
                    return;
                }
                if (!t.isTest()) {
                    if (r.getStatus() == TestExecutionResult.Status.FAILED) {
                        fail.incrementAndGet();
                        emit(
                                lines,
                                "FAIL " + name(t) + ": "
                                        + r.getThrowable()
                                                .map(Throwable::toString)
                                                .orElse(""));
                    }
                    return;
                }
                if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    pass.incrementAndGet();
                    emit(lines, "PASS " + name(t));
                } else {
                    fail.incrementAndGet();
                    emit(
                            lines,
                            "FAIL " + name(t) + ": "
                                    + r.getThrowable().map(Throwable::toString).orElse(""));
                }
            }
        });
        String summary =
                String.format("gpu checks: %d passed, %d failed, %d skipped", pass.get(), fail.get(), skip.get());
        emit(lines, summary);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("gpu-checks.txt")))) {
            for (String l : lines) w.println(l);
        }
        System.exit(fail.get() > 0 || pass.get() == 0 ? 1 : 0);
    }

    private static String name(TestIdentifier t) {
        String src = t.getSource().map(Object::toString).orElse("");
        int m = src.indexOf("methodName = '");
        int c = src.indexOf("className = '");
        String cls = c >= 0 ? src.substring(c + 13, src.indexOf('\'', c + 13)) : "";
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        String method = m >= 0 ? src.substring(m + 14, src.indexOf('\'', m + 14)) : "";
        return (cls + (method.isEmpty() ? "" : "." + method) + " " + t.getDisplayName()).trim();
    }

    private static synchronized void emit(List<String> lines, String line) {
        lines.add(line);
        System.out.println(line);
    }
}
