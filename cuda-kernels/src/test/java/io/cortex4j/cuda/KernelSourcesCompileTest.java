package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiles every CUDA source (recursively) under {@code src/main/cuda} to PTX with {@code nvcc} (skipped where
 * no nvcc is installed) and checks that each expected kernel is there as an unmangled entry.
 */
class KernelSourcesCompileTest {

    /** The kernels microcircuit.cu must define (names the CUDA backend will look up). */
    static final List<String> MICROCIRCUIT_KERNELS = List.of(
            "sigmoid", "axpby", "ou_noise_update", "highpass_update", "lowpass_apply", "philox_normals");

    static Path cudaDir() {
        String base = System.getProperty("basedir");
        Path dir = (base != null ? Path.of(base) : Path.of("")).resolve("src/main/cuda");
        assertTrue(Files.isDirectory(dir), "no CUDA source folder at " + dir.toAbsolutePath());
        return dir;
    }

    static List<Path> cudaSources() throws IOException {
        try (Stream<Path> s = Files.walk(cudaDir())) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".cu")).sorted().toList();
        }
    }

    static Optional<Path> findNvcc() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, "nvcc");
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        Path p = Path.of("/usr/local/cuda/bin/nvcc");
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    static Path nvccOrSkip() {
        Optional<Path> nvcc = findNvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc not found on PATH or in /usr/local/cuda/bin");
        return nvcc.get();
    }

    record Result(int exitCode, String output, String ptx) {}

    /** nvcc --ptx -arch=ARCH -o OUT/x.ptx SOURCE; output is nvcc's stdout+stderr. */
    static Result compile(Path nvcc, Path source, String arch, Path outDir) throws Exception {
        Path ptx = outDir.resolve("x.ptx");
        Files.deleteIfExists(ptx);
        Path log = outDir.resolve("nvcc.log");
        Process p = new ProcessBuilder(nvcc.toString(), "--ptx", "-arch=" + arch, "-o", ptx.toString(), source.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("nvcc timed out on " + source + " (" + arch + ")");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        String text = Files.exists(ptx) ? Files.readString(ptx, StandardCharsets.UTF_8) : "";
        return new Result(p.exitValue(), out, text);
    }

    static boolean hasEntry(String ptx, String kernel) {
        return Pattern.compile("\\.entry\\s+" + Pattern.quote(kernel) + "\\s*\\(").matcher(ptx).find();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"compute_90", "compute_80"})
    void everySourceCompilesToPtxWithItsKernels(String arch, @TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        List<Path> sources = cudaSources();
        assertFalse(sources.isEmpty(), "no .cu files in " + cudaDir());
        List<String> problems = new ArrayList<>();
        for (Path src : sources) {
            Result r = compile(nvcc, src, arch, tmp);
            if (r.exitCode() != 0) {
                problems.add(src.getFileName() + " (" + arch + "): nvcc exit " + r.exitCode() + "\n" + r.output());
                continue;
            }
            List<String> expected = new ArrayList<>(KernelSources.kernelNames(Files.readString(src)));
            if (src.getFileName().toString().equals(KernelSources.MICROCIRCUIT)) {
                for (String k : MICROCIRCUIT_KERNELS) if (!expected.contains(k)) expected.add(k);
            }
            assertFalse(expected.isEmpty(), src + " defines no extern \"C\" __global__ kernel");
            for (String k : expected) {
                if (!hasEntry(r.ptx(), k)) problems.add(src.getFileName() + " (" + arch + "): no .entry " + k + " in PTX");
            }
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void brokenKernelFailsToCompile(@TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        Path bad = tmp.resolve("broken.cu");
        Files.writeString(bad, """
                extern "C" __global__ void broken(float* out, int n)
                {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    if (i < n) out[i] = undeclared_value * 2.0f
                }
                """);
        Result r = compile(nvcc, bad, "compute_90", tmp);
        assertNotEquals(0, r.exitCode(), "nvcc accepted a broken kernel:\n" + r.output());
        assertTrue(r.output().contains("error"), "nvcc reported no error:\n" + r.output());
    }

    @Test
    void kernelWithoutExternCIsNotFoundByName(@TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        Path src = tmp.resolve("mangled.cu");
        Files.writeString(src, """
                __global__ void scale(float* out, int n)
                {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    if (i < n) out[i] *= 2.0f;
                }
                """);
        Result r = compile(nvcc, src, "compute_90", tmp);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.ptx().contains(".entry"), "no entry at all in\n" + r.ptx());
        assertFalse(hasEntry(r.ptx(), "scale"), "a C++-mangled kernel must not match the plain name");
    }

    @Test
    void sourcesAreOnTheClasspathAsResources() throws IOException {
        // the jar carries the top level of src/main/cuda as cuda/*.cu
        List<String> onDisk = cudaSources().stream().filter(p -> p.getParent().equals(cudaDir()))
                .map(p -> p.getFileName().toString()).toList();
        assertEquals(onDisk, KernelSources.list());
        for (String name : onDisk) {
            assertEquals(Files.readString(cudaDir().resolve(name)), KernelSources.load(name), name);
        }
        assertEquals(MICROCIRCUIT_KERNELS, KernelSources.kernelNames(KernelSources.load(KernelSources.MICROCIRCUIT)));
    }

    @Test
    void sourcesNeedNoHeaders() throws IOException {
        for (Path src : cudaSources()) {
            assertFalse(Pattern.compile("(?m)^\\s*#\\s*include").matcher(Files.readString(src)).find(),
                    src + " has an #include; NVRTC at run time has no CUDA headers to offer");
        }
    }
}
