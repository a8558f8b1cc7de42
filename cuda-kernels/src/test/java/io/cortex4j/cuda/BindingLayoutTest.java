package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers the FFM bindings hard-code (enum values, flags, status codes, struct field offsets and
 * sizes) against the CUDA headers: a C program generated from the Java side's constants and layouts
 * is compiled against {@code cuda.h}, {@code nvrtc.h} and {@code cublas_v2.h} and prints each
 * header value; every one must equal the binding's. Each header's part is skipped where the header
 * or a C compiler is missing (the values come from the headers, never from this test).
 */
class BindingLayoutTest {

    /** One value a binding hard-codes: where it lives in Java, the header's C expression for it, and the Java value. */
    record Check(String java, String header, String cExpression, long javaValue) {}

    /** What the compiled program printed for the checks, and the mismatches found. */
    record Outcome(List<Long> headerValues, List<String> mismatches) {}

    // ----------------------------------------------------------------------------------------- what is checked

    static Check enumValue(String java, String cName, long javaValue) {
        return new Check(java, cName, "(long long)(" + cName + ")", javaValue);
    }

    /** Every named member's offset and size, and the whole struct's size, of {@code layout} against C struct {@code cType}. */
    static List<Check> struct(String java, String cType, StructLayout layout) {
        List<Check> out = new ArrayList<>();
        for (MemoryLayout m : layout.memberLayouts()) {
            if (m.name().isEmpty()) continue; // padding
            String f = m.name().get();
            long off = layout.byteOffset(MemoryLayout.PathElement.groupElement(f));
            out.add(new Check(
                    java + "." + f + " offset",
                    cType + "." + f + " offset",
                    "(long long)offsetof(" + cType + ", " + f + ")",
                    off));
            out.add(new Check(
                    java + "." + f + " size",
                    cType + "." + f + " size",
                    "(long long)sizeof(((" + cType + "*)0)->" + f + ")",
                    m.byteSize()));
        }
        out.add(new Check(
                java + " size", "sizeof(" + cType + ")", "(long long)sizeof(" + cType + ")", layout.byteSize()));
        return out;
    }

    static List<Check> cudaChecks() {
        List<Check> c = new ArrayList<>();
        c.add(enumValue("CudaDriver.SUCCESS", "CUDA_SUCCESS", CudaDriver.SUCCESS));
        c.add(enumValue(
                "CudaDriver.ATTR_MULTIPROCESSOR_COUNT",
                "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT",
                CudaDriver.ATTR_MULTIPROCESSOR_COUNT));
        c.add(enumValue(
                "CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR",
                "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR",
                CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR));
        c.add(enumValue(
                "CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR",
                "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR",
                CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR));
        c.add(enumValue(
                "CudaDriver.ATTR_MEMORY_CLOCK_RATE",
                "CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE",
                CudaDriver.ATTR_MEMORY_CLOCK_RATE));
        c.add(enumValue(
                "CudaDriver.ATTR_GLOBAL_MEMORY_BUS_WIDTH",
                "CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH",
                CudaDriver.ATTR_GLOBAL_MEMORY_BUS_WIDTH));
        c.add(enumValue(
                "CudaDriver.CAPTURE_MODE_THREAD_LOCAL",
                "CU_STREAM_CAPTURE_MODE_THREAD_LOCAL",
                CudaDriver.CAPTURE_MODE_THREAD_LOCAL));
        c.add(enumValue(
                "CudaDriver.CAPTURE_STATUS_ACTIVE",
                "CU_STREAM_CAPTURE_STATUS_ACTIVE",
                CudaDriver.CAPTURE_STATUS_ACTIVE));
        c.add(enumValue("CudaDriver.STREAM_NON_BLOCKING", "CU_STREAM_NON_BLOCKING", CudaDriver.STREAM_NON_BLOCKING));
        c.add(enumValue("CudaDriver.EVENT_DEFAULT", "CU_EVENT_DEFAULT", CudaDriver.EVENT_DEFAULT));
        c.addAll(struct(
                "CudaDriver.KERNEL_NODE_PARAMS_V1", "CUDA_KERNEL_NODE_PARAMS_v1", CudaDriver.KERNEL_NODE_PARAMS_V1));
        c.addAll(struct(
                "CudaDriver.KERNEL_NODE_PARAMS_V2", "CUDA_KERNEL_NODE_PARAMS_v2", CudaDriver.KERNEL_NODE_PARAMS_V2));
        return c;
    }

    static List<Check> nvrtcChecks() {
        return List.of(enumValue("Nvrtc.SUCCESS", "NVRTC_SUCCESS", Nvrtc.SUCCESS));
    }

    static List<Check> cublasChecks() {
        List<Check> c = new ArrayList<>();
        c.add(enumValue("Cublas.OP_N", "CUBLAS_OP_N", Cublas.OP_N));
        c.add(enumValue("Cublas.OP_T", "CUBLAS_OP_T", Cublas.OP_T));
        c.add(enumValue("Cublas.DEFAULT_MATH", "CUBLAS_DEFAULT_MATH", Cublas.DEFAULT_MATH));
        c.add(enumValue("Cublas.TF32_TENSOR_OP_MATH", "CUBLAS_TF32_TENSOR_OP_MATH", Cublas.TF32_TENSOR_OP_MATH));
        c.add(enumValue("Cublas.STATUS_SUCCESS", "CUBLAS_STATUS_SUCCESS", Cublas.STATUS_SUCCESS));
        // every status the binding names in its messages: the header must give that name the same value
        for (int v = 0; v < 1024; v++) {
            String name = Cublas.statusName(v);
            if (!name.startsWith("cublasStatus ")) c.add(enumValue("Cublas.statusName(" + v + ")", name, v));
        }
        return c;
    }

    // ----------------------------------------------------------------------------------------- tools

    /** The folders searched for CUDA headers: $CUDA_HOME/include, $CUDA_PATH/include, /usr/local/cuda/include, /usr/include. */
    static List<Path> includeFolders() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String env : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) dirs.add(Path.of(v, "include"));
        }
        dirs.add(Path.of("/usr/local/cuda/include"));
        dirs.add(Path.of("/usr/include"));
        return List.copyOf(dirs);
    }

    static Optional<Path> findHeader(String name) {
        return includeFolders().stream()
                .map(d -> d.resolve(name))
                .filter(Files::isRegularFile)
                .findFirst();
    }

    static Path headerOrSkip(String name) {
        Optional<Path> h = findHeader(name);
        Assumptions.assumeTrue(
                h.isPresent(), name + " not found in " + includeFolders() + ": its bindings are not checked here");
        return h.get();
    }

    /** A C compiler: $CC, else gcc or cc on the PATH or in /usr/bin. */
    static Optional<Path> findCompiler() {
        String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank() && Files.isExecutable(Path.of(cc))) return Optional.of(Path.of(cc));
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) for (String d : path.split(File.pathSeparator)) if (!d.isEmpty()) dirs.add(Path.of(d));
        dirs.add(Path.of("/usr/bin"));
        for (String n : List.of("gcc", "cc"))
            for (Path d : dirs) if (Files.isExecutable(d.resolve(n))) return Optional.of(d.resolve(n));
        return Optional.empty();
    }

    static Path compilerOrSkip() {
        Optional<Path> cc = findCompiler();
        Assumptions.assumeTrue(cc.isPresent(), "no C compiler (gcc, cc or $CC) to compile the header check");
        return cc.get();
    }

    /** Runs {@code cmd}, returning its exit code and stdout+stderr; fails the test on a timeout. */
    static String[] run(List<String> cmd, Path dir) throws Exception {
        Path log = dir.resolve("out-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(log, StandardCharsets.UTF_8)};
    }

    /**
     * Compiles a C program that includes {@code header} and prints each check's C expression, runs it,
     * and compares every printed value with the Java one.
     */
    static Outcome compare(Path cc, Path header, List<Check> checks, Path tmp) throws Exception {
        StringBuilder src = new StringBuilder();
        src.append("#include <stdio.h>\n#include <stddef.h>\n#include <")
                .append(header.getFileName())
                .append(">\n");
        src.append("int main(void) {\n");
        for (Check c : checks)
            src.append("    printf(\"%lld\\n\", ").append(c.cExpression()).append(");\n");
        src.append("    return 0;\n}\n");
        Path c = tmp.resolve("check_" + header.getFileName().toString().replace('.', '_') + ".c");
        Files.writeString(c, src);
        Path exe = tmp.resolve(c.getFileName().toString().replace(".c", ""));
        List<String> cmd = new ArrayList<>(List.of(cc.toString(), "-std=c11", "-w"));
        Set<Path> inc = new LinkedHashSet<>();
        inc.add(header.getParent());
        for (Path d : includeFolders()) if (Files.isDirectory(d)) inc.add(d); // cublas_v2.h includes cuda_runtime.h
        for (Path d : inc) cmd.add("-I" + d);
        cmd.addAll(List.of("-o", exe.toString(), c.toString()));
        String[] r = run(cmd, tmp);
        if (!r[0].equals("0"))
            fail("the " + header.getFileName()
                    + " check did not compile (a binding names something the header lacks?):\n" + r[1] + "\n--- " + c
                    + " ---\n" + src);
        String[] out = run(List.of(exe.toString()), tmp);
        assertEquals("0", out[0], "the " + header.getFileName() + " check program failed:\n" + out[1]);
        List<String> lines = out[1].lines().toList();
        assertEquals(checks.size(), lines.size(), "one line per check expected from the program:\n" + out[1]);
        List<Long> values = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            Check k = checks.get(i);
            long v = Long.parseLong(lines.get(i).strip());
            values.add(v);
            if (v != k.javaValue())
                mismatches.add(k.java() + " is " + k.javaValue() + " but " + header.getFileName() + " has " + k.header()
                        + " = " + v);
        }
        return new Outcome(values, mismatches);
    }

    static void assertAllMatch(Path cc, String headerName, List<Check> checks, Path tmp) throws Exception {
        Path header = headerOrSkip(headerName);
        Outcome o = compare(cc, header, checks, tmp);
        if (!o.mismatches().isEmpty())
            fail(o.mismatches().size() + " binding value(s) differ from " + header + ":\n  "
                    + String.join("\n  ", o.mismatches()));
    }

    // ----------------------------------------------------------------------------------------- tests

    @Test
    void driverBindingsMatchCudaH(@TempDir Path tmp) throws Exception {
        Path cc = compilerOrSkip();
        assertAllMatch(cc, "cuda.h", cudaChecks(), tmp);
    }

    @Test
    void nvrtcBindingsMatchNvrtcH(@TempDir Path tmp) throws Exception {
        Path cc = compilerOrSkip();
        assertAllMatch(cc, "nvrtc.h", nvrtcChecks(), tmp);
    }

    @Test
    void cublasBindingsMatchCublasV2H(@TempDir Path tmp) throws Exception {
        Path cc = compilerOrSkip();
        List<Check> checks = cublasChecks();
        assertTrue(checks.size() > 5 + 3, "Cublas.statusName names fewer statuses than expected: " + checks);
        assertAllMatch(cc, "cublas_v2.h", checks, tmp);
    }

    /** The v1 fields keep their offsets in v2, so one struct serves both entry points (CudaDriver's fallback). */
    @Test
    void kernelNodeParamsV2BeginsWithV1() {
        StructLayout v1 = CudaDriver.KERNEL_NODE_PARAMS_V1, v2 = CudaDriver.KERNEL_NODE_PARAMS_V2;
        assertEquals(
                v1.memberLayouts(),
                v2.memberLayouts().subList(0, v1.memberLayouts().size()));
        assertTrue(v2.byteSize() > v1.byteSize());
    }

    /** The comparison itself: a wrong value is reported, naming the Java field and the header's name and value. */
    @Test
    void aWrongValueIsReported(@TempDir Path tmp) throws Exception {
        Path cc = compilerOrSkip();
        Path header = headerOrSkip("cuda.h");
        List<Check> right = List.of(
                enumValue("CudaDriver.STREAM_NON_BLOCKING", "CU_STREAM_NON_BLOCKING", CudaDriver.STREAM_NON_BLOCKING));
        List<Check> wrong = new ArrayList<>(right);
        wrong.add(enumValue("planted", "CU_STREAM_NON_BLOCKING", CudaDriver.STREAM_NON_BLOCKING + 1));
        wrong.addAll(struct(
                "planted",
                "CUDA_KERNEL_NODE_PARAMS_v2",
                MemoryLayout.structLayout(
                        java.lang.foreign.ValueLayout.ADDRESS.withName("func"),
                        java.lang.foreign.ValueLayout.JAVA_INT.withName("gridDimY"))));
        Outcome o = compare(cc, header, wrong, tmp);
        assertEquals(
                o.headerValues().get(0),
                o.headerValues().get(1),
                "the same header expression printed twice should give the same value");
        List<String> m = o.mismatches();
        assertFalse(m.isEmpty(), "planted wrong values were not reported");
        assertTrue(
                m.stream().anyMatch(s -> s.startsWith("planted is ") && s.contains("CU_STREAM_NON_BLOCKING")),
                m::toString);
        assertTrue(m.stream().anyMatch(s -> s.startsWith("planted.gridDimY offset")), m::toString);
        assertTrue(m.stream().anyMatch(s -> s.startsWith("planted size")), m::toString);
        assertTrue(m.stream().noneMatch(s -> s.startsWith("CudaDriver.")), m::toString);
    }
}
