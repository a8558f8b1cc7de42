package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The host run covers every kernel: each {@code .entry} of the PTX that {@code nvcc --ptx} makes of
 * {@code src/main/cuda/*.cu} (as {@link KernelSourcesCompileTest} compiles it) was host-compiled and
 * launched at least once by the host suites ({@link HostCudaConformanceTest}, {@link HostCudaGoldenTest},
 * {@link HostCudaKernelTest}), whose checks compare every launch's result. Order-independent: the
 * emulator counts launches JVM-wide, and a suite that has not run yet in this JVM is run here first
 * (through the JUnit launcher; its failures fail this test too). Skipped without g++, nvcc or cuda.h.
 */
class HostCudaCoverageTest {
    static final List<Class<?>> SUITES = List.of(
            HostCudaConformanceTest.class, HostCudaGoldenTest.class, HostCudaKernelTest.class, HostCudaGraphTest.class);
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][A-Za-z0-9_$]*)\\s*\\(");

    static List<String> entries(String ptx) {
        List<String> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void everyPtxEntryPointRanOnTheHost(@TempDir Path tmp) throws Exception {
        HostCuda h = HostCuda.require();
        Path nvcc = KernelSourcesCompileTest.nvccOrSkip();
        Map<String, List<String>> bySource = new LinkedHashMap<>();
        for (Path src : KernelSourcesCompileTest.cudaSources()) {
            if (!src.getParent().equals(KernelSourcesCompileTest.cudaDir())) continue; // the shipped top level only
            KernelSourcesCompileTest.Result r = KernelSourcesCompileTest.compile(nvcc, src, "compute_90", tmp);
            assertEquals(0, r.exitCode(), src + ": nvcc failed\n" + r.output());
            List<String> e = entries(r.ptx());
            assertTrue(!e.isEmpty(), src + ": no .entry in its PTX");
            bySource.put(src.getFileName().toString(), e);
        }
        assertEquals(
                KernelSources.list(),
                List.copyOf(bySource.keySet()),
                "the host emulator compiles the sources on the class path");

        List<String> suiteProblems = new ArrayList<>();
        List<Class<?>> missing = SUITES.stream()
                .filter(c -> !HostCuda.SUITES_DONE.contains(c.getSimpleName()))
                .toList();
        if (!missing.isEmpty()) {
            // not run yet in this JVM (another order, or this test alone): run them now
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            var request = LauncherDiscoveryRequestBuilder.request();
            for (Class<?> c : missing) request.selectors(selectClass(c));
            launcher.execute(request.build(), listener);
            TestExecutionSummary s = listener.getSummary();
            for (TestExecutionSummary.Failure f : s.getFailures())
                suiteProblems.add(f.getTestIdentifier().getDisplayName() + ": " + f.getException());
            System.out.printf(
                    "host coverage: ran %s here (%d tests, %d failed)%n",
                    missing.stream().map(Class::getSimpleName).toList(),
                    s.getTestsFoundCount(),
                    s.getTotalFailureCount());
        }

        List<String> compiled = h.compiledKernels();
        List<String> problems = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, List<String>> e : bySource.entrySet()) {
            for (String k : e.getValue()) {
                total++;
                if (!compiled.contains(k)) problems.add(e.getKey() + ": .entry " + k + " was not host-compiled");
                else if (h.launches(k) <= 0)
                    problems.add(e.getKey() + ": .entry " + k + " has no host case (never launched)");
            }
        }
        System.out.printf("host coverage: %d PTX entry points, %d launched%n", total, total - problems.size());
        if (!suiteProblems.isEmpty())
            fail("host suites run for the coverage failed:\n" + String.join("\n", suiteProblems));
        if (!problems.isEmpty())
            fail(problems.size() + " of " + total + " kernel entry points not covered on the host:\n"
                    + String.join("\n", problems));
    }

    @Test
    void everyCompiledKernelIsAnEntryOfTheSources() throws Exception {
        HostCuda h = HostCuda.require();
        List<String> declared = new ArrayList<>();
        for (String name : KernelSources.list()) declared.addAll(KernelSources.kernelNames(KernelSources.load(name)));
        assertEquals(
                declared.stream().sorted().toList(),
                h.compiledKernels().stream().sorted().toList(),
                "host-compiled kernels vs the extern \"C\" __global__ kernels of the sources");
        assertTrue(Files.isRegularFile(h.library), h.library + " missing");
    }

    /** No compiler needed: the barrier analysis marks exactly the kernels that reach __syncthreads. */
    @Test
    void barrierAnalysisMarksTheKernelsThatSynchronise() {
        java.util.Set<String> all = new java.util.HashSet<>();
        for (String name : KernelSources.list()) all.addAll(HostCuda.barrierFunctions(KernelSources.load(name)));
        for (String k : List.of(
                "softmax_rows_block_f64",
                "sum_partials",
                "max_abs_finish",
                "column_sums_partial",
                "scatter_rows",
                "block_transpose_f64"))
            assertTrue(all.contains(k), k + " synchronises its block but was not marked: " + all);
        for (String k : List.of("fill", "column_sums", "softmax_rows", "random_normals", "sigmoid", "im2col"))
            assertTrue(!all.contains(k), k + " has no barrier but was marked");
        assertEquals(
                java.util.Set.of("f", "g"),
                HostCuda.barrierFunctions("// __syncthreads in a comment\n__device__ void f() { __syncthreads(); }\n"
                        + "extern \"C\" __global__ void g(int n) { if (n) { f(); } }\n"
                        + "extern \"C\" __global__ void h(int n) { /* f() */ }\n"),
                "transitive through a device function, comments ignored");
    }
}
